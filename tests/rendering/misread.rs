//! Values from chat users (file names, search texts, display names, links) and careless bot
//! code, rendered into every command: each is either refused with an error that names the
//! parameter and a reason true of the value, or rendered into a command that the core reads
//! back as the same parameter values.
//!
//! "Reads back" is decided by `core_model`, a model of the core's reader built from the docs'
//! grammar (the IR's syntax trees and the overrides' hidden parts), not from the formatters
//! under test. A refusal must also be needed: the docs' own rendering of the same parameters
//! must read back otherwise, unless the refusal is of a kind that is conservative by design
//! (`core_model::conservative`).
//!
//! Two tables: the cases of the issue, with the exact error; and a sweep of hostile values over
//! every string, time and enum value that any command renders (type syntaxes included), with
//! the other parameters at their smallest and at their fullest.

use std::collections::BTreeMap;

use codegen::ir::{Api, Command, Expr, Prim, TypeDef, TypeExpr, TypeKind};
use serde_json::{json, Map, Value};
use simplex_api_types::commands::command_string_from_json;
use simplex_api_types::runtime::{CommandError, FromJsonError};

use crate::{core_model, load_api};

fn command<'a>(api: &'a Api, name: &str) -> &'a Command {
    api.commands
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no command {name}"))
}

/// The plain syntax line of command `name`.
fn plain_syntax<'a>(api: &'a Api, name: &str) -> &'a str {
    command(api, name)
        .syntax
        .as_ref()
        .map_or("", |s| s.plain.as_str())
}

fn render(name: &str, params: &Value) -> Result<String, CommandError> {
    command_string_from_json(name, params.clone()).map_err(|e| match e {
        FromJsonError::Command(e) => e,
        other => panic!("{name} {params}: {other}"),
    })
}

// ---------------------------------------------------------------------------------------------
// The issue's cases.

const RELATIVE_PATH: &str =
    "a relative path means the same with `./` in front, which the core reads as the path";

