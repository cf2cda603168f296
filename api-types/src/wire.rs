//! How generated types decode and encode, written once: the generated code only declares its
//! items through the macros in `macros.rs`, which call the functions here.
//!
//! Decoding streams from the JSON text and writes every value in place (into the field, the
//! vector element or the box that will hold it), so a stack frame holds no more than one small
//! struct whatever the message. What the JSON looked like beyond the values a user sees (an
//! integer sent as a string, an explicit `null`, a `double` written as an integer, a union sent
//! as a bare string, a documented field the core left out) is noted in a [`Note`] per field and
//! kept in the struct's hidden [`Meta`], so that encoding gives back the same JSON.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runtime::JsonObject;

// ---------------------------------------------------------------------------------------------
// Notes: how one value arrived.

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
    /// Fields that arrived outside the object, as the second element of a pair (see
    /// [`decode_record_or_pair`]).
    moved: u128,
    notes: Vec<(u16, Note)>,
}

impl Meta {
    fn note(&self, i: u16) -> &Note {
        self.0
            .as_ref()
            .and_then(|m| m.notes.iter().find(|(j, _)| *j == i).map(|(_, n)| n))
            .unwrap_or(&EMPTY_NOTE)
    }

    fn is_moved(&self, i: u16) -> bool {
        self.0.as_ref().is_some_and(|m| m.moved & (1u128 << i) != 0)
    }

    /// Field `i` is not written inside the object: the core left it out, or sent it beside.
    fn left_out(&self, i: u16) -> bool {
        self.0
            .as_ref()
            .is_some_and(|m| (m.absent | m.moved) & (1u128 << i) != 0)
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

// ---------------------------------------------------------------------------------------------
// Error paths and the decoding budget (thread-local, set by the `parse_*` entry points).

/// A step of the path to an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

const MAX_PATH: usize = 512;

thread_local! {
    /// Steps pushed while an error unwinds, innermost first.
    static PATH: RefCell<Vec<Step>> = const { RefCell::new(Vec::new()) };
    /// Bytes that records may still take while decoding one message.
    static BUDGET: Cell<usize> = const { Cell::new(usize::MAX) };
    /// Objects and arrays being decoded, outermost to innermost.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Objects and arrays may nest this deep (serde_json alone allows 128): deeper input is refused
/// with an error before it can exhaust a small stack (256 KiB is enough, even in debug builds).
pub const MAX_DEPTH: u32 = 96;

/// One level of nesting, left when dropped.
pub(crate) struct Depth;

impl Depth {
    pub(crate) fn enter<E: de::Error>() -> Result<Depth, E> {
        DEPTH.with(|d| {
            let n = d.get() + 1;
            if n > MAX_DEPTH {
                Err(E::custom(format_args!(
                    "objects and arrays nested deeper than {MAX_DEPTH} levels"
                )))
            } else {
                d.set(n);
                Ok(Depth)
            }
        })
    }
}

impl Drop for Depth {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Any JSON, read with the same nesting limit as typed values.
pub(crate) struct Any(pub(crate) Value);

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyVisitor).map(Any)
    }
}

/// Builds a `Value` like serde_json's own, counting nesting.
pub(crate) struct AnyVisitor;

impl<'de> Visitor<'de> for AnyVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(AnyVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let _depth = Depth::enter()?;
        let mut items = Vec::new();
        while let Some(Any(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let _depth = Depth::enter()?;
        let mut obj = JsonObject::new();
        while let Some(k) = map.next_key::<String>()? {
            let Any(v) = map.next_value()?;
            obj.insert(k, v);
        }
        Ok(Value::Object(obj))
    }
}

fn push_step(step: Step) {
    PATH.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < MAX_PATH {
            p.push(step);
        }
    });
}

pub(crate) fn push_key(key: &str) {
    push_step(Step::Key(key.to_owned()));
}

fn push_index(i: usize) {
    push_step(Step::Index(i));
}

/// Decoding of one message: clears the error path and sets the budget for `len` input bytes;
/// the budget is lifted again when this is dropped.
pub(crate) struct Session;

/// Decoded records may take this many bytes for every byte of input, plus [`BUDGET_FLOOR`].
pub const BUDGET_PER_BYTE: usize = 8;
/// Decoded records may always take this many bytes.
pub const BUDGET_FLOOR: usize = 4 << 20;

impl Session {
    pub(crate) fn start(len: usize) -> Session {
        PATH.with(|p| p.borrow_mut().clear());
        DEPTH.with(|d| d.set(0));
        BUDGET.with(|b| b.set(BUDGET_FLOOR.saturating_add(len.saturating_mul(BUDGET_PER_BYTE))));
        Session
    }

    /// The path to the error being reported, outermost first.
    pub(crate) fn take_path(&self) -> Vec<Step> {
        PATH.with(|p| {
            let mut p = p.borrow_mut();
            let mut steps = std::mem::take(&mut *p);
            steps.reverse();
            steps
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        BUDGET.with(|b| b.set(usize::MAX));
    }
}

/// Takes `bytes` from the budget, or fails: a message of `{}` objects must not expand into
/// gigabytes of default records.
fn charge<E: de::Error>(bytes: usize) -> Result<(), E> {
    BUDGET.with(|b| {
        let left = b.get();
        if left == usize::MAX {
            return Ok(());
        }
        match left.checked_sub(bytes) {
            Some(rest) => {
                b.set(rest);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "the message expands to more than {BUDGET_PER_BYTE} bytes of records per byte \
                 of JSON (plus {} MiB); it is refused",
                BUDGET_FLOOR >> 20
            ))),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The trait every field type implements.

/// A value that decodes in place from JSON and encodes back to the same JSON.
pub trait Wire: Default {
    /// Decodes into `self`, which holds `Default::default()`; notes how the value arrived.
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error>;
    /// Encodes in the form `note` recorded.
    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error>;
}

/// Decodes a value into a slot.
struct Slot<'a, T>(&'a mut T, &'a mut Note);

impl<'de, T: Wire> DeserializeSeed<'de> for Slot<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.decode(d, self.1)
    }
}

/// A value with its note, as `Serialize`.
struct Noted<'a, T>(&'a T, &'a Note);

impl<T: Wire> Serialize for Noted<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.encode(s, self.1)
    }
}

