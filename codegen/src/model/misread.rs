//! The misreading analysis of command strings: where the core could read a value of a command
//! string as an optional part of its syntax instead.
//!
//! Every value is written at a [place](Place) worked out from the tree: the optional parts
//! before it that the core would try to read at the same point of the command (its [`Rivals`]:
//! their first texts, as far as the text written since makes them possible), and whether the
//! value ends the command. Free strings and enum values get that place as data and are checked
//! when rendered (`__private::push_str`); numbers, JSON, `on|off` and the fixed texts of types
//! are checked here, once, and a value that the core could misread whatever it is makes
//! generation fail.
//!
//! A [`Reader`] follows a tree front to back as [`super::plan`] walks it; it holds no code, only
//! what the core could read at the current point, and answers with plain data.

use std::collections::{BTreeMap, BTreeSet};

use super::ItemSpace;
use crate::check::render;
use crate::ir::{Expr, HiddenPart, Syntax, TypeDef, TypeExpr, TypeKind};

/// Whether a value ends the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Something always follows.
    No,
    /// It is the last node of the command's tree.
    Yes,
    /// It is the last node of a type's tree: it ends the command when the type's value does
    /// (`place.rest` at run time).
    Outer,
}

impl End {
    /// `self` for the last node of a sequence, [`End::No`] for the others.
    pub fn and(self, last: bool) -> End {
        if last {
            self
        } else {
            End::No
        }
    }
}

/// What a value renders first: fixed text, then a value of some kind or the end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Start {
    /// The fixed text.
    pub text: String,
    /// What follows it.
    pub next: Next,
}

/// What follows the fixed text a rendering starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Next {
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
pub struct Rival {
    /// The fixed text the part begins with (up to its first value, or all of it).
    text: String,
    /// The part, in the plain line's notation.
    part: String,
    /// What has been written since the point where the core would try it.
    lead: String,
}

/// The optional parts the core could read at the current point, instead of what follows.
pub type Rivals = Vec<Rival>;

/// What the core could read at the current point of a tree, as the planner walks it.
#[derive(Debug, Clone)]
pub struct Reader {
    /// What the tree belongs to (``command `X` ``, ``type `Y` ``), for errors.
    pub owner: String,
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

/// The state of a [`Reader`] at one point, to walk alternatives from it.
#[derive(Debug, Clone)]
pub struct Saved(Rivals, bool);

/// Where a value is written, as a formatter passes it to the runtime's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// First in a type's syntax, and last: the run-time place of the type's value.
    Outer,
    /// First in a type's syntax, with more after it: the first word of that place.
    OuterFirstWord,
    /// A word nothing could be read instead of, with more after it.
    Word,
    /// The rest of the command, nothing could be read instead of it.
    Rest,
    /// Last in a type's syntax, after text: it ends the command when the type's value does.
    OuterEnd,
    /// A value that must not begin with any of `not_first`.
    Checked {
        /// The texts it may not begin with, and the part the core would read for each.
        not_first: Vec<(String, String)>,
        /// Whether it ends the command.
        rest: End,
        /// Advice for a value of this parameter that would be misread.
        fix: Option<String>,
    },
}

impl Place {
    /// The place depends on the run-time place of the type's value.
    pub fn is_outer(&self) -> bool {
        matches!(
            self,
            Place::Outer
                | Place::OuterFirstWord
                | Place::OuterEnd
                | Place::Checked {
                    rest: End::Outer,
                    ..
                }
        )
    }
}

impl Reader {
    /// A reader for the tree of a command (with the parts the core reads that the docs do not
    /// show, and the advice for values that would be misread).
    pub fn command(owner: String, syntax: &Syntax) -> Reader {
        Reader {
            owner,
            rivals: Vec::new(),
            outer: false,
            hidden: syntax.hidden_parts.clone(),
            hidden_placed: BTreeSet::new(),
            fixes: syntax
                .safe_forms
                .iter()
                .map(|f| (f.param.clone(), f.advice.clone()))
                .collect(),
        }
    }

    /// A reader for the syntax of a type, whose value is written at a place of its own.
    pub fn value_of_type(owner: String) -> Reader {
        Reader {
            owner,
            rivals: Vec::new(),
            outer: true,
            hidden: Vec::new(),
            hidden_placed: BTreeSet::new(),
            fixes: BTreeMap::new(),
        }
    }

    /// Back at the start of the type's value (for each of its arms).
    pub fn at_value_start(&mut self) {
        self.rivals.clear();
        self.outer = true;
    }

    /// Nothing of the type's value is written yet.
    pub fn outer(&self) -> bool {
        self.outer
    }

    /// The state now.
    pub fn save(&self) -> Saved {
        Saved(self.rivals.clone(), self.outer)
    }

    /// Back to a saved state.
    pub fn restore(&mut self, saved: Saved) {
        (self.rivals, self.outer) = (saved.0, saved.1);
    }

    /// The hidden parts the core reads just before `e`, as rivals of what `e` renders.
    pub fn place_hidden(&mut self, e: &Expr) {
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
    pub fn after(&mut self, model: &ItemSpace<'_>, e: &Expr, names: &Names) -> Result<(), String> {
        if let Expr::Literal { text } = e {
            return self.advance(text);
        }
        let starts = starts(model, std::slice::from_ref(e), names, 0);
        let absent = Start {
            text: String::new(),
            next: Next::End,
        };
        if starts.contains(&absent) {
            let part = plain(model, names, e);
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
    pub fn advance(&mut self, text: &str) -> Result<(), String> {
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
    pub fn tokens(&self, wire: &str) -> Result<Vec<(String, String)>, String> {
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
    pub fn check_starts(
        &self,
        starts: &[Start],
        wire: &str,
    ) -> Result<Vec<(String, String)>, String> {
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

    /// The place a value is written at: the texts it may not begin with, whether it ends the
    /// command, the advice for its parameter; at the start of a type's syntax (`outer`), the
    /// run-time place of the type's value.
    pub fn place(
        &self,
        wire: &str,
        end: End,
        tokens: &[(String, String)],
        outer: bool,
    ) -> Result<Place, String> {
        if outer {
            if !tokens.is_empty() {
                return Err(format!(
                    "{}: `{wire}` begins the syntax after optional parts: not supported",
                    self.owner
                ));
            }
            return Ok(match end {
                End::Outer => Place::Outer,
                _ => Place::OuterFirstWord,
            });
        }
        if tokens.is_empty() {
            return Ok(match end {
                End::No => Place::Word,
                End::Yes => Place::Rest,
                End::Outer => Place::OuterEnd,
            });
        }
        Ok(Place::Checked {
            not_first: tokens.to_vec(),
            rest: end,
            fix: self.fixes.get(wire).cloned(),
        })
    }
}

/// The types of the names a tree uses, for [`starts`].
pub struct Names {
    /// The fields (parameters) by wire name, with their types.
    pub fields: BTreeMap<String, TypeExpr>,
    /// The values of `self` (an enum's) or `type` (a union's tags), in a type's syntax.
    pub tags: Vec<String>,
}

impl Names {
    /// The names of a type's syntax: its fields (every member's, for a union) and its values.
    pub fn of_type(def: &TypeDef) -> Names {
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
pub fn starts(model: &ItemSpace<'_>, exprs: &[Expr], names: &Names, depth: usize) -> Vec<Start> {
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

/// `e` in the plain line's notation, for errors.
fn plain(model: &ItemSpace<'_>, names: &Names, e: &Expr) -> String {
    let shape = |name: &str| match names.fields.get(name).map(TypeExpr::strip_optional) {
        Some(TypeExpr::Ref { name }) => match model.def(name) {
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
