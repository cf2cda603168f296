//! Round trip of a small command over loopback: through [`Client`] against a bare
//! tokio-tungstenite client sending the same text and reading the reply, both against the same
//! local server, which answers every text frame at once with a small response carrying its
//! corrId.
//!
//! Run: `cargo bench -p simplex-api-client --bench roundtrip -- --warm-up-time 1 --measurement-time 3`
//!
//! `bare` only reads the reply frame; `bare + decode` also decodes it with
//! `simplex_api_types::parse_message`, as the client does, so that `client` against it shows
//! what the client itself adds (corrId matching, the writer and reader tasks, the channels).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::{SinkExt, StreamExt};
use simplex_api_client::{connect, Client};
use simplex_api_types::commands::ShowActiveUser;
use simplex_api_types::{parse_message, CommandRequest};
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::Message as Frame;

/// What the server answers, after `{"corrId":"<id>"`: the core's "no active user" error.
const RESPONSE_TAIL: &str = r#","resp":{"type":"chatCmdError","chatError":{"type":"error","errorType":{"type":"noActiveUser"}}}}"#;

/// Starts the echo-like server on its own thread and runtime; returns its `ws://` URL.
fn start_server() -> String {
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

fn client_side_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn roundtrip(c: &mut Criterion) {
    let url = start_server();
    let rt = client_side_runtime();
    let mut group = c.benchmark_group("roundtrip");

    let (client, _events): (Client, _) = rt.block_on(connect(&url)).expect("connect");
    group.bench_function("client send_raw", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(client.send_raw("/user").await.expect("a response"));
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("client send (typed)", |b| {
        let command = ShowActiveUser::new();
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(client.send(&command).await.expect("a response"));
                }
                start.elapsed()
            })
        })
    });

    let (mut ws, _) = rt
        .block_on(tokio_tungstenite::connect_async_with_config(
            &url, None, true,
        ))
        .expect("connect");
    let mut next_id = 0u64;
    let mut bare = |decode: bool, iters: u64| -> Duration {
        rt.block_on(async {
            let start = Instant::now();
            for _ in 0..iters {
                next_id += 1;
                let request = CommandRequest {
                    corr_id: next_id.to_string(),
                    cmd: "/user".to_owned(),
                };
                ws.send(Frame::text(request.to_json())).await.expect("send");
                let reply = loop {
                    match ws.next().await {
                        Some(Ok(Frame::Text(text))) => break text,
                        Some(Ok(_)) => continue,
                        other => panic!("connection ended: {other:?}"),
                    }
                };
                if decode {
                    black_box(parse_message(reply.as_str()).expect("decodes"));
                } else {
                    black_box(reply);
                }
            }
            start.elapsed()
        })
    };
    group.bench_function("bare", |b| b.iter_custom(|iters| bare(false, iters)));
    group.bench_function("bare + decode", |b| {
        b.iter_custom(|iters| bare(true, iters))
    });
    group.finish();
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
