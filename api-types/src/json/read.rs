//! The pull reader.

use std::borrow::Cow;
use std::fmt;

use serde::de::IgnoredAny;
use serde::de::{self, Expected, Unexpected};
use serde::Deserialize;
use serde_json::{Number, Value};

use super::{
    message_of, skip_string, skip_ws, Error, JsonObject, Step, BUDGET_FLOOR, BUDGET_PER_BYTE,
    MAX_DEPTH,
};

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
    /// Where the error being unwound happened: the steps noted so far, innermost first (at
    /// most [`MAX_TRAIL`]), and where the innermost value noted starts.
    trail: Vec<Step>,
    failed_at: Option<usize>,
}

/// An error's path keeps at most this many steps (nesting is bounded by [`MAX_DEPTH`] anyway;
/// this bounds what a decoder that notes more than one step per level could note).
const MAX_TRAIL: usize = 512;

/// Where an error happened in the text: the path to the value, outermost first, and the
/// position where that value starts (after its whitespace); `None` when no decoder noted one.
#[derive(Default)]
pub(crate) struct Failure {
    pub(crate) path: Vec<Step>,
    pub(crate) at: Option<usize>,
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
            trail: Vec::new(),
            failed_at: None,
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
            Err(e) => Err(self.syntax_or(|| message_of(&e))),
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
    pub(super) fn literal(&mut self) -> Result<Value, Error> {
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
            Err(e) => Err(self.syntax_or(|| message_of(&e))),
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

    /// Notes, while an error unwinds, that it happened in the value of `key` that starts at
    /// `start` (the position before it, whitespace allowed).
    #[cold]
    pub(crate) fn failed_in_key(&mut self, key: &str, start: usize) {
        self.failed_in(Step::Key(key.to_owned()), start);
    }

    /// Notes, while an error unwinds, that it happened in item `i` of an array, which starts at
    /// `start`.
    #[cold]
    pub(crate) fn failed_in_item(&mut self, i: usize, start: usize) {
        self.failed_in(Step::Index(i), start);
    }

    fn failed_in(&mut self, step: Step, start: usize) {
        if self.failed_at.is_none() {
            self.failed_at = Some(skip_ws(self.text.as_bytes(), start));
        }
        if self.trail.len() < MAX_TRAIL {
            self.trail.push(step);
        }
    }

    /// Takes back the innermost step noted (the value is known by another step after all).
    #[cold]
    pub(crate) fn forget_step(&mut self) {
        self.trail.pop();
    }

    /// Where the error that was unwound happened, and starts afresh.
    pub(crate) fn take_failure(&mut self) -> Failure {
        let mut path = std::mem::take(&mut self.trail);
        path.reverse();
        Failure {
            path,
            at: self.failed_at.take(),
        }
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
pub(super) fn plain_run(b: &[u8], mut i: usize) -> usize {
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
pub(super) fn too_deep() -> Error {
    de::Error::custom(format_args!(
        "objects and arrays nested deeper than {MAX_DEPTH} levels"
    ))
}

#[cold]
fn over_budget() -> Error {
    de::Error::custom(format_args!(
        "the message expands to more than {} bytes of records per byte of JSON (plus {} MiB); \
         it is refused",
        BUDGET_PER_BYTE,
        BUDGET_FLOOR >> 20
    ))
}
