//! The public API surface of generated code, as compact text: the part of the generated crate a
//! user sees (structs and their fields, enums and their variants, constructors and setters,
//! command strings, trait impls that matter), without the serde plumbing. Snapshotted per doc
//! set, so that an upstream change shows up as a small, readable diff.

use std::fmt::Write;

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};

use crate::emit::Files;

/// Renders the API surface of generated `files` (file name order, item order within a file).
pub fn api_surface(files: &Files) -> String {
    let mut out = String::new();
    for (name, content) in files {
        let Ok(file) = syn::parse_file(content) else {
            let _ = writeln!(out, "// {name}: does not parse");
            continue;
        };
        let _ = writeln!(out, "// {name}");
        for item in &file.items {
            item_surface(item, "", &mut out);
        }
    }
    out
}

fn ty(t: &impl ToTokens) -> String {
    let s: String = t
        .to_token_stream()
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut s = s;
    for prefix in [
        "::std::option::",
        "::std::vec::",
        "::std::string::",
        "::std::boxed::",
        "::std::collections::",
        "::std::fmt::",
        "::std::convert::",
        "::std::default::",
        "::simplex_api_types::runtime::",
        "::simplex_api_types::__private::",
        "super::types::",
    ] {
        s = s.replace(prefix, "");
    }
    // `types::X` (a type shadowed by a local item), but not `chat_types::X`.
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("types::") {
        let before = &rest[..i];
        out.push_str(before);
        let boundary = !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if !boundary {
            out.push_str("types::");
        }
        rest = &rest[i + "types::".len()..];
    }
    out.push_str(rest);
    let s = out;
    s.replace(',', ", ")
}

/// The body of a `wire_record!` or `command!` invocation.
struct StructBody {
    attrs: Vec<syn::Attribute>,
    name: syn::Ident,
    tag: Option<String>,
    fields: Vec<(String, String, syn::Type)>,
    ignored: Vec<String>,
    /// The field a `pair` wire shape moves beside the object.
    pair: Option<String>,
}

impl Parse for StructBody {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Token![pub]>()?;
        input.parse::<syn::Token![struct]>()?;
        let name: syn::Ident = input.parse()?;
        let tag = if input.peek(syn::token::Bracket) {
            let content;
            syn::bracketed!(content in input);
            Some(content.parse::<syn::LitStr>()?.value())
        } else {
            None
        };
        let body;
        syn::braced!(body in input);
        let mut fields = Vec::new();
        while !body.is_empty() {
            // A field's doc is no part of the surface.
            body.call(syn::Attribute::parse_outer)?;
            let kind = body.call(syn::Ident::parse_any)?.to_string();
            let field = body.call(syn::Ident::parse_any)?.to_string();
            body.parse::<syn::Token![:]>()?;
            let ty: syn::Type = body.parse()?;
            body.parse::<syn::Token![=]>()?;
            body.parse::<syn::LitStr>()?;
            body.parse::<syn::Token![,]>()?;
            fields.push((kind, field, ty));
        }
        let mut ignored = Vec::new();
        let mut pair = None;
        if input.peek(syn::Ident) && input.fork().call(syn::Ident::parse_any)? == "pair" {
            input.call(syn::Ident::parse_any)?;
            pair = Some(input.call(syn::Ident::parse_any)?.to_string());
        } else if !input.is_empty() {
            input.call(syn::Ident::parse_any)?;
            let content;
            syn::bracketed!(content in input);
            let names = content.parse_terminated(
                |p| {
                    let name = p.parse::<syn::LitStr>()?;
                    if p.peek(syn::Token![=]) {
                        p.parse::<syn::Token![=]>()?;
                        p.parse::<syn::LitBool>()?;
                    }
                    Ok(name)
                },
                syn::Token![,],
            )?;
            ignored = names.iter().map(syn::LitStr::value).collect();
        }
        Ok(StructBody {
            attrs,
            name,
            tag,
            fields,
            ignored,
            pair,
        })
    }
}

/// The body of a `wire_enum!`, `wire_union!` or `command_response!` invocation: variants
/// with their tag and member type.
struct EnumBody {
    name: syn::Ident,
    variants: Vec<(Option<String>, String, Option<syn::Type>)>,
    result: String,
}

impl Parse for EnumBody {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.call(syn::Attribute::parse_outer)?;
        input.parse::<syn::Token![pub]>()?;
        input.parse::<syn::Token![enum]>()?;
        let name: syn::Ident = input.parse()?;
        let body;
        syn::braced!(body in input);
        let mut variants = Vec::new();
        while !body.is_empty() {
            body.call(syn::Attribute::parse_outer)?;
            let tag = if body.peek(syn::LitStr) {
                Some(body.parse::<syn::LitStr>()?.value())
            } else {
                None
            };
            let variant = body.call(syn::Ident::parse_any)?.to_string();
            let member = if body.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in body);
                Some(content.parse::<syn::Type>()?)
            } else {
                None
            };
            body.parse::<syn::Token![,]>()?;
            variants.push((tag, variant, member));
        }
        // `ok X` or `ok Self except [...]` after a `command_response!` body.
        let mut result = Vec::new();
        while !input.is_empty() {
            result.push(input.parse::<proc_macro2::TokenTree>()?.to_string());
        }
        Ok(EnumBody {
            name,
            variants,
            result: result.join(" "),
        })
    }
}

