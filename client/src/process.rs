//! Starting and stopping the `simplex-chat` CLI as the bot's own chat core.
//!
//! [`CoreProcess::builder`] takes the database prefix; [`CoreProcessBuilder::spawn`] runs the
//! CLI as a WebSocket server on a free loopback port, waits until it accepts connections, and
//! returns the [`CoreProcess`], whose [`url`](CoreProcess::url) the bot connects to:
//!
//! ```no_run
//! use simplex_api_client::{connect, process::CoreProcess};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let core = CoreProcess::builder("./bot-db/bot")
//!     .bot_name("Echo bot") // the bot user, created on first start
//!     .spawn()
//!     .await?;
//! let (client, events) = connect(core.url()).await?;
//! // ... run the bot ...
//! # let _ = (client, events);
//! core.stop().await?;
//! # Ok(())
//! # }
//! ```
//!
//! # What it runs
//!
//! The CLI (`simplex-chat`, looked up on `PATH`, or [`CoreProcessBuilder::program`]) is first
//! run as `simplex-chat --version`, to read its version (see [Versions](#versions)). Then it is
//! started as
//!
//! ```text
//! simplex-chat -p PORT -d DB_PREFIX [--create-bot-display-name NAME [--create-bot-allow-files]] [-y] [ARGS...]
//! ```
//!
//! * `-p PORT`: a free loopback port, found by binding `127.0.0.1:0` and releasing it (or the one
//!   given with [`CoreProcessBuilder::port`]). Should another program take the port in between,
//!   the CLI stops at once; a port picked this way is then picked again, up to three times.
//! * `-d DB_PREFIX`: the CLI's database files are `DB_PREFIX_chat.db` and `DB_PREFIX_agent.db`;
//!   their folder is created when missing.
//! * `--create-bot-display-name NAME` ([`CoreProcessBuilder::bot_name`]): on a new database the
//!   CLI creates the user as a bot with this display name, instead of asking for a name on its
//!   input; `--create-bot-allow-files` ([`CoreProcessBuilder::allow_files`]) lets that bot
//!   receive files. On a database that has a user they change nothing. Without a bot name and
//!   without a user, the CLI asks on its input, which is closed, so it stops: the error shows
//!   what it said.
//! * `-y` ([`CoreProcessBuilder::confirm_migrations`], on by default): the CLI applies the
//!   "up" database migrations a newer version brings without asking. Off, a database that needs
//!   migrations makes the CLI stop with an error instead (it would ask on its input, which is
//!   closed). "Down" migrations (an older CLI on a newer database) are never confirmed: the CLI
//!   stops, and the error shows what it said.
//! * Anything given with [`CoreProcessBuilder::arg`] (a files folder, a log level, servers...).
//!
//! The CLI runs in a process group of its own (on Unix), with its input closed and its output
//! read line by line: each line is logged with [`tracing`] (target `simplex_chat`, standard
//! output at `info`, standard error at `warn`), and the last lines are kept
//! ([`CoreProcessBuilder::keep_lines`], 50 by default; [`CoreProcess::last_lines`]).
//!
//! [`spawn`](CoreProcessBuilder::spawn) returns once a WebSocket handshake with the CLI succeeds
//! (tried again after 5 ms, then at doubling intervals up to 50 ms, for at most
//! [`CoreProcessBuilder::start_timeout`], 60 s by default: a first start creates the database).
//! It fails, saying which, when the CLI is not there ([`CoreProcessError::NotFound`]), stops
//! before accepting connections ([`CoreProcessError::Exited`], with its exit status), or does
//! not accept them in time ([`CoreProcessError::NotListening`]); both of the last show the CLI's
//! last lines, and a CLI that did not stop is stopped before the error is returned.
//!
//! # Versions
//!
//! The types of `simplex-api-types` were generated from the bot API docs of one version of the
//! core; [`SUPPORTED_CORE_VERSIONS`] is the range of core versions this crate is made for. A
//! CLI outside it (or one whose version cannot be read) is logged with `tracing::warn!` naming
//! both, and started all the same; with [`CoreProcessBuilder::strict_version`] it is not started
//! and `spawn` fails with [`CoreProcessError::UnsupportedVersion`] (or
//! [`CoreProcessError::UnknownVersion`]). The version is read before the server starts, so a
//! refused CLI never opens (or migrates) the database.
//!
//! # Stopping
//!
//! [`CoreProcess::stop`] sends `SIGTERM` to the CLI's process group, waits for the CLI to exit
//! for at most [`CoreProcessBuilder::stop_timeout`] (5 s by default), then sends `SIGKILL` to the
//! group; once the CLI has exited, anything left in its group is killed too. Dropping the
//! `CoreProcess` without stopping it sends `SIGTERM` to the group at once, and `SIGKILL` after
//! the stop timeout from a background thread; a program that exits sooner than that leaves only
//! the `SIGTERM` sent, so await `stop` where you can. (On other platforms than Unix the CLI
//! alone is killed.)

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

