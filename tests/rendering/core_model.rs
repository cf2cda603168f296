//! A model of how the core reads a command string, built only from the docs' grammar: the
//! syntax tree of each command and type in the IR (`codegen::load_dir`, whose plain line the
//! generator checks the tree against) and the hidden parts of the overrides file. It shares no
//! code with the formatters under test.
//!
//! What it models (the core's parser is attoparsec, a parsing expression grammar: ordered
//! choice that backtracks when an alternative fails, and never reconsiders one that succeeded):
//!
//! * The core first strips whitespace bytes from the end of the command, one by one, with the
//!   byte-wise test that also takes 0xA0 for whitespace.
//! * Parts are read left to right. An optional part (`[...]`, a flag ` key=on`, a hidden part)
//!   is tried where it stands: if all of it can be read there, it is (and stays) read; if not,
//!   the core reads on as if it were absent.
//! * A free string that is the last node of the tree is the rest of the command; any other is
//!   one word (bytes up to whitespace, 0xA0 included). Enum values are words. Numbers are
//!   `-?[0-9]+`, `on|off` flags are those words, `json(...)` is one JSON text.
//! * Nothing may be left over.
//!
//! [`render`] is the docs' own rendering of a tree (what upstream's Python line does, with no
//! checks), used to tell a refusal that prevents a misreading from one that refuses a value
//! the core would have read correctly.

use codegen::ir::{Api, Command, Expr, HiddenPart, Prim, TypeDef, TypeExpr, TypeKind};
use serde_json::{Map, Value};

/// A byte the core strips from the end of a command and ends a word at.
pub fn is_space_byte(b: u8) -> bool {
    matches!(b, 0x09..=0x0D | b' ' | 0xA0)
}

/// The names a syntax tree uses, with their types; in a type's own syntax, also the values of
/// `self` (an enum) or `type` (a union's tags).
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    fields: Vec<(&'a str, &'a TypeExpr)>,
    tags: Vec<&'a str>,
}

impl<'a> Scope<'a> {
    pub fn of_command(c: &'a Command) -> Self {
        Scope {
            fields: c.params.iter().map(|p| (p.name.as_str(), &p.ty)).collect(),
            tags: Vec::new(),
        }
    }

    pub fn of_type(def: &'a TypeDef) -> Self {
        match &def.kind {
            TypeKind::Record { fields } => Scope {
                fields: fields.iter().map(|f| (f.name.as_str(), &f.ty)).collect(),
                tags: Vec::new(),
            },
            TypeKind::Enum { values } => Scope {
                fields: Vec::new(),
                tags: values.iter().map(|v| v.value.as_str()).collect(),
            },
            TypeKind::Union { members } => Scope {
                fields: members
                    .iter()
                    .flat_map(|m| m.fields.iter().map(|f| (f.name.as_str(), &f.ty)))
                    .collect(),
                tags: members.iter().map(|m| m.tag.as_str()).collect(),
            },
            TypeKind::Opaque => Scope {
                fields: Vec::new(),
                tags: Vec::new(),
            },
        }
    }

    fn ty(&self, name: &str) -> Option<&'a TypeExpr> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    }
}

/// True when a node of `e` reads `param`.
pub fn mentions(e: &Expr, param: &str) -> bool {
    let mut found = false;
    e.walk(&mut |n| found |= n.param_name() == Some(param));
    found
}

/// True when the tree of `c` reads `param` anywhere.
pub fn renders(c: &Command, param: &str) -> bool {
    c.syntax
        .as_ref()
        .is_some_and(|s| s.expr.iter().any(|e| mentions(e, param)))
}

// ---------------------------------------------------------------------------------------------
// Reading.

#[derive(Debug)]
struct Fail {
    why: String,
}

type Read<T> = Result<T, Fail>;

fn fail<T>(why: impl Into<String>) -> Read<T> {
    Err(Fail { why: why.into() })
}

struct Reader<'a> {
    api: &'a Api,
    text: Vec<u8>,
    hidden: &'a [HiddenPart],
    placed: Vec<bool>,
}

fn shown(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.chars().count() > 40 {
        format!("{:?}...", s.chars().take(40).collect::<String>())
    } else {
        format!("{s:?}")
    }
}

impl<'a> Reader<'a> {
    fn new(api: &'a Api, text: &str, hidden: &'a [HiddenPart]) -> Self {
        let mut text = text.as_bytes().to_vec();
        while text.last().is_some_and(|b| is_space_byte(*b)) {
            text.pop();
        }
        Reader {
            api,
            text,
            hidden,
            placed: vec![false; hidden.len()],
        }
    }

