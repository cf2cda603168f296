//! The model phase: every Rust name, module and representation decision, made once after the
//! checks, in the item space. The emitters and the diff report only look things up here.
//!
//! Decisions and their rules:
//! * **Modules.** TYPES.md types go to `types`; the members of a discriminated union with
//!   fields become structs in a submodule named after the union (`types::chat_info::Direct`),
//!   members without fields become unit variants. Commands and their response enums go to
//!   `commands`, responses to `responses`, events to `events`.
//! * **One struct per shape.** An event whose tag and fields are those of a response is that
//!   response's struct (`events::NewChatItems` is `responses::NewChatItems`). A response or
//!   event struct keeps its own name even when a type of the same name exists (they are
//!   different JSON objects: `responses::UserContactLink` is the response carrying a
//!   `types::UserContactLink`).
//! * **Catch-alls** are `Undocumented` everywhere (a documented member may be named `Unknown`
//!   or `Other`, as `MsgContent::Unknown` is); a documented name that would take `Undocumented`
//!   gets a number.
//! * **Paths** are written short (`Option<Profile>`, `Vec<i64>`) and qualified only where an
//!   upstream name collides: a std name that some generated item also takes is written in full
//!   everywhere (`::std::option::Option`), a type shadowed by a local item is `types::Name` or
//!   `super::Name`.
//! * **Boxing**: fields whose type can contain their owner, and fields holding a record larger
//!   than [`BOX_ABOVE`] bytes, are boxed, so that no struct is large (a decoder frame holds one).
//! * **Traits**: `Eq` and `Hash` wherever no `double` is reachable.
//! * **Builders**: types reachable from command parameters get `new(required...)` and `with_x`
//!   setters (named after the field without `r#` or a leading `_`); every struct has `Default`.
//! * **`use` lines** ([`uses`]): from what each module holds, not from its printed text.
//! * **Formatters** ([`plan`]): each command's and type's syntax tree as its formatter writes
//!   it, every value with how it is written and the place it is checked at; [`misread`] works
//!   out where the core could read a value as an optional part instead, and refuses what it
//!   could misread whatever the value. A tree that cannot be written keeps its error here.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Api, Command, Expr, Field, FieldOwner, Prim, TypeDef, TypeExpr, TypeKind, Variant,
};

pub mod misread;
pub mod naming;
pub mod plan;
pub mod uses;

use naming::Scope;

/// Records estimated larger than this many bytes are boxed where they are fields.
pub const BOX_ABOVE: usize = 160;

/// The catch-all variant of every generated enum.
pub const CATCH_ALL: &str = "Undocumented";

/// The module an item is emitted into, which decides how it writes type paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    /// `types`.
    Types,
    /// The member submodule of the union with this index in `api.types`.
    Members(usize),
    /// `commands`.
    Commands,
    /// `responses`.
    Responses,
    /// `events`.
    Events,
}

/// Rust facts about one TYPES.md type.
#[derive(Debug, Clone)]
pub struct TypeItem {
    /// The Rust name.
    pub rust: String,
    /// Record, enum or union, with variant names.
    pub shape: Shape,
    /// `Eq` and `Hash` can be derived.
    pub eq: bool,
    /// Reachable from command parameters: gets a constructor and setters.
    pub builder: bool,
    /// One of the error types of the docs (named `...Error` or `...ErrorType`): gets `Display`
    /// (naming the innermost error) and `std::error::Error`.
    pub error: bool,
    /// The plan of its `Syntax` impl, for a type with a syntax; the error where the formatter
    /// cannot be generated.
    pub syntax: Option<Result<plan::TypePlan, String>>,
}

/// The Rust shape of a type.
#[derive(Debug, Clone)]
pub enum Shape {
    /// A struct.
    Record,
    /// An enum of strings: variant names by value index.
    Enum {
        /// Variant names.
        variants: Vec<String>,
    },
    /// Any JSON (a section without a kind in an older dialect).
    Opaque,
    /// A tagged enum: its member submodule and the members by index.
    Union {
        /// Submodule of the member structs, as paths write it (`r#type` for a keyword).
        module: String,
        /// Members.
        members: Vec<MemberItem>,
    },
}

