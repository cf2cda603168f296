//! The two tasks behind a [`Client`](crate::Client): one writes commands to the transport, one
//! reads what arrives, hands responses to the commands waiting for them and everything else to
//! [`Events`](crate::Events).
//!
//! The reader serves both transports: WebSocket frames, and (with the `ffi` feature) the
//! library's replies and events, which the in-process transport (`crate::ffi`) hands it as
//! [`Inbound`] items. The pending commands, their timeouts, back-pressure and the event queue
//! exist once, here, for both; every event of either transport passes through [`on_event`].

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, Stream, StreamExt};
use simplex_api_types::{
    parse_message, CommandRequest, DecodeError, EventMessage, Message, ResponseMessage,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_tungstenite::tungstenite::{self, Message as Frame};
use tokio_tungstenite::WebSocketStream;
use tracing::{debug, info, trace, warn};

use crate::events::Incoming;
use crate::ClientError;

/// A pending map this large is given back to the allocator once it is empty again, so that a
/// burst of commands does not keep its memory for the life of the connection.
const SHRINK_ABOVE: usize = 1024;

/// State shared by the client handles and the two tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    pending: Mutex<Pending>,
    next_id: AtomicU64,
    /// Woken when a command starts waiting, so that a reader paused on a full event channel
    /// reads on to find its response.
    command_waiting: Notify,
    /// Calls waiting for file transfers to end.
    pub(crate) files: crate::files::Watchers,
}

/// What a waiting command receives: its response, or why its response is unusable.
pub(crate) type Reply = Result<ResponseMessage, ClientError>;

/// A command for the writer: its correlation id and the command string.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub(crate) id: u64,
    pub(crate) cmd: String,
}

/// What a transport hands the reader.
#[derive(Debug)]
pub(crate) enum Inbound {
    /// A WebSocket frame.
    Frame(Frame),
    /// The library's reply to the command `id` (`chat_send_cmd`), as it returned it.
    #[cfg(feature = "ffi")]
    LibraryReply { id: u64, bytes: Vec<u8> },
    /// A non-empty answer of `chat_recv_msg_wait`, as the library returned it.
    #[cfg(feature = "ffi")]
    LibraryEvent(Vec<u8>),
    /// The transport ended: why, if it failed.
    #[cfg(feature = "ffi")]
    End(Option<String>),
}

#[derive(Debug, Default)]
struct Pending {
    /// Commands waiting for a response, by correlation id.
    waiting: HashMap<u64, oneshot::Sender<Reply>>,
    /// Set once the connection is closed: no command may start waiting after that.
    closed: bool,
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            pending: Mutex::new(Pending::default()),
            next_id: AtomicU64::new(1),
            command_waiting: Notify::new(),
            files: crate::files::Watchers::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        // The lock is never held across code that can panic midway, so a poisoned map is
        // still consistent.
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Assigns a correlation id and records that a command waits for it.
    pub(crate) fn register(&self) -> Result<(u64, oneshot::Receiver<Reply>), ClientError> {
        let (tx, rx) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut pending = self.lock();
            if pending.closed {
                return Err(ClientError::Disconnected);
            }
            pending.waiting.insert(id, tx);
        }
        self.command_waiting.notify_one();
        Ok((id, rx))
    }

    /// Forgets the command waiting for `id`, returning its slot if it was still there.
    pub(crate) fn remove(&self, id: u64) -> Option<oneshot::Sender<Reply>> {
        let mut pending = self.lock();
        let slot = pending.waiting.remove(&id);
        if pending.waiting.is_empty() && pending.waiting.capacity() > SHRINK_ABOVE {
            pending.waiting.shrink_to_fit();
        }
        slot
    }

    /// How many commands wait for a response.
    pub(crate) fn pending_count(&self) -> usize {
        self.lock().waiting.len()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Called with every event, whatever the transport, before it is delivered: wakes the
    /// calls waiting for a file transfer that the event ends.
    pub(crate) fn observe_event(&self, event: &EventMessage) {
        self.files.observe(&event.resp);
    }

    /// Marks the connection closed and fails every waiting command (dropping its sender makes
    /// its receiver report [`ClientError::Disconnected`]).
    pub(crate) fn close(&self) {
        self.files.close();
        let waiting = {
            let mut pending = self.lock();
            pending.closed = true;
            std::mem::take(&mut pending.waiting)
        };
        if !waiting.is_empty() {
            debug!(
                commands = waiting.len(),
                "connection closed: failing the pending commands"
            );
        }
    }
}

