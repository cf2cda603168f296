//! The public API surface of generated code, as compact text: the part of the generated crate a
//! user sees (structs and their fields, enums and their variants, constructors and setters,
//! command strings, trait impls that matter), without the serde plumbing. Snapshotted per doc
//! set, so that an upstream change shows up as a small, readable diff.

use std::fmt::Write;

use quote::ToTokens;

use super::Files;

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
            item_surface(item, &mut out);
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
        "::simplex_api_types::runtime::",
        "::serde_json::",
        "super::types::",
        "super::responses::",
        "::std::fmt::",
        "::std::convert::",
    ] {
        s = s.replace(prefix, "");
    }
    s.replace(',', ", ")
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

fn item_surface(item: &syn::Item, out: &mut String) {
    match item {
        syn::Item::Struct(s) => {
            let _ = writeln!(out, "struct {}", s.ident);
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
            let _ = writeln!(out, "enum {}", e.ident);
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
            let self_ty = ty(&i.self_ty);
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
