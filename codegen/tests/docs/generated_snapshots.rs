//! Snapshots of the generated API surface of `docs/` (refreshed by the `update` workflow along
//! with the docs) and of the older vendored doc sets, and a check that a one-line doc change
//! gives a small, readable diff.

use std::collections::BTreeSet;

use codegen::DocSet;

fn set(name: &str) -> DocSet {
    let dir = crate::repo().join("tests/data/upstream-docs").join(name);
    DocSet::read_dir(&dir).expect("vendored doc set")
}

fn surface(docs: &DocSet) -> String {
    let (files, _) =
        codegen::generate(docs, "").unwrap_or_else(|d| panic!("does not generate:\n{d}"));
    codegen::emit::api_surface(&files)
}

#[test]
fn generated_api_of_v03c8bf5a() {
    insta::assert_snapshot!(surface(&set("v03c8bf5a")));
}

#[test]
fn generated_api_of_seed_7089e529_with_its_override() {
    let mut docs = set("seed-7089e529");
    docs.overrides = Some(
        "[[type_alias]]\nname = \"GroupInfoSummary\"\ntarget = \"GroupInfo\"\n\
         reason = \"TYPES.md b7a0bde1 no longer defines it\"\n"
            .to_owned(),
    );
    insta::assert_snapshot!(surface(&docs));
}

/// Lines only in `a`, and lines only in `b`.
fn line_diff(a: &str, b: &str) -> (Vec<String>, Vec<String>) {
    let (la, lb): (BTreeSet<&str>, BTreeSet<&str>) = (a.lines().collect(), b.lines().collect());
    (
        la.difference(&lb).map(|s| s.to_string()).collect(),
        lb.difference(&la).map(|s| s.to_string()).collect(),
    )
}

#[test]
fn one_changed_line_in_types_md_gives_a_small_readable_diff() {
    let docs = set("v1249553e");
    let types = docs.types.as_ref().expect("TYPES.md").text.clone();
    let changed = types.replacen("- chatId: int64\n", "- chatId: int64?\n", 1);
    assert_ne!(changed, types, "the edited line exists");
    let edited = DocSet::from_texts(
        docs.commands.as_ref().map(|f| f.text.as_str()),
        docs.events.as_ref().map(|f| f.text.as_str()),
        Some(&changed),
    );
    let (before, after) = (surface(&docs), surface(&edited));
    let (removed, added) = line_diff(&before, &after);
    // The field's type and the constructor change; a setter appears. Nothing else.
    assert!(!added.is_empty() && added.len() <= 4, "added: {added:#?}");
    assert!(removed.len() <= 4, "removed: {removed:#?}");
    assert!(
        added.iter().any(|l| l.contains("chat_id: Option<i64>")),
        "added: {added:#?}"
    );
    assert!(
        added.iter().any(|l| l.contains("with_chat_id")),
        "added: {added:#?}"
    );
    // The IR outline shows the same change as one line.
    let outline = |d: &DocSet| codegen::outline::outline(&codegen::load(d).0);
    let (removed, added) = line_diff(&outline(&docs), &outline(&edited));
    assert_eq!(
        (removed.len(), added.len()),
        (1, 1),
        "{removed:?} -> {added:?}"
    );
    assert!(
        added[0].contains("chatId") && added[0].contains("int64?"),
        "{added:?}"
    );
}

/// The docs the crate is generated from: editing them shows here (and in the drift test).
fn docs_dir() -> DocSet {
    DocSet::read_dir(&crate::repo().join("docs")).expect("docs/")
}

#[test]
fn generated_api_of_docs() {
    insta::assert_snapshot!(surface(&docs_dir()));
}

#[test]
fn ir_of_docs() {
    let (api, diags) = codegen::load(&docs_dir());
    let diagnostics: String = diags.iter().map(|d| format!("{d}\n")).collect();
    insta::assert_snapshot!(format!(
        "{diagnostics}\n{}",
        codegen::outline::outline(&api)
    ));
}