/// Writes queued command frames, several at a time when they queue up, then flushes.
///
/// Ends when every [`Client`](crate::Client) is dropped (after sending a close frame), when the
/// reader ends (`reader_done`), or when writing fails.
pub(crate) async fn write_loop<S>(
    mut sink: SplitSink<WebSocketStream<S>, Frame>,
    mut outgoing: mpsc::Receiver<Outgoing>,
    mut reader_done: oneshot::Receiver<()>,
    shared: std::sync::Arc<Shared>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let first = tokio::select! {
            biased;
            _ = &mut reader_done => return,
            frame = outgoing.recv() => frame,
        };
        let Some(first) = first else {
            debug!("every Client was dropped: closing the connection");
            if let Err(e) = sink.close().await {
                debug!("closing the connection: {e}");
            }
            return;
        };
        let mut result = feed(&mut sink, first).await;
        while result.is_ok() {
            match outgoing.try_recv() {
                Ok(frame) => result = feed(&mut sink, frame).await,
                Err(_) => break,
            }
        }
        if result.is_ok() {
            result = sink.flush().await;
        }
        if let Err(e) = result {
            warn!("writing to the chat core failed, closing the connection: {e}");
            shared.close();
            return;
        }
    }
}

async fn feed<S>(
    sink: &mut SplitSink<WebSocketStream<S>, Frame>,
    command: Outgoing,
) -> Result<(), tungstenite::Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CommandRequest {
        corr_id: command.id.to_string(),
        cmd: command.cmd,
    }
    .to_json();
    debug!(frame = %frame, "sending");
    sink.feed(Frame::text(frame)).await
}

/// An item held until the [`Events`](crate::Events) channel has room.
enum Held {
    /// An event, kept as the text it arrived as (its decoded form takes about 2.7 times the
    /// memory) and decoded again when it moves to the channel.
    Event(String),
    /// An event of the library (`{"result": ...}`), kept the same way.
    #[cfg(feature = "ffi")]
    LibraryEvent(String),
    /// Anything else, as it will be delivered.
    Item(Incoming),
}

impl Held {
    /// The item to deliver.
    fn into_item(self) -> Incoming {
        match self {
            Held::Item(item) => item,
            Held::Event(text) => match parse_message(&text) {
                Ok(Message::Event(event)) => Incoming::Event(event),
                // It decoded as an event when it arrived; the same text decodes the same.
                Ok(_) => Incoming::Other(text),
                Err(error) => Incoming::Undecodable { text, error },
            },
            #[cfg(feature = "ffi")]
            Held::LibraryEvent(text) => match library::event(&text) {
                Ok(Some(event)) => Incoming::Event(event),
                // It decoded as an event when it arrived; the same text decodes the same.
                Ok(None) => Incoming::Other(text),
                Err(error) => Incoming::Undecodable { text, error },
            },
        }
    }
}

/// Items for [`Events`](crate::Events) that did not fit in its channel yet, and the channel.
struct EventQueue {
    tx: mpsc::Sender<Incoming>,
    /// In order, before anything newer. Holds items only while the channel is full.
    held: VecDeque<Held>,
    /// The [`Events`](crate::Events) receiver was dropped: discard items.
    receiver_gone: bool,
    capacity: usize,
}

impl EventQueue {
    /// Whether a new item would be held (the channel was full, or older items are held).
    fn holding(&self) -> bool {
        !self.held.is_empty() || self.tx.capacity() == 0
    }

    /// Delivers the event that arrived as `text` (decoded as `event`); held as its text.
    fn push_event(&mut self, text: &str, event: EventMessage, kind: EventText) {
        if self.holding() && !self.receiver_gone {
            drop(event);
            self.hold(match kind {
                EventText::WebSocket => Held::Event(text.to_owned()),
                #[cfg(feature = "ffi")]
                EventText::Library => Held::LibraryEvent(text.to_owned()),
            });
        } else {
            self.push(Incoming::Event(event));
        }
    }

