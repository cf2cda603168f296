//! The declarative macros the generated modules are written in. Each generated item is one
//! invocation that lists, per field, its kind, Rust name, type and wire name; the decode and
//! encode logic lives once in `wire.rs`.
//!
//! Field kinds: `req` (documented as required; if the core leaves it out it holds its default
//! and is reported by `absent_fields()`), `opt` (`T?`: the field is an `Option`), and for
//! command parameters `default_false` / `default_true` (flags sent only when they differ from
//! their default).
//!
//! A command may list `ignored ["p" = false, "q"]`: documented parameters its command string
//! has no place for. They are not fields; decoding accepts them only at their default (`false`
//! where `= false` is given, and null), and refuses any other value, which the core could
//! never receive.

/// A record, union member, response or event: a struct decoded from a JSON object that keeps
/// unknown fields. A tag in brackets after the name makes it a tagged member (`"type"` first).
///
/// `pair field` after the fields declares a historic wire shape (an override of the docs): the
/// record may also arrive as the pair `[object without field, value of field]`, and is then
/// encoded back as that pair.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_record {
    (
        $(#[$attr:meta])*
        pub struct $name:ident $([$tag:literal])? {
            $( $kind:ident $field:ident : $ty:ty = $wire:literal, )*
        }
        $(pair $pair:ident)?
    ) => {
        $(#[$attr])*
        #[derive(Debug)]
        #[non_exhaustive]
        pub struct $name {
            $(
                #[doc = concat!("JSON field `", $wire, "`.")]
                pub $field: $crate::__field_ty!($kind $ty),
            )*
            /// Fields the docs do not list, kept as received so that nothing is lost.
            pub extra_fields: $crate::runtime::JsonObject,
            __meta: $crate::__private::Meta,
        }

        // Written out rather than derived: derived impls are `#[inline]`, which would ship
        // their bodies to every crate that uses this one.
        impl ::core::clone::Clone for $name {
            fn clone(&self) -> Self {
                Self {
                    $( $field: ::core::clone::Clone::clone(&self.$field), )*
                    extra_fields: ::core::clone::Clone::clone(&self.extra_fields),
                    __meta: ::core::clone::Clone::clone(&self.__meta),
                }
            }
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: ::core::default::Default::default(), )*
                    extra_fields: ::core::default::Default::default(),
                    __meta: ::core::default::Default::default(),
                }
            }
        }

        impl ::core::cmp::PartialEq for $name {
            /// Compares the values a user sees (not how they arrived).
            fn eq(&self, other: &Self) -> bool {
                true $( && self.$field == other.$field )* && self.extra_fields == other.extra_fields
            }
        }

        impl $name {
            /// The documented fields the core did not send (older cores omit some): they hold
            /// their type's default and are left out again when this value is encoded.
            pub fn absent_fields(&self) -> ::std::vec::Vec<&'static str> {
                self.__meta.absent_fields(<Self as $crate::__private::Record>::FIELDS)
            }
        }

        $crate::__record_impl! {
            $name, $crate::__tag!($($tag)?), kept, [],
            [$( ($kind $field $wire) )*]
        }

        $crate::__wire_via_record!($name, [$($field)*], [$($pair)?]);
    };
}

/// The `Record` impl of `wire_record!` (mode `kept`: unknown fields and how values arrived are
/// kept) and of `command!` (mode `strict`: nothing kept, unknown or missing parameters refused).
/// Field indices come from an enum of the field names, so that the table needs none.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_impl {
    (
        $name:ident, $tag:expr, $mode:ident, [$($ignored:tt)*],
        [$( ($kind:ident $field:ident $wire:literal) )*]
    ) => {
        const _: () = {
            #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
            enum F { $($field,)* }

            impl $crate::__private::Record for $name {
                const NAME: &'static str = stringify!($name);
                const TAG: ::core::option::Option<&'static str> = $tag;
                const FIELDS: &'static [&'static str] = &[$($wire),*];
                const REQUIRED: u128 = 0 $(| ($crate::__required!($kind) << (F::$field as u16)))*;
                const IGNORED: &'static [(&'static str, bool)] = &[$($ignored)*];
                const STRICT: bool = $crate::__record_mode!(strict $mode);

                #[allow(unused_variables, unreachable_code)]
                fn decode_entry<'de, A: $crate::__private::MapAccess<'de>>(
                    &mut self,
                    key: &str,
                    map: &mut A,
                    fields: &mut $crate::__private::Fields,
                ) -> ::core::result::Result<bool, A::Error> {
                    match key {
                        $( $wire => $crate::__private::field(map, &mut self.$field, F::$field as u16, $wire, fields)?, )*
                        _ => return ::core::result::Result::Ok(false),
                    }
                    ::core::result::Result::Ok(true)
                }

                #[allow(unused_variables)]
                fn encode_fields<M: $crate::__private::SerializeMap>(&self, m: &mut M) -> ::core::result::Result<(), M::Error> {
                    let meta = <Self as $crate::__private::Record>::meta(self);
                    $( $crate::__encode_field!($kind, m, meta, F::$field as u16, $wire, &self.$field); )*
                    ::core::result::Result::Ok(())
                }

                $crate::__record_mode!(accessors $mode);
            }
        };
    };
}

