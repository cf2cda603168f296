//! `TYPES.md`: a `## Type` section for each type, a record, an enum or a discriminated union
//! (or, without any of these sections, an opaque type), with an optional syntax of its own.

use std::fmt;

use super::{block_header, quoted, short, split, Cx, Named, Section};
use crate::ir::{EnumValue, TypeDef, TypeKind};
use crate::read::markdown::Item;

impl Cx<'_> {
    /// The types of `TYPES.md`.
    pub(super) fn types(&mut self) -> Vec<TypeDef> {
        let blocks = self.blocks();
        let (pre, sections) = split(&blocks, 2);
        let toc = self.preamble(pre, "API Types");
        let mut names = Vec::new();
        let mut types = Vec::new();
        for sec in &sections {
            names.push((sec.title.text, sec.title.start));
            if let Some(t) = self.type_def(sec) {
                types.push(t);
            }
        }
        self.check_toc(&toc, &names);
        types
    }

    /// One `## Type` section.
    fn type_def(&mut self, sec: &Section<'_, '_>) -> Option<TypeDef> {
        let (name, description, mut cur) = self.item_section(sec, "type")?;
        let owner = Named(&"type", name);
        let mut kind = None;
        // A kind header was read (even one without its list, already reported).
        let mut headed = false;
        let mut syntax = None;
        while let Some(b) = cur.next() {
            let head = block_header(b);
            let Some((head, after, p)) = head else {
                self.unexpected(b, &owner);
                continue;
            };
            let at = p.start;
            self.nothing_after(p, head, after, &owner);
            let new_kind = match head {
                "Record type" => self
                    .list_after(&mut cur, "`**Record type**:`")
                    .map(|items| TypeKind::Record {
                        fields: self.fields(items, &Named(&"record", name)),
                    }),
                "Enum type" => self.list_after(&mut cur, "`**Enum type**:`").map(|items| {
                    let values = items.iter().filter_map(|it| self.enum_value(it, &owner));
                    TypeKind::Enum {
                        values: values.collect(),
                    }
                }),
                "Discriminated union type" => {
                    let members = self.variants(&mut cur, &Named(&"a member of union", name));
                    if members.is_empty() {
                        self.error(at, format!("union `{name}` has no members"));
                    }
                    Some(TypeKind::Union { members })
                }
                "Syntax" => {
                    if let Some(found) = self.syntax_section(&mut cur, &owner) {
                        syntax = Some(found);
                    }
                    continue;
                }
                other => {
                    self.unknown_header(&mut cur, p, other, &owner, "`**Record type**:`, `**Enum type**:`, `**Discriminated union type**:` or `**Syntax**:`");
                    continue;
                }
            };
            if headed {
                self.second_kind(p, head, &owner);
            } else {
                kind = new_kind;
            }
            headed = true;
        }
        let kind = match kind {
            Some(kind) => kind,
            None => {
                self.warning(sec.title.start, format!("{owner} has no `**Record type**:`, `**Enum type**:` or `**Discriminated union type**:` section: it becomes an opaque JSON type"));
                TypeKind::Opaque
            }
        };
        Some(TypeDef {
            name: name.to_owned(),
            description,
            kind,
            syntax,
            loc: self.loc(sec.heading.range.start),
        })
    }

    /// One `"value"` line of the `**Enum type**:` of `owner`.
    fn enum_value(&mut self, item: &Item, owner: &dyn fmt::Display) -> Option<EnumValue> {
        match quoted(item.text.text) {
            Some(v) => Some(EnumValue {
                value: v.to_owned(),
                loc: self.loc(item.text.start),
            }),
            None => {
                self.error(
                    item.text.start,
                    format!(
                        "enum value `{}` of {owner} is not a quoted string",
                        short(item.text.text)
                    ),
                );
                None
            }
        }
    }
}
