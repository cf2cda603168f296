//! The traits and types the generated API is built on: the [`Command`] trait, the [`Syntax`]
//! trait of types with a command syntax, and their errors.

use std::fmt;

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
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
pub type UtcTime = chrono::DateTime<chrono::Utc>;

/// JSON text in and out for every generated type, without serde (the fast path; see the crate
/// docs). `from_json` applies the limits of a message and locates its errors as
/// [`parse_message`](crate::parse_message) does.
pub trait Json: Sized {
    /// Decodes a whole JSON text.
    fn from_json(text: &str) -> Result<Self, crate::DecodeError>;
    /// The JSON text, compact (the same text as `serde_json::to_string` gives).
    fn to_json(&self) -> String;
}

impl<T: crate::wire::Wire> Json for T {
    fn from_json(text: &str) -> Result<Self, crate::DecodeError> {
        let mut v = T::default();
        crate::envelope::decode_value(&mut v, text)?;
        Ok(v)
    }

    fn to_json(&self) -> String {
        crate::wire::encode_text(self)
    }
}

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

/// Why a command could not be rendered. Rendering never produces a command that the core would
/// read as something else instead (see the crate docs, "Commands").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// A string parameter contains a line break, which would end the command early.
    LineBreak {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter contains whitespace where the core reads it as one word (or a
    /// character whose UTF-8 encoding holds the byte 0xA0, which the core's byte-wise test
    /// takes for whitespace).
    Space {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter is empty where the core expects a word, or where only a space would
    /// precede the end of the command (the core strips it and reads the command without the
    /// parameter).
    Empty {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter at the end of the command is all whitespace: the core strips it, and
    /// would read the command without the parameter.
    Blank {
        /// The parameter (upstream name).
        param: &'static str,
    },
    /// A string parameter at the end of the command ends in whitespace, or in a character whose
    /// last UTF-8 byte is 0xA0: the core strips such bytes from the end of a command, so the
    /// value would arrive changed.
    Trailing {
        /// The parameter (upstream name).
        param: &'static str,
        /// The character it ends in.
        end: char,
    },
    /// A string parameter begins with text that the core's grammar reads as another, optional
    /// part of the command at that place (`@` before a search text is read as a contact
    /// filter).
    Prefix {
        /// The parameter (upstream name).
        param: &'static str,
        /// The text it begins with.
        prefix: &'static str,
        /// The part of the command syntax the core would read instead, e.g. `[ @<contactId_>]`.
        part: &'static str,
        /// How to write the same value so that the core reads it as meant, where there is a
        /// way (from the overrides file).
        fix: Option<&'static str>,
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
                "parameter `{param}` contains whitespace (or a character whose UTF-8 encoding \
                 holds the byte 0xA0, which the core takes for whitespace) where the core reads \
                 one word"
            ),
            CommandError::Empty { param } => write!(
                f,
                "parameter `{param}` is empty where the core reads a word, or where the core \
                 would not see it (it strips the space before the end of the command)"
            ),
            CommandError::Blank { param } => write!(
                f,
                "parameter `{param}` is blank: the core strips whitespace from the end of a \
                 command, so it would read the command without this parameter"
            ),
            CommandError::Trailing { param, end } => {
                if end.is_ascii() {
                    write!(
                        f,
                        "parameter `{param}` ends in whitespace (U+{:04X}), which the core strips \
                         from the end of a command",
                        u32::from(*end)
                    )
                } else {
                    write!(
                        f,
                        "parameter `{param}` ends in `{end}` (U+{:04X}), whose last UTF-8 byte \
                         0xA0 the core takes for whitespace and strips from the end of a command",
                        u32::from(*end)
                    )
                }
            }
            CommandError::Prefix {
                param,
                prefix,
                part,
                fix,
            } => {
                write!(
                    f,
                    "parameter `{param}` begins with `{prefix}`, which the core reads as the \
                     part `{part}` of the command, not as `{param}`"
                )?;
                match fix {
                    Some(fix) => write!(f, "; {fix}"),
                    None => Ok(()),
                }
            }
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

/// Where a value is written in a command string, as the core's grammar sees that place: the
/// texts the value may not begin with (the core would read them as another, optional part of
/// the command) and whether the value runs to the end of the command.
///
/// The generated formatters pass one to every value they write; it is derived from the docs'
/// syntax tree (and the overrides file) when the crate is generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Texts the value may not begin with, each with the part of the command syntax that the
    /// core would read instead (`("@", "[ @<contactId_>]")`).
    pub not_first: &'static [(&'static str, &'static str)],
    /// The value is the last part of the command: the core reads it to the end, spaces
    /// included (otherwise it reads one word).
    pub rest: bool,
    /// How to write a value that begins with one of `not_first` so that it keeps its meaning,
    /// where there is a way (from the overrides file).
    pub fix: Option<&'static str>,
}

impl Place {
    /// One word, with nothing optional before it.
    pub const WORD: Place = Place {
        not_first: &[],
        rest: false,
        fix: None,
    };

    /// The rest of the command, with nothing optional before it.
    pub const REST: Place = Place {
        not_first: &[],
        rest: true,
        fix: None,
    };

    /// The place of a word that begins a value written at this place (and does not end it).
    pub const fn first_word(&self) -> Place {
        Place {
            rest: false,
            ..*self
        }
    }

    /// The place of what ends a value written at this place (and does not begin it).
    pub const fn end(&self) -> Place {
        Place {
            not_first: &[],
            rest: self.rest,
            fix: None,
        }
    }
}

/// A type with its own string syntax in commands (`<str(x)>` in the docs), such as `ChatRef`.
pub trait Syntax {
    /// Appends the string form. `param` names the command parameter for errors; `place` says
    /// what the core could read instead at the start of the value and whether the value ends
    /// the command (a free string may then contain spaces).
    fn write_syntax(
        &self,
        out: &mut String,
        param: &'static str,
        place: &Place,
    ) -> Result<(), CommandError>;

    /// The string form on its own (as if it ended a command).
    fn to_syntax_string(&self) -> Result<String, CommandError> {
        let mut out = String::new();
        self.write_syntax(&mut out, "self", &Place::REST)?;
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

/// A string that is not one of the documented values of an enum (from `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndocumentedValue {
    /// The enum.
    pub type_name: &'static str,
    /// The string.
    pub value: String,
}

impl UndocumentedValue {
    #[doc(hidden)]
    pub fn new(type_name: &'static str, value: &str) -> Self {
        UndocumentedValue {
            type_name,
            value: value.to_owned(),
        }
    }
}

impl fmt::Display for UndocumentedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a documented value of `{}`",
            self.value, self.type_name
        )
    }
}

impl std::error::Error for UndocumentedValue {}

/// A response that is not the success a command expects: an error the core answered with
/// (`chatCmdError`), or a response the command is not documented to get. Its `Display` says
/// what the core said, down to the innermost error (`chatCmdError: error: noActiveUser`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseError<R> {
    response: R,
}

impl<R> ResponseError<R> {
    #[doc(hidden)]
    pub fn new(response: R) -> Self {
        ResponseError { response }
    }

    /// The response.
    pub fn response(&self) -> &R {
        &self.response
    }

    /// The response, by value.
    pub fn into_response(self) -> R {
        self.response
    }
}

impl<R: serde::Serialize> fmt::Display for ResponseError<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the core answered ")?;
        // Through `Serialize`, which `R` may implement in any way.
        let text = serde_json::to_string(&self.response).unwrap_or_default();
        crate::errors::describe_text(&text, f)
    }
}

impl<R: serde::Serialize + fmt::Debug> std::error::Error for ResponseError<R> {}
