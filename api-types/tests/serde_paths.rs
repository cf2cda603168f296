//! The serde paths give the JSON of the fast path: serde_json's serializers take the text
//! `to_json()` writes as it is (inside the caller's own serde types too), a pretty serializer
//! gets it replayed token by token so that it is pretty all through, and `to_value` builds the
//! same value. Checked on the real captures.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::Value;
use simplex_api_types::types::ChatRef;
use simplex_api_types::{parse_message, Json, Message};

fn captures() -> Vec<(&'static str, Message)> {
    [
        ("newChatItems-5", include_str!("data/newChatItems-5.json")),
        ("contactsList-1", include_str!("data/contactsList-1.json")),
        (
            "receivedGroupInvitation-1",
            include_str!("data/receivedGroupInvitation-1.json"),
        ),
        ("chatCmdError-6", include_str!("data/chatCmdError-6.json")),
    ]
    .into_iter()
    .map(|(name, text)| match parse_message(text) {
        Ok(m @ (Message::Response(_) | Message::Event(_))) => (name, m),
        other => panic!("{name}: not a documented message: {other:?}"),
    })
    .collect()
}

/// A serde type of a bot's own that holds a generated one, serialized field by field.
struct Envelope<'a> {
    seq: u32,
    message: &'a Message,
}

impl Serialize for Envelope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Envelope", 2)?;
        st.serialize_field("seq", &self.seq)?;
        st.serialize_field("message", self.message)?;
        st.end()
    }
}

#[test]
fn serde_json_writes_the_text_of_to_json() {
    for (name, msg) in captures() {
        let fast = msg.to_json();
        assert_eq!(
            serde_json::to_string(&msg).expect("encodes"),
            fast,
            "{name}"
        );
        let mut bytes = Vec::new();
        serde_json::to_writer(&mut bytes, &msg).expect("encodes");
        assert_eq!(String::from_utf8(bytes).expect("UTF-8"), fast, "{name}");
        let outer = Envelope {
            seq: 3,
            message: &msg,
        };
        assert_eq!(
            serde_json::to_string(&outer).expect("encodes"),
            format!(r#"{{"seq":3,"message":{fast}}}"#),
            "{name}"
        );
    }
}

#[test]
fn to_value_builds_the_value_of_the_text() {
    for (name, msg) in captures() {
        let expected: Value = serde_json::from_str(&msg.to_json()).expect("valid JSON");
        assert_eq!(
            serde_json::to_value(&msg).expect("encodes"),
            expected,
            "{name}"
        );
    }
}

#[test]
fn pretty_output_is_pretty_inside_generated_values() {
    for (name, msg) in captures() {
        let pretty = serde_json::to_string_pretty(&Envelope {
            seq: 1,
            message: &msg,
        })
        .expect("encodes");
        let back: Value = serde_json::from_str(&pretty).expect("valid JSON");
        let expected: Value = serde_json::from_str(&msg.to_json()).expect("valid JSON");
        assert_eq!(back["message"], expected, "{name}");
        // Nested keys are indented, not written as one compact line.
        assert!(
            pretty.contains("\n  \"message\": {\n    \"")
                && pretty.contains("\n      \"type\": \""),
            "{name}: not pretty inside the message:\n{pretty:.400}"
        );
    }
}

#[test]
fn a_value_that_is_a_string_goes_through_serde_as_a_string() {
    // Enums of strings are JSON strings: as map keys too, where serde_json takes only strings.
    let chat = ChatRef::from_json(r#"{"chatType":"group","chatId":5}"#).expect("decodes");
    let keyed = std::collections::HashMap::from([(chat.chat_type.clone(), 1)]);
    assert_eq!(
        serde_json::to_string(&keyed).expect("encodes"),
        r#"{"group":1}"#
    );
    assert_eq!(
        serde_json::to_string(&chat).expect("encodes"),
        r#"{"chatType":"group","chatId":5}"#
    );
}