/// `Serialize` through [`Wire`].
pub fn serialize<T: Wire, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    v.encode(s, &EMPTY_NOTE)
}

/// `Deserialize` through [`Wire`].
pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    let mut v = T::default();
    v.decode(d, &mut Note::default())?;
    Ok(v)
}

macro_rules! plain_wire {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, _: &mut Note) -> Result<(), D::Error> {
                *self = <$t>::deserialize(d)?;
                Ok(())
            }
            fn encode<S: Serializer>(&self, s: S, _: &Note) -> Result<S::Ok, S::Error> {
                self.serialize(s)
            }
        }
    )*};
}

plain_wire!(bool, String);

impl Wire for Value {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, _: &mut Note) -> Result<(), D::Error> {
        *self = d.deserialize_any(AnyVisitor)?;
        Ok(())
    }
    fn encode<S: Serializer>(&self, s: S, _: &Note) -> Result<S::Ok, S::Error> {
        self.serialize(s)
    }
}

impl Wire for JsonObject {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, _: &mut Note) -> Result<(), D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<JsonObject, A::Error> {
                match AnyVisitor.visit_map(map)? {
                    Value::Object(obj) => Ok(obj),
                    _ => Err(de::Error::custom("expected a JSON object")),
                }
            }
        }
        *self = d.deserialize_map(V)?;
        Ok(())
    }
    fn encode<S: Serializer>(&self, s: S, _: &Note) -> Result<S::Ok, S::Error> {
        self.serialize(s)
    }
}

#[cfg(feature = "chrono")]
plain_wire!(chrono::DateTime<chrono::Utc>);

/// Integers: JSON numbers, or strings holding one (as some cores send them).
macro_rules! int_wire {
    ($($t:ty: $what:literal),*) => {$(
        impl Wire for $t {
            fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
                struct V<'a>(&'a mut $t, &'a mut Note);
                impl Visitor<'_> for V<'_> {
                    type Value = ();
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
                        *self.0 = <$t>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?;
                        Ok(())
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
                        *self.0 = <$t>::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))?;
                        Ok(())
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
                        let n = v.parse::<$t>().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))?;
                        *self.0 = n;
                        self.1.flags |= QUOTED;
                        if itoa::Buffer::new().format(n) != v {
                            self.1.extra_mut().text = Some(v.to_owned());
                        }
                        Ok(())
                    }
                }
                d.deserialize_any(V(self, note))
            }
            fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
                if !note.has(QUOTED) {
                    return self.serialize(s);
                }
                match note.text() {
                    // Not canonical ("+7", "007"): the same text while it still means this value.
                    Some(t) if t.parse::<$t>().ok() == Some(*self) => s.serialize_str(t),
                    _ => s.serialize_str(itoa::Buffer::new().format(*self)),
                }
            }
        }
    )*};
}

int_wire!(
    i64: "a 64-bit integer (a number or a string holding one)",
    u32: "a 32-bit unsigned integer (a number or a string holding one)"
);

impl Wire for f64 {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
        struct V<'a>(&'a mut f64, &'a mut Note);
        impl Visitor<'_> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
                *self.0 = v;
                Ok(())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
                *self.0 = v as f64;
                self.1.flags |= INTEGRAL;
                Ok(())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
                *self.0 = v as f64;
                self.1.flags |= INTEGRAL;
                Ok(())
            }
        }
        d.deserialize_any(V(self, note))
    }

    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
        // Written as an integer when it arrived as one and still is one (`"scale": 1`).
        const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
        if note.has(INTEGRAL) && self.fract() == 0.0 && self.abs() <= LIMIT {
            if *self >= 0.0 {
                s.serialize_u64(*self as u64)
            } else {
                s.serialize_i64(*self as i64)
            }
        } else {
            s.serialize_f64(*self)
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
        (**self).decode(d, note)
    }
    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
        (**self).encode(s, note)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
        struct V<'a, T>(&'a mut Option<T>, &'a mut Note);
        impl<'de, T: Wire> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<(), E> {
                *self.0 = None;
                self.1.flags |= NULL;
                Ok(())
            }
            fn visit_unit<E: de::Error>(self) -> Result<(), E> {
                self.visit_none()
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                self.0.get_or_insert_with(T::default).decode(d, self.1)
            }
        }
        d.deserialize_option(V(self, note))
    }
    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.encode(s, note),
            None => s.serialize_none(),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
        struct V<'a, T>(&'a mut Vec<T>, &'a mut Note);
        impl<'de, T: Wire> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                let _depth = Depth::enter()?;
                self.0.clear();
                loop {
                    let i = self.0.len();
                    let mut item = Note::default();
                    match seq.next_element_seed(Item(self.0, &mut item)) {
                        Ok(Some(())) => {}
                        Ok(None) => return Ok(()),
                        Err(e) => {
                            push_index(i);
                            return Err(e);
                        }
                    }
                    if !item.is_empty() {
                        self.1.set_item(i, item);
                    }
                }
            }
        }
        d.deserialize_seq(V(self, note))
    }
    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for (i, v) in self.iter().enumerate() {
            seq.serialize_element(&Noted(v, note.item(i)))?;
        }
        seq.end()
    }
}

/// Decodes one array item into a new last element.
struct Item<'a, T>(&'a mut Vec<T>, &'a mut Note);

impl<'de, T: Wire> DeserializeSeed<'de> for Item<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.push(T::default());
        match self.0.last_mut() {
            Some(last) => last.decode(d, self.1),
            None => Ok(()),
        }
    }
}

