//! Hand-written support for the generated code: the [`Command`] trait, command-string helpers,
//! and the decoding machinery that keeps unknown fields, values and tags.
//!
//! Items marked `#[doc(hidden)]` are used by generated code only and are not part of the API.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A JSON object: the type of `JSONObject` fields and of kept unknown fields.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The type of `UTCTime` fields: an ISO-8601 / RFC 3339 timestamp string as the core sent it.
#[cfg(not(feature = "chrono"))]
pub type UtcTime = String;

/// The type of `UTCTime` fields: a UTC timestamp (feature `chrono`).
///
/// Encoding writes RFC 3339 with `Z` and as many fractional digits as the value needs, so a
/// round trip gives the same instant, not always the same text (`.5Z` comes back as `.500Z`).
#[cfg(feature = "chrono")]
pub type UtcTime = chrono::DateTime<chrono::Utc>;

/// A command of the bot API: renders its command string and names its response type.
pub trait Command {
    /// The upstream name, e.g. `APISendMessages`.
    const NAME: &'static str;

    /// The responses this command is documented to get (plus a catch-all); it converts
    /// `From<ChatResponse>`.
    type Response;

    /// Appends the command string to `out`.
    ///
    /// On error `out` may hold part of the command; discard it.
    fn write_command(&self, out: &mut String) -> Result<(), CommandError>;

    /// The command string to send as `cmd`.
    fn to_command_string(&self) -> Result<String, CommandError> {
        // Room for a typical `/_send ... json [...]` with a short text, without growing.
        let mut out = String::with_capacity(256);
        self.write_command(&mut out)?;
        Ok(out)
    }
}

