//! The syntax pass: binds the trees of old dialects by position and checks every syntax tree
//! against the types of the parameters it uses, and against its plain line.

use std::collections::BTreeSet;

use super::bind::{self, ParamInfo, ParamKind};
use super::render::{self, Shape};
use crate::diag::Diagnostics;
use crate::ir::{Api, Binding, Expr, Loc, Prim, Syntax, TypeDef, TypeExpr, TypeKind};
use crate::read::syntax::plain::{self, Plain};

/// The type of a name a syntax tree may use.
#[derive(Debug, Clone, PartialEq)]
enum ScopeTy {
    /// A parameter or field.
    Ty(TypeExpr),
    /// `type` of a union: its tags.
    Tags(Vec<String>),
    /// `self` of an enum: its values.
    Values(Vec<String>),
}

struct Scope<'a> {
    api: &'a Api,
    names: Vec<(String, ScopeTy, Loc)>,
    owner: String,
}

impl Scope<'_> {
    fn get(&self, name: &str) -> Option<&ScopeTy> {
        self.names
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, _)| t)
    }

    fn type_def(&self, ty: &TypeExpr) -> Option<&TypeDef> {
        match ty.strip_optional() {
            TypeExpr::Ref { name } => self.api.type_def(name),
            _ => None,
        }
    }

    /// How `name` shows in the plain line; `None` when its type is not available.
    fn shape(&self, name: &str) -> Option<Shape> {
        match self.get(name)? {
            ScopeTy::Tags(v) | ScopeTy::Values(v) => Some(Shape::Values(v.clone())),
            ScopeTy::Ty(ty) => match ty.strip_optional() {
                TypeExpr::Ref { name } => {
                    let def = self.api.type_def(name)?;
                    Some(match (&def.kind, &def.syntax) {
                        (_, Some(_)) => Shape::WithSyntax,
                        (TypeKind::Enum { values }, None) => {
                            Shape::Values(values.iter().map(|v| v.value.clone()).collect())
                        }
                        _ => Shape::Scalar,
                    })
                }
                _ => Some(Shape::Scalar),
            },
        }
    }

    fn param_infos(&self) -> Vec<ParamInfo> {
        self.names
            .iter()
            .map(|(name, ty, _)| ParamInfo {
                name: name.clone(),
                kind: match ty {
                    ScopeTy::Tags(v) | ScopeTy::Values(v) => ParamKind::Values(v.clone()),
                    ScopeTy::Ty(TypeExpr::Prim { prim: Prim::Bool }) => ParamKind::Bool,
                    ScopeTy::Ty(TypeExpr::Optional { inner })
                        if **inner == TypeExpr::prim(Prim::Bool) =>
                    {
                        ParamKind::OptionalBool
                    }
                    ScopeTy::Ty(t) => match self.type_def(t).map(|d| &d.kind) {
                        Some(TypeKind::Enum { values }) if !t.is_optional() => {
                            ParamKind::Values(values.iter().map(|v| v.value.clone()).collect())
                        }
                        _ => ParamKind::Other,
                    },
                },
            })
            .collect()
    }
}

/// Binds positional trees and checks every syntax tree against its parameters.
pub fn syntax(api: &mut Api, diags: &mut Diagnostics) {
    let mut bound: Vec<(bool, usize, Vec<Expr>)> = Vec::new();
    for (i, c) in api.commands.iter().enumerate() {
        let Some(s) = &c.syntax else { continue };
        let scope = Scope {
            api,
            names: c
                .params
                .iter()
                .map(|p| (p.name.clone(), ScopeTy::Ty(p.ty.clone()), p.loc))
                .collect(),
            owner: format!("command `{}`", c.name),
        };
        if let Some(e) = check(&scope, s, true, diags) {
            bound.push((true, i, e));
        }
    }
    for (i, t) in api.types.iter().enumerate() {
        let Some(s) = &t.syntax else { continue };
        let names = match &t.kind {
            TypeKind::Record { fields } => fields
                .iter()
                .map(|p| (p.name.clone(), ScopeTy::Ty(p.ty.clone()), p.loc))
                .collect(),
            TypeKind::Enum { values } => vec![(
                "self".to_owned(),
                ScopeTy::Values(values.iter().map(|v| v.value.clone()).collect()),
                t.loc,
            )],
            TypeKind::Union { members } => {
                let mut names = vec![(
                    "type".to_owned(),
                    ScopeTy::Tags(members.iter().map(|m| m.tag.clone()).collect()),
                    t.loc,
                )];
                for m in members {
                    for f in &m.fields {
                        if !names.iter().any(|(n, _, _)| *n == f.name) {
                            names.push((f.name.clone(), ScopeTy::Ty(f.ty.clone()), f.loc));
                        }
                    }
                }
                names
            }
            TypeKind::Opaque => Vec::new(),
        };
        let scope = Scope {
            api,
            names,
            owner: format!("type `{}`", t.name),
        };
        if let Some(e) = check(&scope, s, false, diags) {
            bound.push((false, i, e));
        }
    }
    for (is_cmd, i, expr) in bound {
        let s = if is_cmd {
            api.commands[i].syntax.as_mut()
        } else {
            api.types[i].syntax.as_mut()
        };
        if let Some(s) = s {
            s.expr = expr;
        }
    }
}

