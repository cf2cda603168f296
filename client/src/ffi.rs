//! The in-process core: `libsimplex`, the chat core as a shared library, loaded at run time.
//!
//! The same [`Client`] and [`Events`] as over the WebSocket (and so the same bot runner), with
//! the core running inside the bot's process instead of as a `simplex-chat` CLI:
//!
//! ```no_run
//! use simplex_api_client::ffi::{self, ChatLibrary, OpenOptions};
//! use simplex_api_types::commands::{StartChat, ShowActiveUser};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let library = ChatLibrary::from_env()?; // $SIMPLEX_LIBS_DIR/libsimplex.so
//! let (client, mut events) = ffi::open(&library, OpenOptions::new("./data/bot")).await?;
//! println!("{:?}", client.send(&ShowActiveUser::new()).await?);
//! client.send(&StartChat::new(true)).await?; // no event arrives before this
//! while let Some(item) = events.next_event().await {
//!     println!("{item:?}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Getting libsimplex
//!
//! Upstream publishes it in the GitHub releases of
//! [`simplex-chat/simplex-chat-libs`](https://github.com/simplex-chat/simplex-chat-libs), one zip
//! per platform (and a Postgres build), as its Python and Node packages use it. Unpack it
//! anywhere and either give the path of the library ([`ChatLibrary::load`]) or point
//! `SIMPLEX_LIBS_DIR` at its folder ([`ChatLibrary::from_env`]: the file named
//! `libsimplex.so`, `libsimplex.dylib` or `simplex.dll` there). Bot programs take
//! `--lib PATH --db PREFIX` ([`core_arg`](crate::bot::core_arg)).
//!
//! # Licences
//!
//! libsimplex is AGPL-3.0. This crate does not link it: it loads it at run time, when the bot
//! asks, so the crate stays MIT OR Apache-2.0 (crates that link libsimplex at build time are
//! AGPL like it). What a program that loads it must do when it is distributed is for its author
//! to check.
//!
//! # How it works
//!
//! * [`ChatLibrary::load`] loads the library and resolves every symbol at once: a missing one
//!   is [`FfiError::MissingSymbol`] naming it. The Haskell runtime is initialised once per
//!   process (`hs_init_with_rtsopts` with
//!   `simplex +RTS -A64m -H64m -xn --install-signal-handlers=no -RTS`, no `-xn` on Windows,
//!   in an argument array kept for the life of the process), on the first [`open`]; the
//!   library is never unloaded after that.
//! * [`open`] calls `chat_migrate_init` with the database prefix, the key (zeroised after the
//!   call) and the migration confirmation ([`MigrationConfirmation::YesUp`] by default, as
//!   upstream's packages); any result but `ok` is [`FfiError::Migration`]. One controller may
//!   be open per process: a second [`open`] fails with [`FfiError::AlreadyOpen`].
//! * Commands run `chat_send_cmd` on Tokio's blocking threads, one at a time in the order
//!   sent (as the CLI's WebSocket server runs them), so the async runtime never blocks.
//!   Correlation, [`Config::timeout`](crate::Config::timeout), and everything else about
//!   commands is the client's, shared with the WebSocket: the call is the correlation, and
//!   the reply goes to the command it answers like a response with its `corrId`.
//! * A thread (`simplex-recv`) calls `chat_recv_msg_wait` with a wait of
//!   [`OpenOptions::receive_wait`] (250 ms by default: it bounds how fast the thread stops; an
//!   idle thread waits inside the library and costs no CPU) and hands the events to the
//!   client's reader, which queues them like WebSocket events ("Back-pressure" in the crate
//!   docs; while the client holds no room for an event the thread waits and the library keeps
//!   them).
//! * Every string the library returns is freed with the C `free`.
//!
//! # What differs from the WebSocket
//!
//! * `{"error": e}` replies: a refused command gets the `chatCmdError` response carrying `e`,
//!   as over the WebSocket, so `client.send(..).await?.into_result()` behaves the same; an
//!   `{"error": e}` from `chat_recv_msg_wait` is the `chatError` event
//!   ([`ChatEvent::ChatError`](simplex_api_types::ChatEvent::ChatError)) carrying `e`.
//! * A reply that is not UTF-8 or not JSON fails its command with
//!   [`ClientError::Decode`](crate::ClientError::Decode); such an event is
//!   [`Incoming::Undecodable`](crate::Incoming::Undecodable) (the invalid bytes replaced).
//! * The chat is not started: no events arrive before `/_start`
//!   ([`StartChat`](simplex_api_types::commands::StartChat)); the bot runner sends it after
//!   creating the user (a new database has none).
//! * Shutdown, when every [`Client`] clone is dropped or on [`LibraryCore::shutdown`]: `/_stop`,
//!   then the receive thread is stopped and joined, at most [`OpenOptions::stop_timeout`]
//!   (5 s by default), then `chat_close_store`. A thread still inside the library after that
//!   is reported ([`FfiError::ReceiveThreadStuck`]) and the store is left open (closing it under
//!   the thread would be unsound); nothing is called on the controller after it is closed.
//!   Pending commands then fail with [`ClientError::Disconnected`](crate::ClientError) and
//!   the [`Events`] stream ends after what arrived before.
//!
//! # Files
//!
//! [`LibraryCore::write_file`] and [`LibraryCore::encrypt_file`] write files encrypted as the
//! core does (returning the key and nonce), [`ChatLibrary::read_file`] and
//! [`ChatLibrary::decrypt_file`] read them back. They block: call them from
//! `tokio::task::spawn_blocking` for large files.
//!
//! On Windows the library's strings would have to be freed by the C runtime that allocated
//! them; this is not checked there.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::future::Future as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use serde_json::Value;
use simplex_api_types::commands::ApiStopChat;
use simplex_api_types::types::CryptoFileArgs;
use simplex_api_types::{Command, Json};
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tracing::{debug, info, warn};
use zeroize::Zeroizing;