/// `(command, parameters, the error or the command string)`.
fn issue_cases(api: &Api) -> Vec<(&'static str, Value, Result<&'static str, CommandError>)> {
    let prefix = |param, prefix, part, fix| CommandError::Prefix {
        param,
        prefix,
        part,
        fix,
    };
    vec![
        // A file name from a chat user turns on flags the user never chose.
        (
            "ReceiveFile",
            json!({"fileId": 5, "filePath": "approved_relays=on /tmp/f"}),
            Err(prefix(
                "filePath",
                "approved_relays=",
                "[ approved_relays=on]",
                Some(RELATIVE_PATH),
            )),
        ),
        (
            "ReceiveFile",
            json!({"fileId": 5, "filePath": "encrypt=on"}),
            Err(prefix(
                "filePath",
                "encrypt=",
                "[ encrypt=on|off]",
                Some(RELATIVE_PATH),
            )),
        ),
        (
            "ReceiveFile",
            json!({"fileId": 5, "filePath": "inline=on x"}),
            Err(prefix(
                "filePath",
                "inline=",
                "[ inline=on|off]",
                Some(RELATIVE_PATH),
            )),
        ),
        // The advice works: the same file, read as the path.
        (
            "ReceiveFile",
            json!({"fileId": 5, "filePath": "./approved_relays=on /tmp/f"}),
            Ok("/freceive 5 ./approved_relays=on /tmp/f"),
        ),
        // A search text read as a contact filter.
        (
            "APIListGroups",
            json!({"userId": 1, "search": "@5"}),
            Err(prefix("search", "@", "[ @<contactId_>]", None)),
        ),
        (
            "APIListGroups",
            json!({"userId": 1, "search": "5 @"}),
            Ok("/_groups 1 5 @"),
        ),
        // Connection targets read as an incognito connect or as "create an invitation".
        (
            "Connect",
            json!({"connTarget_": "i https://simplex.chat/contact#/?v=2"}),
            Err(prefix("connTarget_", "i", "[ incognito|i]", None)),
        ),
        (
            "Connect",
            json!({"connTarget_": "incognito"}),
            Err(prefix("connTarget_", "incognito", "[ incognito|i]", None)),
        ),
        (
            "Connect",
            json!({"connTarget_": ""}),
            Err(CommandError::Empty {
                param: "connTarget_",
            }),
        ),
        (
            "Connect",
            json!({"connTarget_": " "}),
            Err(CommandError::Blank {
                param: "connTarget_",
            }),
        ),
        (
            "Connect",
            json!({"connTarget_": "https://simplex.chat/contact#/?v=2"}),
            Ok("/connect https://simplex.chat/contact#/?v=2"),
        ),
        // A link read as the incognito flag, where the syntax has that flag before the link
        // (a version whose `/_connect` has none reads it as the link it is).
        (
            "APIConnect",
            json!({"userId": 1, "preparedLink_": {"connFullLink": "incognito=on"}}),
            if plain_syntax(api, "APIConnect").contains("[ incognito=on]") {
                Err(prefix(
                    "connFullLink",
                    "incognito=",
                    "[ incognito=on]",
                    None,
                ))
            } else {
                Ok("/_connect 1 incognito=on")
            },
        ),
        // Unknown enum values are words like any other.
        (
            "APIAddMember",
            json!({"groupId": 1, "contactId": 2, "memberRole": "member\n/_stop"}),
            Err(CommandError::LineBreak {
                param: "memberRole",
            }),
        ),
        (
            "APICreateGroupLink",
            json!({"groupId": 1, "memberRole": ""}),
            Err(CommandError::Empty {
                param: "memberRole",
            }),
        ),
        (
            "APICreateGroupLink",
            json!({"groupId": 1, "memberRole": " "}),
            Err(CommandError::Space {
                param: "memberRole",
            }),
        ),
        (
            "APICreateGroupLink",
            json!({"groupId": 1, "memberRole": "member x"}),
            Err(CommandError::Space {
                param: "memberRole",
            }),
        ),
        (
            "APICreateGroupLink",
            json!({"groupId": 1, "memberRole": "newRole"}),
            Ok("/_create link #1 newRole"),
        ),
        // The end of a command loses whitespace bytes, 0xA0 among them.
        (
            "APIListGroups",
            json!({"userId": 1, "search": "x\t"}),
            Err(CommandError::Trailing {
                param: "search",
                end: '\t',
            }),
        ),
        (
            "ReceiveFile",
            json!({"fileId": 5, "filePath": "voilà"}),
            Err(CommandError::Trailing {
                param: "filePath",
                end: 'à',
            }),
        ),
        (
            "APIListGroups",
            json!({"userId": 1, "search": "ПАР"}),
            Err(CommandError::Trailing {
                param: "search",
                end: 'Р',
            }),
        ),
        (
            "APIListGroups",
            json!({"userId": 1, "search": "学习"}),
            Err(CommandError::Trailing {
                param: "search",
                end: '习',
            }),
        ),
        (
            "APIListGroups",
            json!({"userId": 1, "search": "学习 voilà ПАР!"}),
            Ok("/_groups 1 学习 voilà ПАР!"),
        ),
        // Inside a word, 0xA0 may end the word.
        (
            "APISendServiceResponse",
            json!({"userId": 1, "requestId": "voilà", "responseData": {}}),
            Err(CommandError::Space { param: "requestId" }),
        ),
        // Unknown members of types with a syntax have none.
        (
            "APIDeleteChat",
            json!({"chatRef": {"chatType": "direct", "chatId": 1}, "chatDeleteMode": {"type": "all"}}),
            Err(CommandError::Unrepresentable {
                param: "chatDeleteMode",
                value: r#"{"type":"all"}"#.to_owned(),
            }),
        ),
        (
            "APIDeleteChat",
            json!({"chatRef": {"chatType": "direct\n", "chatId": 1}, "chatDeleteMode": {"type": "messages"}}),
            Err(CommandError::Unrepresentable {
                param: "chatType",
                value: r#""direct\n""#.to_owned(),
            }),
        ),
    ]
}

#[test]
fn the_issues_values_are_refused_or_read_as_meant() {
    let api = load_api();
    for (name, params, expected) in issue_cases(&api) {
        let c = command(&api, name);
        let got = render(name, &params);
        assert_eq!(got, expected.clone().map(str::to_owned), "{name} {params}");
        match got {
            Ok(text) => core_model::reads_as(&api, c, &text, &params)
                .unwrap_or_else(|why| panic!("{name}: {text:?} is misread: {why}")),
            Err(CommandError::Unrepresentable { .. }) => {}
            Err(e) => {
                // Refused because the docs' own rendering is read as something else.
                let naive = core_model::render(&api, c, &params).expect("the docs render it");
                let misread = core_model::reads_as(&api, c, &naive, &params);
                assert!(
                    misread.is_err() || core_model::conservative(&e),
                    "{name}: {e} refuses {naive:?}, which the core reads as meant"
                );
            }
        }
    }
}