/// Checks one syntax; returns a tree bound by position when the syntax needed one.
fn check(
    scope: &Scope<'_>,
    s: &Syntax,
    is_command: bool,
    diags: &mut Diagnostics,
) -> Option<Vec<Expr>> {
    let owner = &scope.owner;
    let mut new_tree = None;
    if s.binding == Binding::Position && s.expr.is_empty() {
        let tree = plain::parse(&s.plain).ok()?;
        match bind::by_position(&tree, &scope.param_infos()) {
            Ok(e) => new_tree = Some(e),
            Err(e) => {
                diags.error(
                    s.loc,
                    format!("cannot bind the syntax of {owner} by position: {e}"),
                );
                return None;
            }
        }
    }
    let expr = new_tree.as_ref().unwrap_or(&s.expr);
    if expr.is_empty() {
        return None;
    }
    // Names and types.
    let mut used = BTreeSet::new();
    for e in expr {
        check_node(scope, e, None, s.loc, &mut used, diags);
    }
    if is_command {
        for (name, _, loc) in &scope.names {
            if !used.contains(name.as_str()) {
                diags.warning(
                    *loc,
                    format!("parameter `{name}` of {owner} never appears in its syntax: setting it has no effect"),
                );
            }
        }
    }
    // Round trip to the plain line.
    let unknown = std::cell::RefCell::new(Vec::new());
    let rendered = render::plain(expr, &|name| {
        scope.shape(name).unwrap_or_else(|| {
            unknown.borrow_mut().push(name.to_owned());
            Shape::Scalar
        })
    });
    let unknown = unknown.into_inner();
    if rendered != s.plain {
        if let Some((doc, ours)) = only_alternatives_differ(&rendered, &s.plain) {
            diags.warning(
                s.loc,
                format!(
                    "the syntax of {owner} lists `{doc}` where the parameter's type has `{ours}`: \
                     the docs were generated from another version of the type"
                ),
            );
        } else if unknown.is_empty() {
            diags.error(
                s.loc,
                format!(
                    "the syntax tree of {owner} renders as `{rendered}`, not as the documented `{}`",
                    s.plain
                ),
            );
        } else {
            diags.warning(
                s.loc,
                format!(
                    "cannot check the plain syntax of {owner}: the types of {} are not available",
                    unknown.join(", ")
                ),
            );
        }
    }
    new_tree
}

