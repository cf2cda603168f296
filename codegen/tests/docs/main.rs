//! The generator on real doc sets: the vendored upstream versions of the repository's
//! `tests/data/upstream-docs/` and the docs the crate is generated from (`docs/`), read at run
//! time from the repository this package is the `codegen/` folder of. One test binary, which
//! links only this crate.

mod dialects;
mod diff;
mod fuzz;
mod fuzz_report;
mod generated_snapshots;
mod ir_snapshots;
mod malformed;
mod update;

use std::path::{Path, PathBuf};

/// The repository's root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ is a folder of the repository")
        .to_path_buf()
}