    fn push(&mut self, item: Incoming) {
        if self.receiver_gone {
            trace!("no Events receiver: discarding {item:?}");
            return;
        }
        if self.held.is_empty() {
            match self.tx.try_send(item) {
                Ok(()) => {}
                Err(TrySendError::Full(item)) => {
                    debug!("the event channel is full: holding events until the bot reads them");
                    self.held.push_back(Held::Item(item));
                }
                Err(TrySendError::Closed(_)) => self.receiver_gone(),
            }
        } else {
            self.hold(Held::Item(item));
        }
    }

    /// Holds `item` after the others.
    fn hold(&mut self, item: Held) {
        self.held.push_back(item);
        let held = self.held.len();
        if held >= self.capacity && held.is_power_of_two() {
            warn!(
                held,
                "the bot does not read events while commands wait for responses: \
                 holding events in memory so that the responses get through"
            );
        }
    }

    /// Moves held items into the channel while it has room.
    fn move_held(&mut self) {
        while !self.held.is_empty() {
            let Ok(permit) = self.tx.try_reserve() else {
                if self.tx.is_closed() {
                    self.receiver_gone();
                }
                return;
            };
            if let Some(item) = self.held.pop_front() {
                permit.send(item.into_item());
            }
        }
    }

    /// Waits for room in the channel and moves the oldest held item there.
    async fn send_one_held(&mut self) {
        let gone = match self.tx.reserve().await {
            Ok(permit) => {
                if let Some(item) = self.held.pop_front() {
                    permit.send(item.into_item());
                }
                false
            }
            Err(_) => true,
        };
        if gone {
            self.receiver_gone();
        }
    }

    fn receiver_gone(&mut self) {
        if !self.receiver_gone {
            debug!("the Events receiver was dropped: discarding events from now on");
        }
        self.receiver_gone = true;
        self.held.clear();
    }
}

/// Reads frames until the connection ends, then fails the pending commands, delivers the held
/// events and ends the [`Events`](crate::Events) stream (by dropping its sender).
///
/// Back-pressure: while the event channel is full, the reader goes on reading only if a command
/// waits for its response (holding the events read meanwhile); otherwise it waits for the bot to
/// read events, and the socket fills up.
pub(crate) async fn read_loop<St, E>(
    mut stream: St,
    shared: std::sync::Arc<Shared>,
    events: mpsc::Sender<Incoming>,
    capacity: usize,
    reader_done: oneshot::Sender<()>,
) where
    St: Stream<Item = Result<Inbound, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut queue = EventQueue {
        tx: events,
        held: VecDeque::new(),
        receiver_gone: false,
        capacity,
    };
    let end = loop {
        queue.move_held();
        let frame = if queue.held.is_empty() {
            stream.next().await
        } else if shared.pending_count() > 0 {
            tokio::select! {
                biased;
                _ = queue.send_one_held() => continue,
                frame = stream.next() => frame,
            }
        } else {
            tokio::select! {
                biased;
                _ = queue.send_one_held() => continue,
                _ = shared.command_waiting.notified() => continue,
            }
        };
        match frame {
            // No response can follow a close frame: end now, whether or not the core also
            // closes the TCP connection.
            Some(Ok(Inbound::Frame(Frame::Close(close)))) => {
                debug!("the chat core closes the connection: {close:?}");
                break None;
            }
            Some(Ok(Inbound::Frame(frame))) => on_frame(frame, &shared, &mut queue),
            #[cfg(feature = "ffi")]
            Some(Ok(Inbound::LibraryReply { id, bytes })) => {
                library::on_reply(id, bytes, &shared, &mut queue)
            }
            #[cfg(feature = "ffi")]
            Some(Ok(Inbound::LibraryEvent(bytes))) => library::on_event(bytes, &shared, &mut queue),
            #[cfg(feature = "ffi")]
            Some(Ok(Inbound::End(reason))) => break reason,
            Some(Err(e)) => break Some(e.to_string()),
            None => break None,
        }
    };
    match end {
        Some(e) => warn!("the connection to the chat core failed: {e}"),
        None => info!("the connection to the chat core is closed"),
    }
    shared.close();
    // Stops the writer.
    drop(reader_done);
    while !queue.held.is_empty() {
        queue.send_one_held().await;
    }
}

