//! The client against the test core (`simplex_api_client::testing`), and, where a test needs a
//! core that misbehaves in ways the test core does not (answers thousands of commands in a
//! scrambled order, holds responses back behind pushed events, checks the pongs), against a bare
//! loopback peer (`support`) that answers with real captured frames.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::{connected, fixture, response, tick, within, Core, Peer};
use futures_util::{FutureExt, StreamExt};
use serde_json::Value;
use simplex_api_client::testing::TestCore;
use simplex_api_client::{connect, connect_with, Client, ClientError, Config, Events, Incoming};
use simplex_api_types::commands::{ShowActiveUser, ShowActiveUserResponse};
use simplex_api_types::responses::ActiveUser;
use simplex_api_types::types::ChatErrorType;
use simplex_api_types::{ChatResponse, Command, CommandError, ResponseMessage};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message as Frame;

/// A client connected to a fresh test core.
async fn on_test_core(config: Config) -> (TestCore, Client, Events) {
    let core = TestCore::start().await;
    let (client, events) = connect_with(core.url(), config).await.expect("connect");
    (core, client, events)
}

/// The frame the core sent with `corr_id`, as JSON.
fn sent_frame(core: &TestCore, corr_id: &str) -> Value {
    core.frames()
        .iter()
        .map(|f| serde_json::from_str::<Value>(f).expect("JSON"))
        .find(|v| v["corrId"] == corr_id)
        .unwrap_or_else(|| panic!("no frame with corrId {corr_id}"))
}

/// The corrId of the last command the core got.
fn last_corr_id(core: &TestCore) -> String {
    let log = core.commands();
    let last = log.last().expect("a command");
    last.corr_id().expect("a corrId").to_owned()
}

/// `activeUser` with the core's user, answering `corr_id` (`None`: without a corrId).
fn active_user_frame(core: &TestCore, corr_id: Option<&str>) -> String {
    let mut r = ActiveUser::default();
    r.user = Box::new(core.user().expect("a user"));
    ResponseMessage {
        corr_id: corr_id.map(str::to_owned),
        resp: ChatResponse::from(r),
        extra_fields: Default::default(),
    }
    .to_json()
}

/// `chatCmdError` (no active user) answering `corr_id`.
fn error_frame(core: &TestCore, corr_id: &str) -> String {
    let error = core.world(|w| w.error(ChatErrorType::NoActiveUser));
    ResponseMessage {
        corr_id: Some(corr_id.to_owned()),
        resp: ChatResponse::from(error),
        extra_fields: Default::default(),
    }
    .to_json()
}

/// The JSON of a decoded response, for comparing with what the stand-in sent.
fn json(resp: &ChatResponse) -> Value {
    serde_json::to_value(resp).expect("a response encodes")
}

/// The `n` of a [`tick`] event.
fn tick_number(item: Option<Incoming>) -> u64 {
    match item {
        Some(Incoming::Event(event)) => {
            let v = serde_json::to_value(&event).expect("an event encodes");
            v["resp"]["n"].as_u64().expect("a tick")
        }
        other => panic!("expected a tick event, got {other:?}"),
    }
}

fn expect_unmatched(item: Option<Incoming>) -> ResponseMessage {
    match item {
        Some(Incoming::Unmatched(resp)) => resp,
        other => panic!("expected an unmatched response, got {other:?}"),
    }
}

/// A command whose rendering fails.
struct Unrenderable;

impl Command for Unrenderable {
    const NAME: &'static str = "Unrenderable";
    type Response = ChatResponse;
    fn write_command(&self, out: &mut String) -> Result<(), CommandError> {
        out.push_str("/half");
        Err(CommandError::LineBreak { param: "text" })
    }
}

