//! The loopback server the round-trip benches send to: it answers every text frame at once
//! with the core's "no active user" refusal, carrying the frame's corrId.

use futures_util::{SinkExt, StreamExt};
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message as Frame;

/// What the server answers, after `{"corrId":"<id>"`: the core's "no active user" error.
pub const RESPONSE_TAIL: &str = r#","resp":{"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"noActiveUser"}}}}"#;

/// Starts the echo-like server on its own thread and runtime; returns its `ws://` URL.
pub fn start_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((tcp, _)) = listener.accept().await {
                tcp.set_nodelay(true).expect("nodelay");
                tokio::spawn(async move {
                    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                        return;
                    };
                    while let Some(Ok(frame)) = ws.next().await {
                        let Frame::Text(text) = frame else { continue };
                        let request: serde_json::Value =
                            serde_json::from_str(text.as_str()).expect("a request");
                        let corr_id = request["corrId"].as_str().unwrap_or_default();
                        let reply = format!(r#"{{"corrId":"{corr_id}"{RESPONSE_TAIL}"#);
                        if ws.send(Frame::text(reply)).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    url
}

pub fn client_side_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
