//! The plans of the command-string formatters: each syntax tree of a command or a type as the
//! formatter writes it, with every name resolved, every value's way of being written decided
//! and every misreading checked ([`super::misread`]), so that the emitter only prints a plan.
//!
//! Planning fails, with a message for the syntax's location, where the docs' tree cannot be
//! written safely or at all (a name the tree does not have, a choice on a record, a value the
//! core could misread whatever it is).

use std::collections::BTreeMap;

use super::misread::{starts, End, Names, Next, Place, Reader, Start};
use super::{FieldItem, ItemSpace, Shape};
use crate::ir::{Alternative, Expr, Prim, Syntax, TypeDef, TypeExpr, TypeKind};

/// One node of a plan: a node of the syntax tree as the formatter writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Fixed text.
    Text(String),
    /// The value of a parameter (wire name), written as `write` says.
    Value {
        /// The parameter.
        name: String,
        /// How its value is written.
        write: Write,
    },
    /// A parameter as compact JSON.
    Json {
        /// The parameter.
        name: String,
    },
    /// An array of numbers, joined by `sep`.
    Join {
        /// The parameter.
        name: String,
        /// The separator.
        sep: String,
    },
    /// A bool as `on` or `off`.
    OnOff {
        /// The parameter.
        name: String,
    },
    /// A bool as ` key=on` or ` key=off`, left out at its default (or when unset).
    OnOffParam {
        /// The key.
        key: String,
        /// The parameter.
        name: String,
        /// The default, if the syntax has one.
        default: Option<bool>,
    },
    /// `some` when the optional parameter is set (bound to its value), `none` otherwise.
    Optional {
        /// The parameter.
        name: String,
        /// Written when it is set.
        some: Vec<Step>,
        /// Written when it is not.
        none: Vec<Step>,
    },
    /// A choice on the value of an enum or union parameter.
    Choice {
        /// The parameter.
        name: String,
        /// Its type (upstream name).
        ty: String,
        /// The type is a union (its members with fields are tuple variants).
        union: bool,
        /// The values or members the syntax names.
        arms: Vec<Arm>,
        /// Written for the others.
        otherwise: Vec<Step>,
    },
}

/// An arm of a choice, or of a type's own syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm {
    /// The Rust variant.
    pub variant: String,
    /// It has no fields (a unit variant).
    pub unit: bool,
    /// What is written for it.
    pub steps: Vec<Step>,
}

/// How a value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// An optional parameter where the syntax needs a value: its value, or an error when unset.
    Required(Box<Write>),
    /// A number.
    Number,
    /// A free string, checked at its place.
    Str(Place),
    /// A time, checked at its place.
    Time(Place),
    /// A value of a type with a syntax of its own, written by it at this place.
    Syntax(Place),
    /// An enum value (type by upstream name), checked at its place.
    Enum {
        /// The enum.
        ty: String,
        /// Where it is written.
        place: Place,
    },
}

impl Write {
    /// The value is written by its type's `Syntax` impl.
    fn is_syntax(&self) -> bool {
        match self {
            Write::Required(inner) => inner.is_syntax(),
            Write::Syntax(_) => true,
            _ => false,
        }
    }

    /// The place the value is checked at.
    fn place(&self) -> Option<&Place> {
        match self {
            Write::Required(inner) => inner.place(),
            Write::Number => None,
            Write::Str(p) | Write::Time(p) | Write::Syntax(p) | Write::Enum { place: p, .. } => {
                Some(p)
            }
        }
    }
}

/// True when a value of `steps` is written by its type's `Syntax` impl.
pub fn writes_syntax(steps: &[Step]) -> bool {
    steps.iter().any(|s| match s {
        Step::Value { write, .. } => write.is_syntax(),
        Step::Optional { some, none, .. } => writes_syntax(some) || writes_syntax(none),
        Step::Choice {
            arms, otherwise, ..
        } => arms.iter().any(|a| writes_syntax(&a.steps)) || writes_syntax(otherwise),
        _ => false,
    })
}

