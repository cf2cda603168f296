//! One command round trip over the in-process transport (`ffi`) against the same over
//! WebSocket on loopback, side by side in one run, each answered at once with the same canned
//! refusal: the stand-in libsimplex answers `{"error": <noActiveUser>}` from inside
//! `chat_send_cmd`, the loopback server `{"corrId": ..., "resp": <chatCmdError noActiveUser>}`.
//! Both go through the same `Client::send` and give the same `chatCmdError` response, so the
//! difference is the transport: a blocking-pool call versus a socket write, a server task and a
//! socket read.
//!
//! Run: `cargo bench -p simplex-api-client --features ffi --bench ffi_roundtrip -- --warm-up-time 1 --measurement-time 3`
//!
//! The stand-in is built as a dev-dependency, next to this bench's binary.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::{SinkExt, StreamExt};
use simplex_api_client::ffi::{self, ChatLibrary, OpenOptions};
use simplex_api_client::{connect, Client};
use simplex_api_types::commands::ShowActiveUser;
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

/// The stand-in libsimplex next to this binary, and a database prefix whose settings make it
/// answer the canned refusal.
fn stub() -> (ChatLibrary, tempfile::TempDir, OpenOptions) {
    let exe = std::env::current_exe().expect("the bench binary");
    let path = exe
        .parent()
        .expect("its folder")
        .join(libloading::library_filename("simplex_ffi_stub"));
    let library = ChatLibrary::load(&path).expect("the stand-in loads");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let prefix = dir.path().join("bench");
    let canned = r#"{"error":{"type":"error","errorType":{"type":"noActiveUser"}}}"#;
    let settings = serde_json::json!({ "canned": canned }).to_string();
    std::fs::write(format!("{}.stub.json", prefix.display()), settings).expect("settings");
    (library, dir, OpenOptions::new(prefix))
}

fn bench_send(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    rt: &Runtime,
    client: &Client,
) {
    let command = ShowActiveUser::new();
    c.bench_function(name, |b| {
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
}

fn ffi_roundtrip(c: &mut Criterion) {
    let url = start_server();
    let rt = client_side_runtime();
    let (library, _dir, options) = stub();
    let (over_ws, _ws_events) = rt.block_on(connect(&url)).expect("connect");
    let (over_ffi, _ffi_events) = rt.block_on(ffi::open(&library, options)).expect("open");
    // The same answer both ways.
    let (a, b) = rt.block_on(async {
        (
            over_ws
                .send(&ShowActiveUser::new())
                .await
                .expect("answered"),
            over_ffi
                .send(&ShowActiveUser::new())
                .await
                .expect("answered"),
        )
    });
    assert_eq!(a, b);

    let mut group = c.benchmark_group("transport");
    bench_send(&mut group, "websocket loopback", &rt, &over_ws);
    bench_send(&mut group, "ffi (stand-in)", &rt, &over_ffi);
    group.finish();

    if let Some(core) = over_ffi.library_core() {
        rt.block_on(core.shutdown()).expect("shut down");
    }
}

criterion_group!(benches, ffi_roundtrip);
criterion_main!(benches);
