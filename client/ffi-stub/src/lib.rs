//! A stand-in `libsimplex` for the client's FFI tests and bench: the same `extern "C"` symbols,
//! the chat relayed over WebSocket to a test core the test started.
//!
//! `chat_migrate_init(prefix, ...)` reads its settings from the JSON file `<prefix>.stub.json`
//! (so that each test configures its own controller without process-wide environment):
//!
//! * `"relay"`: the test core's `ws://127.0.0.1:PORT`. Commands go there as
//!   `{"corrId": ..., "cmd": ...}`; a response comes back as `{"result": resp}`, or as
//!   `{"error": chatError}` when it is a `chatCmdError` (as the library answers refusals);
//!   events are queued for `chat_recv_msg_wait`, which hands them out only once `/_start` was
//!   answered `chatStarted` (or `chatRunning`) (the library sends no events before that) as `{"result": event}`,
//!   or `{"error": chatError}` for a `chatError` event.
//! * `"canned"`: instead of a relay, answer every command with this text at once (the bench).
//! * `"migrate"`: the text `chat_migrate_init` returns (default `{"type":"ok"}`); anything but
//!   ok leaves the controller unset.
//! * `"fault"`: `"invalidUtf8"` or `"invalidJson"` (the next answer of `chat_send_cmd` and the
//!   next event are that, once each), `"blockRecv"` (`chat_recv_msg_wait` blocks for
//!   `"blockSeconds"`, default 30, ignoring its wait, once the chat is started).
//! * `"log"`: a file to which each call is appended, one line each (`init`, `send <cmd>`,
//!   `close`), so that a test can check what the client called, and in which order.
//!
//! Every string returned is allocated with `malloc`, as the real library's are, and counted
//! ([`stub_returned_strings`]): the client frees them with the C `free`, which the stub cannot
//! see, so the test that checks they are freed compares the allocator's statistics before and
//! after many calls, and uses the count to know how many strings it should have freed.

#![allow(clippy::missing_safety_doc)]

use std::collections::{HashMap, VecDeque};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How many strings this library returned since it was loaded.
static RETURNED: AtomicU64 = AtomicU64::new(0);
/// How many times `hs_init_with_rtsopts` was called.
static INITS: AtomicU64 = AtomicU64::new(0);

/// How many strings the stub returned (for the test that checks they are all freed, with the
/// allocator's statistics).
#[no_mangle]
pub extern "C" fn stub_returned_strings() -> u64 {
    RETURNED.load(Ordering::SeqCst)
}

/// How many times the runtime was initialised.
#[no_mangle]
pub extern "C" fn stub_init_count() -> u64 {
    INITS.load(Ordering::SeqCst)
}

/// `bytes` with a NUL after them, in memory from `malloc`.
fn c_bytes(bytes: &[u8]) -> *mut c_char {
    // SAFETY: malloc of a non-zero size; a NULL result is returned as NULL.
    let p = unsafe { libc::malloc(bytes.len() + 1) } as *mut u8;
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `p` has room for `bytes.len() + 1` bytes and does not overlap `bytes`.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        *p.add(bytes.len()) = 0;
    }
    RETURNED.fetch_add(1, Ordering::SeqCst);
    p as *mut c_char
}

