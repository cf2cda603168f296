//! Reading command strings the way the core does: the cursor the generated parsers
//! ([`ParseCommand`](super::ParseCommand), [`Syntax::read_syntax`](super::Syntax::read_syntax))
//! read with.
//!
//! The core's command parser is a parsing expression grammar (attoparsec): ordered choice that
//! backtracks when an alternative fails and never reconsiders one that succeeded. The cursor
//! reproduces what the docs' syntax tree means under that reading:
//!
//! * Whitespace bytes are stripped from the end of the command first, one by one, with the
//!   byte-wise test that also takes 0xA0 for whitespace.
//! * Parts are read left to right; an optional part is tried where it stands and, when it
//!   cannot be read there whole, the command reads on as if it were absent
//!   ([`CommandReader::optional`]).
//! * A free string that ends the command is the rest of it; any other is one word (bytes up to
//!   whitespace, 0xA0 included); numbers are `-?[0-9]+`; `json(...)` is one JSON text.
//! * Nothing may be left over.
//!
//! A part that cannot be read costs next to nothing: the cursor notes nothing on the way. Only
//! when the whole command fails is it read again, noting what each part that failed expected,
//! so that the error names the furthest place reached and what the grammar expected there.

use std::fmt;
use std::str::FromStr;

use super::is_space_byte;
use crate::error::{CommandParseError, Expected, FromJsonError};
use crate::json::{message_budget, Reader};
use crate::wire::{StrEnum, UtcTime, Wire};

/// A part of the command could not be read where the cursor stands; the cursor holds what was
/// expected, for the error that [`parse_with`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Miss;

/// What reading a part gives: its value, or a [`Miss`].
pub type Read<T> = Result<T, Miss>;

/// A cursor over a command string, for the generated parsers (see the module docs).
pub struct CommandReader<'a> {
    /// The command, trailing whitespace bytes stripped (perhaps inside a character: see
    /// [`CommandReader::slice`]).
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Whether misses are noted (the second reading of a command that failed).
    noting: bool,
    /// The furthest offset a part was expected at, and what was expected there.
    furthest: usize,
    expected: Vec<Expected>,
}

impl fmt::Debug for CommandReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandReader")
            .field("pos", &self.pos)
            .field("rest", &String::from_utf8_lossy(self.rest_bytes()))
            .finish()
    }
}

/// Reads the whole `text` as command `command` with `read`: the value, or where and why the
/// core would not read it so. `read` is a function, not a closure type, so that the two calls
/// (the second notes what a failed reading expected) share one copy of it.
pub fn parse_with<'a, T>(
    text: &'a str,
    command: &'static str,
    read: fn(&mut CommandReader<'a>) -> Read<T>,
) -> Result<T, CommandParseError> {
    let read = |r: &mut CommandReader<'a>| read(r).and_then(|v| r.end().map(|()| v));
    let mut r = CommandReader::new(text);
    match read(&mut r) {
        Ok(v) => Ok(v),
        Err(Miss) => {
            let mut again = CommandReader::new(text);
            again.noting = true;
            // The same reading fails at the same place, now noting what it expected.
            let _ = read(&mut again);
            Err(again.into_error(command))
        }
    }
}

impl<'a> CommandReader<'a> {
    /// A cursor at the start of `text`, with the whitespace the core strips from its end
    /// removed.
    pub fn new(text: &'a str) -> Self {
        let mut bytes = text.as_bytes();
        while let [rest @ .., last] = bytes {
            if !is_space_byte(*last) {
                break;
            }
            bytes = rest;
        }
        CommandReader {
            text,
            bytes,
            pos: 0,
            noting: false,
            furthest: 0,
            expected: Vec::new(),
        }
    }

    /// The byte offset of the cursor in the command.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn rest_bytes(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Notes that `what` was expected at `at`, and misses.
    #[inline]
    fn miss(&mut self, at: usize, what: impl FnOnce() -> Expected) -> Miss {
        if self.noting {
            self.note(at, what());
        }
        Miss
    }

    #[cold]
    #[inline(never)]
    fn note(&mut self, at: usize, what: Expected) {
        if at > self.furthest {
            self.furthest = at;
            self.expected.clear();
        }
        if at == self.furthest && !self.expected.contains(&what) {
            self.expected.push(what);
        }
    }

    /// The text from `start` to `end` (the cursor's offsets), unless one of them falls inside
    /// a character: the core cuts a word at a byte 0xA0, and strips one from the end of the
    /// command, even there.
    fn slice(&mut self, start: usize, end: usize, param: &'static str) -> Read<&'a str> {
        match self.text.get(start..end) {
            Some(s) => Ok(s),
            None => Err(self.miss(start, || Expected::Utf8(param))),
        }
    }

    /// The error of a command that failed.
    fn into_error(self, command: &'static str) -> CommandParseError {
        CommandParseError::new(command, self.furthest, self.expected)
    }

    /// The cursor is at `text`.
    pub fn at(&self, text: &str) -> bool {
        self.rest_bytes().starts_with(text.as_bytes())
    }

    /// Reads the fixed text `text`.
    pub fn text(&mut self, text: &'static str) -> Read<()> {
        if self.at(text) {
            self.pos += text.len();
            Ok(())
        } else {
            Err(self.miss(self.pos, || Expected::Text(text)))
        }
    }

    /// Nothing is left.
    pub fn end(&mut self) -> Read<()> {
        if self.pos >= self.bytes.len() {
            Ok(())
        } else {
            Err(self.miss(self.pos, || Expected::End))
        }
    }

    /// Reads `read` if it can be read here whole; otherwise leaves the cursor where it was.
    #[inline]
    pub fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Read<T>) -> Option<T> {
        let start = self.pos;
        match read(self) {
            Ok(v) => Some(v),
            Err(Miss) => {
                self.pos = start;
                None
            }
        }
    }