use crate::client::start_transport;
use crate::connection::{Inbound, Outgoing, Shared};
use crate::{Client, Config, Events};

#[cfg(unix)]
use libc::free as c_free;
#[cfg(not(unix))]
extern "C" {
    #[link_name = "free"]
    fn c_free(p: *mut c_void);
}

/// The environment variable naming the folder with libsimplex ([`ChatLibrary::from_env`]).
pub const LIBS_DIR_VAR: &str = "SIMPLEX_LIBS_DIR";

/// How many library messages may wait for the client's reader.
const INBOUND_CAPACITY: usize = 64;

/// Why loading the library, opening the chat, or a file function failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FfiError {
    /// The library could not be loaded.
    #[error("cannot load {path}: {source}")]
    Load {
        /// The library's path.
        path: PathBuf,
        /// Why.
        #[source]
        source: libloading::Error,
    },
    /// The library lacks a function of the C API: not libsimplex, or a version without it.
    #[error("{path} is not libsimplex: it has no `{symbol}`")]
    MissingSymbol {
        /// The library's path.
        path: PathBuf,
        /// The missing function.
        symbol: &'static str,
    },
    /// [`ChatLibrary::from_env`] without `SIMPLEX_LIBS_DIR` set.
    #[error("{LIBS_DIR_VAR} is not set: it names the folder with libsimplex")]
    NoLibsDir,
    /// Another library initialised the Haskell runtime of this process already: one
    /// libsimplex per process.
    #[error("{initialised} is the libsimplex of this process already; cannot use {requested}")]
    OtherLibrary {
        /// The library in use.
        initialised: PathBuf,
        /// The one asked for.
        requested: PathBuf,
    },
    /// A controller is open in this process already: one per process.
    #[error("a libsimplex chat is open in this process already (one controller per process)")]
    AlreadyOpen,
    /// An argument cannot be passed to the library (a NUL byte in a string, data over 2 GiB).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `chat_migrate_init` did not open the database.
    #[error("{0}")]
    Migration(MigrationError),
    /// The chat is closed (shut down): nothing may be called on its controller.
    #[error("the libsimplex chat is closed")]
    Closed,
    /// At shutdown the receive thread stayed inside `chat_recv_msg_wait` longer than the stop
    /// timeout: the store was not closed (it would be unsound while the thread is inside).
    #[error(
        "the receive thread did not leave chat_recv_msg_wait within {0:?}: the store is left open"
    )]
    ReceiveThreadStuck(Duration),
    /// `chat_close_store` reported an error.
    #[error("closing the store failed: {0}")]
    CloseStore(String),
    /// A file function of the library reported an error (its text), or answered what it does
    /// not document.
    #[error("{0}")]
    File(String),
    /// Removing a partial file after a failed decryption failed.
    #[error("removing the partial file {path}: {source}")]
    RemovePartial {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A thread could not be started, or a call into the library panicked (its message).
    #[error("{0}")]
    Thread(String),
}

impl FfiError {
    /// A copy, for every waiter of a shutdown (the errors a shutdown gives hold plain data).
    fn copy(&self) -> FfiError {
        match self {
            FfiError::ReceiveThreadStuck(d) => FfiError::ReceiveThreadStuck(*d),
            FfiError::CloseStore(t) => FfiError::CloseStore(t.clone()),
            FfiError::Closed => FfiError::Closed,
            other => FfiError::Thread(other.to_string()),
        }
    }
}

/// What `chat_migrate_init` answered instead of `{"type":"ok"}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("opening the database failed: {kind:?}{}: {raw}", db_file.as_deref().map(|f| format!(" ({f})")).unwrap_or_default())]
#[non_exhaustive]
pub struct MigrationError {
    /// Which error.
    pub kind: MigrationErrorKind,
    /// The database file it concerns, when named (`dbFile`).
    pub db_file: Option<String>,
    /// The details: `migrationError`, `migrationSQLError` or `agentError`, as sent.
    pub details: Option<Value>,
    /// The answer as the library sent it (invalid UTF-8 replaced).
    pub raw: String,
}

/// The kinds of [`MigrationError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationErrorKind {
    /// `invalidConfirmation`: the confirmation is not one the library knows.
    InvalidConfirmation,
    /// `errorNotADatabase`: not a database, a corrupt one, or the wrong key.
    NotADatabase,
    /// `errorMigration`: migrations are needed that the confirmation does not allow (an
    /// upgrade with `error`, a downgrade without `yesUpDown`), or they do not match.
    Migration,
    /// `errorSQL`: a migration failed.
    Sql,
    /// `agentError`: the messaging agent failed to start.
    Agent,
    /// Another answer: its `type` if it has one (not JSON, or no `type`: `None`).
    Other(Option<String>),
}

impl MigrationError {
    fn from_answer(bytes: &[u8]) -> Result<(), MigrationError> {
        let raw = String::from_utf8_lossy(bytes).into_owned();
        let json: Option<Value> = serde_json::from_str(&raw).ok();
        let tag = json
            .as_ref()
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str);
        let (kind, details) = match tag {
            Some("ok") => return Ok(()),
            Some("invalidConfirmation") => (MigrationErrorKind::InvalidConfirmation, None),
            Some("errorNotADatabase") => (MigrationErrorKind::NotADatabase, None),
            Some("errorMigration") => (MigrationErrorKind::Migration, Some("migrationError")),
            Some("errorSQL") => (MigrationErrorKind::Sql, Some("migrationSQLError")),
            Some("agentError") => (MigrationErrorKind::Agent, Some("agentError")),
            other => (MigrationErrorKind::Other(other.map(str::to_owned)), None),
        };
        let field = |name: &str| json.as_ref().and_then(|v| v.get(name)).cloned();
        Err(MigrationError {
            kind,
            db_file: field("dbFile").and_then(|v| v.as_str().map(str::to_owned)),
            details: details.and_then(field),
            raw,
        })
    }
}

