//! The API diff report: what changed between two versions of the docs, and which changes break
//! code written against the generated Rust crate.
//!
//! Items are matched by their upstream names. The result is plain, deterministic data (every list
//! is sorted by item name) that renders as a Markdown report for reviewing an upstream-docs update:
//!
//! ```text
//! simplex-api-codegen diff OLD_DIR NEW_DIR
//! ```
//!
//! What counts as **breaking**: anything removed; a retyped field; a field made optional or
//! required (its Rust type changes between `T` and `Option<T>`); a new required field or
//! parameter (constructors change); required fields reordered (constructor arguments change); a
//! type changing kind; a response no longer returned by a command; a command or type losing its
//! string syntax. New items, new optional fields, new enum values and union members (enums and
//! unions are `#[non_exhaustive]` with an unknown catch-all), changed syntax lines, documented
//! errors, categories and wire tags are not.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::ir::{
    Api, DocFile, EventGroup, Field, NetworkUsage, Syntax, TypeDef, TypeExpr, TypeKind, Variant,
};
use crate::model::{CommandItem, ItemSpace};

/// Every change between two versions of the API, by section, each sorted by item name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApiDiff {
    /// Commands of `COMMANDS.md`: added, removed, parameters, syntax, errors, category.
    pub commands: Vec<Change>,
    /// Command responses, by response name: added, removed, fields, which commands return them.
    pub responses: Vec<Change>,
    /// Events of `EVENTS.md`: added, removed, fields, category.
    pub events: Vec<Change>,
    /// Types of `TYPES.md`: added, removed, kind, fields, enum values, union members, syntax.
    pub types: Vec<Change>,
    /// Doc files present in only one of the two versions: their items are not compared (rather
    /// than reported as all added or all removed).
    pub not_compared: Vec<DocFile>,
}

/// One change to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Upstream name of the command, response, event or type.
    pub item: String,
    /// The union member the change is inside, for changes to a member of a union type.
    pub member: Option<String>,
    /// True when code using the generated Rust crate may stop compiling.
    pub breaking: bool,
    /// What changed.
    pub change: ChangeKind,
}