/// One member of a union.
#[derive(Debug, Clone)]
pub struct MemberItem {
    /// The variant name, also the struct name inside the union's submodule.
    pub variant: String,
    /// No fields: a unit variant, no struct.
    pub unit: bool,
}

/// A field of a generated struct.
#[derive(Debug, Clone)]
pub struct FieldItem {
    /// Wire name.
    pub wire: String,
    /// Rust identifier text (`r#type` for keywords, `self_` where raw is impossible).
    pub ident: String,
    /// Its setter (`with_type` for `r#type`), for the structs that get setters.
    pub setter: String,
    /// Its type.
    pub ty: TypeExpr,
    /// Boxed (to break recursion or keep structs small).
    pub boxed: bool,
    /// What it means (from the overrides), for its rustdoc.
    pub doc: Option<String>,
}

impl FieldItem {
    /// True for `T?` fields.
    pub fn optional(&self) -> bool {
        self.ty.is_optional()
    }
}

/// A response or event struct.
#[derive(Debug, Clone)]
pub struct TaggedItem {
    /// The upstream item.
    pub variant: Variant,
    /// Struct name, also its variant in `ChatResponse` / `ChatEvent`.
    pub rust: String,
    /// For an event with the shape of a response: that response's struct name.
    pub shared: Option<String>,
    /// A response that reports an error (its tag ends in `error`, as `chatCmdError`): never
    /// the success `into_result()` gives.
    pub error: bool,
}

/// A documented parameter that a command string has no place for: not a field; decoding
/// accepts it only at its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrendered {
    /// Wire name.
    pub wire: String,
    /// It is a `bool`, so `false` is its default (besides null).
    pub false_default: bool,
}

/// A command.
#[derive(Debug, Clone)]
pub struct CommandItem {
    /// Struct name.
    pub rust: String,
    /// Name of its response enum.
    pub response: String,
    /// The `ChatResponse` variants it is documented to get.
    pub responses: Vec<String>,
    /// Parameters the command string carries (the struct's fields).
    pub fields: Vec<FieldItem>,
    /// Documented parameters the command string never carries.
    pub ignored: Vec<Unrendered>,
    /// Constructor parameters (indices into `fields`).
    pub ctor: Vec<usize>,
    /// Flags with a default, by wire name.
    pub defaults: BTreeMap<String, bool>,
    /// `Eq` and `Hash` can be derived.
    pub eq: bool,
    /// The plan of its command-string formatter, for a command with a syntax; the error where
    /// the formatter cannot be generated.
    pub formatter: Option<Result<Vec<plan::Step>, String>>,
}

impl CommandItem {
    /// The constructor's parameters, by wire name.
    pub fn ctor_params(&self) -> Vec<&str> {
        self.ctor
            .iter()
            .map(|&i| self.fields[i].wire.as_str())
            .collect()
    }
}

/// Std names generated code uses; any of them an upstream item also takes is written in full.
const STD_NAMES: &[(&str, &str)] = &[
    ("Option", "::std::option::Option"),
    ("Some", "::std::option::Option::Some"),
    ("None", "::std::option::Option::None"),
    ("Result", "::std::result::Result"),
    ("Ok", "::std::result::Result::Ok"),
    ("Err", "::std::result::Result::Err"),
    ("String", "::std::string::String"),
    ("Vec", "::std::vec::Vec"),
    ("Box", "::std::boxed::Box"),
    ("Default", "::std::default::Default"),
    ("BTreeMap", "::std::collections::BTreeMap"),
    ("JsonObject", "::simplex_api_types::runtime::JsonObject"),
    ("UtcTime", "::simplex_api_types::runtime::UtcTime"),
    ("CommandError", "::simplex_api_types::runtime::CommandError"),
    ("Command", "::simplex_api_types::runtime::Command"),
    ("Syntax", "::simplex_api_types::runtime::Syntax"),
    ("ParseCommand", "::simplex_api_types::runtime::ParseCommand"),
];