/// How `chat_migrate_init` treats a database that needs migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MigrationConfirmation {
    /// Apply upgrades (upstream's packages' default).
    #[default]
    YesUp,
    /// Apply upgrades and downgrades.
    YesUpDown,
    /// Ask on the console.
    Console,
    /// Apply none: a database that needs one fails with
    /// [`MigrationErrorKind::Migration`].
    Error,
}

impl MigrationConfirmation {
    /// The string the library takes.
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationConfirmation::YesUp => "yesUp",
            MigrationConfirmation::YesUpDown => "yesUpDown",
            MigrationConfirmation::Console => "console",
            MigrationConfirmation::Error => "error",
        }
    }
}

type HsInit = unsafe extern "C" fn(*mut c_int, *mut *mut *mut c_char);
type MigrateInit = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_char,
    *mut *mut c_void,
) -> *mut c_char;
type SendCmd = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut c_char;
type RecvMsgWait = unsafe extern "C" fn(*mut c_void, c_int) -> *mut c_char;
type CloseStore = unsafe extern "C" fn(*mut c_void) -> *mut c_char;
type WriteFile =
    unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, c_int) -> *mut c_char;
type ReadFile = unsafe extern "C" fn(*const c_char, *const c_char, *const c_char) -> *mut c_char;
type EncryptFile = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> *mut c_char;
type DecryptFile =
    unsafe extern "C" fn(*const c_char, *const c_char, *const c_char, *const c_char) -> *mut c_char;

/// The library and its functions. The function pointers are valid while `_library` is loaded,
/// and it is kept loaded as long as this exists (and for ever once the runtime is initialised).
struct Api {
    path: PathBuf,
    hs_init: HsInit,
    migrate_init: MigrateInit,
    send_cmd: SendCmd,
    recv_msg_wait: RecvMsgWait,
    close_store: CloseStore,
    write_file: WriteFile,
    read_file: ReadFile,
    encrypt_file: EncryptFile,
    decrypt_file: DecryptFile,
    _library: libloading::Library,
}

/// A loaded libsimplex. Cheap to clone.
#[derive(Clone)]
pub struct ChatLibrary {
    api: Arc<Api>,
}

impl std::fmt::Debug for ChatLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatLibrary")
            .field("path", &self.api.path)
            .finish()
    }
}

/// Controller pointers: the library's, used from the threads that call it.
#[derive(Debug, Clone, Copy)]
struct Ctrl(*mut c_void);

// SAFETY: the controller is the library's handle to its chat: the library's functions take it
// from any thread (upstream's packages call it from worker threads), and this crate stops
// every use of it before `chat_close_store`.
unsafe impl Send for Ctrl {}
// SAFETY: as for `Send`: it is only passed by value to the library.
unsafe impl Sync for Ctrl {}

/// The library's path of the process's Haskell runtime, once initialised.
static RUNTIME: OnceLock<PathBuf> = OnceLock::new();
/// Whether a controller is open in this process.
static LIVE: AtomicBool = AtomicBool::new(false);

