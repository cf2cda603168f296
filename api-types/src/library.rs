//! The replies of the in-process core (`libsimplex`): not the WebSocket envelope.
//!
//! `chat_send_cmd` answers `{"result": <response>}` or `{"error": <ChatError>}`, with no
//! `corrId` (the call itself is the correlation); `chat_recv_msg_wait` answers
//! `{"result": <event>}`, `{"error": <ChatError>}`, or an empty string when nothing arrived in
//! time. [`parse_library_response`] and [`parse_library_event`] decode them with the same
//! decoders, limits and located errors as [`parse_response`](crate::parse_response) and
//! [`parse_event`](crate::parse_event).

use serde::de;

use crate::error::{string_at, DecodeError};
use crate::json::{message_budget, Error, Expecting, JsonObject, Reader, Step};
use crate::types::ChatError;
use crate::wire::{self, Wire};
use crate::{ChatEvent, ChatResponse};

/// What the library answered: the result, or the error it reports instead.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LibraryOutcome<T> {
    /// `{"result": ...}`: a response (from `chat_send_cmd`) or an event (from
    /// `chat_recv_msg_wait`).
    Result(T),
    /// `{"error": ...}`: the command was refused, or the core reports an error unprompted.
    /// Over the WebSocket the same error comes as a `chatCmdError` response (or a `chatError`
    /// event) carrying it.
    Error(Box<ChatError>),
}

/// One reply of the library, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryReply<T> {
    /// The result or the error.
    pub outcome: LibraryOutcome<T>,
    /// Top-level fields besides `result` and `error`, kept as received.
    pub extra_fields: JsonObject,
}

/// Decodes the reply of `chat_send_cmd`: `{"result": <response>}` or `{"error": <ChatError>}`.
///
/// Anything else (not JSON, neither key, both keys, a known field of the wrong type) is a
/// [`DecodeError`] saying where; its `tag` is the `type` of the result or the error when it
/// could be read. An undocumented response tag decodes (as `ChatResponse::Undocumented`).
pub fn parse_library_response(s: &str) -> Result<LibraryReply<ChatResponse>, DecodeError> {
    decode(s)
}

/// Decodes the reply of `chat_recv_msg_wait`: `None` for the empty string (nothing arrived in
/// time), else `{"result": <event>}` or `{"error": <ChatError>}`, decoded like
/// [`parse_library_response`].
pub fn parse_library_event(s: &str) -> Result<Option<LibraryReply<ChatEvent>>, DecodeError> {
    if s.is_empty() {
        return Ok(None);
    }
    decode(s).map(Some)
}

impl DecodeError {
    /// The error for bytes that are not UTF-8 (the library returns bytes; a text must be UTF-8
    /// to be decoded): located at the first invalid byte, path `.`.
    pub fn not_utf8(bytes: &[u8], e: std::str::Utf8Error) -> DecodeError {
        let at = e.valid_up_to().min(bytes.len());
        let before = &bytes[..at];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        DecodeError {
            path: ".".to_owned(),
            line,
            column,
            message: format!("invalid UTF-8: {e}"),
            corr_id: None,
            tag: None,
        }
    }
}

fn decode<T: Wire>(s: &str) -> Result<LibraryReply<T>, DecodeError> {
    let mut r = Reader::new(s, message_budget(s.len()));
    let decoded = reply(&mut r).and_then(|m| {
        r.end()?;
        Ok(m)
    });
    decoded.map_err(|e| {
        let failure = r.take_failure();
        let tag = ["result", "error"].iter().find_map(|key| {
            string_at(
                s,
                &[Step::Key((*key).to_owned()), Step::Key("type".to_owned())],
            )
        });
        DecodeError::new(s, &e, failure, None, tag)
    })
}