    /// A part the core reads here that the docs do not show (`shown`, one of `texts`): the
    /// command cannot hold it, so it is refused.
    pub fn undocumented(&mut self, texts: &[&str], shown: &'static str) -> Read<()> {
        if texts.iter().any(|t| self.at(t)) {
            return Err(self.miss(self.pos, || Expected::NotUndocumented(shown)));
        }
        Ok(())
    }

    /// One word (a free string that does not end the command, or an enum value).
    pub fn word(&mut self, param: &'static str) -> Read<&'a str> {
        let start = self.pos;
        let n = self
            .rest_bytes()
            .iter()
            .take_while(|b| !is_space_byte(**b))
            .count();
        if n == 0 {
            return Err(self.miss(start, || Expected::Word(param)));
        }
        self.pos += n;
        self.slice(start, start + n, param)
    }

    /// The rest of the command (a free string that ends it).
    pub fn rest(&mut self, param: &'static str) -> Read<&'a str> {
        let start = self.pos;
        self.pos = self.bytes.len().max(start);
        self.slice(start, self.pos, param)
    }

    /// A free string: the rest of the command when `rest`, one word otherwise.
    pub fn string(&mut self, param: &'static str, rest: bool) -> Read<String> {
        let s = if rest {
            self.rest(param)?
        } else {
            self.word(param)?
        };
        Ok(s.to_owned())
    }

    /// A time, written as the core reads it (ISO 8601, as the formatter writes it).
    pub fn time(&mut self, param: &'static str, rest: bool) -> Read<UtcTime> {
        let start = self.pos;
        let s = if rest {
            self.rest(param)?
        } else {
            self.word(param)?
        };
        match parse_time(s) {
            Some(t) => Ok(t),
            None => Err(self.miss(start, || Expected::Time(param))),
        }
    }

    /// A decimal number (`-?[0-9]+`, with a fraction and exponent for a floating point
    /// parameter).
    pub fn number<T: Decimal>(&mut self, param: &'static str) -> Read<T> {
        let rest = self.rest_bytes();
        let n = rest
            .iter()
            .enumerate()
            .take_while(|&(i, &b)| {
                b.is_ascii_digit() || (i == 0 && b == b'-') || (T::FLOAT && b".eE+-".contains(&b))
            })
            .count();
        // The bytes taken are ASCII.
        let text = std::str::from_utf8(&rest[..n]).unwrap_or_default();
        match T::from_decimal(text) {
            Some(v) => {
                self.pos += n;
                Ok(v)
            }
            None => Err(self.miss(self.pos, || Expected::Number(param))),
        }
    }

    /// `on` or `off`.
    pub fn on_off(&mut self, param: &'static str) -> Read<bool> {
        if self.at("on") {
            self.pos += 2;
            Ok(true)
        } else if self.at("off") {
            self.pos += 3;
            Ok(false)
        } else {
            Err(self.miss(self.pos, || Expected::OnOff(param)))
        }
    }

    /// An optional ` key=on|off` (`key` is the text up to and including `=`): its value when
    /// it is here whole.
    pub fn flag(&mut self, key: &'static str, param: &'static str) -> Option<bool> {
        self.optional(|r| {
            r.text(key)?;
            r.on_off(param)
        })
    }

    /// An enum value, as one word.
    pub fn enum_word<E: StrEnum>(&mut self, param: &'static str) -> Read<E> {
        let start = self.pos;
        let word = self.word(param)?;
        match E::from_wire(word) {
            Some(v) => Ok(v),
            None => Err(self.miss(start, || Expected::OneOf(param, E::VALUES))),
        }
    }

    /// Numbers joined by `sep` (at least one).
    pub fn join<T: Decimal>(&mut self, param: &'static str, sep: &'static str) -> Read<Vec<T>> {
        let mut items = vec![self.number(param)?];
        while self.at(sep) {
            let before = self.pos;
            self.pos += sep.len();
            match self.number(param) {
                Ok(v) => items.push(v),
                Err(Miss) => {
                    // The separator is not followed by a number: it is not part of the list.
                    self.pos = before;
                    break;
                }
            }
        }
        Ok(items)
    }

    /// One JSON text, decoded as `T` with the limits of a message: the rest of the command
    /// when `rest`, otherwise the value and no more.
    pub fn json<T: Wire>(&mut self, param: &'static str, rest: bool) -> Read<T> {
        let start = self.pos;
        let text = self.slice(start, self.bytes.len().max(start), param)?;
        let mut r = Reader::new(text, message_budget(text.len()));
        let mut v = T::default();
        let decoded =
            v.decode(&mut r, &mut Default::default())
                .and_then(|()| if rest { r.end() } else { Ok(()) });
        match decoded {
            Ok(()) => {
                self.pos = start + r.pos();
                Ok(v)
            }
            Err(e) => Err(self.json_error(start, text, &e, &mut r, param)),
        }
    }

    /// The miss of a JSON parameter that failed to decode (located inside it when noting).
    #[cold]
    #[inline(never)]
    fn json_error(
        &mut self,
        start: usize,
        text: &str,
        e: &crate::json::Error,
        r: &mut Reader<'_>,
        param: &'static str,
    ) -> Miss {
        if !self.noting {
            return Miss;
        }
        let failure = r.take_failure();
        let at = failure.at.unwrap_or_else(|| r.pos()).min(text.len());
        let error = crate::error::DecodeError::new(text, e, failure, None, None).to_string();
        self.miss(start + at, || Expected::Json(param, error))
    }
}

/// A number type the parsers read: the core reads `-?[0-9]+` (and a fraction and exponent for
/// a `Double`).
pub trait Decimal: Sized {
    /// Reads a fraction and exponent too.
    const FLOAT: bool = false;
    /// The value of `text` (the bytes a number may have, as read), if it is one of this type.
    fn from_decimal(text: &str) -> Option<Self>;
}

macro_rules! decimal_int {
    ($($t:ty),*) => {$(
        impl Decimal for $t {
            fn from_decimal(text: &str) -> Option<Self> {
                <$t>::from_str(text).ok().filter(|_| !text.starts_with('+'))
            }
        }
    )*};
}

decimal_int!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

impl Decimal for f64 {
    const FLOAT: bool = true;
    fn from_decimal(text: &str) -> Option<Self> {
        let first = text.bytes().next()?;
        if !(first.is_ascii_digit() || first == b'-') {
            return None;
        }
        f64::from_str(text).ok().filter(|v| v.is_finite())
    }
}

impl Decimal for f32 {
    const FLOAT: bool = true;
    fn from_decimal(text: &str) -> Option<Self> {
        f64::from_decimal(text).map(|v| v as f32)
    }
}

#[cfg(not(feature = "chrono"))]
fn parse_time(s: &str) -> Option<UtcTime> {
    Some(s.to_owned())
}

#[cfg(feature = "chrono")]
fn parse_time(s: &str) -> Option<UtcTime> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A documented command in the table of the enum `A` of all commands.
pub struct AnyEntry<A> {
    /// Its upstream name.
    pub name: &'static str,
    /// The text its command string begins with.
    pub leading: &'static str,
    /// Its parser.
    pub parse: fn(&str) -> Result<A, CommandParseError>,
    /// Its decoder from JSON parameters.
    pub from_json: fn(serde_json::Value) -> Result<A, FromJsonError>,
}

/// The entry of the command named `name`.
pub fn entry<'t, A>(table: &'t [AnyEntry<A>], name: &str) -> Option<&'t AnyEntry<A>> {
    table.iter().find(|e| e.name == name)
}

