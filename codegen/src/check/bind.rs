//! Positional binding: the fallback for old dialects whose syntax has no JavaScript or Python line.
//!
//! Anonymous tokens of the plain line (`on|off`, `[ key=on]`, enum alternatives) are bound to the
//! next parameter of the right type that the syntax has not used yet, in parameter order. This is a
//! heuristic (it is how upstream's parsers read constructor fields), and the IR marks trees bound
//! this way with [`crate::ir::Binding::Position`].

use crate::ir::{self, Alternative, Expr};
use crate::read::syntax::plain::Plain;

/// What positional binding needs to know about a parameter's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// `bool`.
    Bool,
    /// `bool?`.
    OptionalBool,
    /// An enum (its values) or a union (its tags); `self` for a type's own value.
    Values(Vec<String>),
    /// Anything else.
    Other,
}

/// A parameter available to the syntax, in parameter order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// Its type, as far as binding cares.
    pub kind: ParamKind,
}

/// Builds a tree from a plain line by binding anonymous tokens to parameters in order.
pub fn by_position(tree: &[Plain], params: &[ParamInfo]) -> Result<Vec<Expr>, String> {
    let mut used = vec![false; params.len()];
    let exprs = seq(tree, params, &mut used)?;
    Ok(ir::normalize(exprs))
}

fn mark(params: &[ParamInfo], used: &mut [bool], name: &str) {
    if let Some(i) = params.iter().position(|p| p.name == name) {
        used[i] = true;
    }
}

fn next(
    params: &[ParamInfo],
    used: &mut [bool],
    what: &str,
    fits: impl Fn(&ParamKind) -> bool,
) -> Result<String, String> {
    let i = params
        .iter()
        .enumerate()
        .position(|(i, p)| !used[i] && fits(&p.kind))
        .ok_or_else(|| format!("no unused {what} parameter to bind it to"))?;
    used[i] = true;
    Ok(params[i].name.clone())
}

fn seq(tree: &[Plain], params: &[ParamInfo], used: &mut [bool]) -> Result<Vec<Expr>, String> {
    tree.iter().map(|p| one(p, params, used)).collect()
}

fn one(p: &Plain, params: &[ParamInfo], used: &mut [bool]) -> Result<Expr, String> {
    Ok(match p {
        Plain::Lit(text) => Expr::lit(text.clone()),
        Plain::Param(name) | Plain::Str(name) => {
            mark(params, used, name);
            Expr::Param { name: name.clone() }
        }
        Plain::Json(name) => {
            mark(params, used, name);
            Expr::Json { name: name.clone() }
        }
        Plain::Join { name, sep } => {
            mark(params, used, name);
            Expr::Join {
                name: name.clone(),
                sep: sep.clone(),
            }
        }
        Plain::Alts(words) if words == &["on", "off"] => {
            let name = next(params, used, "`bool`", |k| *k == ParamKind::Bool)
                .map_err(|e| format!("`on|off`: {e}"))?;
            Expr::OnOff { name }
        }
        Plain::Alts(words) => {
            let shown = words.join("|");
            if words.last().is_some_and(String::is_empty) {
                // `@|#|*|`: a choice over the values of `self`, in order, with an empty else.
                let symbols = &words[..words.len() - 1];
                let values = params
                    .iter()
                    .find_map(|p| match &p.kind {
                        ParamKind::Values(v) if p.name == "self" && v.len() == symbols.len() => {
                            Some(v.clone())
                        }
                        _ => None,
                    })
                    .ok_or_else(|| {
                        format!(
                            "`{shown}`: no enum with {} values to choose by",
                            symbols.len()
                        )
                    })?;
                Expr::Choice {
                    name: "self".into(),
                    alternatives: values
                        .into_iter()
                        .zip(symbols)
                        .map(|(tag, s)| Alternative {
                            tag,
                            expr: vec![Expr::lit(s.clone())],
                        })
                        .collect(),
                    otherwise: Vec::new(),
                }
            } else {
                let name = next(
                    params,
                    used,
                    "enum",
                    |k| matches!(k, ParamKind::Values(v) if v == words),
                )
                .map_err(|e| format!("`{shown}`: {e} with exactly these values"))?;
                Expr::Param { name }
            }
        }
        Plain::Opt(inner) => optional(inner, params, used)?,
    })
}

