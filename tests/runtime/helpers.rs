//! The bot helpers of `simplex-api-types` on real captures: the text of a message (and none for
//! system items), incoming or not, the chat to reply to (keeping a group's member-support
//! scope), the sender, replies, and `into_result` on per-command responses.

use serde_json::{json, Value};
use simplex_api_types::commands::{ApiSendMessagesResponse, ShowActiveUserResponse};
use simplex_api_types::types::{AChatItem, ChatRef, ComposedMessage};
use simplex_api_types::{parse_message, BotCommand, Command, Message, Sender};

fn fixture(name: &str) -> Value {
    serde_json::from_str(&crate::fixture_text(name)).expect("JSON")
}

/// The first chat item of the `newChatItems` capture (a message the bot sent to contact 4),
/// changed by `edit`.
fn item(edit: impl FnOnce(&mut Value)) -> AChatItem {
    let mut v = fixture("newChatItems-5.json")["resp"]["chatItems"][0].clone();
    edit(&mut v);
    serde_json::from_value(v).expect("an AChatItem")
}

#[test]
fn a_sent_message_has_text_but_is_not_incoming_and_has_no_sender() {
    let sent = item(|_| {});
    assert_eq!(sent.text(), Some("Test message from API"));
    assert!(!sent.is_incoming());
    assert_eq!(sent.sender(), None);
    assert_eq!(sent.chat_ref(), Some(ChatRef::direct(4)));
}

#[test]
fn a_received_message_names_its_sender_and_replies_go_to_its_chat() {
    let received = item(|v| {
        v["chatItem"]["chatDir"] = json!({"type": "directRcv"});
        v["chatItem"]["content"]["type"] = json!("rcvMsgContent");
        v["chatItem"]["content"]["msgContent"]["text"] = json!("/echo hello there");
    });
    assert!(received.is_incoming());
    assert_eq!(
        received.sender(),
        Some(Sender::Contact {
            contact_id: 4,
            display_name: "BOT2"
        })
    );
    assert_eq!(
        received.bot_command(),
        Some(BotCommand {
            keyword: "echo",
            params: "hello there"
        })
    );
    let reply = received.reply("hi!", true).expect("a direct chat");
    assert_eq!(
        reply.to_command_string().expect("renders"),
        r#"/_send @4 json [{"quotedItemId":66,"msgContent":{"type":"text","text":"hi!"},"mentions":{}}]"#
    );
}

#[test]
fn system_items_have_no_text() {
    let info = item(|v| {
        v["chatItem"]["chatDir"] = json!({"type": "directRcv"});
        v["chatItem"]["content"] =
            json!({"type": "rcvDirectE2EEInfo", "e2eeInfo": {"pqEnabled": true}});
        v["chatItem"]["meta"]["itemText"] =
            json!("This conversation is protected by end-to-end encryption");
    });
    assert!(info.is_incoming());
    assert_eq!(info.text(), None);
    assert_eq!(info.bot_command(), None);
}

#[test]
fn a_group_reply_keeps_the_member_support_scope() {
    let invitation = fixture("receivedGroupInvitation-1.json");
    let group_info = invitation["resp"]["groupInfo"].clone();
    let group_id = group_info["groupId"].as_i64().expect("groupId");
    let member = invitation["resp"]["groupInfo"]["membership"].clone();
    let received = item(|v| {
        v["chatInfo"] = json!({
            "type": "group",
            "groupInfo": group_info,
            "groupChatScope": {"type": "memberSupport", "groupMember_": {"groupMemberId": 9}},
        });
        v["chatItem"]["chatDir"] = json!({"type": "groupRcv", "groupMember": member});
        v["chatItem"]["content"]["type"] = json!("rcvMsgContent");
    });
    let chat = received.chat_ref().expect("a group");
    assert_eq!(chat.chat_id, group_id);
    let send = received.reply(ComposedMessage::text("ok").msg_content, false);
    let text = send.expect("a group").to_command_string().expect("renders");
    assert!(
        text.starts_with(&format!("/_send #{group_id}(_support:9) json ")),
        "{text}"
    );
    match received.sender() {
        Some(Sender::Member {
            group_member_id,
            display_name,
        }) => {
            assert_eq!(Some(group_member_id), member["groupMemberId"].as_i64());
            assert_eq!(
                Some(display_name),
                member["memberProfile"]["displayName"].as_str()
            );
        }
        other => panic!("a member: {other:?}"),
    }
}

