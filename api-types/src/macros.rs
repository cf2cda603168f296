//! The declarative macros the generated modules are written in. Each generated item is one
//! invocation that lists, per field, its kind, Rust name, type and wire name; the decode and
//! encode logic lives once in the runtime's `wire` layer.
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
        $(#[doc = $doc:expr])*
        $(#[derive(Eq, $hash:ident)])?
        pub struct $name:ident $([$tag:literal])? {
            $( $(#[doc = $fdoc:expr])* $kind:ident $field:ident : $ty:ty = $wire:literal, )*
        }
        $(pair $pair:ident)?
    ) => {
        $(#[doc = $doc])*
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                #[doc = ""]
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
            #[inline]
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

        impl ::core::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::__private::debug_struct(f, stringify!($name), &[
                    $( (stringify!($field), &self.$field), )*
                    ("extra_fields", &self.extra_fields),
                    ("__meta", &self.__meta),
                ])
            }
        }

        impl ::core::cmp::PartialEq for $name {
            /// Compares the values a user sees (not how they arrived).
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                $crate::__private::eq_fields(&[
                    $( (&self.$field, &other.$field), )*
                    (&self.extra_fields, &other.extra_fields),
                ])
            }
        }

        $crate::__eq_hash!([$($hash)?] $name, h, self {
            $crate::__private::hash_fields(h, &[$( &self.$field, )* &self.extra_fields]);
        });

        impl $name {
            /// The documented fields the core did not send (older cores omit some): they hold
            /// their type's default and are left out again when this value is encoded.
            #[inline]
            pub fn absent_fields(&self) -> ::std::vec::Vec<&'static str> {
                self.__meta.absent_fields(<Self as $crate::__private::Record>::INFO.fields)
            }
        }

        $crate::__record_impl! {
            $name, $crate::__tag!($($tag)?), kept, [$($pair)?], [],
            [$( ($kind $field $wire) )*]
        }

        $crate::__wire_via_record!($name);
    };
}

/// The `Record` impl of `wire_record!` (mode `kept`: unknown fields and how values arrived are
/// kept) and of `command!` (mode `strict`: nothing kept, unknown or missing parameters refused).
/// The fields are numbered first (`@number`: each takes the next literal of the list `0 1 ...
/// 127`; arrival is tracked in a `u128`, so a record with more fields stops the build), so that
/// no item is declared per field and each index is a plain literal.
#[doc(hidden)]
#[macro_export]
macro_rules! __record_impl {
    (
        @number $name:ident, $tag:expr, $mode:ident, [$($pair:ident)?], [$($ignored:tt)*],
        [$($done:tt)*], [$i:literal $($more:literal)*],
        [($kind:ident $field:ident $wire:literal) $($rest:tt)*]
    ) => {
        $crate::__record_impl! {
            @number $name, $tag, $mode, [$($pair)?], [$($ignored)*],
            [$($done)* ($kind $field $wire ($i))], [$($more)*], [$($rest)*]
        }
    };
    (
        @number $name:ident, $tag:expr, $mode:ident, [$($pair:ident)?], [$($ignored:tt)*],
        [$( ($kind:ident $field:ident $wire:literal ($i:literal)) )*], [$($unused:literal)*], []
    ) => {
        impl $crate::__private::Record for $name {
            const INFO: $crate::__private::RecordInfo = $crate::__private::RecordInfo {
                name: stringify!($name),
                tag: $tag,
                fields: &[$($wire),*],
                required: $crate::__private::required_mask(&[$(stringify!($kind)),*]),
                ignored: &[$($ignored)*],
                strict: $crate::__record_mode!(strict $mode),
                size: ::core::mem::size_of::<$name>(),
                pair: $crate::__pair_index!([$($pair)?], [$($field)*]),
            };

            #[inline]
            #[allow(unused_variables)]
            fn encode_fields(&self, w: &mut $crate::__private::Writer<'_>) {
                let meta = <Self as $crate::__private::Record>::kept(self).map(|(_, meta)| meta);
                $( $crate::__private::encode_field(
                    w, meta, $i, ::core::concat!("\"", $wire, "\":"), &self.$field,
                ); )*
            }

            $crate::__encode_beside!([$($pair)?]);

            $crate::__record_mode!(accessors $mode);
        }

        impl $crate::__private::Entries for $name {
            #[allow(unused_variables, unreachable_code)]
            fn decode_entry(
                &mut self,
                key: &str,
                r: &mut $crate::__private::Reader<'_>,
                fields: &mut $crate::__private::Fields,
            ) -> ::core::result::Result<bool, $crate::__private::Error> {
                match key {
                    $( $wire => $crate::__private::field(r, &mut self.$field, $i, $wire, fields)?, )*
                    _ => return ::core::result::Result::Ok(false),
                }
                ::core::result::Result::Ok(true)
            }

            $crate::__record_mode!(accessors_mut $mode);
        }
    };
    (
        $name:ident, $tag:expr, $mode:ident, [$($pair:ident)?], [$($ignored:tt)*],
        [$($fields:tt)*]
    ) => {
        $crate::__record_impl! {
            @number $name, $tag, $mode, [$($pair)?], [$($ignored)*], [],
            [
                0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32
                33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61
                62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90
                91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114
                115 116 117 118 119 120 121 122 123 124 125 126 127
            ],
            [$($fields)*]
        }
    };
}

