//! The test core (`simplex_api_client::testing`) against the client and the bot runner: what a
//! bot author's test does with it, what it answers, and that everything it sends decodes as
//! the documented types.

use std::time::Duration;

use serde_json::Value;
use simplex_api_client::bot::Bot;
use simplex_api_client::testing::TestCore;
use simplex_api_client::{connect, Client, ClientError, Events, Incoming};
use simplex_api_types::commands::*;
use simplex_api_types::types::{
    chat_delete_mode, msg_reaction, AddressSettings, AutoAccept, ChatDeleteMode, ChatError,
    ChatErrorType, ChatRef, CiDeleteMode, CiFileStatus, ComposedMessage, CryptoFile,
    GroupMemberRole, MsgContent, MsgReaction, NewUser, Preferences, Profile, StoreError,
    UpdatedMessage,
};
use simplex_api_types::{parse_message, ChatEvent, ChatResponse, Message};

/// The echo bot of the module docs, started against `core`: returns once its set-up is done.
async fn echo_bot(core: &TestCore) -> Bot {
    Bot::start(core.url()).await.expect("the bot starts")
}

fn run_echo(bot: Bot) {
    tokio::spawn(
        bot.on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await })
            .run(),
    );
}

#[tokio::test]
async fn a_bot_test_in_ten_lines() {
    let core = TestCore::start().await;
    let bot = Bot::start(core.url()).await.unwrap();
    tokio::spawn(
        bot.on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await })
            .run(),
    );

    let alice = core.contact("alice");
    alice.sends_text("hello").await;
    assert_eq!(alice.next_message().await, "hello");
}

#[tokio::test]
async fn bot_start_creates_the_address_and_turns_auto_accept_on() {
    let core = TestCore::start().await;
    assert_eq!(core.address(), None, "no address until the bot creates one");
    let bot = echo_bot(&core).await;

    core.next_command::<ShowActiveUser>().await;
    let show = core.next_command::<ApiShowMyAddress>().await;
    assert_eq!(show.user_id, 1);
    core.next_command::<ApiCreateMyAddress>().await;
    let settings = core.next_command::<ApiSetAddressSettings>().await;
    assert!(settings.settings.auto_accept.is_some());

    let address = core.address().expect("the address");
    let link = address
        .conn_link_contact
        .conn_short_link
        .clone()
        .expect("a short link");
    assert_eq!(bot.address(), Some(link.as_str()));
    assert_eq!(
        core.address_settings().and_then(|s| s.auto_accept),
        Some(AutoAccept::new(false))
    );
    assert_eq!(bot.user().local_display_name, "bot");
    let names: Vec<_> = core.commands().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "ShowActiveUser",
            "APIShowMyAddress",
            "APICreateMyAddress",
            "APIShowMyAddress",
            "APISetAddressSettings",
            "APIUpdateProfile"
        ]
    );

    // A second start finds the address, already accepting contacts: nothing more to set.
    let again = Bot::start(core.url()).await.expect("starts again");
    assert_eq!(again.address(), Some(link.as_str()));
    assert_eq!(core.commands().len(), 8);
    assert_eq!(core.commands()[7].response(), Some("userContactLink"));
}

/// A connected client, as a bot without the runner.
async fn client(core: &TestCore) -> (Client, Events) {
    connect(core.url()).await.expect("connects")
}

