//! Command-string parsers printed from the same plans as the formatters: the inverse of each
//! command's `write_command` and of each type's `write_syntax`, reading the way the core reads
//! (the runtime's `CommandReader`: optional parts tried where they stand, a free string that
//! ends the command is its rest, numbers `-?[0-9]+`, nothing left over).
//!
//! Values are assigned to the fields of the value being built as they are read. An optional
//! part is read by a closure that returns what it read, so that a part that fails half way
//! leaves nothing behind; the fields are assigned only when the whole part was read.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::tokens as path;
use crate::ir::{HiddenPart, TypeDef, TypeKind};
use crate::model::misread::{End, Place};
use crate::model::plan::{Step, TypePlan, Write};
use crate::model::{FieldItem, ItemSpace, Module, Shape};

/// Whether a part ends what is being read: `Outer` in a type's syntax, where the type's value
/// ends the command when the caller says so (`rest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    No,
    Yes,
    Outer,
}

impl Last {
    fn tokens(self) -> TokenStream {
        match self {
            Last::No => quote!(false),
            Last::Yes => quote!(true),
            Last::Outer => quote!(rest),
        }
    }

    /// What the plan's place says about the end, in the same terms.
    fn of_place(place: &Place) -> Last {
        match place {
            Place::Word | Place::OuterFirstWord => Last::No,
            Place::Rest => Last::Yes,
            Place::Outer | Place::OuterEnd => Last::Outer,
            Place::Checked { rest, .. } => match rest {
                End::No => Last::No,
                End::Yes => Last::Yes,
                End::Outer => Last::Outer,
            },
        }
    }
}

/// Where a value read for a name goes.
#[derive(Debug, Clone)]
enum Target {
    /// A field of the value being built (`v.x`), wrapped as the field needs.
    Field {
        base: Ident,
        ident: TokenStream,
        optional: bool,
        boxed: bool,
    },
    /// A local of the closure of an optional part, read once and unconditionally there.
    Let(Ident),
    /// A local `Option` of the closure of an optional part, read in a part of its own.
    Local(Ident),
}

struct Printer<'m, 'a> {
    model: &'m ItemSpace<'a>,
    module: Module,
    targets: BTreeMap<String, Target>,
    hidden: &'m [HiddenPart],
    placed: Vec<bool>,
    counter: usize,
    owner: String,
}

fn field_targets(fields: &[FieldItem], base: &Ident) -> BTreeMap<String, Target> {
    fields
        .iter()
        .map(|f| {
            (
                f.wire.clone(),
                Target::Field {
                    base: base.clone(),
                    ident: path(&f.ident),
                    optional: f.optional(),
                    boxed: f.boxed,
                },
            )
        })
        .collect()
}

