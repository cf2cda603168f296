//! Parsers for `COMMANDS.md`, `EVENTS.md` and `TYPES.md`, from [`crate::read::markdown`] blocks to the IR.
//!
//! Every problem becomes a located [`Diagnostic`](crate::diag::Diagnostic); parsing goes on past
//! errors so that one run reports all of them, and never panics on any input.
//!
//! One file a doc kind (`commands`, `events`, `types`), each reading its sections top to bottom
//! with a `cursor` over their blocks; `common` holds what more than one kind is made of, and
//! `syntax` the `**Syntax**:` sections of commands and types. This module has the entry point and
//! the context they share: where an offset is, the diagnostics, and sections split at headings.

use std::fmt;

use crate::diag::Diagnostics;
use crate::ir::{Api, DocFile, Loc};
use crate::read::markdown::{self, Block, BlockKind, Inline};
use crate::read::source::{DocSet, SourceFile};

mod commands;
mod common;
mod cursor;
mod events;
mod syntax;
mod types;

/// Parses every file present in `docs` into one [`Api`], collecting diagnostics.
///
/// The files are independent until the passes, so `TYPES.md` (the largest) is parsed on a second
/// thread while this one reads the other two; the result and the order of the diagnostics are the
/// same as reading them one after the other.
pub fn parse_docs(docs: &DocSet, diags: &mut Diagnostics) -> Api {
    let types = |src: &SourceFile| {
        let mut diags = Diagnostics::default();
        let types = Cx {
            src,
            diags: &mut diags,
        }
        .types();
        (types, diags)
    };
    std::thread::scope(|scope| {
        let worker = docs.types.as_ref().map(|src| {
            std::thread::Builder::new()
                .name("parse TYPES.md".into())
                .spawn_scoped(scope, move || types(src))
        });
        let mut api = Api::default();
        if let Some(src) = &docs.commands {
            (api.command_categories, api.commands) = Cx { src, diags }.commands();
            api.files.push(DocFile::Commands);
        }
        if let Some(src) = &docs.events {
            (api.event_categories, api.events) = Cx { src, diags }.events();
            api.files.push(DocFile::Events);
        }
        if let Some(src) = &docs.types {
            let (types, types_diags) = match worker {
                Some(Ok(handle)) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread could be started: read it here.
                _ => types(src),
            };
            api.types = types;
            diags.extend(types_diags);
            api.files.push(DocFile::Types);
        }
        api
    })
}

/// The file being parsed and where its diagnostics go; the parsers of each kind are its methods.
struct Cx<'a> {
    src: &'a SourceFile,
    diags: &'a mut Diagnostics,
}

impl<'a> Cx<'a> {
    /// The line and column of a byte offset of the file.
    fn loc(&self, offset: usize) -> Loc {
        self.src.loc(offset)
    }

    /// Reports an error at a byte offset.
    fn error(&mut self, offset: usize, message: impl Into<String>) {
        let loc = self.loc(offset);
        self.diags.error(loc, message);
    }

    /// Reports a warning at a byte offset.
    fn warning(&mut self, offset: usize, message: impl Into<String>) {
        let loc = self.loc(offset);
        self.diags.warning(loc, message);
    }

    /// The file's Markdown blocks.
    fn blocks(&self) -> Vec<Block<'a>> {
        markdown::blocks(&self.src.text)
    }

    /// The source text of `blocks`, from the first to the last, trimmed (a description).
    fn raw(&self, blocks: &[Block]) -> String {
        match (blocks.first(), blocks.last()) {
            (Some(a), Some(b)) => self
                .src
                .text
                .get(a.range.start..b.range.end)
                .unwrap_or_default()
                .trim()
                .to_owned(),
            _ => String::new(),
        }
    }
}

/// A heading with the blocks under it, up to the next heading of the same or a higher level.
struct Section<'b, 'a> {
    title: &'b Inline<'a>,
    heading: &'b Block<'a>,
    body: &'b [Block<'a>],
}

/// Splits `blocks` at headings of `level`: the blocks before the first one, then each section.
fn split<'b, 'a>(blocks: &'b [Block<'a>], level: u8) -> (&'b [Block<'a>], Vec<Section<'b, 'a>>) {
    let starts: Vec<usize> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(&b.kind, BlockKind::Heading { level: l, .. } if *l == level))
        .map(|(i, _)| i)
        .collect();
    let first = starts.first().copied().unwrap_or(blocks.len());
    let sections = starts
        .iter()
        .enumerate()
        .filter_map(|(n, &i)| {
            let end = starts.get(n + 1).copied().unwrap_or(blocks.len());
            match &blocks[i].kind {
                BlockKind::Heading { text, .. } => Some(Section {
                    title: text,
                    heading: &blocks[i],
                    body: &blocks[i + 1..end],
                }),
                _ => None,
            }
        })
        .collect();
    (&blocks[..first], sections)
}

/// `**Name**:` (bold) or `*Name*:` (italic) at the start of a paragraph: the name and the rest.
fn header(text: &str) -> Option<(&str, &str)> {
    let (mark, rest) = if let Some(r) = text.strip_prefix("**") {
        ("**", r)
    } else {
        ("*", text.strip_prefix('*')?)
    };
    let end = rest.find(mark)?;
    let name = &rest[..end];
    let after = rest[end + mark.len()..].strip_prefix(':')?;
    (!name.is_empty() && !name.contains('*')).then_some((name, after.trim()))
}

/// The header of block `b` when it is a header paragraph: its name, the text after the colon,
/// and the paragraph.
fn block_header<'b, 'a>(b: &'b Block<'a>) -> Option<(&'b str, &'b str, &'b Inline<'a>)> {
    match &b.kind {
        BlockKind::Paragraph(p) => header(p.text).map(|(h, after)| (h, after, p)),
        _ => None,
    }
}

/// The header `name` of the paragraph `text` as it is written there: `**Name**:` or `*Name*:`.
fn written(text: &str, name: &str) -> String {
    if text.starts_with("**") {
        format!("**{name}**:")
    } else {
        format!("*{name}*:")
    }
}

/// A name made of ASCII letters, digits and `_`, not starting with a digit.
fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// `[Name](#anchor)`: the name.
fn link_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('[')?;
    let close = rest.find("](")?;
    rest.ends_with(')').then(|| &rest[..close])
}

/// `"text"` without inner quotes: the text.
fn quoted(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

/// The first line of `text` for a message, cut at 60 characters; `...` when anything is left out.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 60 || text.contains('\n') {
        format!("{}...", line.chars().take(60).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// `what `name``, formatted only when a message needs it.
struct Named<'a>(&'a dyn fmt::Display, &'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.0, self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_with_their_trailing_text() {
        assert_eq!(header("**Syntax**:"), Some(("Syntax", "")));
        assert_eq!(
            header("*Network usage*: no."),
            Some(("Network usage", "no."))
        );
        assert_eq!(header("**Response**: Done."), Some(("Response", "Done.")));
        assert_eq!(header("Plain text"), None);
        assert_eq!(header("**Bold** text"), None);
    }

    #[test]
    fn headers_are_shown_as_they_are_written() {
        assert_eq!(written("**Examples**:", "Examples"), "**Examples**:");
        assert_eq!(written("*Examples*: some", "Examples"), "*Examples*:");
    }
}
