//! Records: generated structs decoded from JSON objects (records, union members, responses,
//! events, and commands' parameters), by one loop for every record type.

use std::borrow::Cow;
use std::fmt;

use serde::de;
use serde_json::Value;

use super::{value_at, Meta, MetaInner, Note, Wire, EMPTY_NOTE, NULL};
use crate::json::{Error, JsonObject, Reader, Writer};

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
    let start = r.pos();
    let mut note = Note::default();
    if let Err(e) = slot.decode(r, &mut note) {
        r.failed_in_key(wire, start);
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

/// The `"type"` tag of a record: its value, and the entry that writes it (`"type":"text"`,
/// put together when the crate is compiled; tags are plain identifiers).
#[derive(Clone, Copy)]
pub struct Tag {
    /// The tag.
    pub name: &'static str,
    /// `"type":"<name>"`.
    pub entry: &'static str,
}

/// What decoding a record needs to know besides its fields, as data: one decoder serves
/// every record (only the per-field match is per type).
pub struct RecordInfo {
    /// The upstream name, for messages.
    pub name: &'static str,
    /// The `"type"` tag written before the fields (union members, responses, events).
    pub tag: Option<Tag>,
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
    let start = r.pos();
    let again = r
        .str(expect!("a string"))
        .inspect_err(|_| r.failed_in_key("type", start))?;
    match info.tag {
        Some(tag) if again != tag.name => Err(de::Error::custom(format_args!(
            "two different \"type\" tags: \"{}\" and \"{again}\"",
            tag.name
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
pub(super) struct ObjectOf(pub(super) &'static str);

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
    let first = r.pos();
    r.object(&ObjectOf(info.name))
        .and_then(|()| entries(rec, info, r, &mut fields))
        .inspect_err(|_| r.failed_in_item(0, first))?;
    if fields.seen & (1u128 << i) != 0 {
        r.failed_in_item(0, first);
        return Err(de::Error::custom(format_args!(
            "\"{wire}\" is both inside the object and beside it"
        )));
    }
    if !r.next_item()? {
        return Err(not_a_pair(1));
    }
    let second = r.pos();
    if let Err(e) = rec.decode_entry(wire, r, &mut fields) {
        // The value is the pair's second element, not an entry named `wire`.
        r.forget_step();
        r.failed_in_item(1, second);
        return Err(e);
    }
    if r.next_item()? {
        let third = r.pos();
        r.failed_in_item(2, third);
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
        w.tag_entry(tag.entry);
    }
    rec.encode_fields(w);
    if let Some((extra, _)) = kept {
        if !extra.is_empty() {
            encode_extra(w, extra);
        }
    }
    w.close_object();
    if let Some(note) = moved {
        w.item();
        rec.encode_beside(w, note);
        w.close_array();
    }
}

/// Writes kept unknown fields (once for every record, not once per record type).
fn encode_extra(w: &mut Writer<'_>, extra: &JsonObject) {
    for (k, v) in extra {
        w.key(k);
        w.value(v);
    }
}
