//! `Display` for the error types of the docs (`ChatError`, `AgentErrorType`, `StoreError`...):
//! what the core said, down to the innermost error, for logs and `?`.

use std::fmt;

use serde_json::Value;

use crate::wire::{encode_text, Encode};

/// Writes an error value as its chain of tags, innermost last, then the innermost error's own
/// fields: `error: noActiveUser`, `errorAgent: SMP: AUTH`,
/// `errorStore: contactNotFound (contactId: 5)`.
pub fn describe_error(error: &dyn Encode, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    describe_text(&encode_text(error), f)
}

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
    use crate::types::ChatError;

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