/// `RecordInfo::pair`: the index of the field named by `pair`, if any.
#[doc(hidden)]
#[macro_export]
macro_rules! __pair_index {
    ([], [$($field:ident)*]) => {
        ::core::option::Option::None
    };
    ([$pair:ident], [$($field:ident)*]) => {
        ::core::option::Option::Some($crate::__private::index_of(
            &[$(stringify!($field)),*],
            stringify!($pair),
        ))
    };
}

/// `Record::encode_beside` for a record with a `pair` field.
#[doc(hidden)]
#[macro_export]
macro_rules! __encode_beside {
    ([]) => {};
    ([$pair:ident]) => {
        #[inline]
        fn encode_beside(
            &self,
            w: &mut $crate::__private::Writer<'_>,
            note: &$crate::__private::Note,
        ) {
            $crate::__private::Wire::encode(&self.$pair, w, note)
        }
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
    (accessors_mut kept) => {
        #[inline]
        fn kept_mut(&mut self) -> $crate::__private::KeptMut<'_> {
            ::core::option::Option::Some((&mut self.extra_fields, &mut self.__meta))
        }
    };
    (accessors_mut strict) => {
        #[inline]
        fn kept_mut(&mut self) -> $crate::__private::KeptMut<'_> {
            ::core::option::Option::None
        }
    };
    (accessors kept) => {
        #[inline]
        fn kept(&self) -> $crate::__private::Kept<'_> {
            ::core::option::Option::Some((&self.extra_fields, &self.__meta))
        }
    };
    (accessors strict) => {
        #[inline]
        fn kept(&self) -> $crate::__private::Kept<'_> {
            ::core::option::Option::None
        }
    };
}

/// `Wire`, `Serialize` and `Deserialize` for a type implementing `Record` (and `Default`).
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_via_record {
    ($name:ident) => {
        impl $crate::__private::Wire for $name {
            fn decode(
                &mut self,
                r: &mut $crate::__private::Reader<'_>,
                _: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), $crate::__private::Error> {
                $crate::__private::decode_record(self, r)
            }
            #[inline]
            fn encode(&self, w: &mut $crate::__private::Writer<'_>, _: &$crate::__private::Note) {
                $crate::__private::encode_record(self, w)
            }
        }

        $crate::__serde_shims!($name);
    };
}

