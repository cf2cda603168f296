//! Enums of JSON strings.

use serde_json::Value;

use super::Note;
use crate::json::{Error, Reader, Writer};

/// A generated enum of JSON strings.
pub trait StrEnum: Default {
    /// The upstream name, for messages.
    const NAME: &'static str;
    /// The documented values.
    const VALUES: &'static [&'static str];
    /// The documented value for `s`.
    fn from_wire(s: &str) -> Option<Self>;
    /// Any other JSON, kept.
    fn undocumented(v: Value) -> Self;
}

/// Decodes a [`StrEnum`]: a documented string, or anything else kept as JSON.
///
/// A string that differs from a documented value only in ASCII case (`"INV"` for `"inv"`, as
/// some cores write `ConnectionMode`) decodes to that value, and its text is noted so that it
/// encodes back as it came.
pub fn decode_enum<T: StrEnum>(
    slot: &mut T,
    r: &mut Reader<'_>,
    note: &mut Note,
) -> Result<(), Error> {
    *slot = if r.peek()? == b'"' {
        let s = r.string()?;
        match T::from_wire(&s) {
            Some(value) => value,
            None => other_case(&s, note),
        }
    } else {
        T::undocumented(r.value()?)
    };
    Ok(())
}

/// A string that is no documented value: the value it names in another ASCII case (noting the
/// text), or else kept as undocumented.
#[inline(never)]
fn other_case<T: StrEnum>(v: &str, note: &mut Note) -> T {
    let documented = T::VALUES
        .iter()
        .find(|w| w.eq_ignore_ascii_case(v))
        .and_then(|w| T::from_wire(w));
    match documented {
        Some(value) => {
            note.extra_mut().text = Some(v.to_owned());
            value
        }
        None => T::undocumented(Value::String(v.to_owned())),
    }
}

/// Writes the documented value `wire` of an enum as it arrived: in the case it was written in.
pub fn encode_enum(w: &mut Writer<'_>, wire: &'static str, note: &Note) {
    match note.text() {
        Some(text) if text.eq_ignore_ascii_case(wire) => w.str(text),
        _ => w.str(wire),
    }
}