impl ChatLibrary {
    /// Loads the library at `path` and resolves every function of its C API.
    pub fn load(path: impl AsRef<Path>) -> Result<ChatLibrary, FfiError> {
        let given = path.as_ref();
        // A bare name is left to the system's search (`libc.so.6`); a path is made absolute, so
        // that the same library is recognised however it is named.
        let path = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_owned());
        // Loading runs the library's initialisers: for libsimplex GHC's and the C runtime's,
        // which need nothing from the host.
        // SAFETY: the library is the one the caller names; trusting it is what loading means.
        let loaded = unsafe { libloading::Library::new(&path) };
        let library = loaded.map_err(|source| FfiError::Load {
            path: path.clone(),
            source,
        })?;
        fn symbol<T: Copy>(
            library: &libloading::Library,
            path: &Path,
            name: &'static str,
        ) -> Result<T, FfiError> {
            let mut c_name = name.as_bytes().to_vec();
            c_name.push(0);
            // SAFETY: the type `T` is the C signature of `name` in libsimplex's API (the table
            // in the module docs); the pointer is kept only next to the library (in `Api`),
            // which stays loaded while it is used.
            unsafe { library.get::<T>(&c_name) }
                .map(|s| *s)
                .map_err(|_| FfiError::MissingSymbol {
                    path: path.to_owned(),
                    symbol: name,
                })
        }
        let api = Api {
            hs_init: symbol(&library, &path, "hs_init_with_rtsopts")?,
            migrate_init: symbol(&library, &path, "chat_migrate_init")?,
            send_cmd: symbol(&library, &path, "chat_send_cmd")?,
            recv_msg_wait: symbol(&library, &path, "chat_recv_msg_wait")?,
            close_store: symbol(&library, &path, "chat_close_store")?,
            write_file: symbol(&library, &path, "chat_write_file")?,
            read_file: symbol(&library, &path, "chat_read_file")?,
            encrypt_file: symbol(&library, &path, "chat_encrypt_file")?,
            decrypt_file: symbol(&library, &path, "chat_decrypt_file")?,
            path,
            _library: library,
        };
        Ok(ChatLibrary { api: Arc::new(api) })
    }

    /// Loads the library from the folder `dir`: the file named
    /// `libloading::library_filename("simplex")` there (`libsimplex.so`, `libsimplex.dylib`,
    /// `simplex.dll`).
    pub fn load_from_dir(dir: impl AsRef<Path>) -> Result<ChatLibrary, FfiError> {
        ChatLibrary::load(dir.as_ref().join(libloading::library_filename("simplex")))
    }

    /// Loads the library from the folder named by `SIMPLEX_LIBS_DIR`
    /// ([`load_from_dir`](Self::load_from_dir)).
    pub fn from_env() -> Result<ChatLibrary, FfiError> {
        match std::env::var_os(LIBS_DIR_VAR) {
            Some(dir) if !dir.is_empty() => ChatLibrary::load_from_dir(dir),
            _ => Err(FfiError::NoLibsDir),
        }
    }

    /// The library's path.
    pub fn path(&self) -> &Path {
        &self.api.path
    }

    /// Initialises the Haskell runtime once per process; fails if another library did.
    fn init_runtime(&self) -> Result<(), FfiError> {
        let initialised = RUNTIME.get_or_init(|| {
            let mut args: Vec<&str> = vec!["simplex", "+RTS", "-A64m", "-H64m"];
            if !cfg!(windows) {
                args.push("-xn");
            }
            args.extend(["--install-signal-handlers=no", "-RTS"]);
            // The runtime keeps (and rewrites in place) the arguments: writable, NULL-ended,
            // and kept for the life of the process (leaked on purpose, once).
            let argv: Vec<*mut c_char> = args
                .iter()
                .map(|a| {
                    CString::new(*a)
                        .map(CString::into_raw)
                        .unwrap_or(std::ptr::null_mut())
                })
                .chain(std::iter::once(std::ptr::null_mut()))
                .collect();
            let argc: &'static mut c_int = Box::leak(Box::new(args.len() as c_int));
            let argv: &'static mut [*mut c_char] = Box::leak(argv.into_boxed_slice());
            let argv_ptr: &'static mut *mut *mut c_char = Box::leak(Box::new(argv.as_mut_ptr()));
            // `argv` holds `argc` NUL-terminated strings (the literals have no NUL), then NULL.
            // This runs once per process (the `OnceLock`), before any other library function.
            // SAFETY: `argc` and `argv` are writable and live for the process, as GHC needs.
            unsafe { (self.api.hs_init)(argc, argv_ptr) };
            // Unloading a library whose runtime is running would pull its code from under its
            // threads: it stays loaded.
            std::mem::forget(Arc::clone(&self.api));
            debug!(library = %self.api.path.display(), "initialised the Haskell runtime");
            self.api.path.clone()
        });
        if *initialised == self.api.path {
            Ok(())
        } else {
            Err(FfiError::OtherLibrary {
                initialised: initialised.clone(),
                requested: self.api.path.clone(),
            })
        }
    }

    /// The bytes of a string the library returned, which is freed. NULL is taken as empty.
    ///
    /// # Safety
    /// `p` is NULL or a NUL-terminated string from `malloc`, returned by the library to the
    /// caller, not freed yet, and not used after this.
    unsafe fn take(p: *mut c_char) -> Vec<u8> {
        if p.is_null() {
            warn!("libsimplex returned NULL");
            return Vec::new();
        }
        // SAFETY: per the caller, a NUL-terminated string.
        let bytes = unsafe { CStr::from_ptr(p) }.to_bytes().to_vec();
        // SAFETY: per the caller, from `malloc`, owned by us now, freed once.
        unsafe { c_free(p.cast()) };
        bytes
    }

    fn migrate_init(
        &self,
        db_prefix: &CString,
        key: &[u8],
        confirm: MigrationConfirmation,
    ) -> Result<Ctrl, FfiError> {
        let confirm =
            CString::new(confirm.as_str()).map_err(|e| FfiError::InvalidArgument(e.to_string()))?;
        let mut ctrl: *mut c_void = std::ptr::null_mut();
        // SAFETY: the strings are NUL-terminated (`key` is checked to end with its only NUL by
        // the caller) and live across the call; `ctrl` is writable. The runtime is initialised.
        let answer = unsafe {
            (self.api.migrate_init)(
                db_prefix.as_ptr(),
                key.as_ptr().cast(),
                confirm.as_ptr(),
                &mut ctrl,
            )
        };
        // SAFETY: a string the library returned, used once here.
        let answer = unsafe { ChatLibrary::take(answer) };
        MigrationError::from_answer(&answer).map_err(FfiError::Migration)?;
        if ctrl.is_null() {
            return Err(FfiError::Migration(MigrationError {
                kind: MigrationErrorKind::Other(Some("ok".into())),
                db_file: None,
                details: None,
                raw: "ok, but no controller".into(),
            }));
        }
        Ok(Ctrl(ctrl))
    }

    /// # Safety
    /// `ctrl` is open (not closed, and not closing meanwhile).
    unsafe fn send(&self, ctrl: Ctrl, cmd: &str) -> Result<Vec<u8>, FfiError> {
        let cmd = c_string(cmd)?;
        // SAFETY: per the caller, `ctrl` is open; `cmd` is NUL-terminated and lives across
        // the call.
        let p = unsafe { (self.api.send_cmd)(ctrl.0, cmd.as_ptr()) };
        // SAFETY: a string the library returned, used once here.
        Ok(unsafe { ChatLibrary::take(p) })
    }

    /// Reads a file written by [`LibraryCore::write_file`] (or received encrypted): the
    /// plaintext. Blocks while it reads.
    pub fn read_file(&self, path: &Path, args: &CryptoFileArgs) -> Result<Vec<u8>, FfiError> {
        self.init_runtime()?;
        let (path, key, nonce) = (
            c_path(path)?,
            c_string(&args.file_key)?,
            c_string(&args.file_nonce)?,
        );
        // SAFETY: the strings are NUL-terminated and live across the call; the runtime is
        // initialised.
        let p = unsafe { (self.api.read_file)(path.as_ptr(), key.as_ptr(), nonce.as_ptr()) };
        if p.is_null() {
            return Err(FfiError::File("chat_read_file returned NULL".into()));
        }
        // SAFETY: `p` is the library's buffer: a status byte, then (status 0) a little-endian
        // u32 length at offset 1 (unaligned: read byte-wise) and that many bytes, or (status 1)
        // a NUL-terminated text. Only those bytes are read; it is freed once, after.
        let result = unsafe {
            let status = *p.cast::<u8>();
            match status {
                0 => {
                    let mut len = [0u8; 4];
                    std::ptr::copy_nonoverlapping(p.cast::<u8>().add(1), len.as_mut_ptr(), 4);
                    let len = u32::from_le_bytes(len) as usize;
                    Ok(std::slice::from_raw_parts(p.cast::<u8>().add(5), len).to_vec())
                }
                1 => Err(FfiError::File(
                    CStr::from_ptr(p.add(1)).to_string_lossy().into_owned(),
                )),
                other => Err(FfiError::File(format!(
                    "chat_read_file answered the unknown status {other}"
                ))),
            }
        };
        // SAFETY: the buffer came from the library's `malloc`; freed once, not used after.
        unsafe { c_free(p.cast()) };
        result
    }

    /// Decrypts the file `from` into `to`. On an error, a partial `to` is removed (the
    /// library writes as it decrypts and checks the tag at the end). Blocks while it works.
    pub fn decrypt_file(
        &self,
        from: &Path,
        args: &CryptoFileArgs,
        to: &Path,
    ) -> Result<(), FfiError> {
        self.init_runtime()?;
        let (c_from, key, nonce, c_to) = (
            c_path(from)?,
            c_string(&args.file_key)?,
            c_string(&args.file_nonce)?,
            c_path(to)?,
        );
        // SAFETY: the strings are NUL-terminated and live across the call; the runtime is
        // initialised.
        let p = unsafe {
            (self.api.decrypt_file)(c_from.as_ptr(), key.as_ptr(), nonce.as_ptr(), c_to.as_ptr())
        };
        // SAFETY: a string the library returned, used once here.
        let answer = unsafe { ChatLibrary::take(p) };
        if answer.is_empty() {
            return Ok(());
        }
        let error = String::from_utf8_lossy(&answer).into_owned();
        match std::fs::remove_file(to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                warn!("decrypting {}: {error}", from.display());
                return Err(FfiError::RemovePartial {
                    path: to.to_owned(),
                    source,
                });
            }
        }
        Err(FfiError::File(error))
    }
}

