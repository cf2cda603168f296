//! Parsers for `COMMANDS.md`, `EVENTS.md` and `TYPES.md`, from [`crate::markdown`] blocks to the IR.
//!
//! Every problem becomes a located [`Diagnostic`](crate::diag::Diagnostic); parsing goes on past
//! errors so that one run reports all of them, and never panics on any input.

use std::collections::BTreeMap;
use std::fmt;

use crate::diag::Diagnostics;
use crate::ir::{
    self, Api, Binding, Category, Command, DocFile, EnumValue, ErrorDoc, Event, EventGroup, Field,
    Loc, NetworkUsage, Syntax, TypeDef, TypeKind, Variant,
};
use crate::markdown::{self, Block, BlockKind, Inline, Item};
use crate::source::{DocSet, SourceFile};
use crate::syntax::{plain, script};
use crate::typeexpr;

mod cursor;

use cursor::Cursor;

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
            let mut cx = Cx { src, diags };
            let (categories, commands) = cx.commands();
            api.command_categories = categories;
            api.commands = commands;
            api.files.push(DocFile::Commands);
        }
        if let Some(src) = &docs.events {
            let mut cx = Cx { src, diags };
            let (categories, events) = cx.events();
            api.event_categories = categories;
            api.events = events;
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

struct Cx<'a> {
    src: &'a SourceFile,
    diags: &'a mut Diagnostics,
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

fn quoted(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 60 || text.contains('\n') {
        format!("{}...", line.chars().take(60).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// Skips the lists and code blocks that belong to an unknown section header, just read.
fn skip_section_body(cur: &mut Cursor<'_, '_>) {
    while cur
        .next_if(|b| matches!(b.kind, BlockKind::List(_) | BlockKind::Code { .. }))
        .is_some()
    {}
}

/// `what `name``, formatted only when a message needs it.
struct Named<'a>(&'a dyn fmt::Display, &'a str);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.0, self.1)
    }
}

/// The three fenced lines of a `**Syntax**` section.
struct SyntaxLines {
    plain: (String, usize),
    javascript: Option<(String, usize)>,
    python: Option<(String, usize)>,
}

impl<'a> Cx<'a> {
    fn loc(&self, offset: usize) -> Loc {
        self.src.loc(offset)
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        let loc = self.loc(offset);
        self.diags.error(loc, message);
    }

    fn warning(&mut self, offset: usize, message: impl Into<String>) {
        let loc = self.loc(offset);
        self.diags.warning(loc, message);
    }

    fn blocks(&self) -> Vec<Block<'a>> {
        markdown::blocks(&self.src.text)
    }

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

    /// Checks the preamble (title and table of contents) and returns the names it links to, with
    /// the group ("Main events"/"Other events") each is listed under.
    fn preamble(&mut self, blocks: &[Block], title: &str) -> BTreeMap<String, Option<EventGroup>> {
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

    fn toc_items(
        &mut self,
        items: &[Item],
        group: Option<EventGroup>,
        toc: &mut BTreeMap<String, Option<EventGroup>>,
    ) {
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

    fn check_toc(&mut self, toc: &BTreeMap<String, Option<EventGroup>>, names: &[(&str, usize)]) {
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

    fn fields(&mut self, items: &[Item], owner: &dyn fmt::Display) -> Vec<Field> {
        items.iter().filter_map(|i| self.field(i, owner)).collect()
    }

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

    /// A `- type: "tag"` line followed by fields.
    fn tagged(
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

    /// The list that must follow the section header just read.
    fn list_after<'b, 's>(
        &mut self,
        cur: &mut Cursor<'b, 's>,
        what: &str,
    ) -> Option<&'b [Item<'s>]> {
        let list = cur.next_map(|b| match &b.kind {
            BlockKind::List(items) => Some(items.as_slice()),
            _ => None,
        });
        if list.is_none() {
            let at = cur.last_read().map_or(0, |b| b.range.start);
            self.error(at, format!("{what} is not followed by a list"));
        }
        list
    }

    /// The code blocks that follow the `**Syntax**:` header just read.
    fn syntax_lines(
        &mut self,
        cur: &mut Cursor<'_, '_>,
        owner: &dyn fmt::Display,
    ) -> Option<SyntaxLines> {
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
            let at = cur.last_read().map_or(0, |b| b.range.start);
            self.error(at, format!("the syntax of {owner} has no plain code block"));
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

    // ---------------------------------------------------------------- COMMANDS.md

    fn commands(&mut self) -> (Vec<Category>, Vec<Command>) {
        self.categorized("API Commands and Responses", |cx, sub, category, _toc| {
            cx.command(sub, category)
        })
    }

    /// A file of `## Category` sections holding `### Item` sections (COMMANDS.md, EVENTS.md):
    /// the categories, and the items `item` makes of each subsection.
    fn categorized<T>(
        &mut self,
        title: &str,
        mut item: impl FnMut(
            &mut Self,
            &Section<'_, '_>,
            &str,
            &BTreeMap<String, Option<EventGroup>>,
        ) -> Option<T>,
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

    fn category_body(&mut self, desc: &[Block], name: &str) {
        for b in desc {
            if let BlockKind::Heading { text, .. } | BlockKind::Paragraph(text) = &b.kind {
                if matches!(&b.kind, BlockKind::Heading { .. }) {
                    self.error(
                        text.start,
                        format!("unexpected heading `{}` in category `{name}`", text.text),
                    );
                }
            }
        }
    }

    fn command(&mut self, sec: &Section<'_, '_>, category: &str) -> Option<Command> {
        let name = sec.title.text.to_owned();
        if !is_ident(&name) {
            self.error(sec.title.start, format!("`{name}` is not a command name"));
            return None;
        }
        let owner = Named(&"command", sec.title.text);
        let (description, rest) = self.description(sec.body, &owner);
        let mut cmd = Command {
            name,
            category: category.to_owned(),
            description,
            network_usage: None,
            params: Vec::new(),
            syntax: None,
            responses: Vec::new(),
            errors: Vec::new(),
            loc: self.loc(sec.heading.range.start),
        };
        let mut cur = Cursor::new(rest);
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
            if !after.is_empty() && (head != "Network usage" || bold) {
                self.error(
                    p.start,
                    format!(
                        "unexpected text `{}` after `{head}:` in {owner}",
                        short(after)
                    ),
                );
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
                    if let Some(lines) = self.syntax_lines(&mut cur, &owner) {
                        cmd.syntax = Some(self.syntax(lines, &owner));
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
                _ => {
                    let shown = if bold {
                        format!("**{head}**")
                    } else {
                        format!("*{head}*")
                    };
                    self.error(p.start, format!("unknown section header `{shown}:` in {owner}; expected `*Network usage*:`, `**Parameters**:`, `**Syntax**:`, `**Responses**:` or `**Errors**:`"));
                    skip_section_body(&mut cur);
                }
            }
        }
        if cmd.responses.is_empty() {
            self.warning(sec.title.start, format!("{owner} documents no response"));
        }
        Some(cmd)
    }

    fn unexpected(&mut self, b: &Block, owner: &dyn fmt::Display) {
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

    /// Repeated `Name: description` paragraphs, each followed by a tagged field list.
    fn variants(&mut self, cur: &mut Cursor<'_, '_>, what: &dyn fmt::Display) -> Vec<Variant> {
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
                continue;
            };
            let name = name.trim();
            if !is_ident(name) {
                self.error(p.start, format!("`{name}` is not a valid name for {what}"));
                continue;
            }
            let description = match (descr.trim(), more.trim()) {
                (d, "") => d.to_owned(),
                ("", m) => m.to_owned(),
                (d, m) => format!("{d}\n{m}"),
            };
            let owner = Named(what, name);
            let list = cur.next_map(|b| match &b.kind {
                BlockKind::List(items) => Some(items),
                _ => None,
            });
            let (tag, fields) = match list {
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

    // ---------------------------------------------------------------- EVENTS.md

    fn events(&mut self) -> (Vec<Category>, Vec<Event>) {
        self.categorized("API Events", |cx, sub, category, toc| {
            cx.event(sub, category, toc)
        })
    }

    fn event(
        &mut self,
        sec: &Section<'_, '_>,
        category: &str,
        toc: &BTreeMap<String, Option<EventGroup>>,
    ) -> Option<Event> {
        let name = sec.title.text.to_owned();
        if !is_ident(&name) {
            self.error(sec.title.start, format!("`{name}` is not an event name"));
            return None;
        }
        let owner = Named(&"event", &name);
        let (description, rest) = self.description(sec.body, &owner);
        let mut record = None;
        let mut cur = Cursor::new(rest);
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
            group: toc.get(&name).copied().flatten(),
            name,
            category: category.to_owned(),
            description,
            tag,
            fields,
            loc: self.loc(sec.heading.range.start),
        })
    }

    // ---------------------------------------------------------------- TYPES.md

    fn types(&mut self) -> Vec<TypeDef> {
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

    fn type_def(&mut self, sec: &Section<'_, '_>) -> Option<TypeDef> {
        let name = sec.title.text.to_owned();
        if !is_ident(&name) {
            self.error(sec.title.start, format!("`{name}` is not a type name"));
            return None;
        }
        let owner = Named(&"type", &name);
        let (description, rest) = self.description(sec.body, &owner);
        let mut kind = None;
        let mut syntax = None;
        let mut cur = Cursor::new(rest);
        while let Some(b) = cur.next() {
            let head = match &b.kind {
                BlockKind::Paragraph(p) => header(p.text).map(|(h, after)| (h, after, p.start)),
                _ => None,
            };
            let Some((head, after, at)) = head else {
                self.unexpected(b, &owner);
                continue;
            };
            if !after.is_empty() {
                self.error(
                    at,
                    format!(
                        "unexpected text `{}` after `{head}:` in {owner}",
                        short(after)
                    ),
                );
            }
            let new_kind = match head {
                "Record type" => self
                    .list_after(&mut cur, "`**Record type**:`")
                    .map(|items| TypeKind::Record {
                        fields: self.fields(items, &Named(&"record", &name)),
                    }),
                "Enum type" => {
                    self.list_after(&mut cur, "`**Enum type**:`")
                        .map(|items| TypeKind::Enum {
                            values: items
                                .iter()
                                .filter_map(|it| self.enum_value(it, &owner))
                                .collect(),
                        })
                }
                "Discriminated union type" => {
                    let members = self.variants(&mut cur, &Named(&"a member of union", &name));
                    if members.is_empty() {
                        self.error(at, format!("union `{name}` has no members"));
                    }
                    Some(TypeKind::Union { members })
                }
                "Syntax" => {
                    if let Some(lines) = self.syntax_lines(&mut cur, &owner) {
                        syntax = Some(self.syntax(lines, &owner));
                    }
                    continue;
                }
                other => {
                    self.error(at, format!("unknown section header `{other}:` in {owner}; expected `**Record type**:`, `**Enum type**:`, `**Discriminated union type**:` or `**Syntax**:`"));
                    skip_section_body(&mut cur);
                    None
                }
            };
            if let Some(k) = new_kind {
                if kind.is_some() {
                    self.error(at, format!("{owner} has a second kind section `{head}:`"));
                } else {
                    kind = Some(k);
                }
            }
        }
        let kind = match kind {
            Some(kind) => kind,
            None => {
                self.warning(sec.title.start, format!("{owner} has no `**Record type**:`, `**Enum type**:` or `**Discriminated union type**:` section: it becomes an opaque JSON type"));
                TypeKind::Opaque
            }
        };
        Some(TypeDef {
            name,
            description,
            kind,
            syntax,
            loc: self.loc(sec.heading.range.start),
        })
    }

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
}
