//! The intermediate representation of the bot API docs.
//!
//! Plain data, `Serialize`, deterministic: items keep the order of the docs, and every item keeps
//! its upstream (wire) name and nothing Rust-specific. Rust names are derived later, in
//! [`crate::model::naming`].

use std::fmt;

use serde::Serialize;

/// One of the three upstream doc files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DocFile {
    /// `COMMANDS.md`: commands, their syntax, responses and errors.
    #[serde(rename = "COMMANDS.md")]
    Commands,
    /// `EVENTS.md`: events the core sends without a request.
    #[serde(rename = "EVENTS.md")]
    Events,
    /// `TYPES.md`: records, enums and discriminated unions.
    #[serde(rename = "TYPES.md")]
    Types,
    /// The overrides file next to the docs.
    #[serde(rename = "overrides.toml")]
    Overrides,
}

impl DocFile {
    /// The three API doc files, in reading order.
    pub const API: [DocFile; 3] = [DocFile::Commands, DocFile::Events, DocFile::Types];

    /// The file name inside the docs directory.
    pub fn file_name(self) -> &'static str {
        match self {
            DocFile::Commands => "COMMANDS.md",
            DocFile::Events => "EVENTS.md",
            DocFile::Types => "TYPES.md",
            DocFile::Overrides => "overrides.toml",
        }
    }
}

impl fmt::Display for DocFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// A position in one of the docs: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Loc {
    /// The file.
    pub file: DocFile,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
}

impl Loc {
    /// A location at `line:col` of `file`.
    pub fn new(file: DocFile, line: u32, col: u32) -> Self {
        Loc { file, line, col }
    }

    /// The same line, `n` characters further right.
    pub fn shifted(self, n: usize) -> Self {
        Loc {
            col: self
                .col
                .saturating_add(u32::try_from(n).unwrap_or(u32::MAX)),
            ..self
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Everything the three docs say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Api {
    /// Commands from `COMMANDS.md`, in document order.
    pub commands: Vec<Command>,
    /// Events from `EVENTS.md`, in document order.
    pub events: Vec<Event>,
    /// Types from `TYPES.md`, in document order (alphabetical upstream).
    pub types: Vec<TypeDef>,
    /// Command categories (`## ...` in `COMMANDS.md`), in document order.
    pub command_categories: Vec<Category>,
    /// Event categories (`## ...` in `EVENTS.md`), in document order.
    pub event_categories: Vec<Category>,
    /// Which of the three files were present.
    pub files: Vec<DocFile>,
    /// Wire shapes the docs do not show that records may also arrive in (from the overrides).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub wire_shapes: Vec<WireShape>,
}

/// Another shape a record may arrive in, as older cores sent it (`[[wire_shape]]` in the
/// overrides): decoded into the documented record and encoded back in the shape it came in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WireShape {
    /// The record (upstream name).
    #[serde(rename = "type")]
    pub ty: String,
    /// The field (wire name) the shape moves.
    pub field: String,
    /// How it is moved.
    pub shape: WireShapeKind,
    /// Why (from the overrides).
    pub reason: String,
}

/// How a [`WireShape`] differs from the documented object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireShapeKind {
    /// The record arrives as the pair `[object without the field, the field's value]`.
    Pair,
}

impl Api {
    /// The type named `name`, if `TYPES.md` defines it.
    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    /// The wire shape the overrides declare for record `ty`, if any.
    pub fn wire_shape(&self, ty: &str) -> Option<&WireShape> {
        self.wire_shapes.iter().find(|w| w.ty == ty)
    }

    /// True when `file` was part of the parsed doc set.
    pub fn has_file(&self, file: DocFile) -> bool {
        self.files.contains(&file)
    }