    fn at(&self, pos: usize, lit: &str) -> bool {
        self.text
            .get(pos..)
            .is_some_and(|rest| rest.starts_with(lit.as_bytes()))
    }

    fn finish(&self, pos: usize) -> Result<(), String> {
        if pos == self.text.len() {
            Ok(())
        } else {
            Err(format!("text left over: {}", shown(&self.text[pos..])))
        }
    }

    fn seq(
        &mut self,
        exprs: &[Expr],
        mut pos: usize,
        scope: &Scope<'_>,
        out: &mut Map<String, Value>,
        last: bool,
    ) -> Read<usize> {
        for (i, e) in exprs.iter().enumerate() {
            pos = self.hidden_before(e, pos, out);
            pos = self.one(e, pos, scope, out, last && i + 1 == exprs.len())?;
        }
        Ok(pos)
    }

    /// A hidden part the core reads just before `e`: recorded under its own name, which no
    /// parameter has, so that reading it is always a misreading.
    fn hidden_before(&mut self, e: &Expr, pos: usize, out: &mut Map<String, Value>) -> usize {
        for (i, h) in self.hidden.iter().enumerate() {
            if self.placed[i] || !mentions(e, &h.before) {
                continue;
            }
            self.placed[i] = true;
            if let Some(t) = h.texts.iter().find(|t| self.at(pos, t)) {
                out.insert(
                    format!("(hidden part {})", h.shown),
                    Value::String(t.trim().to_owned()),
                );
                return pos + t.len();
            }
        }
        pos
    }

    fn one(
        &mut self,
        e: &Expr,
        pos: usize,
        scope: &Scope<'_>,
        out: &mut Map<String, Value>,
        last: bool,
    ) -> Read<usize> {
        match e {
            Expr::Literal { text } => {
                if self.at(pos, text) {
                    Ok(pos + text.len())
                } else {
                    fail(format!(
                        "expected {text:?} at {}",
                        shown(&self.text[pos.min(self.text.len())..])
                    ))
                }
            }
            Expr::Param { name }
                if (name == "self" || name == "type") && !scope.tags.is_empty() =>
            {
                let (v, p) = self.word(pos)?;
                out.insert(name.clone(), v);
                Ok(p)
            }
            Expr::Param { name } => {
                let ty = scope.ty(name).ok_or_else(|| Fail {
                    why: format!("no parameter `{name}`"),
                })?;
                let (v, p) = self.value(ty, pos, last)?;
                out.insert(name.clone(), v);
                Ok(p)
            }
            Expr::Json { name } => {
                let rest = self.text.get(pos..).unwrap_or_default();
                let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Value>();
                match stream.next() {
                    Some(Ok(v)) => {
                        out.insert(name.clone(), v);
                        Ok(pos + stream.byte_offset())
                    }
                    _ => fail(format!("no JSON at {}", shown(rest))),
                }
            }
            Expr::Join { name, sep } => {
                let Some(TypeExpr::Array { item }) = scope.ty(name) else {
                    return fail(format!("`{name}` is not an array"));
                };
                let mut items = Vec::new();
                let (v, mut p) = self.value(item, pos, false)?;
                items.push(v);
                while self.at(p, sep) {
                    let (v, q) = self.value(item, p + sep.len(), false)?;
                    items.push(v);
                    p = q;
                }
                out.insert(name.clone(), Value::Array(items));
                Ok(p)
            }
            Expr::OnOff { name } => {
                let (b, p) = self.on_off(pos)?;
                out.insert(name.clone(), Value::Bool(b));
                Ok(p)
            }
            Expr::OnOffParam { key, name, default } => {
                let lit = format!(" {key}=");
                let read = if self.at(pos, &lit) {
                    self.on_off(pos + lit.len()).ok()
                } else {
                    None
                };
                if let Some((b, p)) = read {
                    out.insert(name.clone(), Value::Bool(b));
                    Ok(p)
                } else if let Some(d) = default {
                    out.insert(name.clone(), Value::Bool(*d));
                    Ok(pos)
                } else if scope.ty(name).is_some_and(TypeExpr::is_optional) {
                    Ok(pos)
                } else {
                    fail(format!("expected {lit:?}"))
                }
            }
            Expr::Optional { some, none, .. } => {
                let mut sub = out.clone();
                match self.seq(some, pos, scope, &mut sub, last) {
                    Ok(p) => {
                        *out = sub;
                        Ok(p)
                    }
                    Err(_) => self.seq(none, pos, scope, out, last),
                }
            }
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => {
                if let Some(Value::String(tag)) = out.get(name).cloned() {
                    let chosen = alternatives
                        .iter()
                        .find(|a| a.tag == tag)
                        .map_or(otherwise, |a| &a.expr);
                    return self.seq(chosen, pos, scope, out, last);
                }
                for a in alternatives.iter().filter(|a| !a.expr.is_empty()) {
                    let mut sub = out.clone();
                    if let Ok(p) = self.seq(&a.expr, pos, scope, &mut sub, last) {
                        *out = sub;
                        out.insert(name.clone(), Value::String(a.tag.clone()));
                        return Ok(p);
                    }
                }
                out.insert(name.clone(), Value::String("(no documented value)".into()));
                self.seq(otherwise, pos, scope, out, last)
            }
        }
    }

