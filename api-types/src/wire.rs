//! How generated types decode and encode, written once: the generated code only declares its
//! items through the macros in `macros.rs`, which call the functions here.
//!
//! Decoding reads the JSON text with the concrete [`Reader`] of `json.rs` (nothing here is
//! generic over a serde deserializer or serializer, so all of it is compiled once, in this
//! crate) and writes every value in place (into the field, the
//! vector element or the box that will hold it), so a stack frame holds no more than one small
//! struct whatever the message. What the JSON looked like beyond the values a user sees (an
//! integer sent as a string, an explicit `null`, a `double` written as an integer, a union sent
//! as a bare string, a documented field the core left out) is noted in a [`Note`] per field and
//! kept in the struct's hidden [`Meta`], so that encoding gives back the same JSON.

use std::any::Any;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserializer, Unexpected};
use serde::ser::Serializer;
use serde_json::Value;

use crate::json::Num;
pub use crate::json::{Error, Reader, Writer};
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

// ---------------------------------------------------------------------------------------------
// Error paths and the limits of one decoding.

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
}

/// Objects and arrays may nest this deep (serde_json alone allows 128): deeper input is refused
/// with an error before it can exhaust a small stack (256 KiB is enough, even in debug builds).
pub const MAX_DEPTH: u32 = 96;

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

/// Drops the innermost step pushed so far.
fn pop_step() {
    PATH.with(|p| p.borrow_mut().pop());
}

/// Decoding of one message: clears the error path and gives the reader of its `len` bytes
/// their records budget.
pub(crate) struct Session;

/// Decoded records may take this many bytes for every byte of input, plus [`BUDGET_FLOOR`].
pub const BUDGET_PER_BYTE: usize = 8;
/// Decoded records may always take this many bytes.
pub const BUDGET_FLOOR: usize = 4 << 20;

impl Session {
    pub(crate) fn start() -> Session {
        PATH.with(|p| p.borrow_mut().clear());
        Session
    }

    /// A reader over the message `text`, with its budget.
    pub(crate) fn reader<'a>(&self, text: &'a str) -> Reader<'a> {
        let budget = BUDGET_FLOOR.saturating_add(text.len().saturating_mul(BUDGET_PER_BYTE));
        Reader::new(text, budget)
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

// ---------------------------------------------------------------------------------------------
// The trait every field type implements.

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
    let mut out = String::new();
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
        // SAFETY: `text` is what `Writer` wrote for one value, which is a single well-formed
        // JSON value without whitespace around it: objects and arrays of values, every string
        // escaped as serde_json escapes it, every number written by itoa or serde_json's own
        // `Number` (non-finite floats as `null`). Debug builds check it again (serde_json
        // re-parses it there).
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

macro_rules! expect {
    ($what:literal) => {
        &crate::json::Expecting($what)
    };
}

impl Wire for bool {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.bool(expect!("a boolean"))?;
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.bool(*self);
    }
}

impl Wire for String {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.str(expect!("a string"))?.into_owned();
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.str(self);
    }
}

impl Wire for Value {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.value()?;
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.value(self);
    }
}

impl Wire for JsonObject {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        if r.peek()? != b'{' {
            return Err(r.invalid_type(expect!("a JSON object")));
        }
        if let Value::Object(obj) = r.value()? {
            *self = obj;
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.open_object();
        for (k, v) in self {
            w.key(k);
            w.value(v);
        }
        w.close_object();
    }
}

#[cfg(feature = "chrono")]
impl Wire for chrono::DateTime<chrono::Utc> {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        let s = r.str(expect!(
            "a formatted date and time string or a unix timestamp"
        ))?;
        *self = s
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .map_err(de::Error::custom)?
            .with_timezone(&chrono::Utc);
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
}