fn command_error_message(e: &ChatError) -> Option<&str> {
    match e {
        ChatError::Error(e) => match &e.error_type {
            ChatErrorType::CommandError(c) => Some(&c.message),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test]
async fn what_the_core_cannot_read_gets_the_cores_command_error() {
    let core = TestCore::start().await;
    let (client, _events) = client(&core).await;
    for cmd in [
        "/nonsense",
        "/_send @x json []",
        "/_show_address one",
        "/user extra",
        "",
    ] {
        let resp = client.send_raw(cmd).await.expect("an answer");
        match &resp.resp {
            ChatResponse::ChatCmdError(e) => {
                assert_eq!(
                    command_error_message(&e.chat_error),
                    Some("Failed reading: empty"),
                    "{cmd}"
                )
            }
            other => panic!("{cmd}: expected chatCmdError, got {other:?}"),
        }
    }
    let log = core.commands();
    assert_eq!(log.len(), 5);
    assert!(log.iter().all(|c| c.refusal().is_some()), "{log:?}");
    assert_eq!(log[0].name(), "");
    assert_eq!(
        log[2].name(),
        "APIShowMyAddress",
        "the command that read furthest"
    );
    // The refusals never count as the command they look like.
    assert!(core
        .try_next_command::<ApiShowMyAddress>(Duration::ZERO)
        .await
        .is_none());
}

#[tokio::test]
async fn a_frame_that_is_not_a_request_gets_invalid_request_without_a_corr_id() {
    let core = TestCore::start().await;
    let (_client, mut events) = client(&core).await;
    // The client only sends requests: a raw socket sends the rest.
    let (mut ws, _) = tokio_tungstenite::connect_async(core.url())
        .await
        .expect("connects");
    use futures_util::{SinkExt, StreamExt};
    for frame in [
        "not json",
        r#"{"cmd":"/user"}"#,
        r#"{"corrId":5,"cmd":"/user"}"#,
    ] {
        ws.send(tokio_tungstenite::tungstenite::Message::text(frame))
            .await
            .expect("send");
        let reply = ws.next().await.expect("a reply").expect("a frame");
        let v: Value = serde_json::from_str(reply.to_text().expect("text")).expect("JSON");
        assert_eq!(v.get("corrId"), None, "{frame}");
        assert_eq!(
            v["resp"]["chatError"]["errorType"],
            serde_json::json!({"type": "commandError", "message": "invalid request"})
        );
    }
    drop(ws);
    drop(events.next_event());
}

#[tokio::test]
async fn without_a_user_commands_get_no_active_user_until_the_bot_creates_one() {
    let core = TestCore::builder().no_user().start().await;
    let (client, _events) = client(&core).await;
    let resp = client.send_raw("/user").await.expect("an answer");
    // The real frame, exactly.
    let v: Value = serde_json::from_str(&resp.to_json()).expect("JSON");
    assert_eq!(
        v["resp"],
        serde_json::json!({"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"noActiveUser"}}})
    );
    let mut profile = Profile::default();
    profile.display_name = "helper".to_owned();
    let mut new_user = NewUser::new(false, false, false);
    new_user.profile = Some(Box::new(profile));
    let user = client
        .send(&CreateActiveUser::new(new_user))
        .await
        .expect("sent")
        .into_result()
        .expect("created");
    assert_eq!(user.user.local_display_name, "helper");
    assert_eq!(
        core.profile().map(|p| p.display_name),
        Some("helper".into())
    );
    let bot = Bot::start(core.url()).await.expect("starts now");
    assert_eq!(bot.user().user_id, 1);
}

#[tokio::test]
async fn a_user_id_that_is_not_the_active_users_is_refused_as_the_core_does() {
    let core = TestCore::start().await;
    let (client, _events) = client(&core).await;
    match client.send(&ApiShowMyAddress::new(7)).await.expect("sent") {
        ApiShowMyAddressResponse::ChatCmdError(e) => match &e.chat_error {
            ChatError::Error(e) => match &e.error_type {
                ChatErrorType::DifferentActiveUser(d) => {
                    assert_eq!((d.command_user_id, d.active_user_id), (7, 1))
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    match client.send(&ApiShowMyAddress::new(1)).await.expect("sent") {
        ApiShowMyAddressResponse::ChatCmdError(e) => assert!(matches!(
            &e.chat_error,
            ChatError::ErrorStore(s) if s.store_error == StoreError::UserContactLinkNotFound
        )),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_profile_and_its_address_are_recorded() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let client = bot.client();
    let mut profile = core.profile().expect("a profile");
    profile.full_name = "Echo Bot".to_owned();
    let mut prefs = Preferences::default();
    prefs.commands = Some(Vec::new());
    profile.preferences = Some(Box::new(prefs));
    let updated = client
        .send(&ApiUpdateProfile::new(1, profile.clone()))
        .await
        .expect("sent")
        .into_result()
        .expect("updated");
    assert!(matches!(
        updated,
        ApiUpdateProfileResponse::UserProfileUpdated(_)
    ));
    assert_eq!(core.profile(), Some(profile.clone()));
    // The same profile again: no change.
    let same = client
        .send(&ApiUpdateProfile::new(1, profile))
        .await
        .expect("sent");
    assert!(matches!(
        same,
        ApiUpdateProfileResponse::UserProfileNoChange(_)
    ));

    client
        .send(&ApiSetProfileAddress::new(1, true))
        .await
        .expect("sent")
        .into_result()
        .expect("set");
    assert_eq!(
        core.profile().and_then(|p| p.contact_link),
        bot.address().map(str::to_owned)
    );
    let mut settings = AddressSettings::new(true);
    settings.auto_reply = Some(MsgContent::from("Welcome!"));
    client
        .send(&ApiSetAddressSettings::new(1, settings.clone()))
        .await
        .expect("sent")
        .into_result()
        .expect("set");
    assert_eq!(core.address_settings(), Some(settings));
}

#[tokio::test]
async fn sent_items_get_increasing_ids_and_reach_the_contact() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let alice = core.contact("alice");
    let contact_id = alice.connects().await;
    let first = alice.sends_text("one").await;
    let send = ApiSendMessages::new(
        ChatRef::direct(contact_id),
        vec![
            ComposedMessage::text("a"),
            ComposedMessage::text("b").quoting(first),
        ],
    );
    let items = bot
        .client()
        .send(&send)
        .await
        .expect("sent")
        .into_result()
        .expect("items");
    let ids: Vec<i64> = items
        .chat_items
        .iter()
        .map(|i| i.chat_item.meta.item_id)
        .collect();
    assert!(
        ids[0] > first && ids[1] == ids[0] + 1,
        "{ids:?} after {first}"
    );
    assert_eq!(alice.received(), ["a", "b"]);
    let quoted = alice.received_messages()[1].quoted_item_id;
    assert_eq!(quoted, Some(first));
    let quote = items.chat_items[1]
        .chat_item
        .quoted_item
        .as_ref()
        .expect("a quote");
    assert_eq!(quote.content.text(), Some("one"));
    assert_eq!(core.next_command::<ApiSendMessages>().await, send);
}

#[tokio::test]
async fn a_contact_request_waits_for_the_bot_to_accept_it() {
    let core = TestCore::start().await;
    let (client, mut events) = client(&core).await;
    client
        .send(&ApiCreateMyAddress::new(1))
        .await
        .expect("sent")
        .into_result()
        .expect("created");
    let alice = core.contact("alice");
    let sending = tokio::spawn({
        let alice = alice.clone();
        async move { alice.sends_text("let me in").await }
    });
    let request = loop {
        match events.next_event().await {
            Some(Incoming::Event(e)) => {
                if let ChatEvent::ReceivedContactRequest(r) = e.resp {
                    break r.contact_request;
                }
            }
            other => panic!("expected the request, got {other:?}"),
        }
    };
    assert_eq!(request.local_display_name, "alice");
    let accepted = client
        .send(&ApiAcceptContact::new(request.contact_request_id))
        .await
        .expect("sent")
        .into_result()
        .expect("accepted");
    assert_eq!(accepted.contact.local_display_name, "alice");
    let tags = next_tags(&mut events, 3).await;
    assert_eq!(tags, ["contactConnected", "newChatItems", "newChatItems"]);
    let item_id = sending.await.expect("the message is sent once accepted");
    assert!(item_id > 0);
    // A second accept of the same request: not found.
    let again = client
        .send(&ApiAcceptContact::new(request.contact_request_id))
        .await
        .expect("sent");
    assert!(matches!(again, ApiAcceptContactResponse::ChatCmdError(_)));
}

/// The tags of the next `n` events.
async fn next_tags(events: &mut Events, n: usize) -> Vec<String> {
    let mut tags = Vec::new();
    while tags.len() < n {
        match events.next_event().await {
            Some(Incoming::Event(e)) => tags.push(e.resp.tag().unwrap_or_default().to_owned()),
            other => panic!("expected an event, got {other:?}"),
        }
    }
    tags
}

#[tokio::test]
async fn a_contact_that_deleted_the_bot_cannot_be_written_to() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let alice = core.contact("alice");
    let id = alice.connects().await;
    alice.deletes_contact().await;
    let resp = bot
        .client()
        .send(&ApiSendMessages::new(
            ChatRef::direct(id),
            vec![ComposedMessage::text("hi")],
        ))
        .await
        .expect("sent");
    match resp {
        ApiSendMessagesResponse::ChatCmdError(e) => assert!(matches!(
            &e.chat_error,
            ChatError::Error(e) if matches!(e.error_type, ChatErrorType::ContactNotActive(_))
        )),
        other => panic!("{other:?}"),
    }
    assert!(alice.received().is_empty());
    // Writing again connects anew, as a new contact.
    run_echo(bot);
    alice.sends_text("back").await;
    assert_eq!(alice.next_message().await, "back");
    assert_ne!(alice.id(), Some(id));
}

#[tokio::test]
async fn a_group_invitation_a_join_and_a_member_who_writes() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let client = bot.client().clone();
    let (raw, mut events) = self::client(&core).await;
    drop(raw);
    drop(events.next_event());
    let group = core.group("team");
    let group_id = group.invites_bot("alice").await;
    // The bot runner ignores invitations: join by hand.
    let joined = client
        .send(&ApiJoinGroup::new(group_id))
        .await
        .expect("sent")
        .into_result()
        .expect("joined");
    assert_eq!(joined.group_info.group_profile.display_name, "team");
    assert_eq!(group.bot_joined().await, group_id);
    run_echo(bot);
    group.member("bob").sends_text("hi all").await;
    assert_eq!(group.next_message().await, "hi all");
    let members = client
        .send(&ApiListMembers::new(group_id))
        .await
        .expect("sent")
        .into_result()
        .expect("members");
    let names: Vec<_> = members
        .group
        .members
        .iter()
        .map(|m| m.local_display_name.as_str())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    group.member("bob").leaves().await;
}

#[tokio::test]
async fn a_file_offered_is_received_where_the_bot_asks() {
    let core = TestCore::start().await;
    let (client, mut events) = client(&core).await;
    let alice = core.contact("alice");
    let file_id = alice.sends_file("notes.txt", b"file bytes".to_vec()).await;
    let tags = next_tags(&mut events, 4).await;
    assert_eq!(
        tags,
        [
            "contactConnected",
            "newChatItems",
            "newChatItems",
            "rcvFileDescrReady"
        ]
    );
    let dir = std::env::temp_dir().join(format!("simplex-test-core-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("got.txt");
    let mut receive = ReceiveFile::new(file_id);
    receive.file_path = Some(path.to_string_lossy().into_owned());
    let accepted = client
        .send(&receive)
        .await
        .expect("sent")
        .into_result()
        .expect("accepted");
    assert!(matches!(accepted, ReceiveFileResponse::RcvFileAccepted(_)));
    let mut complete = None;
    while complete.is_none() {
        if let Some(Incoming::Event(e)) = events.next_event().await {
            if let ChatEvent::RcvFileComplete(c) = e.resp {
                complete = Some(c);
            }
        }
    }
    let file = complete
        .and_then(|c| c.chat_item.chat_item.file)
        .expect("the file");
    assert_eq!(file.file_status, CiFileStatus::RcvComplete);
    assert_eq!(
        file.file_source.map(|s| s.file_path),
        Some(path.to_string_lossy().into_owned())
    );
    assert_eq!(std::fs::read(&path).expect("written"), b"file bytes");
    // Received already; then cancelling a complete transfer is an error.
    let again = client.send(&ReceiveFile::new(file_id)).await.expect("sent");
    assert!(matches!(again, ReceiveFileResponse::ChatCmdError(_)));
    let cancel = client.send(&CancelFile::new(file_id)).await.expect("sent");
    assert!(matches!(cancel, CancelFileResponse::ChatCmdError(_)));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[tokio::test]
async fn a_file_the_bot_sends_arrives_with_its_bytes() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let alice = core.contact("alice");
    let id = alice.connects().await;
    let path = std::env::temp_dir().join(format!("simplex-test-core-send-{}", std::process::id()));
    std::fs::write(&path, b"report").expect("write");
    let mut message = ComposedMessage::new(MsgContent::from(
        simplex_api_types::types::msg_content::File::new(String::new()),
    ));
    message.file_source = Some(CryptoFile::new(path.to_string_lossy().into_owned()));
    bot.client()
        .send(&ApiSendMessages::new(ChatRef::direct(id), vec![message]))
        .await
        .expect("sent")
        .into_result()
        .expect("items");
    let got = alice.next_received().await;
    let file = got.file.expect("a file");
    assert_eq!(file.bytes.as_deref(), Some(&b"report"[..]));
    std::fs::remove_file(&path).expect("clean up");
}

#[tokio::test]
async fn an_override_answers_instead_of_the_model_and_silence_answers_nothing() {
    let core = TestCore::start().await;
    core.on::<ApiShowMyAddress>(|cmd, world| {
        assert_eq!(cmd.user_id, 1);
        let error = world.store_error(StoreError::DuplicateContactLink);
        ApiShowMyAddressResponse::ChatCmdError(Box::new(error))
    });
    let (client, _events) = client(&core).await;
    let resp = client.send(&ApiShowMyAddress::new(1)).await.expect("sent");
    assert!(matches!(resp, ApiShowMyAddressResponse::ChatCmdError(_)));

    core.silence::<ShowActiveUser>();
    let timed_out = client
        .send_with_timeout(&ShowActiveUser::new(), Duration::from_millis(50))
        .await;
    assert!(matches!(timed_out, Err(ClientError::Timeout(_))));
    assert_eq!(core.commands()[1].response(), None);
    core.clear_override::<ShowActiveUser>();
    assert!(client.send(&ShowActiveUser::new()).await.is_ok());
}

#[tokio::test]
async fn a_restart_ends_the_run_and_the_bot_can_connect_again() {
    let core = TestCore::start().await;
    let bot = echo_bot(&core).await;
    let run = tokio::spawn(
        bot.on_message(|msg| async move { msg.reply("first run").await })
            .run(),
    );
    let alice = core.contact("alice");
    alice.sends_text("hi").await;
    assert_eq!(alice.next_message().await, "first run");
    core.restart().await;
    run.await.expect("join").expect("the run ends cleanly");
    assert_eq!(core.connections(), 0);

    // Events wait for the next connection; the world is kept.
    alice.sends_text("while you were away").await;
    let bot = echo_bot(&core).await;
    core.wait_for_connections(2).await;
    run_echo(bot);
    assert_eq!(alice.next_message().await, "while you were away");
    assert_eq!(core.address().map(|a| a.user_contact_link_id), Some(1));

    core.drop_connections().await;
    assert_eq!(core.connections(), 0);
}

#[tokio::test]
async fn next_command_fails_with_what_the_bot_sent_instead() {
    let core = TestCore::builder()
        .timeout(Duration::from_millis(50))
        .start()
        .await;
    let (client, _events) = client(&core).await;
    client.send_raw("/nonsense").await.expect("answered");
    client.send(&ShowActiveUser::new()).await.expect("answered");
    let waited = tokio::spawn(async move {
        core.next_command::<ApiSendMessages>().await;
    })
    .await
    .expect_err("it fails");
    let message = match waited.into_panic().downcast::<String>() {
        Ok(m) => *m,
        Err(_) => panic!("a message"),
    };
    assert!(
        message.starts_with("no APISendMessages command arrived within 50ms"),
        "{message}"
    );
    assert!(message.contains("/nonsense  (refused: no documented command begins this way)"));
    assert!(message.contains("/user  (ShowActiveUser, answered activeUser)"));
}

/// Every frame the test core sent decodes as a documented message: a documented response or
/// event (not `Undocumented`, not `Undecoded`), with no `null` anywhere (what a record's field
/// left at its default union or enum would write), and re-encodes to the same JSON.
fn assert_all_documented(core: &TestCore) -> Vec<String> {
    let mut tags = Vec::new();
    for frame in core.frames() {
        let v: Value = serde_json::from_str(&frame).expect("JSON");
        assert!(!has_null(&v), "a null in {frame}");
        let tag = match parse_message(&frame).expect("decodes") {
            Message::Response(r) => {
                assert!(!matches!(r.resp, ChatResponse::Undocumented(_)), "{frame}");
                assert_eq!(
                    serde_json::from_str::<Value>(&r.to_json()).expect("JSON"),
                    v
                );
                r.resp.tag().unwrap_or_default().to_owned()
            }
            Message::Event(e) => {
                assert!(!matches!(e.resp, ChatEvent::Undocumented(_)), "{frame}");
                assert_eq!(
                    serde_json::from_str::<Value>(&e.to_json()).expect("JSON"),
                    v
                );
                e.resp.tag().unwrap_or_default().to_owned()
            }
            other => panic!("not documented: {other:?}"),
        };
        tags.push(tag);
    }
    tags.sort();
    tags.dedup();
    tags
}

/// The id of the contact request a `receivedContactRequest` frame carries.
fn request_id_of(frame: &str) -> Option<i64> {
    let v: Value = serde_json::from_str(frame).ok()?;
    if v["resp"]["type"] != "receivedContactRequest" {
        return None;
    }
    v["resp"]["contactRequest"]["contactRequestId"].as_i64()
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(has_null),
        Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

/// Sends `cmd` and checks that the answer is one its command is documented to get.
macro_rules! documented {
    ($client:expr, $cmd:expr, $resp:ident) => {{
        let resp = $client.send(&$cmd).await.expect("answered");
        assert!(!matches!(resp, $resp::Undocumented(_)), "{resp:?}");
        resp
    }};
}

#[tokio::test]
async fn every_answer_and_event_is_documented_and_decodes() {
    let core = TestCore::builder().no_user().chat_stopped().start().await;
    let (c, mut events) = client(&core).await;
    let drain = tokio::spawn(async move { while events.next_event().await.is_some() {} });

    documented!(c, ShowActiveUser::new(), ShowActiveUserResponse);
    let mut profile = Profile::default();
    profile.display_name = "bot".to_owned();
    let mut new_user = NewUser::new(false, false, false);
    new_user.profile = Some(Box::new(profile.clone()));
    documented!(
        c,
        CreateActiveUser::new(new_user.clone()),
        CreateActiveUserResponse
    );
    documented!(c, CreateActiveUser::new(new_user), CreateActiveUserResponse);
    documented!(c, ListUsers::new(), ListUsersResponse);
    documented!(c, ApiSetActiveUser::new(1), ApiSetActiveUserResponse);
    documented!(c, StartChat::new(true), StartChatResponse);
    documented!(c, StartChat::new(true), StartChatResponse);
    documented!(c, ApiShowMyAddress::new(1), ApiShowMyAddressResponse);
    documented!(c, ApiCreateMyAddress::new(1), ApiCreateMyAddressResponse);
    documented!(c, ApiCreateMyAddress::new(1), ApiCreateMyAddressResponse);
    let mut settings = AddressSettings::new(false);
    settings.auto_accept = Some(AutoAccept::new(false));
    documented!(
        c,
        ApiSetAddressSettings::new(1, settings),
        ApiSetAddressSettingsResponse
    );
    documented!(
        c,
        ApiSetProfileAddress::new(1, true),
        ApiSetProfileAddressResponse
    );
    documented!(c, ApiShowMyAddress::new(1), ApiShowMyAddressResponse);
    profile.full_name = "The Bot".to_owned();
    documented!(
        c,
        ApiUpdateProfile::new(1, profile.clone()),
        ApiUpdateProfileResponse
    );
    documented!(
        c,
        ApiUpdateProfile::new(1, profile),
        ApiUpdateProfileResponse
    );
    documented!(
        c,
        ApiSetUserAutoAcceptMemberContacts::new(1, true),
        ApiSetUserAutoAcceptMemberContactsResponse
    );
    documented!(
        c,
        ApiSetUserAutoAcceptGroupInvitations::new(1, false),
        ApiSetUserAutoAcceptGroupInvitationsResponse
    );

    // A contact, its messages, files both ways.
    let alice = core.contact("alice");
    let alice_id = alice.connects().await;
    let hello = alice.sends_text("hello").await;
    let file_id = alice.sends_file("a.txt", b"A".to_vec()).await;
    let chat = ChatRef::direct(alice_id);
    let sent = documented!(
        c,
        ApiSendMessages::new(
            chat.clone(),
            vec![ComposedMessage::text("hi").quoting(hello)]
        ),
        ApiSendMessagesResponse
    );
    let ApiSendMessagesResponse::NewChatItems(sent) = sent else {
        panic!("{sent:?}")
    };
    let sent_id = sent.chat_items[0].chat_item.meta.item_id;
    let path = std::env::temp_dir().join(format!("simplex-test-core-doc-{}", std::process::id()));
    std::fs::write(&path, b"B").expect("write");
    let mut with_file = ComposedMessage::new(MsgContent::from(
        simplex_api_types::types::msg_content::File::new(String::new()),
    ));
    with_file.file_source = Some(CryptoFile::new(path.to_string_lossy().into_owned()));
    let with_file = documented!(
        c,
        ApiSendMessages::new(chat.clone(), vec![with_file]),
        ApiSendMessagesResponse
    );
    let ApiSendMessagesResponse::NewChatItems(with_file) = with_file else {
        panic!("{with_file:?}")
    };
    let sent_file_id = with_file.chat_items[0]
        .chat_item
        .file
        .as_ref()
        .expect("a file")
        .file_id;
    documented!(c, CancelFile::new(sent_file_id), CancelFileResponse);
    std::fs::remove_file(&path).expect("clean up");
    documented!(
        c,
        ApiSendMessages::new(ChatRef::direct(99), vec![ComposedMessage::text("x")]),
        ApiSendMessagesResponse
    );
    let update = |text: &str| {
        ApiUpdateChatItem::new(
            chat.clone(),
            sent_id,
            UpdatedMessage::new(MsgContent::from(text)),
        )
    };
    documented!(c, update("hi!"), ApiUpdateChatItemResponse);
    documented!(c, update("hi!"), ApiUpdateChatItemResponse);
    documented!(
        c,
        ApiUpdateChatItem::new(
            chat.clone(),
            hello,
            UpdatedMessage::new(MsgContent::from("no"))
        ),
        ApiUpdateChatItemResponse
    );
    let like = MsgReaction::from(msg_reaction::Emoji::new("👍".to_owned()));
    documented!(
        c,
        ApiChatItemReaction::new(chat.clone(), hello, true, like.clone()),
        ApiChatItemReactionResponse
    );
    documented!(
        c,
        ApiChatItemReaction::new(chat.clone(), hello, false, like),
        ApiChatItemReactionResponse
    );
    documented!(
        c,
        ApiDeleteChatItem::new(chat.clone(), vec![sent_id], CiDeleteMode::Broadcast),
        ApiDeleteChatItemResponse
    );
    documented!(
        c,
        ApiDeleteChatItem::new(chat.clone(), vec![hello], CiDeleteMode::Broadcast),
        ApiDeleteChatItemResponse
    );
    documented!(
        c,
        ApiDeleteChatItem::new(chat.clone(), vec![hello], CiDeleteMode::Internal),
        ApiDeleteChatItemResponse
    );
    documented!(c, ReceiveFile::new(file_id), ReceiveFileResponse);
    documented!(c, ReceiveFile::new(404), ReceiveFileResponse);
    let second_file = alice.sends_file("b.txt", b"B".to_vec()).await;
    documented!(c, CancelFile::new(second_file), CancelFileResponse);
    documented!(c, ApiListContacts::new(1), ApiListContactsResponse);
    documented!(
        c,
        ApiSetContactPrefs::new(alice_id, Preferences::default()),
        ApiSetContactPrefsResponse
    );
    documented!(
        c,
        ApiSetContactCustomData::new(alice_id),
        ApiSetContactCustomDataResponse
    );

    // Groups: an invitation, members, moderation.
    let team = core.group("team");
    let team_id = team.invites_bot_as("alice", GroupMemberRole::Admin).await;
    documented!(c, ApiJoinGroup::new(team_id), ApiJoinGroupResponse);
    documented!(c, ApiJoinGroup::new(team_id), ApiJoinGroupResponse);
    let bob = team.member("bob").joins().await;
    let spam = team.member("bob").sends_text("spam").await;
    team.member("carol")
        .sends_file("c.txt", b"C".to_vec())
        .await;
    documented!(
        c,
        ApiSendMessages::new(
            ChatRef::group(team_id),
            vec![ComposedMessage::text("hi team")]
        ),
        ApiSendMessagesResponse
    );
    documented!(
        c,
        ApiDeleteMemberChatItem::new(team_id, vec![spam]),
        ApiDeleteMemberChatItemResponse
    );
    documented!(c, ApiListMembers::new(team_id), ApiListMembersResponse);
    documented!(c, ApiListGroups::new(1), ApiListGroupsResponse);
    documented!(
        c,
        ApiMembersRole::new(team_id, vec![bob], GroupMemberRole::Observer),
        ApiMembersRoleResponse
    );
    documented!(
        c,
        ApiBlockMembersForAll::new(team_id, vec![bob], true),
        ApiBlockMembersForAllResponse
    );
    documented!(
        c,
        ApiRemoveMembers::new(team_id, vec![bob]),
        ApiRemoveMembersResponse
    );
    documented!(
        c,
        ApiRemoveMembers::new(team_id, vec![bob + 100]),
        ApiRemoveMembersResponse
    );
    documented!(
        c,
        ApiSetGroupCustomData::new(team_id),
        ApiSetGroupCustomDataResponse
    );
    team.member("dave").leaves().await;
    let bobby = core.contact("bobby");
    let bobby_id = bobby.connects().await;
    let mut profile = simplex_api_types::types::GroupProfile::default();
    profile.display_name = "own".to_owned();
    let own = documented!(c, ApiNewGroup::new(1, profile.clone()), ApiNewGroupResponse);
    let ApiNewGroupResponse::GroupCreated(own) = own else {
        panic!("{own:?}")
    };
    let own_id = own.group_info.group_id;
    profile.full_name = "Our own group".to_owned();
    documented!(
        c,
        ApiUpdateGroupProfile::new(own_id, profile),
        ApiUpdateGroupProfileResponse
    );
    let added = documented!(
        c,
        ApiAddMember::new(own_id, bobby_id, GroupMemberRole::Member),
        ApiAddMemberResponse
    );
    let ApiAddMemberResponse::SentGroupInvitation(added) = added else {
        panic!("{added:?}")
    };
    documented!(
        c,
        ApiAcceptMember::new(
            own_id,
            added.member.group_member_id,
            GroupMemberRole::Member
        ),
        ApiAcceptMemberResponse
    );
    documented!(c, ApiLeaveGroup::new(team_id), ApiLeaveGroupResponse);
    documented!(
        c,
        ApiDeleteChat::new(
            ChatRef::group(own_id),
            ChatDeleteMode::from(chat_delete_mode::Full::new(true))
        ),
        ApiDeleteChatResponse
    );

    // Contact requests, deletions.
    let mut manual = AddressSettings::new(false);
    manual.auto_accept = None;
    documented!(
        c,
        ApiSetAddressSettings::new(1, manual),
        ApiSetAddressSettingsResponse
    );
    let carol = core.contact("carl");
    let waiting = tokio::spawn(async move { carol.connects().await });
    let request_id = loop {
        if let Some(id) = core.frames().iter().find_map(|f| request_id_of(f)) {
            break id;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    documented!(
        c,
        ApiAcceptContact::new(request_id),
        ApiAcceptContactResponse
    );
    waiting.await.expect("connected");
    let dan = core.contact("dan");
    let rejected = tokio::spawn(async move { dan.connects().await });
    while core
        .frames()
        .iter()
        .filter_map(|f| request_id_of(f))
        .count()
        < 2
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    documented!(
        c,
        ApiRejectContact::new(request_id + 1),
        ApiRejectContactResponse
    );
    assert!(rejected.await.is_err(), "a rejected contact cannot connect");
    documented!(
        c,
        ApiAcceptContact::new(request_id + 1),
        ApiAcceptContactResponse
    );
    core.contact("bobby").deletes_contact().await;
    documented!(
        c,
        ApiDeleteChat::new(chat.clone(), ChatDeleteMode::Messages),
        ApiDeleteChatResponse
    );
    documented!(
        c,
        ApiDeleteChat::new(
            chat,
            ChatDeleteMode::from(chat_delete_mode::Entity::new(false))
        ),
        ApiDeleteChatResponse
    );
    documented!(c, ApiDeleteMyAddress::new(1), ApiDeleteMyAddressResponse);
    documented!(c, ApiStopChat::new(), ApiStopChatResponse);
    documented!(
        c,
        ApiSendMessages::new(ChatRef::direct(bobby_id), vec![ComposedMessage::text("x")]),
        ApiSendMessagesResponse
    );
    documented!(c, ApiGetGroupLink::new(team_id), ApiGetGroupLinkResponse);

    drop(c);
    drain.await.expect("the events end");
    let tags = assert_all_documented(&core);
    let expected = [
        "acceptingContactRequest",
        "activeUser",
        "chatCmdError",
        "chatItemNotChanged",
        "chatItemReaction",
        "chatItemUpdated",
        "chatItemsDeleted",
        "chatRunning",
        "chatStarted",
        "chatStopped",
        "cmdOk",
        "contactConnected",
        "contactDeleted",
        "contactDeletedByContact",
        "contactPrefsUpdated",
        "contactRequestRejected",
        "contactsList",
        "groupCreated",
        "groupDeletedUser",
        "groupMembers",
        "groupUpdated",
        "groupsList",
        "joinedGroupMember",
        "leftMember",
        "leftMemberUser",
        "memberAccepted",
        "membersBlockedForAllUser",
        "membersRoleUser",
        "newChatItems",
        "rcvFileAccepted",
        "rcvFileCancelled",
        "rcvFileComplete",
        "rcvFileDescrReady",
        "rcvFileStart",
        "receivedContactRequest",
        "receivedGroupInvitation",
        "sentGroupInvitation",
        "sndFileCancelled",
        "sndFileCompleteXFTP",
        "userAcceptedGroupSent",
        "userContactLink",
        "userContactLinkCreated",
        "userContactLinkDeleted",
        "userContactLinkUpdated",
        "userDeletedMembers",
        "userJoinedGroup",
        "userProfileNoChange",
        "userProfileUpdated",
        "usersList",
    ];
    assert_eq!(tags, expected);
}

#[tokio::test]
async fn every_cut_of_real_commands_gets_an_answer() {
    let core = TestCore::start().await;
    let (c, _events) = client(&core).await;
    let alice = core.contact("alice").connects().await;
    let item = core.contact("alice").sends_text("hi").await;
    let file = core
        .contact("alice")
        .sends_file("f.txt", b"f".to_vec())
        .await;
    let group = core.group("team").with_bot_as_member();
    let commands = [
        format!(
            r#"/_send @{alice} live=on ttl=5 json [{{"msgContent":{{"type":"text","text":"ü hi"}},"mentions":{{}}}}]"#
        ),
        format!(
            r#"/_update item @{alice} {item} json {{"msgContent":{{"type":"text","text":"x"}},"mentions":{{}}}}"#
        ),
        format!("/_delete item #{group} {item},{item} broadcast"),
        format!(r#"/_reaction @{alice} {item} on {{"type":"emoji","emoji":"👍"}}"#),
        format!("/freceive {file} encrypt=off inline=on /tmp/nowhere/at/all"),
        format!("/_delete @{alice} full notify=off"),
        r#"/_address_settings 1 {"businessAddress":false,"autoAccept":{"acceptIncognito":false}}"#
            .to_owned(),
        r#"/_profile 1 {"displayName":"b","fullName":""}"#.to_owned(),
        r#"/_create user {"profile":{"displayName":"x","fullName":""},"pastTimestamp":false}"#
            .to_owned(),
        format!("/_members #{group}"),
        format!("/_remove #{group} 1,2 messages=on"),
    ];
    let mut answered = 0;
    for cmd in &commands {
        for (cut, _) in cmd.char_indices().chain([(cmd.len(), ' ')]) {
            let resp = c
                .send_raw(&cmd[..cut])
                .await
                .expect("an answer to every text");
            assert!(resp.resp.tag().is_some(), "{}", &cmd[..cut]);
            answered += 1;
        }
    }
    assert_eq!(core.commands().len(), answered);
    // The test core still answers.
    assert!(c.send(&ShowActiveUser::new()).await.is_ok());
}
