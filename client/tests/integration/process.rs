//! `process::CoreProcess` against stand-ins for the `simplex-chat` CLI: shell scripts written to
//! a temporary folder that read the flags as the CLI does and then serve the bot API, die, never
//! listen, ignore `SIGTERM`, or print another version.
//!
//! The stand-in that serves runs this very test binary again (its `stand_in_core` test, with the
//! port in `SIMPLEX_STAND_IN_PORT`), which puts a test core behind the port the script was
//! given: the client then talks to a process that `CoreProcess` started, as to the real CLI.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use simplex_api_client::connect;
use simplex_api_client::process::{CoreProcess, CoreProcessBuilder, CoreProcessError, CoreVersion};
use simplex_api_client::testing::TestCore;
use simplex_api_types::commands::{ShowActiveUser, ShowActiveUserResponse};
use tokio::net::{TcpListener, TcpStream};

use crate::support::within;

/// Set in the stand-in's environment: the port the test core is to be served on.
const PORT_VAR: &str = "SIMPLEX_STAND_IN_PORT";

/// Set in the stand-in's environment to relay to a test core of the test that started it
/// (`HOST:PORT`) instead of one of its own.
const TARGET_VAR: &str = "SIMPLEX_STAND_IN_TARGET";

/// A version in the supported range.
const GOOD_VERSION: &str = "6.5.4.1";

/// A stand-in CLI in a temporary folder (removed when dropped).
pub(crate) struct StandIn {
    dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

impl StandIn {
    /// A script that answers `--version` with `SimpleX Chat v{version}`; started as a server,
    /// it records its arguments (one a line, in `args`), finds the `-p` port, prints the
    /// CLI's banner, then runs `body`.
    fn new(version: &str, body: &str) -> StandIn {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("simplex-chat");
        let script = format!(
            r#"#!/bin/sh
dir='{dir}'
if [ "$1" = "--version" ]; then
  echo "SimpleX Chat v{version}"
  exit 0
fi
printf '%s\n' "$@" > "$dir/args"
echo $$ > "$dir/pid"
port=
prev=
for a in "$@"; do
  if [ "$prev" = "-p" ]; then port=$a; fi
  prev=$a
done
echo "SimpleX Chat v{version}"
echo "db: $dir/bot_chat.db, $dir/bot_agent.db"
{body}
"#,
            dir = dir.path().display(),
        );
        std::fs::write(&path, script).expect("the script is written");
        make_executable(&path);
        StandIn { dir, path }
    }

    /// A stand-in that serves the bot API on its port (a test core behind it), with a
    /// grandchild (`sleep`) in its process group, whose pid it writes to `grandchild`.
    fn serving(version: &str) -> StandIn {
        StandIn::new(
            version,
            &format!(
                "sleep 30 >/dev/null 2>&1 &\necho $! > \"$dir/grandchild\"\n{}",
                serve_line()
            ),
        )
    }

    /// A stand-in that relays its port to the test core `core` of the calling test.
    pub(crate) fn serving_to(core: &TestCore) -> StandIn {
        let target = core.url().strip_prefix("ws://").expect("a ws:// URL");
        StandIn::new(
            GOOD_VERSION,
            &format!("export {TARGET_VAR}='{target}'\n{}", serve_line()),
        )
    }

    /// The folder the stand-in keeps its records in.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Settings for this stand-in, with the database in its folder and short timeouts.
    fn builder(&self) -> CoreProcessBuilder {
        self.builder_at(&self.dir.path().join("bot"))
    }

    /// Settings for this stand-in with the database at `prefix`.
    fn builder_at(&self, prefix: &Path) -> CoreProcessBuilder {
        CoreProcess::builder(prefix)
            .program(&self.path)
            .start_timeout(Duration::from_secs(10))
            .stop_timeout(Duration::from_secs(2))
    }

    /// The arguments it was started with as a server, or `None` when it never was.
    pub(crate) fn args(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.path().join("args")).ok()?;
        Some(text.lines().map(str::to_owned).collect())
    }

    /// The pid of its last start as a server (also its process group's id).
    pub(crate) fn pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.path().join("pid")).ok()?;
        text.trim().parse().ok()
    }

    /// The pid of the grandchild that [`StandIn::serving`] leaves in its group.
    fn grandchild(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.dir.path().join("grandchild")).ok()?;
        text.trim().parse().ok()
    }
}

