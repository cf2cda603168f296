//! Commands, responses and events.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::data::{emit_struct, tagged_enum, MemberRef, Mode, StructDef};
use super::model::{Model, Module};
use super::{doc, format};
use crate::diag::Diagnostics;
use crate::ir::{Command, Expr, NetworkUsage, Variant};
use crate::naming::{self, Scope};

fn rt() -> TokenStream {
    quote!(::simplex_api_types::runtime)
}

/// Rust names of the response structs, by tag (shared by the commands and responses modules).
struct ResponseNames {
    /// Struct name, by tag.
    by_tag: BTreeMap<String, String>,
    /// Variant of `ChatResponse`, by tag.
    variant: BTreeMap<String, String>,
    order: Vec<Variant>,
}

fn response_names(model: &Model<'_>) -> ResponseNames {
    let mut scope = Scope::with_reserved(&["ChatResponse"]);
    let mut variants = Scope::with_reserved(&["Unknown"]);
    let mut by_tag = BTreeMap::new();
    let mut variant = BTreeMap::new();
    let mut order = Vec::new();
    for c in &model.api.commands {
        for r in &c.responses {
            if !by_tag.contains_key(&r.tag) {
                let name = scope.unique(naming::type_name(&r.name));
                variant.insert(r.tag.clone(), variants.unique(name.clone()));
                by_tag.insert(r.tag.clone(), name);
                order.push(r.clone());
            }
        }
    }
    ResponseNames {
        by_tag,
        variant,
        order,
    }
}

