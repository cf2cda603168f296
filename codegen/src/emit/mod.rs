//! Emits the Rust of the `simplex-api-types` crate from the IR (quote + prettyplease).
//!
//! One function per item kind: `data` for records, enums, unions and their member structs,
//! `format` for command-string formatters, `api` for commands, responses and events.
//! Generated code uses fully-qualified paths (`::std::option::Option`, `::serde::Serialize`)
//! and reaches the hand-written runtime through `::simplex_api_types::runtime`, so that it
//! compiles wherever `simplex-api-types` is a dependency, whatever the upstream names are.

mod api;
mod format;
mod items;
mod table;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Diagnostics;
use crate::ir::{Api, Loc};
use crate::model::ItemSpace;

pub use crate::report::surface::api_surface;

/// Generated files: path relative to the output directory, and content.
pub type Files = BTreeMap<String, String>;

/// Settings of one generation run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the docs came from (commits), for the `@generated` header.
    pub provenance: String,
}

/// One item of a generated module: a macro invocation laid out as a table, or Rust code that
/// prettyplease formats.
pub enum Piece {
    /// Laid out already.
    Text(String),
    /// Code generated for the doc item at this location, formatted by prettyplease. If it did
    /// not parse, the emitter has a bug that this item's text brings out: it is reported there.
    Item(TokenStream, Loc),
    /// Code the emitter writes for a module as a whole (the functions that dispatch over its
    /// items), formatted by prettyplease. It holds no doc text, only names, so it parses unless
    /// the emitter's own template is wrong; then the file says so with a `compile_error!`.
    Module(TokenStream),
}

/// Generates the files of `api-types/src/generated/`. Fails with diagnostics when the IR has
/// constructs the emitter cannot express (never with a panic).
pub fn generate(api: &Api, options: &Options) -> Result<Files, Diagnostics> {
    let mut diags = Diagnostics::default();
    let space = ItemSpace::new(api);
    let header = header(&options.provenance);
    let mut files = Files::new();
    let modules: [(&str, Vec<Piece>); 4] = [
        ("types", items::types_module(&space, &mut diags)),
        ("commands", api::commands_module(&space, &mut diags)),
        ("responses", api::responses_module(&space)),
        ("events", api::events_module(&space)),
    ];
    if diags.has_errors() {
        return Err(diags);
    }
    for (name, pieces) in modules {
        let mut body = String::new();
        for piece in &pieces {
            body.push('\n');
            match piece {
                Piece::Text(t) => body.push_str(t),
                Piece::Item(ts, loc) => match syn::parse2::<syn::File>(ts.clone()) {
                    Ok(file) => body.push_str(&prettyplease::unparse(&file)),
                    Err(e) => diags.error(
                        *loc,
                        format!(
                            "internal: the code generated for this item (module `{name}`) does \
                             not parse: {e}"
                        ),
                    ),
                },
                Piece::Module(ts) => body.push_str(&format_tokens(ts)),
            }
        }
        let (doc, uses) = module_head(&space, name, &body);
        files.insert(
            format!("{name}.rs"),
            format!("{header}//! {doc}\n\n{uses}{body}"),
        );
    }
    files.insert("mod.rs".to_owned(), mod_rs(&header));
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(files)
}

/// True when `word` occurs as a whole word in the code (not the comments) of `body`.
fn uses(body: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .any(|l| {
            l.match_indices(word).any(|(i, _)| {
                !l[..i].ends_with(is_word) && !l[i + word.len()..].starts_with(is_word)
            })
        })
}

/// A module's doc line and the `use` lines its body needs.
fn module_head(space: &ItemSpace<'_>, name: &str, body: &str) -> (&'static str, String) {
    let import = |path: &str, names: &[&str]| -> String {
        let names: Vec<&str> = names.iter().copied().filter(|n| uses(body, n)).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("use {path}::{one};\n"),
            many => format!("use {path}::{{{}}};\n", many.join(", ")),
        }
    };
    let runtime_names: &[&'static str] = if name == "commands" {
        &["Command", "CommandError", "JsonObject", "Syntax", "UtcTime"]
    } else {
        &["CommandError", "JsonObject", "Syntax", "UtcTime"]
    };
    let runtime = space.short_names(runtime_names);
    let mut uses_text = import("std::collections", &space.short_names(&["BTreeMap"]));
    uses_text.push_str(&import("::simplex_api_types::runtime", &runtime));
    let macros: &[&str] = match name {
        "types" => &[
            "__private",
            "error_type",
            "wire_enum",
            "wire_opaque",
            "wire_record",
            "wire_union",
        ],
        "commands" => &["__private", "command", "command_response"],
        _ => &["__private", "wire_record", "wire_union"],
    };
    uses_text.push_str(&import("::simplex_api_types", macros));
    if name == "commands" || (name == "events" && uses(body, "responses")) {
        uses_text.push_str("use super::responses;\n");
    }
    if name != "types" {
        let glob = space.types.iter().any(|t| uses(body, &t.rust));
        match (uses(body, "types"), glob) {
            (true, true) => uses_text.push_str("use super::types::{self, *};\n"),
            (true, false) => uses_text.push_str("use super::types;\n"),
            (false, true) => uses_text.push_str("use super::types::*;\n"),
            (false, false) => {}
        }
    }
    let doc = match name {
        "types" => {
            "Every type of `TYPES.md`: records, enums, discriminated unions (their members with \
             fields in a submodule each)."
        }
        "commands" => {
            "Every command of `COMMANDS.md`, with its command-string formatter and response type."
        }
        "responses" => "Every response of `COMMANDS.md` and [`ChatResponse`] over all of them.",
        _ => "Every event of `EVENTS.md` and [`ChatEvent`] over all of them.",
    };
    (doc, uses_text)
}

