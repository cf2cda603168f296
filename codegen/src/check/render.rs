//! Renders a syntax tree back to the plain line, the way upstream's `docSyntaxText` does.

use crate::ir::Expr;

/// How a `Param` node shows in the plain line, decided by the parameter's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `<p>`: numbers, strings, records.
    Scalar,
    /// `<str(p)>`: the type has its own string syntax.
    WithSyntax,
    /// `a|b|c`: an enum's values or a union's tags.
    Values(Vec<String>),
}

/// Renders `exprs` as the plain syntax line.
pub fn plain(exprs: &[Expr], shape: &dyn Fn(&str) -> Shape) -> String {
    let mut out = String::new();
    seq(&mut out, exprs, shape);
    out
}

fn seq(out: &mut String, exprs: &[Expr], shape: &dyn Fn(&str) -> Shape) {
    for e in exprs {
        one(out, e, shape);
    }
}

fn one(out: &mut String, e: &Expr, shape: &dyn Fn(&str) -> Shape) {
    match e {
        Expr::Literal { text } => out.push_str(text),
        Expr::Param { name } => match shape(name) {
            Shape::Scalar => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
            Shape::WithSyntax => {
                out.push_str("<str(");
                out.push_str(name);
                out.push_str(")>");
            }
            Shape::Values(values) => out.push_str(&values.join("|")),
        },
        Expr::Json { name } => {
            out.push_str("<json(");
            out.push_str(name);
            out.push_str(")>");
        }
        Expr::Join { name, sep } => {
            out.push_str(&format!("<{name}[0]>[{sep}<{name}[1]>...]"));
        }
        Expr::OnOff { .. } => out.push_str("on|off"),
        Expr::OnOffParam { key, default, .. } => match default {
            None => out.push_str(&format!("[ {key}=on|off]")),
            Some(false) => out.push_str(&format!("[ {key}=on]")),
            Some(true) => out.push_str(&format!("[ {key}=off]")),
        },
        Expr::Optional { some, none, .. } => {
            if !none.is_empty() {
                seq(out, none, shape);
                out.push('|');
                seq(out, some, shape);
            } else {
                out.push('[');
                seq(out, some, shape);
                out.push(']');
            }
        }
        Expr::Choice {
            alternatives,
            otherwise,
            ..
        } => {
            let rendered: Vec<String> = alternatives
                .iter()
                .map(|a| plain(&a.expr, shape))
                .filter(|s| !s.is_empty())
                .collect();
            if !rendered.is_empty() {
                out.push_str(&rendered.join("|"));
                out.push('|');
            }
            seq(out, otherwise, shape);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::syntax::script::{parse, Lang};

    fn shape(name: &str) -> Shape {
        match name {
            "sendRef" | "chatRef" | "chatDeleteMode" => Shape::WithSyntax,
            "deleteMode" => Shape::Values(vec!["broadcast".into(), "internal".into()]),
            "type" => Shape::Values(vec!["full".into(), "entity".into(), "messages".into()]),
            _ => Shape::Scalar,
        }
    }

    #[test]
    fn renders_upstream_shapes() {
        let cases = [
            (
                "'/_send ' + ChatRef.cmdString(sendRef) + (liveMessage ? ' live=on' : '') + (ttl ? ' ttl=' + ttl : '') + ' json ' + JSON.stringify(composedMessages)",
                "/_send <str(sendRef)>[ live=on][ ttl=<ttl>] json <json(composedMessages)>",
            ),
            (
                "'/_delete item ' + ChatRef.cmdString(chatRef) + ' ' + chatItemIds.join(',') + ' ' + deleteMode",
                "/_delete item <str(chatRef)> <chatItemIds[0]>[,<chatItemIds[1]>...] broadcast|internal",
            ),
            (
                "self == 'direct' ? '@' : self == 'group' ? '#' : self == 'local' ? '*' : ''",
                "@|#|*|",
            ),
            (
                "type + (type == 'messages' ? '' : (!notify ? ' notify=off' : ''))",
                "full|entity|messages[ notify=off]",
            ),
            (
                "'/x' + (typeof b == 'boolean' ? ' enc=' + (b ? 'on' : 'off') : '') + ' ' + (c ? 'on' : 'off')",
                "/x[ enc=on|off] on|off",
            ),
        ];
        for (js, want) in cases {
            let tree = parse(js, Lang::JavaScript).unwrap();
            assert_eq!(plain(&tree, &shape), want, "{js}");
        }
    }
}