/// The plan of a type's syntax: one arm per shape of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypePlan {
    /// A record: its fields are read from `self`.
    Record(Vec<Step>),
    /// An enum: an arm per value, the syntax specialised to it.
    Enum(Vec<Arm>),
    /// A union: an arm per member, the syntax specialised to its tag; fields are read from the
    /// member.
    Union(Vec<Arm>),
}

/// Which bindings of a type's `write_syntax` a plan's code uses, so that an unused one is
/// written with a leading `_`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    /// `out`: something is written.
    pub out: bool,
    /// `place`: a value is written at the place of the type's value.
    pub place: bool,
    /// A parameter (a field of the value) is read.
    pub field: bool,
}

impl Uses {
    /// What `steps` use.
    pub fn of(steps: &[Step]) -> Uses {
        let mut uses = Uses::default();
        uses.add(steps);
        uses
    }

    /// What the arms use together.
    pub fn of_arms(arms: &[Arm]) -> Uses {
        let mut uses = Uses::default();
        for a in arms {
            uses.add(&a.steps);
        }
        uses
    }

    fn add(&mut self, steps: &[Step]) {
        for s in steps {
            match s {
                Step::Text(_) => self.out = true,
                Step::Optional { some, none, .. } => {
                    self.field = true;
                    self.add(some);
                    self.add(none);
                }
                Step::Choice {
                    arms, otherwise, ..
                } => {
                    self.field = true;
                    for a in arms {
                        self.add(&a.steps);
                    }
                    self.add(otherwise);
                }
                Step::Value { write, .. } => {
                    self.out = true;
                    self.field = true;
                    self.place |= write.place().is_some_and(Place::is_outer);
                }
                Step::Json { .. }
                | Step::Join { .. }
                | Step::OnOff { .. }
                | Step::OnOffParam { .. } => {
                    self.out = true;
                    self.field = true;
                }
            }
        }
    }
}

/// Walks a tree front to back, as the formatter will write it.
struct Planner<'m, 'a> {
    model: &'m ItemSpace<'a>,
    /// The names the tree can use (parameters or fields, by wire name) and their types; inside
    /// an optional part, its parameter has the type of its value.
    env: BTreeMap<String, TypeExpr>,
    reader: Reader,
}

/// The plan of the formatter of command `command`, whose fields are `fields`.
pub fn command(
    model: &ItemSpace<'_>,
    command: &str,
    syntax: &Syntax,
    fields: &[FieldItem],
) -> Result<Vec<Step>, String> {
    let mut p = Planner {
        model,
        env: env_of(fields),
        reader: Reader::command(format!("command `{command}`"), syntax),
    };
    p.seq(&syntax.expr, End::Yes)
}

/// The plan of the `Syntax` impl of type `t`.
pub fn type_syntax(
    model: &ItemSpace<'_>,
    t: &TypeDef,
    syntax: &Syntax,
) -> Result<TypePlan, String> {
    let info = model
        .info(&t.name)
        .ok_or_else(|| format!("no Rust name for type `{}`", t.name))?;
    let mut p = Planner {
        model,
        env: BTreeMap::new(),
        reader: Reader::value_of_type(format!("type `{}`", t.name)),
    };
    // Each arm starts at the start of the value.
    let arm = |p: &mut Planner<'_, '_>, tree: &[Expr]| {
        p.reader.at_value_start();
        p.seq(tree, End::Outer)
    };
    Ok(match &t.kind {
        TypeKind::Opaque => {
            return Err(format!(
                "type `{}` has a syntax but no kind section: its formatter cannot be generated",
                t.name
            ))
        }
        TypeKind::Record { .. } => {
            p.env = env_of(&model.record_fields(t));
            TypePlan::Record(arm(&mut p, &syntax.expr)?)
        }
        TypeKind::Enum { values } => {
            let mut arms = Vec::new();
            for (i, v) in values.iter().enumerate() {
                let (variant, unit) = variant_of(&info.shape, i);
                let steps = arm(&mut p, &specialize(&syntax.expr, &v.value))?;
                arms.push(Arm {
                    variant,
                    unit,
                    steps,
                });
            }
            TypePlan::Enum(arms)
        }
        TypeKind::Union { members } => {
            let mut arms = Vec::new();
            for (i, m) in members.iter().enumerate() {
                let (variant, unit) = variant_of(&info.shape, i);
                p.env = env_of(&model.member_fields(t, m));
                let steps = arm(&mut p, &specialize(&syntax.expr, &m.tag))?;
                arms.push(Arm {
                    variant,
                    unit,
                    steps,
                });
            }
            TypePlan::Union(arms)
        }
    })
}