/// What changed. Types are shown in the docs' spelling ([`TypeExpr`]'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// The item is new.
    Added,
    /// The item is gone.
    Removed,
    /// A field (or command parameter) is new.
    FieldAdded {
        /// Wire name.
        field: String,
        /// Its type.
        ty: String,
        /// True when the type is optional (`T?`).
        optional: bool,
    },
    /// A command parameter is new, but the command string does not carry it, so the generated
    /// command has no field for it.
    ParamNotSentAdded {
        /// Wire name.
        field: String,
        /// Its type.
        ty: String,
    },
    /// A field (or command parameter) is gone.
    FieldRemoved {
        /// Wire name.
        field: String,
        /// Its old type.
        ty: String,
    },
    /// A required field became optional (`T` to `T?`).
    FieldMadeOptional {
        /// Wire name.
        field: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// An optional field became required (`T?` to `T`).
    FieldMadeRequired {
        /// Wire name.
        field: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A field's type changed (beyond optionality).
    FieldRetyped {
        /// Wire name.
        field: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// The required fields present in both versions are in a different order.
    RequiredFieldsReordered {
        /// Old order.
        old: Vec<String>,
        /// New order.
        new: Vec<String>,
    },
    /// An enum value is new.
    EnumValueAdded {
        /// The JSON string.
        value: String,
    },
    /// An enum value is gone.
    EnumValueRemoved {
        /// The JSON string.
        value: String,
    },
    /// A union member is new.
    MemberAdded {
        /// Member name.
        member: String,
    },
    /// A union member is gone.
    MemberRemoved {
        /// Member name.
        member: String,
    },
    /// The `"type"` tag on the wire changed (of a response, event or union member).
    TagChanged {
        /// Old tag.
        old: String,
        /// New tag.
        new: String,
    },
    /// The type changed between record, enum and union.
    KindChanged {
        /// Old kind.
        old: String,
        /// New kind.
        new: String,
    },
    /// The item gained a `**Syntax**` section.
    SyntaxAdded {
        /// The new plain line.
        new: String,
    },
    /// The item lost its `**Syntax**` section.
    SyntaxRemoved {
        /// The old plain line.
        old: String,
    },
    /// The plain syntax line changed.
    SyntaxChanged {
        /// Old plain line.
        old: String,
        /// New plain line.
        new: String,
    },
    /// A documented error of a command is new.
    ErrorAdded {
        /// Error name.
        error: String,
    },
    /// A documented error of a command is gone.
    ErrorRemoved {
        /// Error name.
        error: String,
    },
    /// A command that exists in both versions now returns this response.
    ReturnedBy {
        /// The command.
        command: String,
    },
    /// A command that exists in both versions no longer returns this response.
    NoLongerReturnedBy {
        /// The command.
        command: String,
    },
    /// The item moved to another `## Category`.
    CategoryChanged {
        /// Old category.
        old: String,
        /// New category.
        new: String,
    },
    /// The event moved between main and other events.
    EventGroupChanged {
        /// Old group (`main`, `other` or `none`).
        old: String,
        /// New group.
        new: String,
    },
    /// The command's documented network usage changed.
    NetworkUsageChanged {
        /// Old usage.
        old: String,
        /// New usage.
        new: String,
    },
}

/// Compares two versions of the API by upstream names.
pub fn diff(old: &Api, new: &Api) -> ApiDiff {
    let compared = |file| old.has_file(file) && new.has_file(file);
    let mut d = ApiDiff::default();
    if compared(DocFile::Commands) {
        d.commands = commands(old, new);
        d.responses = responses(old, new);
    }
    if compared(DocFile::Events) {
        d.events = events(old, new);
    }
    if compared(DocFile::Types) {
        d.types = types(old, new);
    }
    d.not_compared = DocFile::API
        .into_iter()
        .filter(|&f| old.has_file(f) != new.has_file(f))
        .collect();
    for section in [
        &mut d.commands,
        &mut d.responses,
        &mut d.events,
        &mut d.types,
    ] {
        // Stable: within an item, item-level changes stay first, then members by name.
        section.sort_by(|a, b| {
            (&a.item, a.member.is_some(), &a.member).cmp(&(&b.item, b.member.is_some(), &b.member))
        });
    }
    d
}

impl ApiDiff {
    /// True when no change was found (descriptions are not compared, nor files present in only
    /// one version: see [`ApiDiff::not_compared`]).
    pub fn is_empty(&self) -> bool {
        self.sections().iter().all(|(_, s)| s.is_empty())
    }

    /// Every change, section by section.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.commands
            .iter()
            .chain(&self.responses)
            .chain(&self.events)
            .chain(&self.types)
    }

    /// Number of breaking changes.
    pub fn breaking_count(&self) -> usize {
        self.changes().filter(|c| c.breaking).count()
    }

    /// Number of changes that are not breaking.
    pub fn other_count(&self) -> usize {
        self.changes().filter(|c| !c.breaking).count()
    }

    fn sections(&self) -> [(Section, &Vec<Change>); 4] {
        [
            (Section::Commands, &self.commands),
            (Section::Responses, &self.responses),
            (Section::Events, &self.events),
            (Section::Types, &self.types),
        ]
    }

    /// The Markdown report: a title, a summary line with counts, then one section per kind of
    /// item, one bullet per change, breaking ones marked **breaking**.
    pub fn to_markdown(&self) -> String {
        let mut s = String::from("# Bot API changes\n\n");
        for file in &self.not_compared {
            let _ = writeln!(
                s,
                "{} is in only one of the two versions: its items are not compared.\n",
                Code(file.file_name())
            );
        }
        if self.is_empty() {
            s.push_str("No API changes.\n");
            return s;
        }
        let (b, o) = (self.breaking_count(), self.other_count());
        let _ = writeln!(
            s,
            "**{} breaking {}, {} other {}**\n",
            b,
            plural(b, "change", "changes"),
            o,
            plural(o, "change", "changes")
        );
        s.push_str(
            "Breaking: code using the generated Rust crate may stop compiling \
             (something removed or retyped, a constructor's arguments changed).\n",
        );
        for (section, changes) in self.sections() {
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n## {}\n", section.title());
            for c in changes {
                let _ = writeln!(s, "- {}", Line(section, c));
            }
        }
        s
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Commands,
    Responses,
    Events,
    Types,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Section::Commands => "Commands",
            Section::Responses => "Responses",
            Section::Events => "Events",
            Section::Types => "Types",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Section::Commands => "command",
            Section::Responses => "response",
            Section::Events => "event",
            Section::Types => "type",
        }
    }

    fn field_noun(self, member: bool) -> (&'static str, &'static str) {
        if self == Section::Commands && !member {
            ("parameter", "parameters")
        } else {
            ("field", "fields")
        }
    }
}

