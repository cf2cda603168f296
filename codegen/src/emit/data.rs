//! Records, enums, discriminated unions and the structs every tagged object becomes.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::model::{FieldSpec, Model, Module, Repr};
use super::{doc, format};
use crate::diag::Diagnostics;
use crate::ir::{TypeDef, TypeKind};

/// How a struct treats what the docs do not describe.
#[derive(Debug, Clone)]
pub enum Mode {
    /// A JSON object from the core: unknown fields are kept, missing required fields default and
    /// are remembered, integers sent as strings are remembered; `tag` is written as `"type"`.
    Wire {
        /// The `"type"` tag, for members, responses and events.
        tag: Option<String>,
    },
    /// A command's parameters: strict. `ignored` are documented parameters the command string
    /// does not carry, accepted and dropped when decoding.
    Command {
        /// Upstream names accepted and ignored.
        ignored: Vec<String>,
    },
}

/// A struct to emit.
pub struct StructDef {
    /// Rust name.
    pub name: Ident,
    /// Upstream name, for messages.
    pub wire_name: String,
    /// Doc attributes.
    pub doc: TokenStream,
    /// Fields.
    pub fields: Vec<FieldSpec>,
    /// Treatment of the undocumented.
    pub mode: Mode,
    /// Where it is emitted.
    pub module: Module,
    /// Constructor parameters (indices into `fields`), and how each other field starts.
    pub ctor: Vec<usize>,
    /// Initial values of fields not in the constructor (`None` means `None`/default).
    pub initial: Vec<(usize, TokenStream)>,
    /// Extra doc lines for the constructor.
    pub ctor_doc: String,
}

impl StructDef {
    /// A wire struct (in the `types` module) whose constructor takes the required fields.
    pub fn wire(
        model: &Model<'_>,
        owner: &str,
        name: Ident,
        wire_name: &str,
        doc: TokenStream,
        fields: &[crate::ir::Field],
        tag: Option<String>,
    ) -> StructDef {
        let fields = model.field_specs(owner, fields);
        let ctor = (0..fields.len())
            .filter(|&i| !fields[i].optional() && !is_map(&fields[i].ty))
            .collect();
        StructDef {
            name,
            wire_name: wire_name.to_owned(),
            doc,
            fields,
            mode: Mode::Wire { tag },
            module: Module::Types,
            ctor,
            initial: Vec::new(),
            ctor_doc: "Creates a value from its required fields; optional ones start as `None`, \
                       maps empty."
                .to_owned(),
        }
    }
}

fn rt() -> TokenStream {
    quote!(::simplex_api_types::runtime)
}

