//! The API diff report (`codegen::diff`): snapshots of the reports between the vendored upstream
//! doc sets, hand-made changes with their breaking flags, and the exit codes of `diff OLD NEW`.

use std::path::{Path, PathBuf};

use codegen::diff::{self, ApiDiff, Change, ChangeKind};
use codegen::ir::{Api, DocFile};
use codegen::DocSet;

/// Resolves the one reference the seed set leaves dangling.
const SEED_OVERRIDES: &str = r#"[[type_alias]]
name = "GroupInfoSummary"
target = "GroupInfo"
reason = "TYPES.md b7a0bde1 dropped GroupInfoSummary; APIListGroups returns GroupInfo"
"#;

fn set_dir(name: &str) -> PathBuf {
    crate::repo().join("tests/data/upstream-docs").join(name)
}

fn docs(name: &str) -> DocSet {
    let mut docs = DocSet::read_dir(&set_dir(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    if name == "seed-7089e529" {
        docs.overrides = Some(SEED_OVERRIDES.to_owned());
    }
    docs
}

/// Loads a doc set, failing the test on any error.
fn load_docs(what: &str, docs: &DocSet) -> Api {
    let (api, diags) = codegen::load(docs);
    assert!(!diags.has_errors(), "{what} has errors:\n{diags}");
    api
}

fn load(name: &str) -> Api {
    load_docs(name, &docs(name))
}

/// Replaces `from` with `to` exactly once inside the `## heading` (or `### heading`) section.
fn edit_section(text: &str, heading: &str, from: &str, to: &str) -> String {
    let start = text
        .find(&format!("# {heading}\n"))
        .unwrap_or_else(|| panic!("no section `{heading}`"));
    let end = text[start..]
        .find("\n---")
        .map_or(text.len(), |i| start + i);
    let section = &text[start..end];
    assert_eq!(
        section.matches(from).count(),
        1,
        "`{from}` must occur once in section `{heading}`"
    );
    format!(
        "{}{}{}",
        &text[..start],
        section.replacen(from, to, 1),
        &text[end..]
    )
}

fn change(item: &str, member: Option<&str>, breaking: bool, change: ChangeKind) -> Change {
    Change {
        item: item.to_owned(),
        member: member.map(str::to_owned),
        breaking,
        change,
    }
}

#[test]
fn report_seed_to_v1249553e() {
    let d = diff::diff(&load("seed-7089e529"), &load("v1249553e"));
    insta::assert_snapshot!("seed-7089e529_to_v1249553e", d.to_markdown());
}

#[test]
fn report_v03c8bf5a_to_v1249553e() {
    let d = diff::diff(&load("v03c8bf5a"), &load("v1249553e"));
    insta::assert_snapshot!("v03c8bf5a_to_v1249553e", d.to_markdown());
}

#[test]
fn a_set_against_itself_is_empty() {
    for name in ["seed-7089e529", "v03c8bf5a", "v1249553e"] {
        let api = load(name);
        let d = diff::diff(&api, &api);
        assert!(d.is_empty(), "{name}: {d:?}");
        assert_eq!(d, ApiDiff::default());
        assert_eq!(d.to_markdown(), "# Bot API changes\n\nNo API changes.\n");
    }
    // Two loads of the same files through different paths: `docs/` (whichever upstream version
    // it holds) and a copy of it elsewhere.
    let docs_dir = crate::repo().join("docs");
    let copy = std::env::temp_dir().join(format!("simplex-diff-docs-{}", std::process::id()));
    std::fs::create_dir_all(&copy).expect("a temporary directory");
    for entry in std::fs::read_dir(&docs_dir).expect("docs/").flatten() {
        std::fs::copy(entry.path(), copy.join(entry.file_name()))
            .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
    }
    let (vendored, _) = codegen::load_dir(&docs_dir).unwrap_or_else(|e| panic!("docs/: {e}"));
    let (copied, _) = codegen::load_dir(&copy).unwrap_or_else(|e| panic!("the copy: {e}"));
    let _ = std::fs::remove_dir_all(&copy);
    let d = diff::diff(&vendored, &copied);
    assert!(d.is_empty(), "{d:?}");
    assert!(!vendored.types.is_empty(), "docs/ has types");
}

#[test]
fn files_in_only_one_version_are_not_compared() {
    let full = docs("v1249553e");
    let types_only = DocSet {
        commands: None,
        events: None,
        ..full.clone()
    };
    let d = diff::diff(
        &load_docs("TYPES.md only", &types_only),
        &load_docs("v1249553e", &full),
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(d.not_compared, vec![DocFile::Commands, DocFile::Events]);
    assert_eq!(
        d.to_markdown(),
        "# Bot API changes\n\n\
         `COMMANDS.md` is in only one of the two versions: its items are not compared.\n\n\
         `EVENTS.md` is in only one of the two versions: its items are not compared.\n\n\
         No API changes.\n"
    );
}

#[test]
fn hand_made_type_changes_are_exactly_reported() {
    let old_docs = docs("v1249553e");
    let old_types = old_docs
        .types
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_else(|| panic!("v1249553e has a TYPES.md"));
    // A required record field made optional, an enum value removed, a union member added.
    let types = edit_section(
        &old_types,
        "BadgeInfo",
        "- badgeExpiry: UTCTime\n",
        "- badgeExpiry: UTCTime?\n",
    );
    let types = edit_section(&types, "ConnType", "- \"user_contact\"\n", "");
    let types = edit_section(
        &types,
        "ConnStatus",
        "- connError: string\n",
        "- connError: string\n\nPaused:\n- type: \"paused\"\n- until: UTCTime?\n",
    );
    let mut new_docs = old_docs.clone();
    new_docs.types = Some(codegen::source::SourceFile::new(DocFile::Types, &types));

    let d = diff::diff(
        &load_docs("original", &old_docs),
        &load_docs("edited", &new_docs),
    );
    let expected = vec![
        change(
            "BadgeInfo",
            None,
            true,
            ChangeKind::FieldMadeOptional {
                field: "badgeExpiry".into(),
                old: "UTCTime".into(),
                new: "UTCTime?".into(),
            },
        ),
        change(
            "ConnStatus",
            None,
            false,
            ChangeKind::MemberAdded {
                member: "Paused".into(),
            },
        ),
        change(
            "ConnType",
            None,
            true,
            ChangeKind::EnumValueRemoved {
                value: "user_contact".into(),
            },
        ),
    ];
    assert_eq!(d.types, expected);
    assert!(d.commands.is_empty() && d.responses.is_empty() && d.events.is_empty());
    assert_eq!((d.breaking_count(), d.other_count()), (2, 1));

    let md = d.to_markdown();
    assert!(
        md.contains("**2 breaking changes, 1 other change**"),
        "{md}"
    );
    for line in [
        "- **breaking** `BadgeInfo`: field `badgeExpiry` made optional: `UTCTime` → `UTCTime?`",
        "- `ConnStatus`: union member `Paused` added",
        "- **breaking** `ConnType`: enum value `\"user_contact\"` removed",
    ] {
        assert!(md.lines().any(|l| l == line), "missing `{line}` in:\n{md}");
    }

    // And back: the reverse diff flips each change and its breaking flag.
    let back = diff::diff(
        &load_docs("edited", &new_docs),
        &load_docs("original", &old_docs),
    );
    let flipped: Vec<(&str, bool, &ChangeKind)> = back
        .types
        .iter()
        .map(|c| (c.item.as_str(), c.breaking, &c.change))
        .collect();
    assert_eq!(
        flipped,
        vec![
            (
                "BadgeInfo",
                true,
                &ChangeKind::FieldMadeRequired {
                    field: "badgeExpiry".into(),
                    old: "UTCTime?".into(),
                    new: "UTCTime".into(),
                }
            ),
            (
                "ConnStatus",
                true,
                &ChangeKind::MemberRemoved {
                    member: "Paused".into()
                }
            ),
            (
                "ConnType",
                false,
                &ChangeKind::EnumValueAdded {
                    value: "user_contact".into()
                }
            ),
        ]
    );
}

#[test]
fn parameters_the_command_string_does_not_carry_break_nothing() {
    let old_docs = docs("v1249553e");
    let old_commands = old_docs
        .commands
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_else(|| panic!("v1249553e has a COMMANDS.md"));
    let commands = edit_section(
        &old_commands,
        "APIRejectContact",
        "- notify: bool\n",
        "- notify: bool\n- reason: string?\n- silent: bool\n",
    );
    let commands = edit_section(
        &commands,
        "APIRejectContact",
        "- contactReqId: int64\n",
        "- contactReqId: int64?\n",
    );
    let mut new_docs = old_docs.clone();
    new_docs.commands = Some(codegen::source::SourceFile::new(
        DocFile::Commands,
        &commands,
    ));
    let d = diff::diff(
        &load_docs("original", &old_docs),
        &load_docs("edited", &new_docs),
    );
    assert_eq!(
        d.commands,
        vec![
            change(
                "APIRejectContact",
                None,
                true,
                ChangeKind::FieldMadeOptional {
                    field: "contactReqId".into(),
                    old: "int64".into(),
                    new: "int64?".into(),
                },
            ),
            change(
                "APIRejectContact",
                None,
                false,
                ChangeKind::ParamNotSentAdded {
                    field: "reason".into(),
                    ty: "string?".into(),
                },
            ),
            change(
                "APIRejectContact",
                None,
                false,
                ChangeKind::ParamNotSentAdded {
                    field: "silent".into(),
                    ty: "bool".into(),
                },
            ),
        ]
    );
    let md = d.to_markdown();
    assert!(
        md.contains("- `APIRejectContact`: parameter `reason: string?` added; the command string does not carry it\n"),
        "{md}"
    );
    // Neither new parameter is in the command string, so neither is a field of the generated
    // command: adding them breaks nothing.
    assert!(
        md.contains("- `APIRejectContact`: parameter `silent: bool` added; the command string does not carry it\n"),
        "{md}"
    );
}

#[test]
fn changes_serialize_as_tagged_data() {
    let c = change(
        "ConnType",
        None,
        true,
        ChangeKind::EnumValueRemoved {
            value: "user_contact".into(),
        },
    );
    let json = serde_json::to_value(&c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json,
        serde_json::json!({
            "item": "ConnType",
            "member": null,
            "breaking": true,
            "change": { "kind": "enum_value_removed", "value": "user_contact" }
        })
    );
}

/// Runs what `simplex-api-codegen diff OLD NEW` runs; returns (exit code, stdout, stderr).
fn run_cli(old: &Path, new: &Path) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = codegen::cli::run_diff(old, new, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// A scratch copy of a doc set, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn copy_of(name: &str, overrides: Option<&str>) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "simplex-api-diff-test-{}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for file in DocFile::API {
            let from = set_dir(name).join(file.file_name());
            std::fs::copy(&from, dir.join(file.file_name()))
                .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        }
        if let Some(text) = overrides {
            std::fs::write(dir.join(DocFile::Overrides.file_name()), text)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cli_exit_codes() {
    let (v03, v12) = (set_dir("v03c8bf5a"), set_dir("v1249553e"));

    let (code, out, err) = run_cli(&v12, &v12);
    assert_eq!(
        (code, out.as_str()),
        (0, "# Bot API changes\n\nNo API changes.\n")
    );
    assert_eq!(err, "", "warnings alone are not printed");

    let (code, out, _) = run_cli(&v03, &v12);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        diff::diff(&load("v03c8bf5a"), &load("v1249553e")).to_markdown()
    );

    // The seed set has an unresolved type: exit 2, diagnostics on stderr, no report.
    let seed = set_dir("seed-7089e529");
    let (code, out, err) = run_cli(&seed, &v12);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("GroupInfoSummary"), "{err}");
    assert!(err.contains("seed-7089e529/COMMANDS.md:"), "{err}");
    assert!(err.contains("error(s)"), "{err}");

    // ... and with an overrides.toml next to it, the diff runs.
    let fixed = Scratch::copy_of("seed-7089e529", Some(SEED_OVERRIDES));
    let (code, out, err) = run_cli(&fixed.0, &v12);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        diff::diff(&load("seed-7089e529"), &load("v1249553e")).to_markdown()
    );

    // A directory without docs cannot be read.
    let missing = set_dir("no-such-set");
    let (code, out, err) = run_cli(&v12, &missing);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("no-such-set"), "{err}");
}