fn c_string(s: &str) -> Result<CString, FfiError> {
    CString::new(s).map_err(|_| FfiError::InvalidArgument(format!("a NUL byte in {s:?}")))
}

fn c_path(path: &Path) -> Result<CString, FfiError> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| FfiError::InvalidArgument(format!("{} is not UTF-8", path.display())))?
        .as_bytes()
        .to_vec();
    CString::new(bytes)
        .map_err(|_| FfiError::InvalidArgument(format!("a NUL byte in {}", path.display())))
}

/// The answer of `chat_write_file` / `chat_encrypt_file`: the key and nonce, or the error.
fn crypto_args(answer: &[u8]) -> Result<CryptoFileArgs, FfiError> {
    let text = String::from_utf8_lossy(answer);
    let json: Value = serde_json::from_str(&text)
        .map_err(|_| FfiError::File(format!("undocumented answer: {text}")))?;
    match json.get("type").and_then(Value::as_str) {
        Some("result") => json
            .get("cryptoArgs")
            .and_then(|args| CryptoFileArgs::from_json(&args.to_string()).ok())
            .ok_or_else(|| FfiError::File(format!("undocumented answer: {text}"))),
        Some("error") => Err(FfiError::File(
            json.get("writeError")
                .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned))
                .unwrap_or_else(|| text.into_owned()),
        )),
        _ => Err(FfiError::File(format!("undocumented answer: {text}"))),
    }
}

/// How to open the chat: the database, its key, migrations, and the client's settings.
#[derive(Clone)]
pub struct OpenOptions {
    db_prefix: PathBuf,
    key: Zeroizing<String>,
    confirm: MigrationConfirmation,
    config: Config,
    receive_wait: Duration,
    stop_timeout: Duration,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("db_prefix", &self.db_prefix)
            .field("key", &if self.key.is_empty() { "none" } else { "(set)" })
            .field("confirm", &self.confirm)
            .field("config", &self.config)
            .field("receive_wait", &self.receive_wait)
            .field("stop_timeout", &self.stop_timeout)
            .finish()
    }
}

impl OpenOptions {
    /// The database at `db_prefix` (`PREFIX_chat.db` and `PREFIX_agent.db`, created when
    /// missing), unencrypted, upgrades applied, the default [`Config`].
    pub fn new(db_prefix: impl Into<PathBuf>) -> OpenOptions {
        OpenOptions {
            db_prefix: db_prefix.into(),
            key: Zeroizing::new(String::new()),
            confirm: MigrationConfirmation::default(),
            config: Config::default(),
            receive_wait: Duration::from_millis(250),
            stop_timeout: Duration::from_secs(5),
        }
    }

    /// The database key (empty: unencrypted). Kept zeroised: the copies made for the call are
    /// overwritten after it, and so is this one when the options are dropped.
    pub fn key(mut self, key: impl Into<String>) -> OpenOptions {
        self.key = Zeroizing::new(key.into());
        self
    }

    /// How migrations are confirmed (default [`MigrationConfirmation::YesUp`]).
    pub fn confirm(mut self, confirm: MigrationConfirmation) -> OpenOptions {
        self.confirm = confirm;
        self
    }

    /// The client's settings (timeouts, event capacity; the message sizes are the WebSocket's
    /// and do not apply).
    pub fn config(mut self, config: Config) -> OpenOptions {
        self.config = config;
        self
    }

    /// The wait of each `chat_recv_msg_wait` (default 250 ms, at most `i32::MAX` µs): how fast
    /// the receive thread notices that it is to stop.
    pub fn receive_wait(mut self, wait: Duration) -> OpenOptions {
        self.receive_wait = wait;
        self
    }

