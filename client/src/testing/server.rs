//! The WebSocket side of the test core: it accepts bots as the CLI's server does (any number of
//! connections, one after another or at once), reads each command, answers it, and sends the
//! world's events.
//!
//! As in the CLI's server, each command is answered in turn, with its corrId; a frame that is
//! not a `{"corrId": ..., "cmd": ...}` request gets `chatCmdError` "invalid request" without a
//! corrId; events go to one connection (the oldest open one), and wait for one while none is
//! open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use simplex_api_types::{AnyCommand, ChatResponse, EventMessage, ResponseMessage};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as Frame;

use super::world::World;
use super::ReceivedCommand;

/// What a test's override of a command answers: the response, or `None` to send nothing.
pub(super) type Override = Box<dyn FnMut(&str, &mut World) -> Option<ChatResponse> + Send>;

/// State shared by the test's handle, the accept loop and the connections.
pub(super) struct Shared {
    state: Mutex<State>,
    /// Woken whenever a command arrives or the world changes, for the test's waits.
    pub(super) changed: Notify,
    /// Set when the test core is dropped: every connection closes.
    pub(super) shutdown: watch::Sender<bool>,
}

pub(super) struct State {
    pub(super) world: World,
    pub(super) log: Vec<ReceivedCommand>,
    /// How many log entries `next_command` has taken, per position.
    pub(super) taken: Vec<bool>,
    pub(super) overrides: HashMap<&'static str, Override>,
    conns: Vec<Conn>,
    /// Events waiting for a connection.
    backlog: Vec<String>,
    /// Every frame written to a bot, in order.
    pub(super) sent: Vec<String>,
    pub(super) accepted: usize,
    next_conn: u64,
    pub(super) timeout: Duration,
}

struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Out>,
}

/// What a connection task is told to do.
pub(super) enum Out {
    /// Send this text frame, then report that it was written.
    Text(String, Option<oneshot::Sender<()>>),
    /// Send this frame as it is.
    Raw(Frame),
    /// Close with a close frame (the core stops).
    Close,
    /// Drop the TCP connection without a close frame (the core is killed).
    Drop,
}

impl Shared {
    pub(super) fn new(world: World, timeout: Duration) -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(State {
                world,
                log: Vec::new(),
                taken: Vec::new(),
                overrides: HashMap::new(),
                conns: Vec::new(),
                backlog: Vec::new(),
                sent: Vec::new(),
                accepted: 0,
                next_conn: 1,
                timeout,
            }),
            changed: Notify::new(),
            shutdown: watch::channel(false).0,
        })
    }

    /// The state. A test's override that panicked leaves it consistent enough to go on (and
    /// the panic fails that test anyway).
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends the events the world queued, and wakes the test's waits. Returns a receiver that
    /// reports when the last of them was written (`None` when there were none, or no bot is
    /// connected).
    pub(super) fn flush_events(&self, st: &mut State) -> Option<oneshot::Receiver<()>> {
        let events = std::mem::take(&mut st.world.outbox);
        let mut written = None;
        let count = events.len();
        for (i, event) in events.into_iter().enumerate() {
            let frame = EventMessage {
                resp: event,
                extra_fields: Default::default(),
            }
            .to_json();
            let ack = if i + 1 == count {
                let (tx, rx) = oneshot::channel();
                written = Some(rx);
                Some(tx)
            } else {
                None
            };
            if !st.deliver(frame, ack) {
                written = None;
            }
        }
        self.changed.notify_waiters();
        written
    }

    /// Sends a frame the test made (an event or anything else) to the bot.
    pub(super) fn send_out(&self, out: Out) -> Option<oneshot::Receiver<()>> {
        let mut st = self.lock();
        match out {
            Out::Text(text, _) => {
                let (tx, rx) = oneshot::channel();
                st.deliver(text, Some(tx)).then_some(rx)
            }
            other => {
                if let Some(conn) = st.conns.first() {
                    let _ = conn.tx.send(other);
                }
                None
            }
        }
    }

    /// Tells every connection to `out()`.
    pub(super) fn to_all(&self, out: impl Fn() -> Out) {
        let st = self.lock();
        for conn in &st.conns {
            let _ = conn.tx.send(out());
        }
    }

    /// Answers one text frame from a bot: the frames to write on that connection now.
    fn on_text(&self, text: &str) -> Option<String> {
        let Some((corr_id, cmd)) = request(text) else {
            tracing::warn!(
                frame = text,
                "the test core got a frame that is not a request"
            );
            let mut st = self.lock();
            let resp = st.world.error(command_error("invalid request"));
            let frame = ResponseMessage {
                corr_id: None,
                resp: ChatResponse::from(resp),
                extra_fields: Default::default(),
            }
            .to_json();
            st.log.push(ReceivedCommand {
                corr_id: None,
                text: text.to_owned(),
                name: "",
                refusal: Some("not a {\"corrId\": ..., \"cmd\": ...} request".to_owned()),
                response: Some("chatCmdError".to_owned()),
            });
            st.taken.push(false);
            drop(st);
            self.changed.notify_waiters();
            return Some(frame);
        };
        let parsed = AnyCommand::parse(&cmd);
        let mut st = self.lock();
        let (name, refusal) = match &parsed {
            Ok(AnyCommand::Undocumented(_)) => {
                ("", Some("no documented command begins this way".to_owned()))
            }
            Ok(c) => (c.name(), None),
            Err(e) => (e.command(), Some(e.to_string())),
        };
        if let Some(reason) = &refusal {
            tracing::warn!(
                cmd,
                reason,
                "the test core refuses a command, as the core would"
            );
        }
        let resp = match &parsed {
            Ok(c) if refusal.is_none() => {
                let State {
                    overrides, world, ..
                } = &mut *st;
                match overrides.get_mut(name) {
                    Some(answer) => answer(&cmd, world),
                    None => Some(world.answer(c)),
                }
            }
            _ => Some(st.world.refusal()),
        };
        st.log.push(ReceivedCommand {
            corr_id: Some(corr_id.clone()),
            text: cmd,
            name,
            refusal,
            response: resp.as_ref().and_then(|r| r.tag()).map(str::to_owned),
        });
        st.taken.push(false);
        let frame = resp.map(|resp| {
            ResponseMessage {
                corr_id: Some(corr_id),
                resp,
                extra_fields: Default::default(),
            }
            .to_json()
        });
        // The events follow the response on the connection.
        if let Some(frame) = &frame {
            st.sent.push(frame.clone());
        }
        self.flush_events(&mut st);
        frame
    }
}