/// A code span that survives backticks inside `s`.
struct Code<'a>(&'a str);

impl fmt::Display for Code<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut longest = 0;
        let mut run = 0;
        for c in s.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest + 1);
        let pad = if s.starts_with('`') || s.ends_with('`') || (longest > 0 && s.starts_with(' ')) {
            " "
        } else {
            ""
        };
        write!(f, "{fence}{pad}{s}{pad}{fence}")
    }
}

/// A quoted JSON string value in a code span: `"value"`.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Code(&format!("\"{}\"", self.0)).fmt(f)
    }
}

/// Names in code spans, comma-separated.
struct Names<'a>(&'a [String]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            Code(n).fmt(f)?;
        }
        Ok(())
    }
}

/// One bullet of the report (without the leading `- `).
struct Line<'a>(Section, &'a Change);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Line(section, c) = *self;
        if c.breaking {
            f.write_str("**breaking** ")?;
        }
        Code(&c.item).fmt(f)?;
        if let Some(m) = &c.member {
            write!(f, ", member {}", Code(m))?;
        }
        f.write_str(": ")?;
        let (field, fields) = section.field_noun(c.member.is_some());
        match &c.change {
            ChangeKind::Added => write!(f, "new {}", section.noun()),
            ChangeKind::Removed => write!(f, "{} removed", section.noun()),
            ChangeKind::FieldAdded {
                field: name,
                ty,
                optional,
            } => write!(
                f,
                "{} {field} {} added",
                if *optional { "optional" } else { "required" },
                Code(&format!("{name}: {ty}"))
            ),
            ChangeKind::ParamNotSentAdded { field: name, ty } => write!(
                f,
                "{field} {} added; the command string does not carry it",
                Code(&format!("{name}: {ty}"))
            ),
            ChangeKind::FieldRemoved { field: name, ty } => {
                write!(f, "{field} {} removed (was {})", Code(name), Code(ty))
            }
            ChangeKind::FieldMadeOptional {
                field: name,
                old,
                new,
            } => write!(
                f,
                "{field} {} made optional: {} → {}",
                Code(name),
                Code(old),
                Code(new)
            ),
            ChangeKind::FieldMadeRequired {
                field: name,
                old,
                new,
            } => write!(
                f,
                "{field} {} made required: {} → {}",
                Code(name),
                Code(old),
                Code(new)
            ),
            ChangeKind::FieldRetyped {
                field: name,
                old,
                new,
            } => write!(
                f,
                "{field} {} retyped: {} → {}",
                Code(name),
                Code(old),
                Code(new)
            ),
            ChangeKind::RequiredFieldsReordered { old, new } => write!(
                f,
                "required {fields} reordered: {} → {}",
                Names(old),
                Names(new)
            ),
            ChangeKind::EnumValueAdded { value } => {
                write!(f, "enum value {} added", Quoted(value))
            }
            ChangeKind::EnumValueRemoved { value } => {
                write!(f, "enum value {} removed", Quoted(value))
            }
            ChangeKind::MemberAdded { member } => {
                write!(f, "union member {} added", Code(member))
            }
            ChangeKind::MemberRemoved { member } => {
                write!(f, "union member {} removed", Code(member))
            }
            ChangeKind::TagChanged { old, new } => {
                write!(f, "wire tag changed: {} → {}", Quoted(old), Quoted(new))
            }
            ChangeKind::KindChanged { old, new } => write!(f, "changed from {old} to {new}"),
            ChangeKind::SyntaxAdded { new } => write!(f, "syntax added: {}", Code(new)),
            ChangeKind::SyntaxRemoved { old } => write!(f, "syntax removed (was {})", Code(old)),
            ChangeKind::SyntaxChanged { old, new } => {
                write!(f, "syntax changed: {} → {}", Code(old), Code(new))
            }
            ChangeKind::ErrorAdded { error } => {
                write!(f, "documented error {} added", Code(error))
            }
            ChangeKind::ErrorRemoved { error } => {
                write!(f, "documented error {} removed", Code(error))
            }
            ChangeKind::ReturnedBy { command } => write!(f, "now returned by {}", Code(command)),
            ChangeKind::NoLongerReturnedBy { command } => {
                write!(f, "no longer returned by {}", Code(command))
            }
            ChangeKind::CategoryChanged { old, new } => {
                write!(f, "moved from category “{old}” to “{new}”")
            }
            ChangeKind::EventGroupChanged { old, new } => {
                write!(f, "moved from {old} events to {new} events")
            }
            ChangeKind::NetworkUsageChanged { old, new } => {
                write!(f, "network usage changed: {old} → {new}")
            }
        }
    }
}

