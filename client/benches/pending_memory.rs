//! Memory per pending command: 10,000 commands in flight at once against a loopback server that
//! reads them all before answering, measured with a counting global allocator; then checks that
//! nothing is left once they have all been answered.
//!
//! Run: `cargo bench -p simplex-api-client --bench pending_memory`
//!
//! "Per command" counts everything allocated while the commands are in flight: the client's
//! pending slot (map entry and response channel) and the caller's send future, kept here in a
//! `FuturesUnordered` (its node around each future is counted too).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use simplex_api_client::connect;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message as Frame;

const N: usize = 10_000;

/// Bytes currently allocated by the whole process.
static ALLOCATED: AtomicIsize = AtomicIsize::new(0);

struct Counting;

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocated() -> isize {
    ALLOCATED.load(Ordering::Relaxed)
}

/// One round for the server: read `N` commands, say so on `received`, wait for `answer`, then
/// answer them all.
struct Round {
    received: oneshot::Sender<()>,
    answer: oneshot::Receiver<()>,
}

/// A server on its own thread that plays `Round`s; returns its URL.
fn start_server(rounds: std::sync::mpsc::Receiver<Round>) -> String {
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
            let (tcp, _) = listener.accept().await.expect("accept");
            let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("handshake");
            // Allocated once, before any measurement, so that keeping the ids costs nothing.
            let mut ids: Vec<u64> = Vec::with_capacity(N);
            while let Ok(round) = rounds.recv() {
                ids.clear();
                while ids.len() < N {
                    match ws.next().await {
                        Some(Ok(Frame::Text(text))) => {
                            let v: serde_json::Value =
                                serde_json::from_str(text.as_str()).expect("a request");
                            let id = v["corrId"].as_str().and_then(|s| s.parse().ok());
                            ids.push(id.expect("a numeric corrId"));
                        }
                        Some(Ok(_)) => {}
                        _ => return,
                    }
                }
                let _ = round.received.send(());
                let _ = round.answer.await;
                for id in &ids {
                    let reply = format!(
                        r#"{{"corrId":"{id}","resp":{{"type":"chatCmdError","chatError":{{"type":"error","errorType":{{"type":"noActiveUser"}}}}}}}}"#
                    );
                    ws.feed(Frame::text(reply)).await.expect("send");
                }
                ws.flush().await.expect("flush");
            }
        });
    });
    url
}

fn main() {
    let (rounds_tx, rounds_rx) = std::sync::mpsc::channel();
    let url = start_server(rounds_rx);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let (client, _events) = connect(&url).await.expect("connect");
        let future_size = std::mem::size_of_val(&client.send_raw("/user"));

        let mut measured = Vec::new();
        // The first round warms up (buffers reach their working size); the second is measured.
        for round in 0..2 {
            let (received_tx, received_rx) = oneshot::channel();
            let (answer_tx, answer_rx) = oneshot::channel();
            rounds_tx
                .send(Round {
                    received: received_tx,
                    answer: answer_rx,
                })
                .expect("server");

            let before = allocated();
            let mut in_flight: FuturesUnordered<_> =
                (0..N).map(|_| client.send_raw("/user")).collect();
            // Drive the sends until the server has read every command.
            tokio::select! {
                early = in_flight.next() => panic!("answered before the server was told: {early:?}"),
                _ = received_rx => {}
            }
            let during = allocated();
            let pending = client.pending_commands();

            answer_tx.send(()).expect("server");
            let mut answered = 0;
            while let Some(result) = in_flight.next().await {
                result.expect("a response");
                answered += 1;
            }
            drop(in_flight);
            let after = allocated();
            if round == 1 {
                measured.push((before, during, pending, answered, after));
            }
        }

        let (before, during, pending, answered, after) = measured[0];
        let per_command = (during - before) as f64 / N as f64;
        println!("pending commands while in flight: {pending} (of {N})");
        println!(
            "allocated while {N} commands are in flight: {} bytes, {per_command:.0} bytes per command",
            during - before
        );
        println!("  of which the send future itself: {future_size} bytes (size_of_val)");
        println!(
            "  the rest (pending map entry, response channel, FuturesUnordered node): {:.0} bytes",
            per_command - future_size as f64
        );
        println!(
            "after all {answered} were answered: pending commands {}, {} bytes still allocated compared with before",
            client.pending_commands(),
            after - before
        );
        assert_eq!(pending, N);
        assert_eq!(client.pending_commands(), 0);
    });
}