fn macro_surface(m: &syn::ItemMacro, prefix: &str, out: &mut String) {
    let name = m
        .mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    match name.as_str() {
        "wire_record" | "command" => {
            let Ok(body) = syn::parse2::<StructBody>(m.mac.tokens.clone()) else {
                let _ = writeln!(out, "{name}! does not parse");
                return;
            };
            let tag = body
                .tag
                .as_ref()
                .map(|t| format!(" [\"{t}\"]"))
                .unwrap_or_default();
            let _ = writeln!(out, "struct {prefix}{}{tag}", body.name);
            if let Some(cmd) = command_string(&body.attrs) {
                let _ = writeln!(out, "  command `{cmd}`");
            }
            for (kind, field, t) in &body.fields {
                let t = ty(t);
                let _ = match kind.as_str() {
                    "opt" => writeln!(out, "  {field}: Option<{t}>"),
                    "default_false" => writeln!(out, "  {field}: {t} = false"),
                    "default_true" => writeln!(out, "  {field}: {t} = true"),
                    _ => writeln!(out, "  {field}: {t}"),
                };
            }
            if name == "wire_record" {
                let _ = writeln!(out, "  extra_fields: JsonObject");
            }
            for i in &body.ignored {
                let _ = writeln!(out, "  ignored `{i}`");
            }
            if let Some(field) = &body.pair {
                let _ = writeln!(out, "  also as the pair [object without {field}, {field}]");
            }
        }
        "wire_opaque" => {
            let tokens: Vec<String> = m
                .mac
                .tokens
                .clone()
                .into_iter()
                .map(|t| t.to_string())
                .collect();
            if let Some(i) = tokens.iter().position(|t| t == "struct") {
                let name = tokens.get(i + 1).cloned().unwrap_or_default();
                let _ = writeln!(out, "struct {prefix}{name}(Value)");
            }
        }
        "wire_enum" | "wire_union" | "command_response" => {
            let Ok(body) = syn::parse2::<EnumBody>(m.mac.tokens.clone()) else {
                let _ = writeln!(out, "{name}! does not parse");
                return;
            };
            let _ = writeln!(out, "enum {prefix}{}", body.name);
            for (tag, variant, member) in &body.variants {
                let tag = tag
                    .as_ref()
                    .map(|t| format!(" \"{t}\""))
                    .unwrap_or_default();
                let _ = match member {
                    Some(t) => writeln!(out, "  {variant}({}){tag}", ty(t)),
                    None if name == "command_response" => writeln!(out, "  {variant}({variant})"),
                    None => writeln!(out, "  {variant}{tag}"),
                };
            }
            let catch_all = if name == "command_response" {
                "ChatResponse"
            } else {
                "Value"
            };
            let _ = writeln!(out, "  Undocumented({catch_all})");
            if !body.result.is_empty() {
                let _ = writeln!(out, "  into_result: {}", body.result);
            }
        }
        _ => {}
    }
}

fn command_string(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines = attrs.iter().filter_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value().trim().to_owned()),
            _ => None,
        },
        _ => None,
    });
    lines.find(|l| l == "```text")?;
    lines.next()
}

fn item_surface(item: &syn::Item, prefix: &str, out: &mut String) {
    match item {
        syn::Item::Macro(m) => macro_surface(m, prefix, out),
        syn::Item::Mod(m) => {
            let inner = format!("{prefix}{}::", m.ident);
            for item in m.content.iter().flat_map(|(_, items)| items) {
                item_surface(item, &inner, out);
            }
        }
        syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
            let _ = writeln!(out, "pub use {}", ty(&u.tree));
        }
        syn::Item::Struct(s) => {
            let _ = writeln!(out, "struct {prefix}{}", s.ident);
            if let Some(cmd) = command_string(&s.attrs) {
                let _ = writeln!(out, "  command `{cmd}`");
            }
            for f in &s.fields {
                if matches!(f.vis, syn::Visibility::Public(_)) {
                    let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                    let _ = writeln!(out, "  {name}: {}", ty(&f.ty));
                }
            }
        }
        syn::Item::Enum(e) => {
            let _ = writeln!(out, "enum {prefix}{}", e.ident);
            for v in &e.variants {
                match &v.fields {
                    syn::Fields::Unit => {
                        let _ = writeln!(out, "  {}", v.ident);
                    }
                    fields => {
                        let inner: Vec<String> = fields.iter().map(|f| ty(&f.ty)).collect();
                        let _ = writeln!(out, "  {}({})", v.ident, inner.join(", "));
                    }
                }
            }
        }
        syn::Item::Impl(i) => {
            let self_ty = format!("{prefix}{}", ty(&i.self_ty));
            match &i.trait_ {
                None => {
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            if matches!(f.vis, syn::Visibility::Public(_)) {
                                let args: Vec<String> = f
                                    .sig
                                    .inputs
                                    .iter()
                                    .filter_map(|a| match a {
                                        syn::FnArg::Typed(p) => {
                                            Some(format!("{}: {}", ty(&p.pat), ty(&p.ty)))
                                        }
                                        syn::FnArg::Receiver(_) => None,
                                    })
                                    .collect();
                                let _ = writeln!(
                                    out,
                                    "  {self_ty}::{}({})",
                                    f.sig.ident,
                                    args.join(", ")
                                );
                            }
                        }
                    }
                }
                Some((_, path, _)) => {
                    let name = path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default();
                    if matches!(name.as_str(), "Command" | "Syntax" | "Display") {
                        let detail = i
                            .items
                            .iter()
                            .find_map(|it| match it {
                                syn::ImplItem::Type(t) => {
                                    Some(format!(" (Response = {})", ty(&t.ty)))
                                }
                                _ => None,
                            })
                            .unwrap_or_default();
                        let _ = writeln!(out, "  impl {} for {self_ty}{detail}", ty(path));
                    }
                }
            }
        }
        syn::Item::Fn(f) => {
            let _ = writeln!(out, "fn {}", f.sig.ident);
        }
        _ => {}
    }
}