/// The names `steps` assign, each once, in order.
fn assigned(steps: &[Step], out: &mut Vec<String>) {
    fn add(out: &mut Vec<String>, name: &String) {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    for s in steps {
        match s {
            Step::Text(_) => {}
            Step::Value { name, .. }
            | Step::Json { name }
            | Step::Join { name, .. }
            | Step::OnOff { name }
            | Step::OnOffParam { name, .. } => add(out, name),
            Step::Optional { some, none, .. } => {
                assigned(some, out);
                assigned(none, out);
            }
            Step::Choice {
                name,
                arms,
                otherwise,
                ..
            } => {
                add(out, name);
                for a in arms {
                    assigned(&a.steps, out);
                }
                assigned(otherwise, out);
            }
        }
    }
}

/// True when `steps` read `name` exactly once, as a step of their own (not inside a part that
/// may be absent, nor a flag that may be).
fn read_once_directly(steps: &[Step], name: &str) -> bool {
    let direct = steps
        .iter()
        .filter(|s| match s {
            Step::Value { name: n, .. }
            | Step::Json { name: n }
            | Step::Join { name: n, .. }
            | Step::OnOff { name: n } => n == name,
            _ => false,
        })
        .count();
    let mut all = Vec::new();
    for s in steps {
        let mut names = Vec::new();
        assigned(std::slice::from_ref(s), &mut names);
        all.extend(names);
    }
    direct == 1 && all.iter().filter(|n| *n == name).count() == 1
}

/// True when `s` reads `name`.
fn mentions(s: &Step, name: &str) -> bool {
    let mut names = Vec::new();
    assigned(std::slice::from_ref(s), &mut names);
    names.iter().any(|n| n == name) || matches!(s, Step::Optional { name: n, .. } if n == name)
}

impl Printer<'_, '_> {
    fn p(&self, short: &str) -> TokenStream {
        path(&self.model.std(short))
    }

    fn fresh(&mut self) -> Ident {
        self.counter += 1;
        format_ident!("p{}", self.counter)
    }

    fn assign(&self, name: &str, value: TokenStream) -> Result<TokenStream, String> {
        let target = self.targets.get(name).ok_or_else(|| {
            format!(
                "internal: the parser of {} reads `{name}`, which is not bound",
                self.owner
            )
        })?;
        Ok(match target {
            Target::Field {
                base,
                ident,
                optional,
                boxed,
            } => {
                let mut value = value;
                if *boxed {
                    let boxed = self.p("Box");
                    value = quote!(#boxed::new(#value));
                }
                if *optional {
                    let some = self.p("Some");
                    value = quote!(#some(#value));
                }
                quote!(#base.#ident = #value;)
            }
            Target::Let(local) => quote!(let #local = #value;),
            Target::Local(local) => {
                let some = self.p("Some");
                quote!(#local = #some(#value);)
            }
        })
    }

    fn seq(&mut self, steps: &[Step], last: Last) -> Result<TokenStream, String> {
        let mut out = TokenStream::new();
        for (i, s) in steps.iter().enumerate() {
            out.extend(self.hidden_before(s));
            let l = if i + 1 == steps.len() { last } else { Last::No };
            out.extend(self.one(s, l)?);
        }
        Ok(out)
    }

    /// Refuses, before `s`, a part the core reads there that the docs do not show.
    fn hidden_before(&mut self, s: &Step) -> TokenStream {
        let mut out = TokenStream::new();
        for (i, h) in self.hidden.iter().enumerate() {
            if self.placed[i] || !mentions(s, &h.before) {
                continue;
            }
            self.placed[i] = true;
            let (texts, shown) = (&h.texts, &h.shown);
            out.extend(quote!(r.undocumented(&[#(#texts),*], #shown)?;));
        }
        out
    }

    fn one(&mut self, s: &Step, last: Last) -> Result<TokenStream, String> {
        Ok(match s {
            Step::Text(text) => quote!(r.text(#text)?;),
            Step::Value { name, write } => {
                let value = self.value(name, write, last)?;
                self.assign(name, quote!(#value))?
            }
            Step::Json { name } => {
                let rest = last.tokens();
                self.assign(name, quote!(r.json(#name, #rest)?))?
            }
            Step::Join { name, sep } => self.assign(name, quote!(r.join(#name, #sep)?))?,
            Step::OnOff { name } => self.assign(name, quote!(r.on_off(#name)?))?,
            Step::OnOffParam { key, name, default } => {
                let key = format!(" {key}=");
                let required = default.is_none()
                    && matches!(
                        self.targets.get(name),
                        Some(Target::Field {
                            optional: false,
                            ..
                        })
                    );
                if let Some(d) = default {
                    // Set either way: a union member's struct starts at `false`, not at the
                    // syntax's default.
                    self.assign(name, quote!(r.flag(#key, #name).unwrap_or(#d)))?
                } else if required {
                    let set = self.assign(name, quote!(r.on_off(#name)?))?;
                    quote!(r.text(#key)?; #set)
                } else {
                    let v = self.fresh();
                    let set = self.assign(name, quote!(#v))?;
                    let some = self.p("Some");
                    quote!(if let #some(#v) = r.flag(#key, #name) { #set })
                }
            }
            Step::Optional { some, none, .. } => self.optional(some, none, last)?,
            Step::Choice { name, .. } => {
                return Err(format!(
                    "the parser of {} cannot read a choice on `{name}` in a command",
                    self.owner
                ))
            }
        })
    }

    /// An optional part: read by a closure into locals, assigned when it was read whole.
    ///
    /// A name the part reads once, outside any part of its own, is a plain local of the
    /// closure; any other is an `Option` that starts as `None`.
    fn optional(
        &mut self,
        some: &[Step],
        none: &[Step],
        last: Last,
    ) -> Result<TokenStream, String> {
        let mut names = Vec::new();
        assigned(some, &mut names);
        let direct: Vec<bool> = names.iter().map(|n| read_once_directly(some, n)).collect();
        let locals: Vec<Ident> = names.iter().map(|_| self.fresh()).collect();
        let saved: Vec<(String, Option<Target>)> = names
            .iter()
            .zip(&locals)
            .zip(&direct)
            .map(|((n, l), d)| {
                let t = if *d {
                    Target::Let(l.clone())
                } else {
                    Target::Local(l.clone())
                };
                (n.clone(), self.targets.insert(n.clone(), t))
            })
            .collect();
        let body = self.seq(some, last);
        for (n, t) in saved {
            match t {
                Some(t) => self.targets.insert(n, t),
                None => self.targets.remove(&n),
            };
        }
        let body = body?;
        let none_code = self.seq(none, last)?;
        let (some_path, none_path, ok) = (self.p("Some"), self.p("None"), self.p("Ok"));
        let outs: Vec<Ident> = names.iter().map(|_| self.fresh()).collect();
        let mut sets = TokenStream::new();
        let mut decls = TokenStream::new();
        for (((n, o), l), d) in names.iter().zip(&outs).zip(&locals).zip(&direct) {
            if *d {
                sets.extend(self.assign(n, quote!(#o))?);
            } else {
                decls.extend(quote!(let mut #l = #none_path;));
                let v = self.fresh();
                let set = self.assign(n, quote!(#v))?;
                sets.extend(quote!(if let #some_path(#v) = #o { #set }));
            }
        }
        let (ret, pat) = match (locals.as_slice(), outs.as_slice()) {
            ([one], [out]) => (quote!(#one), quote!(#out)),
            _ => (quote!((#(#locals),*)), quote!((#(#outs),*))),
        };
        let read = quote! {
            r.optional(|r| {
                #decls
                #body
                #ok(#ret)
            })
        };
        Ok(if none_code.is_empty() {
            quote!(if let #some_path(#pat) = #read { #sets })
        } else {
            quote!(if let #some_path(#pat) = #read { #sets } else { #none_code })
        })
    }

    /// The expression that reads a value written as `write`.
    fn value(&mut self, name: &str, write: &Write, last: Last) -> Result<TokenStream, String> {
        if let Some(place) = write_place(write) {
            let said = Last::of_place(place);
            if said != last {
                return Err(format!(
                    "internal: the parser of {} reads `{name}` as {last:?} the end, the formatter as {said:?}",
                    self.owner
                ));
            }
        }
        let rest = last.tokens();
        Ok(match write {
            Write::Required(inner) => self.value(name, inner, last)?,
            Write::Number => quote!(r.number(#name)?),
            Write::Str(_) => quote!(r.string(#name, #rest)?),
            Write::Time(_) => quote!(r.time(#name, #rest)?),
            Write::Syntax(_) => {
                let syntax = self.p("Syntax");
                quote!(#syntax::read_syntax(r, #rest)?)
            }
            Write::Enum { ty, .. } => {
                let ty = path(&self.model.type_path(ty, self.module));
                quote!(r.enum_word::<#ty>(#name)?)
            }
        })
    }
}

fn write_place(write: &Write) -> Option<&Place> {
    match write {
        Write::Required(inner) => write_place(inner),
        Write::Number => None,
        Write::Str(p) | Write::Time(p) | Write::Syntax(p) | Write::Enum { place: p, .. } => Some(p),
    }
}

/// The first fixed text of a plan: the text a command string must begin with (empty when the
/// plan begins with a value).
pub fn leading_text(plan: &[Step]) -> String {
    match plan.first() {
        Some(Step::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

/// `impl ParseCommand` for a command.
pub fn command_parser(
    model: &ItemSpace<'_>,
    command: &str,
    rust: &str,
    plan: &[Step],
    fields: &[FieldItem],
    hidden: &[HiddenPart],
) -> Result<TokenStream, String> {
    let v = format_ident!("v");
    let mut p = Printer {
        model,
        module: Module::Commands,
        targets: field_targets(fields, &v),
        hidden,
        placed: vec![false; hidden.len()],
        counter: 0,
        owner: format!("command `{command}`"),
    };
    let body = p.seq(plan, Last::Yes)?;
    if let Some(h) = hidden.iter().zip(&p.placed).find(|(_, placed)| !**placed) {
        return Err(format!(
            "the hidden part `{}` of command `{command}` comes before `{}`, which its syntax does not read",
            h.0.shown, h.0.before
        ));
    }
    let ident = format_ident!("{rust}");
    let (result, ok, rt) = (p.p("Result"), p.p("Ok"), quote!(__private));
    let parse = p.p("ParseCommand");
    let error = quote!(::simplex_api_types::runtime::CommandParseError);
    let v_decl = if fields.is_empty() {
        quote!(let v = Self::__empty();)
    } else {
        quote!(let mut v = Self::__empty();)
    };
    Ok(quote! {
        impl #parse for #ident {
            fn parse_command(text: &str) -> #result<Self, #error> {
                #rt::parse_with(text, #command, |r| {
                    #v_decl
                    #body
                    #ok(v)
                })
            }
        }
    })
}

/// The `read_syntax` method of a type's `Syntax` impl.
pub fn type_reader(
    model: &ItemSpace<'_>,
    t: &TypeDef,
    plan: &TypePlan,
) -> Result<TokenStream, String> {
    let info = model
        .info(&t.name)
        .ok_or_else(|| format!("no Rust name for type `{}`", t.name))?;
    let mut p = Printer {
        model,
        module: Module::Types,
        targets: BTreeMap::new(),
        hidden: &[],
        placed: Vec::new(),
        counter: 0,
        owner: format!("type `{}`", t.name),
    };
    let (ok, err, some) = (p.p("Ok"), p.p("Err"), p.p("Some"));
    let rt = quote!(__private);
    let v = format_ident!("v");
    let body = match plan {
        TypePlan::Record(steps) => {
            let fields = model.record_fields(t);
            p.targets = field_targets(&fields, &v);
            let body = p.seq(steps, Last::Outer)?;
            let default = p.p("Default");
            quote! {
                let mut v: Self = #default::default();
                #body
                #ok(v)
            }
        }
        TypePlan::Enum(arms) => {
            let mut code = TokenStream::new();
            for a in arms {
                let variant = format_ident!("{}", a.variant);
                let arm = p.seq(&a.steps, Last::Outer)?;
                code.extend(quote! {
                    if let #some(v) = r.optional(|r| { #arm #ok(Self::#variant) }) {
                        return #ok(v);
                    }
                });
            }
            quote!(#code #err(#rt::Miss))
        }
        TypePlan::Union(arms) => {
            let (module, members) = match (&info.shape, &t.kind) {
                (Shape::Union { module, .. }, TypeKind::Union { members }) => {
                    (module.clone(), members)
                }
                _ => return Err(format!("internal: type `{}` is planned as a union", t.name)),
            };
            let default = p.p("Default");
            let mut code = TokenStream::new();
            for (a, m) in arms.iter().zip(members) {
                let variant = format_ident!("{}", a.variant);
                let arm = if a.unit {
                    p.targets = BTreeMap::new();
                    let steps = p.seq(&a.steps, Last::Outer)?;
                    quote!(#steps #ok(Self::#variant))
                } else {
                    let fields = model.member_fields(t, m);
                    p.targets = field_targets(&fields, &v);
                    let steps = p.seq(&a.steps, Last::Outer)?;
                    let member = path(&format!("{module}::{}", a.variant));
                    let decl = if steps.is_empty() || fields.is_empty() {
                        quote!(let v: #member = #default::default();)
                    } else {
                        quote!(let mut v: #member = #default::default();)
                    };
                    let boxed = p.p("Box");
                    quote!(#decl #steps #ok(Self::#variant(#boxed::new(v))))
                };
                code.extend(quote! {
                    if let #some(v) = r.optional(|r| { #arm }) {
                        return #ok(v);
                    }
                });
            }
            quote!(#code #err(#rt::Miss))
        }
    };
    let (reader, read) = (quote!(#rt::CommandReader), quote!(#rt::Read));
    let uses_rest = body.to_string().contains("rest");
    let rest = if uses_rest {
        format_ident!("rest")
    } else {
        format_ident!("_rest")
    };
    Ok(quote! {
        fn read_syntax(r: &mut #reader<'_>, #rest: bool) -> #read<Self> {
            #body
        }
    })
}
