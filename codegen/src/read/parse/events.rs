//! `EVENTS.md`: `## Category` sections of `### Event` sections, each with its record type, and
//! the table of contents that sorts them into main and other events.

use super::common::Toc;
use super::{block_header, Cx, Named, Section};
use crate::ir::{Category, Event};

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
        // A `**Record type**:` header was read (even one without its list, already reported).
        let mut headed = false;
        while let Some(b) = cur.next() {
            let head = block_header(b);
            match head {
                Some(("Record type", after, p)) => {
                    self.nothing_after(p, "Record type", after, &owner);
                    let found = self
                        .list_after(&mut cur, "`**Record type**:`")
                        .map(|items| self.tagged(items, &owner, p.start));
                    if headed {
                        self.second_kind(p, "Record type", &owner);
                    } else {
                        record = found;
                    }
                    headed = true;
                }
                Some((head, _, p)) => {
                    self.unknown_header(&mut cur, p, head, &owner, "`**Record type**:`");
                }
                None => self.unexpected(b, &owner),
            }
        }
        let Some((tag, fields)) = record else {
            if !headed {
                self.error(
                    sec.title.start,
                    format!("{owner} has no `**Record type**:` section"),
                );
            }
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
