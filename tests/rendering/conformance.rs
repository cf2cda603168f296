//! Conformance of the generated command formatters with upstream's own rendering.
//!
//! The ground truth is the Python line of each `**Syntax**` section of the docs, run verbatim by
//! `python3`: for every command with a Python line, and every type of `TYPES.md` with one, random
//! parameter sets (fixed seed) conforming to the documented types are rendered by
//! `command_string_from_json` / `syntax_string_from_json` and by Python, in one Python process per
//! test, and the strings must be equal. What Rust renders must also read back, in the model of
//! the core's reader (`core_model`, built from the docs' grammar), as the parameters it was
//! rendered from.
//!
//! Where the two may legitimately differ:
//!
//! * Python raises (e.g. `TypeError` for `' ' + None` when an optional parameter the syntax renders
//!   unconditionally is absent): Rust must fail with `CommandError::Missing` for an absent
//!   parameter.
//! * Python renders a command that the core would read as something else (a line break, a space
//!   where the core reads one word, a search text `@5` read as a contact filter, a value at the
//!   end ending in whitespace, which the core strips): Rust must refuse it with a
//!   `CommandError` that names the parameter and a reason true of its value, and the model must
//!   read Python's command otherwise, unless the refusal is one of the conservative kinds
//!   (`core_model::conservative`). "Last" is syntactic: the string is the final node of the
//!   syntax tree (so `CreatedConnLink.connFullLink` is never last, even when the optional
//!   `connShortLink` after it is absent, because the core would read the text after a space as
//!   the short link).
//!
//! Every string both render is also read back by the generated parsers: the command's own
//! parser must give the command it was rendered from, and `AnyCommand::parse` a command that
//! renders to the same string.
//!
//! Parameters the command string has no place for are left out (at their default): a command
//! decoded with one of them set is refused, which `misread` checks.
//!
//! JSON key order: `serde_json` is built without `preserve_order`, so `JSONObject` values and
//! `{string : T}` maps are `BTreeMap`s in Rust and come out with sorted keys, while Python keeps
//! insertion order. The generated values therefore put map and `JSONObject` keys in sorted
//! order, and record fields in document order (the order the generated `Serialize` uses), so the
//! whole command is compared as text, `json(...)` segments included. The values are written to
//! Python as JSON text by a small order-preserving writer ([`J`]), not through `serde_json::Value`,
//! which would sort record fields too.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};

use codegen::ir::{Api, Expr, Prim, TypeDef, TypeExpr, TypeKind};
use serde_json::{json, Value};
use simplex_api_types::runtime::{CommandError, FromJsonError};
use simplex_api_types::{commands, types, AnyCommand};

use crate::{core_model, load_api};

/// Random parameter sets per command and values per type.
const CASES: usize = 60;
/// At least this many cases per command or type must render and compare equal.
const MIN_EQUAL: usize = 20;
/// From this nesting depth on, optional fields are left out, arrays are empty and unions take
/// their smallest member.
const DEEP: usize = 4;
/// A required-field cycle the depth rule cannot cut would recurse forever; fail instead.
const MAX_DEPTH: usize = 40;

// ---------------------------------------------------------------------------------------------
// A tiny deterministic PRNG (xorshift64*).

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// JSON with ordered objects.

/// A JSON value whose objects keep their key order when written.
#[derive(Debug, Clone)]
enum J {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    fn str(s: impl Into<String>) -> J {
        J::Str(s.into())
    }

    /// Compact JSON, as `serde_json::to_string` writes it (strings are escaped by serde_json).
    fn write(&self, out: &mut String) {
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(n) => {
                let _ = write!(out, "{n}");
            }
            J::Float(f) => out.push_str(&serde_json::to_string(f).expect("finite float")),
            J::Str(s) => out.push_str(&serde_json::to_string(s).expect("string")),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            J::Obj(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).expect("key"));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn value(&self) -> Value {
        serde_json::from_str(&self.text()).expect("the writer produces valid JSON")
    }

    fn has_key(&self, key: &str) -> bool {
        matches!(self, J::Obj(entries) if entries.iter().any(|(k, _)| k == key))
    }
}

// ---------------------------------------------------------------------------------------------
// Where free strings are rendered raw, and whether they are last.

/// The names a syntax tree can use, with their types.
type Scope<'a> = Vec<(&'a str, &'a TypeExpr)>;

/// The fields a type's syntax line can name: record fields, or every member's fields.
fn type_scope(def: &TypeDef) -> Scope<'_> {
    match &def.kind {
        TypeKind::Record { fields } => fields.iter().map(|f| (f.name.as_str(), &f.ty)).collect(),
        TypeKind::Union { members } => members
            .iter()
            .flat_map(|m| m.fields.iter().map(|f| (f.name.as_str(), &f.ty)))
            .collect(),
        TypeKind::Enum { .. } | TypeKind::Opaque => Vec::new(),
    }
}