/// Why a command could not be rendered. Rendering never produces a corrupt command instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// A string parameter contains a line break, which would end the command early.
    LineBreak {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter contains a space where the core reads it as one word.
    Space {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter is empty where the core expects a word (more text follows it).
    Empty {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A parameter the command string needs is `None`.
    Missing {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// An `Unknown` enum value or union member has no documented command syntax.
    Unrepresentable {
        /// The parameter (upstream name).
        param: &'static str,
        /// The value as JSON.
        value: String,
    },
    /// A `json(...)` parameter could not be serialised.
    Json {
        /// The parameter (upstream name).
        param: &'static str,
        /// serde_json's message.
        message: String,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::LineBreak { param } => {
                write!(f, "parameter `{param}` contains a line break")
            }
            CommandError::Space { param } => write!(
                f,
                "parameter `{param}` contains a space, but is not the last part of the command"
            ),
            CommandError::Empty { param } => write!(
                f,
                "parameter `{param}` is empty, but is not the last part of the command"
            ),
            CommandError::Missing { param } => {
                write!(f, "parameter `{param}` is required by the command syntax")
            }
            CommandError::Unrepresentable { param, value } => write!(
                f,
                "parameter `{param}` has the value {value}, which has no command syntax"
            ),
            CommandError::Json { param, message } => {
                write!(
                    f,
                    "parameter `{param}` cannot be encoded as JSON: {message}"
                )
            }
        }
    }
}

impl std::error::Error for CommandError {}

/// Helpers called by generated formatters.
#[doc(hidden)]
pub mod fmt_helpers {
    use super::CommandError;
    use std::fmt::Write;

    /// Appends a free string parameter, rejecting what would corrupt the command.
    pub fn push_str(
        out: &mut String,
        value: &str,
        param: &'static str,
        last: bool,
    ) -> Result<(), CommandError> {
        if value.contains(['\n', '\r']) {
            return Err(CommandError::LineBreak { param });
        }
        if !last && value.contains(char::is_whitespace) {
            return Err(CommandError::Space { param });
        }
        if !last && value.is_empty() {
            return Err(CommandError::Empty { param });
        }
        out.push_str(value);
        Ok(())
    }

    /// Appends a timestamp parameter (RFC 3339).
    pub fn push_time(
        out: &mut String,
        value: &super::UtcTime,
        param: &'static str,
        last: bool,
    ) -> Result<(), CommandError> {
        #[cfg(feature = "chrono")]
        let value = &value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        push_str(out, value, param, last)
    }

    /// Appends a number: integers through `itoa` (serde_json's own integer formatter), floats
    /// through `Display`.
    pub fn push_num<T: Number + ?Sized>(out: &mut String, value: &T) {
        value.push_to(out);
    }

    /// A number [`push_num`] can append.
    pub trait Number {
        /// Appends the decimal form.
        fn push_to(&self, out: &mut String);
    }

    impl<T: Number + ?Sized> Number for &T {
        fn push_to(&self, out: &mut String) {
            (**self).push_to(out);
        }
    }

    macro_rules! number_int {
        ($($t:ty),*) => {$(
            impl Number for $t {
                fn push_to(&self, out: &mut String) {
                    out.push_str(itoa::Buffer::new().format(*self));
                }
            }
        )*};
    }
    number_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

    impl Number for f32 {
        fn push_to(&self, out: &mut String) {
            let _ = write!(out, "{self}");
        }
    }

    impl Number for f64 {
        fn push_to(&self, out: &mut String) {
            let _ = write!(out, "{self}");
        }
    }

    /// Appends `on` or `off`.
    pub fn on_off(out: &mut String, value: &bool) {
        out.push_str(if *value { "on" } else { "off" });
    }

    /// Appends `text` when the flag is `when` (it differs from its default).
    pub fn flag(out: &mut String, value: &bool, when: bool, text: &str) {
        if *value == when {
            out.push_str(text);
        }
    }

    /// Appends `key` and `on` or `off` when the optional flag is set.
    pub fn opt_on_off(out: &mut String, value: Option<&bool>, key: &str) {
        if let Some(v) = value {
            out.push_str(key);
            on_off(out, v);
        }
    }

    /// Appends compact JSON.
    pub fn push_json<T: serde::Serialize + ?Sized>(
        out: &mut String,
        value: &T,
        param: &'static str,
    ) -> Result<(), CommandError> {
        // serde_json writes straight into the command's bytes: no temporary string.
        let mut bytes = std::mem::take(out).into_bytes();
        let start = bytes.len();
        let written = serde_json::to_writer(&mut bytes, value);
        if written.is_err() {
            bytes.truncate(start);
        }
        match String::from_utf8(bytes) {
            Ok(s) => *out = s,
            Err(e) => {
                let mut bytes = e.into_bytes();
                bytes.truncate(start);
                *out = String::from_utf8(bytes).unwrap_or_default();
            }
        }
        written.map_err(|e| CommandError::Json {
            param,
            message: e.to_string(),
        })
    }

    /// The error for an `Unknown` enum value that is not a string.
    pub fn unrepresentable_enum(param: &'static str) -> CommandError {
        CommandError::Unrepresentable {
            param,
            value: "a non-string value".to_owned(),
        }
    }

    /// The error for an `Unknown` value.
    pub fn unrepresentable(param: &'static str, value: &serde_json::Value) -> CommandError {
        CommandError::Unrepresentable {
            param,
            value: value.to_string(),
        }
    }
}

/// What decoding noticed about one object, so that encoding gives back the same JSON.
///
/// Empty (and allocation-free) for objects that arrived exactly as documented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Meta(Option<Box<MetaInner>>);

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
struct MetaInner {
    absent: Vec<&'static str>,
    quoted: Vec<&'static str>,
    bare: Option<String>,
}

impl Meta {
    fn inner(&mut self) -> &mut MetaInner {
        self.0.get_or_insert_with(Default::default)
    }

    /// Documented-required fields that were missing (they hold their default value).
    pub fn absent_fields(&self) -> &[&'static str] {
        self.0.as_ref().map_or(&[], |m| &m.absent)
    }

    #[doc(hidden)]
    pub fn is_absent(&self, field: &str) -> bool {
        self.0.as_ref().is_some_and(|m| m.absent.contains(&field))
    }

    #[doc(hidden)]
    pub fn mark_absent(&mut self, field: &'static str) {
        self.inner().absent.push(field);
    }

    #[doc(hidden)]
    pub fn is_quoted(&self, field: &str) -> bool {
        self.0.as_ref().is_some_and(|m| m.quoted.contains(&field))
    }

    #[doc(hidden)]
    pub fn mark_quoted(&mut self, field: &'static str) {
        self.inner().quoted.push(field);
    }

    #[doc(hidden)]
    pub fn bare(&self) -> Option<&str> {
        self.0.as_ref().and_then(|m| m.bare.as_deref())
    }

    #[doc(hidden)]
    pub fn set_bare(&mut self, s: String) {
        self.inner().bare = Some(s);
    }
}

/// An object key, borrowed from the input when possible.
#[doc(hidden)]
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An integer that may arrive as a JSON number or as a string holding one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Int<T> {
    pub value: T,
    pub quoted: bool,
}

macro_rules! int_visitor {
    ($t:ty, $what:literal) => {
        impl<'de> Deserialize<'de> for Int<$t> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Int<$t>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                        <$t>::try_from(v)
                            .map(|value| Int {
                                value,
                                quoted: false,
                            })
                            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                        <$t>::try_from(v)
                            .map(|value| Int {
                                value,
                                quoted: false,
                            })
                            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                        v.parse::<$t>()
                            .map(|value| Int {
                                value,
                                quoted: true,
                            })
                            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}
int_visitor!(i64, "a 64-bit integer (a number or a string holding one)");
int_visitor!(
    u32,
    "a 32-bit unsigned integer (a number or a string holding one)"
);

/// A sequence of integers that may arrive as numbers or strings.
#[doc(hidden)]
pub struct IntVec<T> {
    pub values: Vec<T>,
    pub quoted: bool,
}

impl<'de, T> Deserialize<'de> for IntVec<T>
where
    Int<T>: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<Int<T>>::deserialize(d)?;
        let quoted = items.iter().any(|i| i.quoted);
        Ok(IntVec {
            values: items.into_iter().map(|i| i.value).collect(),
            quoted,
        })
    }
}

/// Serialises an integer map entry, as a string when it arrived as one.
#[doc(hidden)]
pub fn ser_int<M: SerializeMap, T: Serialize + ToString>(
    m: &mut M,
    key: &str,
    value: &T,
    quoted: bool,
) -> Result<(), M::Error> {
    if quoted {
        m.serialize_entry(key, &value.to_string())
    } else {
        m.serialize_entry(key, value)
    }
}

/// Serialises an integer-sequence map entry, as strings when it arrived so.
#[doc(hidden)]
pub fn ser_int_vec<M: SerializeMap, T: Serialize + ToString>(
    m: &mut M,
    key: &str,
    values: &[T],
    quoted: bool,
) -> Result<(), M::Error> {
    if quoted {
        let strings: Vec<String> = values.iter().map(ToString::to_string).collect();
        m.serialize_entry(key, &strings)
    } else {
        m.serialize_entry(key, values)
    }
}

/// A generated struct that decodes from the entries of a JSON object.
#[doc(hidden)]
pub trait DecodeMap: Sized {
    /// What the object is, for error messages.
    const EXPECTING: &'static str;
    /// Reads the (remaining) entries of an object.
    fn decode_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserialises any [`DecodeMap`] type from a JSON object.
#[doc(hidden)]
pub fn deserialize_struct<'de, D: Deserializer<'de>, T: DecodeMap>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: DecodeMap> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::decode_map(map)
        }
    }
    d.deserialize_map(V(PhantomData))
}

