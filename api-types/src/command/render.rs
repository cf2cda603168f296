//! Helpers the generated command formatters call.
//!
//! Every word a formatter writes goes through one check here ([`push_str`], [`push_enum`],
//! [`push_time`]) against the [`Place`] the generator derived from the syntax tree: the
//! rule is in the crate docs ("Commands").

use std::fmt::Write;

use super::{Command, Place, Syntax};
use crate::error::{CommandError, FromJsonError};
use crate::wire::{Encode, UtcTime, Writer};

use super::is_space_byte as stripped;

/// True for a character whose UTF-8 encoding holds the byte 0xA0 (`à`, `Р`, `习`, U+00A0).
fn holds_a0(c: char) -> bool {
    !c.is_ascii() && c.encode_utf8(&mut [0; 4]).bytes().any(|b| b == 0xA0)
}

/// Refuses `value` where the core would read it as something else at `place`; `word` when the
/// core reads one word there (an enum value always is one).
fn check(
    out: &str,
    value: &str,
    param: &'static str,
    place: &Place,
    word: bool,
) -> Result<(), CommandError> {
    if value.contains(['\n', '\r']) {
        return Err(CommandError::LineBreak { param });
    }
    if value.is_empty() {
        // At the end, only an empty value after a space is lost (with the space).
        if word || out.bytes().next_back().is_some_and(stripped) {
            return Err(CommandError::Empty { param });
        }
        return Ok(());
    }
    if word {
        if value.chars().any(|c| c.is_whitespace() || holds_a0(c)) {
            return Err(CommandError::Space { param });
        }
    } else if value.bytes().all(stripped) {
        return Err(CommandError::Blank { param });
    }
    check_start(value, param, place)?;
    if !word && value.bytes().next_back().is_some_and(stripped) {
        let end = value.chars().next_back().unwrap_or(' ');
        return Err(CommandError::Trailing { param, end });
    }
    Ok(())
}

/// Refuses `value` if it begins with a text that the core reads as another part of the
/// command at `place`.
pub fn check_start(value: &str, param: &'static str, place: &Place) -> Result<(), CommandError> {
    match place.not_first.iter().find(|(p, _)| value.starts_with(p)) {
        Some(&(prefix, part)) => Err(CommandError::Prefix {
            param,
            prefix,
            part,
            fix: place.fix,
        }),
        None => Ok(()),
    }
}

/// Appends a free string parameter, refusing what the core would read as something else.
pub fn push_str(
    out: &mut String,
    value: &str,
    param: &'static str,
    place: &Place,
) -> Result<(), CommandError> {
    check(out, value, param, place, !place.rest)?;
    out.push_str(value);
    Ok(())
}

/// Appends an enum value (documented or not) as one word; an undocumented value that is not a
/// string (`None`) has no command syntax.
pub fn push_enum(
    out: &mut String,
    value: Option<&str>,
    param: &'static str,
    place: &Place,
) -> Result<(), CommandError> {
    let Some(value) = value else {
        return Err(unrepresentable_enum(param));
    };
    check(out, value, param, place, true)?;
    out.push_str(value);
    Ok(())
}

/// Appends a timestamp parameter (RFC 3339).
pub fn push_time(
    out: &mut String,
    value: &UtcTime,
    param: &'static str,
    place: &Place,
) -> Result<(), CommandError> {
    #[cfg(feature = "chrono")]
    let value = &value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    push_str(out, value, param, place)
}

/// Appends a number: integers through `itoa` (serde_json's own integer formatter), floats
/// through `Display`.
pub fn push_num<T: Number + ?Sized>(out: &mut String, value: &T) {
    value.push_to(out);
}

/// A number [`push_num`] can append.
pub trait Number {
    /// Appends the decimal form.
    fn push_to(&self, out: &mut String);
}

impl<T: Number + ?Sized> Number for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

macro_rules! number_int {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn push_to(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
number_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl Number for f32 {
    fn push_to(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Number for f64 {
    fn push_to(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

/// Appends `on` or `off`.
pub fn on_off(out: &mut String, value: &bool) {
    out.push_str(if *value { "on" } else { "off" });
}

/// Appends `text` when the flag is `when` (it differs from its default).
pub fn flag(out: &mut String, value: &bool, when: bool, text: &str) {
    if *value == when {
        out.push_str(text);
    }
}

/// Appends `key` and `on` or `off` when the optional flag is set.
pub fn opt_on_off(out: &mut String, value: Option<&bool>, key: &str) {
    if let Some(v) = value {
        out.push_str(key);
        on_off(out, v);
    }
}

/// Appends compact JSON (written straight into the command: no temporary string).
pub fn push_json<T: Encode + ?Sized>(out: &mut String, value: &&T) {
    value.encode_json(&mut Writer::new(out));
}

/// The error for an `Unknown` enum value that is not a string.
pub fn unrepresentable_enum(param: &'static str) -> CommandError {
    CommandError::Unrepresentable {
        param,
        value: "a non-string value".to_owned(),
    }
}

/// The error for an `Unknown` value.
pub fn unrepresentable(param: &'static str, value: &serde_json::Value) -> CommandError {
    CommandError::Unrepresentable {
        param,
        value: value.to_string(),
    }
}

/// `Display` of a command whose rendering cannot fail.
pub fn display_command<C: Command>(c: &C, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    let mut s = String::new();
    c.write_command(&mut s).map_err(|_| std::fmt::Error)?;
    f.write_str(&s)
}

/// Renders a value of type `T` in its command syntax, from its JSON.
pub fn syntax_from_json<T: Syntax + for<'de> serde::Deserialize<'de>>(
    value: serde_json::Value,
) -> Result<String, FromJsonError> {
    let v: T = serde_json::from_str(&value.to_string())?;
    Ok(v.to_syntax_string()?)
}
