//! Random mutations of the real docs (`docs/`): byte flips, deleted, duplicated and swapped lines,
//! truncation. `codegen::load` must return (never panic) and locate every diagnostic inside the
//! text it is about.
//!
//! The number of cases comes from `PROPTEST_CASES` (default 256, quick in a debug `cargo test`),
//! or from a time budget: `FUZZ_SECONDS=60` runs rounds of cases for a minute (what CI does).
//! CI or a maintainer can run many more in release mode, e.g.
//! `PROPTEST_CASES=20000 cargo test --release -p simplex-api-codegen --test docs fuzz -- --nocapture`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use codegen::ir::DocFile;
use codegen::DocSet;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const DEFAULT_CASES: u32 = 256;

fn doc(file: DocFile) -> Vec<u8> {
    let path = crate::repo().join("docs").join(file.file_name());
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A position in a file, scaled to its current length when the mutation is applied.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Index(u64);

impl Index {
    /// `0..len` (`len` must be non-zero).
    fn index(self, len: usize) -> usize {
        ((u128::from(self.0) * len as u128) >> 64) as usize
    }
}

fn index() -> impl Strategy<Value = Index> {
    any::<u64>().prop_map(Index)
}

/// One edit of a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte with a non-zero mask (may break UTF-8: the text is read lossily).
    FlipByte(Index, u8),
    /// Replace one byte by a character the docs give meaning to.
    Punct(Index, u8),
    /// Insert a run of one character the docs give meaning to (deep nesting, long lines).
    Burst(Index, u8, u16),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let punct = prop::sample::select(b"#*-[]()<>|:`'\"?{}\n ".to_vec());
    prop_oneof![
        (index(), 1..=255u8).prop_map(|(i, m)| Mutation::FlipByte(i, m)),
        (index(), punct.clone()).prop_map(|(i, c)| Mutation::Punct(i, c)),
        (index(), punct, 1..3000u16).prop_map(|(i, c, n)| Mutation::Burst(i, c, n)),
        index().prop_map(Mutation::DeleteLine),
        index().prop_map(Mutation::DuplicateLine),
        (index(), index()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        index().prop_map(Mutation::Truncate),
    ]
}

/// Line spans `(start, end)` of `bytes`, each including its `\n`.
fn lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let spans = lines(bytes);
    let line = |i: &Index| spans[i.index(spans.len())];
    match m {
        Mutation::FlipByte(i, mask) => {
            let at = i.index(bytes.len());
            bytes[at] ^= mask;
        }
        Mutation::Punct(i, c) => {
            let at = i.index(bytes.len());
            bytes[at] = *c;
        }
        Mutation::Burst(i, c, n) => {
            let at = i.index(bytes.len());
            bytes.splice(at..at, std::iter::repeat_n(*c, usize::from(*n)));
        }
        Mutation::DeleteLine(i) => {
            let (s, e) = line(i);
            bytes.drain(s..e);
        }
        Mutation::DuplicateLine(i) => {
            let (s, e) = line(i);
            let copy = bytes[s..e].to_vec();
            bytes.splice(e..e, copy);
        }
        Mutation::SwapLines(a, b) => {
            let (mut x, mut y) = (line(a), line(b));
            if x.0 > y.0 {
                std::mem::swap(&mut x, &mut y);
            }
            if x == y {
                return;
            }
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&bytes[..x.0]);
            out.extend_from_slice(&bytes[y.0..y.1]);
            out.extend_from_slice(&bytes[x.1..y.0]);
            out.extend_from_slice(&bytes[x.0..x.1]);
            out.extend_from_slice(&bytes[y.1..]);
            *bytes = out;
        }
        Mutation::Truncate(i) => {
            let at = i.index(bytes.len());
            bytes.truncate(at);
        }
    }
}

fn cases() -> u32 {
    match std::env::var("PROPTEST_CASES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("PROPTEST_CASES={v:?} is not a number")),
        Err(_) => DEFAULT_CASES,
    }
}

#[test]
fn mutated_docs_never_panic_and_every_diagnostic_is_located() {
    let originals: Vec<(DocFile, Vec<u8>)> = DocFile::API.iter().map(|f| (*f, doc(*f))).collect();
    // With FUZZ_SECONDS, rounds of 64 cases run until that much time is spent (CI sizes the
    // run by time, and reports the count); otherwise PROPTEST_CASES cases run.
    let budget = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let cases = if budget.is_some() { 64 } else { cases() };
    let run = AtomicU32::new(0);
    let with_errors = AtomicU32::new(0);
    let started = Instant::now();
    let strategy = (
        prop::collection::vec(mutation(), 1..6),
        prop::collection::vec(mutation(), 0..3),
        0..3usize,
    );
    let mut result = Ok(());
    let mut rounds = 0u32;
    while result.is_ok() {
        rounds += 1;
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        result = runner.run(&strategy, |(muts, more, target)| {
            run.fetch_add(1, Ordering::Relaxed);
            // Most of the edits go to one file, a few to the next one.
            let mut texts: Vec<Vec<u8>> = originals.iter().map(|(_, b)| b.clone()).collect();
            for m in &muts {
                apply(&mut texts[target], m);
            }
            for m in &more {
                apply(&mut texts[(target + 1) % 3], m);
            }
            let texts: Vec<String> = texts
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            let set = DocSet::from_texts(Some(&texts[0]), Some(&texts[1]), Some(&texts[2]));
            let (api, diags) = codegen::load(&set);
            if diags.has_errors() {
                with_errors.fetch_add(1, Ordering::Relaxed);
            }
            for d in diags.iter() {
                let src = set.get(d.loc.file);
                prop_assert!(
                    src.is_some(),
                    "diagnostic about a file not in the set: {}",
                    d
                );
                let n = src.map_or(0, |s| s.text.lines().count()) as u32;
                prop_assert!(
                    d.loc.line >= 1 && d.loc.line <= n + 1 && d.loc.col >= 1,
                    "{} is outside the {} lines of its file",
                    d,
                    n
                );
            }
            prop_assert_eq!(api.files.len(), 3);
            Ok(())
        });
        if budget.is_none_or(|b| started.elapsed() >= b) {
            break;
        }
    }
    let elapsed = started.elapsed();
    let run = run.into_inner();
    // Shown with `--nocapture`, and appended to $FUZZ_REPORT, which CI prints.
    let line = format!(
        "docs fuzz: {run} cases ({} with errors) in {:.2?} ({:.2?} per case)",
        with_errors.into_inner(),
        elapsed,
        elapsed / run.max(1)
    );
    println!("{line}");
    crate::fuzz_report::report(&line);
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        run >= cases * rounds,
        "only {run} of {} cases ran",
        cases * rounds
    );
}

#[test]
fn mutations_do_what_they_say() {
    let text = b"a\nbb\nccc\n".to_vec();
    let first = Index(0);
    let last = Index(u64::MAX);
    let check = |m: Mutation, want: &[u8]| {
        let mut t = text.clone();
        apply(&mut t, &m);
        assert_eq!(t, want, "{m:?}");
    };
    check(Mutation::DeleteLine(first), b"bb\nccc\n");
    check(Mutation::DuplicateLine(last), b"a\nbb\nccc\nccc\n");
    check(Mutation::SwapLines(first, last), b"ccc\nbb\na\n");
    check(Mutation::Truncate(first), b"");
    check(Mutation::FlipByte(first, 0x20), b"A\nbb\nccc\n");
    check(Mutation::Punct(last, b'x'), b"a\nbb\ncccx");
    check(Mutation::Burst(first, b'[', 3), b"[[[a\nbb\nccc\n");
}
