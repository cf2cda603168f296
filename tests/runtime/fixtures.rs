//! Every real capture in `api-types/tests/data/` decodes into the right type (not an `Unknown`
//! variant) and encodes back to an equal JSON value; so do mutated copies that exercise the
//! forward-compatibility rules (extra fields, unknown enum values, union tags, responses and
//! events, integers sent as strings).

use serde_json::{json, Value};
use simplex_api_types::types::{CiContent, ConnectionMode, FeatureAllowed};
use simplex_api_types::{parse_message, ChatEvent, ChatResponse, Message};

use crate::fixtures;

/// The tag the file name promises: `newChatItems-5.json` -> `newChatItems`.
fn expected_tag(name: &str) -> &str {
    name.split(['-', '.']).next().unwrap_or(name)
}

/// Decodes `text`, which must decode typed (a response or an event, not kept whole as
/// `Undecoded`, which would encode back verbatim whatever the decoder did), and checks that it
/// encodes back to an equal JSON value.
fn round_trip(name: &str, text: &str) -> Message {
    let msg = parse_message(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Message::Undecoded(u) = &msg {
        panic!("{name}: not decoded typed: {}", u.error);
    }
    let original: Value = serde_json::from_str(text).expect("valid JSON");
    let encoded = serde_json::to_value(&msg).expect("encodes");
    assert_eq!(
        encoded, original,
        "{name}: decode then encode changed the JSON"
    );
    msg
}

/// `msg`, decoded from the capture `name`, is the documented response or event its file name
/// says, not an `Undocumented` one.
fn assert_documented(name: &str, msg: &Message) {
    let tag = expected_tag(name);
    match msg {
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

#[test]
fn every_capture_decodes_to_its_documented_type_and_round_trips() {
    for (name, text) in fixtures() {
        assert_documented(&name, &round_trip(&name, &text));
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
        assert_documented(&name, &round_trip(&name, &text));
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
        assert_documented(&name, &msg);
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
        assert_documented(&name, &round_trip(&name, &text));
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

/// The capture named `prefix`.
fn capture(prefix: &str) -> String {
    fixtures()
        .into_iter()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("a `{prefix}` capture"))
        .1
}

/// A v6.3 core's `groupsList`: each group the pair `[GroupInfo without groupSummary, summary]`
/// (the `wire_shape` of `docs/overrides.toml`), built from a real capture's `GroupInfo`.
fn v63_groups_list(summaries: &[Value]) -> (Value, Value) {
    let invitation: Value =
        serde_json::from_str(&capture("receivedGroupInvitation")).expect("JSON");
    let mut group = invitation["resp"]["groupInfo"].clone();
    let summary = group
        .as_object_mut()
        .and_then(|g| g.remove("groupSummary"))
        .expect("the capture's GroupInfo has a groupSummary");
    let groups: Vec<Value> = summaries
        .iter()
        .map(|s| json!([group.clone(), s]))
        .collect();
    let frame = json!({
        "corrId": "7",
        "resp": {"type": "groupsList", "user": invitation["resp"]["user"], "groups": groups},
    });
    (frame, summary)
}

#[test]
fn a_v63_groups_list_of_pairs_decodes_into_group_infos_and_encodes_back_as_pairs() {
    let (frame, _) = v63_groups_list(&[
        json!({"currentMembers": 3}),
        json!({"currentMembers": "12"}),
    ]);
    let text = frame.to_string();
    let Message::Response(r) = round_trip("v6.3 groupsList", &text) else {
        panic!("a response")
    };
    let ChatResponse::GroupsList(list) = &r.resp else {
        panic!("groupsList, not {:?}", r.resp.tag())
    };
    assert_eq!(list.groups.len(), 2);
    let counts: Vec<i64> = list
        .groups
        .iter()
        .map(|g| g.group_summary.current_members)
        .collect();
    assert_eq!(counts, [3, 12], "the pairs' second elements");
    for g in &list.groups {
        assert!(
            !g.absent_fields().contains(&"groupSummary"),
            "the summary arrived beside the object, it is not absent: {:?}",
            g.absent_fields()
        );
        assert!(
            !g.local_display_name.is_empty(),
            "the object's fields are read"
        );
    }
    // The same group sent as a documented object compares equal to the pair: the shape it came
    // in is bookkeeping, not value.
    let mut object: Value =
        serde_json::from_str(&capture("receivedGroupInvitation")).expect("JSON");
    object["resp"]["groupInfo"]["groupSummary"] = json!({"currentMembers": 3});
    let documented: simplex_api_types::types::GroupInfo =
        serde_json::from_value(object["resp"]["groupInfo"].clone()).expect("decodes");
    assert_eq!(documented, list.groups[0]);
    // ...and it encodes as the object it came as, not as a pair.
    assert_eq!(
        serde_json::to_value(&documented).expect("encodes"),
        object["resp"]["groupInfo"]
    );
}

#[test]
fn a_malformed_pair_is_a_located_error_and_the_frame_is_kept() {
    let (mut frame, summary) = v63_groups_list(&[json!({"currentMembers": 1})]);
    // The summary both inside the object and beside it: which one is meant is unknown.
    frame["resp"]["groups"][0][0]["groupSummary"] = summary;
    let err = simplex_api_types::parse_response(&frame.to_string()).expect_err("ambiguous");
    assert!(err.path.starts_with("resp.groups[0]"), "path: {}", err.path);
    assert!(err.message.contains("groupSummary"), "{}", err.message);
    assert_eq!(err.corr_id.as_deref(), Some("7"));
    match parse_message(&frame.to_string()) {
        Ok(Message::Undecoded(u)) => assert_eq!(u.json, frame),
        other => panic!("kept whole with its error: {other:?}"),
    }
    // Three elements, or one: not the pair.
    for groups in [
        json!([[{}, {"currentMembers": 1}, 5]]),
        json!([[{}]]),
        json!([[]]),
    ] {
        let mut f = frame.clone();
        f["resp"]["groups"] = groups.clone();
        let err = simplex_api_types::parse_response(&f.to_string()).expect_err("not a pair");
        assert!(
            err.path.starts_with("resp.groups[0]"),
            "{groups}: {}",
            err.path
        );
    }
}

/// How many objects of `msg` keep fields the docs do not list.
fn kept_fields(msg: &Message) -> usize {
    let debug = format!("{msg:?}");
    debug.matches("extra_fields: {").count() - debug.matches("extra_fields: {}").count()
}

/// Every shape of the reference's "Deviations between TYPES.md and the real JSON" that a core
/// can send decodes typed (the message is the documented response or event, the deviating
/// value is kept where it is) and encodes back to the same JSON.
#[test]
fn every_documented_deviation_decodes_typed_and_round_trips() {
    type Mutation = fn(&mut Value);
    let cases: [(&str, &str, Mutation); 12] = [
        (
            "an unknown MsgContent with its original type",
            "newChatItems",
            |v| {
                v["resp"]["chatItems"][0]["chatItem"]["content"]["msgContent"] =
                    json!({"type": "poll", "text": "which?", "options": ["a", "b"]});
            },
        ),
        ("an unknown MsgReaction", "newChatItems", |v| {
            v["resp"]["chatItems"][0]["chatItem"]["reactions"] = json!([{"reaction": {"type": "sticker", "pack": 2}, "userReacted": false, "totalReacted": 1}]);
        }),
        ("ChatInfo invalidJSON", "newChatItems", |v| {
            v["resp"]["chatItems"][0]["chatInfo"] = json!({"type": "invalidJSON", "json": "{}"});
        }),
        ("CIContent invalidJSON", "newChatItems", |v| {
            v["resp"]["chatItems"][0]["chatItem"]["content"] =
                json!({"type": "invalidJSON", "json": "{\"x\":1}"});
        }),
        ("ChatError errorDatabase", "chatCmdError", |v| {
            v["resp"]["chatError"] = json!({"type": "errorDatabase", "databaseError":
                {"type": "errorOpen", "sqliteError": {"type": "errorNotADatabase", "dbFile": "x.db"}}});
        }),
        ("ChatErrorType contactNotFound", "chatCmdError", |v| {
            v["resp"]["chatError"]["errorType"] =
                json!({"type": "contactNotFound", "contactName": "bob", "suspectedMember": null});
        }),
        ("AgentCryptoError RATCHET_EARLIER", "chatCmdError", |v| {
            v["resp"]["chatError"] = json!({"type": "errorAgent", "agentConnId": "YWJj",
                "agentError": {"type": "AGENT", "agentErr": {"type": "A_CRYPTO",
                    "cryptoErr": {"type": "RATCHET_EARLIER", "data": 3}}}});
        }),
        (
            "GroupMemberRole unknown, as the raw string",
            "receivedGroupInvitation",
            |v| {
                v["resp"]["groupInfo"]["membership"]["memberRole"] = json!("superadmin");
            },
        ),
        ("CIQuote chatDir null", "newChatItems", |v| {
            v["resp"]["chatItems"][0]["chatItem"]["quotedItem"] = json!({"chatDir": null,
                "sentAt": "2025-01-01T00:00:00Z", "content": {"type": "text", "text": "hi"}});
        }),
        ("ConnectionMode upper-cased", "contactsList", |v| {
            v["resp"]["contacts"][0]["preparedContact"] = json!({"uiConnLinkType": "INV",
                "connLinkToConnect": {"connFullLink": "simplex:/invitation#x"}});
        }),
        (
            "ConnStatus as an older core's string",
            "contactsList",
            |v| {
                v["resp"]["contacts"][0]["activeConn"]["connStatus"] = json!("snd-ready");
            },
        ),
        ("ConnStatus as the newest union", "contactsList", |v| {
            v["resp"]["contacts"][0]["activeConn"]["connStatus"] = json!({"type": "sndReady"});
        }),
    ];
    for (what, prefix, mutation) in cases {
        let text = mutated(&capture(prefix), mutation);
        let msg = round_trip(what, &text);
        match &msg {
            Message::Response(r) => {
                assert_eq!(
                    r.resp.tag(),
                    Some(prefix),
                    "{what}: the documented response"
                )
            }
            Message::Event(e) => {
                assert_eq!(e.resp.tag(), Some(prefix), "{what}: the documented event")
            }
            other => panic!("{what}: not decoded typed: {other:?}"),
        }
        assert!(
            !format!("{msg:?}").contains("Undecoded"),
            "{what}: decoded typed"
        );
        // The deviation reached a documented field: it is not an unknown field kept aside.
        let original = parse_message(&capture(prefix)).expect("the capture decodes");
        assert_eq!(
            kept_fields(&msg),
            kept_fields(&original),
            "{what}: the mutation landed outside the documented fields"
        );
    }
    // The v6.3 pairs of `groupsList` are tested on their own above.

    // A value in another case is the documented value (and is written back as it came, above).
    let (_, _, upper_cased) = cases
        .iter()
        .find(|(what, _, _)| what.starts_with("ConnectionMode"))
        .expect("the ConnectionMode case");
    let text = mutated(&capture("contactsList"), upper_cased);
    let Ok(Message::Response(r)) = parse_message(&text) else {
        panic!("a response")
    };
    let ChatResponse::ContactsList(list) = &r.resp else {
        panic!("contactsList")
    };
    let prepared = list.contacts[0]
        .prepared_contact
        .as_ref()
        .expect("the prepared contact");
    assert_eq!(prepared.ui_conn_link_type, ConnectionMode::Inv);
}
