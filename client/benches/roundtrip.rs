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
use tokio_tungstenite::tungstenite::Message as Frame;

#[path = "support/canned_server.rs"]
mod canned_server;
use canned_server::{client_side_runtime, start_server};

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
