//! Generates the api-types sources from `docs/` into `OUT_DIR` at build time (nothing else is
//! written). The drift test compares them with the checked-in `api-types/src/generated/`.
//! It also generates the adversarial doc set of `tests/data/adversarial/`, which a test compiles.

use std::path::{Path, PathBuf};

fn generate(docs: &Path, out: &Path) -> Result<codegen::emit::Files, String> {
    let set = codegen::DocSet::read_dir(docs).map_err(|e| e.to_string())?;
    let provenance = codegen::cli::provenance(docs);
    match codegen::generate(&set, &provenance) {
        Ok((files, _warnings)) => {
            std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
            for (name, content) in &files {
                std::fs::write(out.join(name), content).map_err(|e| e.to_string())?;
            }
            Ok(files)
        }
        Err(diags) => Err(diags
            .iter()
            .map(|d| format!("{}/{d}", docs.display()))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// All generated modules as one file of inline modules, for `include!` in a test.
fn inline_modules(files: &codegen::emit::Files) -> String {
    let mut out = String::new();
    for (name, content) in files {
        let Some(module) = name.strip_suffix(".rs") else {
            continue;
        };
        if module == "mod" {
            continue;
        }
        let body: String = content
            .lines()
            .filter(|l| !l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        out.push_str(&format!("pub mod {module} {{\n{body}\n}}\n"));
    }
    out
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let docs = root.join("docs");
    let adversarial = root.join("tests/data/adversarial");
    println!("cargo:rerun-if-changed={}", docs.display());
    println!("cargo:rerun-if-changed={}", adversarial.display());
    let mut failed = false;
    if let Err(e) = generate(&docs, &out.join("generated")) {
        eprintln!("error: docs/ does not generate:\n{e}");
        failed = true;
    }
    match generate(&adversarial, &out.join("adversarial")) {
        Ok(files) => {
            if let Err(e) = std::fs::write(out.join("adversarial.rs"), inline_modules(&files)) {
                eprintln!("error: {e}");
                failed = true;
            }
        }
        Err(e) => {
            eprintln!("error: tests/data/adversarial does not generate:\n{e}");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
