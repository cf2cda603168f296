//! The block structure of a doc, read with pulldown-cmark.
//!
//! The doc parsers work on [`Block`]s: headings, paragraphs, lists, code blocks and rules, each with
//! the byte range of its source and the raw text of its inline content. Inline content (field lines,
//! type expressions) is parsed from that raw text by dedicated parsers, so that every part keeps a
//! column.

use std::iter::Peekable;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, OffsetIter, Options, Parser, Tag, TagEnd};

/// One block of a Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    /// What kind of block.
    pub kind: BlockKind<'a>,
    /// Byte range of the whole block in the source.
    pub range: Range<usize>,
}

/// The kinds of block the docs use; anything else is [`BlockKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind<'a> {
    /// `#`..`######` heading with its raw inline text.
    Heading {
        /// 1 to 6.
        level: u8,
        /// Raw text.
        text: Inline<'a>,
    },
    /// A paragraph with its raw inline text.
    Paragraph(Inline<'a>),
    /// A bullet or ordered list.
    List(Vec<Item<'a>>),
    /// A fenced or indented code block.
    Code {
        /// The info string (`javascript`, `python` or empty).
        info: String,
        /// The content, lines joined with `\n` (trailing newline kept).
        content: String,
        /// Byte offset of the first content line (the block start for an empty block).
        content_start: usize,
    },
    /// `---`.
    Rule,
    /// Something the docs never use (HTML, table, block quote...), named.
    Other(&'static str),
}

/// Raw inline text and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inline<'a> {
    /// The source text, trimmed.
    pub text: &'a str,
    /// Byte offset of `text` in the source.
    pub start: usize,
}

/// A list item: its own inline text and any nested blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    /// The item's first line(s) of inline content.
    pub text: Inline<'a>,
    /// Nested blocks (sub-lists, further paragraphs).
    pub children: Vec<Block<'a>>,
    /// Byte range of the whole item.
    pub range: Range<usize>,
}

/// Reads the block structure of `src`.
pub fn blocks(src: &str) -> Vec<Block<'_>> {
    // Events are read as they come: collecting them first costs more than parsing them.
    let mut reader = Reader {
        src,
        events: Parser::new_ext(src, Options::empty())
            .into_offset_iter()
            .peekable(),
        lists: 0,
    };
    let mut out = Vec::new();
    while let Some(block) = reader.block() {
        out.extend(block);
    }
    out
}

/// How deep lists may nest before the reader stops descending (the docs use two levels); deeper
/// lists become [`BlockKind::Other`], so that no input can exhaust the stack.
pub const MAX_LIST_DEPTH: usize = 16;

struct Reader<'a> {
    src: &'a str,
    events: Peekable<OffsetIter<'a>>,
    /// Lists being read, outermost first.
    lists: usize,
}

/// What [`Reader::item`] does with the next event.
enum ItemStep {
    /// The end of the item.
    End,
    /// The first paragraph of a loose item: the item's own text.
    FirstParagraph,
    /// A nested block.
    Child,
    /// Inline content (or the nesting around it).
    Inline,
}