#[tokio::test]
async fn typed_command_round_trip() {
    within(async {
        let (core, client, _events) = on_test_core(Config::default()).await;
        match client.send(&ShowActiveUser::new()).await {
            Ok(ShowActiveUserResponse::ActiveUser(user)) => {
                let sent = sent_frame(&core, &last_corr_id(&core));
                let got = serde_json::to_value(&*user).expect("encodes");
                assert_eq!(got, sent["resp"]);
            }
            other => panic!("expected ActiveUser, got {other:?}"),
        }

        // The other documented response of the same command.
        core.on::<ShowActiveUser>(|_, world| {
            ShowActiveUserResponse::ChatCmdError(Box::new(world.error(ChatErrorType::NoActiveUser)))
        });
        assert!(matches!(
            client.send(&ShowActiveUser::new()).await,
            Ok(ShowActiveUserResponse::ChatCmdError(_))
        ));
        let log = core.commands();
        assert_ne!(
            log[0].corr_id(),
            log[1].corr_id(),
            "each command gets its own corrId"
        );
        assert_eq!(client.pending_commands(), 0);
    })
    .await;
}

#[tokio::test]
async fn responses_arrive_whole() {
    within(async {
        let (core, client, _events) = on_test_core(Config::default()).await;
        let contact_id = core.contact("alice").connects().await;
        let send = format!(
            r#"/_send @{contact_id} json [{{"msgContent":{{"type":"text","text":"hi"}}}}]"#
        );
        for cmd in [
            "/user",
            "/_address 1",
            "/_show_address 1",
            "/_contacts 1",
            send.as_str(),
            "/nonsense",
        ] {
            let resp = client.send_raw(cmd).await.expect("a response");
            let corr_id = resp.corr_id.clone().expect("a corrId");
            assert_eq!(
                json(&resp.resp),
                sent_frame(&core, &corr_id)["resp"],
                "{cmd}"
            );
        }
        let tags: Vec<_> = core
            .commands()
            .iter()
            .map(|c| c.response().map(str::to_owned))
            .collect();
        let tags: Vec<_> = tags.iter().map(|t| t.as_deref().unwrap_or("")).collect();
        assert_eq!(
            tags,
            [
                "activeUser",
                "userContactLinkCreated",
                "userContactLink",
                "contactsList",
                "newChatItems",
                "chatCmdError"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn render_error_fails_before_anything_is_sent() {
    within(async {
        let (core, client, _events) = on_test_core(Config::default()).await;
        match client.send(&Unrenderable).await {
            Err(ClientError::Render(CommandError::LineBreak { param: "text" })) => {}
            other => panic!("expected a render error, got {other:?}"),
        }
        assert_eq!(client.pending_commands(), 0);

        // The next frame the core gets is the next command: nothing of the failed one.
        let resp = client.send_raw("/user").await.expect("a response");
        assert_eq!(resp.resp.tag(), Some("activeUser"));
        let texts: Vec<_> = core
            .commands()
            .iter()
            .map(|c| c.text().to_owned())
            .collect();
        assert_eq!(texts, ["/user"]);
    })
    .await;
}

#[tokio::test]
async fn timeout_forgets_the_command_and_the_late_response_is_unmatched() {
    within(async {
        // The core never answers: the timeouts can be short without a race.
        let config = Config::default().with_timeout(Duration::from_millis(50));
        let (core, client, mut events) = on_test_core(config).await;
        core.silence::<ShowActiveUser>();

        // The default timeout from the config.
        match client.send_raw("/user").await {
            Err(ClientError::Timeout(t)) => assert_eq!(t, Duration::from_millis(50)),
            other => panic!("expected a timeout, got {other:?}"),
        }
        core.next_command::<ShowActiveUser>().await;
        let late = last_corr_id(&core);
        assert_eq!(client.pending_commands(), 0);

        // A timeout per call.
        assert!(matches!(
            client
                .send_with_timeout(&ShowActiveUser::new(), Duration::from_millis(20))
                .await,
            Err(ClientError::Timeout(_))
        ));
        assert_eq!(client.pending_commands(), 0);

        // The core answers after all: the response is delivered, not lost.
        core.send_frame(active_user_frame(&core, Some(&late))).await;
        let resp = expect_unmatched(events.next_event().await);
        assert_eq!(resp.corr_id.as_deref(), Some(late.as_str()));
        assert_eq!(resp.resp.tag(), Some("activeUser"));
    })
    .await;
}

/// Starts `n` commands the core leaves unanswered, and waits until it has them all.
async fn commands_in_flight(
    client: &Client,
    core: &TestCore,
    n: usize,
) -> JoinSet<Result<ResponseMessage, ClientError>> {
    core.silence::<ShowActiveUser>();
    let mut callers = JoinSet::new();
    for _ in 0..n {
        let client = client.clone();
        callers.spawn(async move { client.send_raw("/user").await });
    }
    for _ in 0..n {
        core.next_command::<ShowActiveUser>().await;
    }
    callers
}

#[tokio::test]
async fn core_closing_fails_pending_commands_and_ends_events() {
    within(async {
        let (core, client, mut events) = on_test_core(Config::default()).await;
        let callers = commands_in_flight(&client, &core, 20).await;
        core.group("team").invites_bot("alice").await;
        core.restart().await;

        expect_all_disconnected(callers).await;
        // What arrived before the close is still delivered; then the stream ends.
        let mut tags = Vec::new();
        while let Some(item) = events.next_event().await {
            match item {
                Incoming::Event(e) => tags.push(e.resp.tag().unwrap_or_default().to_owned()),
                other => panic!("expected an event, got {other:?}"),
            }
        }
        assert_eq!(
            tags.last().map(String::as_str),
            Some("receivedGroupInvitation"),
            "{tags:?}"
        );
        assert!(events.next().await.is_none());

        assert!(client.is_closed());
        assert_eq!(client.pending_commands(), 0);
        assert!(matches!(
            client.send_raw("/user").await,
            Err(ClientError::Disconnected)
        ));
    })
    .await;
}

#[tokio::test]
async fn connection_dropped_without_close_fails_pending_commands_and_ends_events() {
    within(async {
        let (core, client, mut events) = on_test_core(Config::default()).await;
        let callers = commands_in_flight(&client, &core, 20).await;
        core.drop_connections().await;

        expect_all_disconnected(callers).await;
        assert!(events.next_event().await.is_none());
        assert!(client.is_closed());
        assert!(matches!(
            client.send(&ShowActiveUser::new()).await,
            Err(ClientError::Disconnected)
        ));
    })
    .await;
}

#[tokio::test]
async fn a_response_that_does_not_decode_fails_its_command_at_once() {
    within(async {
        // A long timeout: the command must fail because of the frame, not time out.
        let config = Config::default().with_timeout(Duration::from_secs(40));
        let (core, client, mut events) = on_test_core(config).await;
        core.silence::<ShowActiveUser>();
        let sent = tokio::spawn({
            let client = client.clone();
            async move { client.send_raw("/user").await }
        });
        core.next_command::<ShowActiveUser>().await;
        let bad = format!(
            r#"{{"corrId":"{}","resp":{{"type":"activeUser","user":5}}}}"#,
            last_corr_id(&core)
        );
        core.send_frame(bad.clone()).await;
        core.send_frame(tick(1)).await;

        match sent.await.expect("join") {
            Err(ClientError::Decode { text, error }) => {
                assert_eq!(text, bad);
                assert!(error.path.contains("user"), "{error}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert_eq!(client.pending_commands(), 0);
        // It went to its command, not to the events as well.
        assert_eq!(tick_number(events.next_event().await), 1);
    })
    .await;
}

#[tokio::test]
async fn responses_nobody_waits_for_are_delivered_as_unmatched() {
    within(async {
        let (core, client, mut events) = on_test_core(Config::default()).await;
        core.silence::<ShowActiveUser>();
        let sent = tokio::spawn({
            let client = client.clone();
            async move { client.send_raw("/user").await }
        });
        core.next_command::<ShowActiveUser>().await;
        let corr_id = last_corr_id(&core);

        // Responses with ids this client never sent, and one without an id, before the real one.
        let zero_padded = format!("0{corr_id}");
        for other in ["nobody-9", "999999", zero_padded.as_str()] {
            core.send_frame(error_frame(&core, other)).await;
        }
        core.send_frame(active_user_frame(&core, None)).await;
        core.send_frame(active_user_frame(&core, Some(&corr_id)))
            .await;

        let resp = sent.await.expect("join").expect("a response");
        assert_eq!(resp.resp.tag(), Some("activeUser"));
        for other in [Some("nobody-9"), Some("999999"), Some(zero_padded.as_str())] {
            let unmatched = expect_unmatched(events.next_event().await);
            assert_eq!(unmatched.corr_id.as_deref(), other);
            assert_eq!(unmatched.resp.tag(), Some("chatCmdError"));
        }
        let no_id = expect_unmatched(events.next_event().await);
        assert_eq!(no_id.corr_id, None);
        assert_eq!(no_id.resp.tag(), Some("activeUser"));
    })
    .await;
}

#[tokio::test]
async fn a_ten_megabyte_frame_arrives() {
    const SIZE: usize = 10 << 20;
    within(async {
        let (core, client, _events) = on_test_core(Config::default()).await;
        core.on::<ShowActiveUser>(|_, world| {
            let mut r = ActiveUser::default();
            let mut user = world.user().cloned().expect("a user");
            user.profile.full_name = "x".repeat(SIZE);
            r.user = Box::new(user);
            ShowActiveUserResponse::ActiveUser(Box::new(r))
        });
        let resp = client.send_raw("/user").await.expect("a response");
        let name = &json(&resp.resp)["user"]["profile"]["fullName"];
        assert_eq!(name.as_str().map(str::len), Some(SIZE));
    })
    .await;
}

#[tokio::test]
async fn commands_work_after_events_is_dropped() {
    within(async {
        let (core, client, events) = on_test_core(Config::default().with_event_capacity(4)).await;
        drop(events);
        for n in 0..100 {
            core.send_frame(tick(n)).await;
        }
        assert!(client.send_raw("/user").await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn dropping_every_client_closes_the_connection() {
    within(async {
        let (core, client, mut events) = on_test_core(Config::default()).await;
        let clone = client.clone();
        drop(client);
        drop(clone);
        assert!(events.next_event().await.is_none());
        // The core sees the close.
        while core.connections() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
}

// --- against a bare peer ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_commands_answered_out_of_order() {
    const N: u64 = 10_000;
    within(async {
        let (client, _events, mut core) = connected(Config::default()).await;

        // The core reads every command first, then answers in a scrambled order; each answer is
        // the address of the user the command asked about.
        let core_side = tokio::spawn(async move {
            let mut requests = Vec::new();
            for _ in 0..N {
                requests.push(core.recv_command().await.expect("a command"));
            }
            for k in 0..N {
                let req = &requests[((k * 7919) % N) as usize];
                core.feed_text(Peer::answer_for(req)).await;
                if k % 100 == 99 {
                    core.flush().await;
                }
            }
            core.flush().await;
            core
        });

        let mut callers = JoinSet::new();
        for user_id in 0..N {
            let client = client.clone();
            callers.spawn(async move {
                let cmd = format!("/_show_address {user_id}");
                (user_id, client.send_raw(&cmd).await)
            });
        }
        let mut corr_ids = HashSet::new();
        while let Some(joined) = callers.join_next().await {
            let (user_id, result) = joined.expect("join");
            let resp = result.expect("a response");
            assert_eq!(resp.resp.tag(), Some("userContactLink"));
            assert_eq!(json(&resp.resp)["user"]["userId"], user_id, "misrouted");
            assert!(corr_ids.insert(resp.corr_id.expect("a corrId")));
        }
        assert_eq!(corr_ids.len(), N as usize);
        assert_eq!(client.pending_commands(), 0);
        core_side.await.expect("the core side");
    })
    .await;
}

#[tokio::test]
async fn dropped_send_futures_leave_no_pending_slot() {
    within(async {
        let (client, mut events, mut core) = connected(Config::default()).await;
        for round in 0..5 {
            let mut callers = JoinSet::new();
            for _ in 0..100 {
                let client = client.clone();
                callers.spawn(async move { client.send_raw("/user").await });
            }
            // Once the core has every command, every caller waits for its response.
            let mut requests = Vec::new();
            for _ in 0..100 {
                requests.push(core.recv_command().await.expect("a command"));
            }
            assert_eq!(client.pending_commands(), 100, "round {round}");

            callers.abort_all();
            while let Some(joined) = callers.join_next().await {
                assert!(joined.expect_err("aborted").is_cancelled());
            }
            assert_eq!(client.pending_commands(), 0, "round {round}");

            // Their responses come later, and are delivered as unmatched.
            for req in &requests {
                core.feed_text(response("activeUser-2.json", &req.corr_id))
                    .await;
            }
            core.flush().await;
            for req in &requests {
                let resp = expect_unmatched(events.next_event().await);
                assert_eq!(resp.corr_id.as_deref(), Some(req.corr_id.as_str()));
            }
        }

        // A future polled once (the command is queued and waits) and dropped at once.
        assert!(client.send_raw("/user").now_or_never().is_none());
        assert_eq!(client.pending_commands(), 0);
        let req = core.recv_command().await.expect("a command");
        core.reply(&req, "activeUser-2.json").await;
        let resp = expect_unmatched(events.next_event().await);
        assert_eq!(resp.corr_id.as_deref(), Some(req.corr_id.as_str()));

        // The connection still works.
        let sent = tokio::spawn({
            let client = client.clone();
            async move { client.send_raw("/user").await }
        });
        let req = core.recv_command().await.expect("a command");
        core.reply(&req, "activeUser-2.json").await;
        assert!(sent.await.expect("join").is_ok());
    })
    .await;
}

async fn expect_all_disconnected(mut callers: JoinSet<Result<ResponseMessage, ClientError>>) {
    let mut failed = 0;
    while let Some(joined) = callers.join_next().await {
        match joined.expect("join") {
            Err(ClientError::Disconnected) => failed += 1,
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }
    assert!(failed > 0);
}

#[tokio::test]
async fn undecodable_and_binary_frames_are_reported_and_the_connection_goes_on() {
    within(async {
        let (client, mut events, mut core) = connected(Config::default()).await;

        let wrong_type = r#"{"corrId":"5","resp":{"type":"activeUser","user":5}}"#;
        core.send_text("not json").await;
        core.send_text("[1,2]").await;
        core.send_text(wrong_type).await;
        core.send(Frame::binary(vec![0u8, 1, 2, 255])).await;
        core.send(Frame::Ping(b"are you there".to_vec().into()))
            .await;
        core.send_text(fixture("receivedGroupInvitation-1.json"))
            .await;

        for text in ["not json", "[1,2]", wrong_type] {
            match events.next_event().await {
                Some(Incoming::Undecodable { text: got, error }) => {
                    assert_eq!(got, text);
                    assert!(!error.message.is_empty());
                }
                other => panic!("expected an undecodable frame, got {other:?}"),
            }
        }
        assert_eq!(
            events.next_event().await,
            Some(Incoming::Binary(vec![0, 1, 2, 255]))
        );
        match events.next_event().await {
            Some(Incoming::Event(event)) => {
                assert_eq!(event.resp.tag(), Some("receivedGroupInvitation"))
            }
            other => panic!("expected the event, got {other:?}"),
        }
        // The ping was answered.
        assert_eq!(
            core.expect_pong().await.as_deref(),
            Some(&b"are you there"[..])
        );

        // Commands still work.
        let sent = tokio::spawn({
            let client = client.clone();
            async move { client.send(&ShowActiveUser::new()).await }
        });
        let req = core.recv_command().await.expect("a command");
        core.reply(&req, "activeUser-2.json").await;
        assert!(matches!(
            sent.await.expect("join"),
            Ok(ShowActiveUserResponse::ActiveUser(_))
        ));
        assert!(!client.is_closed());
    })
    .await;
}

/// Sends `/user` from a task, waits until the core has it, then lets the core push `ticks` events
/// before it answers; returns the typed response.
async fn command_answered_after_events(
    client: &simplex_api_client::Client,
    core: &mut Peer,
    ticks: std::ops::Range<usize>,
) -> Result<ShowActiveUserResponse, ClientError> {
    let sent = tokio::spawn({
        let client = client.clone();
        async move { client.send(&ShowActiveUser::new()).await }
    });
    let req = core.recv_command().await.expect("a command");
    for n in ticks {
        core.feed_text(tick(n)).await;
    }
    core.feed_text(response("activeUser-2.json", &req.corr_id))
        .await;
    core.flush().await;
    sent.await.expect("join")
}

// On the current-thread runtime (the default here) the second command is registered only after
// the reader has paused on the full event channel, so that the command must wake it.
#[tokio::test]
async fn a_slow_event_reader_does_not_block_command_responses() {
    within(async {
        let config = Config::default()
            .with_event_capacity(4)
            .with_timeout(Duration::from_secs(20));
        let (client, mut events, mut core) = connected(config).await;

        // The bot awaits a response without reading events, as a bot does that sends a command
        // while handling an event, and far more events than the channel holds arrive before the
        // response.
        let first = command_answered_after_events(&client, &mut core, 0..300).await;
        assert!(matches!(first, Ok(ShowActiveUserResponse::ActiveUser(_))));
        // Now nothing waits for a response and the channel is full: the reader pauses. The next
        // command must still get its response.
        let second = command_answered_after_events(&client, &mut core, 300..600).await;
        assert!(matches!(second, Ok(ShowActiveUserResponse::ActiveUser(_))));

        // Every event is still delivered, in order.
        for n in 0..600 {
            assert_eq!(tick_number(events.next_event().await), n);
        }
    })
    .await;
}

#[tokio::test]
async fn a_slow_event_reader_gets_every_event_in_order() {
    within(async {
        let (_client, mut events, mut core) =
            connected(Config::default().with_event_capacity(2)).await;
        let core_side = tokio::spawn(async move {
            for n in 0..500 {
                core.feed_text(tick(n)).await;
            }
            core.flush().await;
            core
        });
        for n in 0..500 {
            if n % 50 == 0 {
                tokio::task::yield_now().await;
            }
            assert_eq!(tick_number(events.next().await), n);
        }
        core_side.await.expect("the core side");
    })
    .await;
}

#[tokio::test]
async fn connecting_where_nothing_listens_fails() {
    within(async {
        let url = Core::start().await.url; // the listener is dropped: the port is free
        match connect(&url).await {
            Err(e @ ClientError::WebSocket(_)) => {
                assert!(e.to_string().starts_with("cannot connect to the chat core"))
            }
            other => panic!("expected a connection error, got {:?}", other.map(|_| ())),
        }
    })
    .await;
}

/// A core that sends a close frame but keeps the TCP connection open: no response can follow a
/// close frame, so the pending command fails with `Disconnected` at once (not by its timeout),
/// and the event stream ends (the documented reconnect loop waits on it).
#[tokio::test]
async fn a_close_frame_ends_the_connection_even_when_the_tcp_stays_open() {
    within(async {
        // A timeout far beyond the test limit: only the close frame can end the command.
        let config = Config::default().with_timeout(Duration::from_secs(3600));
        let (client, mut events, mut peer) = connected(config).await;
        let caller = {
            let client = client.clone();
            tokio::spawn(async move { client.send_raw("/user").await })
        };
        peer.recv_command().await.expect("the command");
        peer.send(Frame::Close(None)).await;
        assert!(matches!(
            caller.await.expect("join"),
            Err(ClientError::Disconnected)
        ));
        assert!(events.next_event().await.is_none());
        assert!(client.is_closed());
        // The peer's side is still open all along.
        drop(peer);
    })
    .await;
}
