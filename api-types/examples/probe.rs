//! Decodes one generated hostile input, typed or as `serde_json::Value`, and prints the time it
//! took and the peak of heap memory it took beyond the input (a counting allocator). `scripts/decode-probes.sh` runs every probe both ways,
//! each in a fresh process, and prints the ratios.
//!
//! Run: `cargo run --release --example probe -- PROBE typed|value`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes and their peak (exact, unlike the process's resident set, which an
/// allocator's reuse of freed memory hides).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every allocation and deallocation is the system allocator's own, passed the same
// layout; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's `layout` contract is forwarded unchanged to `System`.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: `p` came from `alloc` above, that is from `System`, with this `layout`.
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// `{"corrId":"1","resp":{"type":"groupsList","user":{},"groups":[{},{},...]}}`, about `mb` MB.
fn empty_groups(mb: usize) -> String {
    let n = mb * 1_000_000 / 3;
    format!(
        r#"{{"corrId":"1","resp":{{"type":"groupsList","user":{{}},"groups":[{}]}}}}"#,
        vec!["{}"; n].join(",")
    )
}

/// Bot command menus nested `depth` deep with the tag last, around a `leaf_mb` MB label.
fn tag_last_chain(depth: usize, leaf_mb: usize) -> String {
    let mut v = format!(
        r#"{{"keyword":"k","label":"{}","type":"command"}}"#,
        "x".repeat(leaf_mb * 1_000_000)
    );
    for i in 0..depth {
        v = format!(r#"{{"label":"m{i}","commands":[{v}],"type":"menu"}}"#);
    }
    format!(
        r#"{{"corrId":"1","resp":{{"type":"contactsList","user":{{"userId":1}},"contacts":[{{"contactId":2,"profile":{{"displayName":"x","preferences":{{"commands":[{v}]}}}}}}]}}}}"#
    )
}

/// Many contacts with every documented field absent and integers as strings.
fn sparse_contacts(n: usize) -> String {
    let one = r#"{"contactId":"7","chatTags":["1",2,"3"],"zz":{"a":[1,2,{"b":null}]}}"#;
    format!(
        r#"{{"corrId":"1","resp":{{"type":"contactsList","user":{{"userId":"1"}},"contacts":[{}]}}}}"#,
        vec![one; n].join(",")
    )
}

/// Deep arrays in a kept unknown field.
fn deep_extra(depth: usize) -> String {
    format!(
        r#"{{"resp":{{"type":"cmdOk","x":{}{}{}}}}}"#,
        "[".repeat(depth),
        1,
        "]".repeat(depth)
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let probe = args.next().unwrap_or_default();
    let mode = args.next().unwrap_or_default();
    let text = match probe.as_str() {
        "empty-groups-1mb" => empty_groups(1),
        "empty-groups-10mb" => empty_groups(10),
        "tag-last-chain" => tag_last_chain(40, 5),
        "sparse-contacts" => sparse_contacts(20_000),
        "deep-extra" => deep_extra(90),
        other => {
            eprintln!("unknown probe `{other}`: empty-groups-1mb, empty-groups-10mb, tag-last-chain, sparse-contacts, deep-extra");
            std::process::exit(2);
        }
    };
    // What is measured is decoding: the heap it takes beyond the input.
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let ok = match mode.as_str() {
        "typed" => simplex_api_types::parse_message(&text).is_ok(),
        "value" => serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        other => {
            eprintln!("unknown mode `{other}`: typed or value");
            std::process::exit(2);
        }
    };
    let elapsed = start.elapsed();
    println!(
        "{probe} {mode} input_bytes={} decoded={ok} ms={:.2} peak_kib={}",
        text.len(),
        elapsed.as_secs_f64() * 1000.0,
        (PEAK.load(Ordering::Relaxed) - before) / 1024
    );
}
