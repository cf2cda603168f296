//! The JSON text the generated types are decoded from and encoded to, read and written by two
//! small concrete types: a pull [`Reader`] over the input `&str` and a [`Writer`] appending to
//! a `String`. Nothing here is generic, so every decoder and encoder of the generated types is
//! compiled once, in this crate, instead of once per serde deserializer or serializer in every
//! crate that uses it (and no generic code for them has to be shipped in the crate metadata).
//!
//! The reader accepts exactly the JSON serde_json accepts and gives the same values: keys and
//! strings are borrowed from the input unless they hold escapes (which serde_json unescapes),
//! numbers that are not plain integers are read by serde_json, and a syntax error is reported
//! as serde_json reports it (by letting serde_json read the text again).
//!
//! The `serde` traits of the generated types are thin shims over this (see `wire.rs`): they
//! transcribe whatever a deserializer gives into JSON text, and replay JSON text into any
//! serializer.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Expected, MapAccess, SeqAccess, Unexpected};
use serde::de::{IgnoredAny, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::runtime::JsonObject;
use crate::wire::{skip_string, skip_ws, MAX_DEPTH};

/// The error of decoding: serde_json's, so that messages read as serde_json's do.
pub type Error = serde_json::Error;

/// A number as serde_json reads it.
pub(crate) enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// Where the `"type"` entries of the objects in one part of the input are: read once when a
/// union's tag is not its first key, so that unions nested in it need not read it again.
#[derive(Default)]
struct Tags {
    /// The part indexed: `from..until`.
    from: usize,
    until: usize,
    /// For each object in it that has a `"type"` key: where the object starts, and where the
    /// value of its first `"type"` key starts. Sorted.
    at: Vec<(usize, usize)>,
}

/// Reads JSON from text, value by value.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    /// Set when an object or array was just opened: its first entry has no comma before it.
    first: bool,
    depth: u32,
    /// Bytes that records may still take (`usize::MAX`: no limit).
    budget: usize,
    tags: Tags,
}

/// `"expected"` texts of the reader's own errors.
pub(crate) struct Expecting<'a>(pub(crate) &'a str);