/// A generated union (or response/event set) decoded by its `"type"` tag.
#[doc(hidden)]
pub trait DecodeUnion: Sized {
    /// What the object is, for error messages.
    const EXPECTING: &'static str;
    /// The documented tags.
    const TAGS: &'static [&'static str];
    /// Decodes the member for `tag` from the remaining entries; unknown tags are kept whole.
    fn decode_tagged<'de, A: MapAccess<'de>>(tag: &str, map: A) -> Result<Self, A::Error>;
    /// A union sent as a bare string (older cores sent some unions as enums).
    fn decode_bare(s: &str) -> Self;
    /// Wraps any JSON the union does not know.
    fn unknown(value: serde_json::Value) -> Self;
}

/// Deserialises a [`DecodeUnion`]: reads the tag first (fast path when `"type"` is the first key,
/// as the core sends it), then the member.
#[doc(hidden)]
pub fn deserialize_union<'de, D: Deserializer<'de>, T: DecodeUnion>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: DecodeUnion> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::decode_bare(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let Some(first) = map.next_key::<Key<'de>>()? else {
                return Ok(T::unknown(serde_json::Value::Object(JsonObject::new())));
            };
            if first.0 == "type" {
                let tag = map.next_value::<Key<'de>>()?;
                return T::decode_tagged(&tag.0, map);
            }
            // Slow path: the tag is not first. Buffer the object, then decode from it.
            let mut obj = JsonObject::new();
            obj.insert(first.0.into_owned(), map.next_value()?);
            while let Some(k) = map.next_key::<String>()? {
                let v = map.next_value()?;
                obj.insert(k, v);
            }
            match obj.remove("type") {
                Some(serde_json::Value::String(tag)) => {
                    // Through `Value` (not serde's `MapDeserializer`): the member then decodes
                    // with the same code as any member nested in a buffered object, instead of
                    // one more copy of every decoder.
                    let tagged = Tagged::<T>(tag, PhantomData);
                    serde_json::Value::Object(obj)
                        .deserialize_map(tagged)
                        .map_err(de::Error::custom)
                }
                Some(other) => {
                    obj.insert("type".to_owned(), other);
                    Ok(T::unknown(serde_json::Value::Object(obj)))
                }
                None => Ok(T::unknown(serde_json::Value::Object(obj))),
            }
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// Decodes the member for a tag read from a buffered object.
struct Tagged<T>(String, PhantomData<T>);