impl<T: Wire> Wire for BTreeMap<String, T> {
    fn decode<'de, D: Deserializer<'de>>(&mut self, d: D, note: &mut Note) -> Result<(), D::Error> {
        struct V<'a, T>(&'a mut BTreeMap<String, T>, &'a mut Note);
        impl<'de, T: Wire> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let _depth = Depth::enter()?;
                self.0.clear();
                while let Some(key) = map.next_key::<String>()? {
                    let mut value = T::default();
                    let mut item = Note::default();
                    if let Err(e) = map.next_value_seed(Slot(&mut value, &mut item)) {
                        push_key(&key);
                        return Err(e);
                    }
                    if item.is_empty() {
                        if let Some(e) = &mut self.1.extra {
                            e.keys.remove(&key);
                        }
                    } else {
                        self.1.extra_mut().keys.insert(key.clone(), item);
                    }
                    self.0.insert(key, value);
                }
                Ok(())
            }
        }
        d.deserialize_map(V(self, note))
    }
    fn encode<S: Serializer>(&self, s: S, note: &Note) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            m.serialize_entry(k, &Noted(v, note.key(k)))?;
        }
        m.end()
    }
}

// ---------------------------------------------------------------------------------------------
// Object keys.

/// An object key, borrowed from the input when it has no escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads the value of `key` as `T`, adding `key` to the error path on failure.
pub(crate) fn value_at<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    key: &str,
) -> Result<T, A::Error> {
    map.next_value().inspect_err(|_| push_key(key))
}

/// Decodes the value of `key` through [`Wire`], adding `key` to the error path on failure.
pub(crate) fn wire_at<'de, A: MapAccess<'de>, T: Wire>(
    map: &mut A,
    key: &str,
) -> Result<T, A::Error> {
    let mut v = T::default();
    map.next_value_seed(Slot(&mut v, &mut Note::default()))
        .inspect_err(|_| push_key(key))?;
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Records.

/// A generated struct decoded from a JSON object (a record, a union member, a response or an
/// event, or a command's parameters).
pub trait Record: Sized {
    /// The upstream name, for messages.
    const NAME: &'static str;
    /// The `"type"` tag written before the fields (union members, responses, events).
    const TAG: Option<&'static str>;
    /// Wire names of the fields, in order.
    const FIELDS: &'static [&'static str];
    /// Bit `i` set when field `i` is required.
    const REQUIRED: u128;
    /// Documented parameters the command string has no place for (commands only), each with
    /// whether `false` is its default: they are accepted at their default (`false`, or null)
    /// and refused otherwise.
    const IGNORED: &'static [(&'static str, bool)] = &[];
    /// True for commands: unknown and missing fields are errors, nothing is kept.
    const STRICT: bool = false;
    /// All of the above, as data.
    const INFO: RecordInfo = RecordInfo {
        name: Self::NAME,
        tag: Self::TAG,
        fields: Self::FIELDS,
        required: Self::REQUIRED,
        ignored: Self::IGNORED,
        strict: Self::STRICT,
        size: std::mem::size_of::<Self>(),
    };

    /// Decodes the value of `key` into its field; false when `key` is not a field.
    fn decode_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        fields: &mut Fields,
    ) -> Result<bool, A::Error>;

    /// Writes the fields.
    fn encode_fields<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error>;

    /// Kept unknown fields (none for commands).
    fn extra_mut(&mut self) -> Option<&mut JsonObject>;
    /// Kept unknown fields (none for commands).
    fn extra(&self) -> Option<&JsonObject>;
    /// The decode notes (none for commands).
    fn meta_mut(&mut self) -> Option<&mut Meta>;
    /// The decode notes (none for commands).
    fn meta(&self) -> Option<&Meta>;
}

/// Which fields of a record being decoded have arrived, and their notes.
#[derive(Default)]
pub struct Fields {
    seen: u128,
    notes: Vec<(u16, Note)>,
}

/// Decodes field `i` (wire name `wire`) into `slot`. A repeated key replaces the earlier
/// value, as in `serde_json::Value`.
#[inline(never)]
pub fn field<'de, A: MapAccess<'de>, T: Wire>(
    map: &mut A,
    slot: &mut T,
    i: u16,
    wire: &'static str,
    fields: &mut Fields,
) -> Result<(), A::Error> {
    if fields.seen & (1u128 << i) != 0 {
        repeated(slot, i, fields);
    }
    fields.seen |= 1u128 << i;
    let mut note = Note::default();
    if let Err(e) = map.next_value_seed(Slot(slot, &mut note)) {
        push_key(wire);
        return Err(e);
    }
    if !note.is_empty() {
        fields.notes.push((i, note));
    }
    Ok(())
}

/// A field that arrives a second time starts over.
#[inline(never)]
fn repeated<T: Wire>(slot: &mut T, i: u16, fields: &mut Fields) {
    *slot = T::default();
    forget_note(i, fields);
}

fn forget_note(i: u16, fields: &mut Fields) {
    fields.notes.retain(|(j, _)| *j != i);
}

/// What decoding a record needs to know besides its fields, as data: one decoder serves
/// every record (only the per-field match is per type).
pub struct RecordInfo {
    name: &'static str,
    tag: Option<&'static str>,
    fields: &'static [&'static str],
    required: u128,
    ignored: &'static [(&'static str, bool)],
    strict: bool,
    size: usize,
}

/// A record being decoded, seen through its entries only.
trait Entries<'de, A: MapAccess<'de>> {
    fn entry(&mut self, key: &str, map: &mut A, fields: &mut Fields) -> Result<bool, A::Error>;
    fn extra(&mut self) -> Option<&mut JsonObject>;
    fn meta(&mut self) -> Option<&mut Meta>;
}