impl Expected for Expecting<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> Reader<'a> {
    /// A reader over `text` whose records may take `budget` bytes.
    pub(crate) fn new(text: &'a str, budget: usize) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            first: false,
            depth: 0,
            budget,
            tags: Tags::default(),
        }
    }

    /// The next byte that is not whitespace (not consumed).
    pub(crate) fn peek(&mut self) -> Result<u8, Error> {
        self.pos = skip_ws(self.text.as_bytes(), self.pos);
        match self.text.as_bytes().get(self.pos) {
            Some(&b) => Ok(b),
            None => Err(self.syntax()),
        }
    }

    /// Fails unless only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), Error> {
        self.pos = skip_ws(self.text.as_bytes(), self.pos);
        if self.pos < self.text.len() {
            return Err(self.syntax());
        }
        Ok(())
    }

    /// The text is not JSON: serde_json's error for it, with its position.
    #[cold]
    #[inline(never)]
    pub(crate) fn syntax(&self) -> Error {
        self.syntax_or(|| format!("invalid JSON at byte {}", self.pos))
    }

    /// serde_json's error for the text when its syntax is wrong (serde_json skims it without
    /// recursion); otherwise (a string escape or a number that only reading its value refuses)
    /// `message`.
    #[cold]
    #[inline(never)]
    fn syntax_or(&self, message: impl FnOnce() -> String) -> Error {
        let mut de = serde_json::Deserializer::from_str(self.text);
        match IgnoredAny::deserialize(&mut de).and_then(|_| de.end()) {
            Err(e) => e,
            Ok(()) => de::Error::custom(message()),
        }
    }

    /// The error for a value of the wrong JSON type (the value is read for the message).
    #[cold]
    #[inline(never)]
    pub(crate) fn invalid_type(&mut self, exp: &dyn Expected) -> Error {
        let found = match self.peek() {
            Ok(b) => b,
            Err(e) => return e,
        };
        let unexpected = match found {
            b'"' => match self.string() {
                Ok(s) => return de::Error::invalid_type(Unexpected::Str(&s), exp),
                Err(e) => return e,
            },
            b'{' => Unexpected::Map,
            b'[' => Unexpected::Seq,
            b't' | b'f' | b'n' => match self.literal() {
                Ok(Value::Bool(b)) => Unexpected::Bool(b),
                Ok(_) => Unexpected::Unit,
                Err(e) => return e,
            },
            _ => match self.num() {
                Ok(Num::U(v)) => Unexpected::Unsigned(v),
                Ok(Num::I(v)) => Unexpected::Signed(v),
                Ok(Num::F(v)) => Unexpected::Float(v),
                Err(e) => return e,
            },
        };
        de::Error::invalid_type(unexpected, exp)
    }

    /// Enters an object or array (at its opening byte), within the nesting limit.
    fn open(&mut self) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        self.depth += 1;
        self.pos += 1;
        self.first = true;
        Ok(())
    }

    fn close(&mut self) {
        self.pos += 1;
        self.first = false;
        self.depth = self.depth.saturating_sub(1);
    }

    /// Starts an object; its entries are then read with [`Reader::next_key`].
    pub(crate) fn object(&mut self, exp: &dyn Expected) -> Result<(), Error> {
        if self.peek()? != b'{' {
            return Err(self.invalid_type(exp));
        }
        self.open()
    }

    /// Moves to the next entry of the object or array being read: its first byte, or `None`
    /// at the `close`ing byte (then consumed).
    fn next_entry(&mut self, close: u8) -> Result<Option<u8>, Error> {
        let mut b = self.peek()?;
        if b == close {
            self.close();
            return Ok(None);
        }
        if !self.first {
            if b != b',' {
                return Err(self.syntax());
            }
            self.pos += 1;
            b = self.peek()?;
            if b == close {
                return Err(self.syntax());
            }
        }
        self.first = false;
        Ok(Some(b))
    }

    /// The key of the next entry (its value is next), or `None` at the end of the object.
    pub(crate) fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, Error> {
        match self.next_entry(b'}')? {
            None => return Ok(None),
            Some(b'"') => {}
            Some(_) => return Err(self.syntax()),
        }
        let key = self.string()?;
        if self.peek()? != b':' {
            return Err(self.syntax());
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Starts an array; its items are then read after each true [`Reader::next_item`].
    pub(crate) fn array(&mut self, exp: &dyn Expected) -> Result<(), Error> {
        if self.peek()? != b'[' {
            return Err(self.invalid_type(exp));
        }
        self.open()
    }

    /// Whether another item follows (false at the end of the array).
    pub(crate) fn next_item(&mut self) -> Result<bool, Error> {
        Ok(self.next_entry(b']')?.is_some())
    }

    /// The string at the current position (which holds `"`): borrowed unless it has escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        let start = self.pos + 1;
        let end = plain_run(self.text.as_bytes(), start);
        match self.text.as_bytes().get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(Cow::Borrowed(&self.text[start..end]))
            }
            Some(b'\\') => self.escaped(),
            _ => Err(self.syntax()),
        }
    }

    /// A string with escapes, unescaped by serde_json.
    #[inline(never)]
    fn escaped(&mut self) -> Result<Cow<'a, str>, Error> {
        let Some(end) = skip_string(self.text.as_bytes(), self.pos) else {
            return Err(self.syntax());
        };
        match serde_json::from_str::<String>(&self.text[self.pos..end]) {
            Ok(s) => {
                self.pos = end;
                Ok(Cow::Owned(s))
            }
            Err(e) => Err(self.syntax_or(|| crate::wire::message_of(&e))),
        }
    }

    /// A string value, or the error naming what was `exp`ected instead.
    pub(crate) fn str(&mut self, exp: &dyn Expected) -> Result<Cow<'a, str>, Error> {
        if self.peek()? != b'"' {
            return Err(self.invalid_type(exp));
        }
        self.string()
    }

    /// `true`, `false` or `null` at the current position.
    fn literal(&mut self) -> Result<Value, Error> {
        let rest = &self.text.as_bytes()[self.pos..];
        let (len, v) = if rest.starts_with(b"true") {
            (4, Value::Bool(true))
        } else if rest.starts_with(b"false") {
            (5, Value::Bool(false))
        } else if rest.starts_with(b"null") {
            (4, Value::Null)
        } else {
            return Err(self.syntax());
        };
        self.pos += len;
        Ok(v)
    }

    /// A boolean, or the error naming what was `exp`ected instead.
    pub(crate) fn bool(&mut self, exp: &dyn Expected) -> Result<bool, Error> {
        if matches!(self.peek()?, b't' | b'f') {
            if let Value::Bool(b) = self.literal()? {
                return Ok(b);
            }
        }
        Err(self.invalid_type(exp))
    }

    /// Reads `null` if it is next.
    pub(crate) fn null(&mut self) -> Result<bool, Error> {
        if self.peek()? == b'n' {
            self.literal()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Whether a number is next.
    pub(crate) fn at_number(&mut self) -> Result<bool, Error> {
        Ok(matches!(self.peek()?, b'-' | b'0'..=b'9'))
    }

    /// The number at the current position, as serde_json reads it.
    pub(crate) fn num(&mut self) -> Result<Num, Error> {
        let b = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        if !digits(&mut i) || (b[int_start] == b'0' && i - int_start > 1) {
            return Err(self.syntax());
        }
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            i += 1;
            integer = false;
            if !digits(&mut i) {
                return Err(self.syntax());
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            integer = false;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(self.syntax());
            }
        }
        let token = &self.text[start..i];
        if integer {
            if int_start == start {
                if let Ok(v) = token.parse::<u64>() {
                    self.pos = i;
                    return Ok(Num::U(v));
                }
            } else if let Ok(v) = token.parse::<i64>() {
                // `-0` is a float to serde_json.
                if v < 0 {
                    self.pos = i;
                    return Ok(Num::I(v));
                }
            }
        }
        match serde_json::from_str::<Number>(token) {
            Ok(n) => {
                self.pos = i;
                Ok(match (n.as_u64(), n.as_i64()) {
                    (Some(v), _) => Num::U(v),
                    (_, Some(v)) => Num::I(v),
                    _ => Num::F(n.as_f64().unwrap_or_default()),
                })
            }
            Err(e) => Err(self.syntax_or(|| crate::wire::message_of(&e))),
        }
    }

    /// Any JSON value, as serde_json's `Value` (within the nesting limit).
    pub(crate) fn value(&mut self) -> Result<Value, Error> {
        Ok(match self.peek()? {
            b'{' => {
                self.open()?;
                let mut obj = JsonObject::new();
                while let Some(key) = self.next_key()? {
                    let v = self.value()?;
                    obj.insert(key.into_owned(), v);
                }
                Value::Object(obj)
            }
            b'[' => {
                self.open()?;
                let mut items = Vec::new();
                while self.next_item()? {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            b'"' => Value::String(self.string()?.into_owned()),
            b't' | b'f' | b'n' => self.literal()?,
            _ => match self.num()? {
                Num::U(v) => v.into(),
                Num::I(v) => v.into(),
                Num::F(v) => Number::from_f64(v).map_or(Value::Null, Value::Number),
            },
        })
    }

    /// Takes `bytes` from the records budget, or fails: a message of `{}` objects must not
    /// expand into gigabytes of default records.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        if self.budget == usize::MAX {
            return Ok(());
        }
        match self.budget.checked_sub(bytes) {
            Some(rest) => {
                self.budget = rest;
                Ok(())
            }
            None => Err(over_budget()),
        }
    }

    /// The position of the next byte to read.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Goes back to just after the opening `{` at `start` of the object being read, to read
    /// its entries again from the first.
    pub(crate) fn restart_object(&mut self, start: usize) {
        self.pos = start + 1;
        self.first = true;
    }

    /// Reads the object being read (opened at `start`) again, whole, as a `Value`.
    pub(crate) fn whole_object(&mut self, start: usize) -> Result<Value, Error> {
        self.depth = self.depth.saturating_sub(1);
        self.pos = start;
        self.value()
    }

    /// Where the value of the first `"type"` key of the object at `start` begins, if it has
    /// one. Each part of the input is searched at most once: the search indexes every object
    /// it passes, for the unions nested in this one.
    pub(crate) fn find_tag(&mut self, start: usize) -> Result<Option<usize>, Error> {
        if !(self.tags.from <= start && start < self.tags.until) {
            self.index_tags(start)?;
        }
        let at = &self.tags.at;
        Ok(at
            .binary_search_by_key(&start, |&(s, _)| s)
            .ok()
            .map(|i| at[i].1))
    }

    /// Indexes the `"type"` keys of every object in the value at `start` (iterative; any
    /// malformed JSON is left for the reading that follows to report).
    #[inline(never)]
    fn index_tags(&mut self, start: usize) -> Result<(), Error> {
        struct Open {
            start: usize,
            object: bool,
            key_next: bool,
            typed: bool,
        }
        let b = self.text.as_bytes();
        let mut at = std::mem::take(&mut self.tags.at);
        at.clear();
        let mut stack: Vec<Open> = Vec::new();
        let mut i = start;
        loop {
            i = skip_ws(b, i);
            let Some(&c) = b.get(i) else { break };
            match c {
                b'{' | b'[' => {
                    if stack.len() as u32 + self.depth > MAX_DEPTH {
                        return Err(too_deep());
                    }
                    stack.push(Open {
                        start: i,
                        object: c == b'{',
                        key_next: c == b'{',
                        typed: false,
                    });
                    i += 1;
                }
                b'}' | b']' => {
                    stack.pop();
                    i += 1;
                    if stack.is_empty() {
                        break;
                    }
                }
                b',' => {
                    if let Some(top) = stack.last_mut() {
                        top.key_next = top.object;
                    }
                    i += 1;
                }
                b'"' => {
                    let end = skip_string(b, i).unwrap_or(b.len());
                    if let Some(top) = stack.last_mut() {
                        if top.key_next {
                            top.key_next = false;
                            if !top.typed && is_type_key(&self.text[i..end]) {
                                top.typed = true;
                                let colon = skip_ws(b, end);
                                at.push((top.start, skip_ws(b, colon + 1)));
                            }
                        }
                    }
                    i = end;
                }
                b':' => i += 1,
                _ => {
                    // A scalar (or a stray byte): up to the next structural byte.
                    i += 1;
                    while !matches!(
                        b.get(i),
                        None | Some(
                            b',' | b'{'
                                | b'['
                                | b'}'
                                | b']'
                                | b'"'
                                | b':'
                                | b' '
                                | b'\t'
                                | b'\n'
                                | b'\r'
                        )
                    ) {
                        i += 1;
                    }
                }
            }
            if stack.is_empty() {
                break;
            }
        }
        at.sort_unstable();
        self.tags = Tags {
            from: start,
            until: i.max(start + 1),
            at,
        };
        Ok(())
    }

    /// Moves to `pos` (a position found by [`Reader::find_tag`]).
    pub(crate) fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }
}

