#!/usr/bin/env bash
# What depending on simplex-api-client costs a bot, before and after: the same minimal bot
# (connect, send one command, print the events) built cold in release mode against the
# client as it is now and as it was at git revision BASE, alternately (A B A B ...), each with
# a fresh target directory. Prints the times, the ratio now/BASE and the binary sizes.
#
# Usage: scripts/client-build-cost.sh BASE [ROUNDS]   (default 1 round; needs crates.io once)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:?usage: scripts/client-build-cost.sh BASE [ROUNDS]}"
rounds="${2:-1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; git -C "$repo" worktree prune' EXIT

echo "== the repository at $base and now"
git -C "$repo" worktree add --quiet --detach "$work/base-tree" "$base"
mkdir -p "$work/now-tree"
# The working tree as it is (uncommitted changes included), without its target directory.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - ) \
  | tar -xf - -C "$work/now-tree"

bot() { # bot DIR TREE
  mkdir -p "$1/src"
  cat > "$1/Cargo.toml" <<TOML
[package]
name = "bot"
version = "0.1.0"
edition = "2021"
[dependencies]
simplex-api-client = { path = "$2/client" }
simplex-api-types = { path = "$2/api-types" }
tokio = { version = "1", features = ["rt"] }
[workspace]
TOML
  cat > "$1/src/main.rs" <<'RS'
fn main() {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    rt.block_on(async {
        let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:5225".into());
        let Ok((client, mut events)) = simplex_api_client::connect(&url).await else {
            return;
        };
        let user = client.send(&simplex_api_types::commands::ShowActiveUser::new()).await;
        println!("{user:?}");
        while let Some(item) = events.next_event().await {
            println!("{item:?}");
        }
    });
}
RS
  cp "$repo/Cargo.lock" "$1/Cargo.lock"
}
bot "$work/now" "$work/now-tree"
bot "$work/base" "$work/base-tree"
# Fetch once, so that no build waits for the network.
(cd "$work/now" && cargo fetch --quiet) && (cd "$work/base" && cargo fetch --quiet)

declare -A total
for name in base now; do total[$name]=0; done
for round in $(seq "$rounds"); do
  for name in base now; do
    rm -rf "$work/$name/target"
    start=$(date +%s.%N)
    (cd "$work/$name" && cargo build --quiet --release --offline)
    took=$(echo "$(date +%s.%N) - $start" | bc)
    total[$name]=$(echo "${total[$name]} + $took" | bc)
    printf '   round %s %-4s %6.1f s\n' "$round" "$name" "$took"
  done
done
for name in base now; do
  size=$(stat -c %s "$work/$name/target/release/bot")
  printf '%-4s mean %6.1f s, binary %s bytes\n' "$name" "$(echo "${total[$name]} / $rounds" | bc -l)" "$size"
done
printf 'now / base: cold build %.2f, binary %.2f\n' \
  "$(echo "${total[now]} / ${total[base]}" | bc -l)" \
  "$(echo "$(stat -c %s "$work/now/target/release/bot") / $(stat -c %s "$work/base/target/release/bot")" | bc -l)"