/// The program looked up on `PATH` unless [`CoreProcessBuilder::program`] names another.
pub const DEFAULT_PROGRAM: &str = "simplex-chat";

/// The range of `simplex-chat` core versions this crate is made for.
///
/// The types come from the bot API docs (`bots/api/` of `simplex-chat/simplex-chat`) at commit
/// `1249553e` (COMMANDS.md, TYPES.md; EVENTS.md at `85b5f03d`), as the repository's
/// `docs/SOURCE.md` records. Those docs describe the bot profiles and command menus that cores
/// have since v6.4.3, and the captured frames the tests decode come from v6.3-era cores and
/// v6.5.4.1. So: from 6.4.3, below 6.6. A core outside this range may still work (the types
/// accept what they do not know), but commands or responses may differ.
pub const SUPPORTED_CORE_VERSIONS: CoreVersionRange = CoreVersionRange {
    min: CoreVersion::new(6, 4, 3, 0),
    below: CoreVersion::new(6, 6, 0, 0),
};

/// How long after a failed try the WebSocket is tried again while the CLI starts: first this,
/// then twice as long each time, up to [`PROBE_INTERVAL`].
const FIRST_PROBE_INTERVAL: Duration = Duration::from_millis(5);

/// The longest wait between tries of the WebSocket while the CLI starts.
const PROBE_INTERVAL: Duration = Duration::from_millis(50);

/// How long a line read from the CLI may be before it is cut, in bytes.
const MAX_LINE: usize = 4096;

/// How many times a picked port is picked again when the CLI finds it taken.
const PORT_ATTEMPTS: usize = 3;

/// How long the output of a CLI that exited is waited for (the pipes close when it exits,
/// unless something it started still holds them).
const OUTPUT_GRACE: Duration = Duration::from_millis(500);

/// A version of the `simplex-chat` core, such as `6.5.4.1` (missing parts are 0).
///
/// ```
/// use simplex_api_client::process::CoreVersion;
///
/// let v = CoreVersion::parse("SimpleX Chat v6.5.4.1").unwrap();
/// assert_eq!(v, CoreVersion::new(6, 5, 4, 1));
/// assert_eq!(v.to_string(), "6.5.4.1");
/// assert_eq!(CoreVersion::parse("v6.4").unwrap().to_string(), "6.4.0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CoreVersion {
    parts: [u32; 4],
}

impl CoreVersion {
    /// The version `major.minor.patch.build`.
    pub const fn new(major: u32, minor: u32, patch: u32, build: u32) -> Self {
        CoreVersion {
            parts: [major, minor, patch, build],
        }
    }

    /// Finds the first version in `text`: a `v` followed by numbers separated by dots (at least
    /// two numbers, at most four), as the CLI prints it (`SimpleX Chat v6.5.4.1`). A bare
    /// `6.5.4` without the `v` is read too when the text holds no `v` version.
    pub fn parse(text: &str) -> Option<Self> {
        let with_v = text
            .match_indices('v')
            .filter(|(i, _)| {
                *i == 0
                    || !text[..*i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_ascii_alphanumeric())
            })
            .find_map(|(i, _)| Self::parse_numbers(&text[i + 1..]));
        with_v.or_else(|| {
            text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .find_map(Self::parse_numbers)
        })
    }