/// `Serialize` and `Deserialize` of a type implementing `Wire`: generic only in one line each,
/// through JSON text (the decoders and encoders themselves are compiled once, in this crate).
#[doc(hidden)]
#[macro_export]
macro_rules! __serde_shims {
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
        $(#[doc = $doc:expr])*
        $(#[derive(Eq, $hash:ident)])?
        pub struct $name:ident {
            $( $(#[doc = $fdoc:expr])* $kind:ident $field:ident : $ty:ty = $wire:literal, )*
        }
        $(ignored [$($ignored:literal $(= $false:tt)?),*])?
    ) => {
        $(#[doc = $doc])*
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                #[doc = ""]
                #[doc = concat!("Parameter `", $wire, "`.")]
                pub $field: $crate::__field_ty!($kind $ty),
            )*
        }

        impl ::core::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                $crate::__private::debug_struct(f, stringify!($name), &[
                    $( (stringify!($field), &self.$field), )*
                ])
            }
        }

        impl ::core::clone::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                Self { $( $field: ::core::clone::Clone::clone(&self.$field), )* }
            }
        }

        impl ::core::cmp::PartialEq for $name {
            #[inline]
            #[allow(unused_variables)]
            fn eq(&self, other: &Self) -> bool {
                $crate::__private::eq_fields(&[$( (&self.$field, &other.$field), )*])
            }
        }

        $crate::__eq_hash!([$($hash)?] $name, h, self {
            $crate::__private::hash_fields(h, &[$( &self.$field, )*]);
        });

        impl $name {
            #[doc(hidden)]
            pub fn __empty() -> Self {
                Self { $( $field: $crate::__initial!($kind), )* }
            }
        }

        $crate::__record_impl! {
            $name, ::core::option::Option::None, strict, [],
            [$($(($ignored, $crate::__false_default!($($false)?))),*)?],
            [$( ($kind $field $wire) )*]
        }

        impl $crate::__private::Decode for $name {
            fn decode_json(
                &mut self,
                r: &mut $crate::__private::Reader<'_>,
            ) -> ::core::result::Result<(), $crate::__private::Error> {
                $crate::__private::decode_record(self, r)
            }
        }

        impl $crate::__private::Encode for $name {
            #[inline]
            fn encode_json(&self, w: &mut $crate::__private::Writer<'_>) {
                $crate::__private::encode_record(self, w)
            }
        }

        impl $crate::__private::Serialize for $name {
            fn serialize<S: $crate::__private::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serialize(self, s)
            }
        }

        impl<'de> $crate::__private::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let mut v = Self::__empty();
                $crate::__private::deserialize_into(&mut v, d)?;
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
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`\"", $wire, "\"`")]
                $variant,
            )*
            /// A value the docs do not list, as received (usually a string).
            Undocumented($crate::__private::Value),
        }

        impl ::core::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( Self::$variant => f.write_str(stringify!($variant)), )*
                    Self::Undocumented(v) => $crate::__private::debug_tuple(f, "Undocumented", v),
                }
            }
        }

        impl ::core::clone::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                match self {
                    $( Self::$variant => Self::$variant, )*
                    Self::Undocumented(v) => Self::Undocumented(::core::clone::Clone::clone(v)),
                }
            }
        }

        impl ::core::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                match (self, other) {
                    (Self::Undocumented(a), Self::Undocumented(b)) => a == b,
                    _ => ::core::mem::discriminant(self) == ::core::mem::discriminant(other),
                }
            }
        }

        $crate::__eq_hash!([Hash] $name, h, self {
            ::core::hash::Hash::hash(&::core::mem::discriminant(self), h);
            if let Self::Undocumented(v) = self {
                ::core::hash::Hash::hash(v, h);
            }
        });

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
            #[inline]
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
            fn decode(
                &mut self,
                r: &mut $crate::__private::Reader<'_>,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), $crate::__private::Error> {
                $crate::__private::decode_enum(self, r, note)
            }
            #[inline]
            fn encode(&self, w: &mut $crate::__private::Writer<'_>, note: &$crate::__private::Note) {
                match self {
                    $( Self::$variant => $crate::__private::encode_enum(w, $wire, note), )*
                    Self::Undocumented(v) => w.value(v),
                }
            }
        }

        $crate::__serde_shims!($name);
    };
}