    fn on_off(&self, pos: usize) -> Read<(bool, usize)> {
        if self.at(pos, "on") {
            Ok((true, pos + 2))
        } else if self.at(pos, "off") {
            Ok((false, pos + 3))
        } else {
            fail("expected on|off")
        }
    }

    fn word(&self, pos: usize) -> Read<(Value, usize)> {
        let rest = self.text.get(pos..).unwrap_or_default();
        let n = rest.iter().take_while(|b| !is_space_byte(**b)).count();
        if n == 0 {
            return fail(format!("expected a word at {}", shown(rest)));
        }
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        Ok((Value::String(s), pos + n))
    }

    fn rest(&self, pos: usize) -> (Value, usize) {
        let rest = self.text.get(pos..).unwrap_or_default();
        (
            Value::String(String::from_utf8_lossy(rest).into_owned()),
            self.text.len().max(pos),
        )
    }

    fn number(&self, pos: usize, float: bool) -> Read<(Value, usize)> {
        let rest = self.text.get(pos..).unwrap_or_default();
        let n = rest
            .iter()
            .enumerate()
            .take_while(|(i, b)| {
                b.is_ascii_digit() || (*i == 0 && **b == b'-') || (float && b".eE+-".contains(b))
            })
            .count();
        let text = String::from_utf8_lossy(&rest[..n]);
        match serde_json::from_str::<Value>(&text) {
            Ok(v @ Value::Number(_)) => Ok((v, pos + n)),
            _ => fail(format!("expected a number at {}", shown(rest))),
        }
    }

    fn value(&mut self, ty: &TypeExpr, pos: usize, last: bool) -> Read<(Value, usize)> {
        match ty.strip_optional() {
            TypeExpr::Prim { prim } => match prim {
                Prim::Int | Prim::Int64 | Prim::Word32 => self.number(pos, false),
                Prim::Double => self.number(pos, true),
                Prim::String | Prim::UtcTime if last => Ok(self.rest(pos)),
                Prim::String | Prim::UtcTime => self.word(pos),
                other => fail(format!("a {other:?} is not rendered as a plain value")),
            },
            TypeExpr::Ref { name } => {
                let api = self.api;
                let def = api.type_def(name).ok_or_else(|| Fail {
                    why: format!("no type `{name}`"),
                })?;
                match (&def.syntax, &def.kind) {
                    (Some(_), _) => self.typed(def, pos, last),
                    (None, TypeKind::Enum { .. }) => self.word(pos),
                    _ => fail(format!("`{name}` has no syntax")),
                }
            }
            other => fail(format!("a {other} is not rendered as a plain value")),
        }
    }

    /// A value of a type with its own syntax.
    fn typed(&mut self, def: &TypeDef, pos: usize, last: bool) -> Read<(Value, usize)> {
        let syntax = def.syntax.as_ref().expect("a type with a syntax");
        let scope = Scope::of_type(def);
        let mut sub = Map::new();
        let p = self.seq(&syntax.expr, pos, &scope, &mut sub, last)?;
        let value = match &def.kind {
            TypeKind::Enum { .. } => sub.remove("self").unwrap_or(Value::Null),
            TypeKind::Record { .. } | TypeKind::Opaque => Value::Object(sub),
            TypeKind::Union { members } => {
                if !sub.contains_key("type") {
                    if let [only] = members.as_slice() {
                        sub.insert("type".into(), Value::String(only.tag.clone()));
                    }
                }
                Value::Object(sub)
            }
        };
        Ok((value, p))
    }
}