/// The names of a struct's fields and their types.
fn env_of(fields: &[FieldItem]) -> BTreeMap<String, TypeExpr> {
    fields
        .iter()
        .map(|f| (f.wire.clone(), f.ty.clone()))
        .collect()
}

impl Planner<'_, '_> {
    /// The names bound now, for the analysis.
    fn names(&self) -> Names {
        Names {
            fields: self.env.clone(),
            tags: Vec::new(),
        }
    }

    /// What `exprs` can render first, with the names bound now.
    fn starts_of(&self, exprs: &[Expr]) -> Vec<Start> {
        starts(self.model, exprs, &self.names(), 0)
    }

    fn ty(&self, name: &str) -> Result<TypeExpr, String> {
        self.env.get(name).cloned().ok_or_else(|| {
            format!(
                "cannot generate the formatter of {}: the syntax uses `{name}`, which it does not have",
                self.reader.owner
            )
        })
    }

    fn seq(&mut self, exprs: &[Expr], end: End) -> Result<Vec<Step>, String> {
        let mut out = Vec::new();
        for (i, e) in exprs.iter().enumerate() {
            self.reader.place_hidden(e);
            let saved = self.reader.save();
            out.push(self.one(e, end.and(i + 1 == exprs.len()))?);
            self.reader.restore(saved);
            self.reader.after(self.model, e, &self.names())?;
        }
        Ok(out)
    }