/// Reads `text` as command `C`, as a value of the enum `A` of all commands.
pub fn parse_as<C: super::ParseCommand + Into<A>, A>(text: &str) -> Result<A, CommandParseError> {
    C::parse_command(text).map(Into::into)
}

/// Decodes command `C` from its parameters as JSON, as a value of the enum `A` of all commands.
pub fn from_json_as<C: for<'de> serde::Deserialize<'de> + Into<A>, A>(
    params: serde_json::Value,
) -> Result<A, FromJsonError> {
    // Through the text: the same decoder as for messages, not a second one for `Value`.
    let command: C = serde_json::from_str(&params.to_string())?;
    Ok(command.into())
}

/// Reads `text` with the first of the commands of `table` whose leading text it begins with
/// that reads it whole; `None` when it begins with none of their leading texts; the error that
/// read furthest when none reads it.
///
/// Text "begins with" a leading text that ends in a space also when it is that text without the
/// space (trailing whitespace is stripped), so that `/_send` fails as a `/_send ...` command
/// rather than passing for an undocumented one.
pub fn parse_any<A>(text: &str, table: &[AnyEntry<A>]) -> Result<Option<A>, CommandParseError> {
    let stripped = CommandReader::new(text).bytes;
    let mut failed: Option<CommandParseError> = None;
    for AnyEntry { leading, parse, .. } in table {
        let leading = leading.as_bytes();
        let begins = stripped.starts_with(leading)
            || (leading.last().is_some_and(|b| is_space_byte(*b))
                && stripped == leading.trim_ascii_end());
        if !begins {
            continue;
        }
        match parse(text) {
            Ok(c) => return Ok(Some(c)),
            Err(e) => {
                if failed.as_ref().map_or(true, |f| e.offset() > f.offset()) {
                    failed = Some(e);
                }
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(None),
    }
}
