//! What a bot compiles: the optional parts of `simplex-api-client` (image previews, encrypted
//! files, the in-process core) pull their crates only when their feature is on, so a bot that
//! uses none of them compiles none of them. Read from `cargo tree`, as a user would check.

use std::collections::BTreeSet;
use std::process::Command;

/// The crates each feature brings, by name (any one of them present means the feature's
/// dependencies are compiled).
const OPTIONAL: &[(&str, &[&str])] = &[
    ("image", &["image", "png", "zune-jpeg", "gif", "image-webp"]),
    ("crypto-file", &["salsa20", "poly1305", "xsalsa20poly1305"]),
    ("ffi", &["libloading"]),
];

/// The crates a build of `simplex-api-client` with `features` compiles (normal dependencies,
/// for this machine's target).
fn crates(features: &str) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "tree",
        "--offline",
        "-q",
        "-p",
        "simplex-api-client",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--no-dedupe",
    ]);
    if !features.is_empty() {
        cmd.args(["--features", features]);
    }
    let out = cmd.output().expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn known_features() -> BTreeSet<String> {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/client/Cargo.toml"))
            .expect("client/Cargo.toml");
    let mut in_features = false;
    let mut names = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features {
            if let Some((name, _)) = line.split_once('=') {
                names.insert(name.trim().to_owned());
            }
        }
    }
    names
}

#[test]
fn a_bot_without_optional_features_compiles_none_of_their_crates() {
    let plain = crates("");
    assert!(plain.contains("tokio"), "the tree was read: {plain:?}");
    for (_, deps) in OPTIONAL {
        for dep in *deps {
            assert!(
                !plain.contains(*dep),
                "{dep} is compiled without its feature"
            );
        }
    }
}

#[test]
fn each_optional_feature_brings_its_crates_and_no_other_features() {
    let features = known_features();
    for (feature, deps) in OPTIONAL {
        if !features.contains(*feature) {
            continue;
        }
        let with = crates(feature);
        assert!(
            deps.iter().any(|d| with.contains(*d)),
            "feature {feature} compiles none of {deps:?}"
        );
        for (other, other_deps) in OPTIONAL {
            if other == feature {
                continue;
            }
            for dep in *other_deps {
                // A crate both features share is no leak.
                if deps.contains(dep) {
                    continue;
                }
                assert!(
                    !with.contains(*dep),
                    "feature {feature} compiles {dep}, which belongs to {other}"
                );
            }
        }
    }
}
