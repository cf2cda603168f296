//! The read phase: from the text of the docs to the located IR.
//!
//! [`source`] reads the files and maps offsets to lines and columns, [`markdown`] splits a doc into
//! blocks, [`parse`] reads the blocks of each doc kind into the IR, with [`typeexpr`] for the type
//! expressions of field lines and [`syntax`] for the syntax lines of commands and types.

pub mod markdown;
pub mod parse;
pub mod source;
pub mod syntax;
pub mod typeexpr;
