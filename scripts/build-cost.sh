#!/usr/bin/env bash
# What depending on simplex-api-types costs a bot, measured side by side with the Rust peer
# simploxide-api-types 0.12.0 (crates.io). Two minimal bots, each decoding one event and
# rendering one command, are built cold in release mode, alternately (A B A B ...), each with a
# fresh target directory; then each is rebuilt after touching its main.rs. Prints times, the
# ratios ours/peer, the binary sizes and the size of our rlib (crate metadata and object code).
#
# Given a git revision BASE, the same bot is also built against simplex-api-types as it was at
# BASE, in the same rounds, for a before/after measured side by side.
#
# Usage: scripts/build-cost.sh [ROUNDS [BASE]]   (default 2 rounds; needs crates.io once)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-2}"
base="${2:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; git -C "$repo" worktree prune' EXIT
. "$repo/scripts/unpack-crate.sh"

event='{"resp":{"type":"contactConnected","user":{"userId":1},"contact":{"contactId":5,"localDisplayName":"alice"}}}'

mkdir -p "$work/ours/src" "$work/peer/src"
unpack_crate "$repo" "$work/api-types"
if [ -n "$base" ]; then unpack_crate "$repo" "$work/api-types-base" "$base"; fi
cat > "$work/ours/Cargo.toml" <<EOF
[package]
name = "bot-ours"
version = "0.1.0"
edition = "2021"
[dependencies]
simplex-api-types = { path = "$work/api-types" }
[workspace]
EOF
cat > "$work/ours/src/main.rs" <<'EOF'
use simplex_api_types::commands::ApiSendMessages;
use simplex_api_types::types::{msg_content, ChatRef, ChatType, ComposedMessage, MsgContent};
use simplex_api_types::{parse_message, Command, Message};

fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    match parse_message(&text) {
        Ok(Message::Event(e)) => println!("event {:?}", e.resp.tag()),
        Ok(_) => println!("response"),
        Err(e) => println!("error {e}"),
    }
    let hello = MsgContent::from(msg_content::Text::new("hi".to_owned()));
    let send = ApiSendMessages::new(ChatRef::new(ChatType::Direct, 7), vec![ComposedMessage::new(hello)]);
    println!("{}", send.to_command_string().unwrap_or_default());
}
EOF
if [ -n "$base" ]; then
  mkdir -p "$work/base/src"
  cp "$work/ours/src/main.rs" "$work/base/src/main.rs"
  sed -e 's/^name = "bot-ours"/name = "bot-base"/' -e "s#$work/api-types\"#$work/api-types-base\"#" \
    "$work/ours/Cargo.toml" > "$work/base/Cargo.toml"
fi
cat > "$work/peer/Cargo.toml" <<EOF
[package]
name = "bot-peer"
version = "0.1.0"
edition = "2021"
[dependencies]
simploxide-api-types = "=0.12.0"
serde_json = "1"
[workspace]
EOF
cat > "$work/peer/src/main.rs" <<'EOF'
use simploxide_api_types::commands::ApiSendMessages;
use simploxide_api_types::events::Event;
use simploxide_api_types::utils::CommandSyntax;
use simploxide_api_types::{ChatRef, ChatType, ComposedMessage};

fn main() {
    let text = std::env::args().nth(1).unwrap_or_default();
    let resp = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("resp").cloned())
        .map(|r| r.to_string())
        .unwrap_or_default();
    match serde_json::from_str::<Event>(&resp) {
        Ok(_) => println!("event"),
        Err(e) => println!("error {e}"),
    }
    let message: ComposedMessage =
        serde_json::from_str(r#"{"msgContent":{"type":"text","text":"hi"},"mentions":{}}"#)
            .expect("a composed message");
    let chat: ChatRef = serde_json::from_str(r#"{"chatType":"direct","chatId":7}"#).expect("a chat");
    let _ = ChatType::Direct;
    let send = ApiSendMessages::new(chat, vec![message]);
    println!("{}", send.to_command_string());
}
EOF
# The peer's sources and the registry index, fetched once (not timed).
(cd "$work/peer" && cargo fetch -q)
(cd "$work/ours" && cargo fetch -q)
if [ -n "$base" ]; then (cd "$work/base" && cargo fetch -q); fi

now() { date +%s.%N; }
build() { # DIR TARGET -> seconds
  local start end
  start=$(now)
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --release -q)
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

bots=(ours peer)
if [ -n "$base" ]; then bots=(base ours peer); fi
declare -A cold warm
for r in $(seq 1 "$rounds"); do
  echo "== round $r"
  for b in "${bots[@]}"; do
    rm -rf "$work/t-$b"
    t=$(build "$work/$b" "$work/t-$b"); cold[$b]+="$t "; echo "$b cold: $t s"
  done
  for b in "${bots[@]}"; do
    touch "$work/$b/src/main.rs"
    t=$(build "$work/$b" "$work/t-$b"); warm[$b]+="$t "; echo "$b rebuild: $t s"
  done
done

median() { printf '%s\n' $@ | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rlib_parts() { # BOT -> "total metadata objects" bytes of its simplex-api-types rlib
  local rlib meta
  rlib=$(ls "$work/t-$1"/release/deps/libsimplex_api_types-*.rlib)
  meta=$(ar p "$rlib" lib.rmeta | wc -c)
  echo "$(stat -c %s "$rlib") $meta $(($(stat -c %s "$rlib") - meta))"
}
echo
echo "== summary (medians of $rounds rounds)"
pc=$(median "${cold[peer]}"); pw=$(median "${warm[peer]}")
pb=$(stat -c %s "$work/t-peer/release/bot-peer")
for b in "${bots[@]}"; do
  [ "$b" = peer ] && continue
  c=$(median "${cold[$b]}"); w=$(median "${warm[$b]}")
  bin=$(stat -c %s "$work/t-$b/release/bot-$b")
  read -r total meta objs <<<"$(rlib_parts "$b")"
  label="$b"; [ "$b" = base ] && label="base ($base)"
  echo "-- $label"
  printf 'cold release build: %.1f s, peer %.1f s, ratio %s\n' "$c" "$pc" "$(ratio "$c" "$pc")"
  printf 'rebuild after touching main.rs: %.2f s, peer %.2f s, ratio %s\n' "$w" "$pw" "$(ratio "$w" "$pw")"
  printf 'release binary: %d bytes, peer %d bytes, ratio %s\n' "$bin" "$pb" "$(ratio "$bin" "$pb")"
  printf 'simplex-api-types release rlib: %d bytes (metadata %d, object code %d)\n' "$total" "$meta" "$objs"
done
if [ -n "$base" ]; then
  echo "-- ours / base"
  printf 'cold build %s, rebuild %s, binary %s, rlib %s\n' \
    "$(ratio "$(median "${cold[ours]}")" "$(median "${cold[base]}")")" \
    "$(ratio "$(median "${warm[ours]}")" "$(median "${warm[base]}")")" \
    "$(ratio "$(stat -c %s "$work/t-ours/release/bot-ours")" "$(stat -c %s "$work/t-base/release/bot-base")")" \
    "$(ratio "$(rlib_parts ours | cut -d' ' -f1)" "$(rlib_parts base | cut -d' ' -f1)")"
fi
echo "check: ours prints $("$work/t-ours/release/bot-ours" "$event" | tr '\n' ' ')"
echo "check: peer prints $("$work/t-peer/release/bot-peer" "$event" | tr '\n' ' ')"