    /// Every field of every item with what it belongs to: command parameters and response
    /// fields, then event fields, then record and union member fields, each in document order.
    pub fn fields(&self) -> impl Iterator<Item = (&Field, FieldOwner<'_>)> {
        let commands = self.commands.iter().flat_map(|c| {
            let command = c.name.as_str();
            let params = c
                .params
                .iter()
                .map(move |p| (p, FieldOwner::Param { command }));
            let responses = c.responses.iter().flat_map(move |r| {
                let (response, tag) = (r.name.as_str(), r.tag.as_str());
                r.fields.iter().map(move |p| {
                    let owner = FieldOwner::Response {
                        response,
                        tag,
                        command,
                    };
                    (p, owner)
                })
            });
            params.chain(responses)
        });
        let events = self.events.iter().flat_map(|e| {
            let (event, tag) = (e.name.as_str(), e.tag.as_str());
            e.fields
                .iter()
                .map(move |p| (p, FieldOwner::Event { event, tag }))
        });
        let types = self.types.iter().flat_map(TypeDef::fields);
        commands.chain(events).chain(types)
    }

    /// Every field of every item, mutably, in the order of [`Api::fields`].
    pub fn fields_mut(&mut self) -> impl Iterator<Item = &mut Field> {
        let commands = self.commands.iter_mut().flat_map(|c| {
            let responses = c.responses.iter_mut().flat_map(|r| r.fields.iter_mut());
            c.params.iter_mut().chain(responses)
        });
        let events = self.events.iter_mut().flat_map(|e| e.fields.iter_mut());
        let types = self.types.iter_mut().flat_map(|t| {
            let (fields, members) = t.kind.fields_and_members_mut();
            let members = members.iter_mut().flat_map(|m| m.fields.iter_mut());
            fields.iter_mut().chain(members)
        });
        commands.chain(events).chain(types)
    }
}

/// What a field belongs to, as [`Api::fields`] yields it; its `Display` says so in a message
/// (`parameter of command `APISendMessages``).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldOwner<'a> {
    /// A parameter of a command.
    Param {
        /// The command's name.
        command: &'a str,
    },
    /// A field of a response of a command.
    Response {
        /// The response's name.
        response: &'a str,
        /// The response's `"type"` tag.
        tag: &'a str,
        /// The command's name.
        command: &'a str,
    },
    /// A field of an event.
    Event {
        /// The event's name.
        event: &'a str,
        /// The event's `"type"` tag.
        tag: &'a str,
    },
    /// A field of a record type.
    Record {
        /// The type's name.
        ty: &'a str,
    },
    /// A field of a member of a discriminated union.
    Member {
        /// The member's name.
        member: &'a str,
        /// The member's `"type"` tag.
        tag: &'a str,
        /// The union's name.
        ty: &'a str,
    },
}

impl fmt::Display for FieldOwner<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldOwner::Param { command } => write!(f, "parameter of command `{command}`"),
            FieldOwner::Response {
                response, command, ..
            } => {
                write!(f, "field of response `{response}` of command `{command}`")
            }
            FieldOwner::Event { event, .. } => write!(f, "field of event `{event}`"),
            FieldOwner::Record { ty } => write!(f, "field of type `{ty}`"),
            FieldOwner::Member { member, ty, .. } => {
                write!(f, "field of member `{member}` of type `{ty}`")
            }
        }
    }
}

/// A `## Category` section with its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Heading text, e.g. `Message commands`.
    pub name: String,
    /// Markdown between the heading and the first item (may be empty).
    pub description: String,
    /// Where the heading is.
    pub loc: Loc,
}

/// How much network a command uses (`*Network usage*: ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkUsage {
    /// No network traffic.
    No,
    /// Waits for the network.
    Interactive,
    /// Network traffic happens in the background.
    Background,
}