    /// Reads `N.N[.N[.N]]` from the start of `s`.
    fn parse_numbers(s: &str) -> Option<Self> {
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let numbers: Vec<&str> = s[..end].trim_end_matches('.').split('.').collect();
        if numbers.len() < 2 || numbers.len() > 4 {
            return None;
        }
        let mut parts = [0; 4];
        for (part, n) in parts.iter_mut().zip(&numbers) {
            *part = n.parse().ok()?;
        }
        Some(CoreVersion { parts })
    }

    /// The major version (`6` in `6.5.4.1`).
    pub fn major(&self) -> u32 {
        self.parts[0]
    }

    /// The minor version (`5` in `6.5.4.1`).
    pub fn minor(&self) -> u32 {
        self.parts[1]
    }

    /// The patch version (`4` in `6.5.4.1`).
    pub fn patch(&self) -> u32 {
        self.parts[2]
    }

    /// The build number (`1` in `6.5.4.1`; 0 when the version has three parts).
    pub fn build(&self) -> u32 {
        self.parts[3]
    }
}

impl fmt::Display for CoreVersion {
    /// Three parts, and the fourth when it is not 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.parts;
        write!(f, "{a}.{b}.{c}")?;
        if d != 0 {
            write!(f, ".{d}")?;
        }
        Ok(())
    }
}

/// A range of core versions: from [`min`](CoreVersionRange::min) (included) to
/// [`below`](CoreVersionRange::below) (excluded).
///
/// ```
/// use simplex_api_client::process::{CoreVersion, SUPPORTED_CORE_VERSIONS};
///
/// assert!(SUPPORTED_CORE_VERSIONS.contains(CoreVersion::new(6, 5, 4, 1)));
/// assert!(!SUPPORTED_CORE_VERSIONS.contains(CoreVersion::new(5, 4, 0, 0)));
/// println!("made for simplex-chat {SUPPORTED_CORE_VERSIONS}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoreVersionRange {
    /// The oldest version in the range.
    pub min: CoreVersion,
    /// The first version after the range.
    pub below: CoreVersion,
}

impl CoreVersionRange {
    /// Whether `version` is in the range.
    pub fn contains(&self, version: CoreVersion) -> bool {
        self.min <= version && version < self.below
    }
}

impl fmt::Display for CoreVersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} up to (not including) {}", self.min, self.below)
    }
}

/// The last lines the CLI wrote (standard output and error, in the order read), shown in
/// errors.
///
/// ```
/// use simplex_api_client::process::LastLines;
///
/// let lines = LastLines(vec!["SimpleX Chat v6.5.4.1".into(), "database is locked".into()]);
/// assert_eq!(lines.to_string(), "\n    SimpleX Chat v6.5.4.1\n    database is locked");
/// assert_eq!(LastLines::default().to_string(), "(no output)");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastLines(pub Vec<String>);

