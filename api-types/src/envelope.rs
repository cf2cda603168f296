//! The WebSocket messages: requests out, responses and events in, and the entry points that
//! decode them (non-generic, so a bot crate does not compile the decoders again).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::Expecting;
use crate::runtime::{Command, CommandError, JsonObject};
use crate::wire::{
    self, skip_string, skip_value, skip_ws, Encode, Error, Note, Reader, Session, Step, Union,
    Wire, Writer,
};
use crate::{ChatEvent, ChatResponse};

/// A command to send: `{"corrId": "...", "cmd": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommandRequest {
    /// Correlation id; the response carries it back.
    pub corr_id: String,
    /// The command string.
    pub cmd: String,
}

impl CommandRequest {
    /// Renders `command` with the correlation id `corr_id`.
    pub fn new(corr_id: impl Into<String>, command: &impl Command) -> Result<Self, CommandError> {
        Ok(CommandRequest {
            corr_id: corr_id.into(),
            cmd: command.to_command_string()?,
        })
    }

    /// The JSON text to send over the WebSocket.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for CommandRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("corrId", &self.corr_id)?;
        m.serialize_entry("cmd", &self.cmd)?;
        m.end()
    }
}

/// A response to a command: `{"corrId": "...", "resp": {...}}`.
///
/// `corr_id` is `None` for a response to a command that was sent without one (for example typed
/// in the terminal).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMessage {
    /// The correlation id of the command.
    pub corr_id: Option<String>,
    /// The response.
    pub resp: ChatResponse,
    /// Top-level fields besides `corrId` and `resp`, kept as received.
    pub extra_fields: JsonObject,
}

/// An event: `{"resp": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMessage {
    /// The event.
    pub resp: ChatEvent,
    /// Top-level fields besides `resp`, kept as received.
    pub extra_fields: JsonObject,
}

/// Anything the core sends: a response, an event, or (from [`parse_message`]) JSON that
/// does not decode as the docs describe it, kept whole with the error.
///
/// A message with a `corrId` is a response. Without one, it is an event when its tag is a
/// documented event tag (event and response tags overlap: an event is what the core sends
/// unprompted), a response when its tag is only a documented response tag, and an
/// undocumented event otherwise.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message {
    /// A response to a command.
    Response(ResponseMessage),
    /// An event.
    Event(EventMessage),
    /// Valid JSON that does not decode into the documented types (a documented tag whose body
    /// does not match the docs, a value beyond the decoding limits): nothing is lost, the
    /// bot can log it and go on.
    Undecoded(UndecodedMessage),
}

/// A message that is valid JSON but does not decode into the documented types.
#[derive(Debug, Clone, PartialEq)]
pub struct UndecodedMessage {
    /// The message as received.
    pub json: Value,
    /// What does not match, and where (its `corr_id` and `tag` say which command it answers).
    pub error: DecodeError,
}

fn write_envelope(
    w: &mut Writer<'_>,
    corr_id: Option<&str>,
    resp: &dyn Encode,
    extra: &JsonObject,
) {
    w.open_object();
    if let Some(c) = corr_id {
        w.quoted_key("\"corrId\":");
        w.str(c);
    }
    w.quoted_key("\"resp\":");
    resp.encode_json(w);
    for (k, v) in extra {
        w.key(k);
        w.value(v);
    }
    w.close_object();
}

impl Encode for ResponseMessage {
    #[inline]
    fn encode_json(&self, w: &mut Writer<'_>) {
        write_envelope(w, self.corr_id.as_deref(), &self.resp, &self.extra_fields);
    }
}

impl Encode for EventMessage {
    #[inline]
    fn encode_json(&self, w: &mut Writer<'_>) {
        write_envelope(w, None, &self.resp, &self.extra_fields);
    }
}

impl Encode for Message {
    #[inline]
    fn encode_json(&self, w: &mut Writer<'_>) {
        match self {
            Message::Response(r) => r.encode_json(w),
            Message::Event(e) => e.encode_json(w),
            Message::Undecoded(u) => w.value(&u.json),
        }
    }
}