/// What a record keeps besides its fields: `kept` (unknown fields, decode notes) or `strict`
/// (nothing).
#[doc(hidden)]
#[macro_export]
macro_rules! __record_mode {
    (strict kept) => {
        false
    };
    (strict strict) => {
        true
    };
    (accessors kept) => {
        fn extra_mut(&mut self) -> ::core::option::Option<&mut $crate::runtime::JsonObject> {
            ::core::option::Option::Some(&mut self.extra_fields)
        }
        fn extra(&self) -> ::core::option::Option<&$crate::runtime::JsonObject> {
            ::core::option::Option::Some(&self.extra_fields)
        }
        fn meta_mut(&mut self) -> ::core::option::Option<&mut $crate::__private::Meta> {
            ::core::option::Option::Some(&mut self.__meta)
        }
        fn meta(&self) -> ::core::option::Option<&$crate::__private::Meta> {
            ::core::option::Option::Some(&self.__meta)
        }
    };
    (accessors strict) => {
        fn extra_mut(&mut self) -> ::core::option::Option<&mut $crate::runtime::JsonObject> {
            ::core::option::Option::None
        }
        fn extra(&self) -> ::core::option::Option<&$crate::runtime::JsonObject> {
            ::core::option::Option::None
        }
        fn meta_mut(&mut self) -> ::core::option::Option<&mut $crate::__private::Meta> {
            ::core::option::Option::None
        }
        fn meta(&self) -> ::core::option::Option<&$crate::__private::Meta> {
            ::core::option::Option::None
        }
    };
}

/// `Wire`, `Serialize` and `Deserialize` for a type implementing `Record` (and `Default`); with
/// a `pair` field, also from and to the pair shape.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_via_record {
    ($name:ident, [$($field:ident)*], []) => {
        $crate::__wire_impl! {
            $name,
            (this, d) $crate::__private::decode_record(this, d),
            (this, s) $crate::__private::encode_record(this, s)
        }
    };
    ($name:ident, [$($field:ident)*], [$pair:ident]) => {
        const _: () = {
            #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
            enum F { $($field,)* }

            $crate::__wire_impl! {
                $name,
                (this, d) $crate::__private::decode_record_or_pair(this, d, F::$pair as u16, |r: &mut $name| &mut r.$pair),
                (this, s) $crate::__private::encode_record_or_pair(this, s, F::$pair as u16, |r: &$name| &r.$pair)
            }
        };
    };
}

/// `Wire` (ignoring notes: a record keeps its own), `Serialize` and `Deserialize` from a decode
/// and an encode expression.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_impl {
    ($name:ident, ($this:ident, $d:ident) $decode:expr, ($that:ident, $s:ident) $encode:expr) => {
        impl $crate::__private::Wire for $name {
            fn decode<'de, D: $crate::__private::Deserializer<'de>>(
                &mut self,
                $d: D,
                _: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), D::Error> {
                let $this = self;
                $decode
            }
            fn encode<S: $crate::__private::Serializer>(
                &self,
                $s: S,
                _: &$crate::__private::Note,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                let $that = self;
                $encode
            }
        }
        $crate::__serde_via_wire!($name);
    };
}

/// `Serialize` and `Deserialize` for a type implementing `Wire`.
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_via_wire {
    ($name:ident) => {
        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serialize(self, s)
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(d)
            }
        }
    };
}

