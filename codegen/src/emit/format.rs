//! Command-string formatters printed from the model's plans (commands and types with a syntax).
//!
//! Rendering follows upstream's Python line: an `Option` that is `Some` is sent, defaulted bools
//! only when they differ from the default, strings raw, arrays joined, `json(..)` compact.
//!
//! Every decision is in the plan ([`crate::model::plan`]): how each value is written and the
//! place it is checked at ([`crate::model::misread`]). This module prints the code for each step
//! and the runtime's `&Place` for each place.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens as path;
use crate::ir::TypeDef;
use crate::model::misread::{End, Place};
use crate::model::plan::{Arm, Step, TypePlan, Uses, Write};
use crate::model::{FieldItem, ItemSpace, Module};

/// A name the plan can use: an expression for its value and its wire name.
///
/// For an optional value the expression is an `Option<&T>`; otherwise a `&T`.
#[derive(Debug, Clone)]
struct Bind {
    expr: TokenStream,
    wire: String,
}

struct Printer<'m, 'a> {
    model: &'m ItemSpace<'a>,
    module: Module,
    env: BTreeMap<String, Bind>,
    fallible: bool,
    counter: usize,
    /// What the plan belongs to, for errors.
    owner: String,
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

/// Binds struct fields (`self.x`) for a plan.
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
                    wire: f.wire.clone(),
                },
            )
        })
        .collect()
}

impl Printer<'_, '_> {
    /// A std or runtime name, as the item space writes it.
    fn p(&self, short: &str) -> TokenStream {
        path(&self.model.std(short))
    }

    fn fresh(&mut self) -> Ident {
        self.counter += 1;
        format_ident!("v{}", self.counter)
    }

    /// The binding of `name`; the plan only uses names it was made with, so a missing one is
    /// the emitter's bug.
    fn bind(&self, name: &str) -> Result<Bind, String> {
        self.env.get(name).cloned().ok_or_else(|| {
            format!(
                "internal: the formatter plan of {} uses `{name}`, which is not bound",
                self.owner
            )
        })
    }

    /// The `&Place` a value is written at, as the runtime takes it.
    fn place(&self, place: &Place) -> TokenStream {
        let rt = rt();
        match place {
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
        }
    }

    fn seq(&mut self, steps: &[Step]) -> Result<TokenStream, String> {
        let mut out = TokenStream::new();
        for s in steps {
            out.extend(self.one(s)?);
        }
        Ok(out)
    }