fn c_string(s: &str) -> *mut c_char {
    c_bytes(s.as_bytes())
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn arg(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller passes a NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    InvalidUtf8,
    InvalidJson,
    BlockRecv,
}

struct Ctrl {
    relay: Option<Relay>,
    canned: Option<String>,
    fault: Fault,
    /// The one-shot faults not given yet: (for the next reply, for the next event).
    fault_pending: Mutex<(bool, bool)>,
    block: Duration,
    started: AtomicBool,
    log: Option<Mutex<std::fs::File>>,
}

impl Ctrl {
    fn log(&self, line: &str) {
        if let Some(log) = &self.log {
            let mut f = log.lock().unwrap_or_else(|p| p.into_inner());
            let _ = writeln!(f, "{line}");
        }
    }
}

/// The WebSocket to the test core: a thread reads it, giving responses to the command waiting
/// for them and queueing events.
struct Relay {
    writer: Mutex<WebSocket<TcpStream>>,
    waiting: Arc<Mutex<HashMap<String, mpsc::Sender<Value>>>>,
    events: Arc<(Mutex<VecDeque<Value>>, Condvar)>,
    next_id: AtomicU64,
}

impl Relay {
    fn connect(url: &str) -> Result<Relay, String> {
        let (ws, _) = tungstenite::connect(url).map_err(|e| format!("relay {url}: {e}"))?;
        let stream = match ws.get_ref() {
            tungstenite::stream::MaybeTlsStream::Plain(s) => {
                s.try_clone().map_err(|e| e.to_string())?
            }
            _ => return Err("only ws://".into()),
        };
        let reader = WebSocket::from_raw_socket(stream, tungstenite::protocol::Role::Client, None);
        let plain = match ws.into_inner() {
            tungstenite::stream::MaybeTlsStream::Plain(s) => s,
            _ => return Err("only ws://".into()),
        };
        let writer = WebSocket::from_raw_socket(plain, tungstenite::protocol::Role::Client, None);
        let waiting: Arc<Mutex<HashMap<String, mpsc::Sender<Value>>>> = Arc::default();
        let events: Arc<(Mutex<VecDeque<Value>>, Condvar)> = Arc::default();
        let (w, e) = (Arc::clone(&waiting), Arc::clone(&events));
        std::thread::spawn(move || read_relay(reader, w, e));
        Ok(Relay {
            writer: Mutex::new(writer),
            waiting,
            events,
            next_id: AtomicU64::new(1),
        })
    }

    fn command(&self, cmd: &str) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst).to_string();
        let (tx, rx) = mpsc::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), tx);
        let frame = json!({ "corrId": id, "cmd": cmd }).to_string();
        let sent = self
            .writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(Message::text(frame));
        if let Err(e) = sent {
            return json!({"type": "chatCmdError", "chatError": {"type": "error", "errorType": {"type": "commandError", "message": format!("relay: {e}")}}});
        }
        rx.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| {
            json!({"type": "chatCmdError", "chatError": {"type": "error", "errorType": {"type": "commandError", "message": "relay: no response"}}})
        })
    }
}

fn read_relay(
    mut ws: WebSocket<TcpStream>,
    waiting: Arc<Mutex<HashMap<String, mpsc::Sender<Value>>>>,
    events: Arc<(Mutex<VecDeque<Value>>, Condvar)>,
) {
    while let Ok(frame) = ws.read() {
        let Message::Text(text) = frame else { continue };
        let Ok(mut v) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let resp = v.get_mut("resp").map(Value::take).unwrap_or(Value::Null);
        match v.get("corrId").and_then(Value::as_str) {
            Some(id) => {
                let slot = waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
                if let Some(tx) = slot {
                    let _ = tx.send(resp);
                }
            }
            None => {
                let (queue, ready) = &*events;
                queue
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_back(resp);
                ready.notify_all();
            }
        }
    }
}

/// `{"result": v}`, or `{"error": chatError}` for a `chatCmdError` / `chatError`.
fn wrap(v: Value, error_tag: &str) -> String {
    if v.get("type").and_then(Value::as_str) == Some(error_tag) {
        if let Some(e) = v.get("chatError") {
            return json!({ "error": e }).to_string();
        }
    }
    json!({ "result": v }).to_string()
}

