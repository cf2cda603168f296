//! Reading the docs: one normalised text per file and offset-to-line:column mapping.

use std::path::{Path, PathBuf};

use crate::ir::{DocFile, Loc};

/// The text of one doc file, with CRLF normalised to LF and a leading BOM removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Which file this is.
    pub file: DocFile,
    /// The normalised text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text` (normalising line endings) as the contents of `file`.
    pub fn new(file: DocFile, text: &str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let text = if text.contains('\r') {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            text.to_owned()
        };
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            file,
            text,
            line_starts,
        }
    }

    /// The location of byte `offset` (clamped to the text).
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Loc::new(
            self.file,
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }
}

/// The doc files of one directory (any of the three may be missing) and the overrides file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocSet {
    /// `COMMANDS.md`, if present.
    pub commands: Option<SourceFile>,
    /// `EVENTS.md`, if present.
    pub events: Option<SourceFile>,
    /// `TYPES.md`, if present.
    pub types: Option<SourceFile>,
    /// `overrides.toml` text, if present.
    pub overrides: Option<String>,
}

/// Failure to read a docs directory.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// None of `COMMANDS.md`, `EVENTS.md`, `TYPES.md` exists in the directory.
    #[error(
        "{0} holds none of COMMANDS.md, EVENTS.md, TYPES.md (pass the directory that holds \
         them with --docs DIR)"
    )]
    Empty(PathBuf),
    /// The directory does not exist.
    #[error(
        "the docs directory {0} does not exist: run from the repository root, or pass \
         --docs DIR"
    )]
    Missing(PathBuf),
}

impl DocSet {
    /// Builds a doc set from in-memory texts.
    pub fn from_texts(commands: Option<&str>, events: Option<&str>, types: Option<&str>) -> DocSet {
        DocSet {
            commands: commands.map(|t| SourceFile::new(DocFile::Commands, t)),
            events: events.map(|t| SourceFile::new(DocFile::Events, t)),
            types: types.map(|t| SourceFile::new(DocFile::Types, t)),
            overrides: None,
        }
    }

    /// Reads the files present in `dir`; `overrides.toml` in `dir` is read too.
    pub fn read_dir(dir: &Path) -> Result<DocSet, ReadError> {
        Self::read_dir_with_overrides(dir, &dir.join(DocFile::Overrides.file_name()))
    }

    /// Reads the files present in `dir`, and the overrides from `overrides` if that file exists.
    pub fn read_dir_with_overrides(dir: &Path, overrides: &Path) -> Result<DocSet, ReadError> {
        let read = |path: &Path| -> Result<Option<String>, ReadError> {
            match std::fs::read(path) {
                Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(ReadError::Io {
                    path: path.to_owned(),
                    source,
                }),
            }
        };
        if !dir.is_dir() {
            return Err(ReadError::Missing(dir.to_owned()));
        }
        let mut set = DocSet::default();
        for file in DocFile::API {
            let text = read(&dir.join(file.file_name()))?;
            let source = text.map(|t| SourceFile::new(file, &t));
            match file {
                DocFile::Commands => set.commands = source,
                DocFile::Events => set.events = source,
                _ => set.types = source,
            }
        }
        if set.commands.is_none() && set.events.is_none() && set.types.is_none() {
            return Err(ReadError::Empty(dir.to_owned()));
        }
        set.overrides = read(overrides)?;
        Ok(set)
    }

    /// The source of `file`, if present.
    pub fn get(&self, file: DocFile) -> Option<&SourceFile> {
        match file {
            DocFile::Commands => self.commands.as_ref(),
            DocFile::Events => self.events.as_ref(),
            DocFile::Types => self.types.as_ref(),
            DocFile::Overrides => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let f = SourceFile::new(DocFile::Types, "ab\r\ncé d\n");
        assert_eq!(f.text, "ab\ncé d\n");
        assert_eq!(f.loc(0), Loc::new(DocFile::Types, 1, 1));
        assert_eq!(f.loc(3), Loc::new(DocFile::Types, 2, 1));
        // "é" is two bytes: the space after it is the third character.
        assert_eq!(f.loc(6), Loc::new(DocFile::Types, 2, 3));
        assert_eq!(f.loc(1000).line, 3);
    }
}

#[cfg(test)]
mod read_errors {
    use super::*;

    #[test]
    fn a_missing_or_empty_docs_directory_says_which_and_what_to_do() {
        let missing = std::env::temp_dir().join("simplex-api-no-such-docs-dir");
        let e = DocSet::read_dir(&missing).expect_err("missing");
        assert!(matches!(e, ReadError::Missing(_)));
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(e.to_string().contains("repository root"), "{e}");
        let empty =
            std::env::temp_dir().join(format!("simplex-api-empty-docs-{}", std::process::id()));
        std::fs::create_dir_all(&empty).expect("create");
        let e = DocSet::read_dir(&empty).expect_err("empty");
        assert!(matches!(e, ReadError::Empty(_)));
        assert!(e.to_string().contains("holds none of"), "{e}");
        let _ = std::fs::remove_dir(&empty);
    }
}