#[test]
fn the_errors_say_what_the_core_would_read_and_how_to_avoid_it() {
    let path = render(
        "ReceiveFile",
        &json!({"fileId": 5, "filePath": "approved_relays=on /tmp/f"}),
    )
    .expect_err("refused");
    assert_eq!(
        path.to_string(),
        "parameter `filePath` begins with `approved_relays=`, which the core reads as the part \
         `[ approved_relays=on]` of the command, not as `filePath`; a relative path means the \
         same with `./` in front, which the core reads as the path"
    );
    let search = render("APIListGroups", &json!({"userId": 1, "search": "@5"})).expect_err("");
    assert_eq!(
        search.to_string(),
        "parameter `search` begins with `@`, which the core reads as the part \
         `[ @<contactId_>]` of the command, not as `search`"
    );
    let end = render("ReceiveFile", &json!({"fileId": 5, "filePath": "voilà"})).expect_err("");
    assert_eq!(
        end.to_string(),
        "parameter `filePath` ends in `à` (U+00E0), whose last UTF-8 byte 0xA0 the core takes \
         for whitespace and strips from the end of a command"
    );
    let tab = render("APIListGroups", &json!({"userId": 1, "search": "x\t"})).expect_err("");
    assert_eq!(
        tab.to_string(),
        "parameter `search` ends in whitespace (U+0009), which the core strips from the end of \
         a command"
    );
}

// ---------------------------------------------------------------------------------------------
// The sweep.

/// What kind of rendered word a target is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A free string or a time.
    Free,
    /// A value of an enum without a syntax (written as it is).
    Word,
    /// A value of an enum with a syntax (only documented values have one).
    SyntaxEnum,
    /// A member of a union with a syntax (only documented members have one).
    SyntaxUnion,
}

/// A rendered word: the path to it in the parameters (`sendRef.chatType`), its type.
#[derive(Debug, Clone)]
struct Target {
    path: Vec<String>,
    kind: Kind,
    /// The enum's values or the union's tags.
    documented: Vec<String>,
    /// The enum or union.
    type_name: String,
}

impl Target {
    fn leaf(&self) -> &str {
        self.path.last().map_or("", String::as_str)
    }
}

/// The types of the names a tree uses.
fn scope_of_command(c: &Command) -> Vec<(String, TypeExpr)> {
    c.params
        .iter()
        .map(|p| (p.name.clone(), p.ty.clone()))
        .collect()
}

fn scope_of_type(def: &TypeDef) -> Vec<(String, TypeExpr)> {
    match &def.kind {
        TypeKind::Record { fields } => fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect(),
        TypeKind::Union { members } => members
            .iter()
            .flat_map(|m| m.fields.iter().map(|f| (f.name.clone(), f.ty.clone())))
            .collect(),
        TypeKind::Enum { .. } | TypeKind::Opaque => Vec::new(),
    }
}

/// Every word the tree renders from a string, time or enum, through types with a syntax.
fn targets(
    api: &Api,
    exprs: &[Expr],
    scope: &[(String, TypeExpr)],
    prefix: &[String],
    out: &mut Vec<Target>,
) {
    for e in exprs {
        e.walk(&mut |n| {
            let Expr::Param { name } = n else { return };
            let Some((_, ty)) = scope.iter().find(|(s, _)| s == name) else {
                return;
            };
            let mut path = prefix.to_vec();
            path.push(name.clone());
            if out.iter().any(|t| t.path == path) {
                return;
            }
            match ty.strip_optional() {
                TypeExpr::Prim {
                    prim: Prim::String | Prim::UtcTime,
                } => out.push(Target {
                    path,
                    kind: Kind::Free,
                    documented: Vec::new(),
                    type_name: String::new(),
                }),
                TypeExpr::Ref { name: t } => {
                    let Some(def) = api.type_def(t) else { return };
                    let (kind, documented) = match (&def.kind, def.syntax.is_some()) {
                        (TypeKind::Enum { values }, syntax) => (
                            if syntax { Kind::SyntaxEnum } else { Kind::Word },
                            values.iter().map(|v| v.value.clone()).collect(),
                        ),
                        (TypeKind::Union { members }, true) => (
                            Kind::SyntaxUnion,
                            members.iter().map(|m| m.tag.clone()).collect(),
                        ),
                        _ => (Kind::Free, Vec::new()),
                    };
                    if let Some(s) = &def.syntax {
                        let inner = scope_of_type(def);
                        targets(api, &s.expr, &inner, &path, out);
                    }
                    if kind != Kind::Free {
                        out.push(Target {
                            path,
                            kind,
                            documented,
                            type_name: t.clone(),
                        });
                    }
                }
                _ => {}
            }
        });
    }
}

