//! `COMMANDS.md`: `## Category` sections of `### Command` sections, each with its network usage,
//! parameters, syntax, responses and errors.

use std::fmt;

use super::{header, is_ident, short, Cx, Named, Section};
use crate::ir::{Category, Command, ErrorDoc, NetworkUsage};
use crate::read::markdown::{BlockKind, Item};

impl Cx<'_> {
    /// The command categories and the commands of `COMMANDS.md`.
    pub(super) fn commands(&mut self) -> (Vec<Category>, Vec<Command>) {
        self.categorized("API Commands and Responses", |cx, sub, category, _toc| {
            cx.command(sub, category)
        })
    }

    /// One `### Command` section of `category`.
    fn command(&mut self, sec: &Section<'_, '_>, category: &str) -> Option<Command> {
        let (name, description, mut cur) = self.item_section(sec, "command")?;
        let owner = Named(&"command", name);
        let mut cmd = Command {
            name: name.to_owned(),
            category: category.to_owned(),
            description,
            network_usage: None,
            params: Vec::new(),
            syntax: None,
            responses: Vec::new(),
            errors: Vec::new(),
            loc: self.loc(sec.heading.range.start),
        };
        while let Some(b) = cur.next() {
            let BlockKind::Paragraph(p) = &b.kind else {
                self.unexpected(b, &owner);
                continue;
            };
            let Some((head, after)) = header(p.text) else {
                self.error(p.start, format!("unexpected paragraph `{}` in {owner}; expected a section header such as `**Responses**:`", short(p.text)));
                continue;
            };
            let bold = p.text.starts_with("**");
            if head != "Network usage" || bold {
                self.nothing_after(p, head, after, &owner);
            }
            match (bold, head) {
                (false, "Network usage") => {
                    let value = after.trim_end_matches('.');
                    cmd.network_usage = match value {
                        "no" => Some(NetworkUsage::No),
                        "interactive" => Some(NetworkUsage::Interactive),
                        "background" => Some(NetworkUsage::Background),
                        _ => {
                            self.error(p.start, format!("unknown network usage `{value}` in {owner}; expected no, interactive or background"));
                            None
                        }
                    };
                }
                (true, "Parameters") => {
                    if let Some(items) = self.list_after(&mut cur, "`**Parameters**:`") {
                        cmd.params = self.fields(items, &format!("the parameters of {owner}"));
                    }
                }
                (true, "Syntax") => {
                    if let Some(found) = self.syntax_section(&mut cur, &owner) {
                        cmd.syntax = Some(found);
                    }
                }
                (true, "Response" | "Responses") => {
                    cmd.responses = self.variants(&mut cur, &format!("a response of {owner}"));
                    if cmd.responses.is_empty() {
                        self.error(
                            p.start,
                            format!("`**{head}**:` of {owner} lists no response"),
                        );
                    }
                }
                (true, "Errors") => {
                    if let Some(items) = self.list_after(&mut cur, "`**Errors**:`") {
                        cmd.errors = items
                            .iter()
                            .filter_map(|it| self.error_doc(it, &owner))
                            .collect();
                    }
                }
                _ => self.unknown_header(
                    &mut cur,
                    p,
                    head,
                    &owner,
                    "`*Network usage*:`, `**Parameters**:`, `**Syntax**:`, `**Responses**:` or `**Errors**:`",
                ),
            }
        }
        if cmd.responses.is_empty() {
            self.warning(sec.title.start, format!("{owner} documents no response"));
        }
        Some(cmd)
    }

    /// One `Name: description` line of the `**Errors**:` of `owner`.
    fn error_doc(&mut self, item: &Item, owner: &dyn fmt::Display) -> Option<ErrorDoc> {
        let text = &item.text.text;
        match text.split_once(':') {
            Some((name, descr)) if is_ident(name.trim()) => Some(ErrorDoc {
                name: name.trim().to_owned(),
                description: descr.trim().to_owned(),
                loc: self.loc(item.text.start),
            }),
            _ => {
                self.error(
                    item.text.start,
                    format!(
                        "error line `{}` of {owner} is not `Name: description`",
                        short(text)
                    ),
                );
                None
            }
        }
    }
}
