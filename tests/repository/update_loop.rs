//! The upstream-change loop, end to end. A copy of this repository as it is (its `docs/`
//! whichever upstream version is checked in) is updated to another upstream version, a vendored
//! set of `tests/data/upstream-docs/` whose files differ from `docs/` (v03c8bf5a, a sibling
//! branch with commands, responses and types of its own, while `docs/` is v1249553e), through
//! exactly the steps of `.github/workflows/update-docs.yml`: `cargo run -- update ...`, then
//! `INSTA_UPDATE=always cargo test`, here with `CI=true`. That runs every test of every package
//! of the copy (only this one skips itself there, through `SIMPLEX_API_UPDATE_LOOP_NESTED`), so
//! no test may pin `docs/` to one version. Afterwards only the docs, the generated crate and the
//! snapshots of `docs/` have changed.
//!
//! This is the suite's long test (a full build and test run of the copy, one to two minutes):
//! it writes each step and its time to stderr, past the test harness's capture, so that
//! `cargo test` shows what it is doing. The nested cargo shares this build's target directory
//! (dependencies are not built again), and the copy sits at one place inside it per checkout, so
//! that its artifacts are replaced, not added, from one run to the next. No git checkout is
//! needed: the files are found by walking the tree.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The vendored sets an update may go to, in order of preference: the first whose files
/// differ from `docs/`.
const TARGETS: [&str; 2] = ["v03c8bf5a", "v1249553e"];
const DOC_FILES: [&str; 3] = ["COMMANDS.md", "EVENTS.md", "TYPES.md"];
/// Set in the copy's test run, whose own run of this test would copy the copy again.
const NESTED: &str = "SIMPLEX_API_UPDATE_LOOP_NESTED";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A progress line on the process's stderr, which `cargo test` shows even for a passing test
/// (`eprintln!` would be captured).
fn progress(started: Instant, what: &str) {
    let line = format!("update loop [{:>5.1?}]: {what}\n", started.elapsed());
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// What `.gitignore` excludes: `/name` at the root, `*suffix` and `name` anywhere.
struct Ignored(Vec<String>);

impl Ignored {
    fn read(root: &Path) -> Ignored {
        let text = std::fs::read_to_string(root.join(".gitignore")).unwrap_or_default();
        let patterns: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        for p in &patterns {
            let rest = p
                .strip_prefix('/')
                .or_else(|| p.strip_prefix('*'))
                .unwrap_or(p);
            assert!(
                !rest.contains(['*', '?', '[', '!', '/']),
                "`.gitignore` pattern `{p}`: this test reads only `/name`, `*suffix` and `name`"
            );
        }
        Ignored(patterns)
    }

    /// Whether the file or directory `rel` (relative to the root) is excluded.
    fn excludes(&self, rel: &Path) -> bool {
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let top = rel.components().count() == 1;
        self.0.iter().any(|p| {
            if let Some(at_root) = p.strip_prefix('/') {
                top && name == at_root
            } else if let Some(suffix) = p.strip_prefix('*') {
                name.ends_with(suffix)
            } else {
                name == p.as_str()
            }
        })
    }
}

/// The files of the repository, relative to its root: everything but `.git`, the target
/// directory and what `.gitignore` excludes (the files a checkout has, and new ones not ignored).
fn repository_files(root: &Path) -> Vec<PathBuf> {
    let ignored = Ignored::read(root);
    let target = target_dir();
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(root.join(&dir))
            .unwrap_or_else(|e| panic!("read {}: {e}", root.join(&dir).display()));
        for entry in entries {
            let entry = entry.expect("a directory entry");
            let rel = dir.join(entry.file_name());
            let kind = entry.file_type().expect("a file type");
            if rel == Path::new(".git") || ignored.excludes(&rel) || root.join(&rel) == target {
                continue;
            }
            if kind.is_dir() {
                dirs.push(rel);
            } else if kind.is_file() {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Writes `content`, read from `from`, to `to`, with `from`'s permissions.
fn copy_file(from: &Path, content: &[u8], to: &Path) {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).expect("create a directory");
    }
    std::fs::write(to, content).unwrap_or_else(|e| panic!("write {}: {e}", to.display()));
    if let Ok(meta) = std::fs::metadata(from) {
        let _ = std::fs::set_permissions(to, meta.permissions());
    }
}

/// The target directory of this build (the test binary is in `<target>/debug/deps/`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("a target directory")
}

/// The commit of `COMMANDS.md` in a vendored set's `SOURCE.md` table.
fn commit_of(set: &Path) -> String {
    let source = std::fs::read_to_string(set.join("SOURCE.md")).expect("the set's SOURCE.md");
    source
        .lines()
        .find_map(|l| l.strip_prefix("| COMMANDS.md | "))
        .and_then(|l| l.split(' ').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{}: no COMMANDS.md row", set.display()))
}

/// Runs cargo in `dir` as the workflow does (with `CI` set), forwarding its status lines
/// (`Compiling`, `Running`, `Doc-tests`) as progress; fails the test with all its output if it
/// fails.
fn cargo(dir: &Path, args: &[&str], started: Instant) {
    progress(started, &format!("cargo {}", args.join(" ")));
    let mut child = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CI", "true")
        .env("INSTA_UPDATE", "always")
        // The copy's crates are built once; incremental caches would only take disk space.
        .env("CARGO_INCREMENTAL", "0")
        .env("PROPTEST_CASES", "16")
        .env_remove("FUZZ_SECONDS")
        .env_remove("FUZZ_REPORT")
        .env(NESTED, "1")
        .env_remove("INSTA_SNAPSHOT_REFERENCES_FILE")
        .env_remove("INSTA_WORKSPACE_ROOT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo runs");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut stderr = String::new();
    for line in BufReader::new(child.stderr.take().expect("piped stderr")).lines() {
        let line = line.unwrap_or_default();
        let status = line.trim_start();
        if ["Compiling ", "Running ", "Doc-tests "]
            .iter()
            .any(|s| status.starts_with(s))
        {
            progress(started, &format!("  {status}"));
        }
        stderr.push_str(&line);
        stderr.push('\n');
    }
    let status = child.wait().expect("cargo finishes");
    let stdout = reader.join().expect("stdout read");
    assert!(
        status.success(),
        "`cargo {}` failed in the copy ({}):\n{stdout}\n{stderr}",
        args.join(" "),
        dir.display()
    );
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn an_upstream_update_goes_through_the_workflow_and_lands_green() {
    if std::env::var_os(NESTED).is_some() {
        return;
    }
    let started = Instant::now();
    let root = root();
    let sets = root.join("tests/data/upstream-docs");
    let differs = |set: &str| {
        DOC_FILES
            .iter()
            .any(|f| read(&sets.join(set).join(f)) != read(&root.join("docs").join(f)))
    };
    let to = *TARGETS
        .iter()
        .find(|set| differs(set))
        .expect("a vendored set that differs from docs/");

    // One place per checkout, inside the target directory.
    let checkout = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        root.hash(&mut h);
        h.finish()
    };
    let place = target_dir().join(format!("update-loop-{checkout:016x}"));
    let copy = place.join("repository");
    let _ = std::fs::remove_dir_all(&place);
    let files = repository_files(&root);
    progress(
        started,
        &format!(
            "copying {} files of {} to {}; docs/ goes to {to}",
            files.len(),
            root.display(),
            copy.display()
        ),
    );
    // What was copied is what the copy is compared with at the end.
    let copied: Vec<Vec<u8>> = files.iter().map(|f| read(&root.join(f))).collect();
    for (f, content) in files.iter().zip(&copied) {
        copy_file(&root.join(f), content, &copy.join(f));
    }
    // The copy's crates get a version of their own, which tells their artifacts apart in the
    // shared target directory.
    let manifests = [
        "Cargo.toml",
        "api-types/Cargo.toml",
        "codegen/Cargo.toml",
        "client/Cargo.toml",
    ];
    for manifest in manifests {
        let path = copy.join(manifest);
        let text = std::fs::read_to_string(&path).expect("a manifest");
        let text = text.replace("version = \"0.1.0\"", "version = \"0.1.0-update-loop\"");
        std::fs::write(&path, text).expect("write the manifest");
    }

    // The workflow's steps.
    let upstream = sets.join(to);
    let commit = commit_of(&upstream);
    let report = place.join("report.md");
    let (upstream_arg, report_arg) = (upstream.display().to_string(), report.display().to_string());
    cargo(
        &copy,
        &[
            "run",
            "--quiet",
            "--",
            "update",
            "--from",
            &upstream_arg,
            "--commit",
            &commit,
            "--report",
            &report_arg,
        ],
        started,
    );
    let report = std::fs::read_to_string(&report).expect("the report");
    assert!(report.starts_with("# Bot API changes"), "{report}");
    assert!(!report.contains("No API changes."), "{report}");
    cargo(&copy, &["test"], started);
    progress(started, "the copy's whole suite passed; comparing files");

    // The docs are the new set's, with its commit.
    for f in DOC_FILES {
        assert!(
            read(&copy.join("docs").join(f)) == read(&upstream.join(f)),
            "docs/{f} is not {to}'s"
        );
    }
    let source = std::fs::read_to_string(copy.join("docs/SOURCE.md")).expect("SOURCE.md");
    assert!(
        source.contains(&format!("| COMMANDS.md | {commit} |")),
        "{source}"
    );
    // What changes with the docs did change; nothing else did, and no file came or went.
    let changes_with_docs = |name: &str| {
        name.starts_with("docs/")
            || name.starts_with("api-types/src/generated/")
            || (name.ends_with(".snap") && name.contains("_of_docs"))
    };
    assert_eq!(repository_files(&copy), files, "the files of the copy");
    let (mut changed, mut same) = (Vec::new(), 0);
    for (f, before) in files.iter().zip(&copied) {
        let name = f.display().to_string();
        let equal = *before == read(&copy.join(f));
        if changes_with_docs(&name) {
            if !equal {
                changed.push(name);
            }
        } else if manifests.contains(&name.as_str()) || name == "Cargo.lock" {
            // Their version, set above.
        } else {
            assert!(equal, "{name} changed in the copy's test run");
            same += 1;
        }
    }
    for expected in [
        "docs/COMMANDS.md",
        "api-types/src/generated/commands.rs",
        "api-types/src/generated/types.rs",
    ] {
        assert!(
            changed.iter().any(|c| c == expected),
            "{expected}: {changed:?}"
        );
    }
    let snapshots: Vec<&String> = changed.iter().filter(|c| c.ends_with(".snap")).collect();
    assert!(snapshots.len() >= 2, "the snapshots of docs/: {changed:?}");
    assert!(same > 50, "compared only {same} files");
    progress(
        started,
        &format!(
            "done: {} files changed ({} snapshots of docs/), {same} unchanged",
            changed.len(),
            snapshots.len()
        ),
    );
    let _ = std::fs::remove_dir_all(&place);
}

/// The walk of [`repository_files`] finds what git lists (tracked, and untracked but not
/// ignored), where there is a git checkout to ask.
#[test]
fn the_files_copied_are_those_git_lists() {
    let root = root();
    let skipped = |why: &str| {
        let _ = std::io::stderr().write_all(format!("skipped: {why}\n").as_bytes());
    };
    // Without a `.git` of its own (a source tarball, or this loop's copy inside some other
    // checkout's target directory), git would answer for another tree or not at all.
    if !root.join(".git").exists() {
        skipped("not a git checkout, so there is no git listing to compare the walk with");
        return;
    }
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output();
    let out = match listed {
        Ok(out) if out.status.success() => out,
        _ => {
            skipped("git is not installed or does not list the files");
            return;
        }
    };
    let mut git: Vec<PathBuf> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        // A tracked file deleted in the working tree is not there to copy.
        .filter(|p| root.join(p).is_file())
        .collect();
    git.sort();
    git.dedup();
    assert_eq!(repository_files(&root), git);
}
