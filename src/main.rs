//! `cargo run` at the workspace root: the generator CLI with the repository's defaults.

fn main() -> std::process::ExitCode {
    codegen::cli::main()
}
