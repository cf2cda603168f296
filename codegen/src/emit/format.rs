//! Command-string formatters generated from syntax trees (commands and types with a syntax).
//!
//! Rendering follows upstream's Python line: an `Option` that is `Some` is sent, defaulted bools
//! only when they differ from the default, strings raw, arrays joined, `json(..)` compact.
//!
//! The formatter walks the tree with a [`Reader`] of the model, which says at each value what
//! the core could read there instead ([`crate::model::misread`]); this module prints the code
//! for each node and passes that place on to the runtime's checks.

use std::cell::Cell;
use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens as path;
use crate::ir::{Expr, Prim, Syntax, TypeDef, TypeExpr, TypeKind};
use crate::model::misread::{starts, End, Names, Next, Place, Reader, Start};
use crate::model::{FieldItem, ItemSpace, Module, Shape};

/// A name the tree can use: an expression for its value and the value's type.
///
/// For an optional type the expression is an `Option<&T>`; otherwise a `&T`.
#[derive(Debug, Clone)]
struct Bind {
    expr: TokenStream,
    ty: TypeExpr,
    wire: String,
}

struct Gen<'m, 'a> {
    model: &'m ItemSpace<'a>,
    module: Module,
    env: BTreeMap<String, Bind>,
    fallible: bool,
    counter: usize,
    /// What the core could read at the current point.
    reader: Reader,
    /// Which of the bindings of `write_syntax` the code written so far uses.
    used: Used,
}

/// Which bindings of a type's `write_syntax` its code uses, so that an unused one is written
/// with a leading `_`.
#[derive(Debug, Default)]
struct Used {
    /// `out`: something is written.
    out: Cell<bool>,
    /// `place`: a value is written at the place of the type's value.
    place: Cell<bool>,
    /// A field of the value is read (`m.x` in a union's arm).
    field: Cell<bool>,
}

/// `name`, or `_name` when it is not used.
fn binding(name: &str, used: bool) -> Ident {
    if used {
        format_ident!("{name}")
    } else {
        format_ident!("_{name}")
    }
}

fn rt() -> TokenStream {
    quote!(__private)
}