/// Records, for every value the tree renders raw (`<p>`, joined items, fields of a `<str(p)>`),
/// its path (`p`, `p.field`) and whether it is the last node of the command (true only if it is
/// last at every occurrence).
fn raw_positions(
    api: &Api,
    exprs: &[Expr],
    last: bool,
    scope: &Scope<'_>,
    prefix: &str,
    out: &mut BTreeMap<String, bool>,
) {
    for (i, e) in exprs.iter().enumerate() {
        let is_last = last && i + 1 == exprs.len();
        let mut mark = |name: &str, is_last: bool| {
            out.entry(format!("{prefix}{name}"))
                .and_modify(|l| *l &= is_last)
                .or_insert(is_last);
        };
        match e {
            Expr::Param { name } if name != "self" && name != "type" => {
                let ty = scope
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, t)| t.strip_optional());
                let def = match ty {
                    Some(TypeExpr::Ref { name: t }) => api.type_def(t),
                    _ => None,
                };
                match def {
                    Some(def) if def.syntax.is_some() => {
                        let syntax = def.syntax.as_ref().expect("checked");
                        raw_positions(
                            api,
                            &syntax.expr,
                            is_last,
                            &type_scope(def),
                            &format!("{prefix}{name}."),
                            out,
                        );
                    }
                    _ => mark(name, is_last),
                }
            }
            Expr::Join { name, .. } => mark(name, false),
            Expr::Optional { some, none, .. } => {
                raw_positions(api, some, is_last, scope, prefix, out);
                raw_positions(api, none, is_last, scope, prefix, out);
            }
            Expr::Choice {
                alternatives,
                otherwise,
                ..
            } => {
                for a in alternatives {
                    raw_positions(api, &a.expr, is_last, scope, prefix, out);
                }
                raw_positions(api, otherwise, is_last, scope, prefix, out);
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random values conforming to the IR types.

const WORD_CHARS: &[char] = &[
    'a', 'b', 'c', 'x', 'y', 'z', 'Q', 'R', 'K', '0', '1', '7', '9', '-', '_', '.', ':', '/', '@',
    '#', '=', '?', '%', '+', 'é', 'ж',
];

const FREE_CHARS: &[char] = &[
    'a', 'b', 'z', 'A', 'Z', '0', '5', ' ', ' ', '"', '\\', '/', '\n', '\r', '\t', '\u{1}',
    '\u{8}', '\u{c}', '\u{1f}', '\u{7f}', 'é', 'ж', '日', '😀', '\u{2028}', '<', '>', '&', '\'',
    '{', '}', '[', ']', ',', ':',
];

struct Gen<'a> {
    api: &'a Api,
    rng: Rng,
    /// Raw positions of the current command or type (see [`raw_positions`]).
    raw: BTreeMap<String, bool>,
}

impl<'a> Gen<'a> {
    fn word(&mut self) -> String {
        let n = 1 + self.rng.below(10);
        (0..n).map(|_| *self.rng.pick(WORD_CHARS)).collect()
    }

    fn free_string(&mut self) -> String {
        match self.rng.below(10) {
            0 => String::new(),
            1..=4 => self.word(),
            _ => {
                let n = self.rng.below(14);
                (0..n).map(|_| *self.rng.pick(FREE_CHARS)).collect()
            }
        }
    }

    /// A string rendered raw: sometimes one the core would misread (a line break anywhere; a
    /// space or nothing where the core reads a word; spaces, also at the end, where the string
    /// ends the command).
    fn raw_string(&mut self, last: bool) -> String {
        let roll = self.rng.below(100);
        if roll < 4 {
            let brk = if self.rng.chance(50) { "\n" } else { "\r" };
            format!("{}{brk}{}", self.word(), self.word())
        } else if !last && roll < 10 {
            format!("{} {}", self.word(), self.word())
        } else if last && roll < 60 {
            let n = 2 + self.rng.below(3);
            let words: Vec<String> = (0..n).map(|_| self.word()).collect();
            let sep = if self.rng.chance(20) { "\t" } else { " " };
            let mut s = words.join(sep);
            if self.rng.chance(20) {
                s.push(' ');
            }
            s
        } else if (60..64).contains(&roll) {
            String::new()
        } else {
            self.word()
        }
    }

    fn string(&mut self, path: Option<&str>) -> String {
        match path.and_then(|p| self.raw.get(p)) {
            Some(last) => self.raw_string(*last),
            None => self.free_string(),
        }
    }

    fn int64(&mut self) -> i128 {
        match self.rng.below(10) {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i64::MAX.into(),
            4 => i64::MIN.into(),
            5 | 6 => self.rng.below(2001) as i128 - 1000,
            _ => i128::from(self.rng.next() as i64),
        }
    }

    fn word32(&mut self) -> i128 {
        match self.rng.below(5) {
            0 => 0,
            1 => u32::MAX.into(),
            2 => self.rng.below(1000) as i128,
            _ => i128::from(self.rng.next() as u32),
        }
    }

    fn timestamp(&mut self) -> String {
        let frac = if self.rng.chance(50) {
            format!(".{:06}", self.rng.below(1_000_000))
        } else {
            String::new()
        };
        format!(
            "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}Z",
            10 + self.rng.below(30),
            1 + self.rng.below(12),
            1 + self.rng.below(28),
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60)
        )
    }

    /// Sorted, distinct keys (the order `serde_json::Map` writes without `preserve_order`).
    fn sorted_object(entries: Vec<(String, J)>) -> J {
        let map: BTreeMap<String, J> = entries.into_iter().collect();
        J::Obj(map.into_iter().collect())
    }

    fn json_object(&mut self, depth: usize) -> J {
        let n = if depth >= DEEP { 0 } else { self.rng.below(4) };
        let mut entries = Vec::new();
        for _ in 0..n {
            let key = self.word();
            let value = match self.rng.below(7) {
                0 => J::Null,
                1 => J::Bool(self.rng.chance(50)),
                2 => J::Int(self.int64()),
                3 | 4 => J::str(self.free_string()),
                5 => J::Arr(vec![J::Int(self.int64()), J::str(self.word())]),
                _ => self.json_object(depth + 1),
            };
            entries.push((key, value));
        }
        Self::sorted_object(entries)
    }

    /// A value of `ty`. `path` is set while the value is rendered through the command syntax
    /// (the parameter, or a field of a `<str(p)>` type); `None` inside JSON.
    fn value(&mut self, ty: &TypeExpr, depth: usize, path: Option<&str>) -> J {
        assert!(
            depth < MAX_DEPTH,
            "types nest deeper than {MAX_DEPTH} levels: {ty}"
        );
        match ty {
            TypeExpr::Prim { prim } => match prim {
                Prim::Bool => J::Bool(self.rng.chance(50)),
                Prim::Int | Prim::Int64 => J::Int(self.int64()),
                Prim::Word32 => J::Int(self.word32()),
                // Values whose shortest representation Python and serde_json agree on.
                Prim::Double => J::Float(*self.rng.pick(&[0.0, 1.5, -2.25, 100.0, 0.125])),
                Prim::String => J::str(self.string(path)),
                Prim::UtcTime => J::str(self.timestamp()),
                Prim::JsonObject => self.json_object(depth),
            },
            TypeExpr::Optional { inner } => {
                // Only inside arrays and maps; fields and parameters are left out instead.
                if depth >= DEEP || self.rng.chance(30) {
                    J::Null
                } else {
                    self.value(inner, depth, path)
                }
            }
            TypeExpr::Array { item } => {
                // Arrays of parameters are never empty upstream.
                let n = if depth == 0 {
                    1 + self.rng.below(3)
                } else if depth >= DEEP {
                    0
                } else {
                    self.rng.below(3)
                };
                J::Arr((0..n).map(|_| self.value(item, depth, path)).collect())
            }
            TypeExpr::Map { value, .. } => {
                let n = if depth >= DEEP { 0 } else { self.rng.below(3) };
                let entries = (0..n)
                    .map(|_| (self.free_string(), self.value(value, depth + 1, None)))
                    .collect();
                Self::sorted_object(entries)
            }
            TypeExpr::Ref { name } => {
                let def = self
                    .api
                    .type_def(name)
                    .unwrap_or_else(|| panic!("TYPES.md does not define `{name}`"));
                self.typed(def, depth, path)
            }
        }
    }

    fn typed(&mut self, def: &TypeDef, depth: usize, path: Option<&str>) -> J {
        // Fields are rendered through the syntax only when the type has its own.
        let field_path = |f: &str| {
            path.filter(|_| def.syntax.is_some())
                .map(|p| format!("{p}.{f}"))
        };
        match &def.kind {
            TypeKind::Opaque => J::Obj(Vec::new()),
            TypeKind::Enum { values } => J::str(self.rng.pick(values).value.clone()),
            TypeKind::Record { fields } => {
                let mut entries = Vec::new();
                for f in fields {
                    let fp = field_path(&f.name);
                    if let Some(v) = self.field(&f.ty, depth + 1, fp.as_deref()) {
                        entries.push((f.name.clone(), v));
                    }
                }
                J::Obj(entries)
            }
            TypeKind::Union { members } => {
                let member = if depth >= DEEP {
                    members
                        .iter()
                        .min_by_key(|m| m.fields.iter().filter(|f| !f.ty.is_optional()).count())
                        .expect("a union has members")
                } else {
                    self.rng.pick(members)
                };
                let mut entries = vec![("type".to_owned(), J::str(member.tag.clone()))];
                for f in &member.fields {
                    let fp = field_path(&f.name);
                    if let Some(v) = self.field(&f.ty, depth + 1, fp.as_deref()) {
                        entries.push((f.name.clone(), v));
                    }
                }
                J::Obj(entries)
            }
        }
    }

    /// A record field or parameter: `None` (key left out) for an absent optional.
    fn field(&mut self, ty: &TypeExpr, depth: usize, path: Option<&str>) -> Option<J> {
        match ty {
            TypeExpr::Optional { inner } => {
                if depth >= DEEP || self.rng.chance(50) {
                    None
                } else {
                    Some(self.value(inner, depth, path))
                }
            }
            other => Some(self.value(other, depth, path)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cases, Python, comparison.

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Command,
    Type,
}

struct Case {
    kind: Kind,
    name: String,
    params: J,
}

/// The Python driver. Reads one JSON document on stdin (the types' and commands' Python lines,
/// and the cases) and prints one JSON line per case: `{"ok": string}` or `{"err": message}`.
const PY_DRIVER: &str = r#"
import sys, types, json as _json

json = types.SimpleNamespace(
    dumps=lambda x: _json.dumps(x, separators=(',', ':'), ensure_ascii=False))
data = _json.loads(sys.stdin.buffer.read().decode('utf-8'))
G = {'json': json, '__builtins__': __builtins__}

def type_fn(t):
    code = compile(t['python'], t['name'] + '_cmd_string', 'eval')
    def cmd_string(v):
        if t['kind'] == 'enum':
            L = {'self': v}
        else:
            L = {name: v.get(name) for name in t['fields']}
            L['self'] = v
            if t['kind'] == 'union':
                L['type'] = v['type']
        return eval(code, G, L)
    return cmd_string

for t in data['types']:
    G[t['name'] + '_cmd_string'] = type_fn(t)

commands = {}
for c in data['commands']:
    commands[c['name']] = (compile(c['python'], c['name'], 'eval'), c['params'])

for kind, name, params in data['cases']:
    try:
        if kind == 'command':
            code, names = commands[name]
            r = eval(code, G, {n: params.get(n) for n in names})
        else:
            r = G[name + '_cmd_string'](params)
        if not isinstance(r, str):
            raise TypeError('the line gave a %s, not a string' % type(r).__name__)
        print(_json.dumps({'ok': r}))
    except Exception as e:
        print(_json.dumps({'err': '%s: %s' % (type(e).__name__, e)}))
"#;

/// The Python lines of every type with one, and of the commands in `cases`.
fn python_input(api: &Api, cases: &[Case]) -> String {
    let types: Vec<J> = api
        .types
        .iter()
        .filter_map(|t| {
            let python = t.syntax.as_ref()?.python.as_ref()?;
            let kind = match t.kind {
                TypeKind::Record { .. } => "record",
                TypeKind::Enum { .. } => "enum",
                TypeKind::Union { .. } => "union",
                TypeKind::Opaque => "opaque",
            };
            let mut fields: Vec<&str> = type_scope(t).iter().map(|(n, _)| *n).collect();
            fields.sort_unstable();
            fields.dedup();
            Some(J::Obj(vec![
                ("name".into(), J::str(&t.name)),
                ("python".into(), J::str(python)),
                ("kind".into(), J::str(kind)),
                (
                    "fields".into(),
                    J::Arr(fields.into_iter().map(J::str).collect()),
                ),
            ]))
        })
        .collect();
    let commands: Vec<J> = api
        .commands
        .iter()
        .filter_map(|c| {
            let python = c.syntax.as_ref()?.python.as_ref()?;
            Some(J::Obj(vec![
                ("name".into(), J::str(&c.name)),
                ("python".into(), J::str(python)),
                (
                    "params".into(),
                    J::Arr(c.params.iter().map(|p| J::str(&p.name)).collect()),
                ),
            ]))
        })
        .collect();
    let cases: Vec<J> = cases
        .iter()
        .map(|c| {
            let kind = match c.kind {
                Kind::Command => "command",
                Kind::Type => "type",
            };
            J::Arr(vec![J::str(kind), J::str(&c.name), c.params.clone()])
        })
        .collect();
    J::Obj(vec![
        ("types".into(), J::Arr(types)),
        ("commands".into(), J::Arr(commands)),
        ("cases".into(), J::Arr(cases)),
    ])
    .text()
}

/// Runs every case through upstream's Python lines in one `python3` process.
fn run_python(api: &Api, cases: &[Case]) -> Vec<Result<String, String>> {
    let input = python_input(api, cases);
    let mut child = Process::new("python3")
        .arg("-I")
        .arg("-c")
        .arg(PY_DRIVER)
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be on PATH: it runs upstream's Python syntax lines");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        // A Python that dies early closes the pipe; its stderr says why.
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("python3 runs");
    writer.join().expect("stdin writer");
    let stdout = String::from_utf8(output.stdout).expect("python3 writes UTF-8");
    assert!(
        output.status.success(),
        "python3 failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Result<String, String>> = stdout
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("python3 printed {line:?}: {e}"));
            match (&v["ok"], &v["err"]) {
                (Value::String(s), _) => Ok(s.clone()),
                (_, Value::String(e)) => Err(e.clone()),
                _ => panic!("python3 printed {line:?}"),
            }
        })
        .collect();
    assert_eq!(
        results.len(),
        cases.len(),
        "python3 answered {} of {} cases; stderr:\n{}",
        results.len(),
        cases.len(),
        String::from_utf8_lossy(&output.stderr)
    );
    results
}

/// What a case showed, when Rust and Python agree.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Agreement {
    /// Same string.
    Equal,
    /// Python raised; Rust reported the absent parameter.
    Missing,
    /// Python rendered a corrupt command; Rust refused the string.
    Refused,
}