/// A command's parameters: strict (an unknown or missing parameter is an error), nothing kept.
#[doc(hidden)]
#[macro_export]
macro_rules! command {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $kind:ident $field:ident : $ty:ty = $wire:literal, )*
        }
        $(ignored [$($ignored:literal $(= $false:tt)?),*])?
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                #[doc = concat!("Parameter `", $wire, "`.")]
                pub $field: $crate::__field_ty!($kind $ty),
            )*
        }

        impl $name {
            #[doc(hidden)]
            pub fn __empty() -> Self {
                Self { $( $field: $crate::__initial!($kind), )* }
            }
        }

        $crate::__record_impl! {
            $name, ::core::option::Option::None, strict,
            [$($(($ignored, $crate::__false_default!($($false)?))),*)?],
            [$( ($kind $field $wire) )*]
        }

        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::encode_record(self, s)
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let mut v = Self::__empty();
                $crate::__private::decode_record(&mut v, d)?;
                ::core::result::Result::Ok(v)
            }
        }
    };
}

/// An enum of JSON strings, with `Undocumented` for any other value.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $wire:literal $variant:ident, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                $variant,
            )*
            /// A value the docs do not list, as received (usually a string).
            Undocumented($crate::__private::Value),
        }

        impl ::core::default::Default for $name {
            /// `Undocumented(null)`: what a required field the core did not send holds.
            fn default() -> Self {
                Self::Undocumented($crate::__private::Value::Null)
            }
        }

        impl $name {
            /// The JSON string of this value (`None` for an `Undocumented` value that is not a
            /// string).
            pub fn as_str(&self) -> ::core::option::Option<&str> {
                match self {
                    $( Self::$variant => ::core::option::Option::Some($wire), )*
                    Self::Undocumented(v) => v.as_str(),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            /// The JSON string (the JSON text of an `Undocumented` value that is not a string).
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    Self::Undocumented(v) if !v.is_string() => ::core::fmt::Display::fmt(v, f),
                    _ => f.write_str(self.as_str().unwrap_or_default()),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = $crate::runtime::UndocumentedValue;
            /// The documented value whose JSON string is `s`.
            fn from_str(s: &str) -> ::core::result::Result<Self, $crate::runtime::UndocumentedValue> {
                <Self as $crate::__private::StrEnum>::from_wire(s)
                    .ok_or_else(|| $crate::runtime::UndocumentedValue::new(stringify!($name), s))
            }
        }

        impl $crate::__private::StrEnum for $name {
            const NAME: &'static str = stringify!($name);
            const VALUES: &'static [&'static str] = &[$($wire),*];
            fn wire(&self) -> ::core::option::Option<&'static str> {
                match self {
                    $( Self::$variant => ::core::option::Option::Some($wire), )*
                    Self::Undocumented(_) => ::core::option::Option::None,
                }
            }
            fn from_wire(s: &str) -> ::core::option::Option<Self> {
                match s {
                    $( $wire => ::core::option::Option::Some(Self::$variant), )*
                    _ => ::core::option::Option::None,
                }
            }
            fn undocumented(v: $crate::__private::Value) -> Self {
                Self::Undocumented(v)
            }
        }

        impl $crate::__private::Wire for $name {
            fn decode<'de, D: $crate::__private::Deserializer<'de>>(
                &mut self,
                d: D,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), D::Error> {
                $crate::__private::decode_enum(self, d, note)
            }
            fn encode<S: $crate::__private::Serializer>(
                &self,
                s: S,
                note: &$crate::__private::Note,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::encode_enum(self, s, note)
            }
        }

        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant => s.serialize_str($wire), )*
                    Self::Undocumented(v) => $crate::__private::Serialize::serialize(v, s),
                }
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(d)
            }
        }
    };
}

