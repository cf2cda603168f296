//! Typed decoding against `serde_json::Value` on the same bytes, one group per input.
//!
//! Run: `cargo bench -p simplex-api-types --bench decode -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use simplex_api_types::{
    parse_event, parse_message, parse_response, ChatEvent, ChatResponse, Message,
};

const GROUP_INVITATION: &str = include_str!("../tests/data/receivedGroupInvitation-1.json");
const NEW_CHAT_ITEMS: &str = include_str!("../tests/data/newChatItems-5.json");
const CONTACTS_LIST: &str = include_str!("../tests/data/contactsList-1.json");

/// `json` without the whitespace between tokens, keys in their original order (the core sends
/// compact JSON with `"type"` first; re-encoding a `Value` would sort the keys).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The compact `fixture` with its one-element array `"<field>":[...]` holding that element `n`
/// times.
fn replicate(fixture: &str, field: &str, n: usize) -> String {
    let json = minify(fixture);
    let open = json.find(&format!("\"{field}\":[")).expect("array field") + field.len() + 4;
    // Find the matching `]`, skipping strings.
    let (mut depth, mut in_string, mut escaped, mut close) = (1, false, false, None);
    for (i, c) in json[open..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            close = Some(open + i);
            break;
        }
    }
    let close = close.expect("array end");
    let element = &json[open..close];
    let out = format!(
        "{}{}{}",
        &json[..open],
        vec![element; n].join(","),
        &json[close..]
    );
    let (a, b): (Value, Value) = (
        serde_json::from_str(&out).expect("valid JSON"),
        serde_json::from_str(fixture).expect("valid JSON"),
    );
    assert_eq!(a["resp"][field].as_array().map(Vec::len), Some(n));
    assert_eq!(a["resp"][field][n - 1], b["resp"][field][0]);
    out
}

/// Typed decoding and `Value` parsing of `text`, side by side in one group.
/// A typed decoder under test: its name, and a function that decodes and says whether the
/// result is the documented type (not `Undocumented`).
type Decoder<'a> = (&'a str, fn(&str) -> bool);

fn compare(c: &mut Criterion, group: &str, text: &str, typed: &[Decoder<'_>]) {
    for (name, f) in typed {
        assert!(
            f(text),
            "{group}: {name} did not decode to the documented type"
        );
    }
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(text.len() as u64));
    for (name, f) in typed {
        g.bench_with_input(BenchmarkId::new(*name, text.len()), text, |b, t| {
            b.iter(|| f(black_box(t)))
        });
    }
    g.bench_with_input(
        BenchmarkId::new("serde_json::Value", text.len()),
        text,
        |b, t| b.iter(|| serde_json::from_str::<Value>(black_box(t)).is_ok()),
    );
    g.finish();
}

fn event_ok(t: &str) -> bool {
    parse_event(t).is_ok_and(|e| !matches!(e.resp, ChatEvent::Undocumented(_)))
}

fn response_ok(t: &str) -> bool {
    parse_response(t).is_ok_and(|r| !matches!(r.resp, ChatResponse::Undocumented(_)))
}

fn message_ok(t: &str) -> bool {
    match parse_message(t) {
        Ok(Message::Event(e)) => !matches!(e.resp, ChatEvent::Undocumented(_)),
        Ok(Message::Response(r)) => !matches!(r.resp, ChatResponse::Undocumented(_)),
        _ => false,
    }
}

fn decode(c: &mut Criterion) {
    compare(
        c,
        "receivedGroupInvitation-1",
        GROUP_INVITATION,
        &[("parse_event", event_ok), ("parse_message", message_ok)],
    );
    compare(
        c,
        "newChatItems-5",
        NEW_CHAT_ITEMS,
        &[
            ("parse_response", response_ok),
            ("parse_message", message_ok),
        ],
    );
    compare(
        c,
        "newChatItems-50-items",
        &replicate(NEW_CHAT_ITEMS, "chatItems", 50),
        &[("parse_response", response_ok)],
    );
    compare(
        c,
        "contactsList-100-contacts",
        &replicate(CONTACTS_LIST, "contacts", 100),
        &[("parse_response", response_ok)],
    );
    // The same bytes re-encoded through `Value`, which sorts keys: `"type"` is no longer first,
    // so every union takes the buffering slow path.
    let sorted: Value = serde_json::from_str(&replicate(CONTACTS_LIST, "contacts", 100)).unwrap();
    compare(
        c,
        "contactsList-100-contacts-sorted-keys",
        &serde_json::to_string(&sorted).unwrap(),
        &[("parse_response", response_ok)],
    );
}

criterion_group!(benches, decode);
criterion_main!(benches);
