//! A compact, deterministic text rendering of the whole IR, for snapshot tests and for reading.
//!
//! Unlike the JSON form of the IR, the outline has no line or column locations, so inserting a
//! line upstream changes only the lines of the outline that describe what changed.
//!
//! The format, one line per item header and per member:
//!
//! ```text
//! files COMMANDS.md EVENTS.md TYPES.md
//!
//! command-category Message commands
//!   | description, one line per description line
//!
//! command APISendMessages [Message commands] network=background
//!   | Send messages.
//!   param sendRef: ChatRef
//!   syntax /_send <str(sendRef)>[ live=on] ...
//!   javascript '/_send ' + ChatRef.cmdString(sendRef) + ...
//!   python '/_send ' + ChatRef_cmd_string(sendRef) + ...
//!   bound javascript
//!   tree: "/_send " param(sendRef) onoff_param(live, liveMessage, default=false) ...
//!   response NewChatItems "newChatItems": Messages sent.
//!     field user: User
//!   error InvalidChatItemUpdate: description
//!
//! event NewChatItems [Message events] group=main tag="newChatItems"
//!   field chatItems: [AChatItem]
//!
//! type ChatType enum
//!   value "direct"
//! type ChatDeleteMode union
//!   member Full "full"
//!     field notify: bool
//! ```
//!
//! Syntax trees use this notation, items of a sequence separated by a space:
//!
//! | node | notation |
//! | --- | --- |
//! | literal | `"text"` (Rust string escaping) |
//! | parameter | `param(x)` |
//! | JSON | `json(x)` |
//! | joined array | `join(x, ",")` |
//! | `on`/`off` | `onoff(x)` |
//! | ` key=on\|off` | `onoff_param(key, x, default=false\|true\|none)` |
//! | optional part | `optional(x){some...}\|{none...}` |
//! | choice | `choice(x){tag: ...; tag: ...; else: ...}` |

use std::fmt::Write;

use crate::ir::{
    Api, Binding, Category, Command, ErrorDoc, Event, EventGroup, Expr, Field, NetworkUsage,
    Syntax, TypeDef, TypeKind, Variant, WireShapeKind,
};

/// Renders `api` as the outline described in the [module docs](self).
pub fn outline(api: &Api) -> String {
    let mut o = Out::default();
    let files: Vec<&str> = api.files.iter().map(|f| f.file_name()).collect();
    o.line(0, format_args!("files {}", files.join(" ")));
    if !api.command_categories.is_empty() {
        o.blank();
        for c in &api.command_categories {
            category(&mut o, "command-category", c);
        }
    }
    for c in &api.commands {
        o.blank();
        command(&mut o, c);
    }
    if !api.event_categories.is_empty() {
        o.blank();
        for c in &api.event_categories {
            category(&mut o, "event-category", c);
        }
    }
    for e in &api.events {
        o.blank();
        event(&mut o, e);
    }
    for t in &api.types {
        o.blank();
        type_def(&mut o, t);
        if let Some(w) = api.wire_shape(&t.name) {
            let shape = match w.shape {
                WireShapeKind::Pair => format!("[object without {}, {}]", w.field, w.field),
            };
            o.line(1, format_args!("also arrives as {shape} (overrides)"));
        }
    }
    o.s
}

/// Renders a syntax tree (a sequence of nodes) on one line, in the notation of the
/// [module docs](self).
pub fn tree(exprs: &[Expr]) -> String {
    let mut s = String::new();
    seq(&mut s, exprs);
    s
}

#[derive(Default)]
struct Out {
    s: String,
}

impl Out {
    fn line(&mut self, indent: usize, args: std::fmt::Arguments<'_>) {
        for _ in 0..indent {
            self.s.push_str("  ");
        }
        // Writing to a `String` cannot fail.
        let _ = self.s.write_fmt(args);
        // No trailing whitespace, so that snapshots survive editors.
        let trimmed = self.s.trim_end_matches([' ', '\t']).len();
        self.s.truncate(trimmed);
        self.s.push('\n');
    }

