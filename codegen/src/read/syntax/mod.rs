//! The syntax lines of commands and types: the plain line, and the JavaScript and Python lines
//! lowered to the syntax tree. Binding and checking the trees is [`crate::check`]'s part.

pub mod plain;
pub mod script;

/// A parse error inside one syntax line: a message and the byte offset in that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the line.
    pub offset: usize,
    /// What is wrong and what was expected.
    pub message: String,
}
