//! The command-line interface, shared by the `simplex-api-codegen` binary and the root package's
//! `cargo run`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::ir::DocFile;
use crate::source::DocSet;

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
    /// Print the IR of a doc set as JSON on stdout.
    Ir(DocsArgs),
    /// Compare two doc directories and print the API changes as Markdown on stdout. Exit code
    /// 0: no changes, 1: changes, 2: a directory cannot be read or its docs have errors.
    Diff(crate::diff::DiffArgs),
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

/// Runs the CLI with already-parsed arguments.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command.unwrap_or(Command::Generate(OutArgs::default())) {
        Command::Generate(args) => generate(&args, false),
        Command::Check(args) => generate(&args, true),
        Command::Diff(args) => ExitCode::from(crate::diff::run(
            &args.old,
            &args.new,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr(),
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
            report(&args.docs, &diags, &mut std::io::stderr());
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
    let provenance = crate::provenance(&args.docs.docs);
    let files = match crate::generate(&docs, &provenance) {
        Ok((files, diags)) => {
            report(&args.docs.docs, &diags, &mut std::io::stderr());
            files
        }
        Err(diags) => {
            report(&args.docs.docs, &diags, &mut std::io::stderr());
            eprintln!("error: the docs do not generate; nothing was written");
            return ExitCode::FAILURE;
        }
    };
    let stale = crate::stale_files(&args.out, &files);
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
    match crate::write_files(&args.out, &files) {
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
