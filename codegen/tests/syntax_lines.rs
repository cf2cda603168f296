//! The JavaScript and Python syntax lines of the trickiest commands and types of one upstream
//! version (the vendored `tests/data/upstream-docs/v1249553e`, not `docs/`, which moves on with
//! upstream), read from the files, parse to exactly the expected trees, and both languages agree.

use std::path::Path;

use codegen::ir::{Alternative, Expr};
use codegen::syntax::script::{self, Lang};

fn doc(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/upstream-docs/v1249553e")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The JavaScript and Python lines (markers removed) of the `heading` section of `text`.
fn script_lines(text: &str, heading: &str) -> (String, String) {
    let mut lines = text
        .lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("### "));
    let mut find = |lang: Lang| {
        lines
            .find_map(|l| l.strip_suffix(lang.marker()))
            .map(|l| l.trim_end().to_owned())
            .unwrap_or_else(|| panic!("no {} line under `{heading}`", lang.name()))
    };
    let js = find(Lang::JavaScript);
    let py = find(Lang::Python);
    (js, py)
}

/// Parses both lines of `heading` and checks each gives `want`.
fn check(file: &str, heading: &str, want: &[Expr]) {
    let (js, py) = script_lines(&doc(file), heading);
    for (lang, line) in [(Lang::JavaScript, &js), (Lang::Python, &py)] {
        let got = script::parse(line, lang)
            .unwrap_or_else(|e| panic!("{heading} ({}): {e:?}\n{line}", lang.name()));
        assert_eq!(got, want, "{heading} ({}): {line}", lang.name());
    }
}

fn lit(s: &str) -> Expr {
    Expr::lit(s)
}
fn param(n: &str) -> Expr {
    Expr::Param { name: n.into() }
}
fn on_off_param(key: &str, name: &str, default: Option<bool>) -> Expr {
    Expr::OnOffParam {
        key: key.into(),
        name: name.into(),
        default,
    }
}

#[test]
fn send_messages() {
    check(
        "COMMANDS.md",
        "### APISendMessages",
        &[
            lit("/_send "),
            param("sendRef"),
            on_off_param("live", "liveMessage", Some(false)),
            Expr::Optional {
                name: "ttl".into(),
                some: vec![lit(" ttl="), param("ttl")],
                none: vec![],
            },
            on_off_param("sign", "signMessages", Some(false)),
            lit(" json "),
            Expr::Json {
                name: "composedMessages".into(),
            },
        ],
    );
}

#[test]
fn receive_file() {
    check(
        "COMMANDS.md",
        "### ReceiveFile",
        &[
            lit("/freceive "),
            param("fileId"),
            on_off_param("approved_relays", "userApprovedRelays", Some(false)),
            on_off_param("encrypt", "storeEncrypted", None),
            on_off_param("inline", "fileInline", None),
            Expr::Optional {
                name: "filePath".into(),
                some: vec![lit(" "), param("filePath")],
                none: vec![],
            },
        ],
    );
}

#[test]
fn start_chat() {
    check(
        "COMMANDS.md",
        "### StartChat",
        &[
            lit("/_start main="),
            Expr::OnOff {
                name: "mainApp".into(),
            },
            on_off_param("snd_files", "enableSndFiles", Some(true)),
            on_off_param("service_requests", "serviceRequests", Some(false)),
        ],
    );
}

#[test]
fn delete_chat_item() {
    check(
        "COMMANDS.md",
        "### APIDeleteChatItem",
        &[
            lit("/_delete item "),
            param("chatRef"),
            lit(" "),
            Expr::Join {
                name: "chatItemIds".into(),
                sep: ",".into(),
            },
            lit(" "),
            param("deleteMode"),
        ],
    );
}

#[test]
fn chat_type() {
    let alt = |tag: &str, s: &str| Alternative {
        tag: tag.into(),
        expr: vec![lit(s)],
    };
    check(
        "TYPES.md",
        "## ChatType",
        &[Expr::Choice {
            name: "self".into(),
            alternatives: vec![alt("direct", "@"), alt("group", "#"), alt("local", "*")],
            otherwise: vec![],
        }],
    );
}

#[test]
fn chat_delete_mode() {
    check(
        "TYPES.md",
        "## ChatDeleteMode",
        &[
            param("type"),
            Expr::Choice {
                name: "type".into(),
                alternatives: vec![Alternative {
                    tag: "messages".into(),
                    expr: vec![],
                }],
                otherwise: vec![on_off_param("notify", "notify", Some(true))],
            },
        ],
    );
}

#[test]
fn the_lines_are_read_from_the_docs() {
    // Guards the helper: it finds the lines of the right section, not of a neighbour.
    let (js, py) = script_lines(&doc("COMMANDS.md"), "### StartChat");
    assert!(js.starts_with("'/_start main='"), "{js}");
    assert!(py.starts_with("'/_start' + ' main='"), "{py}");
    assert!(!js.ends_with("JavaScript") && !py.ends_with("Python"));
}

#[test]
fn string_literals_with_and_without_escapes() {
    for lang in [Lang::JavaScript, Lang::Python] {
        assert_eq!(
            script::parse(r#"'/x \'a\' ' + n + "b\"c" + '' + 'é'"#, lang),
            Ok(vec![lit("/x 'a' "), param("n"), lit("b\"cé")]),
            "{}",
            lang.name()
        );
        let e = script::parse("'/x ' + 'open", lang).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("unterminated string"), "{}", e.message);
        let e = script::parse("'/x \\", lang).unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("unterminated"), "{}", e.message);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let n = 100_000;
    for (lang, line) in [
        (
            Lang::JavaScript,
            format!("'/x ' + {}p{}", "(".repeat(n), ")".repeat(n)),
        ),
        (Lang::JavaScript, format!("'/x ' + {}p", "!".repeat(n))),
        (
            Lang::JavaScript,
            format!("'/x ' + {}p", "typeof ".repeat(n)),
        ),
        (
            Lang::Python,
            format!("'/x ' + ('a' if {}p else '')", "not ".repeat(n)),
        ),
        (
            Lang::JavaScript,
            format!("{}'x'", "p == 'a' ? 'y' : ".repeat(n)),
        ),
    ] {
        let e = script::parse(&line, lang).unwrap_err();
        assert!(e.message.contains("nested more than"), "{}", e.message);
        assert!(e.offset < line.len());
    }
    // Real lines nest far less.
    let chain = format!("{}''", "self == 'a' ? '@' : ".repeat(40));
    assert!(script::parse(&chain, Lang::JavaScript).is_ok());
}