/// `to_json` and `Serialize` of the messages: the JSON text is written directly; `Serialize`
/// replays it into any serializer (slower: see the crate docs).
macro_rules! message_to_json {
    ($($t:ty),*) => {$(
        impl $t {
            /// The JSON text of this message, as the core would send it (the fast path; the
            /// same JSON as `serde_json::to_string`).
            #[inline]
            pub fn to_json(&self) -> String {
                wire::encode_text(self)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                wire::serialize(self, s)
            }
        }
    )*};
}

message_to_json!(ResponseMessage, EventMessage, Message);

/// A message that could not be decoded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// Path to the offending value, e.g. `resp.chatItems[0].chatItem.meta.itemTs` (`.` for the
    /// message itself).
    pub path: String,
    /// 1-based line in the input where the offending value starts (for malformed JSON, where
    /// reading stopped).
    pub line: usize,
    /// 1-based column (in bytes) of that place.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The message's `corrId`, when it could be read: the command this response answers.
    pub corr_id: Option<String>,
    /// The `"type"` of the message's `resp`, when it could be read.
    pub tag: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at `{}` (line {}, column {}): {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    fn new(text: &str, e: &serde_json::Error, steps: &[Step]) -> DecodeError {
        let mut path = String::new();
        for step in steps {
            match step {
                Step::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
                Step::Index(i) => {
                    path.push('[');
                    path.push_str(itoa::Buffer::new().format(*i));
                    path.push(']');
                }
            }
        }
        if path.is_empty() {
            path.push('.');
        }
        let located = if e.is_data() {
            locate(text, steps).map(|at| line_column(text, at))
        } else {
            None
        };
        let (line, column) = located.unwrap_or((e.line().max(1), e.column().max(1)));
        let string_at = |steps: &[Step]| {
            let at = locate(text, steps)?;
            let mut values =
                serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<String>();
            values.next()?.ok()
        };
        DecodeError {
            path,
            line,
            column,
            message: wire::message_of(e),
            corr_id: string_at(&[Step::Key("corrId".to_owned())]),
            tag: string_at(&[Step::Key("resp".to_owned()), Step::Key("type".to_owned())]),
        }
    }
}

/// 1-based line and byte column of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at.min(text.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
    (line, column)
}