    fn blank(&mut self) {
        self.s.push('\n');
    }

    /// Every line of a Markdown description, prefixed with `| `.
    fn description(&mut self, indent: usize, text: &str) {
        for l in text.lines() {
            self.line(indent, format_args!("| {l}"));
        }
    }

    /// `head: first line` then the other lines of `text` as a description one level deeper.
    fn with_description(&mut self, indent: usize, head: &str, text: &str) {
        let mut lines = text.lines();
        match lines.next() {
            Some(first) if !first.trim().is_empty() => {
                self.line(indent, format_args!("{head}: {first}"))
            }
            _ => self.line(indent, format_args!("{head}")),
        }
        for l in lines {
            self.line(indent + 1, format_args!("| {l}"));
        }
    }
}

fn category(o: &mut Out, what: &str, c: &Category) {
    o.line(0, format_args!("{what} {}", c.name));
    o.description(1, &c.description);
}

fn network(n: NetworkUsage) -> &'static str {
    match n {
        NetworkUsage::No => "no",
        NetworkUsage::Interactive => "interactive",
        NetworkUsage::Background => "background",
    }
}

fn command(o: &mut Out, c: &Command) {
    let net = c
        .network_usage
        .map(|n| format!(" network={}", network(n)))
        .unwrap_or_default();
    o.line(0, format_args!("command {} [{}]{net}", c.name, c.category));
    o.description(1, &c.description);
    for p in &c.params {
        field(o, 1, "param", p);
    }
    if let Some(s) = &c.syntax {
        syntax(o, s);
    }
    for r in &c.responses {
        variant(o, "response", r);
    }
    for e in &c.errors {
        error_doc(o, e);
    }
}

fn field(o: &mut Out, indent: usize, what: &str, f: &Field) {
    o.line(indent, format_args!("{what} {}: {}", f.name, f.ty));
}

fn variant(o: &mut Out, what: &str, v: &Variant) {
    o.with_description(
        1,
        &format!("{what} {} {}", v.name, quote(&v.tag)),
        &v.description,
    );
    for f in &v.fields {
        field(o, 2, "field", f);
    }
}

fn error_doc(o: &mut Out, e: &ErrorDoc) {
    o.with_description(1, &format!("error {}", e.name), &e.description);
}

fn binding(b: Binding) -> &'static str {
    match b {
        Binding::Javascript => "javascript",
        Binding::Python => "python",
        Binding::Position => "position",
        Binding::Constant => "constant",
    }
}

fn syntax(o: &mut Out, s: &Syntax) {
    o.line(1, format_args!("syntax {}", s.plain));
    if let Some(js) = &s.javascript {
        o.line(1, format_args!("javascript {js}"));
    }
    if let Some(py) = &s.python {
        o.line(1, format_args!("python {py}"));
    }
    o.line(1, format_args!("bound {}", binding(s.binding)));
    o.line(1, format_args!("tree: {}", tree(&s.expr)));
    for h in &s.hidden_parts {
        o.line(
            1,
            format_args!(
                "the core also reads {} before `{}` (overrides: {:?})",
                h.shown, h.before, h.texts
            ),
        );
    }
    for f in &s.safe_forms {
        o.line(
            1,
            format_args!("safe form of `{}` (overrides): {}", f.param, f.advice),
        );
    }
}

fn event(o: &mut Out, e: &Event) {
    let group = match e.group {
        Some(EventGroup::Main) => " group=main",
        Some(EventGroup::Other) => " group=other",
        None => "",
    };
    o.line(
        0,
        format_args!(
            "event {} [{}]{group} tag={}",
            e.name,
            e.category,
            quote(&e.tag)
        ),
    );
    o.description(1, &e.description);
    for f in &e.fields {
        field(o, 1, "field", f);
    }
}