impl<'de, A: MapAccess<'de>, R: Record> Entries<'de, A> for R {
    fn entry(&mut self, key: &str, map: &mut A, fields: &mut Fields) -> Result<bool, A::Error> {
        self.decode_entry(key, map, fields)
    }
    fn extra(&mut self) -> Option<&mut JsonObject> {
        self.extra_mut()
    }
    fn meta(&mut self) -> Option<&mut Meta> {
        self.meta_mut()
    }
}

/// Decodes the (remaining) entries of an object into `r`.
pub fn decode_fields<'de, R: Record, A: MapAccess<'de>>(
    r: &mut R,
    map: &mut A,
) -> Result<(), A::Error> {
    decode_entries(r, &R::INFO, map).map(drop)
}

/// The loop over an object's entries, for every record. It holds only the key and the arrival
/// bookkeeping; everything rare is in functions of its own, so that this frame stays small at
/// every level of a deep message.
///
/// Gives the set of fields that arrived (bit `i` for field `i`).
fn decode_entries<'de, A: MapAccess<'de>>(
    r: &mut dyn Entries<'de, A>,
    info: &RecordInfo,
    map: &mut A,
) -> Result<u128, A::Error> {
    charge(info.size)?;
    let mut fields = Fields::default();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        if info.tag.is_some() && key.0 == "type" {
            same_tag(info, map)?;
        } else if !r.entry(&key.0, map, &mut fields)? {
            other_entry(r, info, key, map)?;
        }
    }
    let seen = fields.seen;
    finish(r, info, fields)?;
    Ok(seen)
}

/// A `"type"` entry inside a tagged member: it must repeat the tag.
#[inline(never)]
fn same_tag<'de, A: MapAccess<'de>>(info: &RecordInfo, map: &mut A) -> Result<(), A::Error> {
    let again: Key<'de> = value_at(map, "type")?;
    match info.tag {
        Some(tag) if again.0 != tag => Err(de::Error::custom(format_args!(
            "two different \"type\" tags: \"{tag}\" and \"{}\"",
            again.0
        ))),
        _ => Ok(()),
    }
}

/// An entry that is not a field: a command's unrendered parameter (accepted at its default),
/// kept (unknown fields of wire types) or refused (commands).
#[inline(never)]
fn other_entry<'de, A: MapAccess<'de>>(
    r: &mut dyn Entries<'de, A>,
    info: &RecordInfo,
    key: Key<'de>,
    map: &mut A,
) -> Result<(), A::Error> {
    let key = key.0;
    if let Some(&(_, false_default)) = info.ignored.iter().find(|(n, _)| *n == key.as_ref()) {
        let Any(v) = value_at(map, &key)?;
        return unrendered(info, &key, &v, false_default);
    }
    match r.extra() {
        Some(extra) => {
            let Any(v) = value_at(map, &key)?;
            extra.insert(key.into_owned(), v);
            Ok(())
        }
        None => Err(de::Error::unknown_field(&key, info.fields)),
    }
}

/// A documented parameter that the command string has no place for: fine at its default (null,
/// or `false` for a flag), an error otherwise, since the core would never receive it.
fn unrendered<E: de::Error>(
    info: &RecordInfo,
    key: &str,
    v: &Value,
    false_default: bool,
) -> Result<(), E> {
    if v.is_null() || (false_default && *v == Value::Bool(false)) {
        return Ok(());
    }
    let shown = match v {
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::String(s) if s.len() <= 40 => v.to_string(),
        _ => "a value".to_owned(),
    };
    Err(E::custom(format_args!(
        "`{key}` is set to {shown}, but the command string of {} has no place for it: the core \
         would never receive it (leave it out{})",
        info.name,
        if false_default {
            ", or set it to false"
        } else {
            ""
        }
    )))
}

/// Records what arrived how, or (commands) refuses a missing parameter.
#[inline(never)]
fn finish<'de, A: MapAccess<'de>>(
    r: &mut dyn Entries<'de, A>,
    info: &RecordInfo,
    fields: Fields,
) -> Result<(), A::Error> {
    let absent = info.required & !fields.seen;
    if info.strict {
        if absent != 0 {
            let i = absent.trailing_zeros() as usize;
            return Err(de::Error::missing_field(info.fields[i]));
        }
        return Ok(());
    }
    if absent != 0 || !fields.notes.is_empty() {
        if let Some(meta) = r.meta() {
            meta.0 = Some(Box::new(MetaInner {
                absent,
                moved: 0,
                notes: fields.notes,
            }));
        }
    }
    Ok(())
}

/// Decodes a record from a JSON object.
pub fn decode_record<'de, R: Record, D: Deserializer<'de>>(
    r: &mut R,
    d: D,
) -> Result<(), D::Error> {
    struct V<'a, R>(&'a mut R);
    impl<'de, R: Record> Visitor<'de> for V<'_, R> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a `{}` object", R::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let _depth = Depth::enter()?;
            decode_fields(self.0, &mut map)
        }
    }
    d.deserialize_map(V(r))
}

/// Writes field `i` of a record: a required one unless the core had left it out, an optional
/// one when it is `Some` (or was an explicit `null`).
pub fn encode_required<M: SerializeMap, T: Wire>(
    m: &mut M,
    meta: Option<&Meta>,
    i: u16,
    wire: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    match meta {
        Some(meta) if meta.left_out(i) => Ok(()),
        Some(meta) => m.serialize_entry(wire, &Noted(value, meta.note(i))),
        None => m.serialize_entry(wire, &Noted(value, &EMPTY_NOTE)),
    }
}

/// See [`encode_required`].
pub fn encode_optional<M: SerializeMap, T: Wire>(
    m: &mut M,
    meta: Option<&Meta>,
    i: u16,
    wire: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    if meta.is_some_and(|meta| meta.is_moved(i)) {
        return Ok(());
    }
    let note = meta.map_or(&EMPTY_NOTE, |meta| meta.note(i));
    match value {
        Some(v) => m.serialize_entry(wire, &Noted(v, note)),
        None if note.has(NULL) => m.serialize_entry(wire, &()),
        None => Ok(()),
    }
}