/// Where the value at `steps` starts in the JSON `text` (for a repeated key, the last one, as
/// decoding keeps the last). Iterative, so any nesting is fine.
fn locate(text: &str, steps: &[Step]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for step in steps {
        match step {
            Step::Key(key) => {
                if *b.get(pos)? != b'{' {
                    return None;
                }
                pos += 1;
                let mut found = None;
                loop {
                    pos = skip_ws(b, pos);
                    match *b.get(pos)? {
                        b'}' => break,
                        b',' => {
                            pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let end = skip_string(b, pos)?;
                    let k: String = serde_json::from_str(text.get(pos..end)?).ok()?;
                    pos = skip_ws(b, end);
                    if *b.get(pos)? != b':' {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    if k == *key {
                        found = Some(pos);
                    }
                    pos = skip_value(b, pos)?;
                }
                pos = found?;
            }
            Step::Index(i) => {
                if *b.get(pos)? != b'[' {
                    return None;
                }
                pos += 1;
                let mut n = 0;
                loop {
                    pos = skip_ws(b, pos);
                    match *b.get(pos)? {
                        b']' => return None,
                        b',' => {
                            pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    if n == *i {
                        break;
                    }
                    pos = skip_value(b, pos)?;
                    n += 1;
                }
            }
        }
    }
    Some(pos)
}

/// Decodes the message `s` (with the limits of one message: see the crate docs).
fn decode(s: &str, want: Want) -> Result<Message, DecodeError> {
    let session = Session::start();
    let mut r = session.reader(s);
    let decoded = envelope(&mut r, want).and_then(|m| {
        r.end()?;
        Ok(m)
    });
    decoded.map_err(|e| DecodeError::new(s, &e, &session.take_path()))
}

/// Decodes the whole JSON `text` into `v`, with the limits of a message (see [`Json`]).
///
/// [`Json`]: crate::Json
pub(crate) fn decode_value(v: &mut dyn wire::Decode, text: &str) -> Result<(), DecodeError> {
    let session = Session::start();
    let mut r = session.reader(text);
    let decoded = v.decode_json(&mut r).and_then(|()| r.end());
    decoded.map_err(|e| DecodeError::new(text, &e, &session.take_path()))
}

/// Decodes a response message `{"corrId": "...", "resp": {...}}`.
pub fn parse_response(s: &str) -> Result<ResponseMessage, DecodeError> {
    match decode(s, Want::Response)? {
        Message::Response(r) => Ok(r),
        _ => Err(DecodeError::new(s, &not_a("response"), &[])),
    }
}

/// Decodes an event message `{"resp": {...}}`.
pub fn parse_event(s: &str) -> Result<EventMessage, DecodeError> {
    match decode(s, Want::Event)? {
        Message::Event(e) => Ok(e),
        _ => Err(DecodeError::new(s, &not_a("event"), &[])),
    }
}

#[cold]
fn not_a(what: &str) -> Error {
    de::Error::custom(format_args!("expected {what}"))
}

/// Decodes any message (see [`Message`] for how responses and events are told apart).
///
/// Every valid JSON message gives a `Message`: one that does not decode into the documented
/// types is [`Message::Undecoded`], the JSON with the located error. `Err` means the text is
/// not JSON (or nests deeper than the decoding limit).
pub fn parse_message(s: &str) -> Result<Message, DecodeError> {
    match decode(s, Want::Any) {
        Ok(m) => Ok(m),
        Err(error) => match as_json(s) {
            Some(json) => Ok(Message::Undecoded(UndecodedMessage { json, error })),
            None => Err(error),
        },
    }
}

/// `s` as any JSON, with the same nesting limit as typed decoding.
fn as_json(s: &str) -> Option<Value> {
    let mut r = Reader::new(s, usize::MAX);
    let v = r.value().ok()?;
    r.end().ok()?;
    Some(v)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Response,
    Event,
    Any,
}

/// The `resp` of a message whose kind is not known yet: dispatched by its tag.
enum Resp {
    Response(ChatResponse),
    Event(ChatEvent),
}

impl Default for Resp {
    fn default() -> Self {
        Resp::Event(ChatEvent::default())
    }
}

impl Union for Resp {
    const NAME: &'static str = "response or event";
    const TAGS: &'static [&'static str] = &[];

    fn decode_member(tag: &str, r: &mut Reader<'_>, slot: &mut Self) -> Result<bool, Error> {
        if !ChatEvent::TAGS.contains(&tag) && ChatResponse::TAGS.contains(&tag) {
            let mut resp = ChatResponse::default();
            let found = ChatResponse::decode_member(tag, r, &mut resp)?;
            *slot = Resp::Response(resp);
            Ok(found)
        } else {
            let mut e = ChatEvent::default();
            let found = ChatEvent::decode_member(tag, r, &mut e)?;
            *slot = Resp::Event(e);
            Ok(found)
        }
    }

    fn from_bare(_: &str) -> Option<Self> {
        None
    }

    fn undocumented(v: Value) -> Self {
        Resp::Event(ChatEvent::undocumented(v))
    }

    fn encode_member(&self, w: &mut Writer<'_>) {
        match self {
            Resp::Response(r) => r.encode_member(w),
            Resp::Event(e) => e.encode_member(w),
        }
    }

    fn documented_tag(&self) -> Option<&'static str> {
        match self {
            Resp::Response(r) => r.documented_tag(),
            Resp::Event(e) => e.documented_tag(),
        }
    }
}

impl Wire for Resp {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        wire::decode_union(self, r, note)
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        self.encode_member(w)
    }
}

fn envelope(r: &mut Reader<'_>, want: Want) -> Result<Message, Error> {
    r.object(&Expecting("a message {\"corrId\": ..., \"resp\": {...}}"))?;
    let mut corr_id: Option<String> = None;
    let mut resp: Option<Resp> = None;
    let mut extra = JsonObject::new();
    while let Some(key) = r.next_key()? {
        match key.as_ref() {
            "corrId" => corr_id = wire::wire_at(r, "corrId")?,
            "resp" => {
                let is_response =
                    want == Want::Response || (want == Want::Any && corr_id.is_some());
                resp = Some(match want {
                    _ if is_response => Resp::Response(wire::wire_at(r, "resp")?),
                    Want::Event => Resp::Event(wire::wire_at(r, "resp")?),
                    _ => wire::wire_at::<Resp>(r, "resp")?,
                });
            }
            _ => {
                let v = wire::value_at(r, &key)?;
                extra.insert(key.into_owned(), v);
            }
        }
    }
    let resp = resp.ok_or_else(|| de::Error::missing_field("resp"))?;
    Ok(match (resp, corr_id) {
        (Resp::Response(resp), corr_id) => Message::Response(ResponseMessage {
            corr_id,
            resp,
            extra_fields: extra,
        }),
        // A corrId after the resp (the core writes it first): a response after all, when a
        // response has that tag and shape; otherwise the event, with its corrId kept.
        (Resp::Event(event), Some(corr_id)) if want != Want::Event => {
            match event.__into_response() {
                Ok(resp) => Message::Response(ResponseMessage {
                    corr_id: Some(corr_id),
                    resp,
                    extra_fields: extra,
                }),
                Err(event) => {
                    extra.insert("corrId".to_owned(), Value::String(corr_id));
                    Message::Event(EventMessage {
                        resp: event,
                        extra_fields: extra,
                    })
                }
            }
        }
        (Resp::Event(_), Some(_)) => {
            return Err(de::Error::custom(
                "expected an event, found a message with a corrId",
            ))
        }
        (Resp::Event(resp), None) => Message::Event(EventMessage {
            resp,
            extra_fields: extra,
        }),
    })
}

/// `Deserialize` of the messages: whatever `d` gives, as JSON text, decoded as a message.
fn deserialize_envelope<'de, D: Deserializer<'de>>(d: D, want: Want) -> Result<Message, D::Error> {
    let mut text = String::new();
    crate::json::transcribe(d, &mut text)?;
    envelope_text(&text, want).map_err(|e| de::Error::custom(wire::message_of(&e)))
}

fn envelope_text(text: &str, want: Want) -> Result<Message, Error> {
    let mut r = Reader::new(text, usize::MAX);
    let m = envelope(&mut r, want)?;
    r.end()?;
    Ok(m)
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_envelope(d, Want::Any)
    }
}

impl<'de> Deserialize<'de> for ResponseMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match deserialize_envelope(d, Want::Response)? {
            Message::Response(r) => Ok(r),
            _ => Err(de::Error::custom("expected a response")),
        }
    }
}