/// One command of `COMMANDS.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Command {
    /// Upstream name, e.g. `APISendMessages`.
    pub name: String,
    /// Name of the category it is listed under.
    pub category: String,
    /// Markdown description.
    pub description: String,
    /// The `*Network usage*` line, absent in older dialects.
    pub network_usage: Option<NetworkUsage>,
    /// `**Parameters**`, in document order.
    pub params: Vec<Field>,
    /// `**Syntax**`, absent for commands without a string form.
    pub syntax: Option<Syntax>,
    /// `**Response(s)**`.
    pub responses: Vec<Variant>,
    /// `**Errors**`.
    pub errors: Vec<ErrorDoc>,
    /// Where the heading is.
    pub loc: Loc,
}

/// A documented error of a command (`**Errors**`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDoc {
    /// Error name, e.g. `InvalidChatItemUpdate`.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Where the list item is.
    pub loc: Loc,
}

/// Main or other event (from the `EVENTS.md` table of contents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventGroup {
    /// Listed under "Main event(s)".
    Main,
    /// Listed under "Other event(s)".
    Other,
}

/// One event of `EVENTS.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Upstream name, e.g. `NewChatItems`.
    pub name: String,
    /// Name of the category it is listed under.
    pub category: String,
    /// Main or other, when the table of contents groups the category.
    pub group: Option<EventGroup>,
    /// Markdown description.
    pub description: String,
    /// The `"type"` tag on the wire.
    pub tag: String,
    /// Fields besides the tag.
    pub fields: Vec<Field>,
    /// Where the heading is.
    pub loc: Loc,
}

/// A tagged object: a response, or a member of a discriminated union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Upstream name, e.g. `NewChatItems` or `TLSError`.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// The `"type"` tag on the wire.
    pub tag: String,
    /// Fields besides the tag.
    pub fields: Vec<Field>,
    /// Where the member's header is.
    pub loc: Loc,
}

/// A named, typed field (record field, parameter, variant field).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// Wire name, e.g. `chatItemId` or `contactId_`.
    pub name: String,
    /// Its type.
    pub ty: TypeExpr,
    /// What it means, from the overrides' `[[field_doc]]` (upstream's docs describe no field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where the list item is.
    pub loc: Loc,
}

/// One of the primitive types of the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Prim {
    /// `bool`.
    #[serde(rename = "bool")]
    Bool,
    /// `string`.
    #[serde(rename = "string")]
    String,
    /// `int` (a Haskell `Int`, 64 bits).
    #[serde(rename = "int")]
    Int,
    /// `int64`.
    #[serde(rename = "int64")]
    Int64,
    /// `word32`.
    #[serde(rename = "word32")]
    Word32,
    /// `double`.
    #[serde(rename = "double")]
    Double,
    /// `JSONObject`: any JSON object.
    #[serde(rename = "JSONObject")]
    JsonObject,
    /// `UTCTime`: an ISO-8601 timestamp string.
    #[serde(rename = "UTCTime")]
    UtcTime,
}

impl Prim {
    /// The spelling in the newest docs.
    pub fn doc_name(self) -> &'static str {
        match self {
            Prim::Bool => "bool",
            Prim::String => "string",
            Prim::Int => "int",
            Prim::Int64 => "int64",
            Prim::Word32 => "word32",
            Prim::Double => "double",
            Prim::JsonObject => "JSONObject",
            Prim::UtcTime => "UTCTime",
        }
    }

    /// Parses both the newest spelling and the capitalised pre-release one (`Int64`, `Bool`).
    pub fn from_doc_name(s: &str) -> Option<Prim> {
        Some(match s {
            "bool" | "Bool" => Prim::Bool,
            "string" | "String" => Prim::String,
            "int" | "Int" => Prim::Int,
            "int64" | "Int64" => Prim::Int64,
            "word32" | "Word32" => Prim::Word32,
            "double" | "Double" => Prim::Double,
            "JSONObject" => Prim::JsonObject,
            "UTCTime" => Prim::UtcTime,
            _ => return None,
        })
    }

    /// True for the numeric primitives.
    pub fn is_number(self) -> bool {
        matches!(self, Prim::Int | Prim::Int64 | Prim::Word32 | Prim::Double)
    }
}