/// The position of the first byte at or after `i` that ends a run of plain string bytes: `"`,
/// `\`, a control byte (which JSON does not allow in strings), or the end. Eight bytes at a
/// time: long texts are most of a message's bytes.
fn plain_run(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Nonzero when some byte of `x` is zero (`has_zero`) or below 0x20 (`has_control`).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(bytes);
        let has_control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let quote = has_zero(x ^ (ONES * u64::from(b'"')));
        let backslash = has_zero(x ^ (ONES * u64::from(b'\\')));
        if has_control | quote | backslash != 0 {
            break;
        }
        i += 8;
    }
    while b
        .get(i)
        .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\')
    {
        i += 1;
    }
    i
}

/// Whether the JSON string `quoted` (with its quotes) is `"type"`, escaped or not.
fn is_type_key(quoted: &str) -> bool {
    quoted == "\"type\""
        || (quoted.contains('\\')
            && serde_json::from_str::<String>(quoted).is_ok_and(|k| k == "type"))
}

#[cold]
fn too_deep() -> Error {
    de::Error::custom(format_args!(
        "objects and arrays nested deeper than {MAX_DEPTH} levels"
    ))
}

#[cold]
fn over_budget() -> Error {
    de::Error::custom(format_args!(
        "the message expands to more than {} bytes of records per byte of JSON (plus {} MiB); \
         it is refused",
        crate::wire::BUDGET_PER_BYTE,
        crate::wire::BUDGET_FLOOR >> 20
    ))
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// Writes compact JSON, as serde_json writes it, to the end of a `String`.
pub struct Writer<'a> {
    out: &'a mut String,
}

