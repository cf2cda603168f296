//! Commands: the [`Command`] trait every generated command implements, the [`Syntax`] trait of
//! types with a command syntax, the [`Place`] a value is written at, and (`render`) the helpers
//! the generated formatters call. On top of the wire layer (`json(...)` parameters are
//! encoded by it) and the errors.

pub(crate) mod parse;
pub(crate) mod render;

use crate::error::{CommandError, CommandParseError};
pub use parse::{CommandReader, Decimal, Miss, Read};

/// A byte the core strips from the end of a command and ends a word at (`isSpace` of
/// `Data.ByteString.Char8`: tab, line feed, vertical tab, form feed, carriage return, space,
/// and 0xA0).
pub(crate) fn is_space_byte(b: u8) -> bool {
    matches!(b, 0x09..=0x0D | b' ' | 0xA0)
}

/// A command of the bot API: renders its command string and names its response type.
pub trait Command {
    /// The upstream name, e.g. `APISendMessages`.
    const NAME: &'static str;

    /// The responses this command is documented to get (plus a catch-all); it converts
    /// `From<ChatResponse>`.
    type Response;

    /// Appends the command string to `out`.
    ///
    /// On error `out` may hold part of the command; discard it.
    fn write_command(&self, out: &mut String) -> Result<(), CommandError>;

    /// The command string to send as `cmd`.
    fn to_command_string(&self) -> Result<String, CommandError> {
        // Room for a typical `/_send ... json [...]` with a short text, without growing.
        let mut out = String::with_capacity(256);
        self.write_command(&mut out)?;
        Ok(out)
    }
}

/// A command that reads back from its command string: the inverse of
/// [`Command::write_command`], generated from the same syntax tree, reading the way the core
/// reads (see [`CommandReader`]).
///
/// For every command `c` that renders, `C::parse_command(&c.to_command_string()?) == Ok(c)`.
pub trait ParseCommand: Command + Sized {
    /// Reads `text` as this command, or says where and why the core would not.
    fn parse_command(text: &str) -> Result<Self, CommandParseError>;
}

/// Where a value is written in a command string, as the core's grammar sees that place: the
/// texts the value may not begin with (the core would read them as another, optional part of
/// the command) and whether the value runs to the end of the command.
///
/// The generated formatters pass one to every value they write; it is derived from the docs'
/// syntax tree (and the overrides file) when the crate is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Texts the value may not begin with, each with the part of the command syntax that the
    /// core would read instead (`("@", "[ @<contactId_>]")`).
    pub not_first: &'static [(&'static str, &'static str)],
    /// The value is the last part of the command: the core reads it to the end, spaces
    /// included (otherwise it reads one word).
    pub rest: bool,
    /// How to write a value that begins with one of `not_first` so that it keeps its meaning,
    /// where there is a way (from the overrides file).
    pub fix: Option<&'static str>,
}

impl Place {
    /// One word, with nothing optional before it.
    pub const WORD: Place = Place {
        not_first: &[],
        rest: false,
        fix: None,
    };

    /// The rest of the command, with nothing optional before it.
    pub const REST: Place = Place {
        not_first: &[],
        rest: true,
        fix: None,
    };

    /// The place of a word that begins a value written at this place (and does not end it).
    pub const fn first_word(&self) -> Place {
        Place {
            rest: false,
            ..*self
        }
    }

    /// The place of what ends a value written at this place (and does not begin it).
    pub const fn end(&self) -> Place {
        Place {
            not_first: &[],
            rest: self.rest,
            fix: None,
        }
    }
}

/// A type with its own string syntax in commands (`<str(x)>` in the docs), such as `ChatRef`.
pub trait Syntax {
    /// Appends the string form. `param` names the command parameter for errors; `place` says
    /// what the core could read instead at the start of the value and whether the value ends
    /// the command (a free string may then contain spaces).
    fn write_syntax(
        &self,
        out: &mut String,
        param: &'static str,
        place: &Place,
    ) -> Result<(), CommandError>;

    /// Reads the string form at the cursor: the rest of the command when `rest` (the value
    /// ends it), otherwise as the formatter writes it before more text.
    fn read_syntax(r: &mut CommandReader<'_>, rest: bool) -> Read<Self>
    where
        Self: Sized;

    /// The string form on its own (as if it ended a command).
    fn to_syntax_string(&self) -> Result<String, CommandError> {
        let mut out = String::new();
        self.write_syntax(&mut out, "self", &Place::REST)?;
        Ok(out)
    }
}
