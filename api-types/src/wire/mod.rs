//! How generated types decode and encode, written once, on top of the JSON layer: the generated
//! code only declares its items through the macros in `macros.rs`, which call the functions
//! here, one file per shape (`scalars`, `record`, `enums`, `union`) and `derive` for `Debug`,
//! `PartialEq`, `Hash` and `Display` as one call each.
//!
//! Decoding reads the JSON text with the concrete [`Reader`] of the JSON layer (nothing here is
//! generic over a serde deserializer or serializer, so all of it is compiled once, in this
//! crate) and writes every value in place (into the field, the
//! vector element or the box that will hold it), so a stack frame holds no more than one small
//! struct whatever the message. What the JSON looked like beyond the values a user sees (an
//! integer sent as a string, an explicit `null`, a `double` written as an integer, a union sent
//! as a bare string, a documented field the core left out) is noted in a [`Note`] per field and
//! kept in the struct's hidden [`Meta`], so that encoding gives back the same JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde_json::Value;

use crate::json::message_of;
pub use crate::json::{Error, Reader, Writer};

macro_rules! expect {
    ($what:literal) => {
        &crate::json::Expecting($what)
    };
}

mod derive;
mod enums;
mod record;
mod scalars;
mod union;

pub use derive::{
    debug_struct, debug_tuple, describe_error, eq_fields, hash_fields, DynEq, DynHash,
};
pub use enums::{decode_enum, encode_enum, StrEnum};
pub use record::{
    decode_record, encode_field, encode_record, field, index_of, required_mask, Entries, Fields,
    Kept, KeptMut, Record, RecordInfo, Tag,
};
pub use scalars::UtcTime;
pub use union::{
    decode_union, encode_union, encode_unit, loose_eq, member, undocumented_tag, unit_member, Union,
};

const QUOTED: u8 = 1;
const NULL: u8 = 2;
const INTEGRAL: u8 = 4;
const BARE: u8 = 8;

/// How one value arrived, beyond its Rust value. Empty (and allocation-free) for values that
/// arrived in the documented form.
#[derive(Debug, Clone, Default)]
pub struct Note {
    flags: u8,
    extra: Option<Box<NoteExtra>>,
}

#[derive(Debug, Clone, Default)]
struct NoteExtra {
    /// The original text of a bare union string or of an integer string not in canonical form.
    text: Option<String>,
    /// Notes of array items, by index (only up to the last item that has one).
    items: Vec<Note>,
    /// Notes of map values, by key.
    keys: BTreeMap<String, Note>,
}

static EMPTY_NOTE: Note = Note {
    flags: 0,
    extra: None,
};

impl Note {
    fn is_empty(&self) -> bool {
        self.flags == 0 && self.extra.is_none()
    }

    #[inline]
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn extra_mut(&mut self) -> &mut NoteExtra {
        self.extra.get_or_insert_with(Default::default)
    }

    fn text(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.text.as_deref())
    }

    fn item(&self, i: usize) -> &Note {
        self.extra
            .as_ref()
            .and_then(|e| e.items.get(i))
            .unwrap_or(&EMPTY_NOTE)
    }

    fn set_item(&mut self, i: usize, note: Note) {
        let items = &mut self.extra_mut().items;
        if items.len() <= i {
            items.resize_with(i + 1, Note::default);
        }
        items[i] = note;
    }

    fn key(&self, k: &str) -> &Note {
        self.extra
            .as_ref()
            .and_then(|e| e.keys.get(k))
            .unwrap_or(&EMPTY_NOTE)
    }
}

/// What decoding noticed about one object: documented fields that were absent, and the notes
/// of its fields. Invisible to `==` and `Hash`: two values a user sees as equal are equal.
#[derive(Clone, Default)]
pub struct Meta(Option<Box<MetaInner>>);

