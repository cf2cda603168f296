//! A bare loopback peer in place of the `simplex-chat` core's WebSocket server, for the client
//! tests that need a core misbehaving in ways the test core (`simplex_api_client::testing`)
//! does not.
//!
//! It listens on `127.0.0.1:0` and accepts one connection at a time as a [`Peer`], which the test
//! drives step by step: read the commands the client sent, answer them with real captured frames
//! (the request's corrId put in), push events, delay or reorder answers, send garbage, binary
//! frames, pings or huge frames, close the connection or drop it.

#![allow(dead_code)] // Each test binary uses a different part of it.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use simplex_api_client::{connect_with, Client, Config, Events};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::{accept_async, WebSocketStream};

/// No test may run longer than this, so that a bug cannot hang CI.
pub const TEST_LIMIT: Duration = Duration::from_secs(60);

/// Runs a test body, failing the test if it takes longer than [`TEST_LIMIT`].
pub async fn within<F: Future>(body: F) -> F::Output {
    match tokio::time::timeout(TEST_LIMIT, body).await {
        Ok(out) => out,
        Err(_) => panic!("the test did not finish within {TEST_LIMIT:?}"),
    }
}

/// A captured frame from `api-types/tests/data/`, compact as the core sends it (the files are partly
/// re-indented), keys in their original order.
pub fn fixture(name: &str) -> String {
    static READ: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let mut read = READ.lock().unwrap_or_else(|p| p.into_inner());
    read.entry(name.to_owned())
        .or_insert_with(|| {
            let path = format!(
                "{}/../api-types/tests/data/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            minify(&text)
        })
        .clone()
}

/// `json` without whitespace between tokens.
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// `frame` (a compact message) with its corrId replaced by `corr_id`, or added first as the core
/// sends it; `None` removes it.
pub fn with_corr_id(frame: &str, corr_id: Option<&str>) -> String {
    let body = match frame.strip_prefix(r#"{"corrId":"#) {
        Some(rest) => {
            // Skip the old id (a JSON string) and the comma after it.
            let mut old = serde_json::Deserializer::from_str(rest).into_iter::<String>();
            assert!(matches!(old.next(), Some(Ok(_))), "bad corrId in {frame}");
            let after = &rest[old.byte_offset()..];
            after.strip_prefix(',').expect("a field after corrId")
        }
        None => frame.strip_prefix('{').expect("a JSON object"),
    };
    match corr_id {
        Some(id) => format!(r#"{{"corrId":{},{body}"#, Value::from(id)),
        None => format!("{{{body}"),
    }
}

/// The captured response `name` answering the command with `corr_id`.
pub fn response(name: &str, corr_id: &str) -> String {
    with_corr_id(&fixture(name), Some(corr_id))
}

/// An event the core does not document (yet): `{"resp":{"type":"testTick","n":n}}`. The types
/// keep such events as `Unknown`; `n` shows the order they arrive in.
pub fn tick(n: usize) -> String {
    format!(r#"{{"resp":{{"type":"testTick","n":{n}}}}}"#)
}

/// A command as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `corrId`.
    pub corr_id: String,
    /// `cmd`.
    pub cmd: String,
}

/// The listening stand-in core.
pub struct Core {
    listener: TcpListener,
    /// `ws://127.0.0.1:<port>`.
    pub url: String,
}

impl Core {
    /// Listens on a free loopback port.
    pub async fn start() -> Core {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("ws://{}", listener.local_addr().expect("local addr"));
        Core { listener, url }
    }

    /// Accepts the next connection.
    pub async fn accept(&self) -> Peer {
        let (tcp, _) = self.listener.accept().await.expect("accept");
        // As the client does: frames written one after another are not held back.
        tcp.set_nodelay(true).expect("nodelay");
        Peer {
            ws: accept_async(tcp).await.expect("WebSocket handshake"),
        }
    }
}

/// A client connected to a fresh stand-in core: the client, its events, and the core's side.
pub async fn connected(config: Config) -> (Client, Events, Peer) {
    let core = Core::start().await;
    let (connected, peer) = tokio::join!(connect_with(&core.url, config), core.accept());
    let (client, events) = connected.expect("connect");
    (client, events, peer)
}

/// The core's side of one connection.
pub struct Peer {
    ws: WebSocketStream<TcpStream>,
}

impl Peer {
    /// The next command the client sent, skipping pongs; `None` once the client closed the
    /// connection.
    pub async fn recv_command(&mut self) -> Option<Request> {
        loop {
            match self.ws.next().await? {
                Ok(Frame::Text(text)) => {
                    let v: Value = serde_json::from_str(text.as_str()).expect("a JSON request");
                    let field = |k: &str| {
                        v[k].as_str()
                            .unwrap_or_else(|| panic!("no {k} in {v}"))
                            .to_owned()
                    };
                    return Some(Request {
                        corr_id: field("corrId"),
                        cmd: field("cmd"),
                    });
                }
                Ok(Frame::Close(_)) => {
                    self.finish_close().await;
                    return None;
                }
                Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Reads until a pong arrives, returning its payload; `None` if the connection ends first.
    pub async fn expect_pong(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.ws.next().await? {
                Ok(Frame::Pong(data)) => return Some(data.to_vec()),
                Ok(Frame::Close(_)) => {
                    self.finish_close().await;
                    return None;
                }
                Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// After the client's close frame: sends the close reply and closes the TCP connection, as
    /// the core does.
    async fn finish_close(&mut self) {
        let _ = self.ws.flush().await;
        let _ = self.ws.get_mut().shutdown().await;
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: Frame) {
        self.ws.send(frame).await.expect("send a frame");
    }

    /// Sends a text frame.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.send(Frame::text(text.into())).await;
    }

    /// Queues a text frame without flushing (see [`flush`](Peer::flush)).
    pub async fn feed_text(&mut self, text: impl Into<String>) {
        self.ws
            .feed(Frame::text(text.into()))
            .await
            .expect("queue a frame");
    }

    /// Writes out queued frames.
    pub async fn flush(&mut self) {
        self.ws.flush().await.expect("flush");
    }

    /// Answers `req` with the captured response `name`.
    pub async fn reply(&mut self, req: &Request, name: &str) {
        self.send_text(response(name, &req.corr_id)).await;
    }

    /// Answers `req` as a core would, with a captured response: `/user` gets the active user,
    /// `/_show_address <userId>` the address of that user, `/_contacts <userId>` a contact list,
    /// `/_send ...` the sent item, anything else a command error.
    pub fn answer_for(req: &Request) -> String {
        if req.cmd == "/user" || req.cmd == "/u" {
            response("activeUser-2.json", &req.corr_id)
        } else if req.cmd.starts_with("/_contacts ") {
            response("contactsList-1.json", &req.corr_id)
        } else if req.cmd.starts_with("/_send ") {
            response("newChatItems-5.json", &req.corr_id)
        } else if let Some(user_id) = req.cmd.strip_prefix("/_show_address ") {
            let user_id: u64 = user_id.parse().expect("a user id");
            // The capture is for user 1; make it the address of the user asked about.
            response("userContactLink-1.json", &req.corr_id).replacen(
                r#""userId":1,"#,
                &format!(r#""userId":{user_id},"#),
                1,
            )
        } else {
            response("chatCmdError-6.json", &req.corr_id)
        }
    }

    /// Closes the connection with a close handshake, as the core does when it stops.
    pub async fn close(mut self) {
        self.ws.close(None).await.expect("send a close frame");
        // Read until the client's close reply ends the stream.
        while let Some(Ok(_)) = self.ws.next().await {}
    }

    /// Drops the TCP connection without a close frame, as when the core is killed.
    pub fn drop_abruptly(self) {
        drop(self.ws.into_inner());
    }
}
