//! The field types that are not generated: booleans, strings, numbers, JSON values, dates,
//! and the containers around generated types (`Box`, `Option`, `Vec`, maps).

use std::collections::BTreeMap;

use serde::de::{self, Unexpected};
use serde_json::Value;

use super::{Note, Wire, INTEGRAL, NULL, QUOTED};
use crate::json::{Error, JsonObject, Num, Reader, Writer};

/// The type of `UTCTime` fields: an ISO-8601 / RFC 3339 timestamp string as the core sent it.
#[cfg(not(feature = "chrono"))]
pub type UtcTime = String;

/// The type of `UTCTime` fields: a UTC timestamp (feature `chrono`).
///
/// Encoding writes RFC 3339 with `Z` and as many fractional digits as the value needs, so a
/// round trip gives the same instant, not always the same text (`.5Z` comes back as `.500Z`).
#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
pub type UtcTime = chrono::DateTime<chrono::Utc>;

impl Wire for bool {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.bool(expect!("a boolean"))?;
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.bool(*self);
    }
}

impl Wire for String {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.str(expect!("a string"))?.into_owned();
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.str(self);
    }
}

impl Wire for Value {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        *self = r.value()?;
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.value(self);
    }
}

impl Wire for JsonObject {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        if r.peek()? != b'{' {
            return Err(r.invalid_type(expect!("a JSON object")));
        }
        if let Value::Object(obj) = r.value()? {
            *self = obj;
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.open_object();
        for (k, v) in self {
            w.key(k);
            w.value(v);
        }
        w.close_object();
    }
}

#[cfg(feature = "chrono")]
impl Wire for chrono::DateTime<chrono::Utc> {
    fn decode(&mut self, r: &mut Reader<'_>, _: &mut Note) -> Result<(), Error> {
        let s = r.str(expect!(
            "a formatted date and time string or a unix timestamp"
        ))?;
        *self = s
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .map_err(de::Error::custom)?
            .with_timezone(&chrono::Utc);
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, _: &Note) {
        w.str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
}

/// Integers: JSON numbers, or strings holding one (as some cores send them).
macro_rules! int_wire {
    ($($t:ty: $what:literal),*) => {$(
        impl Wire for $t {
            fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
                let exp = expect!($what);
                if r.peek()? == b'"' {
                    let v = r.string()?;
                    let n = v
                        .parse::<$t>()
                        .map_err(|_| de::Error::invalid_value(Unexpected::Str(&v), exp))?;
                    *self = n;
                    note.flags |= QUOTED;
                    if itoa::Buffer::new().format(n) != v {
                        note.extra_mut().text = Some(v.into_owned());
                    }
                    return Ok(());
                }
                if !r.at_number()? {
                    return Err(r.invalid_type(exp));
                }
                *self = match r.num()? {
                    Num::U(v) => <$t>::try_from(v)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Unsigned(v), exp))?,
                    Num::I(v) => <$t>::try_from(v)
                        .map_err(|_| de::Error::invalid_value(Unexpected::Signed(v), exp))?,
                    Num::F(v) => return Err(de::Error::invalid_type(Unexpected::Float(v), exp)),
                };
                Ok(())
            }
            fn encode(&self, w: &mut Writer<'_>, note: &Note) {
                if !note.has(QUOTED) {
                    return w.i64(i64::from(*self));
                }
                match note.text() {
                    // Not canonical ("+7", "007"): the same text while it still means this value.
                    Some(t) if t.parse::<$t>().ok() == Some(*self) => w.str(t),
                    _ => w.str(itoa::Buffer::new().format(*self)),
                }
            }
        }
    )*};
}

int_wire!(
    i64: "a 64-bit integer (a number or a string holding one)",
    u32: "a 32-bit unsigned integer (a number or a string holding one)"
);

impl Wire for f64 {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        if !r.at_number()? {
            return Err(r.invalid_type(expect!("a number")));
        }
        *self = match r.num()? {
            Num::F(v) => v,
            Num::U(v) => {
                note.flags |= INTEGRAL;
                v as f64
            }
            Num::I(v) => {
                note.flags |= INTEGRAL;
                v as f64
            }
        };
        Ok(())
    }

    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        // Written as an integer when it arrived as one and still is one (`"scale": 1`).
        const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
        if note.has(INTEGRAL) && self.fract() == 0.0 && self.abs() <= LIMIT {
            if *self >= 0.0 {
                w.u64(*self as u64)
            } else {
                w.i64(*self as i64)
            }
        } else {
            w.f64(*self)
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        (**self).decode(r, note)
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        (**self).encode(w, note)
    }
}

impl<T: Wire> Wire for Option<T> {
    #[inline]
    fn is_none(&self) -> bool {
        Option::is_none(self)
    }
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        if r.null()? {
            *self = None;
            note.flags |= NULL;
            return Ok(());
        }
        self.get_or_insert_with(T::default).decode(r, note)
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        match self {
            Some(v) => v.encode(w, note),
            None => w.null(),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        r.array(expect!("an array"))?;
        self.clear();
        while r.next_item()? {
            let i = self.len();
            let start = r.pos();
            self.push(T::default());
            let mut item = Note::default();
            if let Some(last) = self.last_mut() {
                if let Err(e) = last.decode(r, &mut item) {
                    r.failed_in_item(i, start);
                    return Err(e);
                }
            }
            if !item.is_empty() {
                note.set_item(i, item);
            }
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        w.open_array();
        for (i, v) in self.iter().enumerate() {
            w.item();
            v.encode(w, note.item(i));
        }
        w.close_array();
    }
}

impl<T: Wire> Wire for BTreeMap<String, T> {
    fn decode(&mut self, r: &mut Reader<'_>, note: &mut Note) -> Result<(), Error> {
        r.object(expect!("an object"))?;
        self.clear();
        while let Some(key) = r.next_key()? {
            let start = r.pos();
            let mut value = T::default();
            let mut item = Note::default();
            if let Err(e) = value.decode(r, &mut item) {
                r.failed_in_key(&key, start);
                return Err(e);
            }
            let key = key.into_owned();
            if item.is_empty() {
                if let Some(e) = &mut note.extra {
                    e.keys.remove(&key);
                }
            } else {
                note.extra_mut().keys.insert(key.clone(), item);
            }
            self.insert(key, value);
        }
        Ok(())
    }
    fn encode(&self, w: &mut Writer<'_>, note: &Note) {
        w.open_object();
        // Most maps a bot writes are empty (`mentions`): no iterator for them.
        if !self.is_empty() {
            for (k, v) in self {
                w.key(k);
                v.encode(w, note.key(k));
            }
        }
        w.close_object();
    }
}