impl fmt::Display for LastLines {
    /// `(no output)`, or each line on a line of its own, indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(no output)");
        }
        for line in &self.0 {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

/// Why [`CoreProcessBuilder::spawn`] (or [`CoreProcess::stop`]) failed.
///
/// Its `Display` says which, and shows the CLI's last lines where there are some:
///
/// ```no_run
/// use simplex_api_client::process::{CoreProcess, CoreProcessError};
///
/// # async fn run() {
/// match CoreProcess::builder("./bot").bot_name("bot").spawn().await {
///     Ok(core) => println!("listening on {}", core.url()),
///     Err(CoreProcessError::NotFound { program }) => {
///         eprintln!("install simplex-chat, or name it: {}", program.display())
///     }
///     Err(CoreProcessError::Exited { status, last_lines, .. }) => {
///         eprintln!("the core stopped ({status}):{last_lines}")
///     }
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreProcessError {
    /// The CLI is not there: no such file, or (for a bare name) not found on `PATH`.
    #[error("the chat core CLI {} was not found{}", .program.display(), if is_bare(.program) { " on PATH" } else { "" })]
    NotFound {
        /// The program as given.
        program: PathBuf,
    },
    /// The CLI could not be started (not executable, for example).
    #[error("cannot start the chat core CLI {}: {source}", .program.display())]
    Spawn {
        /// The program as given.
        program: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The CLI stopped before it accepted WebSocket connections.
    #[error("the chat core CLI {} exited before it accepted connections ({status}); its last lines: {last_lines}", .program.display())]
    Exited {
        /// The program as given.
        program: PathBuf,
        /// Its exit status.
        status: ExitStatus,
        /// What it wrote last.
        last_lines: LastLines,
    },
    /// The CLI did not accept WebSocket connections on its port in time; it was stopped.
    #[error("the chat core CLI {} did not accept connections on port {port} within {waited:?}; its last lines: {last_lines}", .program.display())]
    NotListening {
        /// The program as given.
        program: PathBuf,
        /// The port it was given.
        port: u16,
        /// How long it was waited for.
        waited: Duration,
        /// What it wrote last.
        last_lines: LastLines,
    },
    /// Under [`CoreProcessBuilder::strict_version`]: the CLI's version is outside the range
    /// this crate is made for. It was not started as a server.
    #[error("the chat core CLI {} is version {found}, but this crate is made for {supported}", .program.display())]
    UnsupportedVersion {
        /// The program as given.
        program: PathBuf,
        /// The version it printed.
        found: CoreVersion,
        /// [`SUPPORTED_CORE_VERSIONS`].
        supported: CoreVersionRange,
    },
    /// Under [`CoreProcessBuilder::strict_version`]: `--version` printed no version (or did not
    /// finish in time). The CLI was not started as a server.
    #[error("cannot read the version of the chat core CLI {} from `--version`: {output}", .program.display())]
    UnknownVersion {
        /// The program as given.
        program: PathBuf,
        /// What `--version` wrote, or why there is nothing.
        output: String,
    },
    /// The folder of the database prefix could not be created.
    #[error("cannot create the chat core's database folder {}: {source}", .dir.display())]
    DatabaseFolder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Finding a free port, or waiting for the CLI, failed.
    #[error("cannot run the chat core CLI: {0}")]
    Io(#[from] std::io::Error),
}

/// Whether `program` is a bare name (looked up on `PATH`).
fn is_bare(program: &Path) -> bool {
    program.components().count() == 1 && !program.is_absolute()
}

/// Settings for starting the CLI: [`CoreProcess::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use simplex_api_client::process::CoreProcess;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let core = CoreProcess::builder("/var/lib/my-bot/bot")
///     .program("/opt/simplex/bin/simplex-chat")
///     .bot_name("My bot")
///     .allow_files(true)
///     .strict_version(true)
///     .arg("--files-folder")
///     .arg("/var/lib/my-bot/files")
///     .start_timeout(Duration::from_secs(120))
///     .spawn()
///     .await?;
/// println!("the core listens on {}", core.url());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CoreProcessBuilder {
    program: PathBuf,
    db_prefix: PathBuf,
    bot_name: Option<String>,
    allow_files: bool,
    confirm_migrations: bool,
    port: Option<u16>,
    args: Vec<OsString>,
    strict_version: bool,
    start_timeout: Duration,
    stop_timeout: Duration,
    keep_lines: usize,
}

impl CoreProcessBuilder {
    /// The CLI to run: a path, or a bare name looked up on `PATH` (default
    /// [`DEFAULT_PROGRAM`], `simplex-chat`).
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// The display name of the bot user the CLI creates on a new database
    /// (`--create-bot-display-name`). Default: none (the database must have a user).
    pub fn bot_name(mut self, name: impl Into<String>) -> Self {
        self.bot_name = Some(name.into());
        self
    }

    /// Whether the bot user created on a new database may receive files
    /// (`--create-bot-allow-files`; only with [`bot_name`](Self::bot_name)). Default: no.
    pub fn allow_files(mut self, allow: bool) -> Self {
        self.allow_files = allow;
        self
    }

    /// Whether the CLI applies "up" database migrations without asking (`-y`, `--yes-migrate`).
    /// Default: yes.
    pub fn confirm_migrations(mut self, confirm: bool) -> Self {
        self.confirm_migrations = confirm;
        self
    }

    /// The port to listen on, instead of a free one picked at start.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Another argument for the CLI, after the ones this builder sets.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Refuse a CLI whose version is outside [`SUPPORTED_CORE_VERSIONS`], or cannot be read,
    /// instead of only logging a warning. Default: no.
    pub fn strict_version(mut self, strict: bool) -> Self {
        self.strict_version = strict;
        self
    }

    /// How long `--version` and the start (until the WebSocket accepts) may take, each.
    /// Default: 60 s.
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// How long [`CoreProcess::stop`] waits for the CLI to exit after `SIGTERM` before it
    /// sends `SIGKILL`. Default: 5 s.
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop_timeout = timeout;
        self
    }

    /// How many of the CLI's last output lines are kept for errors and
    /// [`CoreProcess::last_lines`]. Default: 50.
    pub fn keep_lines(mut self, lines: usize) -> Self {
        self.keep_lines = lines;
        self
    }

    /// The arguments the server is started with on `port`.
    fn server_args(&self, port: u16) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "-p".into(),
            port.to_string().into(),
            "-d".into(),
            self.db_prefix.clone().into_os_string(),
        ];
        if let Some(name) = &self.bot_name {
            args.push("--create-bot-display-name".into());
            args.push(name.into());
            if self.allow_files {
                args.push("--create-bot-allow-files".into());
            }
        }
        if self.confirm_migrations {
            args.push("-y".into());
        }
        args.extend(self.args.iter().cloned());
        args
    }

    /// Checks the CLI's version, starts it, and waits until its WebSocket accepts connections.
    /// Must be called within a Tokio runtime. See the [module docs](self) for what it runs and
    /// how it fails.
    ///
    /// ```no_run
    /// use simplex_api_client::process::CoreProcess;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let core = CoreProcess::builder("./bot").bot_name("bot").spawn().await?;
    /// assert!(core.url().starts_with("ws://127.0.0.1:"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn spawn(self) -> Result<CoreProcess, CoreProcessError> {
        let version = self.check_version().await?;
        if let Some(dir) = self
            .db_prefix
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| CoreProcessError::DatabaseFolder {
                dir: dir.to_owned(),
                source,
            })?;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = match self.port {
                Some(port) => port,
                None => free_port()?,
            };
            match self.start_on(port, version).await {
                Err(CoreProcessError::Exited { ref last_lines, .. })
                    if self.port.is_none()
                        && attempt < PORT_ATTEMPTS
                        && last_lines
                            .0
                            .iter()
                            .any(|l| l.to_ascii_lowercase().contains("address already in use")) =>
                {
                    tracing::info!(port, "the picked port was taken; picking another");
                }
                result => return result,
            }
        }
    }

    /// Runs `--version`; returns the version, or the error under strict checking.
    async fn check_version(&self) -> Result<Option<CoreVersion>, CoreProcessError> {
        let mut command = Command::new(&self.program);
        command
            .arg("--version")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = command.spawn().map_err(|e| self.spawn_error(e))?;
        let output = tokio::time::timeout(self.start_timeout, child.wait_with_output()).await;
        let text = match output {
            Ok(Ok(out)) => {
                let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&out.stderr));
                text
            }
            Ok(Err(e)) => format!("(reading its output failed: {e})"),
            Err(_) => format!("(it did not finish within {:?})", self.start_timeout),
        };
        let program = self.program.display();
        match CoreVersion::parse(&text) {
            Some(found) if SUPPORTED_CORE_VERSIONS.contains(found) => {
                tracing::debug!(%program, version = %found, "chat core version");
                Ok(Some(found))
            }
            Some(found) if self.strict_version => Err(CoreProcessError::UnsupportedVersion {
                program: self.program.clone(),
                found,
                supported: SUPPORTED_CORE_VERSIONS,
            }),
            Some(found) => {
                tracing::warn!(
                    %program,
                    version = %found,
                    supported = %SUPPORTED_CORE_VERSIONS,
                    "the chat core CLI is version {found}, but this crate is made for \
                     {SUPPORTED_CORE_VERSIONS}; starting it all the same",
                );
                Ok(Some(found))
            }
            None if self.strict_version => Err(CoreProcessError::UnknownVersion {
                program: self.program.clone(),
                output: shorten(text.trim()),
            }),
            None => {
                tracing::warn!(
                    %program,
                    output = shorten(text.trim()),
                    supported = %SUPPORTED_CORE_VERSIONS,
                    "cannot read the chat core CLI's version (this crate is made for \
                     {SUPPORTED_CORE_VERSIONS}); starting it all the same",
                );
                Ok(None)
            }
        }
    }

    /// The error for a failed spawn of the program.
    fn spawn_error(&self, e: std::io::Error) -> CoreProcessError {
        if e.kind() == std::io::ErrorKind::NotFound {
            CoreProcessError::NotFound {
                program: self.program.clone(),
            }
        } else {
            CoreProcessError::Spawn {
                program: self.program.clone(),
                source: e,
            }
        }
    }

    /// Starts the server on `port` and waits for it.
    async fn start_on(
        &self,
        port: u16,
        version: Option<CoreVersion>,
    ) -> Result<CoreProcess, CoreProcessError> {
        let mut command = Command::new(&self.program);
        command
            .args(self.server_args(port))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        let started = Instant::now();
        let mut child = command.spawn().map_err(|e| self.spawn_error(e))?;
        let pid = child.id();
        tracing::info!(
            program = %self.program.display(),
            pid,
            port,
            "started the chat core CLI",
        );
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(tokio::spawn(forward(
                out,
                false,
                pid,
                Arc::clone(&lines),
                self.keep_lines,
            )));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(tokio::spawn(forward(
                err,
                true,
                pid,
                Arc::clone(&lines),
                self.keep_lines,
            )));
        }
        let mut core = CoreProcess {
            url: format!("ws://127.0.0.1:{port}"),
            port,
            version,
            pid,
            child: Some(child),
            lines,
            readers,
            stop_timeout: self.stop_timeout,
        };
        let deadline = started + self.start_timeout;
        let mut probe = FIRST_PROBE_INTERVAL;
        loop {
            if let Some(status) = core.try_exited()? {
                core.drain_output().await;
                return Err(CoreProcessError::Exited {
                    program: self.program.clone(),
                    status,
                    last_lines: LastLines(core.last_lines()),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let attempt = tokio::time::timeout(
                deadline - now,
                tokio_tungstenite::connect_async(core.url.as_str()),
            )
            .await;
            if let Ok(Ok((mut ws, _))) = attempt {
                // Only a check: the bot connects on its own.
                let _ = ws.close(None).await;
                tracing::info!(
                    url = core.url,
                    after = ?started.elapsed(),
                    "the chat core CLI accepts connections",
                );
                return Ok(core);
            }
            tokio::time::sleep(probe.min(deadline.saturating_duration_since(Instant::now()))).await;
            probe = (probe * 2).min(PROBE_INTERVAL);
        }
        let _ = core.stop_now().await;
        Err(CoreProcessError::NotListening {
            program: self.program.clone(),
            port,
            waited: self.start_timeout,
            last_lines: LastLines(core.last_lines()),
        })
    }
}

/// `text` cut to its first [`MAX_LINE`] bytes (on a character boundary), marked when cut.
fn shorten(text: &str) -> String {
    if text.len() <= MAX_LINE {
        return text.to_owned();
    }
    let mut end = MAX_LINE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} [...]", &text[..end])
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

/// Reads the CLI's output line by line, logs each line and keeps the last `keep`.
async fn forward<R: AsyncRead + Unpin>(
    out: R,
    is_stderr: bool,
    pid: Option<u32>,
    lines: Arc<Mutex<VecDeque<String>>>,
    keep: usize,
) {
    let mut reader = BufReader::new(out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        let line = shorten(&String::from_utf8_lossy(&buf));
        if is_stderr {
            tracing::warn!(target: "simplex_chat", pid, "{line}");
        } else {
            tracing::info!(target: "simplex_chat", pid, "{line}");
        }
        if keep > 0 {
            let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
            if lines.len() == keep {
                lines.pop_front();
            }
            lines.push_back(line);
        }
    }
}

/// A running `simplex-chat` CLI, serving the bot API on [`url`](CoreProcess::url) (see the
/// [module docs](self)). Stopped (its whole process group) by [`stop`](CoreProcess::stop) or
/// when dropped.
///
/// ```no_run
/// use simplex_api_client::process::CoreProcess;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let core = CoreProcess::builder("./bot").bot_name("bot").spawn().await?;
/// println!("{} (version {:?}) on {}", core.id().unwrap_or(0), core.version(), core.url());
/// let status = core.stop().await?;
/// println!("the core exited: {status}");
/// # Ok(())
/// # }
/// ```
pub struct CoreProcess {
    url: String,
    port: u16,
    version: Option<CoreVersion>,
    pid: Option<u32>,
    child: Option<Child>,
    lines: Arc<Mutex<VecDeque<String>>>,
    readers: Vec<JoinHandle<()>>,
    stop_timeout: Duration,
}

impl fmt::Debug for CoreProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoreProcess")
            .field("url", &self.url)
            .field("pid", &self.pid)
            .field("version", &self.version)
            .finish()
    }
}

