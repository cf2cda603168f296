//! The runtime of `simplex-api-types` on the real captures of `api-types/tests/data/`: typed
//! decoding and round trips (`fixtures`), mutated captures (`roundtrip_fuzz`) and the bot
//! helpers (`helpers`). One test binary.

mod fixtures;
#[path = "../../codegen/tests/docs/fuzz_report.rs"]
mod fuzz_report;
mod helpers;
mod roundtrip_fuzz;

use std::path::PathBuf;

fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("api-types/tests/data")
}

/// The text of the capture `name`.
fn fixture_text(name: &str) -> String {
    let path = captures_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every capture, as (file name, text), sorted by name.
fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(captures_dir())
        .expect("the captures' directory")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = fixture_text(&name);
            (name, text)
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 6,
        "expected the vendored captures, found {}",
        out.len()
    );
    out
}