#[derive(Clone, Default)]
struct MetaInner {
    absent: u128,
    /// Fields that arrived beside the object, as the second element of a pair (a
    /// `wire_shape` of the overrides; see [`RecordInfo::pair`]).
    moved: u128,
    /// The fields that have a note in `notes`, so that the others are not searched for.
    noted: u128,
    notes: Vec<(u16, Note)>,
}

impl MetaInner {
    fn new(absent: u128, moved: u128, notes: Vec<(u16, Note)>) -> MetaInner {
        let noted = notes.iter().fold(0, |m, (i, _)| m | 1u128 << i);
        MetaInner {
            absent,
            moved,
            noted,
            notes,
        }
    }

    #[inline]
    fn note(&self, i: u16) -> &Note {
        if self.noted & (1u128 << i) == 0 {
            return &EMPTY_NOTE;
        }
        self.notes
            .iter()
            .find(|(j, _)| *j == i)
            .map_or(&EMPTY_NOTE, |(_, n)| n)
    }
}

impl Meta {
    fn note(&self, i: u16) -> &Note {
        self.0.as_ref().map_or(&EMPTY_NOTE, |m| m.note(i))
    }

    /// The note of field `i` when it is written inside the object; `None` when it is not: the
    /// core left it out, or sent it beside the object.
    #[inline]
    fn written(&self, i: u16) -> Option<&Note> {
        match &self.0 {
            None => Some(&EMPTY_NOTE),
            Some(m) if (m.absent | m.moved) & (1u128 << i) != 0 => None,
            Some(m) => Some(m.note(i)),
        }
    }

    fn is_moved(&self, i: u16) -> bool {
        self.0.as_ref().is_some_and(|m| m.moved & (1u128 << i) != 0)
    }

    /// The wire names of the documented fields the core did not send.
    pub fn absent_fields(&self, fields: &[&'static str]) -> Vec<&'static str> {
        let absent = self.0.as_ref().map_or(0, |m| m.absent);
        fields
            .iter()
            .enumerate()
            .filter(|(i, _)| absent & (1u128 << i) != 0)
            .map(|(_, f)| *f)
            .collect()
    }
}

impl PartialEq for Meta {
    fn eq(&self, _: &Meta) -> bool {
        true
    }
}

impl Eq for Meta {}

impl Hash for Meta {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("Meta"),
            Some(m) => write!(f, "Meta({:#x}, {} notes)", m.absent, m.notes.len()),
        }
    }
}

