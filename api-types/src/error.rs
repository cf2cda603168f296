//! Every error of the crate: decoding a message ([`DecodeError`]), rendering a command
//! ([`CommandError`], [`FromJsonError`]), a string that is no documented enum value
//! ([`UndocumentedValue`]), and a response that is not the success a command expects
//! ([`ResponseError`]), with the text that says what the core said (`describe_text`).
//! Below everything but the JSON layer.

use std::fmt;

use serde_json::Value;

use crate::json::{message_of, skip_string, skip_value, skip_ws, Failure, Step};

/// A message that could not be decoded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// Path to the offending value, e.g. `resp.chatItems[0].chatItem.meta.itemTs` (`.` for the
    /// message itself).
    pub path: String,
    /// 1-based line in the input where the offending value starts (for malformed JSON, where
    /// reading stopped).
    pub line: usize,
    /// 1-based column (in bytes) of that place.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The message's `corrId`, when it could be read: the command this response answers.
    pub corr_id: Option<String>,
    /// The `"type"` of the message's `resp`, when it could be read.
    pub tag: Option<String>,
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

impl DecodeError {
    /// The error `e` of decoding `text`, where the reader noted it happened (`failure`), with
    /// the message's `corrId` and tag as far as they are known.
    pub(crate) fn new(
        text: &str,
        e: &serde_json::Error,
        failure: Failure,
        corr_id: Option<String>,
        tag: Option<String>,
    ) -> DecodeError {
        let mut path = String::new();
        for step in &failure.path {
            match step {
                Step::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
                Step::Index(i) => {
                    path.push('[');
                    path.push_str(itoa::Buffer::new().format(*i));
                    path.push(']');
                }
            }
        }
        if path.is_empty() {
            path.push('.');
        }
        let (line, column) = if e.is_data() {
            let at = failure.at.unwrap_or_else(|| skip_ws(text.as_bytes(), 0));
            line_column(text, at)
        } else {
            (e.line().max(1), e.column().max(1))
        };
        DecodeError {
            path,
            line,
            column,
            message: message_of(e),
            corr_id,
            tag,
        }
    }
}

/// The string at `steps` in the JSON `text`, if there is one there (for a `corrId` or a tag
/// that decoding had not reached when it failed).
pub(crate) fn string_at(text: &str, steps: &[Step]) -> Option<String> {
    let at = locate(text, steps)?;
    let end = skip_string(text.as_bytes(), at)?;
    serde_json::from_str(text.get(at..end)?).ok()
}

/// 1-based line and byte column of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at.min(text.len())];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
    (line, column)
}

/// Where the value at `steps` starts in the JSON `text` (for a repeated key, the last one, as
/// decoding keeps the last). Iterative, so any nesting is fine.
fn locate(text: &str, steps: &[Step]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    for step in steps {
        match step {
            Step::Key(key) => {
                if *b.get(pos)? != b'{' {
                    return None;
                }
                pos += 1;
                let mut found = None;
                loop {
                    pos = skip_ws(b, pos);
                    match *b.get(pos)? {
                        b'}' => break,
                        b',' => {
                            pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    let end = skip_string(b, pos)?;
                    let k: String = serde_json::from_str(text.get(pos..end)?).ok()?;
                    pos = skip_ws(b, end);
                    if *b.get(pos)? != b':' {
                        return None;
                    }
                    pos = skip_ws(b, pos + 1);
                    if k == *key {
                        found = Some(pos);
                    }
                    pos = skip_value(b, pos)?;
                }
                pos = found?;
            }
            Step::Index(i) => {
                if *b.get(pos)? != b'[' {
                    return None;
                }
                pos += 1;
                let mut n = 0;
                loop {
                    pos = skip_ws(b, pos);
                    match *b.get(pos)? {
                        b']' => return None,
                        b',' => {
                            pos += 1;
                            continue;
                        }
                        _ => {}
                    }
                    if n == *i {
                        break;
                    }
                    pos = skip_value(b, pos)?;
                    n += 1;
                }
            }
        }
    }
    Some(pos)
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
        }
    }
}

impl std::error::Error for CommandError {}

/// A command string that the core would not read as the command (or as any documented
/// command): where reading stopped, and what the command's grammar expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandParseError {
    command: &'static str,
    offset: usize,
    expected: String,
}

