#!/usr/bin/env bash
# What depending on simplex-api-types costs a bot, measured side by side with the Rust peer
# simploxide-api-types 0.12.0 (crates.io). Two minimal bots, each decoding one event and
# rendering one command, are built cold in release mode, alternately (A B A B ...), each with a
# fresh target directory; then each is rebuilt after touching its main.rs. Prints times, the
# ratios ours/peer, the binary sizes and the size of our rlib.
#
# Usage: scripts/build-cost.sh [ROUNDS]   (default 2; needs network access to crates.io once)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

event='{"resp":{"type":"contactConnected","user":{"userId":1},"contact":{"contactId":5,"localDisplayName":"alice"}}}'

mkdir -p "$work/ours/src" "$work/peer/src"
# The crate as it would be published (its manifest standing alone), so that editing the
# repository meanwhile does not disturb the runs.
(cd "$repo" && cargo package --quiet --no-verify --allow-dirty -p simplex-api-types)
tar -xzf "$repo"/target/package/simplex-api-types-0.1.0.crate -C "$work"
mv "$work/simplex-api-types-0.1.0" "$work/api-types"
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

now() { date +%s.%N; }
build() { # DIR TARGET -> seconds
  local start end
  start=$(now)
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --release -q)
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

declare -a ours_cold peer_cold ours_warm peer_warm
for r in $(seq 1 "$rounds"); do
  echo "== round $r: cold builds"
  rm -rf "$work/t-ours" "$work/t-peer"
  t=$(build "$work/ours" "$work/t-ours"); ours_cold+=("$t"); echo "ours cold: $t s"
  t=$(build "$work/peer" "$work/t-peer"); peer_cold+=("$t"); echo "peer cold: $t s"
  touch "$work/ours/src/main.rs"; t=$(build "$work/ours" "$work/t-ours"); ours_warm+=("$t"); echo "ours rebuild: $t s"
  touch "$work/peer/src/main.rs"; t=$(build "$work/peer" "$work/t-peer"); peer_warm+=("$t"); echo "peer rebuild: $t s"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
oc=$(median "${ours_cold[@]}"); pc=$(median "${peer_cold[@]}")
ow=$(median "${ours_warm[@]}"); pw=$(median "${peer_warm[@]}")
ob=$(stat -c %s "$work/t-ours/release/bot-ours"); pb=$(stat -c %s "$work/t-peer/release/bot-peer")
rlib=$(stat -c %s "$work"/t-ours/release/deps/libsimplex_api_types-*.rlib)
echo
echo "== summary (medians of $rounds rounds)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'cold release build: ours %.1f s, peer %.1f s, ratio %s\n' "$oc" "$pc" "$(ratio "$oc" "$pc")"
printf 'rebuild after touching main.rs: ours %.2f s, peer %.2f s, ratio %s\n' "$ow" "$pw" "$(ratio "$ow" "$pw")"
printf 'release binary: ours %d bytes, peer %d bytes, ratio %s\n' "$ob" "$pb" "$(ratio "$ob" "$pb")"
printf 'simplex-api-types release rlib: %d bytes\n' "$rlib"
echo "check: ours prints $("$work/t-ours/release/bot-ours" "$event" | tr '\n' ' ')"
echo "check: peer prints $("$work/t-peer/release/bot-peer" "$event" | tr '\n' ' ')"
