//! Command-string formatters generated from syntax trees (commands and types with a syntax).
//!
//! Rendering follows upstream's Python line: an `Option` that is `Some` is sent, defaulted bools
//! only when they differ from the default, strings raw, arrays joined, `json(..)` compact.
//!
//! Every value is written at a [place](Rivals) the generator works out from the tree: the
//! optional parts before it that the core would try to read at the same point of the command
//! (their first texts, as far as the text written since makes them possible), and whether the
//! value ends the command. Free strings and enum values get that place as data and are checked
//! when rendered (`__private::push_str`); numbers, JSON, `on|off` and the fixed texts of types
//! are checked here, once, and a value that the core could misread whatever it is makes
//! generation fail.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens as path;
use crate::check::render;
use crate::ir::{Expr, HiddenPart, Prim, Syntax, TypeDef, TypeExpr, TypeKind};
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

/// Whether a value ends the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Something always follows.
    No,
    /// It is the last node of the command's tree.
    Yes,
    /// It is the last node of a type's tree: it ends the command when the type's value does
    /// (`place.rest` at run time).
    Outer,
}

impl End {
    fn and(self, last: bool) -> End {
        if last {
            self
        } else {
            End::No
        }
    }
}

/// What a value renders first: fixed text, then a value of some kind or the end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Start {
    text: String,
    next: Next,
}

/// What follows the fixed text a rendering starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Next {
    /// Nothing of this value.
    End,
    /// Digits (or `-`).
    Number,
    /// A JSON text.
    Json,
    /// `on` or `off`.
    Flag,
    /// A free string or an enum value: checked at run time.
    Free,
}

/// An optional part the core would try to read at an earlier point of the output than the
/// current one, while the text written since then still allows it.
#[derive(Debug, Clone)]
struct Rival {
    /// The fixed text the part begins with (up to its first value, or all of it).
    text: String,
    /// The part, in the plain line's notation.
    part: String,
    /// What has been written since the point where the core would try it.
    lead: String,
}

/// The optional parts the core could read at the current point, instead of what follows.
type Rivals = Vec<Rival>;

