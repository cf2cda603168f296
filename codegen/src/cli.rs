//! The command-line interface, shared by the `simplex-api-codegen` binary and the root package's
//! `cargo run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::ir::DocFile;
use crate::read::source::DocSet;

/// Generator for the SimpleX Chat bot API crate.
#[derive(Debug, Parser)]
#[command(name = "simplex-api-codegen", version, about)]
pub struct Cli {
    /// What to do (default: `generate` with its defaults).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the api-types sources from the docs, writing only files whose content changed.
    Generate(OutArgs),
    /// Exit with 1 and name the stale files when the checked-in sources differ from what the
    /// docs generate.
    Check(OutArgs),
    /// Take a new upstream doc set: report the API changes against the current docs, copy the
    /// three files into the docs directory with where they came from, and regenerate.
    Update(UpdateArgs),
    /// Print the IR of a doc set as JSON on stdout.
    Ir(DocsArgs),
    /// Compare two doc directories and print the API changes as Markdown on stdout. Exit code
    /// 0: no changes, 1: changes, 2: a directory cannot be read or its docs have errors.
    Diff(DiffArgs),
}

/// Arguments of `update`.
#[derive(Debug, Clone, clap::Args)]
pub struct UpdateArgs {
    /// Directory holding the downloaded upstream COMMANDS.md, EVENTS.md and TYPES.md.
    #[arg(long)]
    pub from: PathBuf,
    /// The upstream commit the files were taken from (recorded in DOCS/SOURCE.md).
    #[arg(long)]
    pub commit: String,
    /// Write the Markdown API diff report here (default: stdout).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Exit with 1 (instead of 0) when the API changed, like `git diff --exit-code`.
    #[arg(long)]
    pub exit_code: bool,
    /// Where the docs are and where the generated sources go.
    #[command(flatten)]
    pub out: OutArgs,
}

/// Where the docs are and where the generated sources go.
#[derive(Debug, Clone, clap::Args)]
pub struct OutArgs {
    /// The docs.
    #[command(flatten)]
    pub docs: DocsArgs,
    /// Directory of the generated modules.
    #[arg(long, default_value = "api-types/src/generated")]
    pub out: PathBuf,
}

impl Default for OutArgs {
    fn default() -> Self {
        OutArgs {
            docs: DocsArgs {
                docs: PathBuf::from("docs"),
                overrides: None,
            },
            out: PathBuf::from("api-types/src/generated"),
        }
    }
}

/// Where the docs are.
#[derive(Debug, Clone, clap::Args)]
pub struct DocsArgs {
    /// Directory holding COMMANDS.md, EVENTS.md and TYPES.md (any subset).
    #[arg(long, default_value = "docs")]
    pub docs: PathBuf,
    /// Overrides file [default: DOCS/overrides.toml, if present].
    #[arg(long)]
    pub overrides: Option<PathBuf>,
}

impl DocsArgs {
    fn read(&self) -> Result<DocSet, crate::ReadError> {
        let overrides = self
            .overrides
            .clone()
            .unwrap_or_else(|| self.docs.join(DocFile::Overrides.file_name()));
        DocSet::read_dir_with_overrides(&self.docs, &overrides)
    }
}

/// Prints diagnostics as `path:line:col: severity: message`, paths relative to `dir`.
pub fn report(dir: &Path, diags: &Diagnostics, out: &mut impl Write) {
    for d in diags.iter() {
        let _ = writeln!(out, "{}/{d}", dir.display());
    }
    let (e, w) = (diags.errors().count(), diags.warnings().count());
    if e + w > 0 {
        let _ = writeln!(out, "{e} error(s), {w} warning(s)");
    }
}

/// Standard error through `eprint!`, so that a test that runs the CLI captures what it says
/// (libtest captures the macros, not writes to `std::io::stderr()`).
struct Eprint;