impl<'a> Writer<'a> {
    /// A writer appending to `out`.
    pub(crate) fn new(out: &'a mut String) -> Writer<'a> {
        Writer { out }
    }

    /// `{`; then [`Writer::key`] and a value for each entry, then [`Writer::close_object`].
    #[inline]
    pub fn open_object(&mut self) {
        self.out.push('{');
    }

    /// The key of the next entry.
    pub fn key(&mut self, key: &str) {
        self.comma_after(b'{');
        self.str(key);
        self.out.push(':');
    }

    /// The key of the next entry, already quoted and followed by its colon (`"name":`), as
    /// the generated code writes the wire names it knows need no escaping.
    #[inline]
    pub fn quoted_key(&mut self, quoted: &'static str) {
        debug_assert!(
            quoted.len() >= 3
                && quoted.starts_with('"')
                && quoted.ends_with("\":")
                && plain_run(quoted.as_bytes(), 1) == quoted.len() - 2,
            "not a plain quoted key: {quoted}"
        );
        self.comma_after(b'{');
        self.out.push_str(quoted);
    }

    /// A `,` unless the last byte written is `open` (the value is the first of its object
    /// or array).
    #[inline]
    fn comma_after(&mut self, open: u8) {
        if self.out.as_bytes().last() != Some(&open) {
            self.out.push(',');
        }
    }

    /// `}`.
    #[inline]
    pub fn close_object(&mut self) {
        self.out.push('}');
    }

    /// `[`; then [`Writer::item`] and a value for each item, then [`Writer::close_array`].
    #[inline]
    pub fn open_array(&mut self) {
        self.out.push('[');
    }

    /// Before each item of an array.
    #[inline]
    pub fn item(&mut self) {
        self.comma_after(b'[');
    }

    /// `]`.
    #[inline]
    pub fn close_array(&mut self) {
        self.out.push(']');
    }

    /// A string, escaped as serde_json escapes it. The runs between the bytes to escape are
    /// found eight bytes at a time, as the reader finds them.
    pub fn str(&mut self, s: &str) {
        let out = &mut *self.out;
        out.reserve(s.len() + 2);
        out.push('"');
        let b = s.as_bytes();
        let mut from = 0;
        loop {
            let end = plain_run(b, from);
            // `end` is the end or an ASCII byte: a character boundary.
            out.push_str(s.get(from..end).unwrap_or_default());
            let Some(&c) = b.get(end) else { break };
            escape(out, c);
            from = end + 1;
        }
        out.push('"');
    }

    /// `true` or `false`.
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.out.push_str(if v { "true" } else { "false" });
    }