struct Gen<'m, 'a> {
    model: &'m ItemSpace<'a>,
    module: Module,
    env: BTreeMap<String, Bind>,
    fallible: bool,
    counter: usize,
    owner: String,
    /// Parts the core could read instead of what comes next.
    rivals: Rivals,
    /// Inside a type's syntax: nothing is written yet, so the place the value of the type is
    /// written at (`place` at run time) applies to what comes next.
    outer: bool,
    /// Parts of the command that the core reads though the docs do not show them.
    hidden: Vec<HiddenPart>,
    /// Hidden parts already placed in the tree.
    hidden_placed: BTreeSet<usize>,
    /// Advice for values whose start would be misread, by parameter.
    fixes: BTreeMap<String, String>,
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
        self.env.get(name).cloned().ok_or_else(|| {
            format!(
                "cannot generate the formatter of {}: the syntax uses `{name}`, which it does not have",
                self.owner
            )
        })
    }

    /// What `exprs` can render first, with the names bound now.
    fn starts_of(&self, exprs: &[Expr]) -> Vec<Start> {
        let names = Names {
            fields: self
                .env
                .iter()
                .map(|(k, b)| (k.clone(), b.ty.clone()))
                .collect(),
            tags: Vec::new(),
        };
        starts(self.model, exprs, &names, 0)
    }

    /// `e` in the plain line's notation, for errors.
    fn plain(&self, e: &Expr) -> String {
        let shape = |name: &str| match self.env.get(name).map(|b| b.ty.strip_optional()) {
            Some(TypeExpr::Ref { name }) => match self.model.def(name) {
                Some(d) if d.syntax.is_some() => render::Shape::WithSyntax,
                Some(TypeDef {
                    kind: TypeKind::Enum { values },
                    ..
                }) => render::Shape::Values(values.iter().map(|v| v.value.clone()).collect()),
                _ => render::Shape::Scalar,
            },
            _ => render::Shape::Scalar,
        };
        render::plain(std::slice::from_ref(e), &shape)
    }

    fn seq(&mut self, exprs: &[Expr], end: End) -> Result<TokenStream, String> {
        let mut out = TokenStream::new();
        for (i, e) in exprs.iter().enumerate() {
            self.place_hidden(e);
            let (rivals, outer) = (self.rivals.clone(), self.outer);
            out.extend(self.one(e, end.and(i + 1 == exprs.len()))?);
            (self.rivals, self.outer) = (rivals, outer);
            self.after(e)?;
        }
        Ok(out)
    }

    /// The hidden parts the core reads just before `e`, as rivals of what `e` renders.
    fn place_hidden(&mut self, e: &Expr) {
        for (i, h) in self.hidden.iter().enumerate() {
            if !self.hidden_placed.contains(&i) && mentions(e, &h.before) {
                self.hidden_placed.insert(i);
                for text in &h.texts {
                    self.rivals.push(Rival {
                        text: text.clone(),
                        part: h.shown.clone(),
                        lead: String::new(),
                    });
                }
            }
        }
    }

    /// Moves past `e`: its text narrows the rivals; a part that may render nothing becomes
    /// one (the core tries it where what follows starts); a value ends them all.
    fn after(&mut self, e: &Expr) -> Result<(), String> {
        if let Expr::Literal { text } = e {
            return self.advance(text);
        }
        let starts = self.starts_of(std::slice::from_ref(e));
        let absent = Start {
            text: String::new(),
            next: Next::End,
        };
        if starts.contains(&absent) {
            let part = self.plain(e);
            for s in starts.into_iter().filter(|s| *s != absent) {
                self.rivals.push(Rival {
                    text: s.text,
                    part: part.clone(),
                    lead: String::new(),
                });
            }
        } else {
            self.rivals.clear();
            self.outer = false;
        }
        Ok(())
    }

    /// Fixed text written: rivals that cannot begin with it are out; one that it completes
    /// means the docs' grammar is ambiguous.
    fn advance(&mut self, text: &str) -> Result<(), String> {
        self.outer = false;
        let mut kept = Vec::new();
        for mut r in std::mem::take(&mut self.rivals) {
            r.lead.push_str(text);
            if r.text.len() > r.lead.len() && r.text.starts_with(&r.lead) {
                kept.push(r);
            } else if r.lead.starts_with(&r.text) {
                return Err(format!(
                    "{}: the core would read `{}` where the syntax continues with `{text}`",
                    self.owner, r.part
                ));
            }
        }
        self.rivals = kept;
        Ok(())
    }

    /// The texts a value written now may not begin with, with the parts the core would read.
    fn tokens(&self, wire: &str) -> Result<Vec<(String, String)>, String> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in &self.rivals {
            let token = r.text.get(r.lead.len()..).unwrap_or_default();
            if token.is_empty() {
                return Err(format!(
                    "{}: the core cannot tell `{}` from `{wire}`: both begin with a value",
                    self.owner, r.part
                ));
            }
            if !out.iter().any(|(t, _)| t == token) {
                out.push((token.to_owned(), r.part.clone()));
            }
        }
        Ok(out)
    }

    /// Checks, once, a value that renders `starts` against the rivals. Returns the texts a
    /// free value at its start must be checked against when rendered.
    fn check_starts(&self, starts: &[Start], wire: &str) -> Result<Vec<(String, String)>, String> {
        let mut runtime = Vec::new();
        for (token, part) in self.tokens(wire)? {
            for s in starts {
                let clash = if !s.text.is_empty() && s.text.starts_with(&token) {
                    true
                } else if let Some(rest) = token.strip_prefix(s.text.as_str()) {
                    match s.next {
                        Next::End => false,
                        Next::Number => rest.starts_with(|c: char| c.is_ascii_digit() || c == '-'),
                        Next::Json => json_may_start(rest),
                        Next::Flag => ["on", "off"]
                            .iter()
                            .any(|w| w.starts_with(rest) || rest.starts_with(w)),
                        Next::Free if s.text.is_empty() => {
                            if !runtime.iter().any(|(t, _)| *t == token) {
                                runtime.push((token.clone(), part.clone()));
                            }
                            false
                        }
                        Next::Free => {
                            return Err(format!(
                                "{}: `{wire}` can begin with `{}` and a free value, and the core \
                                 could read `{part}` there: not supported",
                                self.owner, s.text
                            ))
                        }
                    }
                } else {
                    false
                };
                if clash {
                    let what = match (s.text.is_empty(), s.next) {
                        (false, _) => format!("`{}`", s.text),
                        (true, Next::Number) => "a number".to_owned(),
                        (true, Next::Json) => "JSON".to_owned(),
                        (true, Next::Flag) => "`on` or `off`".to_owned(),
                        (true, _) => "a value".to_owned(),
                    };
                    return Err(format!(
                        "{}: `{wire}` can begin with {what}, which the core would read as `{part}`",
                        self.owner
                    ));
                }
            }
        }
        Ok(runtime)
    }

    /// The `&Place` a value is written at: the texts it may not begin with, whether it ends the
    /// command, the advice for its parameter; at the start of a type's syntax, the run-time
    /// `place` of the type's value.
    fn place_for(
        &self,
        wire: &str,
        end: End,
        tokens: &[(String, String)],
        outer: bool,
    ) -> Result<TokenStream, String> {
        let rt = rt();
        let rest = match end {
            End::No => quote!(false),
            End::Yes => quote!(true),
            End::Outer => quote!(place.rest),
        };
        if outer {
            if !tokens.is_empty() {
                return Err(format!(
                    "{}: `{wire}` begins the syntax after optional parts: not supported",
                    self.owner
                ));
            }
            return Ok(match end {
                End::Outer => quote!(place),
                _ => quote!(&place.first_word()),
            });
        }
        if tokens.is_empty() {
            return Ok(match end {
                End::No => quote!(&#rt::Place::WORD),
                End::Yes => quote!(&#rt::Place::REST),
                End::Outer => quote!(&place.end()),
            });
        }
        let fix = match self.fixes.get(wire).filter(|_| !tokens.is_empty()) {
            Some(f) => {
                let some = self.p("Some");
                quote!(#some(#f))
            }
            None => self.p("None"),
        };
        let not_first = tokens.iter().map(|(t, p)| quote!((#t, #p)));
        Ok(quote!(&#rt::Place { not_first: &[#(#not_first),*], rest: #rest, fix: #fix }))
    }

    fn one(&mut self, e: &Expr, end: End) -> Result<TokenStream, String> {
        let rt = rt();
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
                self.check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                self.fallible = true;
                let (expr, wire) = (&b.expr, &b.wire);
                quote!(#rt::push_json(out, &#expr, #wire)?;)
            }
            Expr::Join { name, sep } => {
                let b = self.bind(name)?;
                let TypeExpr::Array { item } = &b.ty else {
                    return Err(format!(
                        "{}: `{name}` is joined but is not an array",
                        self.owner
                    ));
                };
                if !matches!(&**item, TypeExpr::Prim { prim } if prim.is_number()) {
                    return Err(format!(
                        "{}: `{name}` joins values that are not numbers: an item holding `{sep}` \
                         would be read as two, which is not supported",
                        self.owner
                    ));
                }
                self.check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
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
                self.check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                let expr = &b.expr;
                quote!(#rt::on_off(out, #expr);)
            }
            Expr::OnOffParam { key, name, default } => {
                let b = self.bind(name)?;
                self.check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
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
                        self.owner
                    ));
                };
                let v = self.fresh();
                let saved = self.env.insert(
                    name.clone(),
                    Bind {
                        expr: quote!(#v),
                        ty: (**inner).clone(),
                        wire: b.wire.clone(),
                    },
                );
                let (rivals, outer) = (self.rivals.clone(), self.outer);
                let some_code = self.seq(some, end);
                match saved {
                    Some(s) => self.env.insert(name.clone(), s),
                    None => self.env.remove(name),
                };
                let some_code = some_code?;
                (self.rivals, self.outer) = (rivals, outer);
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
                        self.owner
                    )
                })?;
                let info = self
                    .model
                    .info(&def.name)
                    .ok_or_else(|| format!("{}: no type `{}`", self.owner, def.name))?;
                let path = path(&self.model.type_path(&def.name, self.module));
                let tags: Vec<&str> = match &def.kind {
                    TypeKind::Enum { values } => values.iter().map(|v| v.value.as_str()).collect(),
                    TypeKind::Union { members } => members.iter().map(|m| m.tag.as_str()).collect(),
                    TypeKind::Record { .. } | TypeKind::Opaque => {
                        return Err(format!("{}: choice on record `{name}`", self.owner))
                    }
                };
                let is_union = matches!(def.kind, TypeKind::Union { .. });
                let (rivals, outer) = (self.rivals.clone(), self.outer);
                let mut arms = TokenStream::new();
                for a in alternatives {
                    let idx = tags.iter().position(|t| *t == a.tag).ok_or_else(|| {
                        format!(
                            "{}: choice on `{name}` names unknown value `{}`",
                            self.owner, a.tag
                        )
                    })?;
                    let (variant, unit) = variant_of(&info.shape, idx);
                    let variant = format_ident!("{}", variant);
                    (self.rivals, self.outer) = (rivals.clone(), outer);
                    let code = self.seq(&a.expr, end)?;
                    if is_union && !unit {
                        arms.extend(quote!(#path::#variant(_) => { #code }));
                    } else {
                        arms.extend(quote!(#path::#variant => { #code }));
                    }
                }
                (self.rivals, self.outer) = (rivals, outer);
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
                self.check_starts(&[start], wire)?;
                quote!(#rt::push_num(out, #expr);)
            }
            TypeExpr::Prim { prim: Prim::String } => {
                self.fallible = true;
                let place = self.place_for(wire, end, &self.tokens(wire)?, self.outer)?;
                quote!(#rt::push_str(out, #expr, #wire, #place)?;)
            }
            TypeExpr::Prim {
                prim: Prim::UtcTime,
            } => {
                self.fallible = true;
                let place = self.place_for(wire, end, &self.tokens(wire)?, self.outer)?;
                quote!(#rt::push_time(out, #expr, #wire, #place)?;)
            }
            TypeExpr::Ref { name } => {
                let def = self.model.def(name).ok_or_else(|| {
                    format!(
                        "{}: `{wire}` has type `{name}`, which TYPES.md does not define",
                        self.owner
                    )
                })?;
                self.fallible = true;
                if let Some(syntax) = &def.syntax {
                    let starts = starts(self.model, &syntax.expr, &Names::of_type(def), 0);
                    let runtime = self.check_starts(&starts, wire)?;
                    let free_first = starts
                        .iter()
                        .any(|s| s.text.is_empty() && s.next == Next::Free);
                    let place = self.place_for(wire, end, &runtime, self.outer && free_first)?;
                    let syntax = self.p("Syntax");
                    quote!(#syntax::write_syntax(#expr, out, #wire, #place)?;)
                } else if matches!(def.kind, TypeKind::Enum { .. }) {
                    let path = path(&self.model.type_path(name, self.module));
                    let place = self.place_for(wire, end, &self.tokens(wire)?, self.outer)?;
                    quote!(#rt::push_enum(out, #path::as_str(#expr), #wire, #place)?;)
                } else {
                    return Err(format!(
                        "{}: `{wire}` of type `{name}` is rendered as a plain value, but `{name}` has no syntax",
                        self.owner
                    ));
                }
            }
            other => {
                return Err(format!(
                    "{}: `{wire}` of type `{other}` cannot be rendered as a plain value",
                    self.owner
                ))
            }
        })
    }
}

/// The types of the names a tree uses, for [`starts`].
struct Names {
    fields: BTreeMap<String, TypeExpr>,
    /// The values of `self` (an enum's) or `type` (a union's tags), in a type's syntax.
    tags: Vec<String>,
}

impl Names {
    /// The names of a type's syntax: its fields (every member's, for a union) and its values.
    fn of_type(def: &TypeDef) -> Names {
        let (fields, tags) = match &def.kind {
            TypeKind::Record { fields } => (
                fields
                    .iter()
                    .map(|f| (f.name.clone(), f.ty.clone()))
                    .collect(),
                Vec::new(),
            ),
            TypeKind::Enum { values } => (
                BTreeMap::new(),
                values.iter().map(|v| v.value.clone()).collect(),
            ),
            TypeKind::Union { members } => (
                members
                    .iter()
                    .flat_map(|m| m.fields.iter().map(|f| (f.name.clone(), f.ty.clone())))
                    .collect(),
                members.iter().map(|m| m.tag.clone()).collect(),
            ),
            TypeKind::Opaque => (BTreeMap::new(), Vec::new()),
        };
        Names { fields, tags }
    }
}

/// Types nest in each other's syntax at most this deep (a cycle stops here).
const MAX_DEPTH: usize = 8;

/// What `exprs` can render first: each possible fixed text, with what follows it (a value of
/// some kind, or the end). A rendering that can be empty has a start with no text and `End`.
fn starts(model: &ItemSpace<'_>, exprs: &[Expr], names: &Names, depth: usize) -> Vec<Start> {
    let Some((e, rest)) = exprs.split_first() else {
        return vec![Start {
            text: String::new(),
            next: Next::End,
        }];
    };
    let text = |t: &str| Start {
        text: t.to_owned(),
        next: Next::End,
    };
    let value = |next| Start {
        text: String::new(),
        next,
    };
    let kind = |ty: &TypeExpr| -> Vec<Start> {
        match ty.strip_optional() {
            TypeExpr::Prim { prim } if prim.is_number() => vec![value(Next::Number)],
            TypeExpr::Ref { name } => match model.def(name) {
                Some(def) if depth < MAX_DEPTH => match &def.syntax {
                    Some(s) => starts(model, &s.expr, &Names::of_type(def), depth + 1),
                    None => vec![value(Next::Free)],
                },
                _ => vec![value(Next::Free)],
            },
            _ => vec![value(Next::Free)],
        }
    };
    let first: Vec<Start> = match e {
        Expr::Literal { text: t } => vec![text(t)],
        Expr::OnOff { .. } => vec![value(Next::Flag)],
        Expr::OnOffParam { key, name, default } => {
            let mut v = vec![Start {
                text: format!(" {key}="),
                next: Next::Flag,
            }];
            let optional = names.fields.get(name).is_some_and(TypeExpr::is_optional);
            if default.is_some() || optional {
                v.push(text(""));
            }
            v
        }
        Expr::Optional { some, none, .. } => {
            let mut v = starts(model, some, names, depth);
            v.extend(starts(model, none, names, depth));
            v
        }
        Expr::Choice {
            alternatives,
            otherwise,
            ..
        } => {
            let mut v = starts(model, otherwise, names, depth);
            for a in alternatives {
                v.extend(starts(model, &a.expr, names, depth));
            }
            v
        }
        Expr::Json { .. } => vec![value(Next::Json)],
        Expr::Join { name, .. } => match names.fields.get(name) {
            Some(TypeExpr::Array { item }) => kind(item),
            _ => vec![value(Next::Free)],
        },
        Expr::Param { name } if (name == "self" || name == "type") && !names.tags.is_empty() => {
            names.tags.iter().map(|t| text(t)).collect()
        }
        Expr::Param { name } => match names.fields.get(name) {
            Some(ty) => kind(ty),
            None => vec![value(Next::Free)],
        },
    };
    let mut out = Vec::new();
    let mut then: Option<Vec<Start>> = None;
    for s in first {
        if s.next == Next::End {
            let after = then.get_or_insert_with(|| starts(model, rest, names, depth));
            for a in after.iter() {
                out.push(Start {
                    text: format!("{}{}", s.text, a.text),
                    next: a.next,
                });
            }
        } else {
            out.push(s);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// True when a JSON text could begin with `text` (or with a prefix of it that is a whole
/// JSON value, such as `null` of `nullx`).
fn json_may_start(text: &str) -> bool {
    match text.chars().next() {
        None => false,
        Some(c) if "{[\"-0123456789".contains(c) => true,
        Some(_) => ["true", "false", "null"]
            .iter()
            .any(|w| w.starts_with(text) || text.starts_with(w)),
    }
}

/// True when a node of `e` reads `param`.
fn mentions(e: &Expr, param: &str) -> bool {
    let mut found = false;
    e.walk(&mut |n| found |= n.param_name() == Some(param));
    found
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
        owner: format!("command `{command}`"),
        rivals: Vec::new(),
        outer: false,
        hidden: syntax.hidden_parts.clone(),
        hidden_placed: BTreeSet::new(),
        fixes: syntax
            .safe_forms
            .iter()
            .map(|f| (f.param.clone(), f.advice.clone()))
            .collect(),
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
        owner: owner.clone(),
        rivals: Vec::new(),
        outer: true,
        hidden: Vec::new(),
        hidden_placed: BTreeSet::new(),
        fixes: BTreeMap::new(),
    };
    // Each arm starts at the start of the value.
    let arm = |g: &mut Gen<'_, '_>, tree: &[Expr]| {
        g.rivals.clear();
        g.outer = true;
        g.seq(tree, End::Outer)
    };
    let err = g.p("Err");
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
                let code = arm(&mut g, &specialize(&syntax.expr, &m.tag))?;
                if unit {
                    arms.extend(quote!(Self::#variant => { #code }));
                } else {
                    arms.extend(quote!(Self::#variant(m) => { #code }));
                }
            }
            quote!(match self { #arms #unknown })
        }
    };
    let (syntax_trait, command_error) = (g.p("Syntax"), g.p("CommandError"));
    let (string, result, ok) = (g.p("String"), g.p("Result"), g.p("Ok"));
    Ok(quote! {
        impl #syntax_trait for #name {
            #[allow(unused_variables)]
            fn write_syntax(&self, out: &mut #string, param: &'static str, place: &#rt::Place) -> #result<(), #command_error> {
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
