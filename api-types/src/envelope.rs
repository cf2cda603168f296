//! The WebSocket messages: requests out, responses and events in, and non-generic entry points
//! that decode them (so a bot crate does not compile serde's code for every type again).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::runtime::{Command, CommandError, Key};
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
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMessage {
    /// The correlation id of the command.
    pub corr_id: String,
    /// The response.
    pub resp: ChatResponse,
}

/// Anything the core sends: a response (with a correlation id) or an event (without one).
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A response to a command.
    Response(ResponseMessage),
    /// An event.
    Event(ChatEvent),
}

impl Serialize for ResponseMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("corrId", &self.corr_id)?;
        m.serialize_entry("resp", &self.resp)?;
        m.end()
    }
}

impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Response(r) => r.serialize(s),
            Message::Event(e) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("resp", e)?;
                m.end()
            }
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
pub fn parse_event(s: &str) -> Result<ChatEvent, DecodeError> {
    decode::<EventMessage>(s).map(|e| e.0)
}

/// Decodes any message: a response when it has a `corrId`, an event otherwise.
pub fn parse_message(s: &str) -> Result<Message, DecodeError> {
    decode(s)
}

struct EventMessage(ChatEvent);

impl<'de> Deserialize<'de> for ResponseMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Message::deserialize(d)? {
            Message::Response(r) => Ok(r),
            Message::Event(_) => Err(de::Error::missing_field("corrId")),
        }
    }
}

impl<'de> Deserialize<'de> for EventMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventMessage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an event message {\"resp\": {...}}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EventMessage, A::Error> {
                let mut resp = None;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    if key.0 == "resp" {
                        resp = Some(map.next_value::<ChatEvent>()?);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                resp.map(EventMessage)
                    .ok_or_else(|| de::Error::missing_field("resp"))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Message;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message {\"corrId\": ..., \"resp\": {...}}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
                let mut corr_id: Option<String> = None;
                let mut response: Option<ChatResponse> = None;
                let mut pending: Option<serde_json::Value> = None;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match key.0.as_ref() {
                        "corrId" => corr_id = map.next_value()?,
                        // The core sends corrId first; when it has not come yet, keep the JSON
                        // until we know whether this is a response or an event.
                        "resp" if corr_id.is_some() => response = Some(map.next_value()?),
                        "resp" => pending = Some(map.next_value()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                match (corr_id, response, pending) {
                    (Some(corr_id), Some(resp), _) => {
                        Ok(Message::Response(ResponseMessage { corr_id, resp }))
                    }
                    (Some(corr_id), None, Some(v)) => Ok(Message::Response(ResponseMessage {
                        corr_id,
                        resp: ChatResponse::deserialize(v).map_err(de::Error::custom)?,
                    })),
                    (None, _, Some(v)) => Ok(Message::Event(
                        ChatEvent::deserialize(v).map_err(de::Error::custom)?,
                    )),
                    (_, None, None) => Err(de::Error::missing_field("resp")),
                    (None, Some(_), None) => Err(de::Error::missing_field("corrId")),
                }
            }
        }
        d.deserialize_map(V)
    }
}