fn optional(inner: &[Plain], params: &[ParamInfo], used: &mut [bool]) -> Result<Expr, String> {
    if let [Plain::Lit(text)] = inner {
        for (value, default) in [("=on", false), ("=off", true)] {
            if let Some(key) = text.strip_prefix(' ').and_then(|t| t.strip_suffix(value)) {
                let name = next(params, used, "`bool`", |k| *k == ParamKind::Bool)
                    .map_err(|e| format!("`[{text}]`: {e}"))?;
                return Ok(Expr::OnOffParam {
                    key: key.to_owned(),
                    name,
                    default: Some(default),
                });
            }
        }
    }
    if let [Plain::Lit(text), Plain::Alts(words)] = inner {
        if let Some(key) = text.strip_prefix(' ').and_then(|t| t.strip_suffix('=')) {
            if words == &["on", "off"] {
                let name = next(params, used, "`bool?`", |k| *k == ParamKind::OptionalBool)
                    .map_err(|e| format!("`[{text}on|off]`: {e}"))?;
                return Ok(Expr::OnOffParam {
                    key: key.to_owned(),
                    name,
                    default: None,
                });
            }
        }
    }
    let name = inner
        .iter()
        .find_map(|p| match p {
            Plain::Param(n) | Plain::Str(n) | Plain::Json(n) | Plain::Join { name: n, .. } => {
                Some(n.clone())
            }
            _ => None,
        })
        .ok_or_else(|| "an optional part `[...]` names no parameter".to_owned())?;
    let some = seq(inner, params, used)?;
    Ok(Expr::Optional {
        name,
        some,
        none: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::render;
    use crate::read::syntax::{plain, script};

    fn p(name: &str, kind: ParamKind) -> ParamInfo {
        ParamInfo {
            name: name.into(),
            kind,
        }
    }

    #[test]
    fn positional_binding_matches_the_javascript_binding_where_both_exist() {
        let params = [
            p("fileId", ParamKind::Other),
            p("userApprovedRelays", ParamKind::Bool),
            p("storeEncrypted", ParamKind::OptionalBool),
            p("fileInline", ParamKind::OptionalBool),
            p("filePath", ParamKind::Other),
        ];
        let line =
            "/freceive <fileId>[ approved_relays=on][ encrypt=on|off][ inline=on|off][ <filePath>]";
        let js = "'/freceive ' + fileId + (userApprovedRelays ? ' approved_relays=on' : '') + (typeof storeEncrypted == 'boolean' ? ' encrypt=' + (storeEncrypted ? 'on' : 'off') : '') + (typeof fileInline == 'boolean' ? ' inline=' + (fileInline ? 'on' : 'off') : '') + (filePath ? ' ' + filePath : '')";
        let by_pos = by_position(&plain::parse(line).unwrap(), &params).unwrap();
        assert_eq!(by_pos, script::parse(js, script::Lang::JavaScript).unwrap());
        assert_eq!(render::plain(&by_pos, &|_| render::Shape::Scalar), line);
    }

    #[test]
    fn enum_alternatives_bind_to_the_enum_with_those_values() {
        let roles = ParamKind::Values(vec!["member".into(), "owner".into()]);
        let params = [p("groupId", ParamKind::Other), p("memberRole", roles)];
        let tree = plain::parse("/_add #<groupId> member|owner").unwrap();
        assert_eq!(
            by_position(&tree, &params).unwrap().last(),
            Some(&Expr::Param {
                name: "memberRole".into()
            })
        );
        let err = by_position(&plain::parse("/x a|b").unwrap(), &params).unwrap_err();
        assert!(err.contains("`a|b`"), "{err}");
    }
}
