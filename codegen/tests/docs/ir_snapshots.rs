//! One snapshot of the IR outline per vendored upstream doc set, and of the diagnostics of the
//! sets that have some (`prerelease`, `seed-7089e529`).
//!
//! Update with `INSTA_UPDATE=always cargo test -p simplex-api-codegen --test docs` (or
//! `cargo insta accept`), then review the diff of `snapshots/`.

use std::path::PathBuf;

use codegen::{outline::outline, Diagnostics};

fn set_dir(name: &str) -> PathBuf {
    crate::repo().join("tests/data/upstream-docs").join(name)
}

/// `{loc}: {severity}: {message}`, one diagnostic a line.
fn diagnostics_text(diags: &Diagnostics) -> String {
    diags
        .iter()
        .map(|d| format!("{}: {}: {}\n", d.loc, d.severity, d.message))
        .collect()
}

fn load(name: &str) -> (codegen::Api, Diagnostics) {
    let dir = set_dir(name);
    codegen::load_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

#[test]
fn every_vendored_doc_set_has_a_snapshot() {
    // A new folder under tests/data/upstream-docs must get its own snapshot test here.
    let mut sets: Vec<String> = std::fs::read_dir(set_dir(""))
        .expect("tests/data/upstream-docs")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    sets.sort();
    assert_eq!(
        sets,
        ["prerelease", "seed-7089e529", "v03c8bf5a", "v1249553e"]
    );
}

#[test]
fn outline_v1249553e() {
    let (api, diags) = load("v1249553e");
    assert!(!diags.has_errors(), "{diags}");
    settings().bind(|| insta::assert_snapshot!("outline_v1249553e", outline(&api)));
}

#[test]
fn outline_v03c8bf5a() {
    let (api, diags) = load("v03c8bf5a");
    assert!(!diags.has_errors(), "{diags}");
    settings().bind(|| insta::assert_snapshot!("outline_v03c8bf5a", outline(&api)));
}

#[test]
fn outline_seed_7089e529() {
    let (api, diags) = load("seed-7089e529");
    settings().bind(|| {
        insta::assert_snapshot!("outline_seed-7089e529", outline(&api));
        insta::assert_snapshot!("diagnostics_seed-7089e529", diagnostics_text(&diags));
    });
}

#[test]
fn outline_prerelease() {
    let (api, diags) = load("prerelease");
    settings().bind(|| {
        insta::assert_snapshot!("outline_prerelease", outline(&api));
        insta::assert_snapshot!("diagnostics_prerelease", diagnostics_text(&diags));
    });
}
