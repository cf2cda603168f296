//! End-to-end checks of the vendored upstream doc sets (`tests/data/upstream-docs`): counts,
//! round trips of the syntax lines, and located errors for the broken dialects.

use std::path::{Path, PathBuf};

use codegen::ir::{Api, Binding, DocFile, Expr, Syntax, TypeExpr, TypeKind};
use codegen::syntax::render::{self, Shape};
use codegen::{Diagnostic, Diagnostics, DocSet};

fn set_dir(name: &str) -> PathBuf {
    crate::repo().join("tests/data/upstream-docs").join(name)
}

fn read(name: &str, file: DocFile) -> String {
    let path = set_dir(name).join(file.file_name());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn docs(name: &str) -> DocSet {
    DocSet::read_dir(&set_dir(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(name: &str) -> (Api, Diagnostics) {
    codegen::load(&docs(name))
}

fn errors(diags: &Diagnostics) -> Vec<&Diagnostic> {
    diags.errors().collect()
}

/// The 1-based number of the first line of `text` at or after line `from` (1-based) that
/// satisfies `pred`, and that line.
fn find_line(text: &str, from: usize, pred: impl Fn(&str) -> bool) -> (u32, &str) {
    let (i, line) = text
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| pred(l))
        .unwrap_or_else(|| panic!("no matching line after line {from}"));
    (u32::try_from(i + 1).expect("line number"), line)
}

/// The 1-based column (in characters) of `needle` in `line`.
fn col_of(line: &str, needle: &str) -> u32 {
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in `{line}`"));
    u32::try_from(line[..byte].chars().count() + 1).expect("column")
}

/// The line number of the `### name` or `## name` heading of an item.
fn heading_line(text: &str, heading: &str) -> u32 {
    find_line(text, 1, |l| l == heading).0
}

#[test]
fn the_current_and_sibling_dialects_load_without_errors() {
    for set in ["v1249553e", "v03c8bf5a"] {
        let (api, diags) = load(set);
        assert!(!diags.has_errors(), "{set}:\n{diags}");
        assert_eq!(api.files, DocFile::API, "{set}");
    }
}

#[test]
fn v1249553e_has_the_documented_counts() {
    let (api, _) = load("v1249553e");
    assert_eq!(api.commands.len(), 60);
    assert_eq!(api.types.len(), 222);
    assert_eq!(api.events.len(), 52);
    let with_syntax: Vec<&Syntax> = api
        .commands
        .iter()
        .filter_map(|c| c.syntax.as_ref())
        .collect();
    assert_eq!(with_syntax.len(), 60);
    let by_js = with_syntax
        .iter()
        .filter(|s| s.binding == Binding::Javascript)
        .count();
    assert_eq!(by_js, 57);
    // The other three are constant strings: nothing to bind.
    for s in &with_syntax {
        if s.binding != Binding::Javascript {
            assert_eq!(s.binding, Binding::Constant, "{}", s.plain);
            assert_eq!(s.expr, vec![Expr::lit(s.plain.clone())]);
        }
    }
}

/// How a name shows in a plain line, derived from the IR types (as upstream's `docSyntaxText`).
fn shape_of(api: &Api, scope: &[(String, ScopeTy)], name: &str) -> Shape {
    let (_, ty) = scope
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("`{name}` is not in scope"));
    match ty {
        ScopeTy::Values(v) => Shape::Values(v.clone()),
        ScopeTy::Ty(t) => match t.strip_optional() {
            TypeExpr::Ref { name } => {
                let def = api
                    .type_def(name)
                    .unwrap_or_else(|| panic!("`{name}` undefined"));
                match (&def.kind, &def.syntax) {
                    (_, Some(_)) => Shape::WithSyntax,
                    (TypeKind::Enum { values }, None) => {
                        Shape::Values(values.iter().map(|v| v.value.clone()).collect())
                    }
                    _ => Shape::Scalar,
                }
            }
            _ => Shape::Scalar,
        },
    }
}

enum ScopeTy {
    Ty(TypeExpr),
    Values(Vec<String>),
}

#[test]
fn every_syntax_of_v1249553e_renders_back_to_its_plain_line() {
    let (api, diags) = load("v1249553e");
    let mut checked = 0;
    for c in &api.commands {
        let Some(s) = &c.syntax else { continue };
        let scope: Vec<(String, ScopeTy)> = c
            .params
            .iter()
            .map(|p| (p.name.clone(), ScopeTy::Ty(p.ty.clone())))
            .collect();
        assert!(!s.expr.is_empty(), "command {} has no tree", c.name);
        let rendered = render::plain(&s.expr, &|n| shape_of(&api, &scope, n));
        assert_eq!(rendered, s.plain, "command {}", c.name);
        checked += 1;
    }
    for t in &api.types {
        let Some(s) = &t.syntax else { continue };
        let scope: Vec<(String, ScopeTy)> = match &t.kind {
            TypeKind::Record { fields } => fields
                .iter()
                .map(|f| (f.name.clone(), ScopeTy::Ty(f.ty.clone())))
                .collect(),
            TypeKind::Enum { values } => vec![(
                "self".to_owned(),
                ScopeTy::Values(values.iter().map(|v| v.value.clone()).collect()),
            )],
            TypeKind::Union { members } => {
                let mut scope = vec![(
                    "type".to_owned(),
                    ScopeTy::Values(members.iter().map(|m| m.tag.clone()).collect()),
                )];
                for f in members.iter().flat_map(|m| &m.fields) {
                    if !scope.iter().any(|(n, _)| *n == f.name) {
                        scope.push((f.name.clone(), ScopeTy::Ty(f.ty.clone())));
                    }
                }
                scope
            }
            TypeKind::Opaque => Vec::new(),
        };
        assert!(!s.expr.is_empty(), "type {} has no tree", t.name);
        let rendered = render::plain(&s.expr, &|n| shape_of(&api, &scope, n));
        assert_eq!(rendered, s.plain, "type {}", t.name);
        checked += 1;
    }
    assert!(checked > 60, "only {checked} syntaxes checked");
    // The passes agree: no round-trip diagnostic at all.
    let round_trip: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.message.contains("renders as") || d.message.contains("cannot check"))
        .collect();
    assert!(round_trip.is_empty(), "{round_trip:?}");
}

#[test]
fn seed_has_exactly_one_error_the_unresolved_group_info_summary() {
    let (_, diags) = load("seed-7089e529");
    let errs = errors(&diags);
    assert_eq!(errs.len(), 1, "{diags}");
    let e = errs[0];
    assert!(e.message.contains("`GroupInfoSummary`"), "{}", e.message);
    assert!(e.message.contains("unresolved"), "{}", e.message);
    assert!(e.message.contains("`groups`"), "{}", e.message);
    // The `- groups:` field line of the `APIListGroups` section.
    let text = read("seed-7089e529", DocFile::Commands);
    let section = heading_line(&text, "### APIListGroups");
    let (line, shown) = find_line(&text, section as usize, |l| l.starts_with("- groups:"));
    assert!(shown.contains("GroupInfoSummary"), "{shown}");
    assert_eq!(e.loc.file, DocFile::Commands);
    assert_eq!(e.loc.line, line);
    assert_eq!(e.loc.col, col_of(shown, "groups"));
}

#[test]
fn an_override_resolves_group_info_summary_in_the_seed() {
    let overrides = r#"
[[type_alias]]
name = "GroupInfoSummary"
target = "GroupInfo"
reason = "TYPES.md b7a0bde1 dropped GroupInfoSummary; APIListGroups returns GroupInfo"
"#;
    let set = DocSet {
        overrides: Some(overrides.to_owned()),
        ..docs("seed-7089e529")
    };
    let (api, diags) = codegen::load(&set);
    assert!(!diags.has_errors(), "{diags}");
    let groups = api
        .commands
        .iter()
        .find(|c| c.name == "APIListGroups")
        .and_then(|c| c.responses.iter().find(|r| r.name == "GroupsList"))
        .and_then(|r| r.fields.iter().find(|f| f.name == "groups"))
        .expect("APIListGroups / GroupsList / groups");
    assert_eq!(groups.ty.to_string(), "[GroupInfo]");

    // The same through a directory holding an overrides.toml.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("seed-with-overrides");
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in DocFile::API {
        std::fs::write(dir.join(f.file_name()), read("seed-7089e529", f)).expect("write");
    }
    std::fs::write(dir.join("overrides.toml"), overrides).expect("write");
    let (_, diags) = codegen::load_dir(&dir).expect("load_dir");
    assert!(!diags.has_errors(), "{diags}");
}

#[test]
fn every_prerelease_error_is_located() {
    let (_, diags) = load("prerelease");
    assert!(diags.has_errors());
    for d in diags.iter() {
        assert!(d.loc.line >= 1 && d.loc.col >= 1, "{d}");
        assert_ne!(d.loc.file, DocFile::Overrides, "{d}");
        assert!(!d.message.is_empty(), "{d}");
    }
    // Every error points inside its file.
    for d in diags.errors() {
        let text = read("prerelease", d.loc.file);
        let lines = text.lines().count() as u32;
        assert!(d.loc.line <= lines, "{d}: the file has {lines} lines");
    }
}

fn the_error(diags: &Diagnostics, pred: impl Fn(&Diagnostic) -> bool) -> &Diagnostic {
    let found: Vec<&Diagnostic> = diags.errors().filter(|d| pred(d)).collect();
    assert_eq!(found.len(), 1, "{found:?}\nall:\n{diags}");
    found[0]
}

#[test]
fn prerelease_send_ref_member_parameter_is_a_located_error() {
    let (_, diags) = load("prerelease");
    let text = read("prerelease", DocFile::Commands);
    let e = the_error(&diags, |d| d.message.contains("<sendRef.contactId>"));
    assert!(e.message.contains("APISendMessages"), "{}", e.message);
    assert!(
        e.message.contains("unsupported parameter form"),
        "{}",
        e.message
    );
    let section = heading_line(&text, "### APISendMessages");
    let (line, shown) = find_line(&text, section as usize, |l| l.starts_with("/_send "));
    assert_eq!((e.loc.file, e.loc.line), (DocFile::Commands, line));
    assert_eq!(e.loc.col, col_of(shown, "<sendRef.contactId>"));
}

#[test]
fn prerelease_unterminated_javascript_string_is_a_located_error() {
    let (_, diags) = load("prerelease");
    let text = read("prerelease", DocFile::Commands);
    let e = the_error(&diags, |d| {
        d.message.contains("APICreateMyAddress") && d.message.contains("unterminated string")
    });
    assert!(e.message.contains("JavaScript"), "{}", e.message);
    let section = heading_line(&text, "### APICreateMyAddress");
    let (line, shown) = find_line(&text, section as usize, |l| l.ends_with("// JavaScript"));
    assert_eq!((e.loc.file, e.loc.line), (DocFile::Commands, line));
    // The string that never closes is the first one of the line.
    assert_eq!(e.loc.col, col_of(shown, "'/_address"));
}

#[test]
fn prerelease_empty_type_sections_become_opaque_types_with_a_located_warning() {
    let (api, diags) = load("prerelease");
    let text = read("prerelease", DocFile::Types);
    for name in [
        "ChatError",
        "ChatRef",
        "ConnStatus",
        "FormatColor",
        "SendRef",
    ] {
        let found: Vec<&Diagnostic> = diags
            .warnings()
            .filter(|d| {
                d.loc.file == DocFile::Types
                    && d.message.starts_with(&format!("type `{name}` has no"))
            })
            .collect();
        assert_eq!(found.len(), 1, "{name}: {diags}");
        let w = found[0];
        assert!(w.message.contains("**Record type**"), "{}", w.message);
        assert!(w.message.contains("opaque JSON type"), "{}", w.message);
        let heading = format!("## {name}");
        assert_eq!(w.loc.line, heading_line(&text, &heading), "{name}");
        assert_eq!(w.loc.col, col_of(&heading, name), "{name}");
        let def = api.type_def(name).expect("still a type");
        assert!(matches!(def.kind, TypeKind::Opaque), "{name}");
        // Not an error any more: references to it resolve.
        assert!(
            !diags
                .errors()
                .any(|d| d.message.contains(&format!("unresolved type `{name}`"))),
            "{name}: {diags}"
        );
    }
}

fn no_resolution_errors(set: &DocSet) {
    let (_, diags) = codegen::load(set);
    let unresolved: Vec<&Diagnostic> = diags
        .errors()
        .filter(|d| d.message.contains("unresolved"))
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:?}");
}

