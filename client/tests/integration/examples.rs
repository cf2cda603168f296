//! Every example of `client/examples/`, run as the program it is (the binary `cargo test`
//! builds, with its command-line arguments) against the test core, end to end: its set-up,
//! its answers, and its exit status when the core closes the connection or on SIGTERM.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use simplex_api_client::testing::TestCore;
use simplex_api_types::commands::{
    ApiDeleteMemberChatItem, ApiJoinGroup, ApiSendMessages, ApiUpdateProfile, ReceiveFile,
};
use simplex_api_types::types::{
    ChatBotCommand, ChatPeerType, ChatRef, FeatureAllowed, GroupMemberRole, MsgContent,
};

use crate::support::within;

/// The example's binary, built (once per test run; a no-op when `cargo test` built it).
fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let exe = std::env::current_exe().expect("the test binary");
    // target/PROFILE/deps/integration-HASH -> target/PROFILE/examples/NAME
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-q", "-p", "simplex-api-client", "--examples"]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed");
    });
    dir.join("examples").join(name)
}

/// A running example, killed if the test ends before it exits.
struct Example(Option<Child>);

impl Example {
    fn start(name: &str, args: &[&str]) -> Example {
        let child = Command::new(binary(name))
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start example {name}: {e}"));
        Example(Some(child))
    }