/// Encodes a record: its tag, its fields, then the unknown fields it kept.
pub fn encode_record<R: Record, S: Serializer>(r: &R, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    if let Some(tag) = R::TAG {
        m.serialize_entry("type", tag)?;
    }
    r.encode_fields(&mut m)?;
    encode_extra(&mut m, r.extra())?;
    m.end()
}

// ---------------------------------------------------------------------------------------------
// Records that older cores sent as pairs (`wire_shape` overrides).

/// Decodes a record that may also arrive as a pair `[object, value]`: the object without field
/// `i`, and that field's value beside it (a v6.3 core lists its groups as
/// `[[GroupInfo without groupSummary, GroupSummary], ...]`). How it arrived is kept, so that it
/// encodes back to the same shape.
pub fn decode_record_or_pair<'de, R: Record, T: Wire, D: Deserializer<'de>>(
    r: &mut R,
    d: D,
    i: u16,
    field: fn(&mut R) -> &mut T,
) -> Result<(), D::Error> {
    struct V<'a, R, T>(&'a mut R, u16, fn(&mut R) -> &mut T);
    impl<'de, R: Record, T: Wire> Visitor<'de> for V<'_, R, T> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(
                f,
                "a `{}` object, or the pair [object without \"{}\", its value]",
                R::NAME,
                R::FIELDS.get(usize::from(self.1)).copied().unwrap_or("?")
            )
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let _depth = Depth::enter()?;
            decode_fields(self.0, &mut map)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let _depth = Depth::enter()?;
            let V(r, i, field) = self;
            let seen = match seq.next_element_seed(PairObject(&mut *r)) {
                Ok(Some(seen)) => seen,
                Ok(None) => return Err(not_a_pair::<R, A::Error>(i, 0)),
                Err(e) => {
                    push_index(0);
                    return Err(e);
                }
            };
            if seen & (1u128 << i) != 0 {
                push_index(0);
                return Err(de::Error::custom(format_args!(
                    "\"{}\" is both inside the object and beside it",
                    R::FIELDS.get(usize::from(i)).copied().unwrap_or("?")
                )));
            }
            let mut note = Note::default();
            match seq.next_element_seed(Slot(field(&mut *r), &mut note)) {
                Ok(Some(())) => {}
                Ok(None) => return Err(not_a_pair::<R, A::Error>(i, 1)),
                Err(e) => {
                    push_index(1);
                    return Err(e);
                }
            }
            if seq.next_element::<de::IgnoredAny>()?.is_some() {
                push_index(2);
                return Err(de::Error::custom(format_args!(
                    "a `{}` pair has two elements, not more",
                    R::NAME
                )));
            }
            moved_beside(r, i, note);
            Ok(())
        }
    }
    d.deserialize_any(V(r, i, field))
}

/// The first element of a pair: the object, giving which fields arrived.
struct PairObject<'a, R>(&'a mut R);

impl<'de, R: Record> DeserializeSeed<'de> for PairObject<'_, R> {
    type Value = u128;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u128, D::Error> {
        struct V<'a, R>(&'a mut R);
        impl<'de, R: Record> Visitor<'de> for V<'_, R> {
            type Value = u128;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a `{}` object", R::NAME)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u128, A::Error> {
                let _depth = Depth::enter()?;
                decode_entries(self.0, &R::INFO, &mut map)
            }
        }
        d.deserialize_map(V(self.0))
    }
}

#[inline(never)]
fn not_a_pair<R: Record, E: de::Error>(i: u16, len: usize) -> E {
    E::custom(format_args!(
        "an array of {len} element(s) where a `{}` object or the pair [object without \"{}\", \
         its value] was expected",
        R::NAME,
        R::FIELDS.get(usize::from(i)).copied().unwrap_or("?")
    ))
}

/// Field `i` arrived beside the object: it is not absent, and it is written back there.
#[inline(never)]
fn moved_beside<R: Record>(r: &mut R, i: u16, note: Note) {
    if let Some(meta) = r.meta_mut() {
        let inner = meta.0.get_or_insert_with(Default::default);
        inner.absent &= !(1u128 << i);
        inner.moved |= 1u128 << i;
        if !note.is_empty() {
            inner.notes.push((i, note));
        }
    }
}

/// Encodes a record decoded by [`decode_record_or_pair`] in the shape it arrived in.
pub fn encode_record_or_pair<R: Record, T: Wire, S: Serializer>(
    r: &R,
    s: S,
    i: u16,
    field: fn(&R) -> &T,
) -> Result<S::Ok, S::Error> {
    match r.meta() {
        Some(meta) if meta.is_moved(i) => {
            let mut seq = s.serialize_seq(Some(2))?;
            seq.serialize_element(&AsRecord(r))?;
            seq.serialize_element(&Noted(field(r), meta.note(i)))?;
            seq.end()
        }
        _ => encode_record(r, s),
    }
}

/// A record's object, as `Serialize`.
struct AsRecord<'a, R>(&'a R);

impl<R: Record> Serialize for AsRecord<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        encode_record(self.0, s)
    }
}

/// Writes kept unknown fields (once for every record, not once per record type).
fn encode_extra<M: SerializeMap>(m: &mut M, extra: Option<&JsonObject>) -> Result<(), M::Error> {
    for (k, v) in extra.into_iter().flatten() {
        m.serialize_entry(k, v)?;
    }
    Ok(())
}

/// The visit methods of a visitor `V(&mut T, ..)` for JSON scalars the type does not document:
/// kept whole, as `T::undocumented`.
macro_rules! keep_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
            *self.0 = T::undocumented(v.into());
            Ok(())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
            *self.0 = T::undocumented(v.into());
            Ok(())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
            *self.0 = T::undocumented(v.into());
            Ok(())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
            *self.0 = T::undocumented(v.into());
            Ok(())
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            *self.0 = T::undocumented(Value::Null);
            Ok(())
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Enums of strings.

