//! Discriminated unions tagged by `"type"` (and the response and event sets).

use serde_json::Value;

use super::record::{decode_fields, ObjectOf, Record};
use super::{value_at, Note, BARE};
use crate::json::{Error, JsonObject, Reader, Writer};

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