    /// How long a shutdown waits for the receive thread to leave the library (default 5 s).
    pub fn stop_timeout(mut self, timeout: Duration) -> OpenOptions {
        self.stop_timeout = timeout;
        self
    }
}

/// Clears [`LIVE`] unless disarmed: an `open` that fails leaves no controller live.
struct LiveGuard(bool);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        if self.0 {
            LIVE.store(false, Ordering::SeqCst);
        }
    }
}

/// Opens the chat in the library: `chat_migrate_init` with the options (on a blocking thread),
/// the receive thread, and a [`Client`] and [`Events`] on them, as [`connect`](crate::connect)
/// gives for the WebSocket. The chat is not started: send
/// [`StartChat`](simplex_api_types::commands::StartChat) (after making sure there is a user) to
/// receive events.
///
/// Must be called within a Tokio runtime (as [`connect`](crate::connect)).
pub async fn open(
    library: &ChatLibrary,
    options: OpenOptions,
) -> Result<(Client, Events), FfiError> {
    library.init_runtime()?;
    if LIVE
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return Err(FfiError::AlreadyOpen);
    }
    let mut live = LiveGuard(true);
    let prefix = c_path(&options.db_prefix)?;
    let mut key = Zeroizing::new(options.key.as_bytes().to_vec());
    if key.contains(&0) {
        return Err(FfiError::InvalidArgument(
            "a NUL byte in the database key".into(),
        ));
    }
    key.push(0);
    let lib = library.clone();
    let confirm = options.confirm;
    let ctrl = tokio::task::spawn_blocking(move || lib.migrate_init(&prefix, &key, confirm))
        .await
        .map_err(|e| FfiError::Thread(format!("chat_migrate_init: {e}")))??;
    info!(db = %options.db_prefix.display(), "opened the chat in libsimplex");

    let (inbound_tx, mut inbound_rx) = mpsc::channel::<Inbound>(INBOUND_CAPACITY);
    let (end_tx, mut end_rx) = oneshot::channel::<Option<String>>();
    let stop = Arc::new(Stop::default());
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let wait = c_int::try_from(options.receive_wait.as_micros()).unwrap_or(c_int::MAX);
    let receiver = {
        let (lib, stop, tx) = (library.clone(), Arc::clone(&stop), inbound_tx.clone());
        std::thread::Builder::new()
            .name("simplex-recv".into())
            .spawn(move || receive_loop(&lib, ctrl, wait, &stop, &tx, done_tx))
    };
    let state = Arc::new(CoreState {
        library: library.clone(),
        ctrl: RwLock::new(Some(ctrl)),
        receiver: Mutex::new(None),
        stop,
        stop_timeout: options.stop_timeout,
        stuck: AtomicBool::new(false),
        shutdown_lock: Mutex::new(()),
        shutdown_requested: Notify::new(),
        outcome: watch::channel(None).0,
    });
    live.0 = false;
    match receiver {
        Ok(handle) => *lock(&state.receiver) = Some((handle, done_rx)),
        Err(e) => {
            // Nothing else uses the controller yet: shut it down (`/_stop`, close).
            let s = Arc::clone(&state);
            let _ = tokio::task::spawn_blocking(move || s.shutdown_blocking()).await;
            return Err(FfiError::Thread(format!(
                "cannot start the receive thread: {e}"
            )));
        }
    }

    let inbound = futures_util::stream::poll_fn(move |cx| {
        use std::task::Poll;
        match inbound_rx.poll_recv(cx) {
            Poll::Ready(Some(item)) => Poll::Ready(Some(Ok::<_, std::convert::Infallible>(item))),
            Poll::Ready(None) => Poll::Ready(None),
            // Everything received was read: now the end may come.
            Poll::Pending => match std::pin::Pin::new(&mut end_rx).poll(cx) {
                Poll::Ready(reason) => Poll::Ready(Some(Ok(Inbound::End(reason.unwrap_or(None))))),
                Poll::Pending => Poll::Pending,
            },
        }
    });
    let core = LibraryCore {
        state: Arc::clone(&state),
    };
    let (client, events) = start_transport(
        &options.config,
        inbound,
        move |outgoing, reader_done, shared| {
            command_loop(state, outgoing, reader_done, shared, inbound_tx, end_tx)
        },
    );
    Ok((client.with_library(core), events))
}

/// The receive thread's stop signal.
#[derive(Debug, Default)]
struct Stop {
    set: AtomicBool,
    notify: Notify,
}

