//! `update` takes a downloaded doc set: it reports the API changes, copies the files with their
//! commit into the docs directory and regenerates; the same command the regeneration workflow
//! runs.

use std::path::Path;

use clap::Parser;
use codegen::cli::{run, Cli};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

#[test]
fn update_copies_records_regenerates_and_reports() {
    let root = crate::repo();
    let tmp = std::env::temp_dir().join(format!("simplex-update-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (docs, out, report) = (
        tmp.join("docs"),
        tmp.join("generated"),
        tmp.join("report.md"),
    );
    copy_dir(&root.join("tests/data/upstream-docs/v03c8bf5a"), &docs);
    let upstream = root.join("tests/data/upstream-docs/v1249553e");
    let s = |p: &Path| p.display().to_string();
    let args = [
        "simplex-api-codegen".to_owned(),
        "update".into(),
        "--from".into(),
        s(&upstream),
        "--commit".into(),
        "1249553ef2e4828bb5c86126e2bf8dde316352c4".into(),
        "--report".into(),
        s(&report),
        "--docs".into(),
        s(&docs),
        "--out".into(),
        s(&out),
    ];
    let code = run(Cli::parse_from(&args));
    assert_eq!(
        code,
        std::process::ExitCode::SUCCESS,
        "a successful update exits 0"
    );
    let report = std::fs::read_to_string(&report).expect("report written");
    assert!(report.contains("APISetUserDomain"), "{report}");
    for f in ["COMMANDS.md", "EVENTS.md", "TYPES.md"] {
        assert_eq!(
            std::fs::read(docs.join(f)).expect("copied"),
            std::fs::read(upstream.join(f)).expect("upstream"),
            "{f}"
        );
    }
    let source = std::fs::read_to_string(docs.join("SOURCE.md")).expect("SOURCE.md");
    assert!(source.contains("| TYPES.md | 1249553ef2e4828bb5c86126e2bf8dde316352c4 |"));
    let types = std::fs::read_to_string(out.join("types.rs")).expect("regenerated");
    assert!(types.starts_with("// @generated"));
    assert!(types.contains("TYPES.md: 1249553ef2e4828bb5c86126e2bf8dde316352c4"));
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn update_says_changed_with_its_exit_code_only_when_asked() {
    let root = crate::repo();
    let tmp = std::env::temp_dir().join(format!("simplex-update-code-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let (docs, out) = (tmp.join("docs"), tmp.join("generated"));
    copy_dir(&root.join("tests/data/upstream-docs/v03c8bf5a"), &docs);
    let s = |p: &Path| p.display().to_string();
    let upstream = root.join("tests/data/upstream-docs/v1249553e");
    let run_update = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "simplex-api-codegen",
            "update",
            "--from",
            &s(&upstream),
            "--commit",
            "1249553e",
            "--report",
            &s(&tmp.join("report.md")),
            "--docs",
            &s(&docs),
            "--out",
            &s(&out),
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        run(Cli::parse_from(&args))
    };
    // From v03c8bf5a the API changes: 1 with --exit-code.
    assert_eq!(
        run_update(&["--exit-code"]),
        std::process::ExitCode::from(1)
    );
    // Now docs/ is v1249553e: the same again changes nothing: 0 even with --exit-code.
    assert_eq!(
        run_update(&["--exit-code"]),
        std::process::ExitCode::SUCCESS
    );
    let _ = std::fs::remove_dir_all(&tmp);
}