fn show_rust(r: &Result<String, FromJsonError>) -> String {
    match r {
        Ok(s) => format!("{s:?}"),
        Err(FromJsonError::Command(e)) => format!("CommandError::{e:?}"),
        Err(e) => format!("error: {e}"),
    }
}

/// Whether the core reads `text` as the case's parameters (or value).
fn reads_as_meant(api: &Api, case: &Case, text: &str) -> Result<(), String> {
    let params = case.params.value();
    match case.kind {
        Kind::Command => {
            let c = api
                .commands
                .iter()
                .find(|c| c.name == case.name)
                .expect("a documented command");
            core_model::reads_as(api, c, text, &params)
        }
        Kind::Type => {
            let def = api.type_def(&case.name).expect("a documented type");
            core_model::type_reads_as(api, def, text, &params)
        }
    }
}

/// Checks one case; `Err` describes the disagreement.
fn judge(
    api: &Api,
    case: &Case,
    python: &Result<String, String>,
    rust: &Result<String, FromJsonError>,
) -> Result<Agreement, String> {
    match (python, rust) {
        (Ok(py), Ok(rs)) if py == rs => match reads_as_meant(api, case, rs) {
            Ok(()) if case.kind == Kind::Command => {
                parses_back(case, py).map(|()| Agreement::Equal)
            }
            Ok(()) => Ok(Agreement::Equal),
            Err(why) => Err(format!(
                "Rust rendered a command the core reads as something else: {why}"
            )),
        },
        (Ok(_), Ok(_)) => Err("the strings differ".to_owned()),
        (Ok(py), Err(FromJsonError::Command(e))) => {
            let Some(param) = core_model::error_param(e) else {
                return Err("Rust refused without naming a parameter".to_owned());
            };
            let params = case.params.value();
            let Some(value) = core_model::param_value(&params, param) else {
                return Err(format!("Rust refused `{param}`, which holds no string"));
            };
            if !core_model::reason_holds(e, value) {
                return Err(format!("the reason is not true of {value:?}"));
            }
            if reads_as_meant(api, case, py).is_ok() && !core_model::conservative(e) {
                return Err("Rust refused a command the core reads as meant".to_owned());
            }
            Ok(Agreement::Refused)
        }
        (Ok(_), Err(_)) => Err("Rust failed where Python rendered".to_owned()),
        (Err(_), Err(FromJsonError::Command(CommandError::Missing { param }))) => {
            if case.kind == Kind::Command && case.params.has_key(param) {
                Err(format!("Rust says `{param}` is missing, but it is present"))
            } else {
                Ok(Agreement::Missing)
            }
        }
        (Err(_), _) => Err("Python raised, Rust did not report a missing parameter".to_owned()),
    }
}