impl Stop {
    fn set(&self) {
        self.set.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    fn is_set(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }
}

/// The receive thread: while not stopped, waits for room for one message in the reader's
/// channel (so that nothing taken from the library waits anywhere but there), then for a
/// message of the library, at most `wait` µs.
fn receive_loop(
    library: &ChatLibrary,
    ctrl: Ctrl,
    wait: c_int,
    stop: &Stop,
    tx: &mpsc::Sender<Inbound>,
    done: std::sync::mpsc::Sender<()>,
) {
    while !stop.is_set() {
        let room = block_on(async {
            tokio::select! {
                biased;
                () = stop.notify.notified() => None,
                permit = tx.reserve() => permit.ok(),
            }
        });
        let Some(permit) = room else { break };
        if stop.is_set() {
            break;
        }
        // SAFETY: the controller is open: the shutdown closes it only after this thread
        // signalled `done` (or never, when it does not), and nothing else closes it.
        let p = unsafe { (library.api.recv_msg_wait)(ctrl.0, wait) };
        // SAFETY: a string the library returned, used once here.
        let bytes = unsafe { ChatLibrary::take(p) };
        if !bytes.is_empty() {
            permit.send(Inbound::LibraryEvent(bytes));
        }
    }
    debug!("the receive thread stops");
    drop(done);
}

/// Runs `future` to completion on this (non-async) thread, parking it while it waits. The
/// futures it runs need no runtime driver (a channel's room, a `Notify`).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// The shared state of an open chat.
struct CoreState {
    library: ChatLibrary,
    /// `None` once closed. Calls hold the read lock; closing takes the write lock.
    ctrl: RwLock<Option<Ctrl>>,
    /// The receive thread, and the channel it closes when it ends.
    receiver: Mutex<Option<(std::thread::JoinHandle<()>, std::sync::mpsc::Receiver<()>)>>,
    stop: Arc<Stop>,
    stop_timeout: Duration,
    /// The receive thread did not stop in time: the controller must stay open.
    stuck: AtomicBool,
    shutdown_lock: Mutex<()>,
    /// Wakes the command loop for [`LibraryCore::shutdown`].
    shutdown_requested: Notify,
    /// The outcome of the shutdown, once done.
    outcome: watch::Sender<Option<Result<(), Arc<FfiError>>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CoreState {
    /// `chat_send_cmd`, unless the chat is closed.
    fn send_cmd(&self, cmd: &str) -> Result<Vec<u8>, FfiError> {
        let ctrl = self.ctrl.read().unwrap_or_else(|p| p.into_inner());
        let c = ctrl.ok_or(FfiError::Closed)?;
        // SAFETY: the read lock keeps the controller open across the call.
        unsafe { self.library.send(c, cmd) }
    }

    /// `/_stop`, the receive thread stopped and joined (at most `stop_timeout`), then
    /// `chat_close_store`. Idempotent.
    fn shutdown_blocking(&self) -> Result<(), FfiError> {
        let _one = lock(&self.shutdown_lock);
        if self.stuck.load(Ordering::SeqCst) {
            return Err(FfiError::ReceiveThreadStuck(self.stop_timeout));
        }
        if self
            .ctrl
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
        {
            return Ok(());
        }
        match ApiStopChat::new().to_command_string() {
            Ok(stop) => match self.send_cmd(&stop) {
                Ok(answer) => debug!("{stop}: {}", String::from_utf8_lossy(&answer)),
                Err(e) => warn!("{stop}: {e}"),
            },
            Err(e) => warn!("cannot render /_stop: {e}"),
        }
        self.stop.set();
        if let Some((handle, done)) = lock(&self.receiver).take() {
            match done.recv_timeout(self.stop_timeout) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    self.stuck.store(true, Ordering::SeqCst);
                    warn!(
                        "the receive thread is still inside chat_recv_msg_wait after {:?}: \
                         leaving the store open",
                        self.stop_timeout
                    );
                    return Err(FfiError::ReceiveThreadStuck(self.stop_timeout));
                }
                _ => {
                    if handle.join().is_err() {
                        warn!("the receive thread panicked");
                    }
                }
            }
        }
        let ctrl = self.ctrl.write().unwrap_or_else(|p| p.into_inner()).take();
        let Some(ctrl) = ctrl else { return Ok(()) };
        // SAFETY: the controller was open; the receive thread has ended, every other call
        // holds the read lock (now released by all, as the write lock was taken), and it is
        // set to `None` so that nothing calls it after this.
        let p = unsafe { (self.library.api.close_store)(ctrl.0) };
        // SAFETY: a string the library returned, used once here.
        let answer = unsafe { ChatLibrary::take(p) };
        LIVE.store(false, Ordering::SeqCst);
        info!("closed the libsimplex chat");
        if answer.is_empty() {
            Ok(())
        } else {
            Err(FfiError::CloseStore(
                String::from_utf8_lossy(&answer).into_owned(),
            ))
        }
    }
}

impl Drop for CoreState {
    fn drop(&mut self) {
        // The command loop shuts down when the clients are dropped; this is for a runtime
        // dropped before it could.
        if let Err(e) = self.shutdown_blocking() {
            warn!("shutting the libsimplex chat down: {e}");
        }
    }
}

/// Takes the commands, one at a time, to `chat_send_cmd` on a blocking thread, and hands each
/// reply to the reader as the reply to its command. When every [`Client`] is dropped, or on
/// [`LibraryCore::shutdown`], shuts the chat down and then ends the reader.
async fn command_loop(
    state: Arc<CoreState>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    mut reader_done: oneshot::Receiver<()>,
    _shared: Arc<Shared>,
    inbound: mpsc::Sender<Inbound>,
    end: oneshot::Sender<Option<String>>,
) {
    loop {
        let next = tokio::select! {
            biased;
            _ = &mut reader_done => None,
            () = state.shutdown_requested.notified() => None,
            command = outgoing.recv() => command,
        };
        let Some(Outgoing { id, cmd }) = next else {
            break;
        };
        debug!(id, cmd = %cmd, "sending");
        let s = Arc::clone(&state);
        let bytes = match tokio::task::spawn_blocking(move || s.send_cmd(&cmd)).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(e)) => {
                warn!("a command was not sent: {e}");
                continue;
            }
            Err(e) => {
                warn!("a call of chat_send_cmd panicked: {e}");
                continue;
            }
        };
        if inbound
            .send(Inbound::LibraryReply { id, bytes })
            .await
            .is_err()
        {
            break;
        }
    }
    outgoing.close();
    let s = Arc::clone(&state);
    let result = tokio::task::spawn_blocking(move || s.shutdown_blocking())
        .await
        .unwrap_or_else(|e| Err(FfiError::Thread(format!("the shutdown panicked: {e}"))));
    let reason = result.as_ref().err().map(ToString::to_string);
    if let Some(reason) = &reason {
        warn!("shutting the libsimplex chat down: {reason}");
    }
    state.outcome.send_replace(Some(result.map_err(Arc::new)));
    let _ = end.send(reason);
}

/// The open chat behind a [`Client`] of [`open`] ([`Client::library_core`]): its file
/// functions and its shutdown. Cheap to clone; holding it does not keep the chat open.
#[derive(Clone)]
pub struct LibraryCore {
    state: Arc<CoreState>,
}

