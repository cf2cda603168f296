//! What more than one of the files is made of: the title and table of contents, the files of
//! categories (`COMMANDS.md`, `EVENTS.md`), an item's description, field lists, tagged lists and
//! their repetitions (responses, union members), and the section headers they follow.

use std::collections::BTreeMap;
use std::fmt;

use super::cursor::Cursor;
use super::{header, is_ident, link_name, quoted, short, split, written, Cx, Named, Section};
use crate::ir::{Category, EventGroup, Field, Variant};
use crate::read::markdown::{Block, BlockKind, Inline, Item};
use crate::read::typeexpr;

/// The names the table of contents links to, with the group ("Main events"/"Other events") each
/// is listed under.
pub(super) type Toc = BTreeMap<String, Option<EventGroup>>;

impl Cx<'_> {
    /// Checks the preamble (the blocks before the first `##`: title and table of contents) and
    /// returns its table of contents.
    pub(super) fn preamble(&mut self, blocks: &[Block], title: &str) -> Toc {
        let mut toc = BTreeMap::new();
        let mut saw_title = false;
        for b in blocks {
            match &b.kind {
                BlockKind::Heading { level: 1, text } => {
                    saw_title = true;
                    if text.text != title {
                        self.warning(
                            text.start,
                            format!("title is `{}`; expected `{title}`", text.text),
                        );
                    }
                }
                BlockKind::List(items) => self.toc_items(items, None, &mut toc),
                BlockKind::Paragraph(_) | BlockKind::Rule => {}
                BlockKind::Heading { text, .. } => self.error(
                    text.start,
                    format!(
                        "unexpected heading `{}` before the first `##` section",
                        text.text
                    ),
                ),
                BlockKind::Code { .. } => self.error(
                    b.range.start,
                    "unexpected code block before the first `##` section",
                ),
                BlockKind::Other(what) => self.error(
                    b.range.start,
                    format!("unexpected {what} in the table of contents"),
                ),
            }
        }
        if !saw_title {
            self.warning(0, format!("no `# {title}` title: is this the right file?"));
        }
        toc
    }

    /// Adds the links of a table of contents list, and of its sublists, to `toc`.
    fn toc_items(&mut self, items: &[Item], group: Option<EventGroup>, toc: &mut Toc) {
        for item in items {
            let text = item.text.text;
            let sub_group = match text.trim_end_matches('s') {
                "Main event" => Some(EventGroup::Main),
                "Other event" => Some(EventGroup::Other),
                _ => None,
            };
            if let Some(name) = link_name(text) {
                toc.insert(name.to_owned(), group);
            } else if sub_group.is_none() {
                self.warning(
                    item.text.start,
                    format!("table of contents entry `{}` is not a link", short(text)),
                );
            }
            for child in &item.children {
                if let BlockKind::List(sub) = &child.kind {
                    self.toc_items(sub, sub_group.or(group), toc);
                }
            }
        }
    }

    /// Warns about sections missing from the table of contents, and about entries without a
    /// section; `names` are the sections' names with their offsets.
    pub(super) fn check_toc(&mut self, toc: &Toc, names: &[(&str, usize)]) {
        for (name, at) in names {
            if !toc.contains_key(*name) {
                self.warning(
                    *at,
                    format!("`{name}` is missing from the table of contents"),
                );
            }
        }
        for name in toc.keys() {
            if !names.iter().any(|(n, _)| *n == name.as_str()) {
                self.warning(
                    0,
                    format!("the table of contents lists `{name}`, which has no section"),
                );
            }
        }
    }

    /// A file of `## Category` sections holding `### Item` sections (COMMANDS.md, EVENTS.md):
    /// the categories, and the items `item` makes of each subsection.
    pub(super) fn categorized<T>(
        &mut self,
        title: &str,
        mut item: impl FnMut(&mut Self, &Section<'_, '_>, &str, &Toc) -> Option<T>,
    ) -> (Vec<Category>, Vec<T>) {
        let blocks = self.blocks();
        let (pre, sections) = split(&blocks, 2);
        let toc = self.preamble(pre, title);
        let mut categories = Vec::new();
        let mut items = Vec::new();
        let mut names = Vec::new();
        for sec in &sections {
            let (desc, subs) = split(sec.body, 3);
            let desc: Vec<Block> = desc
                .iter()
                .filter(|b| b.kind != BlockKind::Rule)
                .cloned()
                .collect();
            self.category_body(&desc, sec.title.text);
            categories.push(Category {
                name: sec.title.text.to_owned(),
                description: self.raw(&desc),
                loc: self.loc(sec.heading.range.start),
            });
            for sub in &subs {
                names.push((sub.title.text, sub.title.start));
                if let Some(x) = item(self, sub, sec.title.text, &toc) {
                    items.push(x);
                }
            }
        }
        self.check_toc(&toc, &names);
        (categories, items)
    }

    /// Reports the headings in the description of category `name`.
    fn category_body(&mut self, desc: &[Block], name: &str) {
        for b in desc {
            if let BlockKind::Heading { text, .. } = &b.kind {
                self.error(
                    text.start,
                    format!("unexpected heading `{}` in category `{name}`", text.text),
                );
            }
        }
    }

    /// The start of the section of one item (`### Command`, `### Event`, `## Type`): its name,
    /// which must be an identifier (`kind` names the item in the error), its description, and a
    /// cursor over the blocks after the description. A section without a valid name is not read
    /// further, but what follows its closing rule is still checked: it is outside the section.
    pub(super) fn item_section<'b, 's>(
        &mut self,
        sec: &Section<'b, 's>,
        kind: &str,
    ) -> Option<(&'s str, String, Cursor<'b, 's>)> {
        let name = sec.title.text;
        let valid = is_ident(name);
        if !valid {
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            self.error(
                sec.title.start,
                format!("`{name}` is not {article} {kind} name"),
            );
        }
        let (description, rest) = self.description(sec.body, &Named(&kind, name));
        valid.then(|| (name, description, Cursor::new(rest)))
    }

    /// Splits an item body into its description and the rest, and reports anything after `---`.
    fn description<'b, 's>(
        &mut self,
        body: &'b [Block<'s>],
        what: &dyn fmt::Display,
    ) -> (String, &'b [Block<'s>]) {
        let end = body
            .iter()
            .position(|b| match &b.kind {
                BlockKind::Paragraph(p) => header(p.text).is_some(),
                BlockKind::List(_) => false,
                _ => true,
            })
            .unwrap_or(body.len());
        let (desc, rest) = body.split_at(end);
        // Everything after the closing rule must be blank.
        let rest = match rest.iter().position(|b| b.kind == BlockKind::Rule) {
            Some(r) => {
                for b in &rest[r + 1..] {
                    let shown = match &b.kind {
                        BlockKind::Paragraph(p) => format!("paragraph `{}`", short(p.text)),
                        BlockKind::Rule => "`---`".to_owned(),
                        BlockKind::List(_) => "list".to_owned(),
                        BlockKind::Code { .. } => "code block".to_owned(),
                        BlockKind::Heading { text, .. } => format!("heading `{}`", text.text),
                        BlockKind::Other(w) => (*w).to_owned(),
                    };
                    self.error(
                        b.range.start,
                        format!("stray {shown} after the end of {what}; expected a heading"),
                    );
                }
                &rest[..r]
            }
            None => rest,
        };
        (self.raw(desc), rest)
    }

    /// Reports a block of `owner` that is not where a section header was expected.
    pub(super) fn unexpected(&mut self, b: &Block, owner: &dyn fmt::Display) {
        let what = match &b.kind {
            BlockKind::List(_) => "list without a section header".to_owned(),
            BlockKind::Code { .. } => "code block outside a `**Syntax**:` section".to_owned(),
            BlockKind::Heading { text, .. } => format!("heading `{}`", text.text),
            BlockKind::Other(w) => (*w).to_owned(),
            BlockKind::Paragraph(p) => format!("paragraph `{}`", short(p.text)),
            BlockKind::Rule => "`---`".to_owned(),
        };
        self.error(b.range.start, format!("unexpected {what} in {owner}"));
    }

    /// Reports the section header `head` of `owner`, the paragraph `p` just read, as unknown
    /// (`expected` names the headers `owner` can have), and skips the lists and code blocks under
    /// it: they are its own, and would each be reported again as out of place.
    pub(super) fn unknown_header(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        p: &Inline,
        head: &str,
        owner: &dyn fmt::Display,
        expected: &str,
    ) {
        self.error(
            p.start,
            format!(
                "unknown section header `{}` in {owner}; expected {expected}",
                written(p.text, head)
            ),
        );
        while cur
            .next_if(|b| matches!(b.kind, BlockKind::List(_) | BlockKind::Code { .. }))
            .is_some()
        {}
    }

    /// Reports `after`, the text after the section header `head` of paragraph `p`, if there is
    /// any: a header stands alone on its line, and what follows it would be lost.
    pub(super) fn nothing_after(
        &mut self,
        p: &Inline,
        head: &str,
        after: &str,
        owner: &dyn fmt::Display,
    ) {
        if !after.is_empty() {
            self.error(
                p.start,
                format!(
                    "unexpected text `{}` after `{}` in {owner}",
                    short(after),
                    written(p.text, head)
                ),
            );
        }
    }

    /// Reports `head`, the header of paragraph `p`, as a second section saying what `owner` is
    /// (its record type, or its kind for a type); the caller keeps the first.
    pub(super) fn second_kind(&mut self, p: &Inline, head: &str, owner: &dyn fmt::Display) {
        self.error(
            p.start,
            format!(
                "{owner} has a second kind section `{}`; only the first is kept",
                written(p.text, head)
            ),
        );
    }

    /// The list that must follow the section header just read.
    pub(super) fn list_after<'b, 's>(
        &mut self,
        cur: &mut Cursor<'b, 's>,
        what: &str,
    ) -> Option<&'b [Item<'s>]> {
        let list = cur.next_list();
        if list.is_none() {
            let at = cur.last_read().map_or(0, |b| b.range.start);
            self.error(at, format!("{what} is not followed by a list"));
        }
        list
    }

    /// The `name: type` lines of a field list; a line that is not one is reported and left out.
    pub(super) fn fields(&mut self, items: &[Item], owner: &dyn fmt::Display) -> Vec<Field> {
        items.iter().filter_map(|i| self.field(i, owner)).collect()
    }

    /// One `name: type` line of `owner`.
    fn field(&mut self, item: &Item, owner: &dyn fmt::Display) -> Option<Field> {
        let text = &item.text.text;
        let at = item.text.start;
        if !item.children.is_empty() {
            self.error(at, format!("unexpected nested block in a field of {owner}"));
        }
        let Some((name, ty)) = text.split_once(':') else {
            self.error(
                at,
                format!(
                    "field line `{}` of {owner} has no type; expected `name: type`",
                    short(text)
                ),
            );
            return None;
        };
        let name = name.trim();
        if !is_ident(name) {
            self.error(
                at,
                format!("`{name}` in {owner} is not a field name; expected `name: type`"),
            );
            return None;
        }
        let ty_at = at + text.len() - ty.trim_start().len();
        match typeexpr::parse(ty) {
            Ok(ty) => Some(Field {
                name: name.to_owned(),
                ty,
                doc: None,
                loc: self.loc(at),
            }),
            Err(e) => {
                let offset = ty_at + e.offset.saturating_sub(ty.len() - ty.trim_start().len());
                self.error(
                    offset,
                    format!("in the type of field `{name}` of {owner}: {}", e.message),
                );
                None
            }
        }
    }

    /// A `- type: "tag"` line followed by fields: the tag (empty, and reported, when the first
    /// line is not one) and the fields. `at` locates the error of an empty list.
    pub(super) fn tagged(
        &mut self,
        items: &[Item],
        owner: &dyn fmt::Display,
        at: usize,
    ) -> (String, Vec<Field>) {
        let tag = items
            .first()
            .and_then(|i| i.text.text.strip_prefix("type:"))
            .and_then(|t| quoted(t.trim()));
        match tag {
            // The runtime writes `"type":"<tag>"` as one literal put together at compile time.
            Some(tag) if tag.bytes().any(|b| b == b'\\' || b < 0x20) => {
                let at = items.first().map_or(at, |i| i.text.start);
                self.error(
                    at,
                    format!("the tag \"{tag}\" of {owner} holds a character JSON escapes"),
                );
                (String::new(), self.fields(&items[1..], owner))
            }
            Some(tag) => (tag.to_owned(), self.fields(&items[1..], owner)),
            None => {
                let at = items.first().map_or(at, |i| i.text.start);
                self.error(
                    at,
                    format!("{owner} does not start with its tag; expected `- type: \"tag\"`"),
                );
                (String::new(), self.fields(items, owner))
            }
        }
    }

    /// Repeated `Name: description` paragraphs, each followed by a tagged field list. A paragraph
    /// that is not one is reported and skipped with its list, so that the next one is still read.
    pub(super) fn variants(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        what: &dyn fmt::Display,
    ) -> Vec<Variant> {
        let mut out = Vec::new();
        while let Some(p) = cur.next_map(|b| match &b.kind {
            BlockKind::Paragraph(p) if header(p.text).is_none() => Some(p),
            _ => None,
        }) {
            let text = p.text.strip_prefix("Record ").unwrap_or(p.text);
            let (first, more) = text.split_once('\n').unwrap_or((text, ""));
            let Some((name, descr)) = first.split_once(':') else {
                self.error(
                    p.start,
                    format!(
                        "`{}` is not {what}; expected `Name: description` followed by a list",
                        short(text)
                    ),
                );
                cur.next_list();
                continue;
            };
            let name = name.trim();
            if !is_ident(name) {
                self.error(p.start, format!("`{name}` is not a valid name for {what}"));
                cur.next_list();
                continue;
            }
            let description = match (descr.trim(), more.trim()) {
                (d, "") => d.to_owned(),
                ("", m) => m.to_owned(),
                (d, m) => format!("{d}\n{m}"),
            };
            let owner = Named(what, name);
            let (tag, fields) = match cur.next_list() {
                Some(items) => self.tagged(items, &owner, p.start),
                None => {
                    self.error(
                        p.start,
                        format!("{owner} is not followed by its `- type: \"tag\"` list"),
                    );
                    (String::new(), Vec::new())
                }
            };
            out.push(Variant {
                name: name.to_owned(),
                description,
                tag,
                fields,
                loc: self.loc(p.start),
            });
        }
        out
    }
}
