//! Generator for the SimpleX Chat bot API: reads `COMMANDS.md`, `EVENTS.md` and `TYPES.md`,
//! builds a located IR, checks it, and emits the Rust of the `simplex-api-types` crate.
//!
//! The library returns data and code; only the CLI and tests write files.

#![deny(missing_docs)]

pub mod diag;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod markdown;
pub mod naming;
pub mod outline;
pub mod overrides;
pub mod parse;
pub mod passes;
pub mod source;
pub mod syntax;
pub mod typeexpr;

use std::path::Path;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use ir::Api;
pub use source::{DocSet, ReadError};

/// Parses a doc set, applies its overrides and runs every pass.
///
/// Always returns an IR (as far as the docs could be read) and every diagnostic, sorted by
/// location; the caller decides what errors mean.
pub fn load(docs: &DocSet) -> (Api, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut api = parse::parse_docs(docs, &mut diags);
    let overrides = docs
        .overrides
        .as_ref()
        .map(|text| overrides::Overrides::parse(text, &mut diags));
    if let Some(o) = &overrides {
        o.apply(&mut api, &mut diags);
    }
    passes::run(&mut api, &mut diags);
    if let Some(o) = &overrides {
        o.acknowledge(&mut diags);
    }
    diags.sort();
    (api, diags)
}

/// Reads `dir` and runs [`load`].
pub fn load_dir(dir: &Path) -> Result<(Api, Diagnostics), ReadError> {
    Ok(load(&DocSet::read_dir(dir)?))
}
pub mod cli;

/// Parses `docs` and generates the api-types sources: the files and the warnings, or every
/// diagnostic when the docs have errors.
pub fn generate(
    docs: &DocSet,
    provenance: &str,
) -> Result<(emit::Files, Diagnostics), Diagnostics> {
    let (api, mut diags) = load(docs);
    if diags.has_errors() {
        return Err(diags);
    }
    let options = emit::Options {
        provenance: provenance.to_owned(),
    };
    match emit::generate(&api, &options) {
        Ok(files) => Ok((files, diags)),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

/// Where the docs came from, from the text of their `SOURCE.md` table (`| FILE | commit | ...`):
/// one `FILE: commit` line per file.
pub fn provenance_of(source_md: &str) -> String {
    let mut out = String::new();
    for line in source_md.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, file, commit, ..] = cells.as_slice() {
            if file.ends_with(".md")
                && commit.len() >= 7
                && commit.chars().all(|c| c.is_ascii_hexdigit())
            {
                out.push_str(&format!("{file}: {commit}\n"));
            }
        }
    }
    out
}
