//! A cursor over the blocks of a section: the parsers read them front to back, and take what
//! belongs to a header (its list, its code blocks) only when it is there, without counting
//! indices by hand.

use crate::read::markdown::{Block, BlockKind, Item};

/// The blocks of a section and how many of them have been read.
pub(super) struct Cursor<'b, 'a> {
    blocks: &'b [Block<'a>],
    read: usize,
}

impl<'b, 'a> Cursor<'b, 'a> {
    /// A cursor before the first of `blocks`.
    pub(super) fn new(blocks: &'b [Block<'a>]) -> Self {
        Cursor { blocks, read: 0 }
    }

    /// The block read last (none before the first read); not `last`, which `Iterator` has and
    /// which would read all the rest.
    pub(super) fn last_read(&self) -> Option<&'b Block<'a>> {
        self.read.checked_sub(1).and_then(|i| self.blocks.get(i))
    }

    /// Reads the next block if `f` makes something of it; otherwise reads nothing.
    pub(super) fn next_map<T>(&mut self, f: impl FnOnce(&'b Block<'a>) -> Option<T>) -> Option<T> {
        let out = f(self.blocks.get(self.read)?)?;
        self.read += 1;
        Some(out)
    }

    /// Reads the next block if it is a list: its items.
    pub(super) fn next_list(&mut self) -> Option<&'b [Item<'a>]> {
        self.next_map(|b| match &b.kind {
            BlockKind::List(items) => Some(items.as_slice()),
            _ => None,
        })
    }

    /// Reads the next block if `f` accepts it; otherwise reads nothing.
    pub(super) fn next_if(&mut self, f: impl FnOnce(&Block<'a>) -> bool) -> Option<&'b Block<'a>> {
        self.next_map(|b| f(b).then_some(b))
    }
}

impl<'b, 'a> Iterator for Cursor<'b, 'a> {
    type Item = &'b Block<'a>;

    fn next(&mut self) -> Option<&'b Block<'a>> {
        self.next_map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::markdown;

    #[test]
    fn reads_only_what_is_asked_for() {
        let blocks = markdown::blocks("para\n\n- item\n\n---\n");
        let mut cur = Cursor::new(&blocks);
        assert!(cur.last_read().is_none());
        let is_list = |b: &Block| matches!(b.kind, BlockKind::List(_));
        assert!(cur.next_if(is_list).is_none());
        assert!(matches!(
            cur.next().map(|b| &b.kind),
            Some(BlockKind::Paragraph(_))
        ));
        assert_eq!(cur.next_list().map(<[_]>::len), Some(1));
        assert!(matches!(
            cur.last_read().map(|b| &b.kind),
            Some(BlockKind::List(_))
        ));
        assert_eq!(
            cur.next_map(|b| (b.kind == BlockKind::Rule).then_some(7)),
            Some(7)
        );
        assert!(cur.next().is_none());
        assert!(cur.next_if(|_| true).is_none());
    }
}