/// # Safety
/// The arguments are NULL or NUL-terminated strings; `ctrl` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn chat_migrate_init(
    path: *const c_char,
    _key: *const c_char,
    confirm: *const c_char,
    ctrl: *mut *mut c_void,
) -> *mut c_char {
    // SAFETY: the caller passes NUL-terminated strings.
    let (prefix, confirm) = unsafe { (arg(path), arg(confirm)) };
    let settings: Value = std::fs::read_to_string(format!("{prefix}.stub.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    if !["yesUp", "yesUpDown", "console", "error"].contains(&confirm.as_str()) {
        return c_string(r#"{"type":"invalidConfirmation"}"#);
    }
    if let Some(result) = settings.get("migrate").and_then(Value::as_str) {
        if !result.contains(r#""type":"ok""#) {
            return c_string(result);
        }
    }
    let fault = match settings.get("fault").and_then(Value::as_str) {
        Some("invalidUtf8") => Fault::InvalidUtf8,
        Some("invalidJson") => Fault::InvalidJson,
        Some("blockRecv") => Fault::BlockRecv,
        _ => Fault::None,
    };
    let relay = match settings.get("relay").and_then(Value::as_str) {
        Some(url) => match Relay::connect(url) {
            Ok(r) => Some(r),
            Err(e) => {
                return c_string(
                    &json!({"type": "errorSQL", "dbFile": prefix, "migrationSQLError": e})
                        .to_string(),
                )
            }
        },
        None => None,
    };
    let log = settings
        .get("log")
        .and_then(Value::as_str)
        .and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
        })
        .map(Mutex::new);
    let c = Box::new(Ctrl {
        relay,
        canned: settings
            .get("canned")
            .and_then(Value::as_str)
            .map(str::to_owned),
        fault,
        fault_pending: Mutex::new((true, true)),
        block: Duration::from_secs(
            settings
                .get("blockSeconds")
                .and_then(Value::as_u64)
                .unwrap_or(30),
        ),
        started: AtomicBool::new(false),
        log,
    });
    c.log(&format!("init {confirm}"));
    if !ctrl.is_null() {
        // SAFETY: `ctrl` is writable (checked non-NULL); the box is freed by chat_close_store.
        unsafe { *ctrl = Box::into_raw(c) as *mut c_void };
    }
    c_string(r#"{"type":"ok"}"#)
}

/// # Safety
/// `ctrl` came from `chat_migrate_init` and was not closed.
unsafe fn ctrl_ref<'a>(ctrl: *mut c_void) -> Option<&'a Ctrl> {
    // SAFETY: per the caller, a live `Box<Ctrl>` or NULL.
    unsafe { (ctrl as *const Ctrl).as_ref() }
}

/// # Safety
/// `ctrl` came from `chat_migrate_init`; `cmd` is NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn chat_send_cmd(ctrl: *mut c_void, cmd: *const c_char) -> *mut c_char {
    // SAFETY: per the caller.
    let (Some(c), cmd) = (unsafe { ctrl_ref(ctrl) }, unsafe { arg(cmd) }) else {
        return c_string(
            r#"{"error":{"type":"error","errorType":{"type":"commandError","message":"no controller"}}}"#,
        );
    };
    c.log(&format!("send {cmd}"));
    {
        let mut pending = c.fault_pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.0 && !cmd.starts_with("/_st") {
            match c.fault {
                Fault::InvalidUtf8 => {
                    pending.0 = false;
                    return c_bytes(b"{\"result\":{\"type\":\"cmdOk\xff\"}}");
                }
                Fault::InvalidJson => {
                    pending.0 = false;
                    return c_string("{\"result\": oops");
                }
                _ => {}
            }
        }
    }
    if let Some(canned) = &c.canned {
        return c_string(canned);
    }
    let resp = match &c.relay {
        Some(relay) => relay.command(&cmd),
        None => json!({"type": "cmdOk"}),
    };
    let started = matches!(
        resp.get("type").and_then(Value::as_str),
        Some("chatStarted" | "chatRunning")
    );
    if cmd.starts_with("/_start") && started {
        c.started.store(true, Ordering::SeqCst);
    }
    c_string(&wrap(resp, "chatCmdError"))
}

/// # Safety
/// `ctrl` came from `chat_migrate_init` and was not closed.
#[no_mangle]
pub unsafe extern "C" fn chat_recv_msg_wait(ctrl: *mut c_void, wait: c_int) -> *mut c_char {
    // SAFETY: per the caller.
    let Some(c) = (unsafe { ctrl_ref(ctrl) }) else {
        return c_string("");
    };
    if c.fault == Fault::BlockRecv && c.started.load(Ordering::SeqCst) {
        std::thread::sleep(c.block);
        return c_string("");
    }
    let wait = Duration::from_micros(wait.max(0) as u64);
    let Some(relay) = &c.relay else {
        std::thread::sleep(wait);
        return c_string("");
    };
    if !c.started.load(Ordering::SeqCst) {
        std::thread::sleep(wait);
        return c_string("");
    }
    let (queue, ready) = &*relay.events;
    let guard = queue.lock().unwrap_or_else(|p| p.into_inner());
    let (mut guard, _) = ready
        .wait_timeout_while(guard, wait, |q| q.is_empty())
        .unwrap_or_else(|p| p.into_inner());
    let Some(event) = guard.pop_front() else {
        return c_string("");
    };
    drop(guard);
    {
        let mut pending = c.fault_pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.1 {
            match c.fault {
                Fault::InvalidUtf8 => {
                    pending.1 = false;
                    return c_bytes(b"{\"result\":{\"type\":\"\xc3\x28\"}}");
                }
                Fault::InvalidJson => {
                    pending.1 = false;
                    return c_string("{\"result\":");
                }
                _ => {}
            }
        }
    }
    c_string(&wrap(event, "chatError"))
}