/// A value of `ty` with only what it needs, or (`full`) with its optional parts too, where its
/// syntax renders them.
fn value(api: &Api, ty: &TypeExpr, full: bool) -> Value {
    match ty {
        TypeExpr::Prim { prim } => match prim {
            Prim::Bool => json!(false),
            Prim::Int | Prim::Int64 | Prim::Word32 => json!(1),
            Prim::Double => json!(1.5),
            Prim::String => json!("x"),
            Prim::UtcTime => json!("2024-01-02T03:04:05Z"),
            Prim::JsonObject => json!({}),
        },
        TypeExpr::Optional { inner } => value(api, inner, full),
        TypeExpr::Array { item } => json!([value(api, item, false)]),
        TypeExpr::Map { .. } => json!({}),
        TypeExpr::Ref { name } => {
            let def = api.type_def(name).expect("a documented type");
            let full = full && def.syntax.is_some();
            let fields = |fields: &[codegen::ir::Field], m: &mut Map<String, Value>| {
                for f in fields {
                    if full || !f.ty.is_optional() {
                        m.insert(f.name.clone(), value(api, &f.ty, full));
                    }
                }
            };
            match &def.kind {
                TypeKind::Opaque => json!({}),
                TypeKind::Enum { values } => json!(values[0].value),
                TypeKind::Record { fields: fs } => {
                    let mut m = Map::new();
                    fields(fs, &mut m);
                    Value::Object(m)
                }
                TypeKind::Union { members } => {
                    let mut m = Map::new();
                    m.insert("type".into(), json!(members[0].tag));
                    fields(&members[0].fields, &mut m);
                    Value::Object(m)
                }
            }
        }
    }
}

/// The parameters of `c` that its syntax renders: required ones, and (`full`) optional ones,
/// and flags away from their default.
fn base(api: &Api, c: &Command, full: bool) -> Value {
    let mut defaults = BTreeMap::new();
    if let Some(s) = &c.syntax {
        for e in &s.expr {
            e.walk(&mut |n| {
                if let Expr::OnOffParam { name, default, .. } = n {
                    defaults.insert(name.clone(), *default);
                }
            });
        }
    }
    let mut m = Map::new();
    for p in c.params.iter().filter(|p| core_model::renders(c, &p.name)) {
        let v = match defaults.get(&p.name) {
            Some(Some(d)) if full => json!(!d),
            Some(Some(_)) => continue,
            Some(None) if full => json!(true),
            _ if p.ty.is_optional() && !full && !bare(c, &p.name) => continue,
            _ => value(api, &p.ty, full),
        };
        m.insert(p.name.clone(), v);
    }
    Value::Object(m)
}

/// True when the syntax renders `name` outside any optional part (an optional parameter
/// rendered as if required).
fn bare(c: &Command, name: &str) -> bool {
    fn walk(exprs: &[Expr], name: &str) -> bool {
        exprs.iter().any(|e| match e {
            Expr::Optional { .. } => false,
            Expr::Choice {
                alternatives,
                otherwise,
                ..
            } => alternatives.iter().any(|a| walk(&a.expr, name)) || walk(otherwise, name),
            other => other.param_name() == Some(name),
        })
    }
    c.syntax.as_ref().is_some_and(|s| walk(&s.expr, name))
}

/// Sets the value at `path`, creating what leads to it.
fn set(api: &Api, c: &Command, params: &mut Value, path: &[String], v: Value) {
    let mut scope = scope_of_command(c);
    let mut at = params;
    for (i, key) in path.iter().enumerate() {
        let ty = scope
            .iter()
            .find(|(n, _)| n == key)
            .map(|(_, t)| t.clone())
            .expect("a known name");
        let obj = at.as_object_mut().expect("an object on the path");
        if i + 1 == path.len() {
            obj.insert(key.clone(), v);
            return;
        }
        let slot = obj.entry(key.clone()).or_insert(Value::Null);
        if slot.is_null() {
            *slot = value(api, &ty, false);
        }
        let TypeExpr::Ref { name } = ty.strip_optional() else {
            panic!("a path through a type with a syntax")
        };
        scope = scope_of_type(api.type_def(name).expect("a documented type"));
        at = slot;
    }
}

const MB: usize = 1 << 20;

