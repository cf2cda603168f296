//! `Debug`, `PartialEq`, `Hash` and `Display` of the generated types, as one runtime call each
//! (the same output as the derived impls, without a body per field in every crate).

use std::any::Any;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::{encode_text, Encode};

/// Writes an error value of the docs (`ChatError`, `AgentErrorType`, `StoreError`...) as its
/// chain of tags, innermost last, then the innermost error's own fields: `error:
/// noActiveUser`, `errorAgent: SMP: AUTH`, `errorStore: contactNotFound (contactId: 5)`.
pub fn describe_error(error: &dyn Encode, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    crate::error::describe_text(&encode_text(error), f)
}

/// `Debug` of a struct from its fields, in order.
pub fn debug_struct(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    fields: &[(&str, &dyn fmt::Debug)],
) -> fmt::Result {
    let mut s = f.debug_struct(name);
    for (field, value) in fields {
        s.field(field, value);
    }
    s.finish()
}

/// `Debug` of a one-field tuple variant.
pub fn debug_tuple(f: &mut fmt::Formatter<'_>, name: &str, value: &dyn fmt::Debug) -> fmt::Result {
    f.debug_tuple(name).field(value).finish()
}

// ---------------------------------------------------------------------------------------------
// `PartialEq` and `Hash` of the generated structs, as one call each.

/// A field compared through `dyn` (every field type of the generated structs).
pub trait DynEq: Any {
    /// `self` as `Any`, to find `other`'s type.
    fn as_any(&self) -> &dyn Any;
    /// `self == other` when `other` has the same type.
    fn eq_dyn(&self, other: &dyn DynEq) -> bool;
}

impl<T: PartialEq + 'static> DynEq for T {
    #[inline]
    fn as_any(&self) -> &dyn Any {
        self
    }

    #[inline]
    fn eq_dyn(&self, other: &dyn DynEq) -> bool {
        other
            .as_any()
            .downcast_ref::<T>()
            .is_some_and(|other| self == other)
    }
}

/// Whether each pair of fields is equal.
pub fn eq_fields(pairs: &[(&dyn DynEq, &dyn DynEq)]) -> bool {
    pairs.iter().all(|(a, b)| a.eq_dyn(*b))
}

/// `Hash` through `dyn Hasher` (the hashable field types of the generated structs).
pub trait DynHash {
    /// Hashes `self` into `h`.
    fn hash_dyn(&self, h: &mut dyn Hasher);
}

impl<T: Hash> DynHash for T {
    #[inline]
    fn hash_dyn(&self, mut h: &mut dyn Hasher) {
        self.hash(&mut h);
    }
}

/// Hashes each field in turn.
pub fn hash_fields(h: &mut dyn Hasher, fields: &[&dyn DynHash]) {
    for field in fields {
        field.hash_dyn(h);
    }
}