/// Binds struct fields (`self.x`) for a tree.
fn bind_fields(fields: &[FieldItem], base: TokenStream) -> BTreeMap<String, Bind> {
    fields
        .iter()
        .map(|f| {
            let ident = path(&f.ident);
            let expr = match (f.optional(), f.boxed) {
                (true, true) => quote!(#base.#ident.as_deref()),
                (true, false) => quote!(#base.#ident.as_ref()),
                (false, true) => quote!(&*#base.#ident),
                (false, false) => quote!(&#base.#ident),
            };
            (
                f.wire.clone(),
                Bind {
                    expr,
                    ty: f.ty.clone(),
                    wire: f.wire.clone(),
                },
            )
        })
        .collect()
}

/// Replaces choices on `self`/`type` and the `type`/`self` parameter by what `value` selects.
fn specialize(exprs: &[Expr], value: &str) -> Vec<Expr> {
    let mut out = Vec::new();
    for e in exprs {
        match e {
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } if name == "self" || name == "type" => {
                let chosen = alternatives
                    .iter()
                    .find(|a| a.tag == value)
                    .map_or(otherwise, |a| &a.expr);
                out.extend(specialize(chosen, value));
            }
            Expr::Param { name } if name == "self" || name == "type" => {
                out.push(Expr::lit(value));
            }
            Expr::Optional { name, some, none } => out.push(Expr::Optional {
                name: name.clone(),
                some: specialize(some, value),
                none: specialize(none, value),
            }),
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => out.push(Expr::Choice {
                name: name.clone(),
                alternatives: alternatives
                    .iter()
                    .map(|a| crate::ir::Alternative {
                        tag: a.tag.clone(),
                        expr: specialize(&a.expr, value),
                    })
                    .collect(),
                otherwise: specialize(otherwise, value),
            }),
            other => out.push(other.clone()),
        }
    }
    crate::ir::normalize(out)
}

impl Gen<'_, '_> {
    /// A std or runtime name, as the item space writes it.
    fn p(&self, short: &str) -> TokenStream {
        path(&self.model.std(short))
    }

    fn fresh(&mut self) -> Ident {
        self.counter += 1;
        format_ident!("v{}", self.counter)
    }

    fn bind(&self, name: &str) -> Result<Bind, String> {
        self.used.field.set(true);
        self.env.get(name).cloned().ok_or_else(|| {
            format!(
                "cannot generate the formatter of {}: the syntax uses `{name}`, which it does not have",
                self.reader.owner
            )
        })
    }

    /// The types of the names bound now.
    fn names(&self) -> Names {
        Names {
            fields: self
                .env
                .iter()
                .map(|(k, b)| (k.clone(), b.ty.clone()))
                .collect(),
            tags: Vec::new(),
        }
    }

    /// What `exprs` can render first, with the names bound now.
    fn starts_of(&self, exprs: &[Expr]) -> Vec<Start> {
        starts(self.model, exprs, &self.names(), 0)
    }

    /// The `&Place` a value is written at, as the runtime takes it.
    fn place_for(
        &self,
        wire: &str,
        end: End,
        tokens: &[(String, String)],
        outer: bool,
    ) -> Result<TokenStream, String> {
        let rt = rt();
        let place = self.reader.place(wire, end, tokens, outer)?;
        if matches!(
            place,
            Place::Outer
                | Place::OuterFirstWord
                | Place::OuterEnd
                | Place::Checked {
                    rest: End::Outer,
                    ..
                }
        ) {
            self.used.place.set(true);
        }
        Ok(match place {
            Place::Outer => quote!(place),
            Place::OuterFirstWord => quote!(&place.first_word()),
            Place::Word => quote!(&#rt::Place::WORD),
            Place::Rest => quote!(&#rt::Place::REST),
            Place::OuterEnd => quote!(&place.end()),
            Place::Checked {
                not_first,
                rest,
                fix,
            } => {
                let rest = match rest {
                    End::No => quote!(false),
                    End::Yes => quote!(true),
                    End::Outer => quote!(place.rest),
                };
                let fix = match fix {
                    Some(f) => {
                        let some = self.p("Some");
                        quote!(#some(#f))
                    }
                    None => self.p("None"),
                };
                let not_first = not_first.iter().map(|(t, p)| quote!((#t, #p)));
                quote!(&#rt::Place { not_first: &[#(#not_first),*], rest: #rest, fix: #fix })
            }
        })
    }

    fn seq(&mut self, exprs: &[Expr], end: End) -> Result<TokenStream, String> {
        let mut out = TokenStream::new();
        for (i, e) in exprs.iter().enumerate() {
            self.reader.place_hidden(e);
            let saved = self.reader.save();
            out.extend(self.one(e, end.and(i + 1 == exprs.len()))?);
            self.reader.restore(saved);
            self.reader.after(self.model, e, &self.names())?;
        }
        Ok(out)
    }

    fn one(&mut self, e: &Expr, end: End) -> Result<TokenStream, String> {
        let rt = rt();
        if !matches!(e, Expr::Optional { .. } | Expr::Choice { .. }) {
            // Every other node writes to `out`.
            self.used.out.set(true);
        }
        Ok(match e {
            Expr::Literal { text } => match single_char(text) {
                Some(c) => quote!(out.push(#c);),
                None => quote!(out.push_str(#text);),
            },
            Expr::Param { name } => {
                let b = self.bind(name)?;
                self.value(&b, end)?
            }
            Expr::Json { name } => {
                let b = self.bind(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                self.fallible = true;
                let (expr, wire) = (&b.expr, &b.wire);
                quote!(#rt::push_json(out, &#expr, #wire)?;)
            }
            Expr::Join { name, sep } => {
                let b = self.bind(name)?;
                let TypeExpr::Array { item } = &b.ty else {
                    return Err(format!(
                        "{}: `{name}` is joined but is not an array",
                        self.reader.owner
                    ));
                };
                if !matches!(&**item, TypeExpr::Prim { prim } if prim.is_number()) {
                    return Err(format!(
                        "{}: `{name}` joins values that are not numbers: an item holding `{sep}` \
                         would be read as two, which is not supported",
                        self.reader.owner
                    ));
                }
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                let v = self.fresh();
                let i = self.fresh();
                let item_code = self.value(
                    &Bind {
                        expr: quote!(#v),
                        ty: (**item).clone(),
                        wire: b.wire.clone(),
                    },
                    End::No,
                )?;
                let expr = &b.expr;
                let push_sep = match single_char(sep) {
                    Some(c) => quote!(out.push(#c);),
                    None => quote!(out.push_str(#sep);),
                };
                quote! {
                    for (#i, #v) in IntoIterator::into_iter(#expr).enumerate() {
                        if #i > 0 {
                            #push_sep
                        }
                        #item_code
                    }
                }
            }
            Expr::OnOff { name } => {
                let b = self.bind(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                let expr = &b.expr;
                quote!(#rt::on_off(out, #expr);)
            }
            Expr::OnOffParam { key, name, default } => {
                let b = self.bind(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                let expr = &b.expr;
                match default {
                    Some(false) => {
                        let on = format!(" {key}=on");
                        quote!(#rt::flag(out, #expr, true, #on);)
                    }
                    Some(true) => {
                        let off = format!(" {key}=off");
                        quote!(#rt::flag(out, #expr, false, #off);)
                    }
                    None => {
                        let prefix = format!(" {key}=");
                        quote!(#rt::opt_on_off(out, #expr, #prefix);)
                    }
                }
            }
            Expr::Optional { name, some, none } => {
                let b = self.bind(name)?;
                let TypeExpr::Optional { inner } = &b.ty else {
                    return Err(format!(
                        "{}: optional part on `{name}`, which is not optional",
                        self.reader.owner
                    ));
                };
                let v = self.fresh();
                let shadowed = self.env.insert(
                    name.clone(),
                    Bind {
                        expr: quote!(#v),
                        ty: (**inner).clone(),
                        wire: b.wire.clone(),
                    },
                );
                let saved = self.reader.save();
                let some_code = self.seq(some, end);
                match shadowed {
                    Some(s) => self.env.insert(name.clone(), s),
                    None => self.env.remove(name),
                };
                let some_code = some_code?;
                self.reader.restore(saved);
                let none_code = self.seq(none, end)?;
                let expr = &b.expr;
                let (some, none_path) = (self.p("Some"), self.p("None"));
                if none.is_empty() {
                    quote! {
                        if let #some(#v) = #expr { #some_code }
                    }
                } else {
                    quote! {
                        match #expr {
                            #some(#v) => { #some_code }
                            #none_path => { #none_code }
                        }
                    }
                }
            }
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => {
                let b = self.bind(name)?;
                let def = self.model.type_def(&b.ty).ok_or_else(|| {
                    format!(
                        "{}: choice on `{name}`, which is not an enum or union",
                        self.reader.owner
                    )
                })?;
                let info = self
                    .model
                    .info(&def.name)
                    .ok_or_else(|| format!("{}: no type `{}`", self.reader.owner, def.name))?;
                let path = path(&self.model.type_path(&def.name, self.module));
                let tags: Vec<&str> = match &def.kind {
                    TypeKind::Enum { values } => values.iter().map(|v| v.value.as_str()).collect(),
                    TypeKind::Union { members } => members.iter().map(|m| m.tag.as_str()).collect(),
                    TypeKind::Record { .. } | TypeKind::Opaque => {
                        return Err(format!("{}: choice on record `{name}`", self.reader.owner))
                    }
                };
                let is_union = matches!(def.kind, TypeKind::Union { .. });
                let saved = self.reader.save();
                let mut arms = TokenStream::new();
                for a in alternatives {
                    let idx = tags.iter().position(|t| *t == a.tag).ok_or_else(|| {
                        format!(
                            "{}: choice on `{name}` names unknown value `{}`",
                            self.reader.owner, a.tag
                        )
                    })?;
                    let (variant, unit) = variant_of(&info.shape, idx);
                    let variant = format_ident!("{}", variant);
                    self.reader.restore(saved.clone());
                    let code = self.seq(&a.expr, end)?;
                    if is_union && !unit {
                        arms.extend(quote!(#path::#variant(_) => { #code }));
                    } else {
                        arms.extend(quote!(#path::#variant => { #code }));
                    }
                }
                self.reader.restore(saved);
                let other = self.seq(otherwise, end)?;
                self.fallible = true;
                let (expr, wire) = (&b.expr, &b.wire);
                let err = self.p("Err");
                quote! {
                    match #expr {
                        #arms
                        #path::Undocumented(v) => return #err(#rt::unrepresentable(#wire, v)),
                        #[allow(unreachable_patterns)]
                        _ => { #other }
                    }
                }
            }
        })
    }

    fn value(&mut self, b: &Bind, end: End) -> Result<TokenStream, String> {
        let rt = rt();
        let (expr, wire) = (&b.expr, &b.wire);
        Ok(match &b.ty {
            TypeExpr::Optional { inner } => {
                // Rendered as if required (upstream's Python raises for `None` here).
                let v = self.fresh();
                let code = self.value(
                    &Bind {
                        expr: quote!(#v),
                        ty: (**inner).clone(),
                        wire: wire.clone(),
                    },
                    end,
                )?;
                self.fallible = true;
                let (some, none, err) = (self.p("Some"), self.p("None"), self.p("Err"));
                let command_error = self.p("CommandError");
                quote! {
                    match #expr {
                        #some(#v) => { #code }
                        #none => return #err(#command_error::Missing { param: #wire }),
                    }
                }
            }
            TypeExpr::Prim { prim } if prim.is_number() => {
                let start = Start {
                    text: String::new(),
                    next: Next::Number,
                };
                self.reader.check_starts(&[start], wire)?;
                quote!(#rt::push_num(out, #expr);)
            }
            TypeExpr::Prim { prim: Prim::String } => {
                self.fallible = true;
                let place =
                    self.place_for(wire, end, &self.reader.tokens(wire)?, self.reader.outer())?;
                quote!(#rt::push_str(out, #expr, #wire, #place)?;)
            }
            TypeExpr::Prim {
                prim: Prim::UtcTime,
            } => {
                self.fallible = true;
                let place =
                    self.place_for(wire, end, &self.reader.tokens(wire)?, self.reader.outer())?;
                quote!(#rt::push_time(out, #expr, #wire, #place)?;)
            }
            TypeExpr::Ref { name } => {
                let def = self.model.def(name).ok_or_else(|| {
                    format!(
                        "{}: `{wire}` has type `{name}`, which TYPES.md does not define",
                        self.reader.owner
                    )
                })?;
                self.fallible = true;
                if let Some(syntax) = &def.syntax {
                    let starts = starts(self.model, &syntax.expr, &Names::of_type(def), 0);
                    let runtime = self.reader.check_starts(&starts, wire)?;
                    let free_first = starts
                        .iter()
                        .any(|s| s.text.is_empty() && s.next == Next::Free);
                    let place =
                        self.place_for(wire, end, &runtime, self.reader.outer() && free_first)?;
                    let syntax = self.p("Syntax");
                    quote!(#syntax::write_syntax(#expr, out, #wire, #place)?;)
                } else if matches!(def.kind, TypeKind::Enum { .. }) {
                    let path = path(&self.model.type_path(name, self.module));
                    let place =
                        self.place_for(wire, end, &self.reader.tokens(wire)?, self.reader.outer())?;
                    quote!(#rt::push_enum(out, #path::as_str(#expr), #wire, #place)?;)
                } else {
                    return Err(format!(
                        "{}: `{wire}` of type `{name}` is rendered as a plain value, but `{name}` has no syntax",
                        self.reader.owner
                    ));
                }
            }
            other => {
                return Err(format!(
                    "{}: `{wire}` of type `{other}` cannot be rendered as a plain value",
                    self.reader.owner
                ))
            }
        })
    }
}

/// The body of a command's `write_command` and whether it can fail.
pub fn command_body(
    model: &ItemSpace<'_>,
    command: &str,
    syntax: &Syntax,
    fields: &[FieldItem],
) -> Result<(TokenStream, bool), String> {
    let mut g = Gen {
        model,
        module: Module::Commands,
        env: bind_fields(fields, quote!(self)),
        fallible: false,
        counter: 0,
        reader: Reader::command(format!("command `{command}`"), syntax),
        used: Used::default(),
    };
    let body = g.seq(&syntax.expr, End::Yes)?;
    Ok((body, g.fallible))
}

/// The variant name of value or member `idx` of an enum or union, and whether it is a unit.
fn variant_of(shape: &Shape, idx: usize) -> (String, bool) {
    match shape {
        Shape::Enum { variants } => (variants.get(idx).cloned().unwrap_or_default(), true),
        Shape::Union { members, .. } => members
            .get(idx)
            .map_or((String::new(), true), |m| (m.variant.clone(), m.unit)),
        Shape::Record | Shape::Opaque => (String::new(), true),
    }
}

/// `impl Syntax for T` for a type with a `**Syntax**` section.
pub fn type_syntax(
    model: &ItemSpace<'_>,
    t: &TypeDef,
    syntax: &Syntax,
) -> Result<TokenStream, String> {
    let rt = rt();
    let info = model
        .info(&t.name)
        .ok_or_else(|| format!("no Rust name for type `{}`", t.name))?;
    let name = format_ident!("{}", info.rust);
    let owner = format!("type `{}`", t.name);
    let mut g = Gen {
        model,
        module: Module::Types,
        env: BTreeMap::new(),
        fallible: true,
        counter: 0,
        reader: Reader::value_of_type(owner.clone()),
        used: Used::default(),
    };
    // Each arm starts at the start of the value.
    let arm = |g: &mut Gen<'_, '_>, tree: &[Expr]| {
        g.reader.at_value_start();
        g.seq(tree, End::Outer)
    };
    let err = g.p("Err");
    // Enums and unions report a value they cannot write under the parameter's name.
    let param_used = matches!(t.kind, TypeKind::Enum { .. } | TypeKind::Union { .. });
    let unknown = quote! {
        Self::Undocumented(v) => return #err(#rt::unrepresentable(param, v)),
    };
    let body = match &t.kind {
        TypeKind::Opaque => {
            return Err(format!(
                "type `{}` has a syntax but no kind section: its formatter cannot be generated",
                t.name
            ))
        }
        TypeKind::Record { fields } => {
            let specs = model.fields(&t.name, fields);
            g.env = bind_fields(&specs, quote!(self));
            arm(&mut g, &syntax.expr)?
        }
        TypeKind::Enum { values } => {
            let mut arms = TokenStream::new();
            for (i, v) in values.iter().enumerate() {
                let variant = format_ident!("{}", variant_of(&info.shape, i).0);
                let code = arm(&mut g, &specialize(&syntax.expr, &v.value))?;
                arms.extend(quote!(Self::#variant => { #code }));
            }
            quote!(match self { #arms #unknown })
        }
        TypeKind::Union { members } => {
            let mut arms = TokenStream::new();
            for (i, m) in members.iter().enumerate() {
                let (variant, unit) = variant_of(&info.shape, i);
                let variant = format_ident!("{}", variant);
                let specs = model.member_fields(t, m);
                g.env = bind_fields(&specs, quote!(m));
                g.used.field.set(false);
                let code = arm(&mut g, &specialize(&syntax.expr, &m.tag))?;
                if unit {
                    arms.extend(quote!(Self::#variant => { #code }));
                } else if g.used.field.get() {
                    arms.extend(quote!(Self::#variant(m) => { #code }));
                } else {
                    arms.extend(quote!(Self::#variant(_) => { #code }));
                }
            }
            quote!(match self { #arms #unknown })
        }
    };
    let (syntax_trait, command_error) = (g.p("Syntax"), g.p("CommandError"));
    let (string, result, ok) = (g.p("String"), g.p("Result"), g.p("Ok"));
    let out = binding("out", g.used.out.get());
    let param = binding("param", param_used);
    let place = binding("place", g.used.place.get());
    Ok(quote! {
        impl #syntax_trait for #name {
            fn write_syntax(&self, #out: &mut #string, #param: &'static str, #place: &#rt::Place) -> #result<(), #command_error> {
                #body
                #ok(())
            }
        }
    })
}

/// The character of a one-character literal (pushed with `push`).
fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}