/// An enum over objects tagged by `"type"`: members with fields hold their struct (boxed),
/// members without are unit variants; `Undocumented` keeps anything else.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_union {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $(#[$vattr:meta])* $tag:literal $variant:ident $(($ty:ty))?, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vattr])*
                #[doc = concat!("Tag `\"", $tag, "\"`.")]
                $variant $((::std::boxed::Box<$ty>))?,
            )*
            /// A member the docs do not list (or JSON that is not a tagged object), as received.
            Undocumented($crate::__private::Value),
        }

        impl ::core::default::Default for $name {
            /// `Undocumented(null)`: what a required field the core did not send holds.
            fn default() -> Self {
                Self::Undocumented($crate::__private::Value::Null)
            }
        }

        impl $name {
            /// The `"type"` tag of this value, if it has one.
            pub fn tag(&self) -> ::core::option::Option<&str> {
                match self {
                    Self::Undocumented(v) => $crate::__private::undocumented_tag(v),
                    _ => <Self as $crate::__private::Union>::documented_tag(self),
                }
            }
        }

        impl $crate::__private::Union for $name {
            const NAME: &'static str = stringify!($name);
            const TAGS: &'static [&'static str] = &[$($tag),*];

            #[allow(unused_variables, unreachable_code)]
            fn decode_member<'de, A: $crate::__private::MapAccess<'de>>(
                tag: &str,
                map: &mut A,
                slot: &mut Self,
            ) -> ::core::result::Result<bool, A::Error> {
                match tag {
                    $( $tag => $crate::__decode_member!(tag, map, slot, $variant $(($ty))?), )*
                    _ => return ::core::result::Result::Ok(false),
                }
                ::core::result::Result::Ok(true)
            }

            #[allow(unused_variables)]
            fn from_bare(s: &str) -> ::core::option::Option<Self> {
                $( $crate::__from_bare!(s, $tag, $variant $(($ty))?); )*
                ::core::option::Option::None
            }

            fn undocumented(v: $crate::__private::Value) -> Self {
                Self::Undocumented(v)
            }

            fn encode_member<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $( $crate::__member_pat!(x, $variant $(($ty))?) => $crate::__encode_member!(x, s, $tag, $variant $(($ty))?), )*
                    Self::Undocumented(v) => $crate::__private::Serialize::serialize(v, s),
                }
            }

            fn documented_tag(&self) -> ::core::option::Option<&'static str> {
                match self {
                    $( $crate::__member_pat!(_x, $variant $(($ty))?) => ::core::option::Option::Some($tag), )*
                    Self::Undocumented(_) => ::core::option::Option::None,
                }
            }
        }

        impl $crate::__private::Wire for $name {
            fn decode<'de, D: $crate::__private::Deserializer<'de>>(
                &mut self,
                d: D,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), D::Error> {
                $crate::__private::decode_union(self, d, note)
            }
            fn encode<S: $crate::__private::Serializer>(
                &self,
                s: S,
                note: &$crate::__private::Note,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::encode_union(self, s, note)
            }
        }

        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                <Self as $crate::__private::Union>::encode_member(self, s)
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(d)
            }
        }

        $( $crate::__from_member!($name, $variant $(($ty))?); )*
    };
}

/// The responses documented for one command: `From<ChatResponse>` (and from `&ChatResponse`)
/// sorts a response into them, `Undocumented` holds any other.
#[doc(hidden)]
#[macro_export]
macro_rules! command_response {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $variant:ident, )*
        }
        $($result:tt)*
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("See [`", stringify!($variant), "`](responses::", stringify!($variant), ").")]
                $variant(::std::boxed::Box<responses::$variant>),
            )*
            /// A response this command is not documented to get.
            Undocumented(responses::ChatResponse),
        }

        impl ::core::convert::From<responses::ChatResponse> for $name {
            fn from(r: responses::ChatResponse) -> Self {
                match r {
                    $( responses::ChatResponse::$variant(x) => Self::$variant(x), )*
                    other => Self::Undocumented(other),
                }
            }
        }

        impl ::core::convert::From<&responses::ChatResponse> for $name {
            fn from(r: &responses::ChatResponse) -> Self {
                ::core::convert::From::from(::core::clone::Clone::clone(r))
            }
        }

        impl ::core::convert::From<$name> for responses::ChatResponse {
            fn from(r: $name) -> Self {
                match r {
                    $( $name::$variant(x) => responses::ChatResponse::$variant(x), )*
                    $name::Undocumented(other) => other,
                }
            }
        }

        $crate::__into_result!($name $($result)*);
    };
}

