//! Generator for the SimpleX Chat bot API: reads `COMMANDS.md`, `EVENTS.md` and `TYPES.md`,
//! builds a located IR, checks it, and emits the Rust of the `simplex-api-types` crate.
//!
//! The phases stack as the modules do: [`read`] turns the docs into the IR ([`ir`], located by
//! [`diag`]'s diagnostics); [`check`] applies the overrides and checks and binds that IR;
//! [`model`] decides, once, everything about the Rust it becomes (names, modules, boxing, traits,
//! `use` lines, and the places where the core could misread a command string); [`emit`] only
//! prints the model with quote and prettyplease; [`report`] renders the IR and the generated code
//! for people (the API diff, the outline, the public surface). [`cli`] drives them.
//!
//! The library returns data and code; only the CLI and tests write files.

#![deny(missing_docs)]

pub mod check;
pub mod cli;
pub mod diag;
pub mod emit;
pub mod ir;
pub mod model;
pub mod read;
pub mod report;

// The paths of the modules before they were grouped by phase, which tests and tools name.
pub use check as passes;
pub use check::overrides;
pub use model::naming;
pub use read::{markdown, parse, source, typeexpr};
pub use report::{diff, outline};

/// The syntax lines and trees: the parsers of [`read::syntax`], and the binding and rendering
/// of [`check`].
pub mod syntax {
    pub use crate::check::{bind, render};
    pub use crate::read::syntax::{plain, script, SyntaxError};
}

use std::path::Path;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use ir::Api;
pub use read::source::{DocSet, ReadError};

/// Parses a doc set, applies its overrides and runs every pass.
///
/// Always returns an IR (as far as the docs could be read) and every diagnostic, sorted by
/// location; the caller decides what errors mean.
pub fn load(docs: &DocSet) -> (Api, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut api = read::parse::parse_docs(docs, &mut diags);
    let overrides = docs
        .overrides
        .as_ref()
        .map(|text| check::overrides::Overrides::parse(text, &mut diags));
    if let Some(o) = &overrides {
        o.apply(&mut api, &mut diags);
    }
    check::run(&mut api, &mut diags);
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