/// The generated parsers invert the formatter on the string both Python and Rust rendered:
/// the command's own parser gives back the command the string was rendered from, and
/// `AnyCommand::parse` gives a command that renders back to Python's string.
fn parses_back(case: &Case, py: &str) -> Result<(), String> {
    let meant = AnyCommand::from_json(&case.name, case.params.value())
        .map_err(|e| format!("the command does not decode from its JSON: {e}"))?;
    match AnyCommand::__parse_as(&case.name, py) {
        Some(Ok(read)) if read == meant => {}
        Some(Ok(read)) => {
            return Err(format!(
                "the parser read another command: {read:?}\n  meant: {meant:?}"
            ))
        }
        Some(Err(e)) => return Err(format!("the parser refused Python's string: {e}")),
        None => return Err("the command has no parser".to_owned()),
    }
    let any = AnyCommand::parse(py).map_err(|e| format!("AnyCommand::parse refused it: {e}"))?;
    match any.to_command_string() {
        Ok(again) if again == py => Ok(()),
        Ok(again) => Err(format!(
            "AnyCommand::parse read it as `{}`, which renders {again:?}",
            any.name()
        )),
        Err(e) => Err(format!(
            "AnyCommand::parse read it as `{}`, which does not render: {e}",
            any.name()
        )),
    }
}

