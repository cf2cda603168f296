//! Parsers for the JavaScript and Python syntax lines, lowered to the syntax tree.
//!
//! Both languages are parsed into one small expression AST (`Node`), which is then lowered to
//! [`Expr`] by recognising the shapes upstream's renderers produce (see the reference table in the
//! design docs). Every token is bound by name.

use super::SyntaxError;
use crate::ir::{self, Alternative, Expr};

/// Which script language a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `... // JavaScript`.
    JavaScript,
    /// `... # Python`.
    Python,
}

impl Lang {
    /// The marker that ends a line of this language.
    pub fn marker(self) -> &'static str {
        match self {
            Lang::JavaScript => "// JavaScript",
            Lang::Python => "# Python",
        }
    }

    /// The language's name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::JavaScript => "JavaScript",
            Lang::Python => "Python",
        }
    }
}

/// Parses a script line (its end marker already removed) into a syntax tree.
pub fn parse(line: &str, lang: Lang) -> Result<Vec<Expr>, SyntaxError> {
    let tokens = tokenize(line, lang)?;
    let mut p = Parser {
        toks: &tokens,
        pos: 0,
        lang,
        end: line.len(),
        depth: 0,
    };
    let node = p.cond()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(err(
            t.at,
            format!("unexpected `{}` after the expression", t.text()),
        ));
    }
    Ok(ir::normalize(lower(&node)?))
}

fn err(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        offset,
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum T {
    Str(String),
    Ident(String),
    Op(&'static str),
}

#[derive(Debug, Clone)]
struct Tok {
    t: T,
    at: usize,
}

impl Tok {
    fn text(&self) -> String {
        match &self.t {
            T::Str(s) => format!("'{s}'"),
            T::Ident(s) => s.clone(),
            T::Op(o) => (*o).to_owned(),
        }
    }
}

const OPS: [&str; 10] = ["==", "+", "?", ":", "(", ")", "!", ".", ",", ";"];

fn tokenize(s: &str, lang: Lang) -> Result<Vec<Tok>, SyntaxError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if c == '\'' || c == '"' {
            let start = i;
            i += 1;
            // Most literals have no escape: take them in one piece.
            let plain_end = s[i..].find([c, '\\']).map(|n| i + n);
            if let Some(end) = plain_end.filter(|&e| s[e..].starts_with(c)) {
                out.push(Tok {
                    t: T::Str(s[i..end].to_owned()),
                    at: start,
                });
                i = end + 1;
                continue;
            }
            let mut text = String::new();
            loop {
                let Some(ch) = s[i..].chars().next() else {
                    return Err(err(
                        start,
                        format!("unterminated string literal in the {} line", lang.name()),
                    ));
                };
                i += ch.len_utf8();
                if ch == '\\' {
                    let Some(esc) = s[i..].chars().next() else {
                        return Err(err(start, "unterminated escape in a string literal"));
                    };
                    i += esc.len_utf8();
                    text.push(esc);
                } else if ch == c {
                    break;
                } else {
                    text.push(ch);
                }
            }
            out.push(Tok {
                t: T::Str(text),
                at: start,
            });
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = i;
            let n = s[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(s.len() - i);
            i += n;
            out.push(Tok {
                t: T::Ident(s[start..i].to_owned()),
                at: start,
            });
        } else if let Some(op) = OPS.iter().find(|op| s[i..].starts_with(**op)) {
            out.push(Tok {
                t: T::Op(op),
                at: i,
            });
            i += op.len();
        } else {
            return Err(err(i, format!("unexpected character `{c}`")));
        }
    }
    Ok(out)
}

/// The expression AST shared by both languages.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Str(String),
    Var(String),
    Member(Box<N>, String),
    Call(Box<N>, Vec<N>),
    Not(Box<N>),
    Typeof(Box<N>),
    Eq(Box<N>, Box<N>),
    IsNotNone(Box<N>),
    Concat(Vec<N>),
    Cond(Box<N>, Box<N>, Box<N>),
}