/// Integers: JSON numbers, or strings holding one (as some cores send them).
macro_rules! int_wire {
    ($($t:ty: $what:literal),*) => {$(
        impl Wire for $t {
            fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
                let exp = expect!($what);
                if r.peek()? == b'"' {
                    let v = r.string()?;
                    let n = v
                        .parse::<$t>()
                        .map_err(|_| de::Error::invalid_value(Unexpected::Str(&v), exp))?;
                    *self = n;
                    note.flags |= QUOTED;
                    if itoa::Buffer::new().format(n) != v {
                        note.extra_mut().text = Some(v.into_owned());
                    }
                    return Ok(());
                }
                if !r.at_number()? {
                    return Err(r.invalid_type(exp));
                }
                *self = match r.num()? {
                    Num::U(v) => <$t>::try_from(v)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(v), exp))?,
                    Num::I(v) => <$t>::try_from(v)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Signed(v), exp))?,
                    Num::F(v) => return Err(de::Error::invalid_type(Unexpected::Float(v), exp)),
                };
                Ok(())
            }
            fn encode(&self, w: &mut Writer<'_>, note: &Note) {
                if !note.has(QUOTED) {
                    return w.i64(i64::from(*self));
                }
                match note.text() {
                    // Not canonical ("+7", "007"): the same text while it still means this value.
                    Some(t) if t.parse::<$t>().ok() == Some(*self) => w.str(t),
                    _ => w.str(itoa::Buffer::new().format(*self)),
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
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        if !r.at_number()? {
            return Err(r.invalid_type(expect!("a number")));
        }
        *self = match r.num()? {
            Num::F(v) => v,
            Num::U(v) => {
                note.flags |= INTEGRAL;
                v as f64
            }
            Num::I(v) => {
                note.flags |= INTEGRAL;
                v as f64
            }
        };
        Ok(())
    }

    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        // Written as an integer when it arrived as one and still is one (`"scale": 1`).
        const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
        if note.has(INTEGRAL) && self.fract() == 0.0 && self.abs() <= LIMIT {
            if *self >= 0.0 {
                w.u64(*self as u64)
            } else {
                w.i64(*self as i64)
            }
        } else {
            w.f64(*self)
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        (**self).decode(r, note)
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        (**self).encode(w, note)
    }
}

impl<T: Wire> Wire for Option<T> {
    #[inline]
    fn is_none(&self) -> bool {
        Option::is_none(self)
    }
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        if r.null()? {
            *self = None;
            note.flags |= NULL;
            return Ok(());
        }
        self.get_or_insert_with(T::default).decode(r, note)
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        match self {
            Some(v) => v.encode(w, note),
            None => w.null(),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        r.array(expect!("an array"))?;
        self.clear();
        while r.next_item()? {
            let i = self.len();
            self.push(T::default());
            let mut item = Note::default();
            if let Some(last) = self.last_mut() {
                if let Err(e) = last.decode(r, &mut item) {
                    push_index(i);
                    return Err(e);
                }
            }
            if !item.is_empty() {
                note.set_item(i, item);
            }
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        w.open_array();
        for (i, v) in self.iter().enumerate() {
            w.item();
            v.encode(w, note.item(i));
        }
        w.close_array();
    }
}

impl<T: Wire> Wire for BTreeMap<String, T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        r.object(expect!("an object"))?;
        self.clear();
        while let Some(key) = r.next_key()? {
            let mut value = T::default();
            let mut item = Note::default();
            if let Err(e) = value.decode(r, &mut item) {
                push_key(&key);
                return Err(e);
            }
            let key = key.into_owned();
            if item.is_empty() {
                if let Some(e) = &mut note.extra {
                    e.keys.remove(&key);
                }
            } else {
                note.extra_mut().keys.insert(key.clone(), item);
            }
            self.insert(key, value);
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        w.open_object();
        for (k, v) in self {
            w.key(k);
            v.encode(w, note.key(k));
        }
        w.close_object();
    }
}

/// Reads any value as JSON, adding `key` to the error path on failure.
pub(crate) fn value_at(r: &mut Reader<'_>, key: &str) -> Result<Value, Error> {
    r.value().inspect_err(|_| push_key(key))
}