impl CoreProcess {
    /// Settings for a CLI with its database at `db_prefix` (the CLI's `-d`: its files are
    /// `{db_prefix}_chat.db` and `{db_prefix}_agent.db`; the folder is created when missing).
    ///
    /// ```
    /// use simplex_api_client::process::CoreProcess;
    ///
    /// let builder = CoreProcess::builder("./data/bot").bot_name("My bot");
    /// # let _ = builder;
    /// ```
    pub fn builder(db_prefix: impl Into<PathBuf>) -> CoreProcessBuilder {
        CoreProcessBuilder {
            program: PathBuf::from(DEFAULT_PROGRAM),
            db_prefix: db_prefix.into(),
            bot_name: None,
            allow_files: false,
            confirm_migrations: true,
            port: None,
            args: Vec::new(),
            strict_version: false,
            start_timeout: Duration::from_secs(60),
            stop_timeout: Duration::from_secs(5),
            keep_lines: 50,
        }
    }

    /// The URL of its WebSocket server, `ws://127.0.0.1:PORT`, for [`connect`](crate::connect).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its version, as `--version` printed it (`None` when that could not be read).
    pub fn version(&self) -> Option<CoreVersion> {
        self.version
    }

    /// Its process id (also the id of its process group on Unix); `None` once it was stopped.
    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().and(self.pid)
    }

    /// The last lines it wrote (standard output and error, in the order read; at most
    /// [`CoreProcessBuilder::keep_lines`]).
    pub fn last_lines(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect()
    }

    /// Whether it has exited (by itself: the bot's connection then ends too), with its status.
    pub fn try_exited(&mut self) -> std::io::Result<Option<ExitStatus>> {
        match &mut self.child {
            Some(child) => child.try_wait(),
            None => Ok(None),
        }
    }

    /// Waits until it exits by itself (the CLI stopped or crashed; the bot's connection ends
    /// then too), and returns its exit status. Cancel-safe: dropping the future leaves it
    /// running, so a bot can `select!` on this beside its own work. It stays a `CoreProcess`:
    /// [`stop`](Self::stop) or dropping it still cleans up its process group.
    ///
    /// ```no_run
    /// use simplex_api_client::process::CoreProcess;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut core = CoreProcess::builder("./bot").bot_name("bot").spawn().await?;
    /// let status = core.wait().await?;
    /// eprintln!("the core exited: {status}; its last lines: {:?}", core.last_lines());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match &mut self.child {
            Some(child) => child.wait().await,
            None => Err(std::io::Error::other(
                "the chat core CLI was stopped already",
            )),
        }
    }

    /// Stops it: `SIGTERM` to its process group, `SIGKILL` after the stop timeout (see the
    /// [module docs](self#stopping)); returns its exit status.
    pub async fn stop(mut self) -> Result<ExitStatus, CoreProcessError> {
        Ok(self.stop_now().await?)
    }

    /// Waits a little for the output readers to finish, so that the last lines are complete.
    async fn drain_output(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = tokio::time::timeout(OUTPUT_GRACE, reader).await;
        }
    }

    /// Stops the process group and reaps the CLI.
    async fn stop_now(&mut self) -> std::io::Result<ExitStatus> {
        let Some(mut child) = self.child.take() else {
            return Err(std::io::Error::other(
                "the chat core CLI was stopped already",
            ));
        };
        if let Some(status) = child.try_wait()? {
            signal_group(self.pid, Signal::Kill);
            return Ok(status);
        }
        signal_group(self.pid, Signal::Term);
        #[cfg(not(unix))]
        let _ = child.start_kill();
        let status = match tokio::time::timeout(self.stop_timeout, child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                tracing::warn!(
                    pid = self.pid,
                    "the chat core CLI did not stop within {:?}; killing it",
                    self.stop_timeout,
                );
                signal_group(self.pid, Signal::Kill);
                child.start_kill().ok();
                child.wait().await?
            }
        };
        // Whatever it started and left behind.
        signal_group(self.pid, Signal::Kill);
        tracing::info!(pid = self.pid, %status, "the chat core CLI stopped");
        self.drain_output().await;
        Ok(status)
    }
}