/// A type expression: `int64`, `[ChatItem]`, `{string : int64}`, `Profile?`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeExpr {
    /// A primitive.
    Prim {
        /// Which one.
        prim: Prim,
    },
    /// A link to a type of `TYPES.md`.
    Ref {
        /// The type's upstream name.
        name: String,
    },
    /// `[T]`.
    Array {
        /// Element type.
        item: Box<TypeExpr>,
    },
    /// `{K : V}`.
    Map {
        /// Key type (always `string` upstream).
        key: Box<TypeExpr>,
        /// Value type.
        value: Box<TypeExpr>,
    },
    /// `T?`: may be absent.
    Optional {
        /// The present type.
        inner: Box<TypeExpr>,
    },
}

impl TypeExpr {
    /// Shorthand for a primitive.
    pub fn prim(prim: Prim) -> Self {
        TypeExpr::Prim { prim }
    }

    /// The type without its outer `?`.
    pub fn strip_optional(&self) -> &TypeExpr {
        match self {
            TypeExpr::Optional { inner } => inner,
            other => other,
        }
    }

    /// True for `T?`.
    pub fn is_optional(&self) -> bool {
        matches!(self, TypeExpr::Optional { .. })
    }

    /// Calls `f` on every type name this expression refers to.
    pub fn for_each_ref<'a>(&'a self, f: &mut impl FnMut(&'a str)) {
        match self {
            TypeExpr::Prim { .. } => {}
            TypeExpr::Ref { name } => f(name),
            TypeExpr::Array { item } => item.for_each_ref(f),
            TypeExpr::Map { key, value } => {
                key.for_each_ref(f);
                value.for_each_ref(f);
            }
            TypeExpr::Optional { inner } => inner.for_each_ref(f),
        }
    }

    /// Mutable access to every type name this expression refers to.
    pub fn for_each_ref_mut(&mut self, f: &mut impl FnMut(&mut String)) {
        match self {
            TypeExpr::Prim { .. } => {}
            TypeExpr::Ref { name } => f(name),
            TypeExpr::Array { item } => item.for_each_ref_mut(f),
            TypeExpr::Map { key, value } => {
                key.for_each_ref_mut(f);
                value.for_each_ref_mut(f);
            }
            TypeExpr::Optional { inner } => inner.for_each_ref_mut(f),
        }
    }
}

impl fmt::Display for TypeExpr {
    /// The newest doc spelling, with links shown as bare names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Prim { prim } => f.write_str(prim.doc_name()),
            TypeExpr::Ref { name } => f.write_str(name),
            TypeExpr::Array { item } => write!(f, "[{item}]"),
            TypeExpr::Map { key, value } => write!(f, "{{{key} : {value}}}"),
            TypeExpr::Optional { inner } => write!(f, "{inner}?"),
        }
    }
}

/// One type of `TYPES.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// Upstream name, e.g. `ChatRef`.
    pub name: String,
    /// Markdown description (may be empty).
    pub description: String,
    /// Record, enum or union.
    pub kind: TypeKind,
    /// The type's own string syntax (`**Syntax**`), used when commands render it with `<str(x)>`.
    pub syntax: Option<Syntax>,
    /// Where the heading is.
    pub loc: Loc,
}

/// The shape of a type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeKind {
    /// `**Record type**`: a JSON object with these fields.
    Record {
        /// Fields in document order.
        fields: Vec<Field>,
    },
    /// `**Enum type**`: one of these JSON strings.
    Enum {
        /// Values in document order.
        values: Vec<EnumValue>,
    },
    /// `**Discriminated union type**`: an object tagged by `"type"`.
    Union {
        /// Members in document order.
        members: Vec<Variant>,
    },
    /// A section without a kind (older dialects: an empty `## ChatError`, a `## UTCTime` with
    /// only a sentence): any JSON, kept as it is.
    Opaque,
}

