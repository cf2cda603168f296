//! The `types` module: a `wire_record!`, `wire_enum!` or `wire_union!` per TYPES.md type, the
//! member structs of each union in a submodule, constructors and setters for the types a bot
//! builds, and the `Syntax` impls.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::table::{lit, Block};
use super::{doc, format, rustdoc_safe, tokens, Piece};
use crate::diag::Diagnostics;
use crate::ir::{TypeDef, TypeKind};
use crate::model::{record_ctor, FieldItem, ItemSpace, Module, Shape, Unrendered};

/// A struct's macro invocation.
pub struct StructTable<'a> {
    /// `wire_record` or `command`.
    pub macro_name: &'a str,
    /// Rust name.
    pub name: &'a str,
    /// `"type"` tag, for members, responses and events.
    pub tag: Option<&'a str>,
    /// Doc text (rustdoc-safe).
    pub doc: &'a str,
    /// Derive `Eq` and `Hash`.
    pub eq: bool,
    /// Fields.
    pub fields: &'a [FieldItem],
    /// Kind of each field (`req`, `opt`, `default_false`, `default_true`).
    pub kinds: Vec<&'static str>,
    /// Where it is emitted.
    pub module: Module,
    /// Parameters the command string has no place for (commands).
    pub ignored: &'a [Unrendered],
    /// The field a `pair` wire shape moves beside the object (Rust name).
    pub pair: Option<&'a str>,
}

/// The kind of a record field.
pub fn kind(f: &FieldItem) -> &'static str {
    if f.optional() {
        "opt"
    } else {
        "req"
    }
}

/// Lays out a `wire_record!` or `command!` invocation.
pub fn struct_table(space: &ItemSpace<'_>, t: &StructTable<'_>) -> String {
    let mut b = Block::new();
    b.open(&format!("{}!", t.macro_name));
    b.doc(t.doc);
    if t.eq {
        b.line("#[derive(Eq, Hash)]");
    }
    match t.tag {
        Some(tag) => b.open(&format!("pub struct {} [{}]", t.name, lit(tag))),
        None => b.open(&format!("pub struct {}", t.name)),
    }
    for (f, kind) in t.fields.iter().zip(&t.kinds) {
        if let Some(text) = &f.doc {
            b.doc(&rustdoc_safe(text));
        }
        b.line(&format!(
            "{kind} {}: {} = {},",
            f.ident,
            space.field_ty(f, t.module),
            lit(&f.wire)
        ));
    }
    b.close("");
    if !t.ignored.is_empty() {
        let names: Vec<String> = t
            .ignored
            .iter()
            .map(|u| {
                if u.false_default {
                    format!("{} = false", lit(&u.wire))
                } else {
                    lit(&u.wire)
                }
            })
            .collect();
        b.line(&format!("ignored [{}]", names.join(", ")));
    }
    if let Some(field) = t.pair {
        b.line(&format!("pair {field}"));
    }
    b.close("");
    b.finish()
}

