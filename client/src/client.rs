//! Connecting, and sending commands.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use simplex_api_types::{ChatResponse, Command, ResponseMessage};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

use crate::connection::{read_loop, write_loop, Inbound, Outgoing, Shared};
use crate::{ClientError, Config, Events};

/// How many rendered commands may wait for the writer task before [`Client::send`] waits too.
const OUTGOING_CAPACITY: usize = 1024;

/// Connects to a `simplex-chat` core's WebSocket server (`simplex-chat -p 5225` listens on
/// `ws://127.0.0.1:5225`) with the default [`Config`].
///
/// Returns the [`Client`] to send commands with and the [`Events`] stream of what arrives
/// unprompted. Must be called within a Tokio runtime with its IO and time drivers enabled (as
/// `#[tokio::main]` sets up): it spawns the tasks that read and write the socket, and commands
/// time out.
///
/// Only plain `ws://` URLs are supported (the core listens on plain WebSocket); a `wss://` URL
/// fails with [`ClientError::WebSocket`].
pub async fn connect(url: &str) -> Result<(Client, Events), ClientError> {
    connect_with(url, Config::default()).await
}

/// Connects like [`connect`], with the given [`Config`].
pub async fn connect_with(url: &str, config: Config) -> Result<(Client, Events), ClientError> {
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_frame_size));
    let (ws, _response) =
        tokio_tungstenite::connect_async_with_config(url, Some(ws_config), true).await?;
    tracing::debug!(url, "connected to the chat core");
    Ok(start(ws, config))
}

/// Spawns the reader and writer tasks of a connected WebSocket.
fn start<S>(ws: WebSocketStream<S>, config: Config) -> (Client, Events)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sink, stream) = ws.split();
    let inbound = stream.map(|frame| frame.map(Inbound::Frame));
    start_transport(&config, inbound, |outgoing, reader_done, shared| {
        write_loop(sink, outgoing, reader_done, shared)
    })
}

/// Starts a client on a transport, whichever it is: the reader task reads `inbound` (and
/// matches responses, queues events), `writer` makes the task that takes the commands (ending
/// when the reader does, `reader_done`).
pub(crate) fn start_transport<St, E, W, F>(
    config: &Config,
    inbound: St,
    writer: W,
) -> (Client, Events)
where
    St: Stream<Item = Result<Inbound, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
    W: FnOnce(mpsc::Receiver<Outgoing>, oneshot::Receiver<()>, Arc<Shared>) -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let capacity = config.event_capacity.max(1);
    let shared = Arc::new(Shared::new());
    let (outgoing_tx, outgoing_rx) = mpsc::channel(OUTGOING_CAPACITY);
    let (events_tx, events_rx) = mpsc::channel(capacity);
    let (reader_done_tx, reader_done_rx) = oneshot::channel();
    tokio::spawn(writer(outgoing_rx, reader_done_rx, Arc::clone(&shared)));
    tokio::spawn(read_loop(
        inbound,
        Arc::clone(&shared),
        events_tx,
        capacity,
        reader_done_tx,
    ));
    let client = Client {
        inner: Arc::new(Inner {
            shared,
            outgoing: outgoing_tx,
            timeout: config.timeout,
            #[cfg(feature = "ffi")]
            library: None,
        }),
    };
    (client, Events::new(events_rx))
}

/// Sends commands to the core and returns their responses.
///
/// Cheap to clone (all clones share one connection) and usable from many tasks at once: each
/// command gets its own correlation id, and responses are matched to their commands in whatever
/// order they arrive.
///
/// The connection closes when every clone is dropped (the [`Events`] stream then ends), or when
/// the core closes it: every command then fails with [`ClientError::Disconnected`].
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    outgoing: mpsc::Sender<Outgoing>,
    timeout: Duration,
    /// The in-process core this client talks to, when it is one.
    #[cfg(feature = "ffi")]
    library: Option<crate::ffi::LibraryCore>,
}