/// Every naming and representation decision.
pub struct ItemSpace<'a> {
    /// The IR.
    pub api: &'a Api,
    /// Types, in `api.types` order.
    pub types: Vec<TypeItem>,
    by_name: BTreeMap<&'a str, usize>,
    boxed: BTreeSet<(String, String)>,
    /// Distinct responses (by tag), in first-use order.
    pub responses: Vec<TaggedItem>,
    /// Events, in doc order.
    pub events: Vec<TaggedItem>,
    /// Commands, in doc order.
    pub commands: Vec<CommandItem>,
    /// Names defined in each of `commands`, `responses`, `events`.
    local: BTreeMap<&'static str, BTreeSet<String>>,
    /// Std names some generated item takes.
    colliding: BTreeSet<&'static str>,
}

impl<'a> ItemSpace<'a> {
    /// Decides every name for `api`.
    pub fn new(api: &'a Api) -> ItemSpace<'a> {
        let mut space = ItemSpace {
            api,
            types: Vec::new(),
            by_name: BTreeMap::new(),
            boxed: BTreeSet::new(),
            responses: Vec::new(),
            events: Vec::new(),
            commands: Vec::new(),
            local: BTreeMap::new(),
            colliding: BTreeSet::new(),
        };
        space.name_types();
        space.find_boxed();
        space.find_eq();
        space.find_builders();
        space.name_responses_and_events();
        space.name_commands();
        space.find_collisions();
        space.plan_formatters();
        space
    }

    fn name_types(&mut self) {
        let mut scope = Scope::with_reserved(&["types", "commands", "responses", "events"]);
        let mut modules = Scope::default();
        for (i, t) in self.api.types.iter().enumerate() {
            self.by_name.insert(&t.name, i);
            let rust = scope.unique(naming::type_name(&t.name));
            let mut variants = Scope::with_reserved(&[CATCH_ALL]);
            let shape = match &t.kind {
                TypeKind::Record { .. } => Shape::Record,
                TypeKind::Opaque => Shape::Opaque,
                TypeKind::Enum { values } => Shape::Enum {
                    variants: values
                        .iter()
                        .map(|v| variants.unique(naming::type_name(&v.value)))
                        .collect(),
                },
                TypeKind::Union { members } => Shape::Union {
                    module: naming::ident_text(
                        &modules.unique(naming::field_name(&rust).trim_matches('_').to_owned()),
                    ),
                    members: members
                        .iter()
                        .map(|m| MemberItem {
                            variant: variants.unique(naming::type_name(&m.name)),
                            unit: m.fields.is_empty(),
                        })
                        .collect(),
                },
            };
            self.types.push(TypeItem {
                rust,
                shape,
                eq: true,
                builder: false,
                error: t.name.ends_with("Error") || t.name.ends_with("ErrorType"),
                syntax: None,
            });
        }
    }

    /// The index of type `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Rust facts for type `name`.
    pub fn info(&self, name: &str) -> Option<&TypeItem> {
        self.index(name).map(|i| &self.types[i])
    }

    /// The definition of type `name`.
    pub fn def(&self, name: &str) -> Option<&'a TypeDef> {
        self.index(name).map(|i| &self.api.types[i])
    }

    /// The Rust name of type `name` (its name in Rust case when TYPES.md lacks it).
    pub fn rust_name(&self, name: &str) -> String {
        self.info(name)
            .map_or_else(|| naming::type_name(name), |i| i.rust.clone())
    }