/// Emits a struct with its constructor, setters and serde impls.
pub fn emit_struct(model: &Model<'_>, def: &StructDef) -> Vec<TokenStream> {
    let rt = rt();
    let name = &def.name;
    let wire = matches!(def.mode, Mode::Wire { .. });
    let tag = match &def.mode {
        Mode::Wire { tag } => tag.clone(),
        Mode::Command { .. } => None,
    };
    // Definition.
    let field_defs = def.fields.iter().map(|f| {
        let ident = &f.ident;
        let ty = model.field_ty(f, def.module);
        let d = doc(&format!("`{}`: `{}`", f.wire, f.ty));
        quote!(#d pub #ident: #ty,)
    });
    let runtime_fields = wire.then(|| {
        quote! {
            /// Fields the docs do not list, kept as received so that nothing is lost.
            pub extra_fields: #rt::JsonObject,
            __meta: #rt::Meta,
        }
    });
    let derive_default = wire.then(|| quote!(::std::default::Default,));
    let item_doc = &def.doc;
    let definition = quote! {
        #item_doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #derive_default)]
        #[non_exhaustive]
        pub struct #name {
            #(#field_defs)*
            #runtime_fields
        }
    };

    // Constructor and setters.
    let ctor_params = def.ctor.iter().map(|&i| {
        let f = &def.fields[i];
        let ident = &f.ident;
        let ty = model.present_ty(f, def.module);
        quote!(#ident: #ty)
    });
    let inits = def.fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        if def.ctor.contains(&i) {
            let v = if f.boxed {
                quote!(::std::boxed::Box::new(#ident))
            } else {
                quote!(#ident)
            };
            if f.optional() {
                quote!(#ident: ::std::option::Option::Some(#v),)
            } else if f.boxed {
                quote!(#ident: #v,)
            } else {
                quote!(#ident,)
            }
        } else if let Some((_, init)) = def.initial.iter().find(|(j, _)| *j == i) {
            quote!(#ident: #init,)
        } else {
            quote!(#ident: ::std::default::Default::default(),)
        }
    });
    let runtime_inits = wire.then(|| {
        quote! {
            extra_fields: ::std::default::Default::default(),
            __meta: ::std::default::Default::default(),
        }
    });
    let ctor_doc = doc(&def.ctor_doc);
    let setters = def
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !def.ctor.contains(i))
        .map(|(_, f)| {
            let ident = &f.ident;
            let setter = format_ident!(
                "with_{}",
                f.ident
                    .to_string()
                    .trim_start_matches("r#")
                    .trim_start_matches('_')
            );
            let ty = model.present_ty(f, def.module);
            let v = if f.boxed {
                quote!(::std::boxed::Box::new(value))
            } else {
                quote!(value)
            };
            let v = if f.optional() {
                quote!(::std::option::Option::Some(#v))
            } else {
                v
            };
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
    let absent = wire.then(|| {
        quote! {
            /// Documented fields the core did not send; they hold their type's default value and
            /// are left out again when this value is encoded.
            pub fn absent_fields(&self) -> &[&'static str] {
                self.__meta.absent_fields()
            }
        }
    });
    let constructors = quote! {
        impl #name {
            #ctor_doc
            pub fn new(#(#ctor_params),*) -> Self {
                Self { #(#inits)* #runtime_inits }
            }
            #(#setters)*
            #absent
        }
    };

    vec![
        definition,
        constructors,
        serialize_struct(def, tag.as_deref()),
        deserialize_struct(model, def, tag.is_some()),
    ]
}

fn serialize_struct(def: &StructDef, tag: Option<&str>) -> TokenStream {
    let rt = rt();
    let name = &def.name;
    let wire = matches!(def.mode, Mode::Wire { .. });
    let bare = (wire && tag.is_some()).then(|| {
        quote! {
            if let ::std::option::Option::Some(bare) = self.__meta.bare() {
                return s.serialize_str(bare);
            }
        }
    });
    let tag = tag.map(|t| quote!(#rt::ser_tag(&mut m, #t)?;));
    let entries = def.fields.iter().map(|f| {
        let ident = &f.ident;
        let key = &f.wire;
        let quoted = if wire {
            quote!(self.__meta.is_quoted(#key))
        } else {
            quote!(false)
        };
        let write = |v: TokenStream| match f.repr {
            Repr::Plain => quote!(::serde::ser::SerializeMap::serialize_entry(&mut m, #key, #v)?;),
            Repr::Int => quote!(#rt::ser_int(&mut m, #key, #v, #quoted)?;),
            Repr::IntVec => quote!(#rt::ser_int_vec(&mut m, #key, #v, #quoted)?;),
        };
        if f.optional() {
            let w = write(quote!(v));
            quote!(if let ::std::option::Option::Some(v) = &self.#ident { #w })
        } else {
            let w = write(quote!(&self.#ident));
            if wire {
                quote!(if !self.__meta.is_absent(#key) { #w })
            } else {
                w
            }
        }
    });
    let extra = wire.then(|| quote!(#rt::ser_extra(&mut m, &self.extra_fields)?;));
    let mutable = (tag.is_some() || wire || !def.fields.is_empty()).then(|| quote!(mut));
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                #bare
                let #mutable m = #rt::ser_map(s)?;
                #tag
                #(#entries)*
                #extra
                ::serde::ser::SerializeMap::end(m)
            }
        }
    }
}

fn deserialize_struct(model: &Model<'_>, def: &StructDef, tagged: bool) -> TokenStream {
    let rt = rt();
    let name = &def.name;
    let wire = matches!(def.mode, Mode::Wire { .. });
    let locals: Vec<Ident> = (0..def.fields.len())
        .map(|i| format_ident!("f{}", i))
        .collect();
    let decls = def.fields.iter().zip(&locals).map(|(f, l)| {
        let ty = model.field_ty(f, def.module);
        if f.optional() {
            quote!(let mut #l: #ty = ::std::option::Option::None;)
        } else {
            quote!(let mut #l: ::std::option::Option<#ty> = ::std::option::Option::None;)
        }
    });
    let next = |ty: TokenStream| quote!(::serde::de::MapAccess::next_value::<#ty>(&mut map)?);
    let arms = def.fields.iter().zip(&locals).map(|(f, l)| {
        let key = &f.wire;
        let present = model.present_ty(f, def.module);
        let body = match (f.repr, f.optional()) {
            // Values are read by small runtime functions straight into their slot, so that
            // the temporaries stay out of this frame (deep messages, debug builds).
            (Repr::Plain, false) => {
                if f.boxed {
                    quote!(#rt::read_boxed::<_, #present>(&mut map, &mut #l)?;)
                } else {
                    quote!(#rt::read::<_, #present>(&mut map, &mut #l)?;)
                }
            }
            (Repr::Plain, true) => {
                if f.boxed {
                    quote!(#rt::read_opt_boxed::<_, #present>(&mut map, &mut #l)?;)
                } else {
                    quote!(#rt::read_opt::<_, #present>(&mut map, &mut #l)?;)
                }
            }
            (repr, optional) => {
                let item = match (repr, f.ty.strip_optional()) {
                    (Repr::IntVec, crate::ir::TypeExpr::Array { item }) => {
                        let item = model.ty(item, def.module);
                        quote!(#rt::IntVec<#item>)
                    }
                    _ => quote!(#rt::Int<#present>),
                };
                if optional {
                    quote!(#l = #rt::read_quoted::<_, ::std::option::Option<#item>>(&mut map, &mut meta, #key)?;)
                } else {
                    quote!(#l = ::std::option::Option::Some(#rt::read_quoted::<_, #item>(&mut map, &mut meta, #key)?);)
                }
            }
        };
        quote!(#key => { #body })
    });
    let skip = next(quote!(#rt::IgnoredAny));
    let tag_arm = tagged.then(|| quote!("type" => { let _ = #skip; }));
    let json_value = next(quote!(::serde_json::Value));
    let fallback = match &def.mode {
        Mode::Wire { .. } => quote! {
            _ => {
                let v = #json_value;
                extra.insert(key.0.into_owned(), v);
            }
        },
        Mode::Command { ignored } => {
            let wires: Vec<&str> = def.fields.iter().map(|f| f.wire.as_str()).collect();
            let ignored_arm =
                (!ignored.is_empty()).then(|| quote!(#(#ignored)|* => { let _ = #skip; }));
            quote! {
                #ignored_arm
                other => {
                    const FIELDS: &[&str] = &[#(#wires),*];
                    return ::std::result::Result::Err(#rt::unknown_field(other, FIELDS));
                }
            }
        }
    };
    let finals = def.fields.iter().enumerate().zip(&locals).map(|((i, f), l)| {
        let key = &f.wire;
        let initial = def.initial.iter().find(|(j, _)| *j == i).map(|(_, v)| v);
        if f.optional() {
            quote!()
        } else if let (false, Some(init)) = (wire, initial) {
            // A command parameter with a default (a defaulted flag) may be left out.
            quote!(let #l = #l.unwrap_or(#init);)
        } else if wire {
            quote! {
                let #l = match #l {
                    ::std::option::Option::Some(v) => v,
                    ::std::option::Option::None => {
                        meta.mark_absent(#key);
                        ::std::default::Default::default()
                    }
                };
            }
        } else {
            quote! {
                let #l = match #l {
                    ::std::option::Option::Some(v) => v,
                    ::std::option::Option::None => return ::std::result::Result::Err(#rt::missing_field(#key)),
                };
            }
        }
    });
    let build = def.fields.iter().zip(&locals).map(|(f, l)| {
        let ident = &f.ident;
        quote!(#ident: #l,)
    });
    let meta_mut = def
        .fields
        .iter()
        .any(|f| !f.optional() || f.repr != Repr::Plain)
        .then(|| quote!(mut));
    let has_ints = def.fields.iter().any(|f| f.repr != Repr::Plain);
    let (meta_decl, extra_decl, runtime_build) = if !wire && has_ints {
        // Commands do not keep how integers arrived.
        (
            quote!(let mut meta = #rt::Meta::default();),
            quote!(),
            quote!(),
        )
    } else if wire {
        (
            quote!(let #meta_mut meta = #rt::Meta::default();),
            quote!(let mut extra = #rt::JsonObject::new();),
            quote!(extra_fields: extra, __meta: meta,),
        )
    } else {
        (quote!(), quote!(), quote!())
    };
    let expecting = Literal::string(&format!("a `{}` object", def.wire_name));
    let no_keys = matches!(&def.mode, Mode::Command { ignored } if ignored.is_empty())
        && def.fields.is_empty();
    let read_loop = if no_keys {
        quote! {
            if let ::std::option::Option::Some(key) = ::serde::de::MapAccess::next_key::<#rt::Key<'de>>(&mut map)? {
                return ::std::result::Result::Err(#rt::unknown_field(&key.0, &[]));
            }
        }
    } else {
        quote! {
            while let ::std::option::Option::Some(key) = ::serde::de::MapAccess::next_key::<#rt::Key<'de>>(&mut map)? {
                match key.0.as_ref() {
                    #(#arms)*
                    #tag_arm
                    #fallback
                }
            }
        }
    };
    quote! {
        impl #rt::DecodeMap for #name {
            const EXPECTING: &'static str = #expecting;
            fn decode_map<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                #(#decls)*
                #meta_decl
                #extra_decl
                #read_loop
                #(#finals)*
                ::std::result::Result::Ok(Self { #(#build)* #runtime_build })
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                #rt::deserialize_struct(d)
            }
        }
    }
}

/// The `types` module: every TYPES.md type, with member structs after their union.
pub fn types_module(model: &Model<'_>, diags: &mut Diagnostics) -> Vec<TokenStream> {
    let rt = rt();
    let mut items = Vec::new();
    let mut arms = Vec::new();
    for t in &model.api.types {
        items.extend(type_items(model, t, diags));
        if let (Some(_), Some(info)) = (&t.syntax, model.info(&t.name)) {
            let (wire, ident) = (&t.name, format_ident!("{}", info.rust));
            arms.push(quote! {
                #wire => #rt::Syntax::to_syntax_string(&::serde_json::from_value::<#ident>(value)?)?,
            });
        }
    }
    items.push(quote! {
        /// Renders a value of the type named `name` (upstream name, e.g. `ChatRef`) in its
        /// command syntax, from its JSON.
        pub fn syntax_string_from_json(name: &str, value: ::serde_json::Value) -> ::std::result::Result<::std::string::String, #rt::FromJsonError> {
            ::std::result::Result::Ok(match name {
                #(#arms)*
                other => return ::std::result::Result::Err(#rt::FromJsonError::UnknownName(::std::string::ToString::to_string(other))),
            })
        }
    });
    items
}

fn type_items(model: &Model<'_>, t: &TypeDef, diags: &mut Diagnostics) -> Vec<TokenStream> {
    let Some(info) = model.info(&t.name) else {
        return Vec::new();
    };
    let name = format_ident!("{}", info.rust);
    let mut description = super::rustdoc_safe(&t.description);
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    let mut items = match &t.kind {
        TypeKind::Record { fields } => {
            description.push_str(&format!("Record `{}` of TYPES.md.", t.name));
            let def = StructDef::wire(
                model,
                &t.name,
                name.clone(),
                &t.name,
                doc(&description),
                fields,
                None,
            );
            emit_struct(model, &def)
        }
        TypeKind::Enum { values } => {
            description.push_str(&format!(
                "Enum `{}` of TYPES.md: its JSON strings, and `Unknown` for any other value.",
                t.name
            ));
            emit_enum(
                &name,
                &t.name,
                &description,
                values
                    .iter()
                    .map(|v| v.value.as_str())
                    .zip(info.variants.iter().map(|v| v.0.as_str()))
                    .collect(),
            )
        }
        TypeKind::Union { members } => {
            description.push_str(&format!(
                "Discriminated union `{}` of TYPES.md, tagged by `\"type\"`; `Unknown` keeps any other \
                 member as received.",
                t.name
            ));
            let mut items = emit_union(&name, &t.name, &description, members, &info.variants);
            for (m, (_, strukt)) in members.iter().zip(&info.variants) {
                let mut d = super::rustdoc_safe(&m.description);
                if !d.is_empty() {
                    d.push_str("\n\n");
                }
                d.push_str(&format!(
                    "Member `{}` of [`{}`], tag `\"{}\"`.",
                    m.name, info.rust, m.tag
                ));
                let def = StructDef::wire(
                    model,
                    &format!("{}.{}", t.name, m.tag),
                    format_ident!("{}", strukt),
                    &format!("{}.{}", t.name, m.name),
                    doc(&d),
                    &m.fields,
                    Some(m.tag.clone()),
                );
                items.extend(emit_struct(model, &def));
            }
            items
        }
    };
    if let Some(s) = &t.syntax {
        match format::type_syntax(model, t, s) {
            Ok(ts) => items.push(ts),
            Err(message) => diags.error(s.loc, message),
        }
    }
    items
}

/// Emits an enum of JSON strings with an `Unknown` catch-all.
fn emit_enum(
    name: &Ident,
    wire_name: &str,
    description: &str,
    values: Vec<(&str, &str)>,
) -> Vec<TokenStream> {
    let rt = rt();
    let d = doc(description);
    let variants: Vec<Ident> = values.iter().map(|(_, v)| format_ident!("{}", v)).collect();
    let wires: Vec<&str> = values.iter().map(|(w, _)| *w).collect();
    let variant_docs = wires.iter().map(|w| doc(&format!("`\"{w}\"`")));
    let expecting = Literal::string(&format!("a `{wire_name}` string"));
    vec![
        quote! {
            #d
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variant_docs #variants,)*
                /// A value the docs do not list, as received (usually a string).
                Unknown(::serde_json::Value),
            }
        },
        quote! {
            impl ::std::default::Default for #name {
                /// `Unknown(null)`: used only for a required field the core did not send.
                fn default() -> Self {
                    Self::Unknown(::serde_json::Value::Null)
                }
            }

            impl #name {
                /// The JSON string of this value (`None` for an `Unknown` that is not a string).
                pub fn as_str(&self) -> ::std::option::Option<&str> {
                    match self {
                        #(Self::#variants => ::std::option::Option::Some(#wires),)*
                        Self::Unknown(v) => v.as_str(),
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                    match self {
                        #(Self::#variants => s.serialize_str(#wires),)*
                        Self::Unknown(v) => ::serde::Serialize::serialize(v, s),
                    }
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    #rt::deserialize_enum(d)
                }
            }

            impl #rt::DecodeEnum for #name {
                const EXPECTING: &'static str = #expecting;
                fn from_wire(s: &str) -> ::std::option::Option<Self> {
                    match s {
                        #(#wires => ::std::option::Option::Some(Self::#variants),)*
                        _ => ::std::option::Option::None,
                    }
                }
                fn unknown(value: ::serde_json::Value) -> Self {
                    Self::Unknown(value)
                }
            }
        },
    ]
}

/// A union member as the union enum sees it.
pub struct MemberRef<'a> {
    /// Variant name.
    pub variant: Ident,
    /// Path of the member's struct type.
    pub ty: TokenStream,
    /// `"type"` tag.
    pub tag: &'a str,
    /// Doc text.
    pub doc: String,
    /// Decodable from a bare string (no required fields).
    pub bare_ok: bool,
    /// Boxed in the enum.
    pub boxed: bool,
}

fn emit_union(
    name: &Ident,
    wire_name: &str,
    description: &str,
    members: &[crate::ir::Variant],
    variants: &[(String, String)],
) -> Vec<TokenStream> {
    let refs: Vec<MemberRef<'_>> = members
        .iter()
        .zip(variants)
        .map(|(m, (v, s))| {
            let sid = format_ident!("{}", s);
            MemberRef {
                variant: format_ident!("{}", v),
                ty: quote!(#sid),
                tag: &m.tag,
                doc: format!("`\"{}\"`: see [`{}`].", m.tag, s),
                bare_ok: m.fields.iter().all(|f| f.ty.is_optional()),
                // Members are boxed so that a union costs a pointer, not its largest member.
                boxed: !m.fields.is_empty(),
            }
        })
        .collect();
    tagged_enum(name, wire_name, description, &refs)
}

/// Emits an enum over tagged structs, decoded by tag, with an `Unknown` catch-all.
pub fn tagged_enum(
    name: &Ident,
    wire_name: &str,
    description: &str,
    members: &[MemberRef<'_>],
) -> Vec<TokenStream> {
    let rt = rt();
    let d = doc(description);
    let variant_defs = members.iter().map(|m| {
        let v = &m.variant;
        let ty = &m.ty;
        let d = doc(&m.doc);
        if m.boxed {
            quote!(#d #v(::std::boxed::Box<#ty>),)
        } else {
            quote!(#d #v(#ty),)
        }
    });
    let ser_arms = members.iter().map(|m| {
        let v = &m.variant;
        quote!(Self::#v(x) => ::serde::Serialize::serialize(x, s),)
    });
    let tag_arms = members.iter().map(|m| {
        let v = &m.variant;
        let tag = m.tag;
        quote!(Self::#v(_) => ::std::option::Option::Some(#tag),)
    });
    let decode_arms = members.iter().map(|m| {
        let v = &m.variant;
        let ty = &m.ty;
        let tag = m.tag;
        let value = quote!(<#ty as #rt::DecodeMap>::decode_map(map)?);
        let value = if m.boxed {
            quote!(::std::boxed::Box::new(#value))
        } else {
            value
        };
        quote!(#tag => Self::#v(#value),)
    });
    let bare_arms = members.iter().filter(|m| m.bare_ok).map(|m| {
        let v = &m.variant;
        let ty = &m.ty;
        let tag = m.tag;
        let value = if m.boxed {
            quote!(::std::boxed::Box::new(x))
        } else {
            quote!(x)
        };
        quote! {
            if #rt::loose_eq(s, #tag) {
                let mut x = <#ty as ::std::default::Default>::default();
                x.__meta.set_bare(::std::string::ToString::to_string(s));
                return Self::#v(#value);
            }
        }
    });
    let expecting = Literal::string(&format!("a `{wire_name}` object tagged by \"type\""));
    let tags: Vec<&str> = members.iter().map(|m| m.tag).collect();
    let froms = members.iter().map(|m| {
        let v = &m.variant;
        let ty = &m.ty;
        let value = if m.boxed {
            quote!(::std::boxed::Box::new(x))
        } else {
            quote!(x)
        };
        quote! {
            impl ::std::convert::From<#ty> for #name {
                fn from(x: #ty) -> Self {
                    Self::#v(#value)
                }
            }
        }
    });
    vec![
        quote! {
            #d
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variant_defs)*
                /// A member the docs do not list (or JSON that is not a tagged object), as received.
                Unknown(::serde_json::Value),
            }
        },
        quote! {
            impl ::std::default::Default for #name {
                /// `Unknown(null)`: used only for a required field the core did not send.
                fn default() -> Self {
                    Self::Unknown(::serde_json::Value::Null)
                }
            }

            impl #name {
                /// The `"type"` tag of this value, if it has one.
                pub fn tag(&self) -> ::std::option::Option<&str> {
                    match self {
                        #(#tag_arms)*
                        Self::Unknown(v) => v.get("type").and_then(::serde_json::Value::as_str),
                    }
                }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                    match self {
                        #(#ser_arms)*
                        Self::Unknown(v) => ::serde::Serialize::serialize(v, s),
                    }
                }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    #rt::deserialize_union(d)
                }
            }

            #(#froms)*

            impl #rt::DecodeUnion for #name {
                const EXPECTING: &'static str = #expecting;
                const TAGS: &'static [&'static str] = &[#(#tags),*];
                fn decode_tagged<'de, A: ::serde::de::MapAccess<'de>>(tag: &str, map: A) -> ::std::result::Result<Self, A::Error> {
                    ::std::result::Result::Ok(match tag {
                        #(#decode_arms)*
                        _ => Self::Unknown(#rt::unknown_member(tag, map)?),
                    })
                }
                fn decode_bare(s: &str) -> Self {
                    #(#bare_arms)*
                    Self::Unknown(::serde_json::Value::String(::std::string::ToString::to_string(s)))
                }
                fn unknown(value: ::serde_json::Value) -> Self {
                    Self::Unknown(value)
                }
            }
        },
    ]
}

/// True for `{K : V}`: such required fields start empty rather than being constructor arguments.
pub fn is_map(ty: &crate::ir::TypeExpr) -> bool {
    matches!(ty, crate::ir::TypeExpr::Map { .. })
}