impl<'de> Deserialize<'de> for EventMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match deserialize_envelope(d, Want::Event)? {
            Message::Event(e) => Ok(e),
            _ => Err(de::Error::custom(
                "expected an event, found a message with a corrId",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.to_owned())
    }

    #[test]
    fn locate_finds_values_by_path() {
        let text =
            "{\"a\": [1, {\"b\\\"\": \"x]\"}, 3],\n \"c\": {\"d\": true}, \"c\": {\"d\": 7}}";
        let at = |steps: &[Step]| locate(text, steps).map(|p| &text[p..p + 1]);
        assert_eq!(at(&[key("a"), Step::Index(1), key("b\"")]), Some("\""));
        assert_eq!(at(&[key("a"), Step::Index(2)]), Some("3"));
        // The last of a repeated key, as decoding keeps.
        assert_eq!(at(&[key("c"), key("d")]), Some("7"));
        assert_eq!(at(&[key("a"), Step::Index(3)]), None);
        assert_eq!(at(&[key("zz")]), None);
        let p = locate(text, &[key("c")]).expect("found");
        assert_eq!(line_column(text, p), (2, 25));
    }

    #[test]
    fn locate_survives_truncated_and_deep_input() {
        let deep = "[".repeat(100_000);
        assert_eq!(locate(&deep, &[Step::Index(0), Step::Index(0)]), Some(2));
        assert_eq!(locate("{\"a\": [1, 2", &[key("a"), Step::Index(5)]), None);
        assert_eq!(locate("{\"a", &[key("a")]), None);
    }
}