impl TypeDef {
    /// A record's fields, or the fields of a union's members, with what they belong to (the part
    /// of [`Api::fields`] for this type).
    pub fn fields(&self) -> impl Iterator<Item = (&Field, FieldOwner<'_>)> {
        let ty = self.name.as_str();
        let (fields, members) = self.kind.fields_and_members();
        let members = members.iter().flat_map(move |m| {
            let (member, tag) = (m.name.as_str(), m.tag.as_str());
            m.fields
                .iter()
                .map(move |p| (p, FieldOwner::Member { member, tag, ty }))
        });
        fields
            .iter()
            .map(move |p| (p, FieldOwner::Record { ty }))
            .chain(members)
    }
}

impl TypeKind {
    /// A record's fields and a union's members (both empty for the other kinds).
    fn fields_and_members(&self) -> (&[Field], &[Variant]) {
        match self {
            TypeKind::Record { fields } => (fields, &[]),
            TypeKind::Union { members } => (&[], members),
            TypeKind::Enum { .. } | TypeKind::Opaque => (&[], &[]),
        }
    }

    /// [`TypeKind::fields_and_members`], mutably.
    fn fields_and_members_mut(&mut self) -> (&mut [Field], &mut [Variant]) {
        match self {
            TypeKind::Record { fields } => (fields, &mut []),
            TypeKind::Union { members } => (&mut [], members),
            TypeKind::Enum { .. } | TypeKind::Opaque => (&mut [], &mut []),
        }
    }
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumValue {
    /// The JSON string, exactly as documented.
    pub value: String,
    /// Where the list item is.
    pub loc: Loc,
}

/// Which line the syntax tree was bound from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binding {
    /// Every token is bound by name from the JavaScript line (checked against Python when present).
    Javascript,
    /// Every token is bound by name from the Python line (no JavaScript line).
    Python,
    /// No script line exists (old dialects): anonymous tokens of the plain line were bound to
    /// parameters in parameter order. A heuristic; the tree may be wrong.
    Position,
    /// The syntax is a constant string: nothing to bind.
    Constant,
}

/// A `**Syntax**` section: the raw lines and the parsed tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Syntax {
    /// The plain (human) line.
    pub plain: String,
    /// The JavaScript line without its `// JavaScript` marker.
    pub javascript: Option<String>,
    /// The Python line without its `# Python` marker.
    pub python: Option<String>,
    /// How the tree was bound.
    pub binding: Binding,
    /// The parsed tree (empty only when the section could not be parsed; see the diagnostics).
    pub expr: Vec<Expr>,
    /// Where the plain line is.
    pub loc: Loc,
    /// Parts the core's parser reads although the syntax line does not show them (from the
    /// overrides file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden_parts: Vec<HiddenPart>,
    /// How values the core would misread can be written so that they keep their meaning (from
    /// the overrides file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub safe_forms: Vec<SafeForm>,
}

/// A part of a command that the core's parser reads although the docs' syntax line omits it
/// (`/connect i <link>` is an incognito connect). Values that could be read as it are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HiddenPart {
    /// The core reads it just before the part of the tree that holds this parameter.
    pub before: String,
    /// The texts the core reads there, in the order it tries them (` incognito`, ` i`).
    pub texts: Vec<String>,
    /// How the part is shown in errors, in the plain line's notation (`[ incognito|i]`).
    pub shown: String,
    /// Why the override exists.
    pub reason: String,
}

/// How a value of one parameter can be written so that the core does not misread its start,
/// without changing what it means (a relative path with `./` in front).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafeForm {
    /// The parameter (or field of a type with a syntax).
    pub param: String,
    /// The advice, as the error message shows it.
    pub advice: String,
    /// Why the override exists.
    pub reason: String,
}