#[derive(Default)]
struct Stats {
    equal: usize,
    missing: usize,
    refused: usize,
}

struct Report {
    /// Per command or type, in order.
    stats: Vec<(String, Stats)>,
    /// `(command or type, description)`.
    failures: Vec<(String, String)>,
}

impl Report {
    fn print(&self, what: &str) {
        let mut total = Stats::default();
        for (name, s) in &self.stats {
            let failed = self.failures.iter().filter(|(n, _)| n == name).count();
            println!(
                "{name:<40} {:>3} cases: {:>3} equal, {:>2} missing-parameter errors, {:>2} refused strings{}",
                s.equal + s.missing + s.refused + failed,
                s.equal,
                s.missing,
                s.refused,
                if failed > 0 { format!(", {failed} DISAGREEMENTS") } else { String::new() }
            );
            total.equal += s.equal;
            total.missing += s.missing;
            total.refused += s.refused;
        }
        println!(
            "{what}: {} cases compared with Python: {} equal strings, {} missing-parameter errors, {} refused strings; {} disagreements",
            total.equal + total.missing + total.refused + self.failures.len(),
            total.equal,
            total.missing,
            total.refused,
            self.failures.len()
        );
    }

    /// The names with disagreements.
    fn failed_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.failures.iter().map(|(n, _)| n.as_str()).collect();
        names.dedup();
        names
    }

    /// Panics with the disagreements (two per name), and if some name had too few equal
    /// comparisons.
    fn assert_ok(&self) {
        let thin: Vec<&str> = self
            .stats
            .iter()
            .filter(|(_, s)| s.equal < MIN_EQUAL)
            .map(|(n, _)| n.as_str())
            .collect();
        let mut shown = String::new();
        for name in self.failed_names() {
            for (_, f) in self.failures.iter().filter(|(n, _)| n == name).take(2) {
                shown.push_str(f);
                shown.push_str("\n\n");
            }
        }
        assert!(
            self.failures.is_empty(),
            "{} disagreements with upstream's Python rendering, in {:?}; examples:\n\n{shown}",
            self.failures.len(),
            self.failed_names()
        );
        assert!(
            thin.is_empty(),
            "fewer than {MIN_EQUAL} equal comparisons for: {thin:?}"
        );
    }
}

