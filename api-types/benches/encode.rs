//! Encoding decoded messages back to JSON text against `serde_json::Value` holding the same
//! JSON, one group per input: `to_json()` (the fast path), `serde_json::to_string` of the
//! message (the `Serialize` path), and `serde_json::to_string` of the `Value`.
//!
//! Run: `cargo bench -p simplex-api-types --bench encode -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use simplex_api_types::{parse_message, ChatResponse, Message};

mod support;

use support::{minify, replicate, CHAT_CMD_ERROR, CONTACTS_LIST, NEW_CHAT_ITEMS};

/// The three encoders side by side on the message that `text` decodes to; each must give
/// back the same JSON value as the text.
fn compare(c: &mut Criterion, group: &str, text: &str) {
    let message = match parse_message(text) {
        Ok(Message::Response(r)) if !matches!(r.resp, ChatResponse::Undocumented(_)) => {
            Message::Response(r)
        }
        other => panic!("{group}: not a documented response: {other:?}"),
    };
    let value: Value = serde_json::from_str(text).expect("valid JSON");
    let fast = message.to_json();
    let serde = serde_json::to_string(&message).expect("serializes");
    for (name, out) in [("to_json", &fast), ("serde_json::to_string", &serde)] {
        let back: Value = serde_json::from_str(out).expect("valid JSON");
        assert_eq!(back, value, "{group}: {name} changed the JSON");
    }
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(fast.len() as u64));
    let len = fast.len();
    g.bench_with_input(BenchmarkId::new("to_json", len), &message, |b, m| {
        b.iter(|| black_box(m).to_json())
    });
    g.bench_with_input(
        BenchmarkId::new("serde_json::to_string", len),
        &message,
        |b, m| b.iter(|| serde_json::to_string(black_box(m))),
    );
    g.bench_with_input(
        BenchmarkId::new("Value serde_json::to_string", len),
        &value,
        |b, v| b.iter(|| serde_json::to_string(black_box(v))),
    );
    g.finish();
}

fn encode(c: &mut Criterion) {
    compare(c, "encode newChatItems-5", &minify(NEW_CHAT_ITEMS));
    // As a response to a command: with its `corrId`.
    let error = CHAT_CMD_ERROR.replacen("{", r#"{"corrId":"1234567","#, 1);
    compare(c, "encode chatCmdError-6", &error);
    compare(
        c,
        "encode newChatItems-50-items",
        &replicate(NEW_CHAT_ITEMS, "chatItems", 50),
    );
    compare(
        c,
        "encode contactsList-100-contacts",
        &replicate(CONTACTS_LIST, "contacts", 100),
    );
}

criterion_group!(benches, encode);
criterion_main!(benches);