    /// `null`.
    #[inline]
    pub fn null(&mut self) {
        self.out.push_str("null");
    }

    /// An unsigned integer.
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.out.push_str(itoa::Buffer::new().format(v));
    }

    /// A signed integer.
    #[inline]
    pub fn i64(&mut self, v: i64) {
        self.out.push_str(itoa::Buffer::new().format(v));
    }

    /// A float as serde_json writes it (`null` when it is not finite).
    pub fn f64(&mut self, v: f64) {
        match Number::from_f64(v) {
            Some(n) => self.number(&n),
            None => self.null(),
        }
    }

    fn number(&mut self, n: &Number) {
        if let Some(v) = n.as_u64() {
            self.u64(v)
        } else if let Some(v) = n.as_i64() {
            self.i64(v)
        } else {
            use std::fmt::Write;
            let _ = write!(self.out, "{n}");
        }
    }

    /// Any JSON value.
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.open_array();
                for item in items {
                    self.item();
                    self.value(item);
                }
                self.close_array();
            }
            Value::Object(obj) => {
                self.open_object();
                for (k, v) in obj {
                    self.key(k);
                    self.value(v);
                }
                self.close_object();
            }
        }
    }
}

/// Writes the escape of `c` (a `"`, a `\\` or a control byte) as serde_json writes it.
#[cold]
fn escape(out: &mut String, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match c {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\r' => "\\r",
        b'\t' => "\\t",
        0x08 => "\\b",
        0x0c => "\\f",
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xf)]));
            return;
        }
    };
    out.push_str(short);
}

