//! Rendering commands, checked against the docs (`docs/`): upstream's own Python lines
//! (`conformance`), a model of the core's reader built from the docs' grammar (`core_model`,
//! `misread`), and code generated from a doc set of Rust keywords and std names
//! (`adversarial`); and reading them back with the generated parsers (`parse`). One test
//! binary.

mod adversarial;
mod conformance;
mod core_model;
mod misread;
mod parse;

use std::path::PathBuf;

use codegen::ir::Api;

/// The IR of `docs/`, which the crate under test is generated from.
fn load_api() -> Api {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs");
    let (api, diags) = codegen::load_dir(&docs).expect("docs/ can be read");
    assert!(!diags.has_errors(), "docs/ has errors:\n{diags:?}");
    api
}