/// Decodes the value of `key` through [`Wire`], adding `key` to the error path on failure.
pub(crate) fn wire_at<T: Wire>(r: &mut Reader<'_>, key: &str) -> Result<T, Error> {
    let mut v = T::default();
    v.decode(r, &mut Note::default())
        .inspect_err(|_| push_key(key))?;
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Records.

/// A generated struct decoded from a JSON object (a record, a union member, a response or an
/// event, or a command's parameters).
pub trait Record: Entries + Sized {
    /// What decoding needs to know besides the fields.
    const INFO: RecordInfo;

    /// Writes the fields.
    fn encode_fields(&self, w: &mut Writer<'_>);

    /// Writes the value of the field that arrived beside the object ([`RecordInfo::pair`]),
    /// with its note; only records with a `pair` have one.
    #[inline]
    fn encode_beside(&self, w: &mut Writer<'_>, _note: &Note) {
        w.null();
    }

    /// The kept unknown fields and the decode notes (none for commands).
    fn kept(&self) -> Kept<'_>;
}

/// What a record keeps besides its fields: its unknown fields and its decode notes.
pub type Kept<'a> = Option<(&'a JsonObject, &'a Meta)>;

/// [`Kept`], to fill in while decoding.
pub type KeptMut<'a> = Option<(&'a mut JsonObject, &'a mut Meta)>;

/// A record being decoded, seen through its entries only (so that one loop, not one per
/// type, reads them).
pub trait Entries {
    /// Decodes the value of `key` into its field; false when `key` is not a field.
    fn decode_entry(
        &mut self,
        key: &str,
        r: &mut Reader<'_>,
        fields: &mut Fields,
    ) -> Result<bool, Error>;
    /// The kept unknown fields and the decode notes (none for commands).
    fn kept_mut(&mut self) -> KeptMut<'_>;
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
pub fn field<T: Wire>(
    r: &mut Reader<'_>,
    slot: &mut T,
    i: u16,
    wire: &'static str,
    fields: &mut Fields,
) -> Result<(), Error> {
    if fields.seen & (1u128 << i) != 0 {
        repeated(slot, i, fields);
    }
    fields.seen |= 1u128 << i;
    let mut note = Note::default();
    if let Err(e) = slot.decode(r, &mut note) {
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
    /// The upstream name, for messages.
    pub name: &'static str,
    /// The `"type"` tag written before the fields (union members, responses, events).
    pub tag: Option<&'static str>,
    /// Wire names of the fields, in order.
    pub fields: &'static [&'static str],
    /// Bit `i` set when field `i` is required.
    pub required: u128,
    /// Documented parameters the command string has no place for (commands only), each with
    /// whether `false` is its default: they are accepted at their default (`false`, or null)
    /// and refused otherwise.
    pub ignored: &'static [(&'static str, bool)],
    /// True for commands: unknown and missing fields are errors, nothing is kept.
    pub strict: bool,
    /// The size of the record, charged to the budget.
    pub size: usize,
    /// The field that may arrive beside the object instead of in it: the record then comes as
    /// the pair `[object without the field, its value]` (a `wire_shape` of the overrides: a v6.3
    /// core lists its groups as `[[GroupInfo without groupSummary, GroupSummary], ...]`).
    pub pair: Option<u16>,
}

/// The index of `name` in `names`, at compile time (for `pair` in `wire_record!`); a name that
/// is not there stops the build.
pub const fn index_of(names: &[&str], name: &str) -> u16 {
    let mut i = 0;
    while i < names.len() {
        let (a, b) = (names[i].as_bytes(), name.as_bytes());
        let mut same = a.len() == b.len();
        let mut j = 0;
        while same && j < a.len() {
            same = a[j] == b[j];
            j += 1;
        }
        if same {
            return i as u16;
        }
        i += 1;
    }
    panic!("`pair` names no field of the record")
}

/// Decodes the (remaining) entries of an object into `rec`.
#[inline]
pub fn decode_fields<R: Record>(rec: &mut R, r: &mut Reader<'_>) -> Result<(), Error> {
    decode_entries(rec, &R::INFO, r)
}

/// The loop over an object's entries, for every record. It holds only the key and the arrival
/// bookkeeping; everything rare is in functions of its own, so that this frame stays small at
/// every level of a deep message.
fn decode_entries(
    rec: &mut dyn Entries,
    info: &RecordInfo,
    r: &mut Reader<'_>,
) -> Result<(), Error> {
    let mut fields = Fields::default();
    entries(rec, info, r, &mut fields)?;
    finish(rec, info, fields, 0)
}

/// Reads the entries of an object into `rec`, noting which fields arrived in `fields`.
fn entries(
    rec: &mut dyn Entries,
    info: &RecordInfo,
    r: &mut Reader<'_>,
    fields: &mut Fields,
) -> Result<(), Error> {
    r.charge(info.size)?;
    while let Some(key) = r.next_key()? {
        if info.tag.is_some() && key == "type" {
            same_tag(info, r)?;
        } else if !rec.decode_entry(&key, r, fields)? {
            other_entry(rec, info, key, r)?;
        }
    }
    Ok(())
}

/// A `"type"` entry inside a tagged member: it must repeat the tag.
#[inline(never)]
fn same_tag(info: &RecordInfo, r: &mut Reader<'_>) -> Result<(), Error> {
    let again = r
        .str(expect!("a string"))
        .inspect_err(|_| push_key("type"))?;
    match info.tag {
        Some(tag) if again != tag => Err(de::Error::custom(format_args!(
            "two different \"type\" tags: \"{tag}\" and \"{again}\""
        ))),
        _ => Ok(()),
    }
}

/// An entry that is not a field: a command's unrendered parameter (accepted at its default),
/// kept (unknown fields of wire types) or refused (commands).
#[inline(never)]
fn other_entry(
    rec: &mut dyn Entries,
    info: &RecordInfo,
    key: Cow<'_, str>,
    r: &mut Reader<'_>,
) -> Result<(), Error> {
    if let Some(&(_, false_default)) = info.ignored.iter().find(|(n, _)| *n == key.as_ref()) {
        let v = value_at(r, &key)?;
        return unrendered(info, &key, &v, false_default);
    }
    match rec.kept_mut() {
        Some((extra, _)) => {
            let v = value_at(r, &key)?;
            extra.insert(key.into_owned(), v);
            Ok(())
        }
        None => Err(de::Error::unknown_field(&key, info.fields)),
    }
}

/// A documented parameter that the command string has no place for: fine at its default (null,
/// or `false` for a flag), an error otherwise, since the core would never receive it.
fn unrendered(info: &RecordInfo, key: &str, v: &Value, false_default: bool) -> Result<(), Error> {
    if v.is_null() || (false_default && *v == Value::Bool(false)) {
        return Ok(());
    }
    let shown = match v {
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::String(s) if s.len() <= 40 => v.to_string(),
        _ => "a value".to_owned(),
    };
    Err(de::Error::custom(format_args!(
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
fn finish(
    rec: &mut dyn Entries,
    info: &RecordInfo,
    fields: Fields,
    moved: u128,
) -> Result<(), Error> {
    let absent = info.required & !fields.seen;
    if info.strict {
        if absent != 0 {
            let i = absent.trailing_zeros() as usize;
            return Err(de::Error::missing_field(info.fields[i]));
        }
        return Ok(());
    }
    if absent != 0 || moved != 0 || !fields.notes.is_empty() {
        if let Some((_, meta)) = rec.kept_mut() {
            meta.0 = Some(Box::new(MetaInner::new(absent, moved, fields.notes)));
        }
    }
    Ok(())
}

/// "a `Name` object", for errors.
struct ObjectOf(&'static str);

impl de::Expected for ObjectOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a `{}` object", self.0)
    }
}

/// Decodes a record from a JSON object.
#[inline]
pub fn decode_record<R: Record>(rec: &mut R, r: &mut Reader<'_>) -> Result<(), Error> {
    if let Some(i) = R::INFO.pair {
        if r.peek()? == b'[' {
            return decode_pair(rec, &R::INFO, i, r);
        }
    }
    r.object(&ObjectOf(R::INFO.name))?;
    decode_fields(rec, r)
}

/// Decodes the pair `[object without field i, value of field i]` into `rec`, noting that the
/// field arrived beside the object so that it is encoded back there.
#[inline(never)]
fn decode_pair(
    rec: &mut dyn Entries,
    info: &RecordInfo,
    i: u16,
    r: &mut Reader<'_>,
) -> Result<(), Error> {
    let wire = info.fields.get(usize::from(i)).copied().unwrap_or("?");
    let not_a_pair = |n: usize| {
        de::Error::custom(format_args!(
            "an array of {n} element(s) where a `{}` object or the pair [object without \
             \"{wire}\", its value] was expected",
            info.name
        ))
    };
    r.array(&ObjectOf(info.name))?;
    if !r.next_item()? {
        return Err(not_a_pair(0));
    }
    let mut fields = Fields::default();
    r.object(&ObjectOf(info.name))
        .and_then(|()| entries(rec, info, r, &mut fields))
        .inspect_err(|_| push_index(0))?;
    if fields.seen & (1u128 << i) != 0 {
        push_index(0);
        return Err(de::Error::custom(format_args!(
            "\"{wire}\" is both inside the object and beside it"
        )));
    }
    if !r.next_item()? {
        return Err(not_a_pair(1));
    }
    if let Err(e) = rec.decode_entry(wire, r, &mut fields) {
        // The value is the pair's second element, not an entry named `wire`.
        pop_step();
        push_index(1);
        return Err(e);
    }
    if r.next_item()? {
        push_index(2);
        return Err(de::Error::custom(format_args!(
            "a `{}` pair has two elements, not more",
            info.name
        )));
    }
    finish(rec, info, fields, 1u128 << i)
}

/// Writes field `i` of a record under its `key` (quoted, with its colon: `"name":`): a
/// required one unless the core had left it out, an optional one when it is `Some` (or was an
/// explicit `null`), none that arrived beside the object.
pub fn encode_field<T: Wire>(
    w: &mut Writer<'_>,
    meta: Option<&Meta>,
    i: u16,
    key: &'static str,
    value: &T,
) {
    let note = match meta {
        Some(meta) => match meta.written(i) {
            Some(note) => note,
            None => return,
        },
        None => &EMPTY_NOTE,
    };
    if value.is_none() && !note.has(NULL) {
        return;
    }
    w.quoted_key(key);
    value.encode(w, note);
}

/// The mask of required fields from the kinds of `wire_record!` (`req` is required), at
/// compile time.
pub const fn required_mask(kinds: &[&str]) -> u128 {
    let mut mask = 0;
    let mut i = 0;
    while i < kinds.len() {
        if let b"req" = kinds[i].as_bytes() {
            mask |= 1 << i;
        }
        i += 1;
    }
    mask
}

/// Encodes a record: its tag, its fields, then the unknown fields it kept.
#[inline]
pub fn encode_record<R: Record>(rec: &R, w: &mut Writer<'_>) {
    let kept = rec.kept();
    let moved = match (R::INFO.pair, kept) {
        (Some(i), Some((_, meta))) if meta.is_moved(i) => Some(meta.note(i)),
        _ => None,
    };
    if moved.is_some() {
        w.open_array();
        w.item();
    }
    w.open_object();
    if let Some(tag) = R::INFO.tag {
        w.quoted_key("\"type\":");
        w.str(tag);
    }
    rec.encode_fields(w);
    encode_extra(w, kept.map(|(extra, _)| extra));
    w.close_object();
    if let Some(note) = moved {
        w.item();
        rec.encode_beside(w, note);
        w.close_array();
    }
}

/// Writes kept unknown fields (once for every record, not once per record type).
fn encode_extra(w: &mut Writer<'_>, extra: Option<&JsonObject>) {
    for (k, v) in extra.into_iter().flatten() {
        w.key(k);
        w.value(v);
    }
}

// ---------------------------------------------------------------------------------------------
// Enums of strings.

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
    fn decode_member(tag: &str, r: &mut Reader<'_>, slot: &mut Self) -> Result<bool, Error>;
    /// The member without fields that a bare string names (older cores sent some unions as
    /// strings: `"ready"` for `{"type":"ready"}`).
    fn from_bare(s: &str) -> Option<Self>;
    /// Any other JSON, kept.
    fn undocumented(v: Value) -> Self;
    /// Encodes the value as an object (or the undocumented JSON).
    fn encode_member(&self, w: &mut Writer<'_>);
    /// The tag of a documented member.
    fn documented_tag(&self) -> Option<&'static str>;
}

/// Decodes a member struct from the rest of its object, on the heap.
#[inline(never)]
pub fn member<M: Record + Default>(r: &mut Reader<'_>) -> Result<Box<M>, Error> {
    // Built on the stack, then moved to the heap: `Box::default` would instantiate an allocator
    // helper per member type.
    let mut b = Box::new(M::default());
    decode_fields(&mut *b, r)?;
    Ok(b)
}

/// Reads the rest of the object of a member without fields: `None` when nothing else is
/// there, otherwise the whole object (it is then kept as undocumented, so that nothing is lost).
#[inline(never)]
pub fn unit_member(tag: &str, r: &mut Reader<'_>) -> Result<Option<Value>, Error> {
    let mut obj: Option<JsonObject> = None;
    while let Some(key) = r.next_key()? {
        let v = value_at(r, &key)?;
        if key == "type" && v.as_str() == Some(tag) {
            continue;
        }
        obj.get_or_insert_with(JsonObject::new)
            .insert(key.into_owned(), v);
    }
    Ok(obj.map(|mut obj| {
        obj.insert("type".to_owned(), Value::String(tag.to_owned()));
        Value::Object(obj)
    }))
}

/// Decodes a union: from the `"type"` tag when it is the first key (as the core writes it);
/// otherwise the object is searched for its tag once, and read from its start again.
pub fn decode_union<T: Union>(
    slot: &mut T,
    r: &mut Reader<'_>,
    note: &mut Note,
) -> Result<(), Error> {
    match r.peek()? {
        b'{' => {}
        b'"' => {
            let s = r.string()?;
            match T::from_bare(&s) {
                Some(m) => {
                    *slot = m;
                    note.flags |= BARE;
                    note.extra_mut().text = Some(s.into_owned());
                }
                None => *slot = T::undocumented(Value::String(s.into_owned())),
            }
            return Ok(());
        }
        _ => {
            *slot = T::undocumented(r.value()?);
            return Ok(());
        }
    }
    let start = r.pos();
    r.object(&ObjectOf(T::NAME))?;
    let Some(first) = r.next_key()? else {
        *slot = T::undocumented(Value::Object(JsonObject::new()));
        return Ok(());
    };
    if first != "type" {
        return tag_later(slot, r, start);
    }
    if r.peek()? != b'"' {
        let tag = value_at(r, "type")?;
        *slot = T::undocumented(tagged_rest(tag, r)?);
        return Ok(());
    }
    let tag = r.string()?;
    if !T::decode_member(&tag, r, slot)? {
        let tag = Value::String(tag.into_owned());
        *slot = T::undocumented(tagged_rest(tag, r)?);
    }
    Ok(())
}

/// A union whose tag is not its first key (the object at `start` is open, its first key
/// read): found where it is, then the member is read from the first entry (a member skips
/// the `"type"` entry that repeats its tag).
#[inline(never)]
fn tag_later<T: Union>(slot: &mut T, r: &mut Reader<'_>, start: usize) -> Result<(), Error> {
    let tag = match r.find_tag(start)? {
        Some(at) => {
            r.seek(at);
            if r.peek()? == b'"' {
                Some(r.string()?)
            } else {
                None
            }
        }
        None => None,
    };
    if let Some(tag) = tag {
        r.restart_object(start);
        if T::decode_member(&tag, r, slot)? {
            return Ok(());
        }
    }
    *slot = T::undocumented(r.whole_object(start)?);
    Ok(())
}

/// The rest of an object whose tag the union does not know (or that is not a string): kept
/// whole.
#[inline(never)]
fn tagged_rest(tag: Value, r: &mut Reader<'_>) -> Result<Value, Error> {
    let mut obj = JsonObject::new();
    obj.insert("type".to_owned(), tag);
    while let Some(key) = r.next_key()? {
        let v = value_at(r, &key)?;
        obj.insert(key.into_owned(), v);
    }
    Ok(Value::Object(obj))
}

/// Encodes a union in the form it arrived in.
pub fn encode_union<T: Union>(u: &T, w: &mut Writer<'_>, note: &Note) {
    if note.has(BARE) {
        if let Some(tag) = u.documented_tag() {
            return w.str(note.text().unwrap_or(tag));
        }
    }
    u.encode_member(w)
}

/// Encodes a member without fields: `{"type": tag}`.
pub fn encode_unit(tag: &str, w: &mut Writer<'_>) {
    w.open_object();
    w.quoted_key("\"type\":");
    w.str(tag);
    w.close_object();
}

// JSON text scanning, shared by the reader and the error locator (`envelope.rs`).

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

// ---------------------------------------------------------------------------------------------
// `Debug` of the generated types, as one call each (the same output as the derived impls).

/// `Debug` of a struct from its fields, in order.
pub fn debug_struct(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    fields: &[(&str, &dyn fmt::Debug)],
) -> fmt::Result {
    let mut s = f.debug_struct(name);
    for (field, value) in fields {
        s.field(field, value);
    }
    s.finish()
}

/// `Debug` of a one-field tuple variant.
pub fn debug_tuple(f: &mut fmt::Formatter<'_>, name: &str, value: &dyn fmt::Debug) -> fmt::Result {
    f.debug_tuple(name).field(value).finish()
}

// ---------------------------------------------------------------------------------------------
// `PartialEq` and `Hash` of the generated structs, as one call each.

/// A field compared through `dyn` (every field type of the generated structs).
pub trait DynEq: Any {
    /// `self` as `Any`, to find `other`'s type.
    fn as_any(&self) -> &dyn Any;
    /// `self == other` when `other` has the same type.
    fn eq_dyn(&self, other: &dyn DynEq) -> bool;
}

impl<T: PartialEq + 'static> DynEq for T {
    #[inline]
    fn as_any(&self) -> &dyn Any {
        self
    }

    #[inline]
    fn eq_dyn(&self, other: &dyn DynEq) -> bool {
        other
            .as_any()
            .downcast_ref::<T>()
            .is_some_and(|other| self == other)
    }
}

/// Whether each pair of fields is equal.
pub fn eq_fields(pairs: &[(&dyn DynEq, &dyn DynEq)]) -> bool {
    pairs.iter().all(|(a, b)| a.eq_dyn(*b))
}

/// `Hash` through `dyn Hasher` (the hashable field types of the generated structs).
pub trait DynHash {
    /// Hashes `self` into `h`.
    fn hash_dyn(&self, h: &mut dyn Hasher);
}

impl<T: Hash> DynHash for T {
    #[inline]
    fn hash_dyn(&self, mut h: &mut dyn Hasher) {
        self.hash(&mut h);
    }
}

/// Hashes each field in turn.
pub fn hash_fields(h: &mut dyn Hasher, fields: &[&dyn DynHash]) {
    for field in fields {
        field.hash_dyn(h);
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