impl Drop for CoreProcess {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            signal_group(self.pid, Signal::Kill);
            return;
        }
        signal_group(self.pid, Signal::Term);
        let (pid, timeout) = (self.pid, self.stop_timeout);
        let spawned = std::thread::Builder::new()
            .name("simplex-chat-stop".into())
            .spawn(move || {
                let deadline = Instant::now() + timeout;
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                signal_group(pid, Signal::Kill);
                // Reap it, so that no zombie is left; should that take longer, `kill_on_drop`
                // kills the CLI itself and Tokio reaps it later.
                let deadline = Instant::now() + Duration::from_secs(1);
                while Instant::now() < deadline && !matches!(child.try_wait(), Ok(Some(_))) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                drop(child);
            });
        if spawned.is_err() {
            signal_group(self.pid, Signal::Kill);
        }
    }
}

/// The signals the CLI's group is sent.
#[derive(Clone, Copy)]
enum Signal {
    Term,
    Kill,
}

/// Sends `signal` to the process group `pid` (a no-op on other platforms than Unix, where
/// `kill_on_drop` and `start_kill` stop the CLI alone).
fn signal_group(pid: Option<u32>, signal: Signal) {
    #[cfg(unix)]
    if let Some(pgid) = pid.and_then(|p| libc::pid_t::try_from(p).ok()) {
        if pgid <= 1 {
            return;
        }
        let sig = match signal {
            Signal::Term => libc::SIGTERM,
            Signal::Kill => libc::SIGKILL,
        };
        // SAFETY: `kill` takes plain integers and touches no memory of ours. The negative id
        // names the process group the CLI was started in (`process_group(0)` makes its pid the
        // group id); `pgid > 1` keeps it from meaning "every process" (-1) or our own group (0).
        let _ = unsafe { libc::kill(-pgid, sig) };
    }
    #[cfg(not(unix))]
    let _ = (pid, signal);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_as_the_cli_prints_them() {
        let v = |text| CoreVersion::parse(text).map(|v| v.to_string());
        assert_eq!(v("SimpleX Chat v6.5.4.1\n").as_deref(), Some("6.5.4.1"));
        assert_eq!(v("SimpleX Chat v6.4.3").as_deref(), Some("6.4.3"));
        assert_eq!(v("v6.4").as_deref(), Some("6.4.0"));
        assert_eq!(v("simplex-chat 6.5.0").as_deref(), Some("6.5.0"));
        // The `v` of a word, one number alone, too many parts, overflow, nothing.
        assert_eq!(v("dev6.4 and nothing else"), Some("6.4.0".to_owned()));
        assert_eq!(v("SimpleX Chat v6"), None);
        assert_eq!(v("v1.2.3.4.5"), None);
        assert_eq!(v("v99999999999.1"), None);
        assert_eq!(v("SimpleX Chat vgarbled"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn the_supported_range_includes_its_start_and_excludes_its_end() {
        let r = SUPPORTED_CORE_VERSIONS;
        assert!(r.contains(CoreVersion::new(6, 4, 3, 0)));
        assert!(r.contains(CoreVersion::new(6, 5, 99, 9)));
        assert!(!r.contains(CoreVersion::new(6, 4, 2, 9)));
        assert!(!r.contains(CoreVersion::new(6, 6, 0, 0)));
    }

    #[test]
    fn long_output_is_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_LINE);
        let cut = shorten(&long);
        assert!(cut.ends_with(" [...]"));
        assert!(cut.len() <= MAX_LINE + " [...]".len());
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn a_core_process_can_move_between_tasks() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<CoreProcess>();
        send_sync::<CoreProcessError>();
    }

    #[test]
    fn last_lines_show_indented_or_say_there_were_none() {
        assert_eq!(LastLines::default().to_string(), "(no output)");
        let lines = LastLines(vec!["a".into(), "b".into()]);
        assert_eq!(lines.to_string(), "\n    a\n    b");
    }
}