/// Collects changes of one section.
struct Out {
    changes: Vec<Change>,
}

impl Out {
    fn new() -> Self {
        Out {
            changes: Vec::new(),
        }
    }

    fn push(&mut self, item: &str, member: Option<&str>, breaking: bool, change: ChangeKind) {
        self.changes.push(Change {
            item: item.to_owned(),
            member: member.map(str::to_owned),
            breaking,
            change,
        });
    }
}

/// The first item of each name, by name.
fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> BTreeMap<&str, &T> {
    let mut map = BTreeMap::new();
    for item in items {
        map.entry(name(item)).or_insert(item);
    }
    map
}

/// Calls `f` on every name of either map, in name order, with the item of each side.
fn pair_up<'a, T>(
    old: &BTreeMap<&'a str, &'a T>,
    new: &BTreeMap<&'a str, &'a T>,
    mut f: impl FnMut(&'a str, Option<&'a T>, Option<&'a T>),
) {
    let names: BTreeSet<&str> = old.keys().chain(new.keys()).copied().collect();
    for name in names {
        f(name, old.get(name).copied(), new.get(name).copied());
    }
}

fn commands(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Out::new();
    // What the generated struct has: its fields and constructor (the emitter's own decisions).
    let (old_space, new_space) = (ItemSpace::new(old), ItemSpace::new(new));
    let (o, n) = (
        by_name(&old.commands, |c| &c.name),
        by_name(&new.commands, |c| &c.name),
    );
    pair_up(&o, &n, |name, oc, nc| match (oc, nc) {
        (Some(_), None) => out.push(name, None, true, ChangeKind::Removed),
        (None, Some(_)) => out.push(name, None, false, ChangeKind::Added),
        (Some(oc), Some(nc)) => {
            if oc.category != nc.category {
                out.push(
                    name,
                    None,
                    false,
                    ChangeKind::CategoryChanged {
                        old: oc.category.clone(),
                        new: nc.category.clone(),
                    },
                );
            }
            if let (Some(a), Some(b)) = (oc.network_usage, nc.network_usage) {
                if a != b {
                    out.push(
                        name,
                        None,
                        false,
                        ChangeKind::NetworkUsageChanged {
                            old: usage(a).into(),
                            new: usage(b).into(),
                        },
                    );
                }
            }
            syntax_change(&mut out, name, oc.syntax.as_ref(), nc.syntax.as_ref());
            params(
                &mut out,
                name,
                (old_space.command(name), &oc.params),
                (new_space.command(name), &nc.params),
            );
            let oe: BTreeSet<&str> = oc.errors.iter().map(|e| e.name.as_str()).collect();
            let ne: BTreeSet<&str> = nc.errors.iter().map(|e| e.name.as_str()).collect();
            for e in oe.difference(&ne) {
                let error = (*e).to_owned();
                out.push(name, None, false, ChangeKind::ErrorRemoved { error });
            }
            for e in ne.difference(&oe) {
                let error = (*e).to_owned();
                out.push(name, None, false, ChangeKind::ErrorAdded { error });
            }
        }
        (None, None) => {}
    });
    out.changes
}

fn usage(u: NetworkUsage) -> &'static str {
    match u {
        NetworkUsage::No => "no",
        NetworkUsage::Interactive => "interactive",
        NetworkUsage::Background => "background",
    }
}

/// Responses by name (first definition) and the commands returning each.
fn response_index(api: &Api) -> BTreeMap<&str, (&Variant, BTreeSet<&str>)> {
    let mut map: BTreeMap<&str, (&Variant, BTreeSet<&str>)> = BTreeMap::new();
    for c in &api.commands {
        for r in &c.responses {
            map.entry(r.name.as_str())
                .or_insert_with(|| (r, BTreeSet::new()))
                .1
                .insert(c.name.as_str());
        }
    }
    map
}