/// `into_result()` of a per-command response enum: the one documented success (`ok X`), or the
/// enum itself unless it holds one of the errors (`ok Self except [E, ...]`).
#[doc(hidden)]
#[macro_export]
macro_rules! __into_result {
    ($name:ident ok $ok:ident) => {
        impl $name {
            /// The documented success, or the error the core answered with (or a response this
            /// command is not documented to get), as an `Err` that says what the core said.
            pub fn into_result(
                self,
            ) -> ::core::result::Result<
                ::std::boxed::Box<responses::$ok>,
                $crate::runtime::ResponseError<responses::ChatResponse>,
            > {
                match self {
                    Self::$ok(x) => ::core::result::Result::Ok(x),
                    other => ::core::result::Result::Err($crate::runtime::ResponseError::new(
                        ::core::convert::From::from(other),
                    )),
                }
            }
        }
    };
    ($name:ident ok Self except [$($err:ident),*]) => {
        impl $name {
            /// This response when it is one of the documented successes; the error the core
            /// answered with (or a response this command is not documented to get) as an `Err`
            /// that says what the core said.
            #[allow(unreachable_patterns)]
            pub fn into_result(
                self,
            ) -> ::core::result::Result<Self, $crate::runtime::ResponseError<responses::ChatResponse>> {
                match self {
                    $( Self::$err(_) )|* | Self::Undocumented(_) => ::core::result::Result::Err(
                        $crate::runtime::ResponseError::new(::core::convert::From::from(self)),
                    ),
                    other => ::core::result::Result::Ok(other),
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __field_ty {
    (req $ty:ty) => { $ty };
    (opt $ty:ty) => { ::core::option::Option<$ty> };
    (default_false $ty:ty) => { $ty };
    (default_true $ty:ty) => { $ty };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __initial {
    (req) => {
        ::core::default::Default::default()
    };
    (opt) => {
        ::core::option::Option::None
    };
    (default_false) => {
        false
    };
    (default_true) => {
        true
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __required {
    (req) => {
        1u128
    };
    (opt) => {
        0u128
    };
    (default_false) => {
        0u128
    };
    (default_true) => {
        0u128
    };
}

/// Whether `false` is the default of an ignored parameter (`"p" = false`) or only null is.
#[doc(hidden)]
#[macro_export]
macro_rules! __false_default {
    () => {
        false
    };
    (false) => {
        true
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __tag {
    () => {
        ::core::option::Option::None
    };
    ($tag:literal) => {
        ::core::option::Option::Some($tag)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __encode_field {
    (opt, $m:ident, $meta:expr, $i:expr, $wire:literal, $value:expr) => {
        $crate::__private::encode_optional($m, $meta, $i, $wire, $value)?
    };
    ($kind:ident, $m:ident, $meta:expr, $i:expr, $wire:literal, $value:expr) => {
        $crate::__private::encode_required($m, $meta, $i, $wire, $value)?
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __decode_member {
    ($tag:ident, $map:ident, $slot:ident, $variant:ident ($ty:ty)) => {
        *$slot = Self::$variant($crate::__private::member::<$ty, _>($map)?)
    };
    ($tag:ident, $map:ident, $slot:ident, $variant:ident) => {
        *$slot = match $crate::__private::unit_member($tag, $map)? {
            ::core::option::Option::None => Self::$variant,
            ::core::option::Option::Some(v) => Self::Undocumented(v),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __from_bare {
    ($s:ident, $tag:literal, $variant:ident ($ty:ty)) => {};
    ($s:ident, $tag:literal, $variant:ident) => {
        if $crate::__private::loose_eq($s, $tag) {
            return ::core::option::Option::Some(Self::$variant);
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __member_pat {
    ($x:ident, $variant:ident ($ty:ty)) => {
        Self::$variant($x)
    };
    ($x:ident, $variant:ident) => {
        Self::$variant
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __encode_member {
    ($x:ident, $s:ident, $tag:literal, $variant:ident ($ty:ty)) => {
        $crate::__private::encode_record(&**$x, $s)
    };
    ($x:ident, $s:ident, $tag:literal, $variant:ident) => {
        $crate::__private::encode_unit($tag, $s)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __from_member {
    ($name:ident, $variant:ident ($ty:ty)) => {
        impl ::core::convert::From<$ty> for $name {
            fn from(x: $ty) -> Self {
                Self::$variant(::std::boxed::Box::new(x))
            }
        }
    };
    ($name:ident, $variant:ident) => {};
}

/// `Display` (what the core said, innermost error last) and `Error` for an error type of the
/// docs; enums already display their JSON string.
#[doc(hidden)]
#[macro_export]
macro_rules! error_type {
    (enum $name:ident) => {
        impl ::std::error::Error for $name {}
    };
    ($name:ident) => {
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::__private::describe_error(self, f)
            }
        }

        impl ::std::error::Error for $name {}
    };
}

/// A type the docs name without saying its shape (older dialects): any JSON, kept as it is.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_opaque {
    (
        $(#[$attr:meta])*
        pub struct $name:ident;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
        pub struct $name(pub $crate::__private::Value);

        impl $crate::__private::Wire for $name {
            fn decode<'de, D: $crate::__private::Deserializer<'de>>(
                &mut self,
                d: D,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), D::Error> {
                $crate::__private::Wire::decode(&mut self.0, d, note)
            }
            fn encode<S: $crate::__private::Serializer>(
                &self,
                s: S,
                note: &$crate::__private::Note,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::Wire::encode(&self.0, s, note)
            }
        }

        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::Serialize::serialize(&self.0, s)
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(d)
            }
        }

        impl ::core::convert::From<$crate::__private::Value> for $name {
            fn from(v: $crate::__private::Value) -> Self {
                Self(v)
            }
        }
    };
}
