//! Hostile and unusual input, as a core relaying what strangers send can produce it: deep
//! nesting on small stacks, objects that would expand into huge default records, unions with
//! the tag last, and every form a value can arrive in, which must come back out unchanged.
//! Sizes are bounded so that each test stops quickly; nothing here is timed.

use serde_json::Value;
use simplex_api_types::commands::ApiSendMessages;
use simplex_api_types::types::{ChatBotCommand, ChatRef, ChatType, ChatWallpaper, User};
use simplex_api_types::{parse_event, parse_message, parse_response, Message};

/// Runs `f` on a thread with a 256 KiB stack (a tokio worker has 2 MiB): a stack overflow
/// aborts the whole test binary, which fails the run.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no panic")
}

/// `open` repeated `depth` times, then `leaf`, then `close` repeated.
fn nest(open: &str, leaf: &str, close: &str, depth: usize) -> String {
    format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
}

/// The error a message that does not decode gives: `parse_message` keeps such a message whole
/// (valid JSON) with the error, or fails (not JSON).
fn refused(text: &str, why: &str) -> simplex_api_types::DecodeError {
    match parse_message(text) {
        Ok(Message::Undecoded(u)) => u.error,
        Err(e) => e,
        Ok(other) => panic!("{why}: decoded as {other:?}"),
    }
}

/// Decoding then encoding gives the same JSON value as the input.
fn assert_round_trip(text: &str) -> Message {
    let msg = parse_message(text).unwrap_or_else(|e| panic!("decodes: {e}\n{text:.300}"));
    let back = serde_json::to_value(&msg).expect("encodes");
    let original: Value = serde_json::from_str(text).expect("valid JSON");
    assert_eq!(back, original, "round trip of {text:.300}");
    msg
}