fn responses(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Out::new();
    let (o, n) = (response_index(old), response_index(new));
    let old_cmds: BTreeSet<&str> = old.commands.iter().map(|c| c.name.as_str()).collect();
    let new_cmds: BTreeSet<&str> = new.commands.iter().map(|c| c.name.as_str()).collect();
    let both: BTreeSet<&str> = old_cmds.intersection(&new_cmds).copied().collect();
    let empty = BTreeSet::new();
    let names: BTreeSet<&str> = o.keys().chain(n.keys()).copied().collect();
    for name in names {
        let (or, nr) = (o.get(name), n.get(name));
        match (or, nr) {
            (Some(_), None) => out.push(name, None, true, ChangeKind::Removed),
            (None, Some(_)) => out.push(name, None, false, ChangeKind::Added),
            (Some((ov, _)), Some((nv, _))) => {
                tag(&mut out, name, None, &ov.tag, &nv.tag);
                fields(&mut out, name, None, &ov.fields, &nv.fields);
            }
            (None, None) => {}
        }
        let oc = or.map_or(&empty, |(_, c)| c);
        let nc = nr.map_or(&empty, |(_, c)| c);
        for c in oc.difference(nc).filter(|c| both.contains(*c)) {
            let command = (*c).to_owned();
            out.push(name, None, true, ChangeKind::NoLongerReturnedBy { command });
        }
        for c in nc.difference(oc).filter(|c| both.contains(*c)) {
            let command = (*c).to_owned();
            out.push(name, None, false, ChangeKind::ReturnedBy { command });
        }
    }
    out.changes
}

fn events(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Out::new();
    let (o, n) = (
        by_name(&old.events, |e| &e.name),
        by_name(&new.events, |e| &e.name),
    );
    pair_up(&o, &n, |name, oe, ne| match (oe, ne) {
        (Some(_), None) => out.push(name, None, true, ChangeKind::Removed),
        (None, Some(_)) => out.push(name, None, false, ChangeKind::Added),
        (Some(oe), Some(ne)) => {
            if oe.category != ne.category {
                out.push(
                    name,
                    None,
                    false,
                    ChangeKind::CategoryChanged {
                        old: oe.category.clone(),
                        new: ne.category.clone(),
                    },
                );
            }
            if oe.group != ne.group {
                out.push(
                    name,
                    None,
                    false,
                    ChangeKind::EventGroupChanged {
                        old: group(oe.group).into(),
                        new: group(ne.group).into(),
                    },
                );
            }
            tag(&mut out, name, None, &oe.tag, &ne.tag);
            fields(&mut out, name, None, &oe.fields, &ne.fields);
        }
        (None, None) => {}
    });
    out.changes
}

fn group(g: Option<EventGroup>) -> &'static str {
    match g {
        Some(EventGroup::Main) => "main",
        Some(EventGroup::Other) => "other",
        None => "ungrouped",
    }
}

fn types(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Out::new();
    let (o, n) = (
        by_name(&old.types, |t| &t.name),
        by_name(&new.types, |t| &t.name),
    );
    pair_up(&o, &n, |name, ot, nt| match (ot, nt) {
        (Some(_), None) => out.push(name, None, true, ChangeKind::Removed),
        (None, Some(_)) => out.push(name, None, false, ChangeKind::Added),
        (Some(ot), Some(nt)) => type_def(&mut out, ot, nt),
        (None, None) => {}
    });
    out.changes
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Record { .. } => "record",
        TypeKind::Enum { .. } => "enum",
        TypeKind::Union { .. } => "union",
        TypeKind::Opaque => "opaque",
    }
}

