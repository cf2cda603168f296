//! The in-process core (`ffi`) against the stand-in libsimplex (`client/ffi-stub`), which
//! relays the chat to a test core of the test over WebSocket, or answers canned text, or
//! misbehaves as its settings file (`<db prefix>.stub.json`) says.
//!
//! The stand-in is a dev-dependency: cargo builds its `cdylib` next to this test binary
//! (`target/<profile>/deps/libsimplex_ffi_stub.so`), where the tests load it. No test code uses
//! the crate.
//!
//! One controller may be open per process, so the tests that open one hold [`ONE_CHAT`]. The
//! two tests that leave the process changed (a controller that stays open; the allocator's
//! statistics) run in a child process: this binary again, with [`CHILD_VAR`] set.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use simplex_api_client::bot::Bot;
use simplex_api_client::ffi::{
    self, ChatLibrary, FfiError, MigrationConfirmation, MigrationErrorKind, OpenOptions,
};
use simplex_api_client::testing::TestCore;
use simplex_api_client::{connect, Client, ClientError, Events, Incoming};
use simplex_api_types::commands::{
    ApiSendMessages, CreateActiveUser, ShowActiveUser, ShowActiveUserResponse, StartChat,
    StartChatResponse,
};
use simplex_api_types::types::{ChatError, ChatErrorType};
use simplex_api_types::ChatEvent;

use crate::support::within;

/// Held by every test that opens a controller (one per process).
static ONE_CHAT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Set in a child process to the name of the test it is to run for real.
const CHILD_VAR: &str = "SIMPLEX_FFI_CHILD";

/// The stand-in library cargo built for this test binary.
pub(crate) fn stub_path() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let deps = exe.parent().expect("its folder");
    let name = libloading::library_filename("simplex_ffi_stub");
    let path = deps.join(&name);
    assert!(
        path.exists(),
        "{} is missing: cargo builds it as a dev-dependency of simplex-api-client",
        path.display()
    );
    path
}

/// A database prefix in a temporary folder, with the stand-in's settings for it.
pub(crate) struct StubDb {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) prefix: PathBuf,
}

impl StubDb {
    pub(crate) fn new(settings: Value) -> StubDb {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let prefix = dir.path().join("bot");
        let mut settings = settings;
        settings["log"] = json!(dir.path().join("calls").display().to_string());
        std::fs::write(
            format!("{}.stub.json", prefix.display()),
            settings.to_string(),
        )
        .expect("the settings are written");
        StubDb { dir, prefix }
    }

    pub(crate) fn relaying_to(core: &TestCore) -> StubDb {
        StubDb::new(json!({ "relay": core.url() }))
    }

    /// The calls the stand-in logged, one a line.
    pub(crate) fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn options(&self) -> OpenOptions {
        OpenOptions::new(&self.prefix)
            .receive_wait(Duration::from_millis(50))
            .stop_timeout(Duration::from_secs(2))
    }
}

fn library() -> ChatLibrary {
    ChatLibrary::load(stub_path()).expect("the stand-in loads")
}

async fn open(db: &StubDb) -> (Client, Events) {
    ffi::open(&library(), db.options())
        .await
        .expect("the chat opens")
}

async fn start_chat(client: &Client) {
    match client.send(&StartChat::new(true)).await.expect("answered") {
        StartChatResponse::ChatStarted(_) | StartChatResponse::ChatRunning(_) => {}
        other => panic!("{other:?}"),
    }
}

/// The next event, skipping nothing: whatever arrives must be an event.
async fn next_event(events: &mut Events) -> ChatEvent {
    match tokio::time::timeout(Duration::from_secs(5), events.next_event()).await {
        Ok(Some(Incoming::Event(e))) => e.resp,
        other => panic!("expected an event, got {other:?}"),
    }
}

async fn shutdown(client: &Client) {
    let core = client.library_core().expect("an in-process core").clone();
    core.shutdown().await.expect("a clean shutdown");
    assert!(!core.is_open());
}