/// The hostile strings, with a label for the report.
fn hostile() -> Vec<(String, String)> {
    let plain: &[&str] = &[
        "",
        " ",
        "  ",
        "\t",
        "x\t",
        "x ",
        " x",
        "  x  ",
        "x\r",
        "\r",
        "a\rb",
        "a\nb",
        "\n",
        "member\n/_stop",
        "\u{2028}",
        "x\u{2028}",
        "x\u{2028}y",
        "\u{85}",
        "x\u{85}",
        "x\u{85}y",
        "\0",
        "x\0y",
        "\u{a0}",
        "x\u{a0}",
        "x\u{a0}y",
        "voilà",
        "ПАР",
        "学习",
        "voilà!",
        "x y",
        "@",
        "@5",
        "@5 x",
        "@x",
        "#1",
        "i",
        "ivan",
        "incognito",
        "i https://simplex.chat/contact#/?v=2&smp=x",
        "incognito=on",
        "incognito=off x",
        "approved_relays=on /tmp/f",
        "./approved_relays=on /tmp/f",
        "encrypt=on",
        "encrypt=off",
        "inline=on x",
        "pcc=on",
        "count=5",
        "live=on",
        "notify=off",
        "json",
        "member",
        "/_stop",
        "https://simplex.chat/contact#/?v=2",
        "(_support)",
        "{}",
        "1",
        "-1",
    ];
    let mut out: Vec<(String, String)> = plain
        .iter()
        .map(|s| (format!("{s:?}"), (*s).to_owned()))
        .collect();
    out.push(("1 MB of `a`".into(), "a".repeat(MB)));
    out.push(("1 MB of `a b `".into(), "a b ".repeat(MB / 4)));
    out.push((
        "1 MB of `a b ` ending in `c`".into(),
        format!("{}c", "a b ".repeat(MB / 4)),
    ));
    out.push(("`@` and 1 MB".into(), format!("@{}", "a".repeat(MB))));
    out
}