    fn one(&mut self, s: &Step) -> Result<TokenStream, String> {
        let rt = rt();
        Ok(match s {
            Step::Text(text) => push_text(text),
            Step::Value { name, write } => {
                let b = self.bind(name)?;
                self.value(&b, write)
            }
            Step::Json { name } => {
                let expr = &self.bind(name)?.expr;
                quote!(#rt::push_json(out, &#expr);)
            }
            Step::Join { name, sep } => {
                let b = self.bind(name)?;
                let v = self.fresh();
                let i = self.fresh();
                let expr = &b.expr;
                let push_sep = push_text(sep);
                quote! {
                    for (#i, #v) in IntoIterator::into_iter(#expr).enumerate() {
                        if #i > 0 {
                            #push_sep
                        }
                        #rt::push_num(out, #v);
                    }
                }
            }
            Step::OnOff { name } => {
                let expr = self.bind(name)?.expr;
                quote!(#rt::on_off(out, #expr);)
            }
            Step::OnOffParam { key, name, default } => {
                let expr = self.bind(name)?.expr;
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
            Step::Optional { name, some, none } => {
                let b = self.bind(name)?;
                let v = self.fresh();
                let shadowed = self.env.insert(
                    name.clone(),
                    Bind {
                        expr: quote!(#v),
                        wire: b.wire.clone(),
                    },
                );
                let some_code = self.seq(some);
                match shadowed {
                    Some(s) => self.env.insert(name.clone(), s),
                    None => self.env.remove(name),
                };
                let some_code = some_code?;
                let none_code = self.seq(none)?;
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
            Step::Choice {
                name,
                ty,
                union,
                arms,
                otherwise,
            } => {
                let b = self.bind(name)?;
                let path = path(&self.model.type_path(ty, self.module));
                let mut code = TokenStream::new();
                for Arm {
                    variant,
                    unit,
                    steps,
                } in arms
                {
                    let variant = format_ident!("{}", variant);
                    let arm = self.seq(steps)?;
                    if *union && !unit {
                        code.extend(quote!(#path::#variant(_) => { #arm }));
                    } else {
                        code.extend(quote!(#path::#variant => { #arm }));
                    }
                }
                let other = self.seq(otherwise)?;
                self.fallible = true;
                let (expr, wire) = (&b.expr, &b.wire);
                let err = self.p("Err");
                quote! {
                    match #expr {
                        #code
                        #path::Undocumented(v) => return #err(#rt::unrepresentable(#wire, v)),
                        #[allow(unreachable_patterns)]
                        _ => { #other }
                    }
                }
            }
        })
    }

    fn value(&mut self, b: &Bind, write: &Write) -> TokenStream {
        let rt = rt();
        let (expr, wire) = (&b.expr, &b.wire);
        match write {
            Write::Required(inner) => {
                let v = self.fresh();
                let code = self.value(
                    &Bind {
                        expr: quote!(#v),
                        wire: wire.clone(),
                    },
                    inner,
                );
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
            Write::Number => quote!(#rt::push_num(out, #expr);),
            Write::Str(place) => {
                self.fallible = true;
                let place = self.place(place);
                quote!(#rt::push_str(out, #expr, #wire, #place)?;)
            }
            Write::Time(place) => {
                self.fallible = true;
                let place = self.place(place);
                quote!(#rt::push_time(out, #expr, #wire, #place)?;)
            }
            Write::Syntax(place) => {
                self.fallible = true;
                let place = self.place(place);
                let syntax = self.p("Syntax");
                quote!(#syntax::write_syntax(#expr, out, #wire, #place)?;)
            }
            Write::Enum { ty, place } => {
                self.fallible = true;
                let path = path(&self.model.type_path(ty, self.module));
                let place = self.place(place);
                quote!(#rt::push_enum(out, #path::as_str(#expr), #wire, #place)?;)
            }
        }
    }
}

/// Pushes fixed text (one character with `push`).
fn push_text(text: &str) -> TokenStream {
    match single_char(text) {
        Some(c) => quote!(out.push(#c);),
        None => quote!(out.push_str(#text);),
    }
}

/// The body of a command's `write_command` and whether it can fail.
pub fn command_body(
    model: &ItemSpace<'_>,
    command: &str,
    plan: &[Step],
    fields: &[FieldItem],
) -> Result<(TokenStream, bool), String> {
    let mut p = Printer {
        model,
        module: Module::Commands,
        env: bind_fields(fields, quote!(self)),
        fallible: false,
        counter: 0,
        owner: format!("command `{command}`"),
    };
    let body = p.seq(plan)?;
    Ok((body, p.fallible))
}

/// `impl Syntax for T` for a type with a `**Syntax**` section.
pub fn type_syntax(
    model: &ItemSpace<'_>,
    t: &TypeDef,
    plan: &TypePlan,
) -> Result<TokenStream, String> {
    let rt = rt();
    let info = model
        .info(&t.name)
        .ok_or_else(|| format!("no Rust name for type `{}`", t.name))?;
    let name = format_ident!("{}", info.rust);
    let mut p = Printer {
        model,
        module: Module::Types,
        env: BTreeMap::new(),
        fallible: true,
        counter: 0,
        owner: format!("type `{}`", t.name),
    };
    let err = p.p("Err");
    let unknown = quote! {
        Self::Undocumented(v) => return #err(#rt::unrepresentable(param, v)),
    };
    let (body, uses) = match plan {
        TypePlan::Record(steps) => {
            p.env = bind_fields(&model.record_fields(t), quote!(self));
            (p.seq(steps)?, Uses::of(steps))
        }
        TypePlan::Enum(arms) => {
            let mut code = TokenStream::new();
            for a in arms {
                let variant = format_ident!("{}", a.variant);
                let arm = p.seq(&a.steps)?;
                code.extend(quote!(Self::#variant => { #arm }));
            }
            (quote!(match self { #code #unknown }), Uses::of_arms(arms))
        }
        TypePlan::Union(arms) => {
            let members = match &t.kind {
                crate::ir::TypeKind::Union { members } => members.as_slice(),
                _ => &[],
            };
            let mut code = TokenStream::new();
            for (a, m) in arms.iter().zip(members) {
                let variant = format_ident!("{}", a.variant);
                p.env = bind_fields(&model.member_fields(t, m), quote!(m));
                let arm = p.seq(&a.steps)?;
                if a.unit {
                    code.extend(quote!(Self::#variant => { #arm }));
                } else if Uses::of(&a.steps).field {
                    code.extend(quote!(Self::#variant(m) => { #arm }));
                } else {
                    code.extend(quote!(Self::#variant(_) => { #arm }));
                }
            }
            (quote!(match self { #code #unknown }), Uses::of_arms(arms))
        }
    };
    let (syntax_trait, command_error) = (p.p("Syntax"), p.p("CommandError"));
    let (string, result, ok) = (p.p("String"), p.p("Result"), p.p("Ok"));
    let out = binding("out", uses.out);
    // Enums and unions report a value they cannot write under the parameter's name.
    let param = binding("param", !matches!(plan, TypePlan::Record(_)));
    let place = binding("place", uses.place);
    let read = super::parse::type_reader(model, t, plan)?;
    Ok(quote! {
        impl #syntax_trait for #name {
            fn write_syntax(&self, #out: &mut #string, #param: &'static str, #place: &#rt::Place) -> #result<(), #command_error> {
                #body
                #ok(())
            }
            #read
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
