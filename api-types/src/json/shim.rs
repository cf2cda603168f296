//! The serde shims: any deserializer into JSON text, JSON text into any serializer. Generic, but
//! once per deserializer or serializer, not once per generated type.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::read::too_deep;
use super::{Error, Expecting, Num, Reader, Writer, MAX_DEPTH};

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