    /// The type definition a field type refers to (through `?`).
    pub fn type_def(&self, ty: &TypeExpr) -> Option<&'a TypeDef> {
        match ty.strip_optional() {
            TypeExpr::Ref { name } => self.def(name),
            _ => None,
        }
    }

    fn find_boxed(&mut self) {
        // Recursion: a field whose type can reach its owner without an array or map between.
        let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (f, owner) in self.api.fields() {
            if let (Some(ty), TypeExpr::Ref { name }) = (owner_type(&owner), f.ty.strip_optional())
            {
                edges.entry(ty).or_default().insert(name.as_str());
            }
        }
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n) {
                    if let Some(next) = edges.get(n) {
                        stack.extend(next.iter().copied());
                    }
                }
            }
            false
        };
        for (f, owner) in self.api.fields() {
            if let (Some(ty), TypeExpr::Ref { name }) = (owner_type(&owner), f.ty.strip_optional())
            {
                if reaches(name, ty) {
                    self.boxed.insert((owner_key(&owner), f.name.clone()));
                }
            }
        }
        // Size: large records are boxed where they are fields.
        let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
        for t in &self.api.types {
            self.record_size(&t.name, &mut sizes, &mut BTreeSet::new());
        }
        let large: BTreeSet<&String> = sizes
            .iter()
            .filter(|(_, size)| **size > BOX_ABOVE)
            .map(|(name, _)| name)
            .collect();
        let mut more = Vec::new();
        for (f, owner) in self.api.fields() {
            if let TypeExpr::Ref { name } = f.ty.strip_optional() {
                if large.contains(name) {
                    more.push((owner_key(&owner), f.name.clone()));
                }
            }
        }
        self.boxed.extend(more);
    }

    /// Estimated size in bytes of a value of `ty` held inline.
    fn inline_size(
        &self,
        owner: &str,
        f: &Field,
        sizes: &mut BTreeMap<String, usize>,
        visiting: &mut BTreeSet<String>,
    ) -> usize {
        if self.boxed.contains(&(owner.to_owned(), f.name.clone())) {
            return 8;
        }
        let inner = f.ty.strip_optional();
        let size = match inner {
            TypeExpr::Prim { prim } => match prim {
                Prim::Bool => 1,
                Prim::Word32 => 4,
                Prim::Int | Prim::Int64 | Prim::Double => 8,
                Prim::String | Prim::UtcTime | Prim::JsonObject => 24,
            },
            TypeExpr::Array { .. } | TypeExpr::Map { .. } => 24,
            TypeExpr::Optional { .. } => 24,
            TypeExpr::Ref { name } => match self.def(name).map(|d| &d.kind) {
                Some(TypeKind::Record { .. }) => {
                    let s = self.record_size(name, sizes, visiting);
                    if s > BOX_ABOVE {
                        8
                    } else {
                        s
                    }
                }
                _ => 32,
            },
        };
        if f.ty.is_optional() && !matches!(inner, TypeExpr::Prim { prim: Prim::String }) {
            size + 8
        } else {
            size
        }
    }

    fn record_size(
        &self,
        name: &str,
        sizes: &mut BTreeMap<String, usize>,
        visiting: &mut BTreeSet<String>,
    ) -> usize {
        if let Some(s) = sizes.get(name) {
            return *s;
        }
        let Some(t) = self.def(name) else { return 32 };
        let TypeKind::Record { fields } = &t.kind else {
            return 32;
        };
        if !visiting.insert(name.to_owned()) {
            return 8;
        }
        let mut size = 24 + 8;
        for f in fields {
            size += self.inline_size(name, f, sizes, visiting);
        }
        visiting.remove(name);
        sizes.insert(name.to_owned(), size);
        size
    }

    fn find_eq(&mut self) {
        // A type is Eq unless a double is reachable from it: fixpoint from "all Eq".
        let mut eq = vec![true; self.api.types.len()];
        loop {
            let mut changed = false;
            for (i, t) in self.api.types.iter().enumerate() {
                let ok = t
                    .fields()
                    .all(|(f, _)| no_double(&f.ty, &|name| self.index(name).is_none_or(|j| eq[j])));
                if eq[i] && !ok {
                    eq[i] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (item, e) in self.types.iter_mut().zip(eq) {
            item.eq = e;
        }
    }

    /// True when no `double` is reachable from `fields`.
    pub fn fields_eq(&self, fields: &[Field]) -> bool {
        fields
            .iter()
            .all(|f| no_double(&f.ty, &|name| self.info(name).is_none_or(|i| i.eq)))
    }

    fn find_builders(&mut self) {
        let mut stack: Vec<&str> = Vec::new();
        for c in &self.api.commands {
            for p in &c.params {
                p.ty.for_each_ref(&mut |r| stack.push(r));
            }
        }
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Some(t) = self.def(n) {
                for (f, _) in t.fields() {
                    f.ty.for_each_ref(&mut |r| stack.push(r));
                }
            }
        }
        for n in seen {
            if let Some(i) = self.index(n) {
                self.types[i].builder = true;
            }
        }
    }

    fn name_responses_and_events(&mut self) {
        let mut scope = Scope::with_reserved(&["ChatResponse", CATCH_ALL]);
        let mut by_tag: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.api.commands {
            for r in &c.responses {
                if by_tag.contains_key(r.tag.as_str()) {
                    continue;
                }
                by_tag.insert(&r.tag, self.responses.len());
                self.responses.push(TaggedItem {
                    variant: r.clone(),
                    rust: scope.unique(naming::type_name(&r.name)),
                    shared: None,
                    error: r.tag.to_ascii_lowercase().ends_with("error"),
                });
            }
        }
        let mut scope = Scope::with_reserved(&["ChatEvent", CATCH_ALL]);
        for e in &self.api.events {
            let variant = Variant {
                name: e.name.clone(),
                description: e.description.clone(),
                tag: e.tag.clone(),
                fields: e.fields.clone(),
                loc: e.loc,
            };
            let shared = by_tag
                .get(e.tag.as_str())
                .map(|&i| &self.responses[i])
                .filter(|r| {
                    // Same wire names and types in the same order (not the same doc lines).
                    let shape = |fs: &[Field]| -> Vec<(String, TypeExpr)> {
                        fs.iter().map(|f| (f.name.clone(), f.ty.clone())).collect()
                    };
                    shape(&r.variant.fields) == shape(&e.fields)
                })
                .map(|r| r.rust.clone());
            self.events.push(TaggedItem {
                error: e.tag.to_ascii_lowercase().ends_with("error"),
                variant,
                rust: scope.unique(naming::type_name(&e.name)),
                shared,
            });
        }
        let locals = |items: &[TaggedItem], extra: &str| -> BTreeSet<String> {
            items
                .iter()
                .map(|t| t.rust.clone())
                .chain([extra.to_owned()])
                .collect()
        };
        let responses = locals(&self.responses, "ChatResponse");
        let events = locals(&self.events, "ChatEvent");
        self.local.insert("responses", responses);
        self.local.insert("events", events);
    }

    /// The command named `name` (upstream name).
    pub fn command(&self, name: &str) -> Option<&CommandItem> {
        self.api
            .commands
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| self.commands.get(i))
    }

    /// The response struct for `tag`.
    pub fn response(&self, tag: &str) -> Option<&TaggedItem> {
        self.responses.iter().find(|r| r.variant.tag == tag)
    }

    fn name_commands(&mut self) {
        let mut scope = Scope::default();
        let mut locals = BTreeSet::new();
        for c in &self.api.commands {
            let rust = scope.unique(naming::type_name(&c.name));
            let response = scope.unique(naming::type_name(&format!("{}Response", c.name)));
            locals.insert(rust.clone());
            locals.insert(response.clone());
            let rendered = rendered_params(c);
            let params: Vec<Field> = c
                .params
                .iter()
                .filter(|p| rendered.contains(&p.name))
                .cloned()
                .collect();
            let ignored = c
                .params
                .iter()
                .filter(|p| !rendered.contains(&p.name))
                .map(|p| Unrendered {
                    wire: p.name.clone(),
                    false_default: p.ty == TypeExpr::prim(Prim::Bool),
                })
                .collect();
            let key = owner_key(&FieldOwner::Param { command: &c.name });
            let fields = self.fields(&key, &params);
            let defaults = bool_defaults(c);
            let bare = bare_optionals(c);
            let ctor = fields
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    !defaults.contains_key(&f.wire)
                        && ((!f.optional() && !matches!(f.ty, TypeExpr::Map { .. }))
                            || bare.contains(&f.wire))
                })
                .map(|(i, _)| i)
                .collect();
            let mut responses = Vec::new();
            for r in &c.responses {
                if let Some(item) = self.response(&r.tag) {
                    if !responses.contains(&item.rust) {
                        responses.push(item.rust.clone());
                    }
                }
            }
            let eq = self.fields_eq(&params);
            self.commands.push(CommandItem {
                rust,
                response,
                responses,
                fields,
                ignored,
                ctor,
                defaults,
                eq,
                formatter: None,
            });
        }
        self.local.insert("commands", locals);
    }

    /// Plans the formatter of every command and type with a syntax.
    fn plan_formatters(&mut self) {
        let commands: Vec<_> = self
            .api
            .commands
            .iter()
            .zip(&self.commands)
            .map(|(c, item)| {
                let s = c.syntax.as_ref().filter(|s| !s.expr.is_empty())?;
                Some(plan::command(self, &c.name, s, &item.fields))
            })
            .collect();
        let types: Vec<_> = self
            .api
            .types
            .iter()
            .map(|t| Some(plan::type_syntax(self, t, t.syntax.as_ref()?)))
            .collect();
        for (item, p) in self.commands.iter_mut().zip(commands) {
            item.formatter = p;
        }
        for (item, p) in self.types.iter_mut().zip(types) {
            item.syntax = p;
        }
    }

    fn find_collisions(&mut self) {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        // Member structs shadow only inside their union's submodule, which uses fewer names.
        let mut member_names: BTreeSet<&str> = BTreeSet::new();
        for t in &self.types {
            names.insert(&t.rust);
            if let Shape::Union { members, .. } = &t.shape {
                member_names.extend(
                    members
                        .iter()
                        .filter(|m| !m.unit)
                        .map(|m| m.variant.as_str()),
                );
            }
        }
        for set in self.local.values() {
            names.extend(set.iter().map(String::as_str));
        }
        const IN_MEMBERS: &[&str] = &[
            "Option",
            "Some",
            "None",
            "String",
            "Vec",
            "Box",
            "Default",
            "BTreeMap",
            "JsonObject",
            "UtcTime",
        ];
        self.colliding = STD_NAMES
            .iter()
            .map(|(short, _)| *short)
            .filter(|s| names.contains(s) || (IN_MEMBERS.contains(s) && member_names.contains(s)))
            .collect();
    }

    /// A std (or runtime) name as generated code writes it: short unless an upstream item
    /// takes it.
    pub fn std(&self, short: &str) -> String {
        if self.colliding.contains(short) {
            STD_NAMES
                .iter()
                .find(|(s, _)| *s == short)
                .map_or_else(|| short.to_owned(), |(_, full)| (*full).to_owned())
        } else {
            short.to_owned()
        }
    }

    /// The std names that stay short, for the module's `use` lines.
    pub fn short_names(&self, of: &[&'static str]) -> Vec<&'static str> {
        of.iter()
            .copied()
            .filter(|s| !self.colliding.contains(s))
            .collect()
    }

    /// Field items for a struct whose fields have the boxing key `owner` (see [`owner_key`]).
    fn fields(&self, owner: &str, fields: &[Field]) -> Vec<FieldItem> {
        let mut scope = Scope::with_reserved(&["extra_fields", "__meta"]);
        fields
            .iter()
            .map(|f| {
                let ident = naming::ident_text(&scope.unique(naming::field_name(&f.name)));
                FieldItem {
                    wire: f.name.clone(),
                    setter: format!(
                        "with_{}",
                        ident.trim_start_matches("r#").trim_start_matches('_')
                    ),
                    ident,
                    ty: f.ty.clone(),
                    boxed: self.boxed.contains(&(owner.to_owned(), f.name.clone())),
                    doc: f.doc.clone(),
                }
            })
            .collect()
    }

    /// Fields of record `t` (none for the other kinds).
    pub fn record_fields(&self, t: &TypeDef) -> Vec<FieldItem> {
        match &t.kind {
            TypeKind::Record { fields } => {
                self.fields(&owner_key(&FieldOwner::Record { ty: &t.name }), fields)
            }
            TypeKind::Enum { .. } | TypeKind::Union { .. } | TypeKind::Opaque => Vec::new(),
        }
    }

    /// Fields of the struct of a response (in `Module::Responses`) or an event.
    pub fn tagged_fields(&self, t: &TaggedItem, module: Module) -> Vec<FieldItem> {
        let key = if module == Module::Responses {
            response_key(&t.variant.tag)
        } else {
            event_key(&t.variant.tag)
        };
        self.fields(&key, &t.variant.fields)
    }

    /// Fields of the member `m` of union `t`.
    pub fn member_fields(&self, t: &TypeDef, m: &Variant) -> Vec<FieldItem> {
        let owner = FieldOwner::Member {
            member: &m.name,
            tag: &m.tag,
            ty: &t.name,
        };
        self.fields(&owner_key(&owner), &m.fields)
    }

    /// How a type reference is written in `module`.
    pub fn type_path(&self, name: &str, module: Module) -> String {
        let rust = self.rust_name(name);
        match module {
            Module::Types => rust,
            Module::Members(u) => {
                let shadowed = matches!(&self.types[u].shape, Shape::Union { members, .. }
                    if members.iter().any(|m| !m.unit && m.variant == rust));
                if shadowed {
                    format!("super::{rust}")
                } else {
                    rust
                }
            }
            Module::Commands | Module::Responses | Module::Events => {
                let key = match module {
                    Module::Commands => "commands",
                    Module::Responses => "responses",
                    _ => "events",
                };
                if self.local.get(key).is_some_and(|l| l.contains(&rust)) {
                    format!("types::{rust}")
                } else {
                    rust
                }
            }
        }
    }

    /// The Rust type of `ty` in `module`, as text.
    pub fn ty(&self, ty: &TypeExpr, module: Module) -> String {
        match ty {
            TypeExpr::Prim { prim } => match prim {
                Prim::Bool => "bool".to_owned(),
                Prim::String => self.std("String"),
                Prim::Int | Prim::Int64 => "i64".to_owned(),
                Prim::Word32 => "u32".to_owned(),
                Prim::Double => "f64".to_owned(),
                Prim::JsonObject => self.std("JsonObject"),
                Prim::UtcTime => self.std("UtcTime"),
            },
            TypeExpr::Ref { name } => self.type_path(name, module),
            TypeExpr::Array { item } => format!("{}<{}>", self.std("Vec"), self.ty(item, module)),
            TypeExpr::Map { value, .. } => format!(
                "{}<{}, {}>",
                self.std("BTreeMap"),
                self.std("String"),
                self.ty(value, module)
            ),
            TypeExpr::Optional { inner } => {
                format!("{}<{}>", self.std("Option"), self.ty(inner, module))
            }
        }
    }

    /// The type of a field's present value as the macros take it: unwrapped from `Option`,
    /// boxed when the field is.
    pub fn field_ty(&self, f: &FieldItem, module: Module) -> String {
        let present = self.ty(f.ty.strip_optional(), module);
        if f.boxed {
            format!("{}<{present}>", self.std("Box"))
        } else {
            present
        }
    }
}

/// The constructor parameters of a record or member struct (indices into `fields`): its
/// required fields, except maps (they start empty).
pub fn record_ctor(fields: &[FieldItem]) -> Vec<usize> {
    (0..fields.len())
        .filter(|&i| !fields[i].optional() && !matches!(fields[i].ty, TypeExpr::Map { .. }))
        .collect()
}

/// True when `ty` holds no `double`, given whether each referenced type is free of one.
fn no_double(ty: &TypeExpr, ref_ok: &dyn Fn(&str) -> bool) -> bool {
    match ty {
        TypeExpr::Prim { prim } => *prim != Prim::Double,
        TypeExpr::Ref { name } => ref_ok(name),
        TypeExpr::Optional { inner } => no_double(inner, ref_ok),
        TypeExpr::Array { item } => no_double(item, ref_ok),
        TypeExpr::Map { value, .. } => no_double(value, ref_ok),
    }
}

/// The key of a struct's fields in the boxing decisions: the type for a record, `Type.tag` for a
/// union member, `command Name`, `response tag`, `event tag`.
fn owner_key(owner: &FieldOwner<'_>) -> String {
    match owner {
        FieldOwner::Record { ty } => (*ty).to_owned(),
        FieldOwner::Member { ty, tag, .. } => format!("{ty}.{tag}"),
        FieldOwner::Param { command } => format!("command {command}"),
        FieldOwner::Response { tag, .. } => response_key(tag),
        FieldOwner::Event { tag, .. } => event_key(tag),
    }
}

/// The boxing key of the fields of the response tagged `tag` (one struct per tag).
fn response_key(tag: &str) -> String {
    format!("response {tag}")
}

/// The boxing key of the fields of the event tagged `tag`.
fn event_key(tag: &str) -> String {
    format!("event {tag}")
}

/// The TYPES.md type a field belongs to (a record's or a union member's), if any.
fn owner_type<'a>(owner: &FieldOwner<'a>) -> Option<&'a str> {
    match owner {
        FieldOwner::Record { ty } | FieldOwner::Member { ty, .. } => Some(ty),
        FieldOwner::Param { .. } | FieldOwner::Response { .. } | FieldOwner::Event { .. } => None,
    }
}

