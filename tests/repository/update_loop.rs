//! The upstream-change loop, end to end: a copy of this repository whose `docs/` is an older
//! upstream version (v03c8bf5a) goes through exactly the steps of
//! `.github/workflows/update-docs.yml` (`cargo run -- update ...`, then
//! `INSTA_UPDATE=always cargo test`), which must pass, and must leave the docs, the generated
//! crate and the snapshots of `docs/` exactly as they are checked in here for the newer version
//! (v1249553e): nothing in the test suite pins `docs/` to one version.
//!
//! The nested cargo shares this build's target directory (the copy's crates carry their own
//! version so that their artifacts stay apart), so only the workspace's own crates are
//! compiled again.

use std::path::{Path, PathBuf};
use std::process::Command;

const NEW: &str = "v1249553e";
const NEW_COMMIT: &str = "1249553ef2e4828bb5c86126e2bf8dde316352c4";
const OLD: &str = "v03c8bf5a";
/// Set in the copy's test run, whose own run of this test would copy the copy again.
const NESTED: &str = "SIMPLEX_API_UPDATE_LOOP_NESTED";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of the repository: tracked, and untracked but not ignored.
fn repository_files() -> Vec<PathBuf> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git lists the repository's files");
    assert!(out.status.success(), "git ls-files failed");
    out.stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| root().join(p).is_file())
        .collect()
}

fn copy_file(from: &Path, to: &Path) {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).expect("create a directory");
    }
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
}

/// The target directory of this build (the test binary is in `<target>/debug/deps/`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("a target directory")
}

fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CI", "true")
        .env("INSTA_UPDATE", "always")
        .env("PROPTEST_CASES", "16")
        .env_remove("FUZZ_SECONDS")
        .env_remove("FUZZ_REPORT")
        .env(NESTED, "1")
        .env_remove("INSTA_SNAPSHOT_REFERENCES_FILE")
        .env_remove("INSTA_WORKSPACE_ROOT");
    let out = cmd.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "`cargo {}` failed in the copy:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn an_upstream_update_goes_through_the_workflow_and_lands_green() {
    if std::env::var_os(NESTED).is_some() {
        return;
    }
    let copy = std::env::temp_dir().join(format!("simplex-update-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    for f in repository_files() {
        copy_file(&root().join(&f), &copy.join(&f));
    }
    // The copy's crates get a version of their own, so that their build artifacts do not
    // replace this build's in the shared target directory (the dependencies are shared).
    for manifest in [
        "Cargo.toml",
        "api-types/Cargo.toml",
        "codegen/Cargo.toml",
        "client/Cargo.toml",
    ] {
        let path = copy.join(manifest);
        let text = std::fs::read_to_string(&path).expect("a manifest");
        let text = text.replace("version = \"0.1.0\"", "version = \"0.1.0-update-loop\"");
        std::fs::write(&path, text).expect("write the manifest");
    }
    // The copy's docs/ is the older upstream version.
    let old = root().join("tests/data/upstream-docs").join(OLD);
    for f in ["COMMANDS.md", "EVENTS.md", "TYPES.md"] {
        copy_file(&old.join(f), &copy.join("docs").join(f));
    }
    let started = std::time::Instant::now();

    // The workflow's steps.
    let upstream = copy.join("tests/data/upstream-docs").join(NEW);
    let report = copy.join("report.md");
    cargo(
        &copy,
        &[
            "run",
            "--quiet",
            "--",
            "update",
            "--from",
            &upstream.display().to_string(),
            "--commit",
            NEW_COMMIT,
            "--report",
            &report.display().to_string(),
        ],
    );
    let report = std::fs::read_to_string(&report).expect("the report");
    assert!(report.contains("# Bot API changes"), "{report}");
    cargo(&copy, &["test", "--quiet"]);
    eprintln!("update loop: {:.0?}", started.elapsed());

    // The result is this repository as checked in for the newer version.
    let mut compared = 0;
    for f in repository_files() {
        let name = f.display().to_string();
        let changes_with_docs = name.starts_with("docs/")
            || name.starts_with("api-types/src/generated/")
            || (name.ends_with(".snap") && name.contains("_of_docs"));
        // SOURCE.md records the commit of each file (this repository's EVENTS.md came from
        // another commit than the update names), and so do the generated headers.
        if !changes_with_docs || name.ends_with("overrides.toml") || name.ends_with("SOURCE.md") {
            continue;
        }
        let read = |dir: &Path| -> String {
            std::fs::read_to_string(dir.join(&f))
                .unwrap_or_default()
                .lines()
                .filter(|l| {
                    !["// COMMANDS.md: ", "// EVENTS.md: ", "// TYPES.md: "]
                        .iter()
                        .any(|p| l.starts_with(p))
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(
            read(&copy) == read(&root()),
            "{name} differs after the update"
        );
        compared += 1;
    }
    assert!(compared >= 8, "compared {compared} files");
    let _ = std::fs::remove_dir_all(&copy);
}