impl<'de, T: DecodeUnion> Visitor<'de> for Tagged<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::decode_tagged(&self.0, map)
    }
}

#[cfg(test)]
#[test]
fn members_with_the_tag_not_first_decode_as_with_it_first() {
    for text in [
        include_str!("../../tests/data/fixtures/receivedGroupInvitation-1.json"),
        include_str!("../../tests/data/fixtures/newChatItems-5.json"),
        include_str!("../../tests/data/fixtures/contactsList-1.json"),
        include_str!("../../tests/data/fixtures/userContactLink-1.json"),
    ] {
        // Re-encoding through `Value` sorts the keys: `"type"` is then rarely first.
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let sorted = serde_json::to_string(&value).unwrap();
        let resp = sorted.find("\"resp\":{").unwrap() + "\"resp\":{".len();
        assert!(
            !sorted[resp..].starts_with("\"type\""),
            "tag first: {sorted}"
        );
        let streamed = crate::parse_message(text).unwrap();
        assert_eq!(crate::parse_message(&sorted).unwrap(), streamed);
    }
}

/// Reads the remaining entries of an unknown member and keeps them with their tag.
#[doc(hidden)]
pub fn unknown_member<'de, A: MapAccess<'de>>(
    tag: &str,
    mut map: A,
) -> Result<serde_json::Value, A::Error> {
    let mut obj = JsonObject::new();
    obj.insert("type".to_owned(), serde_json::Value::String(tag.to_owned()));
    while let Some(k) = map.next_key::<String>()? {
        let v = map.next_value()?;
        obj.insert(k, v);
    }
    Ok(serde_json::Value::Object(obj))
}

/// A generated enum of JSON strings.
#[doc(hidden)]
pub trait DecodeEnum: Sized {
    /// What the value is, for error messages.
    const EXPECTING: &'static str;
    /// The documented value for `s`, if any.
    fn from_wire(s: &str) -> Option<Self>;
    /// Wraps any JSON the enum does not know.
    fn unknown(value: serde_json::Value) -> Self;
}

