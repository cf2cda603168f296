//! With the `chrono` feature, `UTCTime` fields are `chrono::DateTime<Utc>` and real messages
//! still decode and re-encode to the same instants.
#![cfg(feature = "chrono")]

use simplex_api_types::{parse_message, ChatResponse, Message};

#[test]
fn timestamps_decode_as_instants_and_encode_back() {
    let text = include_str!("../tests/data/newChatItems-5.json");
    let Message::Response(r) = parse_message(text).expect("decodes") else {
        panic!("a response")
    };
    let ChatResponse::NewChatItems(items) = &r.resp else {
        panic!("newChatItems")
    };
    let ts = items.chat_items[0].chat_item.meta.item_ts;
    let original: serde_json::Value = serde_json::from_str(text).expect("JSON");
    let raw = original["resp"]["chatItems"][0]["chatItem"]["meta"]["itemTs"]
        .as_str()
        .expect("itemTs is a string");
    assert_eq!(
        ts,
        chrono::DateTime::parse_from_rfc3339(raw).expect("RFC 3339")
    );
    let encoded = serde_json::to_value(&r).expect("encodes");
    let back = encoded["resp"]["chatItems"][0]["chatItem"]["meta"]["itemTs"]
        .as_str()
        .expect("still a string");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(back).expect("RFC 3339"),
        ts
    );
}