impl<'a> Reader<'a> {
    /// Reads the next block. `None` at the end or at the end of the enclosing container (whose
    /// `End` is left for the caller); `Some(None)` for an event that forms no block.
    fn block(&mut self) -> Option<Option<Block<'a>>> {
        if matches!(self.events.peek()?, (Event::End(_), _)) {
            return None;
        }
        let (event, range) = self.events.next()?;
        let kind = match event {
            Event::Start(Tag::Heading { level, .. }) => BlockKind::Heading {
                level: level as u8,
                text: self.inline_until_end(&range),
            },
            Event::Start(Tag::Paragraph) => BlockKind::Paragraph(self.inline_until_end(&range)),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_owned(),
                    CodeBlockKind::Indented => String::new(),
                };
                let (content, content_start) = self.code_until_end(range.start);
                BlockKind::Code {
                    info,
                    content,
                    content_start,
                }
            }
            Event::Start(Tag::List(_)) if self.lists >= MAX_LIST_DEPTH => {
                self.skip_to_end();
                BlockKind::Other("list nested too deeply")
            }
            Event::Start(Tag::List(_)) => {
                self.lists += 1;
                let items = self.items();
                self.lists -= 1;
                BlockKind::List(items)
            }
            Event::Rule => BlockKind::Rule,
            Event::Start(tag) => {
                let name = tag_name(&tag);
                self.skip_to_end();
                BlockKind::Other(name)
            }
            Event::Html(_) | Event::InlineHtml(_) => BlockKind::Other("HTML"),
            // Stray inline content at block level cannot happen in CommonMark; treat as a paragraph.
            Event::Text(_) | Event::Code(_) => BlockKind::Paragraph(self.inline(&range)),
            _ => return Some(None),
        };
        Some(Some(Block { kind, range }))
    }

    fn inline(&self, range: &Range<usize>) -> Inline<'a> {
        let raw = self.src.get(range.clone()).unwrap_or_default();
        let trimmed = raw.trim_start();
        Inline {
            start: range.start + (raw.len() - trimmed.len()),
            text: trimmed.trim_end(),
        }
    }

    /// Consumes inline events up to and including the `End` of the current container and returns
    /// the source span they cover.
    fn inline_until_end(&mut self, outer: &Range<usize>) -> Inline<'a> {
        let mut depth = 0usize;
        let mut span: Option<Range<usize>> = None;
        for (event, range) in self.events.by_ref() {
            match event {
                Event::End(_) if depth == 0 => break,
                Event::End(_) => depth -= 1,
                Event::Start(_) => depth += 1,
                _ => {}
            }
            span = Some(match span {
                None => range,
                Some(s) => s.start.min(range.start)..s.end.max(range.end),
            });
        }
        match span {
            Some(s) => self.inline(&s),
            None => Inline {
                text: "",
                start: outer.start,
            },
        }
    }

    fn code_until_end(&mut self, block_start: usize) -> (String, usize) {
        let mut content = String::new();
        let mut start = None;
        for (event, range) in self.events.by_ref() {
            match event {
                Event::End(_) => break,
                Event::Text(t) => {
                    start.get_or_insert(range.start);
                    content.push_str(&t);
                }
                _ => {}
            }
        }
        (content, start.unwrap_or(block_start))
    }

    fn skip_to_end(&mut self) {
        let mut depth = 0usize;
        for (event, _) in self.events.by_ref() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => return,
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
    }

    fn items(&mut self) -> Vec<Item<'a>> {
        let mut items = Vec::new();
        while let Some((event, range)) = self.events.next() {
            match event {
                Event::Start(Tag::Item) => items.push(self.item(range)),
                Event::End(TagEnd::List(_)) => break,
                Event::Start(_) => self.skip_to_end(),
                _ => {}
            }
        }
        items
    }

    fn item(&mut self, range: Range<usize>) -> Item<'a> {
        let mut span: Option<Range<usize>> = None;
        let mut children = Vec::new();
        let mut depth = 0usize;
        while let Some((event, r)) = self.events.peek() {
            let step = match event {
                Event::End(TagEnd::Item) if depth == 0 => ItemStep::End,
                // The first paragraph of a loose item is the item's own text.
                Event::Start(Tag::Paragraph) if span.is_none() && children.is_empty() => {
                    ItemStep::FirstParagraph
                }
                Event::Start(
                    Tag::Paragraph
                    | Tag::List(_)
                    | Tag::CodeBlock(_)
                    | Tag::Heading { .. }
                    | Tag::BlockQuote(_)
                    | Tag::HtmlBlock
                    | Tag::Table(_),
                )
                | Event::Rule => ItemStep::Child,
                _ => ItemStep::Inline,
            };
            let r = r.clone();
            match step {
                ItemStep::End => {
                    self.events.next();
                    break;
                }
                ItemStep::FirstParagraph => {
                    self.events.next();
                    let inline = self.inline_until_end(&r);
                    span = Some(inline.start..inline.start + inline.text.len());
                }
                ItemStep::Child => {
                    if let Some(Some(b)) = self.block() {
                        children.push(b);
                    }
                }
                ItemStep::Inline => {
                    let Some((event, _)) = self.events.next() else {
                        break;
                    };
                    match event {
                        Event::Start(_) => depth += 1,
                        Event::End(_) => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    if children.is_empty() {
                        span = Some(match span {
                            None => r.clone(),
                            Some(s) => s.start.min(r.start)..s.end.max(r.end),
                        });
                    }
                }
            }
        }
        let text = match span {
            Some(s) => self.inline(&s),
            None => Inline {
                text: "",
                start: range.start,
            },
        };
        Item {
            text,
            children,
            range,
        }
    }
}

fn tag_name(tag: &Tag<'_>) -> &'static str {
    match tag {
        Tag::BlockQuote(_) => "block quote",
        Tag::HtmlBlock => "HTML block",
        Tag::Table(_) => "table",
        Tag::FootnoteDefinition(_) => "footnote",
        _ => "unexpected block",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_blocks_of_a_command_section() {
        let src = "### Cmd\n\nText *a*.\n\n**Parameters**:\n- userId: int64\n- x: [[T](#t)]?\n\n```\n/x <userId>\n```\n\n---\n";
        let b = blocks(src);
        let kinds: Vec<&str> = b
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Heading { .. } => "h",
                BlockKind::Paragraph(_) => "p",
                BlockKind::List(_) => "l",
                BlockKind::Code { .. } => "c",
                BlockKind::Rule => "r",
                BlockKind::Other(_) => "o",
            })
            .collect();
        assert_eq!(kinds, ["h", "p", "p", "l", "c", "r"]);
        let BlockKind::List(items) = &b[3].kind else {
            panic!("not a list")
        };
        assert_eq!(items[1].text.text, "x: [[T](#t)]?");
        assert_eq!(&src[items[1].text.start..][..2], "x:");
        let BlockKind::Code {
            content,
            content_start,
            ..
        } = &b[4].kind
        else {
            panic!("not code")
        };
        assert_eq!(content, "/x <userId>\n");
        assert_eq!(&src[*content_start..][..2], "/x");
    }

    #[test]
    fn nested_list_items_keep_their_own_text_and_children() {
        let src = "- Main event\n  - [A](#a)\n- Other events\n  - [B](#b)\n";
        let b = blocks(src);
        let BlockKind::List(items) = &b[0].kind else {
            panic!("not a list")
        };
        assert_eq!(items[0].text.text, "Main event");
        let BlockKind::List(sub) = &items[0].children[0].kind else {
            panic!("no sub-list")
        };
        assert_eq!(sub[0].text.text, "[A](#a)");
        assert_eq!(items[1].text.text, "Other events");
    }

    #[test]
    fn lists_nested_too_deeply_are_cut_off_without_exhausting_the_stack() {
        let src = format!("{}x\n", "- ".repeat(100_000));
        let b = blocks(&src);
        let mut depth = 0;
        let mut kind = &b[0].kind;
        while let BlockKind::List(items) = kind {
            depth += 1;
            match items[0].children.first() {
                Some(child) => kind = &child.kind,
                None => break,
            }
        }
        assert_eq!(depth, MAX_LIST_DEPTH);
        assert_eq!(kind, &BlockKind::Other("list nested too deeply"));
    }
}
