//! `EVENTS.md`: `## Category` sections of `### Event` sections, each with its record type, and
//! the table of contents that sorts them into main and other events.

use super::common::Toc;
use super::{header, Cx, Named, Section};
use crate::ir::{Category, Event};
use crate::markdown::BlockKind;

impl Cx<'_> {
    /// The event categories and the events of `EVENTS.md`.
    pub(super) fn events(&mut self) -> (Vec<Category>, Vec<Event>) {
        self.categorized("API Events", |cx, sub, category, toc| {
            cx.event(sub, category, toc)
        })
    }

    /// One `### Event` section of `category`; its group is the one `toc` lists it under.
    fn event(&mut self, sec: &Section<'_, '_>, category: &str, toc: &Toc) -> Option<Event> {
        let (name, description, mut cur) = self.item_section(sec, "event")?;
        let owner = Named(&"event", name);
        let mut record = None;
        while let Some(b) = cur.next() {
            match &b.kind {
                BlockKind::Paragraph(p) if header(p.text).map(|h| h.0) == Some("Record type") => {
                    if let Some(items) = self.list_after(&mut cur, "`**Record type**:`") {
                        record = Some(self.tagged(items, &owner, p.start));
                    }
                }
                BlockKind::Paragraph(p) if header(p.text).is_some() => {
                    let head = header(p.text).map(|h| h.0).unwrap_or_default();
                    self.error(p.start, format!("unknown section header `{head}` in {owner}; expected `**Record type**:`"));
                }
                _ => self.unexpected(b, &owner),
            }
        }
        let Some((tag, fields)) = record else {
            self.error(
                sec.title.start,
                format!("{owner} has no `**Record type**:` section"),
            );
            return None;
        };
        Some(Event {
            group: toc.get(name).copied().flatten(),
            name: name.to_owned(),
            category: category.to_owned(),
            description,
            tag,
            fields,
            loc: self.loc(sec.heading.range.start),
        })
    }
}
