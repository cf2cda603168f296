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
use simplex_api_client::ffi::{self, ChatLibrary, OpenOptions};
use simplex_api_client::{connect, Client};
use simplex_api_types::commands::ShowActiveUser;

#[path = "support/canned_server.rs"]
mod canned_server;
use canned_server::{client_side_runtime, start_server};
use tokio::runtime::Runtime;

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