// ---------------------------------------------------------------------------------------------
// The serde shims: any deserializer into JSON text, JSON text into any serializer. Generic, but
// once per deserializer or serializer, not once per generated type.

/// Writes what a deserializer gives as JSON text into `out` (keys in the order given).
pub(crate) fn transcribe<'de, D: Deserializer<'de>>(
    d: D,
    out: &mut String,
) -> Result<(), D::Error> {
    d.deserialize_any(Transcribe { out, depth: 0 })
}

struct Transcribe<'a> {
    out: &'a mut String,
    depth: u32,
}

impl Transcribe<'_> {
    fn w(&mut self) -> Writer<'_> {
        Writer::new(self.out)
    }
    fn nested<E: de::Error>(&mut self) -> Result<Transcribe<'_>, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(too_deep()));
        }
        Ok(Transcribe {
            out: self.out,
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Transcribe<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// Visit methods that write a scalar with the writer method of the same name.
macro_rules! write_scalars {
    ($($visit:ident($t:ty) $write:ident),*) => {$(
        fn $visit<E: de::Error>(mut self, v: $t) -> Result<(), E> {
            self.w().$write(v);
            Ok(())
        }
    )*};
}

impl<'de> Visitor<'de> for Transcribe<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    write_scalars!(visit_bool(bool) bool, visit_i64(i64) i64, visit_u64(u64) u64,
        visit_f64(f64) f64, visit_str(&str) str);
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.w().null();
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut t = self.nested()?;
        t.w().open_array();
        loop {
            let len = t.out.len();
            t.w().item();
            if seq.next_element_seed(t.nested()?)?.is_none() {
                // No item after all: take back the comma.
                t.out.truncate(len);
                break;
            }
        }
        t.w().close_array();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut t = self.nested()?;
        t.w().open_object();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            t.w().key(&key);
            map.next_value_seed(t.nested()?)?;
        }
        t.w().close_object();
        Ok(())
    }
}

/// JSON text (valid, as a [`Writer`] wrote it) replayed into a serializer.
pub(crate) fn replay<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    let reader = std::cell::RefCell::new(Reader::new(text, usize::MAX));
    Replay(&reader).serialize(s)
}

struct Replay<'r, 'a>(&'r std::cell::RefCell<Reader<'a>>);

