//! Memory held for events while a command waits: a loopback server sends 20,000 copies of the
//! captured `newChatItems` event (as an event, no `corrId`) and only then the response to the
//! one command the client waits for; the bot reads no event until the response is in. Measured
//! with a counting global allocator: the peak allocated while the events are held, next to the
//! bytes of the frames.
//!
//! Run: `cargo bench -p simplex-api-client --bench held_memory`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use futures_util::{SinkExt, StreamExt};
use simplex_api_client::{connect_with, Config, Incoming};
use tokio_tungstenite::tungstenite::Message as Frame;

const EVENTS: usize = 20_000;

static ALLOCATED: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn add(n: isize) {
    let now = ALLOCATED.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

struct Counting;

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as isize));
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as isize);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as isize - layout.size() as isize);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The captured event, compact, without its `corrId`.
fn event() -> String {
    let text = include_str!("../src/testing/frames/newChatItems-5.json");
    let mut v: serde_json::Value = serde_json::from_str(text).expect("JSON");
    if let Some(m) = v.as_object_mut() {
        m.remove("corrId");
    }
    v.to_string()
}

fn main() {
    let event = event();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    let frame = event.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let (tcp, _) = listener.accept().await.expect("accept");
            let mut ws = tokio_tungstenite::accept_async(tcp).await.expect("handshake");
            let Some(Ok(Frame::Text(request))) = ws.next().await else {
                return;
            };
            let v: serde_json::Value = serde_json::from_str(request.as_str()).expect("request");
            let id = v["corrId"].as_str().unwrap_or_default().to_owned();
            for _ in 0..EVENTS {
                ws.feed(Frame::text(frame.clone())).await.expect("send");
            }
            let reply = format!(
                r#"{{"corrId":"{id}","resp":{{"type":"chatCmdError","chatError":{{"type":"error","errorType":{{"type":"noActiveUser"}}}}}}}}"#
            );
            ws.send(Frame::text(reply)).await.expect("send");
            // Keep the connection until the client is done.
            let _ = ws.next().await;
        });
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let (client, mut events) = connect_with(&url, Config::default())
            .await
            .expect("connect");
        let before = ALLOCATED.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        client.send_raw("/user").await.expect("the response");
        let peak = PEAK.load(Ordering::Relaxed) - before;
        let mut delivered = 0;
        while delivered < EVENTS {
            match events.next_event().await {
                Some(Incoming::Event(_)) => delivered += 1,
                other => panic!("expected an event, got {other:?}"),
            }
        }
        let frames = (event.len() * EVENTS) as f64;
        println!(
            "{EVENTS} events of {} bytes ({:.1} MB of frames) held while a command waited: \
             peak {:.1} MB allocated, {:.2}x the frames; all {delivered} delivered in order after",
            event.len(),
            frames / 1e6,
            peak as f64 / 1e6,
            peak as f64 / frames
        );
    });
}
