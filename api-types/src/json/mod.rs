//! JSON text, read and written by two small concrete types: a pull [`Reader`] over the input
//! `&str` and a [`Writer`] appending to a `String`, with the scanning both share and the
//! limits of one message. Nothing here is generic, so every decoder and encoder of the
//! generated types is compiled once, in this crate, instead of once per serde deserializer or
//! serializer in every crate that uses it (and no generic code for them has to be shipped in
//! the crate metadata). This layer imports nothing else of the crate.
//!
//! The reader accepts exactly the JSON serde_json accepts and gives the same values: keys and
//! strings are borrowed from the input unless they hold escapes (which serde_json unescapes),
//! numbers that are not plain integers are read by serde_json, and a syntax error is reported
//! as serde_json reports it (by letting serde_json read the text again). While an error
//! unwinds, the decoders note in the reader where it happened (see [`Step`]), so that it is
//! located without reading the text again.
//!
//! `shim` holds the two generic pieces the serde traits of the generated types go through:
//! whatever a deserializer gives, transcribed into JSON text, and JSON text replayed into any
//! serializer.

mod read;
mod shim;
mod write;

use serde_json::Value;

pub use read::Reader;
pub(crate) use read::{Expecting, Failure, Num};
pub(crate) use shim::{replay, transcribe};
pub use write::Writer;

/// The error of decoding: serde_json's, so that messages read as serde_json's do.
pub type Error = serde_json::Error;

/// A JSON object: the type of `JSONObject` fields and of kept unknown fields.
pub type JsonObject = serde_json::Map<String, Value>;

/// Objects and arrays may nest this deep (serde_json alone allows 128): deeper input is refused
/// with an error before it can exhaust a small stack (256 KiB is enough, even in debug builds).
pub const MAX_DEPTH: u32 = 96;

/// Decoded records may take this many bytes for every byte of input, plus [`BUDGET_FLOOR`].
pub const BUDGET_PER_BYTE: usize = 8;
/// Decoded records may always take this many bytes.
pub const BUDGET_FLOOR: usize = 4 << 20;

/// The records budget of a message of `len` bytes.
pub(crate) fn message_budget(len: usize) -> usize {
    BUDGET_FLOOR.saturating_add(len.saturating_mul(BUDGET_PER_BYTE))
}

/// A step of the path to a value: a key of an object or an index of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

// Scanning, shared by the reader and the error locator.

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
    use super::read::plain_run;
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
                assert_eq!(message_of(&a), message_of(&b), "{text}")
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
