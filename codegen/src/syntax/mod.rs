//! Command and type syntax: the plain line, the JavaScript and Python lines, and the tree.

pub mod bind;
pub mod plain;
pub mod render;
pub mod script;

/// A parse error inside one syntax line: a message and the byte offset in that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the line.
    pub offset: usize,
    /// What is wrong and what was expected.
    pub message: String,
}
