//! Every real capture in `tests/data/fixtures/` decodes into the right type (not an `Unknown`
//! variant) and encodes back to an equal JSON value; so do mutated copies that exercise the
//! forward-compatibility rules (extra fields, unknown enum values, union tags, responses and
//! events, integers sent as strings).

use std::path::PathBuf;

use serde_json::{json, Value};
use simplex_api_types::types::{CiContent, FeatureAllowed};
use simplex_api_types::{parse_message, ChatEvent, ChatResponse, Message};

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixtures");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (
                name,
                std::fs::read_to_string(e.path()).expect("fixture text"),
            )
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 6,
        "expected the vendored captures, found {}",
        out.len()
    );
    out
}

/// The tag the file name promises: `newChatItems-5.json` -> `newChatItems`.
fn expected_tag(name: &str) -> &str {
    name.split(['-', '.']).next().unwrap_or(name)
}

fn round_trip(name: &str, text: &str) -> Message {
    let msg = parse_message(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let original: Value = serde_json::from_str(text).expect("valid JSON");
    let encoded = serde_json::to_value(&msg).expect("encodes");
    assert_eq!(
        encoded, original,
        "{name}: decode then encode changed the JSON"
    );
    msg
}

#[test]
fn every_capture_decodes_to_its_documented_type_and_round_trips() {
    for (name, text) in fixtures() {
        let msg = round_trip(&name, &text);
        let tag = expected_tag(&name);
        match &msg {
            Message::Response(r) => {
                assert!(
                    !matches!(r.resp, ChatResponse::Undocumented(_)),
                    "{name}: decoded as Unknown"
                );
                assert_eq!(r.resp.tag(), Some(tag), "{name}");
            }
            Message::Event(e) => {
                assert!(
                    !matches!(e.resp, ChatEvent::Undocumented(_)),
                    "{name}: decoded as Unknown"
                );
                assert_eq!(e.resp.tag(), Some(tag), "{name}");
            }
            other => panic!("{name}: not decoded: {other:?}"),
        }
    }
}

/// Applies `f` to every object in `v`, depth first.
fn each_object(v: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                each_object(child, f);
            }
            f(m);
        }
        Value::Array(items) => items.iter_mut().for_each(|c| each_object(c, f)),
        _ => {}
    }
}

fn mutated(text: &str, f: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(text).expect("valid JSON");
    f(&mut v);
    v.to_string()
}

#[test]
fn an_extra_field_in_every_object_is_kept() {
    for (name, text) in fixtures() {
        let text = mutated(&text, |v| {
            each_object(v, &mut |m| {
                m.insert("zzUndocumented".into(), json!({"nested": [1, "two"]}));
            })
        });
        let msg = round_trip(&name, &text);
        if let Message::Response(r) = &msg {
            assert!(!matches!(r.resp, ChatResponse::Undocumented(_)), "{name}");
        }
    }
}

#[test]
fn unknown_enum_values_and_union_tags_are_kept() {
    for (name, text) in fixtures() {
        // Every string value that is a known enum value elsewhere becomes unknown: change the
        // `type` of nested tagged objects and known enum-looking strings.
        let text = mutated(&text, |v| {
            each_object(v, &mut |m| {
                for key in [
                    "chatType",
                    "memberRole",
                    "memberStatus",
                    "connType",
                    "allow",
                ] {
                    if let Some(Value::String(s)) = m.get_mut(key) {
                        *s = format!("{s}FromTheFuture");
                    }
                }
            })
        });
        let msg = round_trip(&name, &text);
        // The unknown value is kept in the enum's `Unknown` variant, not lost or rejected.
        if name.starts_with("activeUser") {
            let Message::Response(r) = &msg else {
                panic!("{name}: a response")
            };
            let ChatResponse::ActiveUser(u) = &r.resp else {
                panic!("{name}: activeUser")
            };
            assert_eq!(
                u.user.full_preferences.full_delete.allow,
                FeatureAllowed::Undocumented(json!("noFromTheFuture"))
            );
            assert_eq!(
                u.user.full_preferences.reactions.allow.as_str(),
                Some("yesFromTheFuture")
            );
        }
    }
    // A nested union member with an unknown tag.
    let (name, text) = fixtures()
        .into_iter()
        .find(|(n, _)| n.starts_with("newChatItems"))
        .expect("newChatItems fixture");
    let text = mutated(&text, |v| {
        v["resp"]["chatItems"][0]["chatItem"]["content"] =
            json!({"type": "sndHologram", "depth": 3});
    });
    let Message::Response(r) = round_trip(&name, &text) else {
        panic!("{name}: a response")
    };
    let ChatResponse::NewChatItems(items) = &r.resp else {
        panic!("{name}: newChatItems")
    };
    let content = &items.chat_items[0].chat_item.content;
    assert_eq!(
        content,
        &CiContent::Undocumented(json!({"type": "sndHologram", "depth": 3}))
    );
    assert_eq!(content.tag(), Some("sndHologram"));
}