/// `CommandError { message }`.
fn command_error(message: &str) -> simplex_api_types::types::chat_error_type::CommandError {
    let mut e = simplex_api_types::types::chat_error_type::CommandError::default();
    e.message = message.to_owned();
    e
}

impl State {
    /// How many connections are open.
    pub(super) fn open(&self) -> usize {
        self.conns.len()
    }

    /// Hands a frame to the connection events go to, or keeps it for the next one. False when
    /// it was kept.
    fn deliver(&mut self, frame: String, ack: Option<oneshot::Sender<()>>) -> bool {
        let mut out = Out::Text(frame, ack);
        while let Some(conn) = self.conns.first() {
            match conn.tx.send(out) {
                Ok(()) => return true,
                // The connection ended and is going: try the next one.
                Err(mpsc::error::SendError(back)) => {
                    out = back;
                    self.conns.remove(0);
                }
            }
        }
        if let Out::Text(frame, _) = out {
            self.backlog.push(frame);
        }
        false
    }
}

/// `(corrId, cmd)` of a request frame: a JSON object with both as strings (other fields are
/// ignored, as the core ignores them).
fn request(text: &str) -> Option<(String, String)> {
    let v: Value = serde_json::from_str(text).ok()?;
    let corr_id = v.get("corrId")?.as_str()?.to_owned();
    let cmd = v.get("cmd")?.as_str()?.to_owned();
    Some((corr_id, cmd))
}

/// Accepts connections until the test core is dropped.
pub(super) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
        };
        match accepted {
            Ok((tcp, _)) => {
                tokio::spawn(serve(tcp, Arc::clone(&shared)));
            }
            Err(e) => {
                tracing::warn!("the test core could not accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// The largest message the test core takes or sends: what the client accepts by default.
const MAX_MESSAGE: usize = 64 << 20;

/// Serves one bot connection.
async fn serve(tcp: TcpStream, shared: Arc<Shared>) {
    let _ = tcp.set_nodelay(true);
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let ws = match tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await {
        Ok(ws) => ws,
        Err(e) => {
            tracing::debug!("a WebSocket handshake with the test core failed: {e}");
            return;
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut st = shared.lock();
        let id = st.next_conn;
        st.next_conn += 1;
        st.accepted += 1;
        let first = st.conns.is_empty();
        if first {
            for frame in std::mem::take(&mut st.backlog) {
                let _ = tx.send(Out::Text(frame, None));
            }
        }
        st.conns.push(Conn { id, tx });
        id
    };
    shared.changed.notify_waiters();
    let mut shutdown = shared.shutdown.subscribe();
    let (mut sink, mut stream) = ws.split();
    let mut abrupt = false;
    loop {
        tokio::select! {
            frame = stream.next() => {
                let text = match frame {
                    Some(Ok(Frame::Text(t))) => t.as_str().to_owned(),
                    // The core reads binary frames as text (and any non-UTF-8 request is not
                    // JSON, so it is an invalid request).
                    Some(Ok(Frame::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                if let Some(reply) = shared.on_text(&text) {
                    if sink.send(Frame::text(reply)).await.is_err() {
                        break;
                    }
                }
            }
            out = rx.recv() => {
                let Some(out) = out else { break };
                let result = match out {
                    Out::Text(text, ack) => {
                        let sent = sink.send(Frame::text(text.clone())).await;
                        shared.lock().sent.push(text);
                        if let Some(ack) = ack {
                            let _ = ack.send(());
                        }
                        sent
                    }
                    Out::Raw(frame) => sink.send(frame).await,
                    Out::Close => {
                        let _ = sink.close().await;
                        // Read until the bot's close reply ends the stream.
                        let _ = tokio::time::timeout(Duration::from_secs(1), async {
                            while let Some(Ok(_)) = stream.next().await {}
                        })
                        .await;
                        break;
                    }
                    Out::Drop => {
                        abrupt = true;
                        break;
                    }
                };
                if result.is_err() {
                    break;
                }
            }
            _ = shutdown.changed() => {
                let _ = sink.close().await;
                break;
            }
        }
    }
    {
        let mut st = shared.lock();
        st.conns.retain(|c| c.id != id);
    }
    shared.changed.notify_waiters();
    if abrupt {
        // Dropping both halves closes the TCP connection without a close frame.
        drop(sink);
        drop(stream);
    }
}