/// Deserialises a [`DecodeEnum`]; anything that is not a documented string is kept as JSON.
#[doc(hidden)]
pub fn deserialize_enum<'de, D: Deserializer<'de>, T: DecodeEnum>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: DecodeEnum> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from_wire(v)
                .unwrap_or_else(|| T::unknown(serde_json::Value::String(v.to_owned()))))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
            Ok(T::unknown(v.into()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
            Ok(T::unknown(v.into()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
            Ok(T::unknown(v.into()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
            Ok(T::unknown(v.into()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::unknown(serde_json::Value::Null))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let v = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
            Ok(T::unknown(v))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
            let v = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
            Ok(T::unknown(v))
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// Serialises a string map entry.
#[doc(hidden)]
pub fn ser_tag<M: SerializeMap>(m: &mut M, tag: &str) -> Result<(), M::Error> {
    m.serialize_entry("type", tag)
}

/// Serialises kept unknown fields.
#[doc(hidden)]
#[inline]
pub fn ser_extra<M: SerializeMap>(m: &mut M, extra: &JsonObject) -> Result<(), M::Error> {
    if extra.is_empty() {
        return Ok(());
    }
    for (k, v) in extra {
        m.serialize_entry(k, v)?;
    }
    Ok(())
}

/// Starts serialising an object.
#[doc(hidden)]
pub fn ser_map<S: Serializer>(s: S) -> Result<S::SerializeMap, S::Error> {
    s.serialize_map(None)
}

/// Errors for strict (command) decoding.
#[doc(hidden)]
pub fn unknown_field<E: de::Error>(field: &str, expected: &'static [&'static str]) -> E {
    E::unknown_field(field, expected)
}

/// Missing field error.
#[doc(hidden)]
pub fn missing_field<E: de::Error>(field: &'static str) -> E {
    E::missing_field(field)
}

#[doc(hidden)]
pub use de::IgnoredAny;

/// Compares a bare string with a tag, ignoring case, `-` and `_` (`snd-ready` ~ `sndReady`).
#[doc(hidden)]
pub fn loose_eq(a: &str, b: &str) -> bool {
    // Compared lazily, without allocating: decoding tries each tag of a union in turn.
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| *c != '-' && *c != '_')
            .map(|c| c.to_ascii_lowercase())
    }
    norm(a).eq(norm(b))
}

#[cfg(test)]
#[test]
fn loose_eq_ignores_case_dashes_and_underscores() {
    assert!(loose_eq("snd-ready", "sndReady"));
    assert!(loose_eq("SND_READY", "sndReady"));
    assert!(loose_eq("-_", ""));
    assert!(!loose_eq("ready", "sndReady"));
    assert!(!loose_eq("sndReady", "snd"));
    assert!(!loose_eq("é", "É"));
}

/// A type with its own string syntax in commands (`<str(x)>` in the docs), such as `ChatRef`.
pub trait Syntax {
    /// Appends the string form. `param` names the command parameter for errors; `last` says
    /// whether nothing follows in the command (a free string may then contain spaces).
    fn write_syntax(
        &self,
        out: &mut String,
        param: &'static str,
        last: bool,
    ) -> Result<(), CommandError>;

    /// The string form on its own.
    fn to_syntax_string(&self) -> Result<String, CommandError> {
        let mut out = String::new();
        self.write_syntax(&mut out, "self", true)?;
        Ok(out)
    }
}

/// Why a command or syntax could not be rendered from JSON parameters.
#[derive(Debug)]
#[non_exhaustive]
pub enum FromJsonError {
    /// No command or type of that upstream name has a syntax.
    UnknownName(String),
    /// The JSON does not decode into the command's parameters.
    Json(serde_json::Error),
    /// The parameters decode but cannot be rendered.
    Command(CommandError),
}

impl fmt::Display for FromJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FromJsonError::UnknownName(n) => write!(f, "no command or type `{n}` with a syntax"),
            FromJsonError::Json(e) => write!(f, "invalid parameters: {e}"),
            FromJsonError::Command(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FromJsonError {}

impl From<serde_json::Error> for FromJsonError {
    fn from(e: serde_json::Error) -> Self {
        FromJsonError::Json(e)
    }
}

impl From<CommandError> for FromJsonError {
    fn from(e: CommandError) -> Self {
        FromJsonError::Command(e)
    }
}

/// Reads a required field's value into its slot.
#[doc(hidden)]
#[inline(never)]
pub fn read<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads an optional field's value (`null` is `None`) into its slot.
#[doc(hidden)]
#[inline(never)]
pub fn read_opt<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// Reads a required boxed field's value into its slot.
#[doc(hidden)]
#[inline(never)]
pub fn read_boxed<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Box<T>>,
) -> Result<(), A::Error> {
    *slot = Some(Box::new(map.next_value()?));
    Ok(())
}

/// Reads an optional boxed field's value into its slot.
#[doc(hidden)]
#[inline(never)]
pub fn read_opt_boxed<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Box<T>>,
) -> Result<(), A::Error> {
    *slot = map.next_value::<Option<T>>()?.map(Box::new);
    Ok(())
}

/// A decoded value that may have arrived as JSON strings (integers, integer arrays, and
/// optional ones), and what it decodes to.
#[doc(hidden)]
pub trait Quoted {
    /// The Rust value.
    type Value;
    /// True when (some of) it arrived as a string.
    fn quoted(&self) -> bool;
    /// The Rust value.
    fn into_value(self) -> Self::Value;
}

impl<T> Quoted for Int<T> {
    type Value = T;
    fn quoted(&self) -> bool {
        self.quoted
    }
    fn into_value(self) -> T {
        self.value
    }
}

impl<T> Quoted for IntVec<T> {
    type Value = Vec<T>;
    fn quoted(&self) -> bool {
        self.quoted
    }
    fn into_value(self) -> Vec<T> {
        self.values
    }
}

impl<Q: Quoted> Quoted for Option<Q> {
    type Value = Option<Q::Value>;
    fn quoted(&self) -> bool {
        self.as_ref().is_some_and(Q::quoted)
    }
    fn into_value(self) -> Self::Value {
        self.map(Q::into_value)
    }
}

/// Reads an integer field (or array, or optional one) whose numbers may arrive as strings,
/// remembering in `meta` that they did.
#[doc(hidden)]
#[inline(never)]
pub fn read_quoted<'de, A: MapAccess<'de>, Q: Deserialize<'de> + Quoted>(
    map: &mut A,
    meta: &mut Meta,
    key: &'static str,
) -> Result<Q::Value, A::Error> {
    let v: Q = map.next_value()?;
    if v.quoted() {
        meta.mark_quoted(key);
    }
    Ok(v.into_value())
}