fn on_frame(frame: Frame, shared: &Shared, queue: &mut EventQueue) {
    match frame {
        Frame::Text(text) => {
            trace!(frame = %text.as_str(), "received");
            match parse_message(text.as_str()) {
                Ok(Message::Response(resp)) => on_response(resp, shared, queue),
                Ok(Message::Event(event)) => {
                    on_event(text.as_str(), event, EventText::WebSocket, shared, queue)
                }
                Ok(Message::Undecoded(u)) => {
                    on_undecodable(text.as_str().to_owned(), u.error, shared, queue)
                }
                // `Message` is non-exhaustive: a kind a newer simplex-api-types adds.
                Ok(_) => {
                    warn!("received a kind of message this client does not know");
                    queue.push(Incoming::Other(text.as_str().to_owned()));
                }
                Err(error) => on_undecodable(text.as_str().to_owned(), error, shared, queue),
            }
        }
        Frame::Binary(data) => {
            warn!(
                len = data.len(),
                "received a binary frame; the core sends text"
            );
            queue.push(Incoming::Binary(data.to_vec()));
        }
        Frame::Ping(_) => debug!("received a ping"),
        Frame::Pong(_) => debug!("received a pong"),
        // Handled by the reader loop, which ends the connection.
        Frame::Close(_) | Frame::Frame(_) => {}
    }
}

/// How an event arrived, so that a held one is decoded again the same way.
#[derive(Debug, Clone, Copy)]
enum EventText {
    /// A WebSocket message `{"resp": ...}`.
    WebSocket,
    /// A reply of `chat_recv_msg_wait`, `{"result": ...}` or `{"error": ...}`.
    #[cfg(feature = "ffi")]
    Library,
}

/// Every decoded event, of either transport, before it is delivered (`text` as it arrived).
fn on_event(
    text: &str,
    event: EventMessage,
    kind: EventText,
    shared: &Shared,
    queue: &mut EventQueue,
) {
    debug!(tag = event.resp.tag(), "received an event");
    // What watches events (whatever the transport) looks at them here, before delivery.
    shared.observe_event(&event);
    queue.push_event(text, event, kind);
}

fn on_response(resp: ResponseMessage, shared: &Shared, queue: &mut EventQueue) {
    let id = resp.corr_id.as_deref().and_then(parse_corr_id);
    debug!(
        corr_id = resp.corr_id.as_deref(),
        tag = resp.resp.tag(),
        "received a response"
    );
    let unmatched = match id.and_then(|id| shared.remove(id)) {
        // The waiting future may be dropped meanwhile: then the response is unmatched after all.
        Some(slot) => match slot.send(Ok(resp)) {
            Ok(()) => return,
            Err(Ok(resp)) => resp,
            Err(Err(_)) => return,
        },
        None => resp,
    };
    warn!(
        corr_id = unmatched.corr_id.as_deref(),
        tag = unmatched.resp.tag(),
        "received a response that no pending command waits for"
    );
    queue.push(Incoming::Unmatched(unmatched));
}

/// A text frame that does not decode. If it still carries the `corrId` of a waiting command, that
/// command fails with [`ClientError::Decode`] at once instead of waiting for its timeout;
/// otherwise the frame goes to the events.
fn on_undecodable(text: String, error: DecodeError, shared: &Shared, queue: &mut EventQueue) {
    warn!(
        len = text.len(),
        "received a frame that does not decode: {error}"
    );
    let slot = error
        .corr_id
        .as_deref()
        .and_then(parse_corr_id)
        .and_then(|id| shared.remove(id));
    let (text, error) = match slot {
        Some(slot) => match slot.send(Err(ClientError::Decode {
            text,
            error: Box::new(error),
        })) {
            Ok(()) => return,
            Err(Err(ClientError::Decode { text, error })) => (text, *error),
            Err(_) => return,
        },
        None => (text, error),
    };
    queue.push(Incoming::Undecodable { text, error });
}

/// The library's replies and events, decoded into the messages the WebSocket gives, and then
/// handled as those are: a reply as a response to its command, an event through [`on_event`].
#[cfg(feature = "ffi")]
mod library {
    use simplex_api_types::events::ChatError as ChatErrorEvent;
    use simplex_api_types::responses::ChatCmdError;
    use simplex_api_types::{
        parse_library_event, parse_library_response, ChatEvent, ChatResponse, DecodeError,
        EventMessage, LibraryOutcome, ResponseMessage,
    };
    use tracing::{trace, warn};