/// `new(required...)` and `with_x(..)` setters for a struct a bot builds.
pub fn builder(
    space: &ItemSpace<'_>,
    name: &str,
    fields: &[FieldItem],
    ctor: &[usize],
    initial: TokenStream,
    module: Module,
    ctor_doc: &str,
) -> TokenStream {
    let name = format_ident!("{}", name);
    let boxed = |f: &FieldItem, v: TokenStream| {
        if f.boxed {
            let b = tokens(&space.std("Box"));
            quote!(#b::new(#v))
        } else {
            v
        }
    };
    let some = tokens(&space.std("Some"));
    let params = ctor.iter().map(|&i| {
        let f = &fields[i];
        let ident = tokens(&f.ident);
        let ty = tokens(&space.ty(f.ty.strip_optional(), module));
        quote!(#ident: #ty)
    });
    let inits = ctor.iter().map(|&i| {
        let f = &fields[i];
        let ident = tokens(&f.ident);
        if !f.boxed && !f.optional() {
            return quote!(#ident,);
        }
        let v = boxed(f, quote!(#ident));
        let v = if f.optional() { quote!(#some(#v)) } else { v };
        quote!(#ident: #v,)
    });
    let setters = fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !ctor.contains(i))
        .map(|(_, f)| {
            let ident = tokens(&f.ident);
            let setter = format_ident!("{}", f.setter);
            let ty = tokens(&space.ty(f.ty.strip_optional(), module));
            let v = boxed(f, quote!(value));
            let v = if f.optional() { quote!(#some(#v)) } else { v };
            let d = doc(&format!("Sets `{}`.", f.wire));
            quote! {
                #d
                #[must_use]
                pub fn #setter(mut self, value: #ty) -> Self {
                    self.#ident = #v;
                    self
                }
            }
        });
    let ctor_doc = doc(ctor_doc);
    quote! {
        impl #name {
            #ctor_doc
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* ..#initial }
            }
            #(#setters)*
        }
    }
}

/// The `types` module.
pub fn types_module(space: &ItemSpace<'_>, diags: &mut Diagnostics) -> Vec<Piece> {
    let mut items = Vec::new();
    let mut arms = Vec::new();
    for (i, t) in space.api.types.iter().enumerate() {
        items.extend(type_items(space, i, t, diags));
        if t.syntax.is_some() {
            let (wire, ident) = (&t.name, format_ident!("{}", space.types[i].rust));
            arms.push(quote!(#wire => __private::syntax_from_json::<#ident>(value),));
        }
    }
    let (result, string, err) = (
        tokens(&space.std("Result")),
        tokens(&space.std("String")),
        tokens(&space.std("Err")),
    );
    items.push(Piece::Module(quote! {
        /// Renders a value of the type named `name` (upstream name, e.g. `ChatRef`) in its
        /// command syntax, from its JSON.
        pub fn syntax_string_from_json(name: &str, value: __private::Value) -> #result<#string, ::simplex_api_types::runtime::FromJsonError> {
            match name {
                #(#arms)*
                other => #err(::simplex_api_types::runtime::FromJsonError::UnknownName(other.to_owned())),
            }
        }
    }));
    items
}

fn description(text: &str, tail: &str) -> String {
    let mut d = rustdoc_safe(text);
    if !d.is_empty() {
        d.push_str("\n\n");
    }
    d.push_str(tail);
    d
}

const RECORD_CTOR_DOC: &str =
    "Creates a value from its required fields; optional ones start as `None`, maps empty.";

fn type_items(
    space: &ItemSpace<'_>,
    index: usize,
    t: &TypeDef,
    diags: &mut Diagnostics,
) -> Vec<Piece> {
    let info = &space.types[index];
    let mut items = Vec::new();
    match (&t.kind, &info.shape) {
        (TypeKind::Record { .. }, _) => {
            let fields = space.record_fields(t);
            let mut doc = description(&t.description, &format!("Record `{}` of TYPES.md.", t.name));
            let shape = space.api.wire_shape(&t.name);
            let pair = shape.and_then(|w| fields.iter().find(|f| f.wire == w.field));
            if let (Some(w), Some(_)) = (shape, pair) {
                doc.push_str(&rustdoc_safe(&format!(
                    "\n\nAlso accepted as the pair `[object without \"{}\", its value]`, which \
                     then encodes back as a pair. {}",
                    w.field, w.reason
                )));
            }
            items.push(Piece::Text(struct_table(
                space,
                &StructTable {
                    macro_name: "wire_record",
                    name: &info.rust,
                    tag: None,
                    doc: &doc,
                    eq: info.eq,
                    kinds: fields.iter().map(kind).collect(),
                    fields: &fields,
                    module: Module::Types,
                    ignored: &[],
                    pair: pair.map(|f| f.ident.as_str()),
                },
            )));
            if info.builder {
                let default = tokens(&format!("{}::default()", space.std("Default")));
                items.push(Piece::Item(
                    builder(
                        space,
                        &info.rust,
                        &fields,
                        &record_ctor(&fields),
                        default,
                        Module::Types,
                        RECORD_CTOR_DOC,
                    ),
                    t.loc,
                ));
            }
        }
        (TypeKind::Opaque, _) => {
            let mut b = Block::new();
            b.open("wire_opaque!");
            b.doc(&description(
                &t.description,
                &format!(
                    "Type `{}` of TYPES.md, documented without a kind: any JSON, kept as it is.",
                    t.name
                ),
            ));
            b.line(&format!("pub struct {};", info.rust));
            b.close("");
            items.push(Piece::Text(b.finish()));
        }
        (TypeKind::Enum { values }, Shape::Enum { variants }) => {
            let mut b = Block::new();
            b.open("wire_enum!");
            b.doc(&description(
                &t.description,
                &format!(
                    "Enum `{}` of TYPES.md: its JSON strings, and `Undocumented` for any other value.",
                    t.name
                ),
            ));
            b.open(&format!("pub enum {}", info.rust));
            for (v, variant) in values.iter().zip(variants) {
                b.line(&format!("{} {variant},", lit(&v.value)));
            }
            b.close("");
            b.close("");
            items.push(Piece::Text(b.finish()));
        }
        (
            TypeKind::Union { members },
            Shape::Union {
                module,
                members: names,
            },
        ) => {
            let module_ident = module;
            let mut b = Block::new();
            b.open("wire_union!");
            b.doc(&description(
                &t.description,
                &format!(
                    "Discriminated union `{}` of TYPES.md, tagged by `\"type\"`; `Undocumented` keeps \
                     any other member as received.",
                    t.name
                ),
            ));
            if info.eq {
                b.line("#[derive(Eq, Hash)]");
            }
            b.open(&format!("pub enum {}", info.rust));
            for (m, name) in members.iter().zip(names) {
                b.doc(&rustdoc_safe(&m.description));
                if name.unit {
                    b.line(&format!("{} {},", lit(&m.tag), name.variant));
                } else {
                    b.line(&format!(
                        "{} {}({module_ident}::{}),",
                        lit(&m.tag),
                        name.variant,
                        name.variant
                    ));
                }
            }
            b.close("");
            b.close("");
            items.push(Piece::Text(b.finish()));
            if names.iter().any(|n| !n.unit) {
                let mut sub = Block::new();
                sub.doc(&format!(
                    "The members of [`{}`] that have fields, one struct each.",
                    info.rust
                ));
                sub.open(&format!("pub mod {module_ident}"));
                sub.line("use super::*;");
                for (m, name) in members.iter().zip(names).filter(|(_, n)| !n.unit) {
                    let fields = space.member_fields(t, m);
                    let doc = description(
                        &m.description,
                        &format!(
                            "Member `{}` of [`{}`](super::{}), tag `\"{}\"`.",
                            m.name, info.rust, info.rust, m.tag
                        ),
                    );
                    sub.line("");
                    sub.text(&struct_table(
                        space,
                        &StructTable {
                            macro_name: "wire_record",
                            name: &name.variant,
                            tag: Some(&m.tag),
                            doc: &doc,
                            eq: space.fields_eq(&m.fields),
                            kinds: fields.iter().map(kind).collect(),
                            fields: &fields,
                            module: Module::Members(index),
                            ignored: &[],
                            pair: None,
                        },
                    ));
                    if info.builder {
                        let default = tokens(&format!("{}::default()", space.std("Default")));
                        let ts = builder(
                            space,
                            &name.variant,
                            &fields,
                            &record_ctor(&fields),
                            default,
                            Module::Members(index),
                            RECORD_CTOR_DOC,
                        );
                        sub.line("");
                        sub.text(&super::format_tokens(&ts));
                    }
                }
                sub.close("");
                items.push(Piece::Text(sub.finish()));
            }
        }
        _ => {}
    }
    if info.error {
        let enum_marker = if matches!(t.kind, TypeKind::Enum { .. }) {
            "enum "
        } else {
            ""
        };
        items.push(Piece::Text(format!(
            "error_type!({enum_marker}{});\n",
            info.rust
        )));
    }
    if let (Some(s), Some(plan)) = (&t.syntax, &info.syntax) {
        match plan
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|plan| format::type_syntax(space, t, plan))
        {
            Ok(ts) => items.push(Piece::Item(ts, s.loc)),
            Err(message) => diags.error(s.loc, message),
        }
    }
    items
}