/// Reads `text` as command `c`: the parameter values the core would get (absent optional
/// parts are left out; hidden parts appear under their own names), or why it cannot.
pub fn read_command(api: &Api, c: &Command, text: &str) -> Result<Map<String, Value>, String> {
    let syntax = c.syntax.as_ref().ok_or("the command has no syntax")?;
    let mut r = Reader::new(api, text, &syntax.hidden_parts);
    let mut out = Map::new();
    let scope = Scope::of_command(c);
    let end = r
        .seq(&syntax.expr, 0, &scope, &mut out, true)
        .map_err(|f| f.why)?;
    r.finish(end)?;
    Ok(out)
}

/// Reads `text` as a value of `def` on its own (as if it ended a command).
pub fn read_type(api: &Api, def: &TypeDef, text: &str) -> Result<Value, String> {
    let mut r = Reader::new(api, text, &[]);
    let (v, end) = r.typed(def, 0, true).map_err(|f| f.why)?;
    r.finish(end)?;
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Comparing what was read with what was meant.

/// Drops nulls (an absent optional) and flags at their default, at every level.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

/// The flags of a tree that have a default, with it.
fn flag_defaults(exprs: &[Expr], out: &mut Vec<(String, bool)>) {
    for e in exprs {
        e.walk(&mut |n| {
            if let Expr::OnOffParam {
                name,
                default: Some(d),
                ..
            } = n
            {
                out.push((name.clone(), *d));
            }
        });
    }
}

/// The parameters of `params` that the tree of `c` renders, normalized: what the core should
/// read back.
pub fn meant(c: &Command, params: &Value) -> Value {
    let mut defaults = Vec::new();
    if let Some(s) = &c.syntax {
        flag_defaults(&s.expr, &mut defaults);
    }
    let mut m = Map::new();
    if let Value::Object(obj) = params {
        for (k, v) in obj {
            if renders(c, k) {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    strip_defaults(normalize(&Value::Object(m)), &defaults)
}

fn strip_defaults(v: Value, defaults: &[(String, bool)]) -> Value {
    match v {
        Value::Object(mut m) => {
            for (name, d) in defaults {
                if m.get(name) == Some(&Value::Bool(*d)) {
                    m.remove(name);
                }
            }
            Value::Object(m)
        }
        other => other,
    }
}

/// Whether the core reads `text` as command `c` with exactly `params`; `Err` says what it
/// reads instead.
pub fn reads_as(api: &Api, c: &Command, text: &str, params: &Value) -> Result<(), String> {
    let read = read_command(api, c, text)?;
    let mut defaults = Vec::new();
    if let Some(s) = &c.syntax {
        flag_defaults(&s.expr, &mut defaults);
    }
    let got = strip_defaults(normalize(&Value::Object(read)), &defaults);
    let want = meant(c, params);
    if got == want {
        Ok(())
    } else {
        Err(format!("read {}", short(&got)))
    }
}

/// Whether `text` reads as the value `value` of type `def`.
pub fn type_reads_as(api: &Api, def: &TypeDef, text: &str, value: &Value) -> Result<(), String> {
    let got = normalize(&read_type(api, def, text)?);
    let mut defaults = Vec::new();
    if let Some(s) = &def.syntax {
        flag_defaults(&s.expr, &mut defaults);
    }
    let got = strip_defaults(got, &defaults);
    let want = strip_defaults(normalize(value), &defaults);
    if got == want {
        Ok(())
    } else {
        Err(format!("read {}", short(&got)))
    }
}

/// JSON, shortened for messages.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}...", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// The docs' own rendering, without checks.

/// Renders `params` with the tree of `c` as upstream's Python line does (strings raw, no
/// checks). `None` where the line cannot render them (an absent required value).
pub fn render(api: &Api, c: &Command, params: &Value) -> Option<String> {
    let syntax = c.syntax.as_ref()?;
    let mut out = String::new();
    render_seq(
        api,
        &syntax.expr,
        &Scope::of_command(c),
        params.as_object()?,
        &mut out,
    )?;
    Some(out)
}

/// Renders `v` in the syntax of `def`.
pub fn render_typed(api: &Api, def: &TypeDef, v: &Value, out: &mut String) -> Option<()> {
    let syntax = def.syntax.as_ref()?;
    let env = match (&def.kind, v) {
        (TypeKind::Enum { .. }, Value::String(_)) => {
            let mut env = Map::new();
            env.insert("self".into(), v.clone());
            env
        }
        (_, Value::Object(m)) => m.clone(),
        _ => return None,
    };
    render_seq(api, &syntax.expr, &Scope::of_type(def), &env, out)
}

fn present<'v>(env: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    env.get(name).filter(|v| !v.is_null())
}

fn render_seq(
    api: &Api,
    exprs: &[Expr],
    scope: &Scope<'_>,
    env: &Map<String, Value>,
    out: &mut String,
) -> Option<()> {
    let on_off = |b: bool| if b { "on" } else { "off" };
    for e in exprs {
        match e {
            Expr::Literal { text } => out.push_str(text),
            Expr::Param { name } => {
                let v = present(env, name)?;
                let def = match scope.ty(name).map(TypeExpr::strip_optional) {
                    Some(TypeExpr::Ref { name }) => api.type_def(name),
                    _ => None,
                };
                match (def, v) {
                    (Some(d), _) if d.syntax.is_some() => render_typed(api, d, v, out)?,
                    (_, Value::String(s)) => out.push_str(s),
                    (_, Value::Number(n)) => out.push_str(&n.to_string()),
                    _ => return None,
                }
            }
            Expr::Json { name } => {
                out.push_str(&serde_json::to_string(present(env, name)?).ok()?);
            }
            Expr::Join { name, sep } => {
                let items = present(env, name)?.as_array()?;
                let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                out.push_str(&parts.join(sep));
            }
            Expr::OnOff { name } => out.push_str(on_off(present(env, name)?.as_bool()?)),
            Expr::OnOffParam { key, name, default } => {
                let v = present(env, name).and_then(Value::as_bool);
                match (default, v) {
                    (Some(d), Some(v)) if v != *d => out.push_str(&format!(" {key}={}", on_off(v))),
                    (None, Some(v)) => out.push_str(&format!(" {key}={}", on_off(v))),
                    (None, None) if !scope.ty(name).is_some_and(TypeExpr::is_optional) => {
                        return None
                    }
                    _ => {}
                }
            }
            Expr::Optional { name, some, none } => match present(env, name) {
                Some(_) => render_seq(api, some, scope, env, out)?,
                None => render_seq(api, none, scope, env, out)?,
            },
            Expr::Choice {
                name,
                alternatives,
                otherwise,
            } => {
                let tag = present(env, name)?.as_str()?;
                let chosen = alternatives
                    .iter()
                    .find(|a| a.tag == tag)
                    .map_or(otherwise, |a| &a.expr);
                render_seq(api, chosen, scope, env, out)?;
            }
        }
    }
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Refusals.

/// The string value of the parameter or field `name` anywhere in `params` (the first found).
pub fn param_value<'v>(params: &'v Value, name: &str) -> Option<&'v str> {
    match params {
        Value::Object(m) => m
            .get(name)
            .and_then(Value::as_str)
            .or_else(|| m.values().find_map(|v| param_value(v, name))),
        Value::Array(items) => items.iter().find_map(|v| param_value(v, name)),
        _ => None,
    }
}

/// True for a character whose UTF-8 encoding holds the byte 0xA0.
pub fn holds_a0(c: char) -> bool {
    c.encode_utf8(&mut [0; 4]).bytes().any(|b| b == 0xA0)
}

use simplex_api_types::CommandError;

/// Whether what `e` says about `value` is true of it.
pub fn reason_holds(e: &CommandError, value: &str) -> bool {
    match e {
        CommandError::LineBreak { .. } => value.contains(['\n', '\r']),
        CommandError::Space { .. } => value.chars().any(|c| c.is_whitespace() || holds_a0(c)),
        CommandError::Empty { .. } => value.is_empty(),
        CommandError::Blank { .. } => !value.is_empty() && value.bytes().all(is_space_byte),
        CommandError::Trailing { end, .. } => {
            value.ends_with(*end) && value.bytes().next_back().is_some_and(is_space_byte)
        }
        CommandError::Prefix { prefix, .. } => value.starts_with(prefix),
        _ => false,
    }
}

/// Refusals that do not need the model to read the docs' rendering otherwise: a line break
/// (a command is one line), whitespace of any kind in a word (the core may split words at
/// more than the model does), and a text that begins an optional part which this rendering
/// happens to send (the check does not depend on which optional parts are sent).
pub fn conservative(e: &CommandError) -> bool {
    matches!(
        e,
        CommandError::LineBreak { .. } | CommandError::Space { .. } | CommandError::Prefix { .. }
    )
}

/// The parameter a command error names.
pub fn error_param(e: &CommandError) -> Option<&'static str> {
    Some(match e {
        CommandError::LineBreak { param }
        | CommandError::Space { param }
        | CommandError::Empty { param }
        | CommandError::Blank { param }
        | CommandError::Trailing { param, .. }
        | CommandError::Prefix { param, .. }
        | CommandError::Missing { param }
        | CommandError::Unrepresentable { param, .. } => param,
        _ => return None,
    })
}
