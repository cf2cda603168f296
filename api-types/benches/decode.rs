//! Typed decoding against `serde_json::Value` on the same bytes, one group per input.
//!
//! Run: `cargo bench -p simplex-api-types --bench decode -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use simplex_api_types::{
    parse_event, parse_message, parse_response, ChatEvent, ChatResponse, Message,
};

mod support;

use support::{replicate, CONTACTS_LIST, GROUP_INVITATION, NEW_CHAT_ITEMS};

/// A typed decoder under test: its name, and a function that decodes and says whether the
/// result is the documented type (not `Undocumented`).
type Decoder<'a> = (&'a str, fn(&str) -> bool);

/// Typed decoding and `Value` parsing of `text`, side by side in one group.
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
