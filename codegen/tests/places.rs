//! Where the generator places each value of a command, as the core's grammar sees it: what
//! the optional parts before a value make it unable to begin with (derived from the syntax
//! tree, never per command), hidden parts from the overrides, and grammars the core could not
//! read whatever the values are, which fail generation.

use codegen::{generate, DocSet};

/// A `COMMANDS.md` with one command `X`: its parameters, plain syntax line and JavaScript line.
fn commands(params: &[&str], plain: &str, js: &str) -> String {
    let params: String = params.iter().map(|p| format!("- {p}\n")).collect();
    format!(
        "# API Commands and Responses\n\n[Cat](#cat)\n- [X](#x)\n\n---\n\n\n## Cat\n\n\
         Commands.\n\n\n### X\n\nA command.\n\n*Network usage*: no.\n\n**Parameters**:\n{params}\n\
         **Syntax**:\n\n```\n{plain}\n```\n\n```javascript\n{js} // JavaScript\n```\n\n\
         **Response**:\n\nOk: Done.\n- type: \"ok\"\n\n---\n"
    )
}

/// The generated `commands.rs`, or the errors.
fn generated(docs: DocSet) -> Result<String, String> {
    match generate(&docs, "") {
        Ok((files, _)) => Ok(files["commands.rs"].clone()),
        Err(diags) => Err(diags.iter().map(|d| format!("{d}\n")).collect()),
    }
}

fn command(params: &[&str], plain: &str, js: &str) -> Result<String, String> {
    generated(DocSet::from_texts(
        Some(&commands(params, plain, js)),
        None,
        None,
    ))
}

/// The code without whitespace and trailing commas, for finding generated expressions.
fn squeeze(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.replace(",]", "]").replace(",)", ")").replace(",}", "}")
}

#[test]
fn a_string_after_optional_parts_may_not_begin_like_them() {
    let code = command(
        &["a: int64?", "k: bool", "e: bool?", "s: string?"],
        "/x[ @<a>][ k=on][ e=on|off][ <s>]",
        "'/x' + (a ? ' @' + a : '') + (k ? ' k=on' : '') + (typeof e == 'boolean' ? ' e=' + (e ? 'on' : 'off') : '') + (s ? ' ' + s : '')",
    )
    .expect("generates");
    assert!(
        squeeze(&code).contains(
            r#"not_first:&[("@","[@<a>]"),("k=","[k=on]"),("e=","[e=on|off]")],rest:true"#
        ),
        "{code}"
    );
}

#[test]
fn a_value_after_fixed_text_that_rules_the_parts_out_has_no_such_limit() {
    // ` json ` cannot begin ` @`, so the word after it is free of it.
    let code = command(
        &["a: int64?", "s: string", "n: int64"],
        "/x[ @<a>] json <s> <n>",
        "'/x' + (a ? ' @' + a : '') + ' json ' + s + ' ' + n",
    )
    .expect("generates");
    assert!(
        squeeze(&code).contains(r#"push_str(out,&self.s,"s",&__private::Place::WORD)"#),
        "{code}"
    );
}

#[test]
fn a_part_that_begins_with_a_value_after_an_optional_value_fails_generation() {
    // With `a` absent, the core could read `s` as `a`.
    let err = command(
        &["a: string?", "s: string"],
        "/x[ <a>] <s>",
        "'/x' + (a ? ' ' + a : '') + ' ' + s",
    )
    .expect_err("an ambiguous grammar");
    assert!(
        err.contains("the core would read `[ <a>]` where the syntax continues with ` `"),
        "{err}"
    );
}

#[test]
fn a_number_the_core_could_read_as_an_optional_part_fails_generation() {
    let err = command(
        &["a: int64?", "n: int64"],
        "/x[ 1<a>] <n>",
        "'/x' + (a ? ' 1' + a : '') + ' ' + n",
    )
    .expect_err("an ambiguous grammar");
    assert!(
        err.contains("`n` can begin with a number, which the core would read as `[ 1<a>]`"),
        "{err}"
    );
}

#[test]
fn joined_strings_are_refused_by_the_generator() {
    let err = command(
        &["s: [string]"],
        "/x <s[0]>[,<s[1]>...]",
        "'/x ' + s.join(',')",
    )
    .expect_err("joined strings");
    assert!(err.contains("joins values that are not numbers"), "{err}");
}

#[test]
fn a_hidden_part_from_the_overrides_is_read_as_data() {
    let mut docs = DocSet::from_texts(
        Some(&commands(
            &["t: string?"],
            "/x[ <t>]",
            "'/x' + (t ? ' ' + t : '')",
        )),
        None,
        None,
    );
    docs.overrides = Some(
        "[[hidden_part]]\ncommand = \"X\"\nbefore = \"t\"\ntexts = [\" quiet\", \" q\"]\n\
         shown = \"[ quiet|q]\"\nreason = \"the core reads a quiet word first\"\n\n\
         [[safe_form]]\ncommand = \"X\"\nparam = \"t\"\nadvice = \"quote it\"\n\
         reason = \"a test\"\n"
            .to_owned(),
    );
    let code = generated(docs).expect("generates");
    assert!(
        squeeze(&code).contains(
            r#"not_first:&[("quiet","[quiet|q]"),("q","[quiet|q]")],rest:true,fix:Some("quoteit")"#
        ),
        "{code}"
    );
}

#[test]
fn an_override_for_a_parameter_the_syntax_lacks_is_an_error() {
    let mut docs = DocSet::from_texts(
        Some(&commands(
            &["t: string?"],
            "/x[ <t>]",
            "'/x' + (t ? ' ' + t : '')",
        )),
        None,
        None,
    );
    docs.overrides = Some(
        "[[hidden_part]]\ncommand = \"X\"\nbefore = \"u\"\ntexts = [\" q\"]\nshown = \"q\"\n\
         reason = \"r\"\n"
            .to_owned(),
    );
    let err = generated(docs).expect_err("an unknown parameter");
    assert!(
        err.contains("the hidden part of `X` names `u`, which its syntax does not have"),
        "{err}"
    );
}