#[test]
fn a_single_file_is_not_an_error_for_what_it_refers_to() {
    for set in ["v1249553e", "seed-7089e529"] {
        let types = read(set, DocFile::Types);
        let commands = read(set, DocFile::Commands);
        let events = read(set, DocFile::Events);
        for docs in [
            DocSet::from_texts(None, None, Some(&types)),
            DocSet::from_texts(Some(&commands), None, None),
            DocSet::from_texts(None, Some(&events), None),
            DocSet::from_texts(Some(&commands), Some(&events), None),
        ] {
            no_resolution_errors(&docs);
        }
    }
    // Through directories, as the CLI reads them.
    for (file, dir) in [
        (DocFile::Types, "only-types"),
        (DocFile::Commands, "only-commands"),
    ] {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join(file.file_name()), read("v1249553e", file)).expect("write");
        let set = DocSet::read_dir(&dir).expect("read_dir");
        assert!(set.get(file).is_some());
        assert_eq!(
            DocFile::API
                .iter()
                .filter(|f| set.get(**f).is_some())
                .count(),
            1
        );
        let (api, diags) = codegen::load(&set);
        assert_eq!(api.files, [file]);
        assert!(!diags.has_errors(), "{dir:?}:\n{diags}");
    }
}

/// `[[wire_shape]]` entries that cannot apply say which one and why; a valid one reaches the IR.
#[test]
fn wire_shape_overrides_are_checked_against_the_docs() {
    let with = |entry: &str| {
        let set = DocSet {
            overrides: Some(format!(
                "# an entry\n[[wire_shape]]\n{entry}\nreason = \"a test\"\n"
            )),
            ..docs("v1249553e")
        };
        codegen::load(&set)
    };
    let (api, diags) = with("type = \"GroupInfo\"\nfield = \"groupSummary\"\nshape = \"pair\"");
    assert!(!diags.has_errors(), "{diags}");
    let w = api.wire_shape("GroupInfo").expect("in the IR");
    assert_eq!(w.field, "groupSummary");

    let message = |entry: &str| {
        let (_, diags) = with(entry);
        let found = diags
            .iter()
            .map(|d| format!("{d}"))
            .find(|d| d.contains("wire shape") || d.contains("overrides file"));
        found.unwrap_or_else(|| panic!("no diagnostic for {entry:?}: {diags}"))
    };
    // Each is reported at its entry's header (line 2).
    let m = message("type = \"GroupInfo\"\nfield = \"groupSumary\"\nshape = \"pair\"");
    assert!(m.contains("error") && m.contains("`groupSumary`"), "{m}");
    assert!(m.contains("overrides.toml:2:1"), "{m}");
    let m = message("type = \"ChatType\"\nfield = \"x\"\nshape = \"pair\"");
    assert!(m.contains("error") && m.contains("not a record"), "{m}");
    let m = message("type = \"GroupInfoV5\"\nfield = \"x\"\nshape = \"pair\"");
    assert!(
        m.contains("warning") && m.contains("no longer needed"),
        "{m}"
    );
    // An unknown shape is refused where it is written (line 5 of the file).
    let m = message("type = \"GroupInfo\"\nfield = \"groupSummary\"\nshape = \"triple\"");
    assert!(m.contains("overrides.toml:5:"), "{m}");
}