/// A generated enum of JSON strings.
pub trait StrEnum: Default {
    /// The upstream name, for messages.
    const NAME: &'static str;
    /// The documented values.
    const VALUES: &'static [&'static str];
    /// The documented value this is (`None` for an undocumented one).
    fn wire(&self) -> Option<&'static str>;
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
pub fn decode_enum<'de, T: StrEnum, D: Deserializer<'de>>(
    slot: &mut T,
    d: D,
    note: &mut Note,
) -> Result<(), D::Error> {
    struct V<'a, T>(&'a mut T, &'a mut Note);
    impl<'de, T: StrEnum> Visitor<'de> for V<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a `{}` string", T::NAME)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
            *self.0 = match T::from_wire(v) {
                Some(value) => value,
                None => other_case(v, self.1),
            };
            Ok(())
        }
        keep_scalars!();
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
            *self.0 = T::undocumented(AnyVisitor.visit_map(map)?);
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
            *self.0 = T::undocumented(AnyVisitor.visit_seq(seq)?);
            Ok(())
        }
    }
    d.deserialize_any(V(slot, note))
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

/// Encodes a [`StrEnum`] as it arrived: in the case it was written in, while it still names
/// the same value.
pub fn encode_enum<T: StrEnum + Serialize, S: Serializer>(
    v: &T,
    s: S,
    note: &Note,
) -> Result<S::Ok, S::Error> {
    match (note.text(), v.wire()) {
        (Some(text), Some(wire)) if text.eq_ignore_ascii_case(wire) => s.serialize_str(text),
        _ => v.serialize(s),
    }
}

// ---------------------------------------------------------------------------------------------
// Discriminated unions (and the response and event sets).

/// A generated enum over objects tagged by `"type"`.
pub trait Union: Default {
    /// The upstream name, for messages.
    const NAME: &'static str;
    /// The documented tags.
    const TAGS: &'static [&'static str];
    /// Decodes the member tagged `tag` from the rest of the object into `slot`; false when
    /// `tag` is not documented (the entries are then still unread).
    fn decode_member<'de, A: MapAccess<'de>>(
        tag: &str,
        map: &mut A,
        slot: &mut Self,
    ) -> Result<bool, A::Error>;
    /// The member without fields that a bare string names (older cores sent some unions as
    /// strings: `"ready"` for `{"type":"ready"}`).
    fn from_bare(s: &str) -> Option<Self>;
    /// Any other JSON, kept.
    fn undocumented(v: Value) -> Self;
    /// Encodes the value as an object (or the undocumented JSON).
    fn encode_member<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// The tag of a documented member.
    fn documented_tag(&self) -> Option<&'static str>;
}

/// Decodes a member struct from the rest of its object, on the heap.
#[inline(never)]
pub fn member<'de, M: Record + Default, A: MapAccess<'de>>(
    map: &mut A,
) -> Result<Box<M>, A::Error> {
    let mut b = Box::<M>::default();
    decode_fields(&mut *b, map)?;
    Ok(b)
}

/// Reads the rest of the object of a member without fields: `None` when nothing else is
/// there, otherwise the whole object (it is then kept as undocumented, so that nothing is lost).
#[inline(never)]
pub fn unit_member<'de, A: MapAccess<'de>>(
    tag: &str,
    map: &mut A,
) -> Result<Option<Value>, A::Error> {
    let mut obj: Option<JsonObject> = None;
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let Any(v) = value_at(map, &key.0)?;
        if key.0 == "type" && v.as_str() == Some(tag) {
            continue;
        }
        obj.get_or_insert_with(JsonObject::new)
            .insert(key.0.into_owned(), v);
    }
    Ok(obj.map(|mut obj| {
        obj.insert("type".to_owned(), Value::String(tag.to_owned()));
        Value::Object(obj)
    }))
}

fn rest_of_object<'de, A: MapAccess<'de>>(
    mut obj: JsonObject,
    map: &mut A,
) -> Result<JsonObject, A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let Any(v) = value_at(map, &key.0)?;
        obj.insert(key.0.into_owned(), v);
    }
    Ok(obj)
}

/// Decodes a union: from the `"type"` tag when it is the first key (as the core writes it);
/// otherwise the object is read whole and decoded again from its text with every `"type"`
/// moved first, so that nested unions take the first path (linear time overall).
pub fn decode_union<'de, T: Union, D: Deserializer<'de>>(
    slot: &mut T,
    d: D,
    note: &mut Note,
) -> Result<(), D::Error> {
    struct V<'a, T>(&'a mut T, &'a mut Note);
    impl<'de, T: Union> Visitor<'de> for V<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a `{}` object tagged by \"type\"", T::NAME)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
            match T::from_bare(v) {
                Some(m) => {
                    *self.0 = m;
                    self.1.flags |= BARE;
                    self.1.extra_mut().text = Some(v.to_owned());
                }
                None => *self.0 = T::undocumented(Value::String(v.to_owned())),
            }
            Ok(())
        }
        keep_scalars!();
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
            *self.0 = T::undocumented(AnyVisitor.visit_seq(seq)?);
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let _depth = Depth::enter()?;
            let Some(first) = map.next_key::<Key<'de>>()? else {
                *self.0 = T::undocumented(Value::Object(JsonObject::new()));
                return Ok(());
            };
            if first.0 != "type" {
                return match buffer(first, &mut map)? {
                    Buffered::Text(text) => redecode(self.0, &text, self.1),
                    Buffered::Whole(obj) => {
                        *self.0 = T::undocumented(Value::Object(obj));
                        Ok(())
                    }
                };
            }
            let tag: Key<'de> = match map.next_value::<TagOrValue<'de>>() {
                Ok(TagOrValue::Tag(tag)) => tag,
                Ok(TagOrValue::Value(v)) => {
                    *self.0 = T::undocumented(tagged_rest(v, &mut map)?);
                    return Ok(());
                }
                Err(e) => {
                    push_key("type");
                    return Err(e);
                }
            };
            if !T::decode_member(&tag.0, &mut map, self.0)? {
                let tag = Value::String(tag.0.into_owned());
                *self.0 = T::undocumented(tagged_rest(tag, &mut map)?);
            }
            Ok(())
        }
    }
    d.deserialize_any(V(slot, note))
}