#[derive(Debug, Clone, PartialEq)]
struct N {
    node: Node,
    at: usize,
}

/// How deep expressions may nest (parentheses, conditionals, negations; the docs use under ten
/// levels), so that no input exhausts the stack.
pub const MAX_DEPTH: usize = 100;

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    lang: Lang,
    end: usize,
    /// Nested `cond`, `unary` and `py_test` calls.
    depth: usize,
}

impl Parser<'_> {
    /// Runs `f` one nesting level deeper, or fails when that is too deep.
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<N, SyntaxError>,
    ) -> Result<N, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(err(
                self.here(),
                format!("expression nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        let n = f(self);
        self.depth -= 1;
        n
    }

    fn peek_op(&self, op: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok { t: T::Op(o), .. }) if *o == op)
    }

    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok { t: T::Ident(i), .. }) if i == kw)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn expect_op(&mut self, op: &str) -> Result<(), SyntaxError> {
        if self.peek_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{op}`")))
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SyntaxError> {
        if self.peek_kw(kw) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{kw}`")))
        }
    }

    fn unexpected(&self, expected: &str) -> SyntaxError {
        match self.toks.get(self.pos) {
            Some(t) => err(t.at, format!("expected {expected}, found `{}`", t.text())),
            None => err(
                self.end,
                format!("expected {expected}, found the end of the line"),
            ),
        }
    }

    /// JS: `eq ? cond : cond`; Python: `concat if test else cond`.
    fn cond(&mut self) -> Result<N, SyntaxError> {
        self.nested(Self::cond_here)
    }

    fn cond_here(&mut self) -> Result<N, SyntaxError> {
        match self.lang {
            Lang::JavaScript => {
                let test = self.eq()?;
                if !self.peek_op("?") {
                    return Ok(test);
                }
                self.pos += 1;
                let then = self.cond()?;
                self.expect_op(":")?;
                let other = self.cond()?;
                let at = test.at;
                Ok(N {
                    node: Node::Cond(Box::new(test), Box::new(then), Box::new(other)),
                    at,
                })
            }
            Lang::Python => {
                let then = self.concat()?;
                if !self.peek_kw("if") {
                    return Ok(then);
                }
                self.pos += 1;
                let test = self.py_test()?;
                self.expect_kw("else")?;
                let other = self.cond()?;
                let at = then.at;
                Ok(N {
                    node: Node::Cond(Box::new(test), Box::new(then), Box::new(other)),
                    at,
                })
            }
        }
    }

    fn py_test(&mut self) -> Result<N, SyntaxError> {
        self.nested(Self::py_test_here)
    }

    fn py_test_here(&mut self) -> Result<N, SyntaxError> {
        let at = self.here();
        if self.peek_kw("not") {
            self.pos += 1;
            let inner = self.py_test()?;
            return Ok(N {
                node: Node::Not(Box::new(inner)),
                at,
            });
        }
        let left = self.concat()?;
        if self.peek_op("==") {
            self.pos += 1;
            let right = self.concat()?;
            return Ok(N {
                node: Node::Eq(Box::new(left), Box::new(right)),
                at,
            });
        }
        if self.peek_kw("is") {
            self.pos += 1;
            self.expect_kw("not")?;
            self.expect_kw("None")?;
            return Ok(N {
                node: Node::IsNotNone(Box::new(left)),
                at,
            });
        }
        Ok(left)
    }

    fn eq(&mut self) -> Result<N, SyntaxError> {
        let left = self.concat()?;
        if self.peek_op("==") {
            self.pos += 1;
            let right = self.concat()?;
            let at = left.at;
            return Ok(N {
                node: Node::Eq(Box::new(left), Box::new(right)),
                at,
            });
        }
        Ok(left)
    }

    fn concat(&mut self) -> Result<N, SyntaxError> {
        let first = self.unary()?;
        if !self.peek_op("+") {
            return Ok(first);
        }
        let at = first.at;
        let mut items = vec![first];
        while self.peek_op("+") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(N {
            node: Node::Concat(items),
            at,
        })
    }

    fn unary(&mut self) -> Result<N, SyntaxError> {
        self.nested(Self::unary_here)
    }

    fn unary_here(&mut self) -> Result<N, SyntaxError> {
        let at = self.here();
        if self.lang == Lang::JavaScript && self.peek_op("!") {
            self.pos += 1;
            let inner = self.unary()?;
            return Ok(N {
                node: Node::Not(Box::new(inner)),
                at,
            });
        }
        if self.lang == Lang::JavaScript && self.peek_kw("typeof") {
            self.pos += 1;
            let inner = self.unary()?;
            return Ok(N {
                node: Node::Typeof(Box::new(inner)),
                at,
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<N, SyntaxError> {
        let mut n = self.primary()?;
        loop {
            if self.peek_op(".") {
                self.pos += 1;
                match self.toks.get(self.pos) {
                    Some(Tok {
                        t: T::Ident(name), ..
                    }) => {
                        self.pos += 1;
                        let at = n.at;
                        n = N {
                            node: Node::Member(Box::new(n), name.clone()),
                            at,
                        };
                    }
                    _ => return Err(self.unexpected("a name after `.`")),
                }
            } else if self.peek_op("(") {
                self.pos += 1;
                let mut args = Vec::new();
                if !self.peek_op(")") {
                    loop {
                        args.push(self.cond()?);
                        if self.peek_op(",") {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect_op(")")?;
                let at = n.at;
                n = N {
                    node: Node::Call(Box::new(n), args),
                    at,
                };
            } else {
                return Ok(n);
            }
        }
    }

    fn primary(&mut self) -> Result<N, SyntaxError> {
        let Some(tok) = self.toks.get(self.pos) else {
            return Err(self.unexpected("an expression"));
        };
        let at = tok.at;
        match &tok.t {
            T::Str(s) => {
                self.pos += 1;
                Ok(N {
                    node: Node::Str(s.clone()),
                    at,
                })
            }
            T::Ident(name) if !is_keyword(name, self.lang) => {
                self.pos += 1;
                Ok(N {
                    node: Node::Var(name.clone()),
                    at,
                })
            }
            T::Op("(") => {
                self.pos += 1;
                let inner = self.cond()?;
                self.expect_op(")")?;
                Ok(inner)
            }
            _ => Err(self.unexpected("an expression")),
        }
    }
}

fn is_keyword(name: &str, lang: Lang) -> bool {
    match lang {
        Lang::JavaScript => matches!(name, "typeof"),
        Lang::Python => matches!(name, "if" | "else" | "is" | "not" | "None"),
    }
}

fn unsupported(n: &N) -> SyntaxError {
    err(n.at, format!("unsupported expression `{}`", show(n)))
}

fn show(n: &N) -> String {
    match &n.node {
        Node::Str(s) => format!("'{s}'"),
        Node::Var(v) => v.clone(),
        Node::Member(o, m) => format!("{}.{m}", show(o)),
        Node::Call(f, args) => format!(
            "{}({})",
            show(f),
            args.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Node::Not(x) => format!("!{}", show(x)),
        Node::Typeof(x) => format!("typeof {}", show(x)),
        Node::Eq(a, b) => format!("{} == {}", show(a), show(b)),
        Node::IsNotNone(x) => format!("{} is not None", show(x)),
        Node::Concat(items) => items.iter().map(show).collect::<Vec<_>>().join(" + "),
        Node::Cond(t, a, b) => format!("({} ? {} : {})", show(t), show(a), show(b)),
    }
}

/// A variable name, looking through Python's `str(x)`.
fn var(n: &N) -> Option<&str> {
    match &n.node {
        Node::Var(v) => Some(v),
        Node::Call(f, args) if args.len() == 1 && matches!(&f.node, Node::Var(s) if s == "str") => {
            var(&args[0])
        }
        _ => None,
    }
}

fn string(n: &N) -> Option<&str> {
    match &n.node {
        Node::Str(s) => Some(s),
        _ => None,
    }
}

fn lower(n: &N) -> Result<Vec<Expr>, SyntaxError> {
    match &n.node {
        Node::Str(s) => Ok(vec![Expr::lit(s.clone())]),
        Node::Var(v) => Ok(vec![Expr::Param { name: v.clone() }]),
        Node::Concat(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(lower(i)?);
            }
            Ok(out)
        }
        Node::Call(f, args) => lower_call(n, f, args).map(|e| vec![e]),
        Node::Cond(test, then, other) => lower_cond(n, test, then, other),
        _ => Err(unsupported(n)),
    }
}

fn lower_call(n: &N, f: &N, args: &[N]) -> Result<Expr, SyntaxError> {
    let arg = |i: usize| args.get(i).and_then(var).map(str::to_owned);
    let name = match &f.node {
        // Python `str(p)`, `X_cmd_string(p)`.
        Node::Var(fname)
            if args.len() == 1 && (fname == "str" || fname.ends_with("_cmd_string")) =>
        {
            arg(0).map(|name| Expr::Param { name })
        }
        Node::Member(obj, method) => match (&obj.node, method.as_str()) {
            // JS `p.toString()` (older docs) and `X.cmdString(p)`.
            (Node::Var(p), "toString") if args.is_empty() => Some(Expr::Param { name: p.clone() }),
            (Node::Var(_), "cmdString") if args.len() == 1 => {
                arg(0).map(|name| Expr::Param { name })
            }
            // JS `JSON.stringify(p)`, Python `json.dumps(p)`.
            (Node::Var(o), "stringify" | "dumps")
                if (o == "JSON" || o == "json") && args.len() == 1 =>
            {
                arg(0).map(|name| Expr::Json { name })
            }
            // JS `p.join(',')`.
            (Node::Var(p), "join") if args.len() == 1 => string(&args[0]).map(|sep| Expr::Join {
                name: p.clone(),
                sep: sep.to_owned(),
            }),
            // Python `','.join(p)`, `','.join(map(str, p))`.
            (Node::Str(sep), "join") if args.len() == 1 => {
                let target = match &args[0].node {
                    Node::Call(m, margs)
                        if matches!(&m.node, Node::Var(v) if v == "map")
                            && margs.len() == 2
                            && matches!(&margs[0].node, Node::Var(s) if s == "str") =>
                    {
                        var(&margs[1])
                    }
                    _ => var(&args[0]),
                };
                target.map(|p| Expr::Join {
                    name: p.to_owned(),
                    sep: sep.clone(),
                })
            }
            _ => None,
        },
        _ => None,
    };
    name.ok_or_else(|| unsupported(n))
}

/// ` key=on` / ` key=off` literal: the key.
fn on_off_key<'a>(lit: &'a str, value: &str) -> Option<&'a str> {
    let key = lit
        .strip_prefix(' ')?
        .strip_suffix(value)?
        .strip_suffix('=')?;
    (!key.is_empty() && !key.contains(' ')).then_some(key)
}

fn lower_cond(n: &N, test: &N, then: &N, other: &N) -> Result<Vec<Expr>, SyntaxError> {
    let then_s = string(then);
    let other_s = string(other);
    match &test.node {
        // `(p ? 'on' : 'off')`
        Node::Var(p) if then_s == Some("on") && other_s == Some("off") => {
            Ok(vec![Expr::OnOff { name: p.clone() }])
        }
        // `(p ? ' key=on' : '')`
        Node::Var(p)
            if other_s == Some("") && then_s.and_then(|s| on_off_key(s, "on")).is_some() =>
        {
            let key = then_s.and_then(|s| on_off_key(s, "on")).unwrap_or_default();
            Ok(vec![Expr::OnOffParam {
                key: key.to_owned(),
                name: p.clone(),
                default: Some(false),
            }])
        }
        // `(!p ? ' key=off' : '')`
        Node::Not(inner) if other_s == Some("") => {
            let (Some(p), Some(key)) = (var(inner), then_s.and_then(|s| on_off_key(s, "off")))
            else {
                return Err(unsupported(n));
            };
            Ok(vec![Expr::OnOffParam {
                key: key.to_owned(),
                name: p.to_owned(),
                default: Some(true),
            }])
        }
        // `(typeof p == 'boolean' ? ' key=' + (p ? 'on' : 'off') : '')` and the Python
        // `((' key=' + ('on' if p else 'off')) if p is not None else '')`.
        Node::Eq(a, b) if matches!(&a.node, Node::Typeof(_)) && string(b) == Some("boolean") => {
            let Node::Typeof(inner) = &a.node else {
                return Err(unsupported(n));
            };
            let p = var(inner).ok_or_else(|| unsupported(n))?;
            optional_bool(n, p, then, other)
        }
        // `(p ? ex : exN)` (JS truthiness) and `(ex) if p is not None else exN` (Python).
        Node::IsNotNone(_) | Node::Var(_) => {
            let p = match &test.node {
                Node::IsNotNone(inner) => var(inner),
                _ => var(test),
            }
            .ok_or_else(|| unsupported(n))?;
            if let Ok(e) = optional_bool(n, p, then, other) {
                return Ok(e);
            }
            Ok(vec![Expr::Optional {
                name: p.to_owned(),
                some: ir::normalize(lower(then)?),
                none: ir::normalize(lower(other)?),
            }])
        }
        // A chain of `v == 'tag' ? ex : ...`.
        Node::Eq(..) => {
            let mut alternatives = Vec::new();
            let mut name: Option<String> = None;
            let (mut test, mut then, mut other) = (test, then, other);
            loop {
                let Node::Eq(a, b) = &test.node else {
                    return Err(unsupported(test));
                };
                let (Some(v), Some(tag)) = (var(a), string(b)) else {
                    return Err(unsupported(test));
                };
                match &name {
                    Some(prev) if prev != v => {
                        return Err(err(
                            test.at,
                            format!(
                                "a choice compares both `{prev}` and `{v}`; expected one variable"
                            ),
                        ))
                    }
                    _ => name = Some(v.to_owned()),
                }
                alternatives.push(Alternative {
                    tag: tag.to_owned(),
                    expr: ir::normalize(lower(then)?),
                });
                match &other.node {
                    Node::Cond(t2, a2, o2) if matches!(t2.node, Node::Eq(..)) => {
                        (test, then, other) = (t2, a2, o2);
                    }
                    _ => break,
                }
            }
            Ok(vec![Expr::Choice {
                name: name.unwrap_or_default(),
                alternatives,
                otherwise: ir::normalize(lower(other)?),
            }])
        }
        _ => Err(unsupported(n)),
    }
}

/// `' key=' + (p ? 'on' : 'off')` when present, `''` otherwise: an optional bool.
fn optional_bool(n: &N, p: &str, then: &N, other: &N) -> Result<Vec<Expr>, SyntaxError> {
    let then = ir::normalize(lower(then)?);
    match (then.as_slice(), string(other)) {
        ([Expr::Literal { text }, Expr::OnOff { name }], Some("")) if name == p => {
            let key = text
                .strip_prefix(' ')
                .and_then(|t| t.strip_suffix('='))
                .filter(|k| !k.is_empty())
                .ok_or_else(|| unsupported(n))?;
            Ok(vec![Expr::OnOffParam {
                key: key.to_owned(),
                name: p.to_owned(),
                default: None,
            }])
        }
        _ => Err(unsupported(n)),
    }
}