    fn one(&mut self, e: &Expr, end: End) -> Result<Step, String> {
        let owner = self.reader.owner.clone();
        Ok(match e {
            Expr::Literal { text } => Step::Text(text.clone()),
            Expr::Param { name } => {
                let ty = self.ty(name)?;
                Step::Value {
                    name: name.clone(),
                    write: self.value(&ty, name, end)?,
                }
            }
            Expr::Json { name } => {
                self.ty(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                Step::Json { name: name.clone() }
            }
            Expr::Join { name, sep } => {
                let TypeExpr::Array { item } = self.ty(name)? else {
                    return Err(format!("{owner}: `{name}` is joined but is not an array"));
                };
                if !matches!(&*item, TypeExpr::Prim { prim } if prim.is_number()) {
                    return Err(format!(
                        "{owner}: `{name}` joins values that are not numbers: an item holding \
                         `{sep}` would be read as two, which is not supported"
                    ));
                }
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                self.value(&item, name, End::No)?;
                Step::Join {
                    name: name.clone(),
                    sep: sep.clone(),
                }
            }
            Expr::OnOff { name } => {
                self.ty(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                Step::OnOff { name: name.clone() }
            }
            Expr::OnOffParam { key, name, default } => {
                self.ty(name)?;
                self.reader
                    .check_starts(&self.starts_of(std::slice::from_ref(e)), name)?;
                Step::OnOffParam {
                    key: key.clone(),
                    name: name.clone(),
                    default: *default,
                }
            }
            Expr::Optional { name, some, none } => {
                let TypeExpr::Optional { inner } = self.ty(name)? else {
                    return Err(format!(
                        "{owner}: optional part on `{name}`, which is not optional"
                    ));
                };
                let shadowed = self.env.insert(name.clone(), (*inner).clone());
                let saved = self.reader.save();
                let some_steps = self.seq(some, end);
                match shadowed {
                    Some(s) => self.env.insert(name.clone(), s),
                    None => self.env.remove(name),
                };
                let some = some_steps?;
                self.reader.restore(saved);
                let none = self.seq(none, end)?;
                Step::Optional {
                    name: name.clone(),
                    some,
                    none,
                }
            }
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => {
                let ty = self.ty(name)?;
                let def = self.model.type_def(&ty).ok_or_else(|| {
                    format!("{owner}: choice on `{name}`, which is not an enum or union")
                })?;
                let info = self
                    .model
                    .info(&def.name)
                    .ok_or_else(|| format!("{owner}: no type `{}`", def.name))?;
                let tags: Vec<&str> = match &def.kind {
                    TypeKind::Enum { values } => values.iter().map(|v| v.value.as_str()).collect(),
                    TypeKind::Union { members } => members.iter().map(|m| m.tag.as_str()).collect(),
                    TypeKind::Record { .. } | TypeKind::Opaque => {
                        return Err(format!("{owner}: choice on record `{name}`"))
                    }
                };
                let saved = self.reader.save();
                let mut arms = Vec::new();
                for a in alternatives {
                    let idx = tags.iter().position(|t| *t == a.tag).ok_or_else(|| {
                        format!(
                            "{owner}: choice on `{name}` names unknown value `{}`",
                            a.tag
                        )
                    })?;
                    let (variant, unit) = variant_of(&info.shape, idx);
                    self.reader.restore(saved.clone());
                    let steps = self.seq(&a.expr, end)?;
                    arms.push(Arm {
                        variant,
                        unit,
                        steps,
                    });
                }
                self.reader.restore(saved);
                let otherwise = self.seq(otherwise, end)?;
                Step::Choice {
                    name: name.clone(),
                    ty: def.name.clone(),
                    union: matches!(def.kind, TypeKind::Union { .. }),
                    arms,
                    otherwise,
                }
            }
        })
    }

    fn value(&mut self, ty: &TypeExpr, wire: &str, end: End) -> Result<Write, String> {
        let owner = self.reader.owner.clone();
        Ok(match ty {
            // Written as if required (upstream's Python raises for `None` here).
            TypeExpr::Optional { inner } => {
                Write::Required(Box::new(self.value(inner, wire, end)?))
            }
            TypeExpr::Prim { prim } if prim.is_number() => {
                let start = Start {
                    text: String::new(),
                    next: Next::Number,
                };
                self.reader.check_starts(&[start], wire)?;
                Write::Number
            }
            TypeExpr::Prim { prim: Prim::String } => Write::Str(self.place(wire, end)?),
            TypeExpr::Prim {
                prim: Prim::UtcTime,
            } => Write::Time(self.place(wire, end)?),
            TypeExpr::Ref { name } => {
                let def = self.model.def(name).ok_or_else(|| {
                    format!("{owner}: `{wire}` has type `{name}`, which TYPES.md does not define")
                })?;
                if let Some(syntax) = &def.syntax {
                    let starts = starts(self.model, &syntax.expr, &Names::of_type(def), 0);
                    let runtime = self.reader.check_starts(&starts, wire)?;
                    let free_first = starts
                        .iter()
                        .any(|s| s.text.is_empty() && s.next == Next::Free);
                    let outer = self.reader.outer() && free_first;
                    Write::Syntax(self.reader.place(wire, end, &runtime, outer)?)
                } else if matches!(def.kind, TypeKind::Enum { .. }) {
                    Write::Enum {
                        ty: name.clone(),
                        place: self.place(wire, end)?,
                    }
                } else {
                    return Err(format!(
                        "{owner}: `{wire}` of type `{name}` is rendered as a plain value, but `{name}` has no syntax"
                    ));
                }
            }
            other => {
                return Err(format!(
                    "{owner}: `{wire}` of type `{other}` cannot be rendered as a plain value"
                ))
            }
        })
    }

    /// The place of a value checked only against what the core could read instead of it.
    fn place(&self, wire: &str, end: End) -> Result<Place, String> {
        let tokens = self.reader.tokens(wire)?;
        self.reader.place(wire, end, &tokens, self.reader.outer())
    }
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
                    .map(|a| Alternative {
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
