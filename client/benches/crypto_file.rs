//! `crypto_file::decrypt_to` on a 100 MiB encrypted file against the RustCrypto primitives
//! alone on the same bytes in memory (XSalsa20 key stream XOR and Poly1305), and the heap
//! `decrypt_to` needs for it (a counting allocator: the peak of live heap bytes above what was
//! live before the call).
//!
//! `cargo bench -p simplex-api-client --features crypto-file --bench crypto_file`

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use poly1305::universal_hash::generic_array::GenericArray;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use poly1305::Poly1305;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher};
use salsa20::XSalsa20;
use simplex_api_client::crypto_file::{self, FileKey, TAG_LEN};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is `System::alloc`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, that is from `System`, with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: usize = 100 * 1024 * 1024;

/// What the format does, written with the primitives directly over a buffer in memory: the
/// tag over the ciphertext, then the key stream XORed in place.
fn primitives(buf: &mut [u8], key: &FileKey) -> bool {
    let (body, tag) = buf.split_at_mut(buf.len() - TAG_LEN);
    let box_key = salsa20::hsalsa::<U10>(
        GenericArray::from_slice(key.key_bytes()),
        &GenericArray::default(),
    );
    let mut stream = XSalsa20::new(&box_key, GenericArray::from_slice(key.nonce_bytes()));
    let mut mac_key = [0u8; 32];
    stream.apply_keystream(&mut mac_key);
    let mut mac = Poly1305::new(GenericArray::from_slice(&mac_key));
    let whole = body.len() - body.len() % 16;
    mac.update_padded(&body[..whole]);
    let ok = mac.compute_unpadded(&body[whole..]).as_slice() == &tag[..];
    stream.apply_keystream(body);
    ok
}

/// Test data: not random in any cryptographic sense, and not compressible.
fn data(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn best_of(runs: usize, mut setup: impl FnMut(), mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            setup();
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn decrypt(src: &Path, key: &FileKey, dst: &Path) {
    crypto_file::decrypt_to(src, key, dst).expect("decrypt_to");
}

/// Deletes the previous run's output, outside the timing: replacing it would make the rename
/// free its 100 MiB of page cache, a cost of the bench's reuse of one path, not of decrypting.
fn clear(dst: &Path) {
    match std::fs::remove_file(dst) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("remove {dst:?}: {e}"),
        _ => {}
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("file.enc");
    let dst = dir.path().join("file.plain");
    let plain = data(SIZE);
    let key = crypto_file::write(&src, &plain).expect("write");
    drop(plain);
    let mut buf = std::fs::read(&src).expect("read encrypted");

    // Heap for one decrypt_to of the whole file.
    clear(&dst);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    decrypt(&src, &key, &dst);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    eprintln!(
        "decrypt_to of {} MiB: peak heap {} bytes ({:.1} KiB) above the {} MiB held before",
        SIZE >> 20,
        peak,
        peak as f64 / 1024.0,
        before >> 20
    );
    let file_time = best_of(3, || clear(&dst), || decrypt(&src, &key, &dst));
    let memory_time = best_of(
        3,
        || {},
        || {
            black_box(primitives(black_box(&mut buf), &key));
        },
    );
    eprintln!(
        "best of 3: decrypt_to {:.0} ms, primitives in memory {:.0} ms: decrypt_to at {:.2}x \
         the primitives' speed",
        file_time.as_secs_f64() * 1e3,
        memory_time.as_secs_f64() * 1e3,
        memory_time.as_secs_f64() / file_time.as_secs_f64()
    );

    let mut group = c.benchmark_group("crypto_file_100MiB");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(6))
        .throughput(Throughput::Bytes(SIZE as u64));
    group.bench_function("decrypt_to", |b| {
        b.iter_batched(
            || clear(&dst),
            |()| decrypt(&src, &key, &dst),
            BatchSize::PerIteration,
        )
    });
    // XOR is its own inverse: the buffer alternates between ciphertext and plaintext, which
    // costs the same.
    group.bench_function("primitives_in_memory", |b| {
        b.iter(|| black_box(primitives(black_box(&mut buf), &key)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