/// A node of a syntax tree. Sequences are `Vec<Expr>`, rendered one after another.
///
/// Mirrors upstream's `Expr` (`bots/src/API/Docs/Syntax/Types.hs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expr {
    /// Literal text.
    Literal {
        /// The text, sent verbatim.
        text: String,
    },
    /// A parameter's value: a number, a raw string, an enum's wire string, or the string syntax of
    /// its type when the type has one (`<str(p)>`).
    Param {
        /// Parameter (or field) name; `self` for the value of an enum type itself.
        name: String,
    },
    /// The parameter as compact JSON (`<json(p)>`).
    Json {
        /// Parameter name.
        name: String,
    },
    /// An array parameter joined with a separator (`<p[0]>[,<p[1]>...]`).
    Join {
        /// Parameter name.
        name: String,
        /// The separator.
        sep: String,
    },
    /// A bool rendered `on` or `off`, no leading space.
    OnOff {
        /// Parameter name.
        name: String,
    },
    /// ` key=on|off`: with a default, only the non-default value is sent; without one the
    /// parameter is a `bool?` and is sent when present.
    OnOffParam {
        /// The key before `=`.
        key: String,
        /// Parameter name.
        name: String,
        /// The default value, never sent.
        default: Option<bool>,
    },
    /// `some` when the optional parameter is present (inside, `Param name` is the unwrapped
    /// value), `none` otherwise.
    Optional {
        /// The optional parameter.
        name: String,
        /// Rendered when present.
        some: Vec<Expr>,
        /// Rendered when absent.
        none: Vec<Expr>,
    },
    /// Selects a rendering by an enum value (`self`) or a union tag (`type`).
    Choice {
        /// `self` for an enum, `type` for a union's tag.
        name: String,
        /// `(tag, rendering)` pairs.
        alternatives: Vec<Alternative>,
        /// Rendered for any other value.
        otherwise: Vec<Expr>,
    },
}

/// One alternative of a [`Expr::Choice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    /// The enum value or union tag.
    pub tag: String,
    /// Its rendering.
    pub expr: Vec<Expr>,
}

impl Expr {
    /// A literal node.
    pub fn lit(text: impl Into<String>) -> Expr {
        Expr::Literal { text: text.into() }
    }

    /// The parameter this node reads, if any (not counting children).
    pub fn param_name(&self) -> Option<&str> {
        match self {
            Expr::Literal { .. } => None,
            Expr::Param { name }
            | Expr::Json { name }
            | Expr::Join { name, .. }
            | Expr::OnOff { name }
            | Expr::OnOffParam { name, .. }
            | Expr::Optional { name, .. }
            | Expr::Choice { name, .. } => Some(name),
        }
    }

    /// Calls `f` on this node and every node below it.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Optional { some, none, .. } => {
                some.iter().for_each(|e| e.walk(f));
                none.iter().for_each(|e| e.walk(f));
            }
            Expr::Choice {
                alternatives,
                otherwise,
                ..
            } => {
                for a in alternatives {
                    a.expr.iter().for_each(|e| e.walk(f));
                }
                otherwise.iter().for_each(|e| e.walk(f));
            }
            _ => {}
        }
    }
}

/// Merges adjacent literals and drops empty ones, so trees from different lines compare equal.
pub fn normalize(exprs: Vec<Expr>) -> Vec<Expr> {
    let mut out: Vec<Expr> = Vec::with_capacity(exprs.len());
    for e in exprs {
        let e = match e {
            Expr::Optional { name, some, none } => Expr::Optional {
                name,
                some: normalize(some),
                none: normalize(none),
            },
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => Expr::Choice {
                name,
                alternatives: alternatives
                    .into_iter()
                    .map(|a| Alternative {
                        tag: a.tag,
                        expr: normalize(a.expr),
                    })
                    .collect(),
                otherwise: normalize(otherwise),
            },
            other => other,
        };
        match (out.last_mut(), e) {
            (_, Expr::Literal { text }) if text.is_empty() => {}
            (Some(Expr::Literal { text: prev }), Expr::Literal { text }) => prev.push_str(&text),
            (_, e) => out.push(e),
        }
    }
    out
}