/// `[[field_doc]]` entries reach their field's IR (and so its rustdoc); one that names no
/// item, no member or no field is an error at its header, so a doc cannot silently outlive a
/// renamed field.
#[test]
fn field_doc_overrides_name_an_existing_field() {
    let with = |entry: &str| {
        let set = DocSet {
            overrides: Some(format!(
                "# an entry\n[[field_doc]]\n{entry}\ndoc = \"Means x.\"\n"
            )),
            ..docs("v1249553e")
        };
        codegen::load(&set)
    };
    let (api, diags) = with("item = \"ReceiveFile\"\nfield = \"filePath\"");
    assert!(!diags.has_errors(), "{diags}");
    let cmd = api
        .commands
        .iter()
        .find(|c| c.name == "ReceiveFile")
        .expect("command");
    let f = cmd
        .params
        .iter()
        .find(|f| f.name == "filePath")
        .expect("param");
    assert_eq!(f.doc.as_deref(), Some("Means x."));
    let (api, diags) = with("item = \"ChatBotCommand\"\nmember = \"command\"\nfield = \"params\"");
    assert!(!diags.has_errors(), "{diags}");
    let documented = api
        .types
        .iter()
        .flat_map(|t| t.fields())
        .filter(|(f, _)| f.doc.is_some())
        .count();
    assert_eq!(documented, 1);

    for (entry, severity, want) in [
        // What upstream may rename: a warning, and the regeneration goes on.
        (
            "item = \"ReceiveFile\"\nfield = \"filePth\"",
            "warning",
            "has no field `filePth`",
        ),
        (
            "item = \"ReceiveFiles\"\nfield = \"filePath\"",
            "warning",
            "no command, event or type is named `ReceiveFiles`",
        ),
        // A malformed entry: an error.
        (
            "item = \"ChatBotCommand\"\nfield = \"label\"",
            "error",
            "is a union, name the `member`",
        ),
        (
            "item = \"ChatBotCommand\"\nmember = \"cmd\"\nfield = \"label\"",
            "error",
            "has no member `cmd`",
        ),
        (
            "item = \"ChatType\"\nfield = \"x\"",
            "error",
            "has no fields",
        ),
    ] {
        let (_, diags) = with(entry);
        let m = diags
            .iter()
            .map(|d| format!("{d}"))
            .find(|d| d.contains("the doc of field"))
            .unwrap_or_else(|| panic!("no diagnostic for {entry:?}: {diags}"));
        assert!(m.contains(severity) && m.contains(want), "{m}");
        assert!(m.contains("overrides.toml:2:1"), "{m}");
    }
}

/// The vendored `docs/` with its overrides load without an error, and the field docs of the
/// overrides reach the IR. (Warnings are allowed: after an upstream update a field doc whose
/// field was renamed is a warning, and the regeneration goes on.)
#[test]
fn the_vendored_docs_load_with_their_field_docs() {
    let set = DocSet::read_dir(&crate::repo().join("docs")).expect("docs/");
    let (api, diags) = codegen::load(&set);
    assert!(!diags.has_errors(), "{diags}");
    let documented = api
        .types
        .iter()
        .flat_map(|t| t.fields())
        .filter(|(f, _)| f.doc.is_some());
    assert!(documented.count() > 0, "the field docs reached the IR");
}