impl std::fmt::Debug for LibraryCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryCore")
            .field("library", &self.state.library)
            .field("open", &self.is_open())
            .finish()
    }
}

impl LibraryCore {
    /// The library.
    pub fn library(&self) -> &ChatLibrary {
        &self.state.library
    }

    /// Whether the chat is open (not shut down).
    pub fn is_open(&self) -> bool {
        self.state
            .ctrl
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Shuts the chat down (see the module docs) and waits for it: the clients' commands fail
    /// with [`ClientError::Disconnected`](crate::ClientError::Disconnected) from then on, and
    /// the [`Events`] stream ends after what arrived before. Every call gets the outcome of
    /// the one shutdown.
    pub async fn shutdown(&self) -> Result<(), FfiError> {
        self.state.shutdown_requested.notify_one();
        let mut outcome = self.state.outcome.subscribe();
        let done = outcome.wait_for(Option::is_some).await;
        match done.as_deref() {
            Ok(Some(Ok(()))) => Ok(()),
            Ok(Some(Err(e))) => Err(e.copy()),
            // The sender lives in the state, which this holds.
            _ => Err(FfiError::Closed),
        }
    }

    fn with_ctrl<T>(&self, call: impl FnOnce(Ctrl) -> T) -> Result<T, FfiError> {
        let ctrl = self.state.ctrl.read().unwrap_or_else(|p| p.into_inner());
        Ok(call(ctrl.ok_or(FfiError::Closed)?))
    }

    /// Writes `data` to `path` encrypted (`chat_write_file`); the key and nonce to read it
    /// with. Blocks while it writes.
    pub fn write_file(&self, path: &Path, data: &[u8]) -> Result<CryptoFileArgs, FfiError> {
        let c_path = c_path(path)?;
        let len = c_int::try_from(data.len()).map_err(|_| {
            FfiError::InvalidArgument(format!("{} bytes: at most 2 GiB", data.len()))
        })?;
        let answer = self.with_ctrl(|ctrl| {
            // SAFETY: the read lock keeps the controller open across the call; `c_path` is
            // NUL-terminated and `data` has `len` bytes, both live across it.
            let p = unsafe {
                (self.state.library.api.write_file)(
                    ctrl.0,
                    c_path.as_ptr(),
                    data.as_ptr().cast(),
                    len,
                )
            };
            // SAFETY: a string the library returned, used once here.
            unsafe { ChatLibrary::take(p) }
        })?;
        crypto_args(&answer)
    }

    /// Encrypts the file `from` into `to` (`chat_encrypt_file`); the key and nonce. Blocks
    /// while it works.
    pub fn encrypt_file(&self, from: &Path, to: &Path) -> Result<CryptoFileArgs, FfiError> {
        let (c_from, c_to) = (c_path(from)?, c_path(to)?);
        let answer = self.with_ctrl(|ctrl| {
            // SAFETY: the read lock keeps the controller open across the call; the paths are
            // NUL-terminated and live across it.
            let p = unsafe {
                (self.state.library.api.encrypt_file)(ctrl.0, c_from.as_ptr(), c_to.as_ptr())
            };
            // SAFETY: a string the library returned, used once here.
            unsafe { ChatLibrary::take(p) }
        })?;
        crypto_args(&answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_answer_is_typed_and_kept() {
        assert_eq!(MigrationError::from_answer(br#"{"type":"ok"}"#), Ok(()));
        let cases: &[(&[u8], MigrationErrorKind, Option<&str>)] = &[
            (br#"{"type":"invalidConfirmation"}"#, MigrationErrorKind::InvalidConfirmation, None),
            (br#"{"type":"errorNotADatabase","dbFile":"b_chat.db"}"#, MigrationErrorKind::NotADatabase, None),
            (
                br#"{"type":"errorMigration","dbFile":"b_chat.db","migrationError":{"type":"upgrade","upMigrations":[]}}"#,
                MigrationErrorKind::Migration,
                Some(r#"{"type":"upgrade","upMigrations":[]}"#),
            ),
            (br#"{"type":"errorSQL","dbFile":"b_agent.db","migrationSQLError":"no"}"#, MigrationErrorKind::Sql, Some(r#""no""#)),
            (br#"{"type":"agentError","agentError":{"type":"x"}}"#, MigrationErrorKind::Agent, Some(r#"{"type":"x"}"#)),
            (br#"{"type":"errorKeychain"}"#, MigrationErrorKind::Other(Some("errorKeychain".into())), None),
            (b"oops \xff", MigrationErrorKind::Other(None), None),
            (b"", MigrationErrorKind::Other(None), None),
        ];
        for (answer, kind, details) in cases {
            let e = MigrationError::from_answer(answer).expect_err("an error");
            assert_eq!(&e.kind, kind, "{e}");
            assert_eq!(e.raw, String::from_utf8_lossy(answer));
            assert_eq!(e.details.map(|d| d.to_string()).as_deref(), *details);
        }
        let e =
            MigrationError::from_answer(br#"{"type":"errorNotADatabase","dbFile":"b_chat.db"}"#)
                .expect_err("an error");
        assert_eq!(e.db_file.as_deref(), Some("b_chat.db"));
        assert!(e.to_string().contains("b_chat.db"), "{e}");
    }

    #[test]
    fn crypto_args_and_write_errors_are_read() {
        let args =
            crypto_args(br#"{"type":"result","cryptoArgs":{"fileKey":"k","fileNonce":"n"}}"#)
                .expect("args");
        assert_eq!(
            (args.file_key.as_str(), args.file_nonce.as_str()),
            ("k", "n")
        );
        let e = crypto_args(br#"{"type":"error","writeError":"disk full"}"#).expect_err("error");
        assert_eq!(e.to_string(), "disk full");
        assert!(crypto_args(b"nonsense").is_err());
        assert!(crypto_args(br#"{"type":"result"}"#).is_err());
    }
}