impl Serialize for Replay<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let fail = |e: Error| S::Error::custom(e);
        let first = self.0.borrow_mut().peek().map_err(fail)?;
        match first {
            b'{' => {
                self.0.borrow_mut().object(&Expecting("")).map_err(fail)?;
                let mut m = s.serialize_map(None)?;
                loop {
                    let key = self.0.borrow_mut().next_key().map_err(fail)?;
                    let Some(key) = key else { break };
                    m.serialize_entry(&*key, self)?;
                }
                m.end()
            }
            b'[' => {
                self.0.borrow_mut().array(&Expecting("")).map_err(fail)?;
                let mut seq = s.serialize_seq(None)?;
                loop {
                    let more = self.0.borrow_mut().next_item().map_err(fail)?;
                    if !more {
                        break;
                    }
                    seq.serialize_element(self)?;
                }
                seq.end()
            }
            b'"' => {
                let text = self.0.borrow_mut().string().map_err(fail)?;
                s.serialize_str(&text)
            }
            b't' | b'f' | b'n' => match self.0.borrow_mut().literal().map_err(fail)? {
                Value::Bool(b) => s.serialize_bool(b),
                _ => s.serialize_unit(),
            },
            _ => {
                let n = self.0.borrow_mut().num().map_err(fail)?;
                match n {
                    Num::U(v) => s.serialize_u64(v),
                    Num::I(v) => s.serialize_i64(v),
                    Num::F(v) => s.serialize_f64(v),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader against serde_json's `Value` on the same text: the same value, or an error
    /// with the same message and place.
    fn same_as_serde_json(text: &str) {
        let mut r = Reader::new(text, usize::MAX);
        let ours = r.value().and_then(|v| r.end().map(|()| v));
        let theirs = serde_json::from_str::<Value>(text);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            // A syntax error is serde_json's, found by skimming the text (without recursion),
            // which words a few errors differently from reading a `Value` ("invalid number"
            // for "EOF while parsing a value") and may stop a byte earlier.
            (Err(a), Err(b)) if a.line() != 0 => {
                assert_eq!(a.line(), b.line(), "{text}: {a} / {b}");
                assert!(a.column().abs_diff(b.column()) <= 1, "{text}: {a} / {b}");
            }
            (Err(a), Err(b)) => {
                assert_eq!(
                    crate::wire::message_of(&a),
                    crate::wire::message_of(&b),
                    "{text}"
                )
            }
            (a, b) => panic!("{text}: ours {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads_and_refuses_what_it_refuses() {
        for text in [
            "0",
            "-0",
            "-1",
            "1.5",
            "1e2",
            "1E+2",
            "-1.25e-3",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1e400",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            " true ",
            "\"a\"",
            "\"\\u00e9\\n\\\"\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud800\"",
            "\"\\x\"",
            "\"a\u{1}\"",
            "\"unterminated",
            "[]",
            "[1,2]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":}",
            "[[[]]]",
            "{\"a\":[{\"b\":null}]} x",
            "",
            " ",
            "[",
            "{\"a\":1",
            "\"\u{e9}\"",
        ] {
            same_as_serde_json(text);
        }
    }

    #[test]
    fn plain_runs_end_at_quotes_backslashes_and_control_bytes() {
        for (text, end) in [
            ("", 0),
            ("abc", 3),
            ("abcdefghijklmnop\"", 16),
            ("abcdefgh\\ijk", 8),
            ("abcdefghij\u{1f}k", 10),
            ("\u{e9}\u{7f} \u{20}x\"", 6),
            ("0123456789abcdef0123456789abcdef", 32),
            ("\u{0}", 0),
        ] {
            assert_eq!(plain_run(text.as_bytes(), 0), end, "{text:?}");
        }
    }

    #[test]
    fn the_writer_writes_what_serde_json_writes() {
        let v: Value = serde_json::from_str(
            r#"{"s":"a\"\\\n\r\t\u0008\u000c\u0001\u007f é/","n":[0,-1,1.5,1e20,1e-7,18446744073709551615],"b":[true,false,null],"o":{}}"#,
        )
        .expect("json");
        let mut out = String::new();
        Writer::new(&mut out).value(&v);
        assert_eq!(out, serde_json::to_string(&v).expect("json"));
    }
}
