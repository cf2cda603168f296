//! Rust names for upstream names: one place for case conversion (heck), keyword escaping and
//! collision handling.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust 2024 strict and reserved keywords.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers; they get a `_` suffix instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// True for a Rust keyword.
pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Makes an identifier from a name that is already in Rust case: keywords become raw identifiers
/// (`r#type`) where possible and get a `_` suffix otherwise (`self_`).
pub fn ident(name: &str) -> Ident {
    if NOT_RAW.contains(&name) {
        Ident::new(&format!("{name}_"), Span::call_site())
    } else if is_keyword(name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The text of [`ident`] (with `r#` for raw identifiers).
pub fn ident_text(name: &str) -> String {
    ident(name).to_string()
}

fn edge_underscores(name: &str) -> (usize, usize) {
    let lead = name.len() - name.trim_start_matches('_').len();
    let trail = name.len() - name.trim_end_matches('_').len();
    (lead, trail)
}

fn sanitize_start(s: String, prefix: &str) -> String {
    if s.is_empty() {
        prefix.to_owned()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{prefix}{s}")
    } else {
        s
    }
}

/// A type, struct or enum-variant name: UpperCamelCase (`APISendMessages` -> `ApiSendMessages`,
/// `snd-ready` -> `SndReady`, `DECRYPT_AES` -> `DecryptAes`).
pub fn type_name(upstream: &str) -> String {
    let cleaned: String = upstream
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let name = sanitize_start(cleaned.to_upper_camel_case(), "V");
    if name == "Self" {
        "Self_".to_owned()
    } else {
        name
    }
}

/// A field or parameter name: snake_case, keeping leading and trailing underscores
/// (`chatItem_` -> `chat_item_`), before keyword escaping (see [`ident`]).
pub fn field_name(upstream: &str) -> String {
    let (lead, trail) = edge_underscores(upstream);
    let cleaned: String = upstream
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let core = sanitize_start(cleaned.to_snake_case(), "f");
    format!("{}{core}{}", "_".repeat(lead), "_".repeat(trail))
}

/// Hands out unique names within one scope: a name already taken gets `_2`, `_3`... appended.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `name`, or the first free `nameN` (`name_N` for snake_case names, so that the result
    /// stays in the case of `name`).
    pub fn unique(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let camel = name.starts_with(|c: char| c.is_ascii_uppercase());
        let mut n = 2;
        loop {
            let candidate = if camel {
                format!("{}{n}", name.trim_end_matches('_'))
            } else {
                format!("{name}_{n}")
            };
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    /// True when `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_heck_upper_camel_case() {
        assert_eq!(type_name("APISendMessages"), "ApiSendMessages");
        assert_eq!(type_name("CIContent"), "CiContent");
        assert_eq!(type_name("snd-ready"), "SndReady");
        assert_eq!(type_name("user_contact"), "UserContact");
        assert_eq!(type_name("DECRYPT_AES"), "DecryptAes");
        assert_eq!(type_name("TLSError"), "TlsError");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("1x"), "V1x");
        assert_eq!(type_name(""), "V");
    }

    #[test]
    fn field_names_are_snake_case_with_edge_underscores_kept() {
        assert_eq!(field_name("chatItemId"), "chat_item_id");
        assert_eq!(field_name("contactId_"), "contact_id_");
        assert_eq!(field_name("_owsf"), "_owsf");
        assert_eq!(field_name("delSMPQueues"), "del_smp_queues");
        assert_eq!(field_name("type"), "type");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(ident_text("type"), "r#type");
        assert_eq!(ident_text("ref"), "r#ref");
        assert_eq!(ident_text("self"), "self_");
        assert_eq!(ident_text("Self"), "Self_");
        assert_eq!(ident_text("super"), "super_");
        assert_eq!(ident_text("crate"), "crate_");
        assert_eq!(ident_text("chat_id"), "chat_id");
    }

    #[test]
    fn scopes_resolve_collisions() {
        let mut s = Scope::with_reserved(&["Unknown", "extra_fields"]);
        assert_eq!(s.unique("Unknown".into()), "Unknown2");
        assert_eq!(s.unique("A".into()), "A");
        assert_eq!(s.unique("A".into()), "A2");
        assert_eq!(s.unique("A".into()), "A3");
        assert_eq!(s.unique("extra_fields".into()), "extra_fields_2");
        assert_eq!(s.unique("Self_".into()), "Self_");
        assert_eq!(s.unique("Self_".into()), "Self2");
    }
}