    fn signal(&self, signal: &str) {
        let pid = self.0.as_ref().expect("running").id().to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    async fn exits(mut self) -> ExitStatus {
        let mut child = self.0.take().expect("running");
        let wait = tokio::task::spawn_blocking(move || child.wait());
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .expect("the example exits")
            .expect("joined")
            .expect("waited")
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits for the end of every example's set-up (each sets its display name).
async fn set_up(core: &TestCore) {
    core.set_timeout(Duration::from_secs(20));
    core.next_command::<ApiUpdateProfile>().await;
    core.set_timeout(Duration::from_secs(5));
}

#[tokio::test]
async fn echo_answers_with_the_same_text_and_exits_0_when_the_core_closes() {
    within(async {
        let core = TestCore::start().await;
        let bot = Example::start("echo", &[core.url()]);
        set_up(&core).await;

        let alice = core.contact("alice");
        alice.sends_text("hello, bot").await;
        assert_eq!(alice.next_message().await, "hello, bot");
        let contact_id = alice.id().expect("connected");
        let echo = core.next_command::<ApiSendMessages>().await;
        assert_eq!(echo.send_ref, ChatRef::direct(contact_id));

        let team = core.group("team");
        let team_id = team.with_bot_as_member();
        team.member("bob").sends_text("hi all").await;
        assert_eq!(team.next_message().await, "hi all");
        let echo = core.next_command::<ApiSendMessages>().await;
        assert_eq!(echo.send_ref, ChatRef::group(team_id));
        assert_eq!(
            alice.received(),
            ["hello, bot"],
            "its own items are not echoed"
        );

        core.restart().await;
        assert!(bot.exits().await.success());
    })
    .await
}

#[tokio::test]
async fn squaring_squares_integers_and_helps_with_the_rest() {
    within(async {
        let core = TestCore::start().await;
        let bot = Example::start("squaring", &[core.url()]);
        set_up(&core).await;

        let alice = core.contact("alice");
        let help = "Send me an integer: I reply with its square.";
        for (say, answer) in [
            ("12", "144"),
            ("-3", "9"),
            ("+4", "16"),
            ("0", "0"),
            ("3037000499", "9223372030926249001"),
            ("3037000500", help),
            ("1.5", help),
            ("twelve", help),
        ] {
            alice.sends_text(say).await;
            assert_eq!(alice.next_message().await, answer, "for {say:?}");
        }
        core.restart().await;
        assert!(bot.exits().await.success());
    })
    .await
}

#[tokio::test]
async fn menu_advertises_its_commands_answers_them_and_exits_0_on_sigterm() {
    within(async {
        let core = TestCore::start().await;
        let bot = Example::start("menu", &[core.url()]);
        set_up(&core).await;

        let profile = core.profile().expect("profile");
        assert_eq!(profile.peer_type, Some(ChatPeerType::Bot));
        let menu: Vec<_> = (profile.preferences.and_then(|p| p.commands))
            .unwrap_or_default()
            .into_iter()
            .map(|c| match c {
                ChatBotCommand::Command(c) => (c.keyword, c.label),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            menu,
            [
                ("help".into(), "Show help".into()),
                ("ping".into(), "Check the bot".into())
            ]
        );
        let welcome = core.address_settings().and_then(|s| s.auto_reply);
        assert_eq!(welcome, Some(MsgContent::from("Hello! Send /help.")));

        let alice = core.contact("alice");
        alice.sends_text("/ping").await;
        assert_eq!(alice.next_message().await, "pong");
        alice.sends_text("/help").await;
        let help = alice.next_message().await;
        assert!(help.contains("/help") && help.contains("/ping"), "{help}");
        alice.sends_text("/weather now").await;
        assert_eq!(alice.next_message().await, "Unknown command: /weather");

        bot.signal("-TERM");
        assert!(bot.exits().await.success());
    })
    .await
}

#[tokio::test]
async fn moderator_joins_groups_deletes_banned_words_and_warns_the_sender() {
    within(async {
        let core = TestCore::start().await;
        let bot = Example::start("moderator", &[core.url(), "--ban", "spam", "--ban", "Scam"]);
        set_up(&core).await;

        let team = core.group("team");
        team.invites_bot_as("carol", GroupMemberRole::Moderator)
            .await;
        let join = core.next_command::<ApiJoinGroup>().await;
        let team_id = team.bot_joined().await;
        assert_eq!(join.group_id, team_id);

        let bob = core.contact("bob");
        bob.connects().await;
        let bob_in_team = team.member("bob");
        bob_in_team.joins().await;
        let fine = bob_in_team.sends_text("hello all").await;
        let bad = bob_in_team.sends_text("Cheap SPAM here").await;
        let deleted = core.next_command::<ApiDeleteMemberChatItem>().await;
        assert_eq!(
            (deleted.group_id, deleted.chat_item_ids),
            (team_id, vec![bad])
        );
        let warning = bob.next_message().await;
        assert!(warning.contains("deleted"), "{warning}");

        // Dave is no contact of the bot: deleted, no warning.
        let dave = team.member("dave");
        dave.joins().await;
        let mut link = simplex_api_types::types::msg_content::Link::default();
        link.text = "a sCaMmy offer https://example.com".into();
        let bad2 = dave.sends(MsgContent::from(link)).await;
        let deleted = core.next_command::<ApiDeleteMemberChatItem>().await;
        assert_eq!(deleted.chat_item_ids, vec![bad2]);
        assert!(core
            .try_next_command::<ApiDeleteMemberChatItem>(Duration::from_millis(200))
            .await
            .is_none());
        assert_ne!(fine, bad);
        assert_eq!(bob.received().len(), 1);

        bot.signal("-INT");
        assert!(bot.exits().await.success());
    })
    .await
}

#[tokio::test]
async fn broadcast_forwards_an_admins_message_to_every_other_contact() {
    within(async {
        let core = TestCore::start().await;
        let (alice, bob, carol) = (
            core.contact("alice"),
            core.contact("bob"),
            core.contact("carol"),
        );
        let admin = alice.connects().await;
        bob.connects().await;
        carol.connects().await;
        let admin = admin.to_string();
        let bot = Example::start("broadcast", &[core.url(), "--admin", &admin]);
        set_up(&core).await;

        alice.sends_text("news").await;
        assert_eq!(bob.next_message().await, "news");
        assert_eq!(carol.next_message().await, "news");
        bob.sends_text("me too").await;
        assert_eq!(bob.next_message().await, "Only admins can broadcast.");
        assert!(alice.received().is_empty());
        assert_eq!(carol.received(), ["news"]);

        core.restart().await;
        assert!(bot.exits().await.success());
    })
    .await
}

/// The SHA-256 of `bytes` in hex, as Python's `hashlib` computes it.
fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut py = Command::new("python3")
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    py.stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("written");
    let out = py.wait_with_output().expect("python3 ends");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn files_receives_files_up_to_10_mib_and_answers_with_their_size_and_hash() {
    within(async {
        let core = TestCore::start().await;
        let bot = Example::start("files", &[core.url()]);
        set_up(&core).await;
        let files = (core.profile().and_then(|p| p.preferences)).and_then(|p| p.files);
        assert_eq!(files.map(|f| f.allow), Some(FeatureAllowed::Yes));

        let alice = core.contact("alice");
        alice.sends_text("hello").await;
        assert_eq!(alice.next_message().await, "Send me a file.");

        let notes = b"hello, file".to_vec();
        alice.sends_file("notes.txt", notes.clone()).await;
        let accept = core.next_command::<ReceiveFile>().await;
        assert!(accept.file_id > 0);
        assert_ne!(accept.store_encrypted, Some(true), "stored unencrypted");
        let want = format!("notes.txt: 11 bytes, SHA-256 {}", sha256_hex(&notes));
        assert_eq!(alice.next_message().await, want);

        // The limit is 10 MiB exactly: a file of that size is taken, one byte more is not.
        let limit = 10 * 1024 * 1024;
        let big: Vec<u8> = (0..limit).map(|i| (i * 7 % 251) as u8).collect();
        alice.sends_file("big.bin", big.clone()).await;
        core.next_command::<ReceiveFile>().await;
        let want = format!("big.bin: {limit} bytes, SHA-256 {}", sha256_hex(&big));
        assert_eq!(alice.next_message().await, want);

        let mut bigger = big;
        bigger.push(0);
        alice.sends_file("bigger.bin", bigger).await;
        let refusal = alice.next_message().await;
        assert!(
            refusal.starts_with("Not received: ")
                && refusal.contains(
                    "(\"bigger.bin\") is 10485761 bytes, more than the limit of 10485760"
                ),
            "{refusal}"
        );
        assert!(
            core.try_next_command::<ReceiveFile>(Duration::from_millis(200))
                .await
                .is_none(),
            "a file over the limit is not accepted"
        );

        core.restart().await;
        assert!(bot.exits().await.success());
    })
    .await
}

/// A test core, a stand-in CLI relaying to it, and the `echo` example started with
/// `--spawn <stand-in> --db <its folder>/bot`, its set-up done.
#[cfg(target_os = "linux")]
async fn echo_on_spawn() -> (TestCore, crate::process::StandIn, Example) {
    let core = TestCore::start().await;
    let stand_in = crate::process::StandIn::serving_to(&core);
    let db = stand_in.dir().join("bot");
    let path = stand_in.path.to_str().expect("a UTF-8 path");
    let bot = Example::start(
        "echo",
        &["--spawn", path, "--db", db.to_str().expect("UTF-8")],
    );
    set_up(&core).await;
    (core, stand_in, bot)
}

/// `--spawn PATH --db PREFIX`: the example starts the CLI at `PATH` (a stand-in that relays
/// its port to this test's core) with the bot user named after its display name, answers as
/// over `ws://`, and on SIGTERM stops the CLI's whole process group, then exits 0.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_example_started_with_spawn_runs_its_core_and_stops_it() {
    use crate::process::assert_group_gone;

    within(async {
        let (core, stand_in, bot) = echo_on_spawn().await;
        let db = stand_in.dir().join("bot");

        let args = stand_in.args().expect("the CLI's arguments");
        let db_arg = db.to_str().expect("UTF-8");
        assert!(args.windows(2).any(|w| w == ["-d", db_arg]), "{args:?}");
        assert!(
            args.windows(2)
                .any(|w| w == ["--create-bot-display-name", "EchoBot"]),
            "{args:?}"
        );

        let alice = core.contact("alice");
        alice.sends_text("through the spawned core").await;
        assert_eq!(alice.next_message().await, "through the spawned core");

        // The bot owns this core: a dropped connection is made again (reconnect is on by
        // default for a spawned core), and the bot goes on.
        core.drop_connections().await;
        core.wait_for_connections(1).await;
        alice.sends_text("after the drop").await;
        assert_eq!(alice.next_message().await, "after the drop");

        let pid = stand_in.pid().expect("the CLI's pid");
        bot.signal("-TERM");
        assert!(bot.exits().await.success());
        assert_group_gone(pid, Duration::from_secs(10)).await;
    })
    .await;
}

/// A spawned core that exits under the bot ends it, with a failure status (the CLI's last
/// lines are printed), rather than a bot reconnecting forever to a port nobody serves.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_example_whose_spawned_core_exits_stops_with_a_failure() {
    within(async {
        let (_core, stand_in, bot) = echo_on_spawn().await;
        let pid = stand_in.pid().expect("the CLI's pid");
        let killed = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        assert!(
            !bot.exits().await.success(),
            "a core that died is a failure"
        );
    })
    .await;
}

/// The examples unchanged on the in-process core: `--lib <stand-in libsimplex> --db PREFIX`,
/// the stand-in relaying to the test core, which starts as a new database does (no user, the
/// chat not started): the bot creates its user and starts the chat itself.
#[cfg(all(feature = "ffi", target_os = "linux", target_env = "gnu"))]
mod on_the_library {
    use super::*;
    use crate::ffi::{stub_path, StubDb};

    async fn start(name: &str) -> (TestCore, StubDb, Example) {
        let core = TestCore::builder().no_user().chat_stopped().start().await;
        let db = StubDb::relaying_to(&core);
        let lib = stub_path().display().to_string();
        let prefix = db.prefix.display().to_string();
        let bot = Example::start(name, &["--lib", &lib, "--db", &prefix]);
        set_up(&core).await;
        assert!(
            core.world(|w| w.is_chat_running()),
            "the bot started the chat"
        );
        (core, db, bot)
    }

    /// SIGTERM stops the bot, which shuts the core down: `/_stop`, then the store closed.
    async fn stops(db: &StubDb, bot: Example) {
        bot.signal("-TERM");
        assert!(bot.exits().await.success());
        let calls = db.calls();
        assert!(calls.iter().any(|c| c == "send /_stop"), "{calls:?}");
        assert_eq!(calls.last().map(String::as_str), Some("close"), "{calls:?}");
    }

    #[tokio::test]
    async fn echo_runs_on_lib() {
        within(async {
            let (core, db, bot) = start("echo").await;
            assert_eq!(
                core.user().map(|u| u.profile.display_name),
                Some("EchoBot".into())
            );
            let alice = core.contact("alice");
            alice.sends_text("hello over ffi").await;
            assert_eq!(alice.next_message().await, "hello over ffi");
            stops(&db, bot).await;
        })
        .await
    }

    #[tokio::test]
    async fn squaring_runs_on_lib() {
        within(async {
            let (core, db, bot) = start("squaring").await;
            let alice = core.contact("alice");
            alice.sends_text("12").await;
            assert_eq!(alice.next_message().await, "144");
            alice.sends_text("twelve").await;
            assert_eq!(
                alice.next_message().await,
                "Send me an integer: I reply with its square."
            );
            stops(&db, bot).await;
        })
        .await
    }

    /// `files` on the library: received files are written by the test core where the bot
    /// asked, the completion comes through the library's receive thread, and the answer
    /// carries the size and the hash; a file over the limit is refused the same way.
    #[tokio::test]
    async fn files_runs_on_lib() {
        within(async {
            let (core, db, bot) = start("files").await;
            let alice = core.contact("alice");
            let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
            alice.sends_file("data.bin", bytes.clone()).await;
            core.next_command::<ReceiveFile>().await;
            let want = format!("data.bin: 100000 bytes, SHA-256 {}", sha256_hex(&bytes));
            assert_eq!(alice.next_message().await, want);
            alice
                .sends_file("huge.bin", vec![0; 10 * 1024 * 1024 + 1])
                .await;
            let refusal = alice.next_message().await;
            assert!(
                refusal.contains("is 10485761 bytes, more than the limit"),
                "{refusal}"
            );
            stops(&db, bot).await;
        })
        .await
    }
}
