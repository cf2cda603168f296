//! What the benchmarks share: the real captures, compact and replicated to larger messages.

// Each benchmark uses part of it.
#![allow(dead_code)]

use serde_json::Value;

/// A real `receivedGroupInvitation` event (4.6 KB).
pub const GROUP_INVITATION: &str = include_str!("../../tests/data/receivedGroupInvitation-1.json");
/// A real `newChatItems` response with one item (6 KB as stored, 3.5 KB compact).
pub const NEW_CHAT_ITEMS: &str = include_str!("../../tests/data/newChatItems-5.json");
/// A real `contactsList` response with one contact.
pub const CONTACTS_LIST: &str = include_str!("../../tests/data/contactsList-1.json");
/// A real `chatCmdError` response (no active user).
pub const CHAT_CMD_ERROR: &str = include_str!("../../tests/data/chatCmdError-6.json");

/// `json` without the whitespace between tokens, keys in their original order (the core sends
/// compact JSON with `"type"` first; re-encoding a `Value` would sort the keys).
pub fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if !c.is_ascii_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The compact `fixture` with its one-element array `"<field>":[...]` holding that element `n`
/// times.
pub fn replicate(fixture: &str, field: &str, n: usize) -> String {
    let json = minify(fixture);
    let open = json.find(&format!("\"{field}\":[")).expect("array field") + field.len() + 4;
    // Find the matching `]`, skipping strings.
    let (mut depth, mut in_string, mut escaped, mut close) = (1, false, false, None);
    for (i, c) in json[open..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            close = Some(open + i);
            break;
        }
    }
    let close = close.expect("array end");
    let element = &json[open..close];
    let out = format!(
        "{}{}{}",
        &json[..open],
        vec![element; n].join(","),
        &json[close..]
    );
    let (a, b): (Value, Value) = (
        serde_json::from_str(&out).expect("valid JSON"),
        serde_json::from_str(fixture).expect("valid JSON"),
    );
    assert_eq!(a["resp"][field].as_array().map(Vec::len), Some(n));
    assert_eq!(a["resp"][field][n - 1], b["resp"][field][0]);
    out
}