fn type_def(o: &mut Out, t: &TypeDef) {
    let kind = match &t.kind {
        TypeKind::Record { .. } => "record",
        TypeKind::Enum { .. } => "enum",
        TypeKind::Union { .. } => "union",
        TypeKind::Opaque => "opaque",
    };
    o.line(0, format_args!("type {} {kind}", t.name));
    o.description(1, &t.description);
    match &t.kind {
        TypeKind::Record { fields } => {
            for f in fields {
                field(o, 1, "field", f);
            }
        }
        TypeKind::Enum { values } => {
            for v in values {
                o.line(1, format_args!("value {}", quote(&v.value)));
            }
        }
        TypeKind::Union { members } => {
            for m in members {
                variant(o, "member", m);
            }
        }
        TypeKind::Opaque => {}
    }
    if let Some(s) = &t.syntax {
        syntax(o, s);
    }
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn seq(out: &mut String, exprs: &[Expr]) {
    for (i, e) in exprs.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        node(out, e);
    }
}

fn node(out: &mut String, e: &Expr) {
    // Writing to a `String` cannot fail.
    let _ = match e {
        Expr::Literal { text } => write!(out, "{}", quote(text)),
        Expr::Param { name } => write!(out, "param({name})"),
        Expr::Json { name } => write!(out, "json({name})"),
        Expr::Join { name, sep } => write!(out, "join({name}, {})", quote(sep)),
        Expr::OnOff { name } => write!(out, "onoff({name})"),
        Expr::OnOffParam { key, name, default } => {
            let default = match default {
                Some(true) => "true",
                Some(false) => "false",
                None => "none",
            };
            write!(out, "onoff_param({key}, {name}, default={default})")
        }
        Expr::Optional { name, some, none } => {
            let _ = write!(out, "optional({name}){{");
            seq(out, some);
            out.push_str("}|{");
            seq(out, none);
            out.push('}');
            Ok(())
        }
        Expr::Choice {
            name,
            alternatives,
            otherwise,
        } => {
            let _ = write!(out, "choice({name}){{");
            for a in alternatives {
                let _ = write!(out, "{}:", quote(&a.tag));
                if !a.expr.is_empty() {
                    out.push(' ');
                }
                seq(out, &a.expr);
                out.push_str("; ");
            }
            out.push_str("else:");
            if !otherwise.is_empty() {
                out.push(' ');
            }
            seq(out, otherwise);
            out.push('}');
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Alternative;

    #[test]
    fn trees_use_the_documented_notation() {
        let e = vec![
            Expr::lit("/_x "),
            Expr::Param { name: "a".into() },
            Expr::OnOffParam {
                key: "live".into(),
                name: "b".into(),
                default: Some(false),
            },
            Expr::Optional {
                name: "ttl".into(),
                some: vec![Expr::lit(" ttl="), Expr::Param { name: "ttl".into() }],
                none: vec![],
            },
            Expr::Join {
                name: "ids".into(),
                sep: ",".into(),
            },
            Expr::Choice {
                name: "self".into(),
                alternatives: vec![
                    Alternative {
                        tag: "direct".into(),
                        expr: vec![Expr::lit("@")],
                    },
                    Alternative {
                        tag: "messages".into(),
                        expr: vec![],
                    },
                ],
                otherwise: vec![Expr::OnOff { name: "n".into() }],
            },
            Expr::Json { name: "j".into() },
        ];
        assert_eq!(
            tree(&e),
            r#""/_x " param(a) onoff_param(live, b, default=false) optional(ttl){" ttl=" param(ttl)}|{} join(ids, ",") choice(self){"direct": "@"; "messages":; else: onoff(n)} json(j)"#
        );
    }

    #[test]
    fn outline_has_no_locations_and_no_trailing_spaces() {
        let docs = crate::DocSet::from_texts(
            None,
            None,
            Some("# API Types\n\n## T\n\nA type.\n\n**Enum type**:\n- \"a\"\n- \"b\"\n"),
        );
        let (api, _) = crate::load(&docs);
        assert_eq!(
            outline(&api),
            "files TYPES.md\n\ntype T enum\n  | A type.\n  value \"a\"\n  value \"b\"\n"
        );
    }
}