/// Parameters the syntax renders (all of them when there is no syntax).
pub fn rendered_params(c: &Command) -> BTreeSet<String> {
    match &c.syntax {
        Some(s) if !s.expr.is_empty() => {
            let mut used = BTreeSet::new();
            for e in &s.expr {
                e.walk(&mut |n| {
                    if let Some(name) = n.param_name() {
                        used.insert(name.to_owned());
                    }
                });
            }
            used
        }
        _ => c.params.iter().map(|p| p.name.clone()).collect(),
    }
}

/// Defaults of bools rendered with a default (`[ live=on]`), by parameter.
pub fn bool_defaults(c: &Command) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    if let Some(s) = &c.syntax {
        for e in &s.expr {
            e.walk(&mut |n| {
                if let Expr::OnOffParam {
                    name,
                    default: Some(d),
                    ..
                } = n
                {
                    out.insert(name.clone(), *d);
                }
            });
        }
    }
    out
}

/// Optional parameters the syntax renders unconditionally (outside any optional part).
fn bare_optionals(c: &Command) -> BTreeSet<String> {
    fn walk(exprs: &[Expr], out: &mut BTreeSet<String>) {
        for e in exprs {
            match e {
                Expr::Param { name } | Expr::Join { name, .. } => {
                    out.insert(name.clone());
                }
                Expr::Choice {
                    alternatives,
                    otherwise,
                    ..
                } => {
                    alternatives.iter().for_each(|a| walk(&a.expr, out));
                    walk(otherwise, out);
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    if let Some(s) = &c.syntax {
        walk(&s.expr, &mut out);
    }
    out
}
