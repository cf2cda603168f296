//! Drift guard: the checked-in `api-types/src/generated/` must be exactly what `docs/`
//! generates (the build script generated it into `OUT_DIR`).
//!
//! Locally a stale file is rewritten before the test fails, so that a second run passes; with
//! `CI` set the test only fails.

use std::path::PathBuf;

const FIX: &str = "cargo run";

#[test]
fn checked_in_generated_code_matches_the_docs() {
    let fresh = PathBuf::from(env!("OUT_DIR")).join("generated");
    let checked_in = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("api-types/src/generated");
    let mut files = codegen::emit::Files::new();
    for entry in std::fs::read_dir(&fresh).expect("the build script writes OUT_DIR/generated") {
        let entry = entry.expect("directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let content = std::fs::read_to_string(entry.path()).expect("generated file");
        files.insert(name, content);
    }
    assert!(
        files.contains_key("types.rs"),
        "the build script generated no types.rs"
    );
    let stale = codegen::cli::stale_files(&checked_in, &files);
    if stale.is_empty() {
        return;
    }
    let in_ci = std::env::var_os("CI").is_some();
    if !in_ci {
        codegen::cli::write_files(&checked_in, &files).expect("rewrite the generated files");
    }
    panic!(
        "api-types/src/generated/ is stale: {} differ from what docs/ generates.\n\
         Run `{FIX}` at the repository root to regenerate them{}",
        stale.join(", "),
        if in_ci {
            "."
        } else {
            " (done now: review and commit the changes)."
        }
    );
}