/// # Safety
/// `ctrl` came from `chat_migrate_init`; nothing uses it after this.
#[no_mangle]
pub unsafe extern "C" fn chat_close_store(ctrl: *mut c_void) -> *mut c_char {
    if ctrl.is_null() {
        return c_string("no controller");
    }
    // SAFETY: per the caller, the box from `chat_migrate_init`, freed once.
    let c = unsafe { Box::from_raw(ctrl as *mut Ctrl) };
    c.log("close");
    c_string("")
}

/// # Safety
/// `argc` and `argv` point to the process's writable argument count and NULL-terminated array.
#[no_mangle]
pub unsafe extern "C" fn hs_init_with_rtsopts(argc: *mut c_int, argv: *mut *mut *mut c_char) {
    INITS.fetch_add(1, Ordering::SeqCst);
    if argc.is_null() || argv.is_null() {
        return;
    }
    // SAFETY: per the caller: `*argv` has `*argc` entries and a NULL after them. As GHC's
    // runtime does, the RTS options are taken out, in place: what remains is the program name.
    unsafe {
        let n = *argc;
        let args = *argv;
        if n < 1 || args.is_null() || !(*args.add(n as usize)).is_null() {
            return;
        }
        *args.add(1) = std::ptr::null_mut();
        *argc = 1;
    }
}

/// A file "encrypted" by the stub: the bytes as they are (the tests check the calls, not the
/// cipher), with key and nonce fixed.
const ARGS: &str = r#"{"type":"result","cryptoArgs":{"fileKey":"a2V5","fileNonce":"bm9uY2U="}}"#;

/// # Safety
/// `path` is NUL-terminated; `data` has `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn chat_write_file(
    _ctrl: *mut c_void,
    path: *const c_char,
    data: *const c_char,
    len: c_int,
) -> *mut c_char {
    // SAFETY: per the caller.
    let (path, data) = unsafe {
        (
            arg(path),
            std::slice::from_raw_parts(data as *const u8, len.max(0) as usize),
        )
    };
    match std::fs::write(&path, data) {
        Ok(()) => c_string(ARGS),
        Err(e) => c_string(&json!({"type": "error", "writeError": e.to_string()}).to_string()),
    }
}

/// # Safety
/// The arguments are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn chat_read_file(
    path: *const c_char,
    key: *const c_char,
    _nonce: *const c_char,
) -> *mut c_char {
    // SAFETY: per the caller.
    let (path, key) = unsafe { (arg(path), arg(key)) };
    let mut out = Vec::new();
    match std::fs::read(&path) {
        Ok(data) if key == "a2V5" => {
            out.push(0u8);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&data);
        }
        Ok(_) => {
            out.push(1u8);
            out.extend_from_slice(b"wrong key");
        }
        Err(e) => {
            out.push(1u8);
            out.extend_from_slice(e.to_string().as_bytes());
        }
    }
    c_bytes(&out)
}

/// # Safety
/// The arguments are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn chat_encrypt_file(
    _ctrl: *mut c_void,
    from: *const c_char,
    to: *const c_char,
) -> *mut c_char {
    // SAFETY: per the caller.
    let (from, to) = unsafe { (arg(from), arg(to)) };
    match std::fs::copy(&from, &to) {
        Ok(_) => c_string(ARGS),
        Err(e) => c_string(&json!({"type": "error", "writeError": e.to_string()}).to_string()),
    }
}

/// Copies `from` to `to`; with a key other than the stub's, writes part of it first and fails
/// (as the real library leaves a partial file when the tag at the end does not match).
///
/// # Safety
/// The arguments are NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn chat_decrypt_file(
    from: *const c_char,
    key: *const c_char,
    _nonce: *const c_char,
    to: *const c_char,
) -> *mut c_char {
    // SAFETY: per the caller.
    let (from, key, to) = unsafe { (arg(from), arg(key), arg(to)) };
    let data = match std::fs::read(&from) {
        Ok(d) => d,
        Err(e) => return c_string(&e.to_string()),
    };
    if key != "a2V5" {
        let _ = std::fs::write(&to, &data[..data.len() / 2]);
        return c_string("invalid authentication tag");
    }
    match std::fs::write(&to, &data) {
        Ok(()) => c_string(""),
        Err(e) => c_string(&e.to_string()),
    }
}
