//! The report line of the fuzz tests (also the root package's round-trip fuzz test's, by path).

/// Appends `line` to the file named by `FUZZ_REPORT`, if set (CI prints it after the tests).
pub fn report(line: &str) {
    use std::io::Write;
    if let Some(path) = std::env::var_os("FUZZ_REPORT") {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{line}");
        }
    }
}