#[tokio::test]
async fn commands_and_events_go_through_the_library_and_none_before_start() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let core = TestCore::builder().chat_stopped().start().await;
        let db = StubDb::relaying_to(&core);
        let (client, mut events) = open(&db).await;

        match client.send(&ShowActiveUser::new()).await.expect("answered") {
            ShowActiveUserResponse::ActiveUser(a) => assert_eq!(a.user.profile.display_name, "bot"),
            other => panic!("{other:?}"),
        }
        // The contact writes before the chat is started: nothing arrives until `/_start`.
        let alice = core.contact("alice");
        alice.sends_text("early").await;
        let early = tokio::time::timeout(Duration::from_millis(600), events.next_event()).await;
        assert!(early.is_err(), "an event before /_start: {early:?}");
        start_chat(&client).await;
        let mut texts = Vec::new();
        while texts.is_empty() {
            if let ChatEvent::NewChatItems(items) = next_event(&mut events).await {
                texts.extend(
                    items
                        .chat_items
                        .iter()
                        .filter_map(|i| i.text().map(str::to_owned)),
                );
            }
        }
        assert!(texts.iter().any(|t| t == "early"), "{texts:?}");

        shutdown(&client).await;
        assert!(client.is_closed());
        assert!(matches!(
            client.send(&ShowActiveUser::new()).await,
            Err(ClientError::Disconnected)
        ));
        // The stream ends after what arrived.
        while let Some(item) = events.next_event().await {
            assert!(matches!(item, Incoming::Event(_)), "{item:?}");
        }
        let calls = db.calls();
        assert_eq!(
            calls.first().map(String::as_str),
            Some("init yesUp"),
            "{calls:?}"
        );
        let stop = calls
            .iter()
            .position(|c| c == "send /_stop")
            .expect("/_stop sent");
        assert_eq!(calls.last().map(String::as_str), Some("close"), "{calls:?}");
        assert_eq!(
            stop + 2,
            calls.len(),
            "nothing but close after /_stop: {calls:?}"
        );
    })
    .await
}

#[tokio::test]
async fn error_replies_look_as_over_the_websocket() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let core = TestCore::builder().no_user().start().await;
        let db = StubDb::relaying_to(&core);
        let (client, mut events) = open(&db).await;
        // The same refusal over both transports: a chatCmdError response with the error.
        let (ws, _ws_events) = connect(core.url()).await.expect("connects");
        let over_ws = ws.send(&ShowActiveUser::new()).await.expect("answered");
        let over_ffi = client.send(&ShowActiveUser::new()).await.expect("answered");
        assert_eq!(over_ffi, over_ws);
        match &over_ffi {
            ShowActiveUserResponse::ChatCmdError(e) => assert!(
                matches!(&e.chat_error, ChatError::Error(e) if matches!(e.error_type, ChatErrorType::NoActiveUser)),
                "{e:?}"
            ),
            other => panic!("{other:?}"),
        }
        let refused = client
            .send(&ShowActiveUser::new())
            .await
            .expect("answered")
            .into_result()
            .expect_err("refused");
        assert!(refused.to_string().contains("noActiveUser") || refused.to_string().contains("active user"), "{refused}");
        drop(ws);

        // An error event ({"error": ...} from chat_recv_msg_wait) is the chatError event.
        client
            .send(&CreateActiveUser::new(Default::default()))
            .await
            .expect("answered");
        start_chat(&client).await;
        let error = core.world(|w| w.error(ChatErrorType::NoActiveUser)).chat_error;
        let mut event = simplex_api_types::events::ChatError::default();
        event.chat_error = error.clone();
        core.send_event(ChatEvent::ChatError(Box::new(event))).await;
        loop {
            match next_event(&mut events).await {
                ChatEvent::ChatError(e) => {
                    assert_eq!(e.chat_error, error);
                    break;
                }
                _ => continue,
            }
        }
        shutdown(&client).await;
    })
    .await
}

