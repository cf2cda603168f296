//! The traits and types the generated API is built on, gathered in one place: the [`Command`]
//! trait, the [`Syntax`] trait of types with a command syntax, the [`Json`] trait, the field
//! types that are not generated ([`JsonObject`], [`UtcTime`]), and their errors. Each is
//! defined in the layer it belongs to (see the crate docs, "How the crate is built").

pub use crate::command::{
    Command, CommandReader, Decimal, Miss, ParseCommand, Place, Read, Syntax,
};
pub use crate::envelope::Json;
pub use crate::error::{
    CommandError, CommandParseError, DecodeError, FromJsonError, ResponseError, UndocumentedValue,
};
pub use crate::json::JsonObject;
pub use crate::wire::UtcTime;