/// One thing a command's grammar expects at a place (see [`CommandParseError::expected`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Fixed text.
    Text(&'static str),
    /// The end of the command.
    End,
    /// A word, for the parameter.
    Word(&'static str),
    /// Valid UTF-8 text, for the parameter.
    Utf8(&'static str),
    /// A number, for the parameter.
    Number(&'static str),
    /// `on` or `off`, for the parameter.
    OnOff(&'static str),
    /// A time, for the parameter.
    Time(&'static str),
    /// One of the enum's values, for the parameter.
    OneOf(&'static str, &'static [&'static str]),
    /// JSON for the parameter, which failed to decode as this.
    Json(&'static str, String),
    /// Not this part, which the core reads but the docs do not show.
    NotUndocumented(&'static str),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Text(t) => write!(f, "{t:?}"),
            Expected::End => f.write_str("the end of the command"),
            Expected::Word(p) => write!(f, "a word (`{p}`)"),
            Expected::Utf8(p) => write!(
                f,
                "valid UTF-8 (`{p}`; the core ends a word at a byte 0xA0 and strips it from \
                 the end of a command, even inside a character)"
            ),
            Expected::Number(p) => write!(f, "a number (`{p}`)"),
            Expected::OnOff(p) => write!(f, "`on` or `off` (`{p}`)"),
            Expected::Time(p) => write!(f, "an ISO 8601 time (`{p}`)"),
            Expected::OneOf(p, values) => {
                write!(f, "one of ")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str("|")?;
                    }
                    f.write_str(v)?;
                }
                write!(f, " (`{p}`)")
            }
            Expected::Json(p, e) => write!(f, "JSON for `{p}`: {e}"),
            Expected::NotUndocumented(part) => write!(
                f,
                "not `{part}`: the core reads it here, but the docs do not document it, so no \
                 command of this crate can hold it"
            ),
        }
    }
}

impl CommandParseError {
    pub(crate) fn new(command: &'static str, offset: usize, expected: Vec<Expected>) -> Self {
        let mut text = String::new();
        for (i, e) in expected.iter().enumerate() {
            if i > 0 {
                text.push_str(if i + 1 == expected.len() {
                    " or "
                } else {
                    ", "
                });
            }
            text.push_str(&e.to_string());
        }
        if text.is_empty() {
            text.push_str("something else");
        }
        CommandParseError {
            command,
            offset,
            expected: text,
        }
    }

    /// The command (upstream name, e.g. `APISendMessages`) the text was read as; for
    /// [`AnyCommand::parse`](crate::AnyCommand::parse), the one that read furthest.
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// The byte offset in the command string where reading stopped.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// What the command's grammar expected at [`offset`](Self::offset), e.g. `" json "` or
    /// `a number (`ttl`)`.
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for CommandParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a `{}` command: at byte {}, expected {}",
            self.command, self.offset, self.expected
        )
    }
}

impl std::error::Error for CommandParseError {}

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
        describe_text(&text, f)
    }
}

impl<R: serde::Serialize + fmt::Debug> std::error::Error for ResponseError<R> {}

/// [`describe_error`] of an error as JSON text.
pub(crate) fn describe_text(text: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => describe(&v, f),
        Err(_) => f.write_str("an error that cannot be shown"),
    }
}

fn describe(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut at = v;
    let mut sep = "";
    // Bounded: decoded values nest at most a few dozen levels.
    for _ in 0..64 {
        match at {
            Value::Object(obj) => {
                if let Some(tag) = obj.get("type").and_then(Value::as_str) {
                    write!(f, "{sep}{tag}")?;
                    sep = ": ";
                }
                let nested = obj
                    .iter()
                    .find(|(k, v)| *k != "type" && v.get("type").is_some_and(Value::is_string));
                if let Some((_, inner)) = nested {
                    at = inner;
                    continue;
                }
                let mut details = obj.iter().filter(|(k, _)| *k != "type").peekable();
                if details.peek().is_some() {
                    f.write_str(if sep.is_empty() { "(" } else { " (" })?;
                    for (i, (k, v)) in details.enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{k}: ")?;
                        short(v, f)?;
                    }
                    f.write_str(")")?;
                }
                return Ok(());
            }
            other => {
                f.write_str(sep)?;
                return short(other, f);
            }
        }
    }
    Ok(())
}

/// A value in at most 200 characters.
fn short(v: &Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(200) {
        Some((cut, _)) => write!(f, "{}...", &text[..cut]),
        None => f.write_str(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ChatError;

    fn key(k: &str) -> Step {
        Step::Key(k.to_owned())
    }

    #[test]
    fn locate_finds_values_by_path() {
        let text =
            "{\"a\": [1, {\"b\\\"\": \"x]\"}, 3],\n \"c\": {\"d\": true}, \"c\": {\"d\": 7}}";
        let at = |steps: &[Step]| locate(text, steps).map(|p| &text[p..p + 1]);
        assert_eq!(at(&[key("a"), Step::Index(1), key("b\"")]), Some("\""));
        assert_eq!(at(&[key("a"), Step::Index(2)]), Some("3"));
        // The last of a repeated key, as decoding keeps.
        assert_eq!(at(&[key("c"), key("d")]), Some("7"));
        assert_eq!(at(&[key("a"), Step::Index(3)]), None);
        assert_eq!(at(&[key("zz")]), None);
        let p = locate(text, &[key("c")]).expect("found");
        assert_eq!(line_column(text, p), (2, 25));
    }

    #[test]
    fn locate_survives_truncated_and_deep_input() {
        let deep = "[".repeat(100_000);
        assert_eq!(locate(&deep, &[Step::Index(0), Step::Index(0)]), Some(2));
        assert_eq!(locate("{\"a\": [1, 2", &[key("a"), Step::Index(5)]), None);
        assert_eq!(locate("{\"a", &[key("a")]), None);
    }

    fn shown(json: &str) -> String {
        let e: ChatError = serde_json::from_str(json).expect("a ChatError");
        e.to_string()
    }

    #[test]
    fn errors_name_the_innermost_error() {
        assert_eq!(
            shown(r#"{"type":"error","errorType":{"type":"noActiveUser"}}"#),
            "error: noActiveUser"
        );
        assert_eq!(
            shown(r#"{"type":"errorStore","storeError":{"type":"contactNotFound","contactId":5}}"#),
            "errorStore: contactNotFound (contactId: 5)"
        );
        assert_eq!(
            shown(
                r#"{"type":"errorAgent","agentError":{"type":"SMP","serverAddress":"smp://x","smpErr":{"type":"AUTH"}}}"#
            ),
            "errorAgent: SMP: AUTH"
        );
        assert_eq!(
            shown(r#"{"type":"somethingNew","detail":"x"}"#),
            "somethingNew (detail: x)"
        );
        let long = "y".repeat(500);
        assert!(shown(&format!(r#"{{"type":"e","m":"{long}"}}"#)).ends_with("...)"));
    }

    #[test]
    fn chat_error_is_an_error() {
        fn takes(_: &dyn std::error::Error) {}
        let e: ChatError =
            serde_json::from_str(r#"{"type":"error","errorType":{"type":"noActiveUser"}}"#)
                .expect("a ChatError");
        takes(&e);
    }
}