/// Parameters the syntax renders (all of them when there is no syntax).
fn rendered_params(c: &Command) -> BTreeSet<String> {
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
fn bool_defaults(c: &Command) -> BTreeMap<String, bool> {
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

/// The `commands` module.
pub fn commands_module(model: &Model<'_>, diags: &mut Diagnostics) -> Vec<TokenStream> {
    let rt = rt();
    let responses = response_names(model);
    let mut scope = Scope::default();
    let mut items = Vec::new();
    let mut from_json_arms = Vec::new();
    for c in &model.api.commands {
        let name = scope.unique(naming::type_name(&c.name));
        let resp_name = scope.unique(naming::type_name(&format!("{}Response", c.name)));
        let ident = format_ident!("{}", name);
        let resp_ident = format_ident!("{}", resp_name);
        let rendered = rendered_params(c);
        let params: Vec<_> = c
            .params
            .iter()
            .filter(|p| rendered.contains(&p.name))
            .cloned()
            .collect();
        let ignored: Vec<String> = c
            .params
            .iter()
            .filter(|p| !rendered.contains(&p.name))
            .map(|p| p.name.clone())
            .collect();
        let fields = model.field_specs(&format!("command {}", c.name), &params);
        let defaults = bool_defaults(c);
        let bare = bare_optionals(c);
        let mut ctor = Vec::new();
        let mut initial = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(d) = defaults.get(&f.wire) {
                initial.push((i, quote!(#d)));
            } else if (!f.optional() && !super::data::is_map(&f.ty)) || bare.contains(&f.wire) {
                ctor.push(i);
            }
        }
        let mut d = super::rustdoc_safe(&c.description);
        d.push_str(&format!("\n\nCommand `{}` ({}).", c.name, c.category));
        if let Some(n) = c.network_usage {
            d.push_str(match n {
                NetworkUsage::No => " Network usage: none.",
                NetworkUsage::Interactive => " Network usage: interactive.",
                NetworkUsage::Background => " Network usage: background.",
            });
        }
        if let Some(s) = &c.syntax {
            d.push_str(&format!("\n\nCommand string:\n\n```text\n{}\n```", s.plain));
        }
        if !ignored.is_empty() {
            d.push_str(&format!(
                "\n\nDocumented parameters that the command string does not carry, so setting them \
                 could have no effect; they are not fields: {}.",
                ignored.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        d.push_str(&format!("\n\nResponses: [`{resp_name}`]."));
        if !c.errors.is_empty() {
            d.push_str("\n\nErrors:");
            for e in &c.errors {
                d.push_str(&format!(
                    "\n- `{}`: {}",
                    e.name,
                    super::rustdoc_safe(&e.description)
                ));
            }
        }
        let def = StructDef {
            name: ident.clone(),
            wire_name: c.name.clone(),
            doc: doc(&d),
            fields,
            mode: Mode::Command { ignored },
            module: Module::Other,
            ctor,
            initial,
            ctor_doc:
                "Creates the command from the parameters it needs; optional ones start as `None`, \
                       defaulted flags at their default."
                    .to_owned(),
        };
        items.extend(emit_struct(model, &def));
        let cname = &c.name;
        match &c.syntax {
            Some(s) if !s.expr.is_empty() => {
                match format::command_body(model, &c.name, s, &def.fields) {
                    Ok((body, fallible)) => {
                        items.push(quote! {
                        impl #rt::Command for #ident {
                            const NAME: &'static str = #cname;
                            type Response = #resp_ident;
                            fn write_command(&self, out: &mut ::std::string::String) -> ::std::result::Result<(), #rt::CommandError> {
                                #body
                                ::std::result::Result::Ok(())
                            }
                        }
                    });
                        if !fallible {
                            items.push(quote! {
                            impl ::std::fmt::Display for #ident {
                                /// The command string (this command's rendering cannot fail).
                                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                                    let mut s = ::std::string::String::new();
                                    match #rt::Command::write_command(self, &mut s) {
                                        ::std::result::Result::Ok(()) => f.write_str(&s),
                                        ::std::result::Result::Err(_) => ::std::result::Result::Err(::std::fmt::Error),
                                    }
                                }
                            }
                        });
                        }
                        from_json_arms.push(quote! {
                        #cname => #rt::Command::to_command_string(&::serde_json::from_value::<#ident>(params)?)?,
                    });
                    }
                    Err(message) => diags.error(s.loc, message),
                }
            }
            _ => {}
        }
        items.push(response_enum(c, &resp_ident, &responses));
    }
    items.push(quote! {
        /// Renders the command named `name` (upstream name, e.g. `APISendMessages`) from its
        /// parameters as JSON, under their upstream names.
        pub fn command_string_from_json(name: &str, params: ::serde_json::Value) -> ::std::result::Result<::std::string::String, #rt::FromJsonError> {
            ::std::result::Result::Ok(match name {
                #(#from_json_arms)*
                other => return ::std::result::Result::Err(#rt::FromJsonError::UnknownName(::std::string::ToString::to_string(other))),
            })
        }
    });
    items
}

fn response_enum(c: &Command, ident: &Ident, names: &ResponseNames) -> TokenStream {
    let mut scope = Scope::with_reserved(&["Other"]);
    let mut variants = Vec::new();
    for r in &c.responses {
        let Some(strukt) = names.by_tag.get(&r.tag) else {
            continue;
        };
        if variants
            .iter()
            .any(|(_, _, tag, _): &(Ident, Ident, String, Ident)| *tag == r.tag)
        {
            continue;
        }
        let v = format_ident!("{}", scope.unique(naming::type_name(&r.name)));
        let union_variant = names.variant.get(&r.tag).cloned().unwrap_or_default();
        variants.push((
            v,
            format_ident!("{}", strukt),
            r.tag.clone(),
            format_ident!("{}", union_variant),
        ));
    }
    let defs = variants.iter().map(|(v, s, tag, _)| {
        let d = doc(&format!("`\"{tag}\"`: see [`{s}`](super::responses::{s})."));
        quote!(#d #v(::std::boxed::Box<super::responses::#s>),)
    });
    let arms = variants
        .iter()
        .map(|(v, _, _, u)| quote!(super::responses::ChatResponse::#u(x) => Self::#v(x),));
    let d = doc(&format!(
        "The responses documented for [`{}`], and `Other` for any other response.",
        naming::type_name(&c.name)
    ));
    quote! {
        #d
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #ident {
            #(#defs)*
            /// A response this command is not documented to get.
            Other(super::responses::ChatResponse),
        }

        impl ::std::convert::From<super::responses::ChatResponse> for #ident {
            fn from(r: super::responses::ChatResponse) -> Self {
                match r {
                    #(#arms)*
                    other => Self::Other(other),
                }
            }
        }
    }
}

/// One tagged message of the `responses` or `events` module.
struct Tagged<'a> {
    variant: &'a Variant,
    strukt: String,
    union_variant: String,
    doc: String,
}

/// Emits a struct per tagged message and the enum over all of them (`ChatResponse`,
/// `ChatEvent`).
fn tagged_module(
    model: &Model<'_>,
    kind: &str,
    items_in: &[Tagged<'_>],
    enum_name: &str,
    enum_doc: &str,
) -> Vec<TokenStream> {
    let mut items = Vec::new();
    for t in items_in {
        let v = t.variant;
        let def = StructDef {
            module: Module::Other,
            ..StructDef::wire(
                model,
                &format!("{kind} {}", v.tag),
                format_ident!("{}", t.strukt),
                &v.name,
                doc(&t.doc),
                &v.fields,
                Some(v.tag.clone()),
            )
        };
        items.extend(emit_struct(model, &def));
    }
    let refs: Vec<MemberRef<'_>> = items_in
        .iter()
        .map(|t| {
            let ident = format_ident!("{}", t.strukt);
            MemberRef {
                variant: format_ident!("{}", t.union_variant),
                doc: format!("`\"{}\"`: see [`{ident}`].", t.variant.tag),
                ty: quote!(#ident),
                tag: &t.variant.tag,
                bare_ok: t.variant.fields.iter().all(|f| f.ty.is_optional()),
                boxed: true,
            }
        })
        .collect();
    items.extend(tagged_enum(
        &format_ident!("{}", enum_name),
        enum_name,
        enum_doc,
        &refs,
    ));
    items
}

/// The `responses` module.
pub fn responses_module(model: &Model<'_>, _diags: &mut Diagnostics) -> Vec<TokenStream> {
    let names = response_names(model);
    let tagged: Vec<Tagged<'_>> = names
        .order
        .iter()
        .map(|r| {
            let users: Vec<String> = model
                .api
                .commands
                .iter()
                .filter(|c| c.responses.iter().any(|x| x.tag == r.tag))
                .map(|c| format!("`{}`", c.name))
                .collect();
            Tagged {
                variant: r,
                strukt: names.by_tag.get(&r.tag).cloned().unwrap_or_default(),
                union_variant: names.variant.get(&r.tag).cloned().unwrap_or_default(),
                doc: format!(
                    "{}\n\nResponse `\"{}\"`, documented for {}.",
                    super::rustdoc_safe(&r.description),
                    r.tag,
                    users.join(", ")
                ),
            }
        })
        .collect();
    tagged_module(
        model,
        "response",
        &tagged,
        "ChatResponse",
        "Any response to a command: every documented response, and `Unknown` for the rest \
         (kept as received).",
    )
}

/// The `events` module.
pub fn events_module(model: &Model<'_>, _diags: &mut Diagnostics) -> Vec<TokenStream> {
    let mut scope = Scope::with_reserved(&["ChatEvent"]);
    let mut variants = Scope::with_reserved(&["Unknown"]);
    // Events are tagged objects like responses; the IR keeps their group and category.
    let as_variants: Vec<Variant> = model
        .api
        .events
        .iter()
        .map(|e| Variant {
            name: e.name.clone(),
            description: e.description.clone(),
            tag: e.tag.clone(),
            fields: e.fields.clone(),
            loc: e.loc,
        })
        .collect();
    let tagged: Vec<Tagged<'_>> = model
        .api
        .events
        .iter()
        .zip(&as_variants)
        .map(|(e, v)| {
            let strukt = scope.unique(naming::type_name(&e.name));
            let group = match e.group {
                Some(crate::ir::EventGroup::Main) => " (main event)",
                Some(crate::ir::EventGroup::Other) => " (other event)",
                None => "",
            };
            Tagged {
                variant: v,
                union_variant: variants.unique(strukt.clone()),
                strukt,
                doc: format!(
                    "{}\n\nEvent `\"{}\"`: {}{}.",
                    super::rustdoc_safe(&e.description),
                    e.tag,
                    e.category,
                    group
                ),
            }
        })
        .collect();
    tagged_module(
        model,
        "event",
        &tagged,
        "ChatEvent",
        "Any event the core sends without a request: every documented event, and `Unknown` for \
         the rest (kept as received).",
    )
}
