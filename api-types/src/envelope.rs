//! The WebSocket messages: requests out, responses and events in, and non-generic entry points
//! that decode them (so a bot crate does not compile serde's code for every type again).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::runtime::{deserialize_union, Command, CommandError, DecodeUnion, JsonObject, Key};
use crate::{ChatEvent, ChatResponse};

/// A command to send: `{"corrId": "...", "cmd": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Anything the core sends: a response or an event.
///
/// A message with a `corrId` is a response. Without one, it is an event when its tag is a
/// documented event tag (event and response tags overlap: an event is what the core sends
/// unprompted), a response when its tag is only a documented response tag, and an unknown
/// event otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A response to a command.
    Response(ResponseMessage),
    /// An event.
    Event(EventMessage),
}

fn serialize_envelope<S: Serializer, T: Serialize>(
    s: S,
    corr_id: Option<&str>,
    resp: &T,
    extra: &JsonObject,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    if let Some(c) = corr_id {
        m.serialize_entry("corrId", c)?;
    }
    m.serialize_entry("resp", resp)?;
    for (k, v) in extra {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

impl Serialize for ResponseMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_envelope(s, self.corr_id.as_deref(), &self.resp, &self.extra_fields)
    }
}

impl Serialize for EventMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_envelope(s, None, &self.resp, &self.extra_fields)
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Response(r) => r.serialize(s),
            Message::Event(e) => e.serialize(s),
        }
    }
}

/// A message that could not be decoded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Path to the offending value, e.g. `resp.chatItems[0].chatItem.meta.itemTs`.
    pub path: String,
    /// 1-based line in the input.
    pub line: usize,
    /// 1-based column in the input.
    pub column: usize,
    /// What is wrong.
    pub message: String,
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

/// Decodes again with path tracking to say where the error is (only on the error path).
fn located<T: for<'de> Deserialize<'de>>(s: &str, fallback: serde_json::Error) -> DecodeError {
    let mut de = serde_json::Deserializer::from_str(s);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => DecodeError {
            path: e.path().to_string(),
            line: e.inner().line(),
            column: e.inner().column(),
            message: e.inner().to_string(),
        },
        Ok(_) => DecodeError {
            path: ".".to_owned(),
            line: fallback.line(),
            column: fallback.column(),
            message: fallback.to_string(),
        },
    }
}

fn decode<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, DecodeError> {
    serde_json::from_str(s).map_err(|e| located::<T>(s, e))
}

/// Decodes a response message `{"corrId": "...", "resp": {...}}`.
pub fn parse_response(s: &str) -> Result<ResponseMessage, DecodeError> {
    decode(s)
}

/// Decodes an event message `{"resp": {...}}`.
pub fn parse_event(s: &str) -> Result<EventMessage, DecodeError> {
    decode(s)
}

/// Decodes any message (see [`Message`] for how responses and events are told apart).
pub fn parse_message(s: &str) -> Result<Message, DecodeError> {
    decode(s)
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

impl DecodeUnion for Resp {
    const EXPECTING: &'static str = "a response or an event object tagged by \"type\"";
    const TAGS: &'static [&'static str] = &[];
    fn decode_tagged<'de, A: MapAccess<'de>>(tag: &str, map: A) -> Result<Self, A::Error> {
        if !ChatEvent::TAGS.contains(&tag) && ChatResponse::TAGS.contains(&tag) {
            ChatResponse::decode_tagged(tag, map).map(Resp::Response)
        } else {
            ChatEvent::decode_tagged(tag, map).map(Resp::Event)
        }
    }
    fn decode_bare(s: &str) -> Self {
        Resp::Event(ChatEvent::decode_bare(s))
    }
    fn unknown(value: serde_json::Value) -> Self {
        Resp::Event(ChatEvent::unknown(value))
    }
}

impl<'de> Deserialize<'de> for Resp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_union(d)
    }
}

fn envelope<'de, A: MapAccess<'de>>(mut map: A, want: Want) -> Result<Message, A::Error> {
    let mut corr_id: Option<String> = None;
    let mut resp: Option<Resp> = None;
    let mut extra = JsonObject::new();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        match key.0.as_ref() {
            "corrId" => corr_id = map.next_value()?,
            "resp" => {
                let is_response =
                    want == Want::Response || (want == Want::Any && corr_id.is_some());
                resp = Some(match want {
                    _ if is_response => Resp::Response(map.next_value()?),
                    Want::Event => Resp::Event(map.next_value()?),
                    _ => map.next_value::<Resp>()?,
                });
            }
            _ => {
                let v = map.next_value()?;
                extra.insert(key.0.into_owned(), v);
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
        // A corrId after the resp: it is a response after all (the core sends corrId first).
        (Resp::Event(event), Some(corr_id)) => {
            let v = serde_json::to_value(&event).map_err(de::Error::custom)?;
            Message::Response(ResponseMessage {
                corr_id: Some(corr_id),
                resp: ChatResponse::deserialize(v).map_err(de::Error::custom)?,
                extra_fields: extra,
            })
        }
        (Resp::Event(resp), None) => Message::Event(EventMessage {
            resp,
            extra_fields: extra,
        }),
    })
}

fn deserialize_envelope<'de, D: Deserializer<'de>>(d: D, want: Want) -> Result<Message, D::Error> {
    struct V(Want);
    impl<'de> Visitor<'de> for V {
        type Value = Message;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a message {\"corrId\": ..., \"resp\": {...}}")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Message, A::Error> {
            envelope(map, self.0)
        }
    }
    d.deserialize_map(V(want))
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
            Message::Event(_) => Err(de::Error::custom("expected a response")),
        }
    }
}

impl<'de> Deserialize<'de> for EventMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match deserialize_envelope(d, Want::Event)? {
            Message::Event(e) => Ok(e),
            Message::Response(_) => Err(de::Error::custom(
                "expected an event, found a message with a corrId",
            )),
        }
    }
}