impl Client {
    /// Sends a command and waits for its response, converted to the command's response type
    /// (the responses it is documented to get, and `Undocumented` for the rest), for at most
    /// [`Config::timeout`].
    ///
    /// The command is rendered first: if that fails, nothing is sent
    /// ([`ClientError::Render`]). Dropping the returned future stops waiting; a response that
    /// arrives later is delivered on [`Events`] as
    /// [`Incoming::Unmatched`](crate::Incoming::Unmatched).
    pub async fn send<C>(&self, command: &C) -> Result<C::Response, ClientError>
    where
        C: Command,
        C::Response: From<ChatResponse>,
    {
        self.send_with_timeout(command, self.inner.timeout).await
    }

    /// Like [`send`](Client::send), waiting at most `timeout` for the response.
    pub async fn send_with_timeout<C>(
        &self,
        command: &C,
        timeout: Duration,
    ) -> Result<C::Response, ClientError>
    where
        C: Command,
        C::Response: From<ChatResponse>,
    {
        let cmd = command.to_command_string()?;
        let response = self.request(cmd, timeout).await?;
        Ok(C::Response::from(response.resp))
    }

    /// Sends a command string as it is (e.g. `"/user"`) and waits for the whole response
    /// message, for at most [`Config::timeout`].
    ///
    /// Nothing checks the string: a line break in it ends the command early at the core.
    pub async fn send_raw(&self, cmd: &str) -> Result<ResponseMessage, ClientError> {
        self.send_raw_with_timeout(cmd, self.inner.timeout).await
    }

    /// Like [`send_raw`](Client::send_raw), waiting at most `timeout` for the response.
    pub async fn send_raw_with_timeout(
        &self,
        cmd: &str,
        timeout: Duration,
    ) -> Result<ResponseMessage, ClientError> {
        self.request(cmd.to_owned(), timeout).await
    }

    /// How many commands wait for their response now.
    pub fn pending_commands(&self) -> usize {
        self.inner.shared.pending_count()
    }

    /// Whether the connection is closed: every command sent now fails with
    /// [`ClientError::Disconnected`].
    pub fn is_closed(&self) -> bool {
        self.inner.shared.is_closed()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The in-process core behind this client, when it talks to one ([`ffi::open`]): for its
    /// file functions and to shut it down.
    ///
    /// [`ffi::open`]: crate::ffi::open
    #[cfg(feature = "ffi")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ffi")))]
    pub fn library_core(&self) -> Option<&crate::ffi::LibraryCore> {
        self.inner.library.as_ref()
    }

    /// This client, knowing the in-process core behind it.
    #[cfg(feature = "ffi")]
    pub(crate) fn with_library(self, core: crate::ffi::LibraryCore) -> Client {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            // Just made: no clone exists yet.
            Err(inner) => Inner {
                shared: Arc::clone(&inner.shared),
                outgoing: inner.outgoing.clone(),
                timeout: inner.timeout,
                library: inner.library.clone(),
            },
        };
        Client {
            inner: Arc::new(Inner {
                library: Some(core),
                ..inner
            }),
        }
    }

    async fn request(
        &self,
        cmd: String,
        timeout: Duration,
    ) -> Result<ResponseMessage, ClientError> {
        let (id, response) = self.inner.shared.register()?;
        let slot = PendingSlot {
            shared: &self.inner.shared,
            id,
            armed: true,
        };
        let exchange = async {
            self.inner
                .outgoing
                .send(Outgoing { id, cmd })
                .await
                .map_err(|_| ClientError::Disconnected)?;
            response.await.map_err(|_| ClientError::Disconnected)
        };
        match tokio::time::timeout(timeout, exchange).await {
            // The reader took the slot to deliver the reply.
            Ok(Ok(reply)) => {
                slot.disarm();
                reply
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(ClientError::Timeout(timeout)),
        }
    }
}

/// Removes a command's pending slot when its future ends without the response (timeout, error,
/// or the future dropped), so that the pending map does not grow.
struct PendingSlot<'a> {
    shared: &'a Shared,
    id: u64,
    armed: bool,
}

impl PendingSlot<'_> {
    /// The slot is gone already: nothing to remove.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for PendingSlot<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.remove(self.id);
        }
    }
}