/// Generates the cases of `kind` for every command or type with a Python line, runs both sides.
fn conformance(api: &Api, kind: Kind, seed: u64) -> Report {
    let mut gen = Gen {
        api,
        rng: Rng::new(seed),
        raw: BTreeMap::new(),
    };
    let mut cases = Vec::new();
    let mut names = Vec::new();
    match kind {
        Kind::Command => {
            for c in &api.commands {
                let Some(syntax) = c.syntax.as_ref().filter(|s| s.python.is_some()) else {
                    continue;
                };
                let scope: Scope<'_> = c.params.iter().map(|p| (p.name.as_str(), &p.ty)).collect();
                gen.raw.clear();
                raw_positions(api, &syntax.expr, true, &scope, "", &mut gen.raw);
                names.push(c.name.clone());
                for _ in 0..CASES {
                    let mut entries = Vec::new();
                    // Parameters the syntax never renders stay at their default (absent).
                    for p in c.params.iter().filter(|p| core_model::renders(c, &p.name)) {
                        if let Some(v) = gen.field(&p.ty, 0, Some(&p.name)) {
                            entries.push((p.name.clone(), v));
                        }
                    }
                    cases.push(Case {
                        kind,
                        name: c.name.clone(),
                        params: J::Obj(entries),
                    });
                }
            }
        }
        Kind::Type => {
            for t in &api.types {
                let Some(syntax) = t.syntax.as_ref().filter(|s| s.python.is_some()) else {
                    continue;
                };
                gen.raw.clear();
                raw_positions(api, &syntax.expr, true, &type_scope(t), "", &mut gen.raw);
                names.push(t.name.clone());
                for _ in 0..CASES {
                    // Depth 0 and an empty path: fields are rendered raw at `field`.
                    let value = match &t.kind {
                        TypeKind::Opaque => J::Obj(Vec::new()),
                        TypeKind::Enum { values } => J::str(gen.rng.pick(values).value.clone()),
                        TypeKind::Record { fields } => J::Obj(
                            fields
                                .iter()
                                .filter_map(|f| {
                                    gen.field(&f.ty, 1, Some(&f.name))
                                        .map(|v| (f.name.clone(), v))
                                })
                                .collect(),
                        ),
                        TypeKind::Union { members } => {
                            let m = gen.rng.pick(members);
                            let mut entries = vec![("type".to_owned(), J::str(m.tag.clone()))];
                            for f in &m.fields {
                                if let Some(v) = gen.field(&f.ty, 1, Some(&f.name)) {
                                    entries.push((f.name.clone(), v));
                                }
                            }
                            J::Obj(entries)
                        }
                    };
                    cases.push(Case {
                        kind,
                        name: t.name.clone(),
                        params: value,
                    });
                }
            }
        }
    }

    let python = run_python(api, &cases);
    let mut stats: BTreeMap<&str, Stats> = BTreeMap::new();
    let mut failures = Vec::new();
    for (case, py) in cases.iter().zip(&python) {
        let rust = match kind {
            Kind::Command => commands::command_string_from_json(&case.name, case.params.value()),
            Kind::Type => types::syntax_string_from_json(&case.name, case.params.value()),
        };
        let s = stats.entry(case.name.as_str()).or_default();
        match judge(api, case, py, &rust) {
            Ok(Agreement::Equal) => s.equal += 1,
            Ok(Agreement::Missing) => s.missing += 1,
            Ok(Agreement::Refused) => s.refused += 1,
            Err(why) => failures.push((
                case.name.clone(),
                format!(
                    "{} `{}`: {why}\n  params: {}\n  python: {}\n  rust:   {}",
                    match kind {
                        Kind::Command => "command",
                        Kind::Type => "type",
                    },
                    case.name,
                    case.params.text(),
                    match py {
                        Ok(s) => format!("{s:?}"),
                        Err(e) => format!("raised {e}"),
                    },
                    show_rust(&rust)
                ),
            )),
        }
    }
    Report {
        stats: names
            .iter()
            .map(|n| (n.clone(), stats.remove(n.as_str()).unwrap_or_default()))
            .collect(),
        failures,
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_command_renders_as_upstreams_python_line() {
    let api = load_api();
    // The IR must not lose commands: every `# Python` line of COMMANDS.md is one of ours,
    // verbatim.
    let doc =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/COMMANDS.md"))
            .expect("COMMANDS.md");
    let doc_lines: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_suffix(" # Python"))
        .collect();
    let ir_lines: Vec<&str> = api
        .commands
        .iter()
        .filter_map(|c| c.syntax.as_ref()?.python.as_deref())
        .collect();
    assert_eq!(ir_lines, doc_lines, "the IR's Python lines are the docs'");

    let report = conformance(&api, Kind::Command, 0x5EED_C0DE_0001);
    report.print("commands");
    assert_eq!(report.stats.len(), doc_lines.len());
    report.assert_ok();
}

#[test]
fn every_type_syntax_renders_as_upstreams_python_line() {
    let api = load_api();
    let doc =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/TYPES.md"))
            .expect("TYPES.md");
    let doc_lines = doc.lines().filter(|l| l.ends_with(" # Python")).count();

    let report = conformance(&api, Kind::Type, 0x5EED_C0DE_0002);
    report.print("type syntaxes");
    assert_eq!(report.stats.len(), doc_lines, "one type per Python line");
    report.assert_ok();
}

/// Replaces `from` by `to` in the Python line of a command or type.
fn break_line(api: &mut Api, kind: Kind, name: &str, from: &str, to: &str) {
    let syntax = match kind {
        Kind::Command => api
            .commands
            .iter_mut()
            .find(|c| c.name == name)
            .and_then(|c| c.syntax.as_mut()),
        Kind::Type => api
            .types
            .iter_mut()
            .find(|t| t.name == name)
            .and_then(|t| t.syntax.as_mut()),
    };
    let python = syntax
        .and_then(|s| s.python.as_mut())
        .unwrap_or_else(|| panic!("{name} has a Python line"));
    assert!(python.contains(from), "{name}: {python}");
    *python = python.replace(from, to);
}

/// Asserts that the report has failures for exactly the `expected` names.
fn assert_caught(report: &Report, expected: &[&str]) {
    let mut failed = report.failed_names();
    failed.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(failed, expected, "the broken renderings caught");
}

/// The harness itself: a command rendering that differs from Rust's is caught (here by changing
/// the Python side, as if the generator had got `live=on`, the `@` of a contact id, or the
/// syntax of a type a command uses wrong).
#[test]
fn a_wrong_command_rendering_is_caught() {
    let mut api = load_api();
    break_line(
        &mut api,
        Kind::Command,
        "APISendMessages",
        "' live=on'",
        "' live=1'",
    );
    break_line(&mut api, Kind::Command, "APIListGroups", "' @'", "' #'");
    break_line(
        &mut api,
        Kind::Type,
        "ChatDeleteMode",
        "' notify=off'",
        "' notify=no'",
    );
    break_line(
        &mut api,
        Kind::Type,
        "CreatedConnLink",
        "' ' + connShortLink",
        "connShortLink",
    );
    let report = conformance(&api, Kind::Command, 0x5EED_C0DE_0001);
    assert_caught(
        &report,
        &[
            "APISendMessages",
            "APIListGroups",
            "APIDeleteChat",
            "APIConnect",
        ],
    );
}

/// The harness itself, for type syntaxes.
#[test]
fn a_wrong_type_rendering_is_caught() {
    let mut api = load_api();
    break_line(&mut api, Kind::Type, "ChatType", "'*'", "'&'");
    break_line(&mut api, Kind::Type, "GroupChatScope", "':'", "'='");
    let report = conformance(&api, Kind::Type, 0x5EED_C0DE_0002);
    assert_caught(&report, &["ChatType", "GroupChatScope", "ChatRef"]);
}

fn render(name: &str, params: Value) -> Result<String, CommandError> {
    commands::command_string_from_json(name, params).map_err(|e| match e {
        FromJsonError::Command(e) => e,
        other => panic!("{name}: {other}"),
    })
}

#[test]
fn a_line_break_in_a_string_is_refused() {
    assert_eq!(
        render(
            "APISendServiceResponse",
            json!({"userId": 1, "requestId": "req\n1", "responseData": {}})
        ),
        Err(CommandError::LineBreak { param: "requestId" })
    );
    // Even where spaces are fine.
    assert_eq!(
        render("APIListGroups", json!({"userId": 1, "search": "a\nb"})),
        Err(CommandError::LineBreak { param: "search" })
    );
    assert_eq!(
        render(
            "ReceiveFile",
            json!({"fileId": 3, "userApprovedRelays": false, "filePath": "/tmp/a\r.txt"})
        ),
        Err(CommandError::LineBreak { param: "filePath" })
    );
    // Inside JSON a line break is escaped, not refused.
    assert_eq!(
        render(
            "APISetActiveUser",
            json!({"userId": 2, "viewPwd": "pass\nword"})
        ),
        Ok(r#"/_user 2 "pass\nword""#.to_owned())
    );
}

#[test]
fn a_space_is_refused_where_the_core_reads_one_word() {
    assert_eq!(
        render(
            "APISendServiceResponse",
            json!({"userId": 1, "requestId": "req 1", "responseData": {"a": 1}})
        ),
        Err(CommandError::Space { param: "requestId" })
    );
    assert_eq!(
        render(
            "APISendServiceResponse",
            json!({"userId": 1, "requestId": "req-1", "responseData": {"a": 1}})
        ),
        Ok(r#"/_service_response 1 req-1 {"a":1}"#.to_owned())
    );
    // An empty word would leave two spaces where the core reads one word.
    assert_eq!(
        render(
            "APISendServiceResponse",
            json!({"userId": 1, "requestId": "", "responseData": {"a": 1}})
        ),
        Err(CommandError::Empty { param: "requestId" })
    );
    // Empty as the last part leaves a trailing space, which the core strips: it would read no
    // search at all.
    assert_eq!(
        render("APIListGroups", json!({"userId": 1, "search": ""})),
        Err(CommandError::Empty { param: "search" })
    );
    // The full link of a prepared link is followed by an optional short link: a space in it
    // would be read as the separator, even when the short link is absent.
    assert_eq!(
        render(
            "APIConnect",
            json!({"userId": 1, "incognito": false, "preparedLink_": {"connFullLink": "a b"}})
        ),
        Err(CommandError::Space {
            param: "connFullLink"
        })
    );
}

#[test]
fn a_space_in_the_last_parameter_is_sent_raw() {
    assert_eq!(
        render(
            "APIListGroups",
            json!({"userId": 1, "search": " hello \t world"})
        ),
        Ok("/_groups 1  hello \t world".to_owned())
    );
    // Not at its end: the core strips whitespace from the end of a command.
    assert_eq!(
        render(
            "APIListGroups",
            json!({"userId": 1, "search": "hello  world "})
        ),
        Err(CommandError::Trailing {
            param: "search",
            end: ' '
        })
    );
    assert_eq!(
        render(
            "APIListGroups",
            json!({"userId": 1, "contactId_": -5, "search": "a b"})
        ),
        Ok("/_groups 1 @-5 a b".to_owned())
    );
    assert_eq!(
        render(
            "ReceiveFile",
            json!({"fileId": 3, "userApprovedRelays": false, "storeEncrypted": false, "filePath": "/tmp/my file.txt"})
        ),
        Ok("/freceive 3 encrypt=off /tmp/my file.txt".to_owned())
    );
    assert_eq!(
        render(
            "APIConnect",
            json!({"userId": 1, "preparedLink_": {"connFullLink": "https://x/a#b", "connShortLink": "short link"}})
        ),
        Ok("/_connect 1 https://x/a#b short link".to_owned())
    );
}
