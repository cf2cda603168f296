//! The WebSocket messages: requests out, responses and events in, and the entry points that
//! decode them (non-generic, so a bot crate does not compile the decoders again).

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::command::Command;
use crate::error::{string_at, CommandError, DecodeError};
use crate::json::{
    message_budget, message_of, skip_ws, Error, Expecting, Failure, JsonObject, Reader, Step,
};
use crate::wire::{self, Encode, Note, Union, Wire, Writer};
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

/// JSON text in and out for every generated type, without serde (the fast path; see the crate
/// docs). `from_json` applies the limits of a message and locates its errors as
/// [`parse_message`](crate::parse_message) does.
pub trait Json: Sized {
    /// Decodes a whole JSON text.
    fn from_json(text: &str) -> Result<Self, DecodeError>;
    /// The JSON text, compact (the same text as `serde_json::to_string` gives).
    fn to_json(&self) -> String;
}

impl<T: wire::Wire> Json for T {
    fn from_json(text: &str) -> Result<Self, DecodeError> {
        let mut v = T::default();
        decode_value(&mut v, text)?;
        Ok(v)
    }

    fn to_json(&self) -> String {
        wire::encode_text(self)
    }
}

/// What the envelope decoder has read of a message when decoding fails: its `corrId`, and
/// where its `resp` starts.
#[derive(Default)]
struct Seen {
    corr_id: Option<String>,
    resp_at: Option<usize>,
}

impl Seen {
    /// The error `e` of decoding the message `text`, located where the reader noted, with the
    /// `corrId` and the tag of `resp`. They come from what was read; only what decoding had not
    /// reached (a `corrId` after a `resp` that failed, a `resp` after a `corrId` that failed) is
    /// looked for in the text, and the tag within `resp` when it is not its first key.
    fn error(self, text: &str, e: &Error, r: &mut Reader<'_>) -> DecodeError {
        let failure = r.take_failure();
        let corr_id = self
            .corr_id
            .or_else(|| string_at(text, &[Step::Key("corrId".to_owned())]));
        let type_key = || Step::Key("type".to_owned());
        let tag = match self.resp_at {
            Some(at) => text
                .get(skip_ws(text.as_bytes(), at)..)
                .and_then(|resp| string_at(resp, &[type_key()])),
            // Decoding failed before `resp` (a bad `corrId`): it may still be there.
            None => string_at(text, &[Step::Key("resp".to_owned()), type_key()]),
        };
        DecodeError::new(text, e, failure, corr_id, tag)
    }
}

/// Decodes the message `s` (with the limits of one message: see the crate docs).
fn decode(s: &str, want: Want) -> Result<Message, DecodeError> {
    let mut r = Reader::new(s, message_budget(s.len()));
    let mut seen = Seen::default();
    let decoded = envelope(&mut r, want, &mut seen).and_then(|m| {
        r.end()?;
        Ok(m)
    });
    decoded.map_err(|e| seen.error(s, &e, &mut r))
}

/// Decodes the whole JSON `text` into `v`, with the limits of a message (see [`Json`]).
pub(crate) fn decode_value(v: &mut dyn wire::Decode, text: &str) -> Result<(), DecodeError> {
    let mut r = Reader::new(text, message_budget(text.len()));
    let decoded = v.decode_json(&mut r).and_then(|()| r.end());
    decoded.map_err(|e| DecodeError::new(text, &e, r.take_failure(), None, None))
}

/// The error for a message that decoded, but as the other kind.
fn other_kind(text: &str, m: &Message, expected: &str) -> DecodeError {
    let (corr_id, tag) = match m {
        Message::Response(r) => (r.corr_id.clone(), r.resp.tag()),
        Message::Event(e) => (None, e.resp.tag()),
        Message::Undecoded(u) => (u.error.corr_id.clone(), u.error.tag.as_deref()),
    };
    DecodeError::new(
        text,
        &not_a(expected),
        Failure::default(),
        corr_id,
        tag.map(str::to_owned),
    )
}

/// Decodes a response message `{"corrId": "...", "resp": {...}}`.
pub fn parse_response(s: &str) -> Result<ResponseMessage, DecodeError> {
    match decode(s, Want::Response)? {
        Message::Response(r) => Ok(r),
        other => Err(other_kind(s, &other, "response")),
    }
}

/// Decodes an event message `{"resp": {...}}`.
pub fn parse_event(s: &str) -> Result<EventMessage, DecodeError> {
    match decode(s, Want::Event)? {
        Message::Event(e) => Ok(e),
        other => Err(other_kind(s, &other, "event")),
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

fn envelope(r: &mut Reader<'_>, want: Want, seen: &mut Seen) -> Result<Message, Error> {
    r.object(&Expecting("a message {\"corrId\": ..., \"resp\": {...}}"))?;
    let mut corr_id: Option<String> = None;
    let mut resp: Option<Resp> = None;
    let mut extra = JsonObject::new();
    while let Some(key) = r.next_key()? {
        match key.as_ref() {
            "corrId" => {
                corr_id = wire::wire_at(r, "corrId")?;
                seen.corr_id.clone_from(&corr_id);
            }
            "resp" => {
                seen.resp_at = Some(r.pos());
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
    envelope_text(&text, want).map_err(|e| de::Error::custom(message_of(&e)))
}

fn envelope_text(text: &str, want: Want) -> Result<Message, Error> {
    let mut r = Reader::new(text, usize::MAX);
    let m = envelope(&mut r, want, &mut Seen::default())?;
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
