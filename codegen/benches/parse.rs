//! Read + parse + resolve of the vendored docs (`docs/` at the workspace root).
//!
//! Run with `cargo bench -p simplex-api-codegen --bench parse`. The target is a median of at most
//! 3 ms for `load/in_memory` in release.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};

use codegen::diag::Diagnostics;
use codegen::DocSet;

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn bench(c: &mut Criterion) {
    let dir = docs_dir();
    let docs = DocSet::read_dir(&dir).expect("docs/");
    let (api, diags) = codegen::load(&docs);
    assert_eq!(api.commands.len(), 60);
    assert!(!diags.has_errors(), "{diags}");

    let mut g = c.benchmark_group("load");
    g.bench_function("in_memory", |b| b.iter(|| codegen::load(black_box(&docs))));
    g.bench_function("with_file_read", |b| {
        b.iter(|| codegen::load_dir(black_box(&dir)).expect("docs/"))
    });
    g.finish();

    let mut g = c.benchmark_group("stage");
    g.bench_function("parse_only", |b| {
        b.iter(|| {
            let mut diags = Diagnostics::default();
            codegen::parse::parse_docs(black_box(&docs), &mut diags)
        })
    });
    if let Some(types) = &docs.types {
        g.bench_function("markdown_blocks_types", |b| {
            b.iter(|| codegen::markdown::blocks(black_box(&types.text)))
        });
    }
    for (name, set) in [
        (
            "only_commands",
            DocSet {
                events: None,
                types: None,
                ..docs.clone()
            },
        ),
        (
            "only_events",
            DocSet {
                commands: None,
                types: None,
                ..docs.clone()
            },
        ),
        (
            "only_types",
            DocSet {
                commands: None,
                events: None,
                ..docs.clone()
            },
        ),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut diags = Diagnostics::default();
                codegen::parse::parse_docs(black_box(&set), &mut diags)
            })
        });
    }
    g.bench_function("passes_only", |b| {
        let mut diags = Diagnostics::default();
        let parsed = codegen::parse::parse_docs(&docs, &mut diags);
        b.iter(|| {
            let mut api = parsed.clone();
            let mut diags = Diagnostics::default();
            codegen::passes::run(&mut api, &mut diags);
            (api, diags)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