/// A `"type"` value: a string (borrowed when possible), or any other JSON.
enum TagOrValue<'de> {
    Tag(Key<'de>),
    Value(Value),
}

impl<'de> Deserialize<'de> for TagOrValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TagOrValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tag")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TagOrValue::Tag(Key(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TagOrValue::Tag(Key(Cow::Owned(v.to_owned()))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(TagOrValue::Value(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(TagOrValue::Value(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(TagOrValue::Value(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(TagOrValue::Value(v.into()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TagOrValue::Value(Value::Null))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                AnyVisitor.visit_map(map).map(TagOrValue::Value)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                AnyVisitor.visit_seq(seq).map(TagOrValue::Value)
            }
        }
        d.deserialize_any(V)
    }
}

/// An object whose tag the union does not know (or that is not a string): kept whole.
#[inline(never)]
fn tagged_rest<'de, A: MapAccess<'de>>(tag: Value, map: &mut A) -> Result<Value, A::Error> {
    let mut obj = JsonObject::new();
    obj.insert("type".to_owned(), tag);
    Ok(Value::Object(rest_of_object(obj, map)?))
}

/// An object whose tag is not its first key, read whole.
enum Buffered {
    /// Its text with every `"type"` first, to decode again.
    Text(String),
    /// No string tag: kept as it is.
    Whole(JsonObject),
}

/// Reads the rest of an object whose tag is not its first key, as raw text (nothing is built
/// but the text). Decoding it again from that text with every `"type"` moved first makes nested
/// unions take the direct path: each byte is read a fixed number of times, whatever the depth.
#[inline(never)]
fn buffer<'de, A: MapAccess<'de>>(first: Key<'de>, map: &mut A) -> Result<Buffered, A::Error> {
    // The entries, each already rewritten, and the tag's entry apart so that it goes first.
    let mut entries = String::new();
    let mut tag: Option<String> = None;
    let mut too_deep = false;
    let mut entry = |key: &str, raw: &serde_json::value::RawValue| {
        let mut e = String::with_capacity(key.len() + raw.get().len() + 4);
        push_json_string(&mut e, key);
        e.push(':');
        let mut pos = 0;
        too_deep |= rewrite(raw.get(), &mut pos, &mut e, MAX_DEPTH).is_none();
        if key == "type" && raw.get().starts_with('"') {
            tag = Some(e);
        } else {
            if !entries.is_empty() {
                entries.push(',');
            }
            entries.push_str(&e);
        }
    };
    // Owned raw text: any deserializer gives it (a `Value` too), not only borrowing ones.
    let raw: Box<serde_json::value::RawValue> = value_at(map, &first.0)?;
    entry(&first.0, &raw);
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let raw: Box<serde_json::value::RawValue> = value_at(map, &key.0)?;
        entry(&key.0, &raw);
    }
    if too_deep {
        return Err(de::Error::custom(format_args!(
            "objects and arrays nested deeper than {MAX_DEPTH} levels"
        )));
    }
    if let Some(tag) = tag {
        let mut text = String::with_capacity(tag.len() + entries.len() + 3);
        text.push('{');
        text.push_str(&tag);
        if !entries.is_empty() {
            text.push(',');
            text.push_str(&entries);
        }
        text.push('}');
        return Ok(Buffered::Text(text));
    }
    let text = format!("{{{entries}}}");
    let mut de = serde_json::Deserializer::from_str(&text);
    match de.deserialize_any(AnyVisitor) {
        Ok(Value::Object(obj)) => Ok(Buffered::Whole(obj)),
        Ok(_) => Ok(Buffered::Whole(JsonObject::new())),
        Err(e) => Err(de::Error::custom(message_of(&e))),
    }
}