fn reply<T: Wire>(r: &mut Reader<'_>) -> Result<LibraryReply<T>, Error> {
    r.object(&Expecting(
        "a library reply {\"result\": {...}} or {\"error\": {...}}",
    ))?;
    let mut outcome: Option<LibraryOutcome<T>> = None;
    let mut extra = JsonObject::new();
    while let Some(key) = r.next_key()? {
        let decoded = match key.as_ref() {
            "result" => LibraryOutcome::Result(wire::wire_at(r, "result")?),
            "error" => LibraryOutcome::Error(Box::new(wire::wire_at::<ChatError>(r, "error")?)),
            _ => {
                let v = wire::value_at(r, &key)?;
                extra.insert(key.into_owned(), v);
                continue;
            }
        };
        if outcome.is_some() {
            return Err(de::Error::custom(
                "a library reply has either `result` or `error`, not both",
            ));
        }
        outcome = Some(decoded);
    }
    let outcome =
        outcome.ok_or_else(|| de::Error::custom("missing field `result` (or `error`)"))?;
    Ok(LibraryReply {
        outcome,
        extra_fields: extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ChatErrorType, StoreError};
    use crate::{parse_event, parse_response};

    /// A capture of `api-types/tests/data/`, its `resp` re-wrapped as the library sends it.
    fn rewrapped(capture: &str, key: &str) -> (String, String) {
        let v: serde_json::Value = serde_json::from_str(capture).expect("a capture");
        let resp = v.get("resp").expect("resp").clone();
        let ws = serde_json::json!({ "resp": resp }).to_string();
        let lib = serde_json::json!({ key: resp }).to_string();
        (ws, lib)
    }

    #[test]
    fn captured_responses_decode_as_over_the_websocket() {
        for capture in [
            include_str!("../tests/data/activeUser-2.json"),
            include_str!("../tests/data/contactsList-1.json"),
            include_str!("../tests/data/userContactLink-1.json"),
            include_str!("../tests/data/chatCmdError-6.json"),
        ] {
            let (ws, lib) = rewrapped(capture, "result");
            let over_ws = parse_response(&ws).expect("the capture decodes");
            let reply = parse_library_response(&lib).expect("the re-wrapped capture decodes");
            assert_eq!(reply.outcome, LibraryOutcome::Result(over_ws.resp));
            assert!(reply.extra_fields.is_empty());
        }
    }

    #[test]
    fn captured_events_decode_as_over_the_websocket_and_empty_is_none() {
        for capture in [
            include_str!("../tests/data/newChatItems-5.json"),
            include_str!("../tests/data/receivedGroupInvitation-1.json"),
        ] {
            let (ws, lib) = rewrapped(capture, "result");
            let over_ws = parse_event(&ws).expect("the capture decodes");
            let reply = parse_library_event(&lib)
                .expect("the re-wrapped capture decodes")
                .expect("an event");
            assert_eq!(reply.outcome, LibraryOutcome::Result(over_ws.resp));
        }
        assert_eq!(parse_library_event(""), Ok(None));
    }

    #[test]
    fn an_error_reply_is_the_chat_error_and_unknown_fields_are_kept() {
        let capture = include_str!("../tests/data/chatCmdError-6.json");
        let v: serde_json::Value = serde_json::from_str(capture).expect("a capture");
        let error = v["resp"]["chatError"].clone();
        let text = serde_json::json!({ "error": error, "v": 2 }).to_string();
        let reply = parse_library_response(&text).expect("decodes");
        match &reply.outcome {
            LibraryOutcome::Error(e) => assert!(
                matches!(&**e, ChatError::Error(e) if matches!(e.error_type, ChatErrorType::NoActiveUser)),
                "{e:?}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(reply.extra_fields.get("v"), Some(&serde_json::json!(2)));

        let store =
            r#"{"error":{"type":"errorStore","storeError":{"type":"userContactLinkNotFound"}}}"#;
        let event = parse_library_event(store).expect("decodes").expect("some");
        assert!(matches!(
            event.outcome,
            LibraryOutcome::Error(e) if matches!(&*e, ChatError::ErrorStore(s) if matches!(s.store_error, StoreError::UserContactLinkNotFound))
        ));
    }

    #[test]
    fn bad_replies_are_located_errors() {
        // (text, path, line, column, message fragment, tag)
        type Case<'a> = (&'a str, &'a str, usize, usize, &'a str, Option<&'a str>);
        let cases: &[Case<'_>] = &[
            ("not json", ".", 1, 2, "expected", None),
            ("{}", ".", 1, 1, "missing field `result`", None),
            ("[1]", ".", 1, 1, "library reply", None),
            (
                r#"{"result":{"type":"cmdOk"},"error":{"type":"error"}}"#,
                ".",
                1,
                1,
                "not both",
                Some("cmdOk"),
            ),
            (
                r#"{"result":{"type":"activeUser","user":7}}"#,
                "result.user",
                1,
                39,
                "",
                Some("activeUser"),
            ),
            (
                r#"{"error":{"type":"error","errorType":{"type":"commandError","message":7}}}"#,
                "error.errorType.message",
                1,
                71,
                "",
                Some("error"),
            ),
            (
                r#"{"result":{"type":"cmdOk"}} x"#,
                ".",
                1,
                29,
                "",
                Some("cmdOk"),
            ),
        ];
        for &(text, path, line, column, fragment, tag) in cases {
            let e = parse_library_response(text).expect_err(text);
            assert_eq!(e.path, path, "{text}: {e}");
            assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
            assert!(e.message.contains(fragment), "{text}: {e}");
            assert_eq!(e.tag.as_deref(), tag, "{text}: {e}");
            assert_eq!(e.corr_id, None);
        }
        for text in [
            "not json",
            "{}",
            "[1]",
            r#"{"result":{"type":"newChatItems","user":7}}"#,
        ] {
            assert!(parse_library_event(text).is_err(), "{text}");
        }
        // Deep nesting and invalid escapes fail without a panic.
        let deep = format!(
            "{{\"result\":{}{}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse_library_response(&deep).is_err());
        assert!(parse_library_event("{\"result\":\"\\ud800\"}").is_err());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        let bytes: Vec<u8> = b"{\"result\":\n {\"type\":\"a\xff\"}}".to_vec();
        let e = std::str::from_utf8(&bytes).expect_err("not UTF-8");
        let error = DecodeError::not_utf8(&bytes, e);
        assert_eq!((error.line, error.column), (2, 12), "{error}");
        assert!(error.message.contains("invalid UTF-8"), "{error}");
    }
}