    use super::{on_response, on_undecodable, EventQueue, EventText, Shared};
    use crate::events::Incoming;

    /// The text of what the library returned, or the error for bytes that are not UTF-8 (with
    /// the text, invalid sequences replaced, for the bot to see).
    fn text(bytes: Vec<u8>) -> Result<String, Box<(String, DecodeError)>> {
        String::from_utf8(bytes).map_err(|e| {
            let error = DecodeError::not_utf8(e.as_bytes(), e.utf8_error());
            Box::new((String::from_utf8_lossy(e.as_bytes()).into_owned(), error))
        })
    }

    /// An event as the WebSocket gives it: `{"error": e}` is the `chatError` event carrying
    /// `e`. `None` for the empty text (nothing arrived).
    pub(super) fn event(text: &str) -> Result<Option<EventMessage>, DecodeError> {
        Ok(parse_library_event(text)?.map(|reply| EventMessage {
            resp: match reply.outcome {
                LibraryOutcome::Result(event) => event,
                LibraryOutcome::Error(e) => {
                    let mut event = ChatErrorEvent::default();
                    event.chat_error = *e;
                    ChatEvent::ChatError(Box::new(event))
                }
                // `LibraryOutcome` is non-exhaustive: kept whole, undocumented.
                _ => ChatEvent::Undocumented(serde_json::Value::String(text.to_owned())),
            },
            extra_fields: reply.extra_fields,
        }))
    }

    /// The reply to the command `id`, matched as a response with that `corrId`: `{"error": e}`
    /// is the `chatCmdError` response carrying `e`, as the WebSocket gives a refused command.
    pub(super) fn on_reply(id: u64, bytes: Vec<u8>, shared: &Shared, queue: &mut EventQueue) {
        let corr_id = id.to_string();
        let text = match text(bytes) {
            Ok(text) => text,
            Err(bad) => {
                let (text, mut error) = *bad;
                error.corr_id = Some(corr_id);
                return on_undecodable(text, error, shared, queue);
            }
        };
        trace!(reply = %text, "received");
        match parse_library_response(&text) {
            Ok(reply) => {
                let resp = match reply.outcome {
                    LibraryOutcome::Result(resp) => resp,
                    LibraryOutcome::Error(e) => {
                        let mut resp = ChatCmdError::default();
                        resp.chat_error = *e;
                        ChatResponse::ChatCmdError(Box::new(resp))
                    }
                    _ => ChatResponse::Undocumented(serde_json::Value::String(text)),
                };
                let resp = ResponseMessage {
                    corr_id: Some(corr_id),
                    resp,
                    extra_fields: reply.extra_fields,
                };
                on_response(resp, shared, queue)
            }
            Err(mut error) => {
                error.corr_id = Some(corr_id);
                on_undecodable(text, error, shared, queue)
            }
        }
    }

    /// An answer of `chat_recv_msg_wait`: an event, or what does not decode as one.
    pub(super) fn on_event(bytes: Vec<u8>, shared: &Shared, queue: &mut EventQueue) {
        let text = match text(bytes) {
            Ok(text) => text,
            Err(bad) => {
                let (text, error) = *bad;
                warn!("the library sent an event that is not UTF-8: {error}");
                return queue.push(Incoming::Undecodable { text, error });
            }
        };
        trace!(event = %text, "received");
        match event(&text) {
            Ok(Some(event)) => super::on_event(&text, event, EventText::Library, shared, queue),
            // The receive thread does not pass the empty text on.
            Ok(None) => {}
            Err(error) => on_undecodable(text, error, shared, queue),
        }
    }
}

/// The counter value of a correlation id this client sent: digits, no leading zero.
fn parse_corr_id(s: &str) -> Option<u64> {
    let canonical = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.len() == 1 || !s.starts_with('0'));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::parse_corr_id;

    #[test]
    fn corr_ids_are_read_only_in_the_form_sent() {
        assert_eq!(parse_corr_id("1"), Some(1));
        assert_eq!(parse_corr_id("0"), Some(0));
        assert_eq!(parse_corr_id("18446744073709551615"), Some(u64::MAX));
        for other in [
            "",
            "01",
            "+1",
            "-1",
            " 1",
            "1a",
            "18446744073709551616",
            "addr-corr-2",
        ] {
            assert_eq!(parse_corr_id(other), None, "{other:?}");
        }
    }
}