/// The line that turns the script into the served test core (this test binary, again).
fn serve_line() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    format!(
        "exec env {PORT_VAR}=\"$port\" '{}' process::stand_in_core --exact --nocapture --quiet",
        exe.display()
    )
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The live (not zombie) processes in process group `pgid`, from `/proc`.
pub(crate) fn group_members(pgid: u32) -> Vec<u32> {
    let mut members = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return members;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string() {
            members.push(pid);
        }
    }
    members
}

/// Waits (at most `limit`) until process group `pgid` has no live process; panics naming
/// the ones left.
pub(crate) async fn assert_group_gone(pgid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let left = group_members(pgid);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "process group {pgid} still has {left:?} after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Serves a test core on `listener`: each connection is relayed to the test core's own port.
async fn serve(listener: TcpListener) {
    let core = TestCore::start().await;
    let target = core
        .url()
        .strip_prefix("ws://")
        .expect("a ws:// URL")
        .to_owned();
    relay(listener, target).await;
}

/// Relays each connection to `listener` to `target` (`HOST:PORT`).
async fn relay(listener: TcpListener, target: String) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            return;
        };
        let target = target.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(&target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// The stand-in's server when run by a stand-in script (with [`PORT_VAR`] set: it serves until
/// killed); otherwise a check that the relay to a test core answers as the core does.
#[tokio::test]
async fn stand_in_core() {
    if let Ok(port) = std::env::var(PORT_VAR) {
        let port: u16 = port.parse().expect("a port number");
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the stand-in's port is free");
        match std::env::var(TARGET_VAR) {
            Ok(target) => relay(listener, target).await,
            Err(_) => serve(listener).await,
        }
        return;
    }
    within(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener));
        let (client, _events) = connect(&url).await.unwrap();
        let answer = client.send(&ShowActiveUser::new()).await.unwrap();
        assert!(matches!(answer, ShowActiveUserResponse::ActiveUser(_)));
    })
    .await;
}

