#!/usr/bin/env bash
# Rendering `/_send @7 json [...]` with one text message, measured side by side in one
# criterion run: simplex-api-types (this repository), the Rust peer simploxide-api-types
# 0.12.0 (crates.io), and, given a git revision BASE, simplex-api-types as it was at BASE.
# Prints each median and the ratios to the peer.
#
# Usage: scripts/versus-peer.sh [BASE]   (needs crates.io once; builds in release, a few minutes)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; git -C "$repo" worktree prune' EXIT
. "$repo/scripts/unpack-crate.sh"

echo "== packaging simplex-api-types${base:+ and its state at $base}"
unpack_crate "$repo" "$work/ours"
base_dep=""
if [ -n "$base" ]; then
  unpack_crate "$repo" "$work/base" "$base"
  # Another version, so that both can be dependencies of one crate.
  sed -i 's/^version = "0.1.0"$/version = "0.0.1-base"/' "$work/base/Cargo.toml"
  base_dep="simplex-api-types-base = { package = \"simplex-api-types\", path = \"$work/base\" }"
fi

mkdir -p "$work/bench/benches" "$work/bench/src"
cat > "$work/bench/Cargo.toml" <<EOF
[package]
name = "versus-peer"
version = "0.1.0"
edition = "2021"
[dependencies]
simplex-api-types = { path = "$work/ours" }
$base_dep
simploxide-api-types = "=0.12.0"
serde_json = "1"
criterion = { version = "0.5", default-features = false, features = ["cargo_bench_support"] }
[[bench]]
name = "render"
harness = false
[workspace]
EOF
touch "$work/bench/src/lib.rs"
{
  cat <<'EOF'
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

const EXPECTED: &str = r#"/_send @7 json [{"msgContent":{"type":"text","text":"Hello!"},"mentions":{}}]"#;

/// `$krate::...ApiSendMessages` for our crate at some revision.
macro_rules! ours {
    ($g:expr, $name:literal, $krate:ident) => {{
        use $krate::commands::ApiSendMessages;
        use $krate::types::{msg_content, ChatRef, ChatType, ComposedMessage, MsgContent};
        use $krate::Command;
        let text = MsgContent::from(msg_content::Text::new("Hello!".to_owned()));
        let cmd = ApiSendMessages::new(ChatRef::new(ChatType::Direct, 7), vec![ComposedMessage::new(text)]);
        assert_eq!(cmd.to_command_string().unwrap(), EXPECTED);
        $g.bench_function($name, |b| b.iter(|| black_box(&cmd).to_command_string().unwrap()));
    }};
}

fn render(c: &mut Criterion) {
    let mut g = c.benchmark_group("render /_send one text message");
    ours!(g, "simplex-api-types", simplex_api_types);
EOF
  if [ -n "$base" ]; then echo '    ours!(g, "simplex-api-types at base", simplex_api_types_base);'; fi
  cat <<'EOF'
    {
        use simploxide_api_types::commands::ApiSendMessages;
        use simploxide_api_types::utils::CommandSyntax;
        use simploxide_api_types::{ChatRef, ComposedMessage};
        let message: ComposedMessage =
            serde_json::from_str(r#"{"msgContent":{"type":"text","text":"Hello!"},"mentions":{}}"#).unwrap();
        let chat: ChatRef = serde_json::from_str(r#"{"chatType":"direct","chatId":7}"#).unwrap();
        let cmd = ApiSendMessages::new(chat, vec![message]);
        assert_eq!(cmd.to_command_string(), EXPECTED);
        g.bench_function("simploxide-api-types", |b| b.iter(|| black_box(&cmd).to_command_string()));
    }
    g.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
EOF
} > "$work/bench/benches/render.rs"

echo "== building the benchmark (release)"
(cd "$work/bench" && cargo bench --quiet --no-run 2>&1 | grep -v '^\s*$' || true)
echo "== measuring"
(cd "$work/bench" && cargo bench --quiet --bench render -- --warm-up-time 2 --measurement-time 5 --noplot) \
  | tee "$work/out.txt" | grep -E '^render|time:'
median() { grep -A1 "^render /_send one text message/$1\$" "$work/out.txt" | grep -oE 'time: +\[[^]]*\]' \
  | awk '{ v = $4; u = $5; if (u == "µs") v *= 1000; if (u == "ms") v *= 1e6; print v }'; }
peer=$(median "simploxide-api-types")
echo "== medians (ns) and ratios to the peer"
for name in "simplex-api-types" "simplex-api-types at base"; do
  m=$(median "$name" || true)
  [ -n "$m" ] || continue
  awk -v n="$name" -v m="$m" -v p="$peer" 'BEGIN { printf "%s: %.1f ns, peer %.1f ns, ratio %.2f\n", n, m, p, m / p }'
done
