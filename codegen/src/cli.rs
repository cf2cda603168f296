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
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the IR of a doc set as JSON on stdout.
    Ir(DocsArgs),
    /// Compare two doc directories and print the API changes as Markdown on stdout. Exit code
    /// 0: no changes, 1: changes, 2: a directory cannot be read or its docs have errors.
    Diff(crate::diff::DiffArgs),
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
    match cli.command {
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