fn check_node<'e>(
    scope: &Scope<'_>,
    e: &'e Expr,
    unwrapped: Option<&str>,
    loc: Loc,
    used: &mut BTreeSet<&'e str>,
    diags: &mut Diagnostics,
) {
    let owner = &scope.owner;
    let Some(name) = e.param_name() else { return };
    used.insert(name);
    let Some(ty) = scope.get(name) else {
        diags.error(
            loc,
            format!("the syntax of {owner} uses `{name}`, which is not in its parameter list"),
        );
        return;
    };
    let ty_expr = match ty {
        ScopeTy::Ty(t) => Some(t),
        _ => None,
    };
    let present = |t: &TypeExpr| -> TypeExpr {
        if unwrapped == Some(name) {
            t.strip_optional().clone()
        } else {
            t.clone()
        }
    };
    let shown = |t: &TypeExpr| t.to_string();
    let bad = |diags: &mut Diagnostics, what: &str| {
        let ty_s = ty_expr.map_or_else(|| "a tag".to_owned(), shown);
        diags.error(
            loc,
            format!("in the syntax of {owner}: {what}, but `{name}` is `{ty_s}`"),
        );
    };
    let is_bool = |t: &TypeExpr| *t == TypeExpr::prim(Prim::Bool);
    match e {
        Expr::OnOff { .. } => {
            if !ty_expr.map(present).is_some_and(|t| is_bool(&t)) {
                bad(diags, "`on|off` needs a `bool`");
            }
        }
        Expr::OnOffParam { default, key, .. } => {
            let ok = ty_expr.map(present).is_some_and(|t| match default {
                Some(_) => is_bool(&t),
                None => matches!(&t, TypeExpr::Optional { inner } if is_bool(inner)),
            });
            if !ok {
                let want = if default.is_some() { "bool" } else { "bool?" };
                bad(diags, &format!("` {key}=...` needs a `{want}`"));
            }
        }
        Expr::Join { .. } => {
            if !ty_expr
                .map(present)
                .is_some_and(|t| matches!(t, TypeExpr::Array { .. }))
            {
                bad(diags, "joining needs an array");
            }
        }
        Expr::Optional { some, none, .. } => {
            if !ty_expr.is_some_and(|t| t.is_optional()) {
                bad(diags, "an optional part needs an optional parameter");
            }
            for c in some {
                check_node(scope, c, Some(name), loc, used, diags);
            }
            for c in none {
                check_node(scope, c, unwrapped, loc, used, diags);
            }
        }
        Expr::Choice {
            alternatives,
            otherwise,
            ..
        } => {
            let tags = match ty {
                ScopeTy::Tags(v) | ScopeTy::Values(v) => Some(v.clone()),
                ScopeTy::Ty(t) => scope.type_def(t).and_then(|d| match &d.kind {
                    TypeKind::Enum { values } => {
                        Some(values.iter().map(|v| v.value.clone()).collect())
                    }
                    TypeKind::Union { members } => {
                        Some(members.iter().map(|m| m.tag.clone()).collect())
                    }
                    TypeKind::Record { .. } | TypeKind::Opaque => None,
                }),
            };
            match tags {
                None => bad(diags, "a choice needs an enum or a union"),
                Some(tags) => {
                    for a in alternatives {
                        if !tags.contains(&a.tag) {
                            diags.error(loc, format!("in the syntax of {owner}: a choice on `{name}` names `{}`, which is not one of its values ({})", a.tag, tags.join(", ")));
                        }
                    }
                }
            }
            for a in alternatives {
                for c in &a.expr {
                    check_node(scope, c, unwrapped, loc, used, diags);
                }
            }
            for c in otherwise {
                check_node(scope, c, unwrapped, loc, used, diags);
            }
        }
        Expr::Param { .. } => {
            if let Some(t) = ty_expr {
                let t = present(t);
                if t.is_optional() {
                    diags.warning(loc, format!("in the syntax of {owner}: optional `{name}` is rendered as if it were required"));
                }
                if matches!(
                    t.strip_optional(),
                    TypeExpr::Array { .. }
                        | TypeExpr::Map { .. }
                        | TypeExpr::Prim {
                            prim: Prim::Bool | Prim::JsonObject
                        }
                ) {
                    bad(
                        diags,
                        "a plain value needs a number, a string, an enum or a type with a syntax",
                    );
                }
            }
        }
        Expr::Json { .. } | Expr::Literal { .. } => {}
    }
}

/// When two plain lines differ only in the words of enum alternatives (`a|b|c`), the first such
/// difference as (documented, rendered).
fn only_alternatives_differ(rendered: &str, documented: &str) -> Option<(String, String)> {
    fn walk(a: &[Plain], b: &[Plain], diff: &mut Option<(String, String)>) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| match (x, y) {
                (Plain::Opt(x), Plain::Opt(y)) => walk(x, y, diff),
                (Plain::Alts(x), Plain::Alts(y)) if x != y => {
                    let on_off = |w: &[String]| w == ["on", "off"];
                    if on_off(x) || on_off(y) {
                        return false;
                    }
                    diff.get_or_insert_with(|| (y.join("|"), x.join("|")));
                    true
                }
                (x, y) => x == y,
            })
    }
    let (a, b) = (plain::parse(rendered).ok()?, plain::parse(documented).ok()?);
    let mut diff = None;
    (walk(&a, &b, &mut diff) && diff.is_some()).then(|| diff.unwrap_or_default())
}