/// The outcome of one value, for the report.
fn outcome(r: &Result<String, CommandError>) -> String {
    match r {
        Ok(_) => "rendered".into(),
        Err(CommandError::Prefix { prefix, .. }) => format!("Prefix({prefix})"),
        Err(CommandError::Trailing { .. }) => "Trailing".into(),
        Err(e) => format!("{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

#[test]
fn hostile_values_in_every_rendered_word_are_refused_or_read_as_meant() {
    let api = load_api();
    let values = hostile();
    let mut failures = Vec::new();
    // (command, target) -> outcome -> labels
    let mut report: BTreeMap<(String, String), BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut swept = Vec::new();
    let mut renders = 0;
    let mut refusals = 0;
    for c in &api.commands {
        let Some(syntax) = c.syntax.as_ref().filter(|s| !s.expr.is_empty()) else {
            continue;
        };
        // Numbers, JSON, flags: the smallest and fullest parameters render and read back.
        for full in [false, true] {
            let params = base(&api, c, full);
            match render(&c.name, &params) {
                Ok(text) => {
                    if let Err(why) = core_model::reads_as(&api, c, &text, &params) {
                        failures.push(format!("{}: {text:?} is misread: {why}", c.name));
                    }
                }
                Err(e) => failures.push(format!("{} {params}: refused: {e}", c.name)),
            }
        }
        let mut ts = Vec::new();
        targets(&api, &syntax.expr, &scope_of_command(c), &[], &mut ts);
        if !ts.is_empty() {
            swept.push(c.name.clone());
        }
        for t in &ts {
            let mut cases: Vec<(String, Value)> = Vec::new();
            match t.kind {
                Kind::Free | Kind::Word | Kind::SyntaxEnum => {
                    for (label, v) in &values {
                        if t.kind == Kind::SyntaxEnum && v.len() > 100 {
                            continue;
                        }
                        cases.push((label.clone(), json!(v)));
                    }
                    for d in &t.documented {
                        cases.push((format!("documented {d:?}"), json!(d)));
                    }
                }
                Kind::SyntaxUnion => {
                    for (label, v) in values.iter().filter(|(_, v)| v.len() < 100) {
                        if !t.documented.contains(v) {
                            cases.push((format!("member {label}"), json!({ "type": v })));
                        }
                    }
                    cases.push(("not an object".into(), json!("full")));
                    let def = api.type_def(&t.type_name).expect("a documented union");
                    if let TypeKind::Union { members } = &def.kind {
                        for m in members {
                            let mut obj = Map::new();
                            obj.insert("type".into(), json!(m.tag));
                            for f in m.fields.iter().filter(|f| !f.ty.is_optional()) {
                                obj.insert(f.name.clone(), value(&api, &f.ty, false));
                            }
                            cases.push((format!("documented {:?}", m.tag), Value::Object(obj)));
                        }
                    }
                }
            }
            for (label, v) in cases {
                // The 1 MB values only with the smallest parameters: they test size, not
                // company.
                let big = v.as_str().is_some_and(|s| s.len() > MB / 2);
                for full in [false, true].into_iter().filter(|f| !(big && *f)) {
                    let mut params = base(&api, c, full);
                    set(&api, c, &mut params, &t.path, v.clone());
                    let result = match command_string_from_json(&c.name, params.clone()) {
                        Ok(s) => Ok(s),
                        Err(FromJsonError::Command(e)) => Err(e),
                        Err(other) => {
                            failures.push(format!(
                                "{} {}: {label}: {other}",
                                c.name,
                                t.path.join(".")
                            ));
                            continue;
                        }
                    };
                    let where_ = format!(
                        "{} `{}` = {label} ({})",
                        c.name,
                        t.path.join("."),
                        if full { "fullest" } else { "smallest" }
                    );
                    if !full {
                        report
                            .entry((c.name.clone(), t.path.join(".")))
                            .or_default()
                            .entry(outcome(&result))
                            .or_default()
                            .push(label.clone());
                    }
                    match &result {
                        Ok(text) => {
                            renders += 1;
                            if let Err(why) = core_model::reads_as(&api, c, text, &params) {
                                failures.push(format!(
                                    "{where_}: rendered into a different meaning: {why}"
                                ));
                            }
                        }
                        Err(e) => {
                            refusals += 1;
                            if let Some(why) = judge_refusal(&api, c, t, &v, &params, e) {
                                failures.push(format!("{where_}: {e:?}: {why}"));
                            }
                        }
                    }
                }
            }
        }
    }
    print_report(&report);
    println!("{renders} rendered and read back as meant, {refusals} refused");
    assert!(
        failures.is_empty(),
        "{} failures, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    for name in [
        "ReceiveFile",
        "APIListGroups",
        "Connect",
        "APIConnect",
        "APIConnectPlan",
        "APIAddMember",
        "APICreateGroupLink",
        "APISendServiceResponse",
        "APIDeleteChatItem",
        "APIDeleteChat",
        "APISendMessages",
    ] {
        assert!(swept.contains(&name.to_owned()), "{name} is swept");
    }
    assert!(
        refusals > 500 && renders > 500,
        "{refusals} refusals, {renders} renders"
    );
}

/// Why a refusal is wrong, if it is.
fn judge_refusal(
    api: &Api,
    c: &Command,
    t: &Target,
    v: &Value,
    params: &Value,
    e: &CommandError,
) -> Option<String> {
    if core_model::error_param(e) != Some(t.leaf()) {
        return Some(format!("names another parameter than `{}`", t.leaf()));
    }
    match (t.kind, e) {
        (Kind::SyntaxEnum | Kind::SyntaxUnion, CommandError::Unrepresentable { .. }) => {
            let tag = v.as_str().or_else(|| v.get("type").and_then(Value::as_str));
            let documented = tag.is_some_and(|tag| t.documented.iter().any(|d| d == tag));
            (documented && v.is_object() == (t.kind == Kind::SyntaxUnion))
                .then(|| "a documented value has a syntax".to_owned())
        }
        (Kind::SyntaxEnum | Kind::SyntaxUnion, _) => Some("expected Unrepresentable".into()),
        (_, e) => {
            let value = v.as_str().unwrap_or_default();
            if !core_model::reason_holds(e, value) {
                return Some(format!("the reason is not true of {value:.40?}"));
            }
            let naive = core_model::render(api, c, params)?;
            if core_model::reads_as(api, c, &naive, params).is_ok() && !core_model::conservative(e)
            {
                return Some(format!(
                    "refuses {:.60?}, which the core reads as meant",
                    naive
                ));
            }
            None
        }
    }
}

fn print_report(report: &BTreeMap<(String, String), BTreeMap<String, Vec<String>>>) {
    for ((command, target), outcomes) in report {
        println!("{command} `{target}`:");
        for (outcome, labels) in outcomes {
            let shown: Vec<&str> = labels.iter().map(String::as_str).collect();
            println!("  {outcome}: {}", shown.join(", "));
        }
    }
}
