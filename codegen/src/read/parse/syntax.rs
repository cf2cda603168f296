//! The `**Syntax**:` section of a command (`COMMANDS.md`) or of a type (`TYPES.md`): its plain,
//! JavaScript and Python code blocks, parsed into a [`Syntax`] tree.

use std::fmt;

use super::cursor::Cursor;
use super::Cx;
use crate::ir::{self, Binding, Syntax};
use crate::read::markdown::{Block, BlockKind};
use crate::read::syntax::{plain, script};

/// The three fenced lines of a `**Syntax**` section.
struct SyntaxLines {
    plain: (String, usize),
    javascript: Option<(String, usize)>,
    python: Option<(String, usize)>,
}

impl Cx<'_> {
    /// The section after the `**Syntax**:` header just read, or `None` (and its error) when it
    /// has no plain line.
    pub(super) fn syntax_section(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        owner: &dyn fmt::Display,
    ) -> Option<Syntax> {
        let lines = self.syntax_lines(cur, owner)?;
        Some(self.syntax(lines, owner))
    }

    /// The code blocks that follow the `**Syntax**:` header just read.
    fn syntax_lines(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        owner: &dyn fmt::Display,
    ) -> Option<SyntaxLines> {
        let header_at = cur.last_read().map_or(0, |b| b.range.start);
        let mut lines = SyntaxLines {
            plain: (String::new(), 0),
            javascript: None,
            python: None,
        };
        let mut saw_plain = false;
        while let Some(Block {
            kind:
                BlockKind::Code {
                    info,
                    content,
                    content_start,
                },
            range,
        }) = cur.next_if(|b| matches!(b.kind, BlockKind::Code { .. }))
        {
            let body = content.trim_end_matches('\n');
            if body.contains('\n') {
                self.error(
                    *content_start,
                    format!(
                        "the {} syntax block of {owner} has {} lines; expected one (multi-line \
                         syntax definitions are not supported)",
                        if info.is_empty() { "plain" } else { info },
                        body.lines().count()
                    ),
                );
                continue;
            }
            let line = (body.to_owned(), *content_start);
            match info.as_str() {
                "" if !saw_plain => {
                    saw_plain = true;
                    lines.plain = line;
                }
                "javascript" | "python" => {
                    let lang = if info == "javascript" {
                        script::Lang::JavaScript
                    } else {
                        script::Lang::Python
                    };
                    let Some(code) = body.strip_suffix(lang.marker()) else {
                        self.error(
                            *content_start,
                            format!("the {} syntax line of {owner} does not end with `{}`", lang.name(), lang.marker()),
                        );
                        continue;
                    };
                    let line = (code.trim_end().to_owned(), *content_start);
                    if lang == script::Lang::JavaScript {
                        lines.javascript = Some(line);
                    } else {
                        lines.python = Some(line);
                    }
                }
                other => self.error(
                    range.start,
                    format!("unexpected `{other}` code block in the syntax of {owner}; expected plain, javascript or python"),
                ),
            }
        }
        if !saw_plain {
            self.error(
                header_at,
                format!("the syntax of {owner} has no plain code block"),
            );
            return None;
        }
        Some(lines)
    }

    /// Parses the syntax lines into a tree bound by name (or leaves binding to the positional pass).
    fn syntax(&mut self, lines: SyntaxLines, owner: &dyn fmt::Display) -> Syntax {
        let (plain_line, plain_at) = lines.plain;
        let loc = self.loc(plain_at);
        let plain_tree = match plain::parse(&plain_line) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(
                    plain_at + e.offset,
                    format!("in the syntax of {owner}: {}", e.message),
                );
                None
            }
        };
        let mut parsed = Vec::new();
        for (line, lang) in [
            (&lines.javascript, script::Lang::JavaScript),
            (&lines.python, script::Lang::Python),
        ] {
            if let Some((code, at)) = line {
                match script::parse(code, lang) {
                    Ok(tree) => parsed.push((lang, tree, *at)),
                    Err(e) => self.error(
                        at + e.offset,
                        format!(
                            "in the {} syntax line of {owner}: {}",
                            lang.name(),
                            e.message
                        ),
                    ),
                }
            }
        }
        if let [(_, js, _), (_, py, py_at)] = parsed.as_slice() {
            if js != py {
                self.error(
                    *py_at,
                    format!("the JavaScript and Python syntax lines of {owner} describe different commands"),
                );
            }
        }
        let script_failed =
            parsed.is_empty() && (lines.javascript.is_some() || lines.python.is_some());
        let (binding, expr) = match parsed.into_iter().next() {
            Some((script::Lang::JavaScript, tree, _)) => (Binding::Javascript, tree),
            Some((script::Lang::Python, tree, _)) => (Binding::Python, tree),
            None => match plain_tree {
                Some(tree) if tree.iter().all(|p| matches!(p, plain::Plain::Lit(_))) => (
                    Binding::Constant,
                    ir::normalize(vec![ir::Expr::lit(plain_line.clone())]),
                ),
                // Bound by position in the passes, where parameter types are known; not when
                // a script line exists but failed (its error is already reported).
                _ if script_failed => (Binding::Javascript, Vec::new()),
                _ => (Binding::Position, Vec::new()),
            },
        };
        Syntax {
            plain: plain_line,
            javascript: lines.javascript.map(|l| l.0),
            python: lines.python.map(|l| l.0),
            binding,
            expr,
            loc,
            hidden_parts: Vec::new(),
            safe_forms: Vec::new(),
        }
    }
}