/// A value that decodes in place from JSON and encodes back to the same JSON.
pub trait Wire: Default {
    /// Whether this is an optional field's `None` (left out when encoded).
    #[inline]
    fn is_none(&self) -> bool {
        false
    }
    /// Decodes into `self`, which holds `Default::default()`; notes how the value arrived.
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error>;
    /// Encodes in the form `note` recorded.
    fn encode(&self, w: &mut Writer<'_>, note: &Note);
}

/// Any value that decodes from a JSON text, seen without its type (`Deserialize`, commands).
pub trait Decode {
    /// Decodes into `self` (in its initial state).
    fn decode_json(&mut self, r: &mut Reader<'_>) -> Result<(), Error>;
}

/// Any value that encodes to JSON text, seen without its type (`Serialize`, `json(...)`
/// parameters, error descriptions).
pub trait Encode {
    /// Writes the value.
    fn encode_json(&self, w: &mut Writer<'_>);
}

impl<T: Wire> Decode for T {
    fn decode_json(&mut self, r: &mut Reader<'_>) -> Result<(), Error> {
        self.decode(r, &mut Note::default())
    }
}

impl<T: Wire> Encode for T {
    fn encode_json(&self, w: &mut Writer<'_>) {
        self.encode(w, &EMPTY_NOTE)
    }
}

/// Decodes the JSON `text` (a whole text: nothing may follow the value) into `v`.
pub fn decode_text(v: &mut dyn Decode, text: &str) -> Result<(), Error> {
    let mut r = Reader::new(text, usize::MAX);
    v.decode_json(&mut r)?;
    r.end()
}

/// The JSON text of `v`.
pub fn encode_text(v: &dyn Encode) -> String {
    // As serde_json starts: a small message is written without growing the string.
    let mut out = String::with_capacity(128);
    v.encode_json(&mut Writer::new(&mut out));
    out
}

/// `Deserialize` of a generated type: whatever `d` gives, as JSON text, decoded into `v`.
pub fn deserialize_into<'de, D: Deserializer<'de>>(
    v: &mut dyn Decode,
    d: D,
) -> Result<(), D::Error> {
    let mut text = String::new();
    crate::json::transcribe(d, &mut text)?;
    decode_text(v, &text).map_err(|e| de::Error::custom(message_of(&e)))
}

/// `Deserialize` of a generated type with a `Default` (see [`deserialize_into`]).
pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let mut v = T::default();
    deserialize_into(&mut v, d)?;
    Ok(v)
}

/// `Serialize` of a generated type: its JSON text, handed to serde_json's serializers as it is
/// (a `RawValue`), replayed into any other serializer.
pub fn serialize<S: Serializer>(v: &dyn Encode, s: S) -> Result<S::Ok, S::Error> {
    let text = encode_text(v);
    if takes_raw_json::<S>() && matches!(text.as_bytes().first(), Some(b'{' | b'[')) {
        // What `Writer` writes for one value is one well-formed JSON value with no whitespace
        // around it: strings escaped as serde_json escapes them, numbers by itoa or serde_json's
        // `Number` (non-finite floats as `null`); serde_json re-parses it in debug builds.
        // SAFETY: so `text` holds a single well-formed JSON value, as the function requires.
        let raw = unsafe { serde_json::value::RawValue::from_string_unchecked(text) };
        return serde::Serialize::serialize(&raw, s);
    }
    crate::json::replay(&text, s)
}

/// Whether `S` is one of serde_json's serializers (`to_string`, `to_writer`, `to_value`...),
/// which write a `RawValue` as its text, and is not pretty-printing (a raw value stays compact
/// inside pretty output, so the text is replayed there instead). Known by the serializer's
/// error type: a serializer of another format that reports `serde_json::Error` sees what it
/// would see for serde_json's own `RawValue`. Only objects and arrays take this path; map keys,
/// which serde_json writes with another serializer of the same error type, are strings.
fn takes_raw_json<S: Serializer>() -> bool {
    typeid::of::<S::Error>() == typeid::of::<serde_json::Error>()
        && !std::any::type_name::<S>().contains("PrettyFormatter")
}

/// Reads any value as JSON, noting `key` in the error path on failure.
pub(crate) fn value_at(r: &mut Reader<'_>, key: &str) -> Result<Value, Error> {
    let start = r.pos();
    r.value().inspect_err(|_| r.failed_in_key(key, start))
}

/// Decodes the value of `key` through [`Wire`], noting `key` in the error path on failure.
pub(crate) fn wire_at<T: Wire>(r: &mut Reader<'_>, key: &str) -> Result<T, Error> {
    let start = r.pos();
    let mut v = T::default();
    if let Err(e) = v.decode(r, &mut Note::default()) {
        r.failed_in_key(key, start);
        return Err(e);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::message_of;

    #[test]
    fn loose_eq_ignores_case_dashes_and_underscores() {
        assert!(loose_eq("snd-ready", "sndReady"));
        assert!(loose_eq("SND_READY", "sndReady"));
        assert!(loose_eq("-_", ""));
        assert!(!loose_eq("ready", "sndReady"));
        assert!(!loose_eq("sndReady", "snd"));
        assert!(!loose_eq("é", "É"));
    }

    fn decode<T: Wire>(v: &mut T, text: &str, note: &mut Note) -> Result<(), Error> {
        let mut r = Reader::new(text, usize::MAX);
        v.decode(&mut r, note)?;
        r.end()
    }

    fn encode<T: Wire>(v: &T, note: &Note) -> String {
        let mut out = String::new();
        v.encode(&mut Writer::new(&mut out), note);
        out
    }

    fn round_trip<T: Wire>(text: &str) -> (T, String) {
        let mut v = T::default();
        let mut note = Note::default();
        decode(&mut v, text, &mut note).expect("decodes");
        let out = encode(&v, &note);
        (v, out)
    }

    #[test]
    fn integers_keep_the_form_they_arrived_in() {
        assert_eq!(round_trip::<i64>("7"), (7, "7".to_owned()));
        assert_eq!(round_trip::<i64>("\"7\""), (7, "\"7\"".to_owned()));
        assert_eq!(round_trip::<i64>("\"-0\""), (0, "\"-0\"".to_owned()));
        assert_eq!(round_trip::<i64>("\"+12\""), (12, "\"+12\"".to_owned()));
        assert_eq!(round_trip::<i64>("\"012\""), (12, "\"012\"".to_owned()));
        assert_eq!(round_trip::<u32>("\"4294967295\"").0, u32::MAX);
        assert_eq!(
            round_trip::<Vec<i64>>("[1,\"2\",3,\"04\"]"),
            (vec![1, 2, 3, 4], "[1,\"2\",3,\"04\"]".to_owned())
        );
        let (m, text) = round_trip::<BTreeMap<String, i64>>("{\"b\":\"2\",\"a\":1}");
        assert_eq!(m.get("b"), Some(&2));
        assert_eq!(text, "{\"a\":1,\"b\":\"2\"}");
    }

    #[test]
    fn an_integer_string_that_changed_value_is_written_canonically() {
        let mut v = 0i64;
        let mut note = Note::default();
        decode(&mut v, "\"+12\"", &mut note).expect("decodes");
        v = 13;
        assert_eq!(encode(&v, &note), "\"13\"");
    }

    #[test]
    fn doubles_written_as_integers_stay_integers() {
        assert_eq!(round_trip::<f64>("1"), (1.0, "1".to_owned()));
        assert_eq!(round_trip::<f64>("-3"), (-3.0, "-3".to_owned()));
        assert_eq!(round_trip::<f64>("1.0"), (1.0, "1.0".to_owned()));
        assert_eq!(round_trip::<f64>("2.5"), (2.5, "2.5".to_owned()));
    }

    #[test]
    fn explicit_null_comes_back_as_null() {
        // (A record leaves out an absent optional field: tests/hostile.rs.)
        let (v, text) = round_trip::<Option<i64>>("null");
        assert_eq!((v, text.as_str()), (None, "null"));
        let (v, text) = round_trip::<Option<i64>>("\"5\"");
        assert_eq!((v, text.as_str()), (Some(5), "\"5\""));
    }

    #[test]
    fn bad_integers_are_refused_with_what_was_expected() {
        let mut v = 0u32;
        let e = decode(&mut v, "\"-1\"", &mut Note::default()).expect_err("negative word32");
        assert!(message_of(&e).contains("32-bit unsigned"), "{e}");
        let e = decode(&mut v, "1.5", &mut Note::default()).expect_err("fraction");
        assert!(
            message_of(&e).starts_with("invalid type: floating point"),
            "{e}"
        );
    }

    #[test]
    fn messages_lose_only_their_position() {
        let e = serde_json::from_str::<u32>("\n\"x\"").expect_err("not a number");
        assert_eq!(message_of(&e), "invalid type: string \"x\", expected u32");
    }

    #[test]
    fn meta_is_invisible_to_equality() {
        let a = Meta(Some(Box::new(MetaInner::new(1, 2, Vec::new()))));
        assert_eq!(a, Meta::default());
        assert_eq!(a.absent_fields(&["x", "y"]), vec!["x"]);
        assert!(a.written(0).is_none() && a.written(1).is_none() && a.written(2).is_some());
    }
}