impl Write for Eprint {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        eprint!("{}", String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the CLI with already-parsed arguments.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command.unwrap_or(Command::Generate(OutArgs::default())) {
        Command::Generate(args) => generate(&args, false),
        Command::Update(args) => update(&args),
        Command::Check(args) => generate(&args, true),
        Command::Diff(args) => ExitCode::from(run_diff(
            &args.old,
            &args.new,
            &mut std::io::stdout().lock(),
            &mut Eprint,
        )),
        Command::Ir(args) => {
            let docs = match args.read() {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let (api, diags) = crate::load(&docs);
            report(&args.docs, &diags, &mut Eprint);
            let mut stdout = std::io::stdout().lock();
            match serde_json::to_writer_pretty(&mut stdout, &api) {
                Ok(()) => {
                    let _ = writeln!(stdout);
                }
                Err(e) => {
                    eprintln!("error: cannot write the IR: {e}");
                    return ExitCode::from(2);
                }
            }
            if diags.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// Parses `std::env::args` and runs.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// `generate` and `check`.
fn generate(args: &OutArgs, check: bool) -> ExitCode {
    let docs = match args.docs.read() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let provenance = provenance(&args.docs.docs);
    let files = match crate::generate(&docs, &provenance) {
        Ok((files, diags)) => {
            report(&args.docs.docs, &diags, &mut Eprint);
            files
        }
        Err(diags) => {
            report(&args.docs.docs, &diags, &mut Eprint);
            eprintln!("error: the docs do not generate; nothing was written");
            return ExitCode::FAILURE;
        }
    };
    let stale = stale_files(&args.out, &files);
    if check {
        if stale.is_empty() {
            eprintln!("{} is up to date", args.out.display());
            return ExitCode::SUCCESS;
        }
        for f in &stale {
            eprintln!("stale: {}", args.out.join(f).display());
        }
        eprintln!(
            "error: {} generated file(s) differ from what {} generates; run `cargo run` at the \
             repository root to regenerate them",
            stale.len(),
            args.docs.docs.display()
        );
        return ExitCode::FAILURE;
    }
    match write_files(&args.out, &files) {
        Ok(written) => {
            eprintln!(
                "{}: {} file(s) written, {} unchanged",
                args.out.display(),
                written.len(),
                files.len() - written.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// `update`: diff, copy with provenance, regenerate. Exit 0 when the API is unchanged, 1 when it
/// changed (the docs are updated either way), 2 on errors (nothing is changed).
fn update(args: &UpdateArgs) -> ExitCode {
    let docs = &args.out.docs.docs;
    let mut report = Vec::new();
    let code = run_diff(docs, &args.from, &mut report, &mut Eprint);
    if code == EXIT_ERROR {
        return ExitCode::from(2);
    }
    let written = match &args.report {
        Some(path) => std::fs::write(path, &report),
        None => std::io::stdout().write_all(&report),
    };
    if let Err(e) = written {
        eprintln!("error: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    let mut source = String::from(
        "# Source\n\nCopies of `bots/api/*.md` from the public repository `simplex-chat/simplex-chat`.\n\n\
         | file | commit |\n|---|---|\n",
    );
    for file in DocFile::API {
        let name = file.file_name();
        if let Err(e) = std::fs::copy(args.from.join(name), docs.join(name)) {
            eprintln!("error: cannot copy {name}: {e}");
            return ExitCode::from(2);
        }
        source.push_str(&format!("| {name} | {} |\n", args.commit));
    }
    if let Err(e) = std::fs::write(docs.join("SOURCE.md"), source) {
        eprintln!("error: cannot write SOURCE.md: {e}");
        return ExitCode::from(2);
    }
    let generated = generate(&args.out, false);
    if generated != ExitCode::SUCCESS {
        return generated;
    }
    if args.exit_code {
        ExitCode::from(code)
    } else {
        ExitCode::SUCCESS
    }
}

/// Arguments of `simplex-api-codegen diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// Directory with the old docs (and optionally its overrides.toml).
    pub old: PathBuf,
    /// Directory with the new docs (and optionally its overrides.toml).
    pub new: PathBuf,
}

/// Exit code: the two versions define the same API.
pub const EXIT_SAME: u8 = 0;
/// Exit code: the API changed (the report lists how).
pub const EXIT_CHANGED: u8 = 1;
/// Exit code: a directory could not be read, its docs have errors, or the report could not be
/// written.
pub const EXIT_ERROR: u8 = 2;

/// What `simplex-api-codegen diff OLD NEW` does: loads both directories (each with its own
/// `overrides.toml`, if present), writes the Markdown report to `out`, and returns the exit code
/// ([`EXIT_SAME`], [`EXIT_CHANGED`] or [`EXIT_ERROR`]).
///
/// When either directory cannot be read or its docs have errors, nothing is written to `out`: the
/// read error, or all the diagnostics of a directory with errors, go to `err`. Warnings alone are
/// not printed (`simplex-api-codegen ir` shows them).
pub fn run_diff(old: &Path, new: &Path, out: &mut impl Write, err: &mut impl Write) -> u8 {
    let mut apis = Vec::with_capacity(2);
    let mut failed = false;
    for dir in [old, new] {
        match crate::load_dir(dir) {
            Ok((api, diags)) => {
                if diags.has_errors() {
                    report(dir, &diags, err);
                    failed = true;
                }
                apis.push(api);
            }
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                failed = true;
            }
        }
    }
    let [old_api, new_api] = apis.as_slice() else {
        return EXIT_ERROR;
    };
    if failed {
        let _ = writeln!(err, "error: no diff: the docs have errors");
        return EXIT_ERROR;
    }
    let d = crate::report::diff::diff(old_api, new_api);
    if let Err(e) = out.write_all(d.to_markdown().as_bytes()) {
        let _ = writeln!(err, "error: cannot write the report: {e}");
        return EXIT_ERROR;
    }
    if d.is_empty() {
        EXIT_SAME
    } else {
        EXIT_CHANGED
    }
}

/// Where the docs in `dir` came from, from its `SOURCE.md` table (`| FILE | commit | ...`):
/// one `FILE: commit` line per file; empty when there is no such file.
pub fn provenance(dir: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(dir.join("SOURCE.md")) else {
        return String::new();
    };
    crate::provenance_of(&text)
}

/// The generated files in `out` whose content differs from `files` (or that are missing), and
/// `@generated` files in `out` that `files` no longer has.
pub fn stale_files(out: &Path, files: &crate::emit::Files) -> Vec<String> {
    let mut stale: Vec<String> = files
        .iter()
        .filter(|(name, content)| {
            std::fs::read_to_string(out.join(name)).ok().as_deref() != Some(content.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect();
    if let Ok(dir) = std::fs::read_dir(out) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let generated =
                std::fs::read_to_string(entry.path()).is_ok_and(|t| t.contains("@generated"));
            if name.ends_with(".rs") && generated && !files.contains_key(&name) {
                stale.push(name);
            }
        }
    }
    stale.sort();
    stale
}

/// Writes `files` into `out`, only those whose content changed, and removes `@generated` files
/// that are no longer produced. Returns the names written.
pub fn write_files(out: &Path, files: &crate::emit::Files) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    for name in stale_files(out, files) {
        let path = out.join(&name);
        match files.get(&name) {
            Some(content) => {
                std::fs::write(&path, content)?;
                written.push(name);
            }
            None => std::fs::remove_file(&path)?,
        }
    }
    Ok(written)
}