/// Appends `s` as a JSON string.
fn push_json_string(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// `json` (valid JSON, as serde_json checked it) with the `"type"` entry first in every
/// object, without whitespace, everything else unchanged.
#[cfg(test)]
fn type_first(json: &str) -> Option<String> {
    let mut out = String::with_capacity(json.len());
    let mut pos = 0;
    rewrite(json, &mut pos, &mut out, MAX_DEPTH)?;
    Some(out)
}

// JSON text scanning, shared by the tag-last rewrite and the error locator (`envelope.rs`).

/// The position of the first byte at or after `pos` that is not JSON whitespace.
pub(crate) fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The position after the string starting at `pos` (`None` when there is none, or it is not
/// closed).
pub(crate) fn skip_string(b: &[u8], pos: usize) -> Option<usize> {
    if *b.get(pos)? != b'"' {
        return None;
    }
    let mut i = pos + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The position after the value starting at `pos` (iterative, so any nesting is fine).
pub(crate) fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match *b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match *b.get(i)? {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Copies the value at `pos` into `out`, moving `"type"` first in its objects; `None` when it
/// nests deeper than `depth` (decoding would refuse it anyway).
fn rewrite(json: &str, pos: &mut usize, out: &mut String, depth: u32) -> Option<()> {
    let b = json.as_bytes();
    *pos = skip_ws(b, *pos);
    match b.get(*pos) {
        Some(&open @ (b'{' | b'[')) => {
            let depth = depth.checked_sub(1)?;
            let close = if open == b'{' { b'}' } else { b']' };
            out.push(open as char);
            *pos += 1;
            let start = out.len();
            let mut first = true;
            loop {
                *pos = skip_ws(b, *pos);
                match b.get(*pos) {
                    Some(&c) if c == close => {
                        *pos += 1;
                        break;
                    }
                    Some(b',') => {
                        *pos += 1;
                        continue;
                    }
                    None => break,
                    _ => {}
                }
                let entry = out.len();
                if !first {
                    out.push(',');
                }
                let mut is_tag = false;
                if open == b'{' {
                    let end = skip_string(b, *pos).unwrap_or(b.len());
                    let key = &json[*pos..end];
                    is_tag = key == "\"type\""
                        || (key.contains('\\')
                            && serde_json::from_str::<String>(key).is_ok_and(|k| k == "type"));
                    out.push_str(key);
                    *pos = skip_ws(b, end) + 1; // after the `:`
                    out.push(':');
                }
                rewrite(json, pos, out, depth)?;
                if is_tag && !first {
                    // Move this entry (without its comma) to the front of the object.
                    let moved = out[entry + 1..].to_owned();
                    out.truncate(entry);
                    out.insert(start, ',');
                    out.insert_str(start, &moved);
                }
                first = false;
            }
            out.push(close as char);
        }
        Some(_) => {
            // A string or a scalar, copied as it is.
            let end = skip_value(b, *pos).unwrap_or(b.len());
            out.push_str(&json[*pos..end]);
            *pos = end;
        }
        None => {}
    }
    Some(())
}

/// Decodes a buffered union from its text.
fn redecode<T: Union, E: de::Error>(slot: &mut T, text: &str, note: &mut Note) -> Result<(), E> {
    from_text(text, &mut |de| decode_union(&mut *slot, de, &mut *note))
}

/// Runs `decode` on a deserializer over `text` (once for every type, not once per type).
#[inline(never)]
fn from_text<E: de::Error>(
    text: &str,
    decode: &mut dyn FnMut(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    ) -> Result<(), serde_json::Error>,
) -> Result<(), E> {
    let mut de = serde_json::Deserializer::from_str(text);
    decode(&mut de).map_err(|e| E::custom(message_of(&e)))
}

/// Encodes a union in the form it arrived in.
pub fn encode_union<T: Union, S: Serializer>(u: &T, s: S, note: &Note) -> Result<S::Ok, S::Error> {
    if note.has(BARE) {
        if let Some(tag) = u.documented_tag() {
            return s.serialize_str(note.text().unwrap_or(tag));
        }
    }
    u.encode_member(s)
}

/// Encodes a member without fields: `{"type": tag}`.
pub fn encode_unit<S: Serializer>(tag: &str, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry("type", tag)?;
    m.end()
}

/// The tag of an undocumented value, if it is a tagged object.
pub fn undocumented_tag(v: &Value) -> Option<&str> {
    v.get("type").and_then(Value::as_str)
}

/// Compares a bare string with a tag, ignoring case, `-` and `_` (`snd-ready` ~ `sndReady`).
pub fn loose_eq(a: &str, b: &str) -> bool {
    // Compared lazily, without allocating: decoding tries each tag of a union in turn.
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
    }
    norm(a).eq(norm(b))
}

/// serde_json's message without its position (` at line L column C`).
pub(crate) fn message_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(m) => m.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_eq_ignores_case_dashes_and_underscores() {
        assert!(loose_eq("snd-ready", "sndReady"));
        assert!(loose_eq("SND_READY", "sndReady"));
        assert!(loose_eq("-_", ""));
        assert!(!loose_eq("ready", "sndReady"));
        assert!(!loose_eq("sndReady", "snd"));
        assert!(!loose_eq("é", "É"));
    }

    fn round_trip<T: Wire>(text: &str) -> (T, String) {
        let mut v = T::default();
        let mut note = Note::default();
        let mut de = serde_json::Deserializer::from_str(text);
        v.decode(&mut de, &mut note).expect("decodes");
        let out = serde_json::to_string(&Noted(&v, &note)).expect("encodes");
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
        v.decode(
            &mut serde_json::Deserializer::from_str("\"+12\""),
            &mut note,
        )
        .expect("decodes");
        v = 13;
        assert_eq!(
            serde_json::to_string(&Noted(&v, &note)).expect("encodes"),
            "\"13\""
        );
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
        let e = v
            .decode(
                &mut serde_json::Deserializer::from_str("\"-1\""),
                &mut Note::default(),
            )
            .expect_err("negative word32");
        assert!(message_of(&e).contains("32-bit unsigned"), "{e}");
        let e = v
            .decode(
                &mut serde_json::Deserializer::from_str("1.5"),
                &mut Note::default(),
            )
            .expect_err("fraction");
        assert!(
            message_of(&e).starts_with("invalid type: floating point"),
            "{e}"
        );
    }

    #[test]
    fn type_first_moves_every_tag_first() {
        let text = r#"{"a": {"z":1, "type":"x"}, "type":"t", "b":[{"c":"}\"type\"","type":"y"}], "d":{"q":[],"typ\u0065":"u"}}"#;
        let out = type_first(text).expect("not too deep");
        assert_eq!(
            out,
            r#"{"type":"t","a":{"type":"x","z":1},"b":[{"type":"y","c":"}\"type\""}],"d":{"typ\u0065":"u","q":[]}}"#
        );
        // The same JSON value, keys aside.
        let (a, b): (Value, Value) = (
            serde_json::from_str(text).expect("json"),
            serde_json::from_str(&out).expect("json"),
        );
        assert_eq!(a, b);
    }

    #[test]
    fn messages_lose_only_their_position() {
        let e = serde_json::from_str::<u32>("\n\"x\"").expect_err("not a number");
        assert_eq!(message_of(&e), "invalid type: string \"x\", expected u32");
    }

    #[test]
    fn meta_is_invisible_to_equality() {
        let a = Meta(Some(Box::new(MetaInner {
            absent: 1,
            moved: 2,
            notes: Vec::new(),
        })));
        assert_eq!(a, Meta::default());
        assert_eq!(a.absent_fields(&["x", "y"]), vec!["x"]);
        assert!(a.left_out(0) && a.left_out(1) && !a.left_out(2));
    }
}