fn header(provenance: &str) -> String {
    let mut h = String::from(
        "// @generated by simplex-api-codegen from the SimpleX Chat bot API docs. Do not edit:\n\
         // change the generator or the docs and run `cargo run` at the repository root.\n",
    );
    for line in provenance.lines().filter(|l| !l.trim().is_empty()) {
        h.push_str("// ");
        h.push_str(line.trim());
        h.push('\n');
    }
    h.push('\n');
    h
}

fn mod_rs(header: &str) -> String {
    format!(
        "{header}//! The generated API. See the crate documentation.\n\
         //!\n\
         //! Lints that cannot apply to generated code are allowed here, in one place:\n\
         //! upstream names may not be in Rust case, records take many fields, and doc text is\n\
         //! upstream's; a doc set may not use every imported name.\n\
         #![allow(\n    \
             non_camel_case_types,\n    \
             non_snake_case,\n    \
             clippy::too_many_arguments,\n    \
             clippy::doc_markdown,\n    \
             clippy::new_without_default,\n    \
             clippy::derivable_impls,\n    \
             clippy::derived_hash_with_manual_eq\n\
         )]\n\n\
         pub mod commands;\n\npub mod events;\n\npub mod responses;\n\npub mod types;\n"
    )
}

/// Tokens of a path or type that the item space wrote as text (`Option<Box<Profile>>`,
/// `::std::option::Option`); the shared helper of every emitter.
pub(crate) fn tokens(text: &str) -> TokenStream {
    text.parse().unwrap_or_else(|_| {
        let ident = quote::format_ident!("{}", text);
        quote!(#ident)
    })
}

/// Formats Rust items with prettyplease (for items nested in laid-out text).
pub(crate) fn format_tokens(ts: &TokenStream) -> String {
    match syn::parse2::<syn::File>(ts.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => format!("compile_error!({:?});\n", e.to_string()),
    }
}

/// `#[doc = " line"]` attributes, one per line. Upstream text must go through [`rustdoc_safe`]
/// first; the generator's own text (with intra-doc links) goes in as is.
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// Rewrites upstream Markdown for rustdoc: links to other docs become code spans, stray brackets
/// and angle brackets are escaped, fenced code is marked `text`.
pub(crate) fn rustdoc_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    for (n, line) in text.lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if !in_fence && trimmed.trim() == "```" {
                out.push_str("```text");
            } else {
                out.push_str(line);
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        out.push_str(&escape_line(line));
    }
    out
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            // `[Name](target)`: keep the name as code.
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close..].find(')') {
                    let name = &rest[1..close];
                    if !name.contains(['[', ']']) {
                        out.push('`');
                        out.push_str(name);
                        out.push('`');
                        rest = &rest[close + end + 1..];
                        continue;
                    }
                }
            }
            out.push_str("\\[");
        } else if c == ']' {
            out.push_str("\\]");
        } else if c == '<' {
            out.push_str("&lt;");
        } else if c == '>' {
            out.push_str("&gt;");
        } else if c == '`' {
            // Keep code spans verbatim.
            let end = rest[1..].find('`').map(|i| i + 2).unwrap_or(1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    if out.contains("http://") || out.contains("https://") {
        out = autolink(&out);
    }
    out
}

fn autolink(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if (w.starts_with("http://") || w.starts_with("https://")) && !w.starts_with('<') {
                format!("<{w}>")
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_made_rustdoc_safe() {
        assert_eq!(
            rustdoc_safe("Use [APIAcceptContact](./COMMANDS.md#apiacceptcontact) now."),
            "Use `APIAcceptContact` now."
        );
        assert_eq!(rustdoc_safe("a [b] <c>"), "a \\[b\\] &lt;c&gt;");
        assert_eq!(rustdoc_safe("keep `<x>` code"), "keep `<x>` code");
        assert_eq!(rustdoc_safe("```\n<x>\n```"), "```text\n<x>\n```");
        assert_eq!(rustdoc_safe("see https://x.y/z"), "see <https://x.y/z>");
    }
}