fn menu_chain(depth: usize, tag_last: bool, leaf: &str) -> String {
    let mut v = format!(r#"{{"type":"command","keyword":"k","label":"{leaf}"}}"#);
    for i in 0..depth {
        v = if tag_last {
            format!(r#"{{"label":"m{i}","commands":[{v}],"type":"menu"}}"#)
        } else {
            format!(r#"{{"type":"menu","label":"m{i}","commands":[{v}]}}"#)
        };
    }
    v
}

fn contacts_with_commands(commands: &str) -> String {
    format!(
        r#"{{"corrId":"1","resp":{{"type":"contactsList","user":{{"userId":1}},"contacts":[{{"contactId":2,"profile":{{"displayName":"x","preferences":{{"commands":[{commands}]}}}}}}]}}}}"#
    )
}

#[test]
fn deep_nesting_decodes_or_fails_cleanly_on_a_256_kib_stack() {
    let probes: Vec<String> = vec![
        // An unknown message content nested as deep as serde_json allows, and deeper.
        format!(
            r#"{{"resp":{{"type":"newChatItems","user":{{}},"chatItems":[{{"chatInfo":{{"type":"local","noteFolder":{{}}}},"chatItem":{{"content":{{"type":"rcvMsgContent","msgContent":{}}}}}}}]}}}}"#,
            nest(r#"{"type":"x","a":"#, "1", "}", 120)
        ),
        format!(
            r#"{{"resp":{{"type":"newChatItems","user":{{}},"chatItems":[{{"chatInfo":{{"type":"local","noteFolder":{{}}}},"chatItem":{{"content":{{"type":"rcvMsgContent","msgContent":{}}}}}}}]}}}}"#,
            nest(r#"{"type":"x","a":"#, "1", "}", 1000)
        ),
        // Arrays and objects in kept unknown fields.
        format!(
            r#"{{"resp":{{"type":"cmdOk","x":{}}}}}"#,
            nest("[", "1", "]", 125)
        ),
        format!(
            r#"{{"resp":{{"type":"cmdOk","x":{}}}}}"#,
            nest("[", "1", "]", 5000)
        ),
        format!(
            r#"{{"resp":{{"x":{},"type":"cmdOk"}}}}"#,
            nest(r#"{"a":"#, "1", "}", 120)
        ),
        // Tag last around nesting deeper than any limit: read raw, then refused.
        format!(
            r#"{{"resp":{{"x":{},"type":"cmdOk"}}}}"#,
            nest("[", "1", "]", 100_000)
        ),
        format!(
            r#"{{"resp":{{"x":{},"y":1}}}}"#,
            nest("[", "1", "]", 100_000)
        ),
        // A recursive union (bot command menus), tag first and tag last.
        contacts_with_commands(&menu_chain(44, false, "leaf")),
        contacts_with_commands(&menu_chain(44, true, "leaf")),
        contacts_with_commands(&menu_chain(200, true, "leaf")),
        // Undocumented events and garbage.
        nest(r#"{"resp":"#, "{}", "}", 200),
        "[".repeat(100_000),
    ];
    for text in probes {
        let len = text.len();
        let outcome = on_small_stack(move || match parse_message(&text) {
            Ok(m) => Ok(serde_json::to_string(&m).map(|s| s.len())),
            Err(e) => Err(e.to_string()),
        });
        // Either is fine; the point is that the thread did not overflow its stack.
        match outcome {
            Ok(encoded) => assert!(encoded.is_ok(), "re-encodes ({len} bytes)"),
            Err(e) => assert!(!e.is_empty(), "an error says what is wrong"),
        }
    }
}

#[test]
fn a_tag_last_chain_decodes_like_the_tag_first_chain() {
    let leaf = "x".repeat(100_000);
    let first = contacts_with_commands(&menu_chain(44, false, &leaf));
    let last = contacts_with_commands(&menu_chain(44, true, &leaf));
    let a = on_small_stack(move || parse_response(&first).expect("tag first decodes"));
    let b = on_small_stack(move || parse_response(&last).expect("tag last decodes"));
    assert_eq!(a, b);
    // The chain is typed all the way down, not kept as undocumented JSON.
    let text = contacts_with_commands(&menu_chain(3, true, "leaf"));
    let v: Value = serde_json::from_str(&text).expect("json");
    let commands = &v["resp"]["contacts"][0]["profile"]["preferences"]["commands"][0];
    let menu: ChatBotCommand = serde_json::from_value(commands.clone()).expect("decodes");
    let mut depth = 0;
    let mut at = &menu;
    while let ChatBotCommand::Menu(m) = at {
        depth += 1;
        at = &m.commands[0];
    }
    assert_eq!(depth, 3);
    assert!(matches!(at, ChatBotCommand::Command(_)));
}

#[test]
fn objects_that_would_expand_into_huge_default_records_are_refused() {
    // 100,000 `{}` groups: each would become a default GroupInfo.
    let groups = vec!["{}"; 100_000].join(",");
    let text = format!(
        r#"{{"corrId":"7","resp":{{"type":"groupsList","user":{{}},"groups":[{groups}]}}}}"#
    );
    let e = parse_response(&text).expect_err("refused");
    assert!(e.message.contains("expands"), "{e}");
    assert_eq!(e.corr_id.as_deref(), Some("7"));
    assert_eq!(e.tag.as_deref(), Some("groupsList"));
    // A few are fine (older cores do leave fields out).
    let groups = vec!["{}"; 100].join(",");
    let text = format!(
        r#"{{"corrId":"7","resp":{{"type":"groupsList","user":{{}},"groups":[{groups}]}}}}"#
    );
    assert_round_trip(&text);
}

#[test]
fn every_form_a_value_arrives_in_comes_back_out() {
    let user = |fields: &str| {
        format!(r#"{{"corrId":"1","resp":{{"type":"activeUser","user":{{"userId":1,{fields}}}}}}}"#)
    };
    for fields in [
        // An optional field given null.
        r#""viewPwdHash":null"#,
        r#""uiThemes":null,"userMemberProfileUpdatedAt":null"#,
        // Integers as strings, canonical and not.
        r#""agentUserId":"2","userContactId":"-0","activeOrder":"+12""#,
        r#""activeOrder":"012""#,
        // Explicit null in a required field is a type error, not a loss (see below).
        // Numbers in kept unknown fields, as they came.
        r#""zz":[1,"2",3.0,-4,1e2]"#,
    ] {
        assert_round_trip(&user(fields));
    }
    // A mixed array of quoted and unquoted integers.
    assert_round_trip(
        r#"{"corrId":"1","resp":{"type":"chatTags","user":{"userId":1},"userTags":[{"chatTagId":1,"chatTagText":"a"}]},"zz":{"chatTags":[1,"2"]}}"#,
    );
    let contact = r#"{"corrId":"1","resp":{"type":"contactsList","user":{"userId":1},"contacts":[{"contactId":2,"chatTags":[1,"2",3,"04"]}]}}"#;
    assert_round_trip(contact);
    // A double written as an integer stays an integer; one with a fraction stays a fraction.
    for json in [
        r#"{"scale":1}"#,
        r#"{"scale":1.0}"#,
        r#"{"scale":-2}"#,
        r#"{"scale":0.5}"#,
    ] {
        let w: ChatWallpaper = serde_json::from_str(json).expect("decodes");
        assert_eq!(serde_json::to_string(&w).expect("encodes"), json);
    }
}

#[test]
fn repeated_keys_keep_the_last_value_as_serde_json_does() {
    for text in [
        r#"{"corrId":"1","resp":{"type":"activeUser","user":{"userId":1,"userId":2}}}"#,
        r#"{"corrId":"1","resp":{"type":"activeUser","user":{"userId":1,"localDisplayName":"a","localDisplayName":"b"}}}"#,
        r#"{"corrId":"1","resp":{"type":"activeUser","user":{"profile":{"displayName":"a","fullName":"x"},"profile":{"displayName":"b"}}}}"#,
        r#"{"corrId":"1","resp":{"type":"activeUser","user":{"zz":1,"zz":[2]}}}"#,
    ] {
        let msg = parse_message(text).expect("decodes");
        let value: Value = serde_json::from_str(text).expect("json");
        assert_eq!(
            serde_json::to_value(&msg).expect("encodes"),
            value,
            "{text}"
        );
    }
    // Two different tags in one object: an error, not a guess.
    let e = refused(
        r#"{"resp":{"type":"cmdOk","type":"chatStarted"}}"#,
        "refused",
    );
    assert!(e.message.contains("two different"), "{e}");
}

#[test]
fn equality_sees_values_not_how_they_arrived() {
    let a = parse_response(
        r#"{"corrId":"1","resp":{"type":"activeUser","user":{"userId":"7","localDisplayName":"a","zz":{"b":1,"a":2}}}}"#,
    )
    .expect("decodes");
    let b = parse_response(
        r#"{"resp":{"user":{"zz":{"a":2,"b":1},"localDisplayName":"a","userId":7},"type":"activeUser"},"corrId":"1"}"#,
    )
    .expect("decodes");
    assert_eq!(a, b);
    let decoded: ChatRef =
        serde_json::from_str(r#"{"chatType":"direct","chatId":"7"}"#).expect("decodes");
    assert_eq!(decoded, ChatRef::new(ChatType::Direct, 7));
    // ...while each still encodes as it came.
    assert_eq!(
        serde_json::to_string(&decoded).expect("encodes"),
        r#"{"chatType":"direct","chatId":"7"}"#
    );
}

/// `==`, `Hash` and `Debug` are written once in the runtime over each struct's fields: they
/// must still see every field, agree with each other, and read like the derived impls.
#[test]
fn equality_hash_and_debug_see_every_field() {
    use std::hash::{BuildHasher, RandomState};
    let hasher = RandomState::new();
    let seven = ChatRef::new(ChatType::Direct, 7);
    let decoded: ChatRef =
        serde_json::from_str(r#"{"chatType":"direct","chatId":"7"}"#).expect("decodes");
    assert_eq!(hasher.hash_one(&decoded), hasher.hash_one(&seven));
    // Each field on its own makes two values differ, in `==` and (for these) in the hash.
    let others = [
        ChatRef::new(ChatType::Group, 7),
        ChatRef::new(ChatType::Direct, 8),
        ChatRef::new(ChatType::Direct, 7).with_chat_scope(Default::default()),
        {
            let mut extra = ChatRef::new(ChatType::Direct, 7);
            extra.extra_fields.insert("x".to_owned(), Value::Null);
            extra
        },
    ];
    for other in &others {
        assert_ne!(&seven, other);
        assert_ne!(hasher.hash_one(&seven), hasher.hash_one(other), "{other:?}");
    }
    let shown = format!("{seven:?}");
    assert!(
        shown.starts_with(
            "ChatRef { chat_type: Direct, chat_id: 7, chat_scope: None, extra_fields: {}"
        ),
        "{shown}"
    );
    let user: User =
        serde_json::from_str(r#"{"userId":1,"localDisplayName":"a"}"#).expect("decodes");
    let mut renamed = user.clone();
    renamed.local_display_name = "b".to_owned();
    assert_ne!(user, renamed);
    assert_eq!(user, user.clone());
}

#[test]
fn errors_name_the_path_the_place_the_request_and_the_tag() {
    let text =
        "{\"corrId\":\"5\",\n\"resp\":{\"user\":{\"userId\":\"x\"},\"type\":\"activeUser\"}}";
    let e = refused(text, "userId is not an integer");
    assert_eq!(e.path, "resp.user.userId");
    let line2 = text.lines().nth(1).expect("two lines");
    assert_eq!(
        (e.line, e.column),
        (2, line2.find("\"x\"").expect("x") + 1),
        "{e}"
    );
    assert_eq!(e.corr_id.as_deref(), Some("5"));
    assert_eq!(e.tag.as_deref(), Some("activeUser"));
    assert!(e.message.contains("64-bit integer"), "{e}");
    // In an array, deeper.
    let text = r#"{"resp":{"type":"newChatItems","user":{},"chatItems":[{},{"chatItem":{"meta":{"itemId":true}}}]}}"#;
    let e = parse_event(text).expect_err("itemId is not an integer");
    assert_eq!(e.path, "resp.chatItems[1].chatItem.meta.itemId");
    assert_eq!(
        (e.line, e.column),
        (1, text.find("true").expect("true") + 1)
    );
    // A key given twice whose first value fails (decoding stops there: that is the place), and
    // the `corrId` after the `resp`.
    let text =
        r#"{"resp":{"type":"activeUser","user":{"userId":"x"},"user":{"userId":1}},"corrId":"6"}"#;
    let e = refused(text, "the first userId is not an integer");
    assert_eq!(e.path, "resp.user.userId");
    assert_eq!(
        (e.line, e.column),
        (1, text.find("\"x\"").expect("x") + 1),
        "{e}"
    );
    assert_eq!(e.corr_id.as_deref(), Some("6"));
    assert_eq!(e.tag.as_deref(), Some("activeUser"));
    // A `corrId` that fails, before the `resp`: the tag is still named.
    let e = refused(
        r#"{"corrId":5,"resp":{"type":"activeUser","user":{}}}"#,
        "corrId is not a string",
    );
    assert_eq!(e.path, "corrId");
    assert_eq!(e.tag.as_deref(), Some("activeUser"));
    // Malformed JSON: where reading stopped.
    let e = refused("{\"resp\":\n{\"type\":", "truncated");
    assert_eq!(e.line, 2);
    assert!(e.column >= 1);
    assert_eq!(e.corr_id, None);
}

#[test]
fn a_union_sent_as_a_bare_string_decodes_to_its_member_and_encodes_as_it_came() {
    let text = r#"{"corrId":"1","resp":{"type":"contactsList","user":{"userId":1},"contacts":[{"contactId":2,"activeConn":{"connStatus":"snd-ready"}}]}}"#;
    let msg = assert_round_trip(text);
    let Message::Response(r) = msg else {
        panic!("a response")
    };
    let simplex_api_types::ChatResponse::ContactsList(list) = r.resp else {
        panic!("contactsList")
    };
    let conn = list.contacts[0].active_conn.as_ref().expect("activeConn");
    assert!(matches!(
        conn.conn_status,
        simplex_api_types::types::ConnStatus::SndReady
    ));
}

#[test]
fn user_sizes_stay_small() {
    // Decoders hold one struct per frame, and arrays hold them inline: keep them small.
    assert!(
        std::mem::size_of::<User>() <= 512,
        "{}",
        std::mem::size_of::<User>()
    );
    assert!(std::mem::size_of::<ApiSendMessages>() <= 256);
}