#[tokio::test]
async fn spawns_the_cli_with_the_bot_flags_and_serves_the_api() {
    within(async {
        let stand_in = StandIn::serving(GOOD_VERSION);
        let core = stand_in
            .builder()
            .bot_name("Echo bot")
            .allow_files(true)
            .arg("--files-folder")
            .arg("/tmp/files")
            .spawn()
            .await
            .unwrap();
        let port = core.port();
        assert_eq!(core.url(), format!("ws://127.0.0.1:{port}"));
        assert_eq!(core.version(), Some(CoreVersion::new(6, 5, 4, 1)));
        let db = stand_in.dir.path().join("bot").display().to_string();
        let expected: Vec<String> = [
            "-p",
            &port.to_string(),
            "-d",
            &db,
            "--create-bot-display-name",
            "Echo bot",
            "--create-bot-allow-files",
            "-y",
            "--files-folder",
            "/tmp/files",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(stand_in.args(), Some(expected));

        // The bot talks to the process that was started.
        let (client, _events) = connect(core.url()).await.unwrap();
        let answer = client.send(&ShowActiveUser::new()).await.unwrap();
        assert!(matches!(answer, ShowActiveUserResponse::ActiveUser(_)));

        // Its output was read: the banner is among the last lines.
        let lines = core.last_lines();
        assert!(
            lines.iter().any(|l| l == "SimpleX Chat v6.5.4.1"),
            "{lines:?}"
        );

        let pgid = core.id().unwrap();
        let grandchild = stand_in.grandchild().expect("the grandchild's pid");
        assert!(group_members(pgid).contains(&(grandchild as u32)));
        let status = core.stop().await.unwrap();
        assert!(!status.success(), "stopped by a signal: {status}");
        assert_group_gone(pgid, Duration::from_secs(2)).await;
    })
    .await;
}

#[tokio::test]
async fn without_a_bot_name_or_migrations_the_flags_are_left_out() {
    within(async {
        let stand_in = StandIn::serving(GOOD_VERSION);
        let core = stand_in
            .builder()
            .allow_files(true) // only with a bot name
            .confirm_migrations(false)
            .spawn()
            .await
            .unwrap();
        let db = stand_in.dir.path().join("bot").display().to_string();
        let port = core.port().to_string();
        assert_eq!(
            stand_in.args(),
            Some(vec!["-p".to_owned(), port, "-d".to_owned(), db])
        );
        core.stop().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_database_folder_is_created_and_a_blocked_one_is_named() {
    within(async {
        let stand_in = StandIn::serving(GOOD_VERSION);
        let prefix = stand_in.dir.path().join("data/bots/bot");
        let core = stand_in.builder_at(&prefix).spawn().await.unwrap();
        assert!(stand_in.dir.path().join("data/bots").is_dir());
        core.stop().await.unwrap();

        // A file where the folder should be.
        let blocked = stand_in.dir.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        let err = stand_in
            .builder_at(&blocked.join("bot"))
            .spawn()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CoreProcessError::DatabaseFolder { dir, .. } if *dir == blocked),
            "{err}"
        );
        assert!(err.to_string().contains("database folder"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn dropping_it_stops_the_process_group() {
    within(async {
        let stand_in = StandIn::serving(GOOD_VERSION);
        let core = stand_in.builder().spawn().await.unwrap();
        let pgid = core.id().unwrap();
        assert!(!group_members(pgid).is_empty());
        drop(core);
        assert_group_gone(pgid, Duration::from_secs(2)).await;
    })
    .await;
}

#[tokio::test]
async fn a_cli_that_ignores_sigterm_is_killed_after_the_stop_timeout() {
    within(async {
        let stand_in = StandIn::new(GOOD_VERSION, &format!("trap '' TERM\n{}", serve_line()));
        let core = stand_in
            .builder()
            .stop_timeout(Duration::from_millis(300))
            .spawn()
            .await
            .unwrap();
        let pgid = core.id().unwrap();
        let started = Instant::now();
        let status = core.stop().await.unwrap();
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(300), "stopped after {took:?}");
        assert!(!status.success());
        assert_group_gone(pgid, Duration::from_secs(2)).await;
    })
    .await;
}

#[tokio::test]
async fn a_cli_that_dies_at_once_gives_its_exit_status_and_last_lines() {
    within(async {
        let stand_in = StandIn::new(
            GOOD_VERSION,
            "printf 'not \\377 UTF-8\\n'\necho 'chat: SQLite3 returned ErrorBusy: database is locked' >&2\nexit 3",
        );
        let err = stand_in.builder().spawn().await.unwrap_err();
        let CoreProcessError::Exited {
            status, last_lines, ..
        } = &err
        else {
            panic!("not an early exit: {err}");
        };
        assert_eq!(status.code(), Some(3));
        assert!(last_lines.0.contains(&"SimpleX Chat v6.5.4.1".to_owned()));
        // Bytes that are not UTF-8 are replaced, not fatal.
        assert!(
            last_lines.0.contains(&"not \u{FFFD} UTF-8".to_owned()),
            "{last_lines:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("exited before it accepted connections"),
            "{text}"
        );
        assert!(text.contains("database is locked"), "{text}");
        assert!(text.contains("exit status: 3"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn a_cli_that_never_listens_times_out_with_its_last_lines_and_is_stopped() {
    within(async {
        let stand_in = StandIn::new(GOOD_VERSION, "echo 'waiting for nothing'\nexec sleep 30");
        let started = Instant::now();
        let err = stand_in
            .builder()
            .start_timeout(Duration::from_millis(400))
            .spawn()
            .await
            .unwrap_err();
        let took = started.elapsed();
        let CoreProcessError::NotListening { port, waited, .. } = &err else {
            panic!("not a timeout: {err}");
        };
        assert_eq!(*waited, Duration::from_millis(400));
        // It gave up at its timeout (with room for a loaded machine), not at the test's limit.
        assert!(took < Duration::from_secs(10), "gave up after {took:?}");
        let text = err.to_string();
        assert!(text.contains(&format!("port {port}")), "{text}");
        assert!(text.contains("waiting for nothing"), "{text}");
        // The `sleep` it became was stopped.
        let args = stand_in.args().unwrap();
        assert!(args.contains(&port.to_string()));
        assert_group_gone(stand_in.pid().unwrap(), Duration::from_secs(2)).await;
    })
    .await;
}

#[tokio::test]
async fn a_missing_cli_is_named() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("simplex-chat");
        let err = CoreProcess::builder(dir.path().join("bot"))
            .program(&path)
            .spawn()
            .await
            .unwrap_err();
        assert!(matches!(err, CoreProcessError::NotFound { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!("the chat core CLI {} was not found", path.display())
        );

        let err = CoreProcess::builder(dir.path().join("bot"))
            .program("simplex-chat-that-is-not-installed")
            .spawn()
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the chat core CLI simplex-chat-that-is-not-installed was not found on PATH"
        );
    })
    .await;
}

#[tokio::test]
async fn a_wrong_version_is_refused_under_strict_checking_before_the_server_starts() {
    within(async {
        let stand_in = StandIn::serving("5.4.2");
        let err = stand_in
            .builder()
            .strict_version(true)
            .spawn()
            .await
            .unwrap_err();
        let CoreProcessError::UnsupportedVersion { found, .. } = &err else {
            panic!("not a version error: {err}");
        };
        assert_eq!(*found, CoreVersion::new(5, 4, 2, 0));
        let text = err.to_string();
        assert!(text.contains("is version 5.4.2"), "{text}");
        assert!(
            text.contains("made for 6.4.3 up to (not including) 6.6.0"),
            "{text}"
        );
        assert_eq!(stand_in.args(), None, "the server was started");
    })
    .await;
}

/// A `tracing` subscriber that keeps every event as `LEVEL target: message`.
#[derive(Clone, Default)]
struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        let meta = event.metadata();
        let line = format!("{} {}: {}", meta.level(), meta.target(), message.0);
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn a_wrong_version_only_warns_by_default() {
    // The test's runtime runs every task on this thread, so the recorder sees them all.
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    within(async {
        let stand_in = StandIn::serving("5.4.2");
        let core = stand_in.builder().spawn().await.unwrap();
        assert_eq!(core.version(), Some(CoreVersion::new(5, 4, 2, 0)));
        let events = recorder.events();
        assert!(
            events.iter().any(|e| e.starts_with("WARN ")
                && e.contains("is version 5.4.2")
                && e.contains("made for 6.4.3 up to (not including) 6.6.0")),
            "{events:#?}"
        );
        // Its output goes to `tracing` too, line by line.
        assert!(
            events.contains(&"INFO simplex_chat: SimpleX Chat v5.4.2".to_owned()),
            "{events:#?}"
        );
        let (client, _events) = connect(core.url()).await.unwrap();
        client.send(&ShowActiveUser::new()).await.unwrap();
        core.stop().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_version_is_refused_under_strict_checking() {
    within(async {
        let stand_in = StandIn::serving("garbled");
        let err = stand_in
            .builder()
            .strict_version(true)
            .spawn()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CoreProcessError::UnknownVersion { output, .. } if output == "SimpleX Chat vgarbled"),
            "{err}"
        );
        // Without strict checking it starts, its version unknown.
        let core = stand_in.builder().spawn().await.unwrap();
        assert_eq!(core.version(), None);
        core.stop().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_picked_port_found_taken_is_picked_again() {
    within(async {
        // The first start fails as the CLI does when its port is taken; the second serves.
        let stand_in = StandIn::new(
            GOOD_VERSION,
            &format!(
                "if [ ! -e \"$dir/tried\" ]; then\n  touch \"$dir/tried\"\n  \
                 echo 'chat: Network.Socket.bind: resource busy (Address already in use)' >&2\n  \
                 exit 1\nfi\n{}",
                serve_line()
            ),
        );
        let core = stand_in.builder().spawn().await.unwrap();
        let (client, _events) = connect(core.url()).await.unwrap();
        client.send(&ShowActiveUser::new()).await.unwrap();
        core.stop().await.unwrap();

        // A port the caller chose is not changed.
        std::fs::remove_file(stand_in.dir.path().join("tried")).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = stand_in.builder().port(port).spawn().await.unwrap_err();
        assert!(err.to_string().contains("Address already in use"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn only_the_last_lines_are_kept() {
    within(async {
        let stand_in = StandIn::new(
            GOOD_VERSION,
            "i=0\nwhile [ $i -lt 100 ]; do echo \"line $i\"; i=$((i+1)); done\nexit 1",
        );
        let err = stand_in.builder().keep_lines(3).spawn().await.unwrap_err();
        let CoreProcessError::Exited { last_lines, .. } = err else {
            panic!("not an early exit: {err}");
        };
        assert_eq!(last_lines.0, ["line 97", "line 98", "line 99"]);
    })
    .await;
}

#[tokio::test]
async fn wait_returns_when_the_cli_dies_by_itself_and_drop_cleans_its_group() {
    within(async {
        let stand_in = StandIn::serving(GOOD_VERSION);
        let mut core = stand_in.builder().spawn().await.unwrap();
        let pgid = core.id().unwrap();
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pgid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = core.wait().await.unwrap();
        assert!(!status.success(), "{status}");
        // The grandchild it left is still in the group until the CoreProcess goes.
        assert!(!group_members(pgid).is_empty());
        drop(core);
        assert_group_gone(pgid, Duration::from_secs(2)).await;
    })
    .await;
}