/// An enum over objects tagged by `"type"`: members with fields hold their struct (boxed),
/// members without are unit variants; `Undocumented` keeps anything else.
#[doc(hidden)]
#[macro_export]
macro_rules! wire_union {
    (
        $(#[doc = $doc:expr])*
        $(#[derive(Eq, $hash:ident)])?
        pub enum $name:ident {
            $( $(#[$vattr:meta])* $tag:literal $variant:ident $(($ty:ty))?, )*
        }
    ) => {
        $(#[doc = $doc])*
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

        impl ::core::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( $crate::__member_pat!(x, $variant $(($ty))?) => $crate::__member_op!(debug x f, $variant $(($ty))?), )*
                    Self::Undocumented(v) => $crate::__private::debug_tuple(f, "Undocumented", v),
                }
            }
        }

        impl ::core::clone::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                match self {
                    $( $crate::__member_pat!(x, $variant $(($ty))?) => $crate::__member_op!(clone x, $variant $(($ty))?), )*
                    Self::Undocumented(v) => Self::Undocumented(::core::clone::Clone::clone(v)),
                }
            }
        }

        impl ::core::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                match (self, other) {
                    $( ($crate::__member_pat!(a, $variant $(($ty))?), $crate::__member_pat!(b, $variant $(($ty))?)) => $crate::__member_op!(eq a b, $variant $(($ty))?), )*
                    (Self::Undocumented(a), Self::Undocumented(b)) => a == b,
                    _ => false,
                }
            }
        }

        $crate::__eq_hash!([$($hash)?] $name, h, self {
            ::core::hash::Hash::hash(&::core::mem::discriminant(self), h);
            match self {
                $( $crate::__member_pat!(x, $variant $(($ty))?) => $crate::__member_op!(hash x h, $variant $(($ty))?), )*
                Self::Undocumented(v) => ::core::hash::Hash::hash(v, h),
            }
        });

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
            fn decode_member(
                tag: &str,
                r: &mut $crate::__private::Reader<'_>,
                slot: &mut Self,
            ) -> ::core::result::Result<bool, $crate::__private::Error> {
                match tag {
                    $( $tag => $crate::__decode_member!(tag, r, slot, $variant $(($ty))?), )*
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

            #[inline]
            fn encode_member(&self, w: &mut $crate::__private::Writer<'_>) {
                match self {
                    $( $crate::__member_pat!(x, $variant $(($ty))?) => $crate::__encode_member!(x, w, $tag, $variant $(($ty))?), )*
                    Self::Undocumented(v) => w.value(v),
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
            fn decode(
                &mut self,
                r: &mut $crate::__private::Reader<'_>,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), $crate::__private::Error> {
                $crate::__private::decode_union(self, r, note)
            }
            #[inline]
            fn encode(&self, w: &mut $crate::__private::Writer<'_>, note: &$crate::__private::Note) {
                $crate::__private::encode_union(self, w, note)
            }
        }

        $crate::__serde_shims!($name);

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
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("See [`", stringify!($variant), "`](responses::", stringify!($variant), ").")]
                $variant(::std::boxed::Box<responses::$variant>),
            )*
            /// A response this command is not documented to get.
            Undocumented(responses::ChatResponse),
        }

        impl ::core::fmt::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $( Self::$variant(x) => $crate::__private::debug_tuple(f, stringify!($variant), x), )*
                    Self::Undocumented(r) => $crate::__private::debug_tuple(f, "Undocumented", r),
                }
            }
        }

        impl ::core::clone::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                match self {
                    $( Self::$variant(x) => Self::$variant(::std::boxed::Box::new(::core::clone::Clone::clone(&**x))), )*
                    Self::Undocumented(r) => Self::Undocumented(::core::clone::Clone::clone(r)),
                }
            }
        }

        impl ::core::cmp::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                match (self, other) {
                    $( (Self::$variant(a), Self::$variant(b)) => a == b, )*
                    (Self::Undocumented(a), Self::Undocumented(b)) => a == b,
                    _ => false,
                }
            }
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
            #[inline]
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
        ::core::option::Option::Some($crate::__private::Tag {
            name: $tag,
            entry: ::core::concat!("\"type\":\"", $tag, "\""),
        })
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __decode_member {
    ($tag:ident, $r:ident, $slot:ident, $variant:ident ($ty:ty)) => {
        *$slot = Self::$variant($crate::__private::member::<$ty>($r)?)
    };
    ($tag:ident, $r:ident, $slot:ident, $variant:ident) => {
        *$slot = match $crate::__private::unit_member($tag, $r)? {
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

/// Clones, compares or hashes the payload of a union member bound by `__member_pat!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __member_op {
    (clone $x:ident, $variant:ident ($ty:ty)) => {
        // `Box::new`, not `Box::clone`: the latter instantiates an allocator helper per type.
        Self::$variant(::std::boxed::Box::new(::core::clone::Clone::clone(&**$x)))
    };
    (clone $x:ident, $variant:ident) => {
        Self::$variant
    };
    (eq $a:ident $b:ident, $variant:ident ($ty:ty)) => {
        $a == $b
    };
    (eq $a:ident $b:ident, $variant:ident) => {
        true
    };
    (hash $x:ident $h:ident, $variant:ident ($ty:ty)) => {
        ::core::hash::Hash::hash($x, $h)
    };
    (hash $x:ident $h:ident, $variant:ident) => {
        ()
    };
    (debug $x:ident $f:ident, $variant:ident ($ty:ty)) => {
        $crate::__private::debug_tuple($f, stringify!($variant), $x)
    };
    (debug $x:ident $f:ident, $variant:ident) => {
        $f.write_str(stringify!($variant))
    };
}

/// `Eq` and `Hash` (one item each: a second, non-generic hashing trait would cost more crate
/// metadata than the generic body it saves).
#[doc(hidden)]
#[macro_export]
macro_rules! __eq_hash {
    ([] $name:ident, $h:ident, $self:ident $body:block) => {};
    ([Hash] $name:ident, $h:ident, $self:ident $body:block) => {
        impl ::core::cmp::Eq for $name {}

        impl ::core::hash::Hash for $name {
            #[inline]
            #[allow(unused_variables)]
            fn hash<H: ::core::hash::Hasher>(&$self, $h: &mut H) $body
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __encode_member {
    ($x:ident, $w:ident, $tag:literal, $variant:ident ($ty:ty)) => {
        $crate::__private::encode_record(&**$x, $w)
    };
    ($x:ident, $w:ident, $tag:literal, $variant:ident) => {
        $crate::__private::encode_unit($tag, $w)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __from_member {
    ($name:ident, $variant:ident ($ty:ty)) => {
        impl ::core::convert::From<$ty> for $name {
            #[inline]
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
            #[inline]
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
            fn decode(
                &mut self,
                r: &mut $crate::__private::Reader<'_>,
                note: &mut $crate::__private::Note,
            ) -> ::core::result::Result<(), $crate::__private::Error> {
                $crate::__private::Wire::decode(&mut self.0, r, note)
            }
            #[inline]
            fn encode(&self, w: &mut $crate::__private::Writer<'_>, note: &$crate::__private::Note) {
                $crate::__private::Wire::encode(&self.0, w, note)
            }
        }

        $crate::__serde_shims!($name);

        impl ::core::convert::From<$crate::__private::Value> for $name {
            fn from(v: $crate::__private::Value) -> Self {
                Self(v)
            }
        }
    };
}

/// `AnyCommand`: an enum over every command that has a command string, with the text each
/// command string begins with, and `Undocumented` for any other text; and
/// `command_string_from_json`. Listed in the docs' order, which is the order
/// [`AnyCommand::parse`](crate::AnyCommand::parse) tries them in.
#[doc(hidden)]
#[macro_export]
macro_rules! any_command {
    ( $( $variant:ident $leading:literal, )* ) => {
        /// Any command of the bot API, read from its command string by
        /// [`parse`](Self::parse) the way the core reads it: a variant per command (boxed, so
        /// that the enum is as small as a `String`), and `Undocumented` for text that is no
        /// documented command.
        ///
        /// It renders too: `AnyCommand::parse(s)?.to_command_string()` gives back `s` for every
        /// string this crate renders. Two documented commands can read the same text (the docs
        /// give `/_connect <userId>[ incognito=on]` to `APIAddContact` and
        /// `/_connect <userId>[ incognito=on][ <str(preparedLink_)>]` to `APIConnect`); such text
        /// is read as the one the docs list first, and renders back the same.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyCommand {
            $(
                #[doc = concat!("See [`", stringify!($variant), "`].")]
                $variant(::std::boxed::Box<$variant>),
            )*
            /// Text that no documented command begins with, as received.
            Undocumented(::std::string::String),
        }

        $(
            impl ::core::convert::From<$variant> for AnyCommand {
                #[inline]
                fn from(c: $variant) -> Self {
                    Self::$variant(::std::boxed::Box::new(c))
                }
            }
        )*

        impl AnyCommand {
            /// Every documented command: its name, the text its command string begins with, its
            /// parser and its decoder from JSON, in the docs' order.
            const TABLE: &'static [$crate::__private::AnyEntry<AnyCommand>] = &[
                $(
                    $crate::__private::AnyEntry {
                        name: <$variant as $crate::runtime::Command>::NAME,
                        leading: $leading,
                        parse: $crate::__private::parse_as::<$variant, AnyCommand>,
                        from_json: $crate::__private::from_json_as::<$variant, AnyCommand>,
                    },
                )*
            ];

            /// Reads `text` as the documented command it is: the first, in the docs' order, of
            /// the commands whose leading text it begins with that reads it whole;
            /// `Undocumented` when it begins with no command's leading text (as `/_get chat`,
            /// which the core has but the bot API does not document); an error, located at the
            /// furthest place any of those commands read to, when none reads it.
            pub fn parse(text: &str) -> ::core::result::Result<Self, $crate::runtime::CommandParseError> {
                match $crate::__private::parse_any(text, Self::TABLE)? {
                    ::core::option::Option::Some(c) => ::core::result::Result::Ok(c),
                    ::core::option::Option::None => {
                        ::core::result::Result::Ok(Self::Undocumented(::std::string::String::from(text)))
                    }
                }
            }

            /// Reads `text` as the command named `name` (upstream name); `None` when no
            /// command has that name. For tests of the parsers.
            #[doc(hidden)]
            pub fn __parse_as(name: &str, text: &str) -> ::core::option::Option<::core::result::Result<Self, $crate::runtime::CommandParseError>> {
                $crate::__private::entry(Self::TABLE, name).map(|e| (e.parse)(text))
            }

            /// The command named `name` (upstream name, e.g. `APISendMessages`) from its
            /// parameters as JSON, under their upstream names.
            pub fn from_json(name: &str, params: $crate::__private::Value) -> ::core::result::Result<Self, $crate::runtime::FromJsonError> {
                match $crate::__private::entry(Self::TABLE, name) {
                    ::core::option::Option::Some(e) => (e.from_json)(params),
                    ::core::option::Option::None => ::core::result::Result::Err(
                        $crate::runtime::FromJsonError::UnknownName(::std::string::String::from(name)),
                    ),
                }
            }

            /// The command's upstream name (`APISendMessages`); empty for `Undocumented`.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => <$variant as $crate::runtime::Command>::NAME, )*
                    Self::Undocumented(_) => "",
                }
            }

            /// The command string: the command's rendering, or an `Undocumented` text as it is.
            pub fn to_command_string(&self) -> ::core::result::Result<::std::string::String, $crate::runtime::CommandError> {
                match self {
                    $( Self::$variant(c) => $crate::runtime::Command::to_command_string(&**c), )*
                    Self::Undocumented(s) => ::core::result::Result::Ok(::core::clone::Clone::clone(s)),
                }
            }
        }

        /// Renders the command named `name` (upstream name, e.g. `APISendMessages`) from its
        /// parameters as JSON, under their upstream names.
        pub fn command_string_from_json(name: &str, params: $crate::__private::Value) -> ::core::result::Result<::std::string::String, $crate::runtime::FromJsonError> {
            ::core::result::Result::Ok(AnyCommand::from_json(name, params)?.to_command_string()?)
        }
    };
}