#[test]
fn into_result_gives_the_success_or_an_error_that_says_what_the_core_said() {
    let ok = parse_message(&fixture("activeUser-2.json").to_string()).expect("decodes");
    let Message::Response(ok) = ok else {
        panic!("a response")
    };
    let user = ShowActiveUserResponse::from(&ok.resp)
        .into_result()
        .expect("the active user");
    assert_eq!(user.user.user_id, 1);

    let err = parse_message(&fixture("chatCmdError-6.json").to_string()).expect("decodes");
    let Message::Response(err) = err else {
        panic!("a response")
    };
    let e = ApiSendMessagesResponse::from(err.resp)
        .into_result()
        .expect_err("an error");
    assert!(e.to_string().contains("noActiveUser"), "{e}");
    let as_error: &dyn std::error::Error = &e;
    assert!(as_error
        .to_string()
        .starts_with("the core answered chatCmdError"));
}

/// The message constructors put the file in `fileSource` and the content in `msgContent` with
/// the fields TYPES.md lists for each kind (`MsgContent`: `file` text; `image` text and image;
/// `voice` text and duration; `video` text, image and duration; `link` text and preview).
#[test]
fn message_constructors_send_the_documented_content() {
    use simplex_api_types::commands::ApiSendMessages;
    use simplex_api_types::types::LinkPreview;

    let json_of = |m: ComposedMessage| -> Value {
        let cmd = ApiSendMessages::new(ChatRef::direct(1), vec![m]);
        let text = cmd.to_command_string().expect("renders");
        let json = text.strip_prefix("/_send @1 json ").expect("the syntax");
        serde_json::from_str::<Value>(json).expect("JSON")[0].clone()
    };
    let pic = "data:image/jpg;base64,/9j/";
    let cases = [
        (
            ComposedMessage::file("/tmp/a.pdf", "report"),
            json!({"fileSource": {"filePath": "/tmp/a.pdf"}, "msgContent": {"type": "file", "text": "report"}, "mentions": {}}),
        ),
        (
            ComposedMessage::image("/tmp/a.jpg", "", pic),
            json!({"fileSource": {"filePath": "/tmp/a.jpg"}, "msgContent": {"type": "image", "text": "", "image": pic}, "mentions": {}}),
        ),
        (
            ComposedMessage::voice("/tmp/a.m4a", "", 7),
            json!({"fileSource": {"filePath": "/tmp/a.m4a"}, "msgContent": {"type": "voice", "text": "", "duration": 7}, "mentions": {}}),
        ),
        (
            ComposedMessage::video("/tmp/a.mp4", "clip", pic, 30),
            json!({"fileSource": {"filePath": "/tmp/a.mp4"}, "msgContent": {"type": "video", "text": "clip", "image": pic, "duration": 30}, "mentions": {}}),
        ),
        (
            ComposedMessage::link(
                "see https://simplex.chat",
                LinkPreview::new(
                    "https://simplex.chat".into(),
                    "SimpleX".into(),
                    "Private".into(),
                    pic.into(),
                ),
            ),
            json!({"msgContent": {"type": "link", "text": "see https://simplex.chat", "preview": {"uri": "https://simplex.chat", "title": "SimpleX", "description": "Private", "image": pic}}, "mentions": {}}),
        ),
    ];
    for (message, want) in cases {
        assert_eq!(json_of(message), want);
    }
}
