//! `simplex-api-codegen`: see `simplex-api-codegen --help`.

fn main() -> std::process::ExitCode {
    codegen::cli::main()
}