#[tokio::test]
async fn a_library_without_the_api_is_refused_naming_what_is_missing() {
    // libc has none of the functions: the first one checked is named.
    match ChatLibrary::load("libc.so.6") {
        Err(FfiError::MissingSymbol { symbol, .. }) => assert_eq!(symbol, "hs_init_with_rtsopts"),
        other => panic!("{other:?}"),
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    match ChatLibrary::load_from_dir(dir.path()) {
        Err(e @ FfiError::Load { .. }) => {
            assert!(e.to_string().contains("libsimplex.so"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // The stand-in under libsimplex's name loads from its folder.
    std::fs::copy(stub_path(), dir.path().join("libsimplex.so")).expect("copied");
    let lib = ChatLibrary::load_from_dir(dir.path()).expect("loads");
    assert!(lib.path().ends_with("libsimplex.so"));
}

#[tokio::test]
async fn every_migration_error_is_typed_and_the_next_open_works() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let cases = [
            (r#"{"type":"invalidConfirmation"}"#, MigrationErrorKind::InvalidConfirmation),
            (r#"{"type":"errorNotADatabase","dbFile":"x_chat.db"}"#, MigrationErrorKind::NotADatabase),
            (
                r#"{"type":"errorMigration","dbFile":"x_chat.db","migrationError":{"type":"upgrade","upMigrations":[]}}"#,
                MigrationErrorKind::Migration,
            ),
            (r#"{"type":"errorSQL","dbFile":"x_agent.db","migrationSQLError":"bad"}"#, MigrationErrorKind::Sql),
            (r#"{"type":"agentError","agentError":{"type":"INTERNAL"}}"#, MigrationErrorKind::Agent),
            (r#"{"type":"somethingNew"}"#, MigrationErrorKind::Other(Some("somethingNew".into()))),
            ("not json", MigrationErrorKind::Other(None)),
        ];
        for (answer, kind) in cases {
            let db = StubDb::new(json!({ "migrate": answer }));
            match ffi::open(&library(), db.options()).await {
                Err(FfiError::Migration(e)) => {
                    assert_eq!(e.kind, kind, "{answer}");
                    assert_eq!(e.raw, answer);
                }
                other => panic!("{answer}: {other:?}"),
            }
        }
        // The stub refuses an unknown confirmation itself; every confirmation is passed as named.
        for confirm in [MigrationConfirmation::YesUpDown, MigrationConfirmation::Error] {
            let db = StubDb::new(json!({}));
            let (client, _events) = ffi::open(&library(), db.options().confirm(confirm))
                .await
                .expect("opens");
            shutdown(&client).await;
            assert_eq!(db.calls()[0], format!("init {}", confirm.as_str()));
        }
    })
    .await
}

#[tokio::test]
async fn one_controller_per_process_and_the_runtime_initialised_once() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let db = StubDb::new(json!({}));
        let (client, _events) = open(&db).await;
        let again = StubDb::new(json!({}));
        assert!(matches!(
            ffi::open(&library(), again.options()).await,
            Err(FfiError::AlreadyOpen)
        ));
        shutdown(&client).await;
        let (client, _events) = open(&again).await;
        shutdown(&client).await;
        // SAFETY: the stand-in's counter: `extern "C" fn() -> u64`, called while loaded.
        let inits = unsafe {
            let lib = libloading::Library::new(stub_path()).expect("loads");
            let count: libloading::Symbol<extern "C" fn() -> u64> =
                lib.get(b"stub_init_count\0").expect("the stub's counter");
            count()
        };
        assert_eq!(inits, 1);
    })
    .await
}

async fn bad_text_is_an_error_and_nothing_is_lost(fault: &str, expected: &str) {
    let _one = ONE_CHAT.lock().await;
    let core = TestCore::start().await;
    let db = StubDb::new(json!({ "relay": core.url(), "fault": fault }));
    let (client, mut events) = open(&db).await;
    start_chat(&client).await;
    match client.send(&ShowActiveUser::new()).await {
        Err(ClientError::Decode { error, .. }) => {
            assert!(error.to_string().contains(expected), "{error}")
        }
        other => panic!("{other:?}"),
    }
    // The next command is answered.
    assert!(matches!(
        client.send(&ShowActiveUser::new()).await,
        Ok(ShowActiveUserResponse::ActiveUser(_))
    ));
    let alice = core.contact("alice");
    alice.sends_text("one").await;
    // The first event comes garbled: undecodable, and the following ones come through.
    match tokio::time::timeout(Duration::from_secs(5), events.next_event()).await {
        Ok(Some(Incoming::Undecodable { error, .. })) => {
            assert!(error.to_string().contains(expected), "{error}")
        }
        other => panic!("{other:?}"),
    }
    alice.sends_text("two").await;
    let mut seen = Vec::new();
    while !seen.iter().any(|t| t == "two") {
        if let ChatEvent::NewChatItems(items) = next_event(&mut events).await {
            seen.extend(
                items
                    .chat_items
                    .iter()
                    .filter_map(|i| i.text().map(str::to_owned)),
            );
        }
    }
    shutdown(&client).await;
}

#[tokio::test]
async fn invalid_utf8_from_the_library_is_an_error_not_a_crash() {
    within(bad_text_is_an_error_and_nothing_is_lost(
        "invalidUtf8",
        "invalid UTF-8",
    ))
    .await
}

#[tokio::test]
async fn invalid_json_from_the_library_is_an_error_not_a_crash() {
    within(bad_text_is_an_error_and_nothing_is_lost(
        "invalidJson",
        "line 1",
    ))
    .await
}

/// Runs `test` in a child process (this binary, only that test, [`CHILD_VAR`] set): returns
/// whether it passed, with its output.
fn in_child(test: &str) {
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, test)
        .output()
        .expect("the child runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{test} failed in its process:\n{text}"
    );
    assert!(text.contains("CHILD RAN"), "{test} did not run:\n{text}");
}

fn is_child(test: &str) -> bool {
    std::env::var(CHILD_VAR).is_ok_and(|v| v == test)
}

#[test]
fn a_library_blocking_in_recv_at_shutdown_does_not_hang_it() {
    in_child("ffi::blocking_recv_child");
}

#[tokio::test]
async fn blocking_recv_child() {
    if !is_child("ffi::blocking_recv_child") {
        return;
    }
    let core = TestCore::start().await;
    let db = StubDb::new(json!({ "relay": core.url(), "fault": "blockRecv", "blockSeconds": 30 }));
    let options = db.options().stop_timeout(Duration::from_millis(500));
    let (client, mut events) = ffi::open(&library(), options).await.expect("opens");
    start_chat(&client).await;
    // Let the receive thread enter the call that blocks.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let result = client.library_core().expect("core").shutdown().await;
    let took = started.elapsed();
    assert!(
        matches!(result, Err(FfiError::ReceiveThreadStuck(_))),
        "{result:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Commands fail, the events end, the store was not closed under the thread.
    assert!(client.is_closed());
    let end = tokio::time::timeout(Duration::from_secs(2), async {
        while events.next_event().await.is_some() {}
    })
    .await;
    assert!(end.is_ok(), "the events did not end");
    assert!(!db.calls().iter().any(|c| c == "close"), "{:?}", db.calls());
    // The controller is still live: no second one.
    let again = StubDb::new(json!({}));
    assert!(matches!(
        ffi::open(&library(), again.options()).await,
        Err(FfiError::AlreadyOpen)
    ));
    println!("CHILD RAN");
    // The thread is still in the library: leave without unwinding it.
    std::process::exit(0);
}

#[test]
fn every_string_the_library_returns_is_freed() {
    in_child("ffi::freed_child");
}

/// Bytes allocated from glibc's heap now.
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let info = unsafe { libc::mallinfo2() };
    info.uordblks + info.hblkhd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freed_child() {
    if !is_child("ffi::freed_child") {
        return;
    }
    // A canned 4 KiB answer, so that only the client and the stub allocate.
    let canned = json!({ "result": { "type": "cmdOk", "pad": "x".repeat(4096) } }).to_string();
    let db = StubDb::new(json!({ "canned": canned }));
    let (client, _events) = open(&db).await;
    let returned = || {
        // SAFETY: the stand-in's counter: `extern "C" fn() -> u64`, called while loaded.
        unsafe {
            let lib = libloading::Library::new(stub_path()).expect("loads");
            let count: libloading::Symbol<extern "C" fn() -> u64> = lib
                .get(b"stub_returned_strings\0")
                .expect("the stub's counter");
            count()
        }
    };
    for _ in 0..200 {
        client.send_raw("/x").await.expect("answered");
    }
    let (before, strings_before) = (heap_in_use(), returned());
    let rounds = 2000;
    for _ in 0..rounds {
        client.send_raw("/x").await.expect("answered");
    }
    let (after, strings_after) = (heap_in_use(), returned());
    let grew = after.saturating_sub(before);
    assert!(
        strings_after - strings_before >= rounds,
        "{strings_before} -> {strings_after}"
    );
    // Unfreed, they would be 2000 x 4 KiB = 8 MiB.
    assert!(
        grew < 1 << 20,
        "the heap grew by {grew} bytes over {rounds} round trips"
    );
    shutdown(&client).await;
    println!("CHILD RAN: heap {before} -> {after}");
}

/// CPU time (user + system, clock ticks) of this process's thread named `name`.
fn thread_cpu(name: &str) -> Option<u64> {
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // Fields after the parenthesised name: state is field 3; utime 14, stime 15.
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        return Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?);
    }
    None
}

#[tokio::test]
async fn the_receive_thread_is_idle_while_nothing_arrives() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let core = TestCore::start().await;
        let db = StubDb::relaying_to(&core);
        let (client, _events) = ffi::open(
            &library(),
            db.options().receive_wait(Duration::from_millis(250)),
        )
        .await
        .expect("opens");
        start_chat(&client).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = thread_cpu("simplex-recv").expect("the receive thread");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = thread_cpu("simplex-recv").expect("the receive thread");
        // A tick is 10 ms: a thread that spun would take about 200 in 2 s.
        assert!(after - before <= 2, "{} ticks in 2 s idle", after - before);
        shutdown(&client).await;
        assert_eq!(thread_cpu("simplex-recv"), None, "the thread was joined");
    })
    .await
}

