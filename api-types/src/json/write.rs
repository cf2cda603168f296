//! The writer.

use serde_json::{Number, Value};

use super::read::plain_run;

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

    /// The tag entry of a record, `"type":"<tag>"`, written as it is (put together when the
    /// crate is compiled, from a tag that needs no escaping).
    #[inline]
    pub fn tag_entry(&mut self, entry: &'static str) {
        const KEY: &str = "\"type\":\"";
        debug_assert!(
            entry.len() > KEY.len()
                && entry.starts_with(KEY)
                && entry.ends_with('"')
                && plain_run(entry.as_bytes(), KEY.len()) == entry.len() - 1,
            "not a plain tag entry: {entry}"
        );
        self.comma_after(b'{');
        self.out.push_str(entry);
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