#[test]
fn extra_fields_and_absent_fields_are_reported() {
    let (name, text) = fixtures()
        .into_iter()
        .find(|(n, _)| n.starts_with("activeUser"))
        .expect("activeUser fixture");
    let text = mutated(&text, |v| v["resp"]["user"]["futureFlag"] = json!(true));
    let Message::Response(r) = round_trip(&name, &text) else {
        panic!("a response")
    };
    let ChatResponse::ActiveUser(u) = &r.resp else {
        panic!("activeUser")
    };
    assert_eq!(u.user.extra_fields.get("futureFlag"), Some(&json!(true)));
    // This 6.x capture predates fields the newest docs list as required.
    assert!(
        u.user.absent_fields().contains(&"clientService"),
        "{:?}",
        u.user.absent_fields()
    );
    assert!(!u.user.absent_fields().contains(&"userId"));
    assert_eq!(u.user.agent_user_id, 1, "an int64 sent as a string");
}

#[test]
fn unknown_responses_and_events_are_kept_whole() {
    let resp = r#"{"corrId":"9","resp":{"type":"brandNewResponse","a":[1,2],"b":{"c":null}}}"#;
    let msg = round_trip("response", resp);
    match msg {
        Message::Response(r) => {
            assert_eq!(r.corr_id.as_deref(), Some("9"));
            assert!(matches!(r.resp, ChatResponse::Undocumented(_)));
            assert_eq!(r.resp.tag(), Some("brandNewResponse"));
        }
        other => panic!("a message with corrId is a response: {other:?}"),
    }
    let event = r#"{"resp":{"type":"brandNewEvent","x":"y"}}"#;
    match round_trip("event", event) {
        Message::Event(e) => assert!(matches!(e.resp, ChatEvent::Undocumented(_))),
        other => panic!("a message without corrId is an event: {other:?}"),
    }
}

#[test]
fn integers_sent_as_strings_decode_and_round_trip() {
    for (name, text) in fixtures() {
        let text = mutated(&text, |v| {
            each_object(v, &mut |m| {
                for key in ["userId", "contactId", "chatItemId", "groupId", "itemId"] {
                    if let Some(Value::Number(n)) = m.get(key).cloned() {
                        m.insert(key.into(), Value::String(n.to_string()));
                    }
                }
            })
        });
        round_trip(&name, &text);
    }
}

#[test]
fn a_known_field_of_the_wrong_type_is_an_error_with_its_path() {
    let (_, text) = fixtures()
        .into_iter()
        .find(|(n, _)| n.starts_with("activeUser"))
        .expect("activeUser fixture");
    let text = mutated(&text, |v| {
        v["resp"]["user"]["profile"]["displayName"] = json!(42)
    });
    let err = simplex_api_types::parse_response(&text)
        .expect_err("a number where a string is documented");
    assert!(err.path.contains("displayName"), "path: {}", err.path);
    assert!(err.path.contains("user"), "path: {}", err.path);
    // parse_message loses nothing: the JSON as received, with the same error.
    match parse_message(&text) {
        Ok(Message::Undecoded(u)) => {
            assert_eq!(u.error, err);
            let original: Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(u.json, original);
            assert_eq!(
                serde_json::to_value(Message::Undecoded(u)).expect("encodes"),
                original
            );
        }
        other => panic!("kept whole with its error: {other:?}"),
    }
    // Not JSON at all: an error.
    assert!(parse_message("{\"resp\": ").is_err());
}