#[tokio::test]
async fn file_functions_round_trip_and_a_failed_decryption_leaves_nothing() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let db = StubDb::new(json!({}));
        let (client, _events) = open(&db).await;
        let core = client.library_core().expect("core").clone();
        let dir = db.dir.path();
        let file = dir.join("secret");
        let args = core.write_file(&file, b"hello\0world").expect("written");
        let lib = core.library();
        assert_eq!(lib.read_file(&file, &args).expect("read"), b"hello\0world");
        let mut wrong = args.clone();
        wrong.file_key = "d3Jvbmc=".into();
        assert!(matches!(lib.read_file(&file, &wrong), Err(FfiError::File(e)) if e == "wrong key"));
        assert!(matches!(
            lib.read_file(&dir.join("none"), &args),
            Err(FfiError::File(_))
        ));

        let plain = dir.join("plain");
        std::fs::write(&plain, vec![7u8; 1000]).expect("written");
        let encrypted = dir.join("encrypted");
        let args = core.encrypt_file(&plain, &encrypted).expect("encrypted");
        let out = dir.join("out");
        lib.decrypt_file(&encrypted, &args, &out)
            .expect("decrypted");
        assert_eq!(std::fs::read(&out).expect("read"), vec![7u8; 1000]);
        let partial = dir.join("partial");
        match lib.decrypt_file(&encrypted, &wrong, &partial) {
            Err(FfiError::File(e)) => assert_eq!(e, "invalid authentication tag"),
            other => panic!("{other:?}"),
        }
        assert!(!partial.exists(), "the partial file is removed");
        assert!(matches!(
            core.write_file(Path::new("a\0b"), b""),
            Err(FfiError::InvalidArgument(_))
        ));
        shutdown(&client).await;
        assert!(matches!(
            core.write_file(&file, b"x"),
            Err(FfiError::Closed)
        ));
    })
    .await
}