fn type_def(out: &mut Out, ot: &TypeDef, nt: &TypeDef) {
    let name = ot.name.as_str();
    syntax_change(out, name, ot.syntax.as_ref(), nt.syntax.as_ref());
    match (&ot.kind, &nt.kind) {
        (TypeKind::Record { fields: a }, TypeKind::Record { fields: b }) => {
            fields(out, name, None, a, b);
        }
        (TypeKind::Enum { values: a }, TypeKind::Enum { values: b }) => {
            let a: BTreeSet<&str> = a.iter().map(|v| v.value.as_str()).collect();
            let b: BTreeSet<&str> = b.iter().map(|v| v.value.as_str()).collect();
            for v in a.union(&b) {
                let value = (*v).to_owned();
                match (a.contains(v), b.contains(v)) {
                    (true, false) => {
                        out.push(name, None, true, ChangeKind::EnumValueRemoved { value })
                    }
                    (false, true) => {
                        out.push(name, None, false, ChangeKind::EnumValueAdded { value })
                    }
                    _ => {}
                }
            }
        }
        (TypeKind::Union { members: a }, TypeKind::Union { members: b }) => {
            let (a, b) = (by_name(a, |m| &m.name), by_name(b, |m| &m.name));
            pair_up(&a, &b, |member, om, nm| match (om, nm) {
                (Some(_), None) => out.push(
                    name,
                    None,
                    true,
                    ChangeKind::MemberRemoved {
                        member: member.to_owned(),
                    },
                ),
                (None, Some(_)) => out.push(
                    name,
                    None,
                    false,
                    ChangeKind::MemberAdded {
                        member: member.to_owned(),
                    },
                ),
                (Some(om), Some(nm)) => {
                    tag(out, name, Some(member), &om.tag, &nm.tag);
                    fields(out, name, Some(member), &om.fields, &nm.fields);
                }
                (None, None) => {}
            });
        }
        (a, b) => out.push(
            name,
            None,
            true,
            ChangeKind::KindChanged {
                old: kind_name(a).into(),
                new: kind_name(b).into(),
            },
        ),
    }
}

fn tag(out: &mut Out, item: &str, member: Option<&str>, old: &str, new: &str) {
    if old != new {
        out.push(
            item,
            member,
            false,
            ChangeKind::TagChanged {
                old: old.to_owned(),
                new: new.to_owned(),
            },
        );
    }
}

/// Losing a syntax is breaking: the command can no longer be sent as a string, or the type loses
/// its string form.
fn syntax_change(out: &mut Out, item: &str, old: Option<&Syntax>, new: Option<&Syntax>) {
    match (old, new) {
        (Some(o), None) => out.push(
            item,
            None,
            true,
            ChangeKind::SyntaxRemoved {
                old: o.plain.clone(),
            },
        ),
        (None, Some(n)) => out.push(
            item,
            None,
            false,
            ChangeKind::SyntaxAdded {
                new: n.plain.clone(),
            },
        ),
        (Some(o), Some(n)) if o.plain != n.plain => out.push(
            item,
            None,
            false,
            ChangeKind::SyntaxChanged {
                old: o.plain.clone(),
                new: n.plain.clone(),
            },
        ),
        _ => {}
    }
}

/// Compares two field lists by wire name. Every change is breaking except a new optional field.
fn fields(out: &mut Out, item: &str, member: Option<&str>, old: &[Field], new: &[Field]) {
    let (o, n) = (by_name(old, |f| &f.name), by_name(new, |f| &f.name));
    pair_up(&o, &n, |field, of, nf| {
        let field = field.to_owned();
        match (of, nf) {
            (Some(of), None) => out.push(
                item,
                member,
                true,
                ChangeKind::FieldRemoved {
                    field,
                    ty: of.ty.to_string(),
                },
            ),
            (None, Some(nf)) => {
                let optional = nf.ty.is_optional();
                let ty = nf.ty.to_string();
                out.push(
                    item,
                    member,
                    !optional,
                    ChangeKind::FieldAdded {
                        field,
                        ty,
                        optional,
                    },
                );
            }
            (Some(of), Some(nf)) => {
                if let Some(change) = retype(field, &of.ty, &nf.ty) {
                    out.push(item, member, true, change);
                }
            }
            (None, None) => {}
        }
    });
    // Constructors take the required fields in document order.
    let required_in_both = |fs: &[Field], other: &BTreeMap<&str, &Field>| -> Vec<String> {
        fs.iter()
            .filter(|f| !f.ty.is_optional())
            .filter(|f| {
                other
                    .get(f.name.as_str())
                    .is_some_and(|g| !g.ty.is_optional())
            })
            .map(|f| f.name.clone())
            .collect()
    };
    let (a, b) = (required_in_both(old, &n), required_in_both(new, &o));
    if a != b {
        out.push(
            item,
            member,
            true,
            ChangeKind::RequiredFieldsReordered { old: a, new: b },
        );
    }
}

/// Compares a command's parameters as the generated struct sees them: a parameter the command
/// string never carries is not a field (adding or removing it breaks nothing), and only
/// constructor parameters are required of a caller (a new defaulted flag breaks nothing).
fn params(
    out: &mut Out,
    item: &str,
    (old_item, old): (Option<&CommandItem>, &[Field]),
    (new_item, new): (Option<&CommandItem>, &[Field]),
) {
    let is_field =
        |c: Option<&CommandItem>, p: &str| c.is_some_and(|c| c.fields.iter().any(|f| f.wire == p));
    let in_ctor =
        |c: Option<&CommandItem>, p: &str| c.is_some_and(|c| c.ctor_params().contains(&p));
    let (o, n) = (by_name(old, |f| &f.name), by_name(new, |f| &f.name));
    pair_up(&o, &n, |param, of, nf| {
        let field = param.to_owned();
        match (of, nf) {
            (Some(of), None) => out.push(
                item,
                None,
                is_field(old_item, param),
                ChangeKind::FieldRemoved {
                    field,
                    ty: of.ty.to_string(),
                },
            ),
            (None, Some(nf)) if !is_field(new_item, param) => out.push(
                item,
                None,
                false,
                ChangeKind::ParamNotSentAdded {
                    field,
                    ty: nf.ty.to_string(),
                },
            ),
            (None, Some(nf)) => out.push(
                item,
                None,
                in_ctor(new_item, param),
                ChangeKind::FieldAdded {
                    field,
                    ty: nf.ty.to_string(),
                    optional: !in_ctor(new_item, param),
                },
            ),
            (Some(of), Some(nf)) => {
                if let Some(change) = retype(field, &of.ty, &nf.ty) {
                    let breaking = is_field(old_item, param) || is_field(new_item, param);
                    out.push(item, None, breaking, change);
                }
            }
            (None, None) => {}
        }
    });
    let ctor = |c: Option<&CommandItem>, other: Option<&CommandItem>| -> Vec<String> {
        c.map(|c| c.ctor_params())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| in_ctor(other, p))
            .map(str::to_owned)
            .collect()
    };
    let (a, b) = (ctor(old_item, new_item), ctor(new_item, old_item));
    if a != b {
        out.push(
            item,
            None,
            true,
            ChangeKind::RequiredFieldsReordered { old: a, new: b },
        );
    }
}

fn retype(field: String, old: &TypeExpr, new: &TypeExpr) -> Option<ChangeKind> {
    if old == new {
        return None;
    }
    let (o, n) = (old.to_string(), new.to_string());
    Some(if old.strip_optional() != new.strip_optional() {
        ChangeKind::FieldRetyped {
            field,
            old: o,
            new: n,
        }
    } else if new.is_optional() {
        ChangeKind::FieldMadeOptional {
            field,
            old: o,
            new: n,
        }
    } else {
        ChangeKind::FieldMadeRequired {
            field,
            old: o,
            new: n,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(Code("a").to_string(), "`a`");
        assert_eq!(Code("a`b").to_string(), "``a`b``");
        assert_eq!(Code("`a").to_string(), "`` `a ``");
        assert_eq!(Quoted("x").to_string(), "`\"x\"`");
    }

    #[test]
    fn optionality_and_type_changes_are_told_apart() {
        let p = |s: &str| crate::read::typeexpr::parse(s).map_err(|e| e.message);
        let (int, opt_int, s) = (p("int64"), p("int64?"), p("string?"));
        let (Ok(int), Ok(opt_int), Ok(s)) = (int, opt_int, s) else {
            panic!("type expressions must parse");
        };
        assert!(matches!(
            retype("a".into(), &int, &opt_int),
            Some(ChangeKind::FieldMadeOptional { .. })
        ));
        assert!(matches!(
            retype("a".into(), &opt_int, &int),
            Some(ChangeKind::FieldMadeRequired { .. })
        ));
        assert!(matches!(
            retype("a".into(), &int, &s),
            Some(ChangeKind::FieldRetyped { .. })
        ));
        assert_eq!(retype("a".into(), &s, &s), None);
    }
}