#[tokio::test]
async fn the_bot_on_a_new_database_creates_its_user_then_starts_the_chat() {
    within(async {
        let _one = ONE_CHAT.lock().await;
        let core = TestCore::builder().no_user().chat_stopped().start().await;
        let db = StubDb::relaying_to(&core);
        let bot = Bot::builder()
            .display_name("FfiBot")
            .reconnect(true)
            .start_library(&library(), db.options())
            .await
            .expect("the bot starts");
        let names: Vec<_> = core.commands().iter().map(|c| c.name()).collect();
        let created = names
            .iter()
            .position(|n| *n == "CreateActiveUser")
            .expect("created");
        let started = names
            .iter()
            .position(|n| *n == "StartChat")
            .expect("started");
        assert!(created < started, "{names:?}");
        assert_eq!(
            core.user().map(|u| u.profile.display_name),
            Some("FfiBot".into())
        );
        let client = bot.client().clone();
        let handle = bot.shutdown_handle();
        let bot = bot.on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
        let run = tokio::spawn(bot.run());
        let alice = core.contact("alice");
        alice.sends_text("over ffi").await;
        assert_eq!(alice.next_message().await, "over ffi");
        core.next_command::<ApiSendMessages>().await;
        handle.shutdown();
        run.await.expect("joined").expect("ran");
        shutdown(&client).await;
    })
    .await
}
