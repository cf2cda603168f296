//! Parser for the type expressions of field lines: `int64`, `[Name](#anchor)`,
//! `[Name](./TYPES.md#anchor)`, `[T]`, `{string : T}`, `T?`, nested freely.

use crate::ir::{Prim, TypeExpr};

/// A type-expression parse error: a message and the byte offset in the input where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    /// Byte offset into the parsed text.
    pub offset: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Parses a whole type expression; trailing text is an error.
pub fn parse(text: &str) -> Result<TypeExpr, TypeError> {
    let mut p = P {
        s: text,
        i: 0,
        depth: 0,
    };
    p.ws();
    if p.i == text.len() {
        return Err(p.err("expected a type, found nothing"));
    }
    let ty = p.ty()?;
    p.ws();
    if p.i < text.len() {
        return Err(p.err(format!(
            "unexpected `{}` after the type `{ty}`",
            p.rest_preview()
        )));
    }
    Ok(ty)
}

/// How deep arrays and maps may nest (the docs use two levels), so that no input exhausts the stack.
pub const MAX_DEPTH: usize = 32;

struct P<'a> {
    s: &'a str,
    i: usize,
    /// Arrays and maps being read.
    depth: usize,
}

impl P<'_> {
    fn err(&self, message: impl Into<String>) -> TypeError {
        TypeError {
            offset: self.i,
            message: message.into(),
        }
    }

    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn rest_preview(&self) -> String {
        self.rest().chars().take(24).collect()
    }

    fn ws(&mut self) {
        let rest = self.rest();
        self.i += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.i += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), TypeError> {
        self.ws();
        if self.eat(c) {
            Ok(())
        } else if self.i == self.s.len() {
            Err(self.err(format!("expected `{c}` {what}, found the end of the line")))
        } else {
            Err(self.err(format!(
                "expected `{c}` {what}, found `{}`",
                self.rest_preview()
            )))
        }
    }

    fn ident(&mut self) -> &str {
        let rest = self.rest();
        let n = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let start = self.i;
        self.i += n;
        &self.s[start..self.i]
    }

    /// Reads a type nested in an array or map that starts at `at`.
    fn nested(&mut self, at: usize) -> Result<TypeExpr, TypeError> {
        if self.depth >= MAX_DEPTH {
            self.i = at;
            return Err(self.err(format!("type nested more than {MAX_DEPTH} levels deep")));
        }
        self.depth += 1;
        let ty = self.ty();
        self.depth -= 1;
        ty
    }

    fn ty(&mut self) -> Result<TypeExpr, TypeError> {
        let mut ty = self.base()?;
        loop {
            self.ws();
            let at = self.i;
            if !self.eat('?') {
                return Ok(ty);
            }
            if ty.is_optional() {
                self.i = at;
                return Err(self.err(format!(
                    "nested optional `{ty}?`: a type can be optional only once"
                )));
            }
            ty = TypeExpr::Optional {
                inner: Box::new(ty),
            };
        }
    }

    fn base(&mut self) -> Result<TypeExpr, TypeError> {
        self.ws();
        let start = self.i;
        if self.eat('[') {
            // `[Name](target)` is a link; anything else in brackets is an array.
            let save = self.i;
            let name = self.ident().to_owned();
            if !name.is_empty() && self.rest().starts_with("](") {
                self.i += 2;
                return self.link_target(name, start);
            }
            self.i = save;
            let item = self.nested(start)?;
            self.expect(']', "to close the array type")?;
            return Ok(TypeExpr::Array {
                item: Box::new(item),
            });
        }
        if self.eat('{') {
            let key = self.nested(start)?;
            self.expect(':', "between the key and value types of a map")?;
            let value = self.nested(start)?;
            self.expect('}', "to close the map type")?;
            return Ok(TypeExpr::Map {
                key: Box::new(key),
                value: Box::new(value),
            });
        }
        let name = self.ident().to_owned();
        if name.is_empty() {
            return Err(self.err(format!(
                "expected a type (a primitive, a link, `[T]` or `{{string : T}}`), found `{}`",
                self.rest_preview()
            )));
        }
        match Prim::from_doc_name(&name) {
            Some(prim) => Ok(TypeExpr::Prim { prim }),
            None => {
                self.i = start;
                Err(self.err(format!(
                    "unknown type `{name}`: not a primitive and not a link to a type"
                )))
            }
        }
    }

    fn link_target(&mut self, name: String, start: usize) -> Result<TypeExpr, TypeError> {
        let rest = self.rest();
        let Some(end) = rest.find(')') else {
            self.i = start;
            return Err(self.err(format!("unclosed link to `{name}`: expected `)`")));
        };
        let target = &rest[..end];
        let anchor = target
            .strip_prefix("./TYPES.md")
            .or_else(|| target.strip_prefix("TYPES.md"))
            .unwrap_or(target);
        if !anchor.starts_with('#') {
            return Err(self.err(format!(
                "link to `{name}` points to `{target}`; expected `#anchor` or `./TYPES.md#anchor`"
            )));
        }
        self.i += end + 1;
        Ok(TypeExpr::Ref { name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prim(p: Prim) -> TypeExpr {
        TypeExpr::prim(p)
    }
    fn r(n: &str) -> TypeExpr {
        TypeExpr::Ref { name: n.into() }
    }
    fn arr(t: TypeExpr) -> TypeExpr {
        TypeExpr::Array { item: Box::new(t) }
    }
    fn opt(t: TypeExpr) -> TypeExpr {
        TypeExpr::Optional { inner: Box::new(t) }
    }

    #[test]
    fn primitives_in_both_spellings() {
        for (a, b, p) in [
            ("bool", "Bool", Prim::Bool),
            ("string", "String", Prim::String),
            ("int", "Int", Prim::Int),
            ("int64", "Int64", Prim::Int64),
            ("word32", "Word32", Prim::Word32),
            ("double", "Double", Prim::Double),
        ] {
            assert_eq!(parse(a), Ok(prim(p)));
            assert_eq!(parse(b), Ok(prim(p)));
        }
        assert_eq!(parse("JSONObject"), Ok(prim(Prim::JsonObject)));
        assert_eq!(parse("UTCTime?"), Ok(opt(prim(Prim::UtcTime))));
    }

    #[test]
    fn links_arrays_maps_and_optionals_nest() {
        assert_eq!(parse("[User](./TYPES.md#user)"), Ok(r("User")));
        assert_eq!(parse("[ChatItem](#chatitem)?"), Ok(opt(r("ChatItem"))));
        assert_eq!(parse("[[ChatItem](#chatitem)]"), Ok(arr(r("ChatItem"))));
        assert_eq!(parse("[int64]?"), Ok(opt(arr(prim(Prim::Int64)))));
        assert_eq!(parse("[[string]]"), Ok(arr(arr(prim(Prim::String)))));
        assert_eq!(
            parse("{string : [CIMention](#cimention)}"),
            Ok(TypeExpr::Map {
                key: Box::new(prim(Prim::String)),
                value: Box::new(r("CIMention"))
            })
        );
        assert_eq!(
            parse("{String:[Int64]?}").map(|t| t.to_string()),
            Ok("{string : [int64]?}".to_string())
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = parse("{string int64}").unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("expected `:`"), "{}", e.message);
        let e = parse("int64??").unwrap_err();
        assert!(e.message.contains("nested optional"), "{}", e.message);
        assert_eq!(e.offset, 6);
        let e = parse("[int64").unwrap_err();
        assert!(e.message.contains("close the array"), "{}", e.message);
        let e = parse("ChatItemId").unwrap_err();
        assert!(e.message.contains("unknown type `ChatItemId`"));
        assert!(parse("").is_err());
        assert!(parse("[User](#user")
            .unwrap_err()
            .message
            .contains("unclosed link"));
        assert!(parse("[User](http://x)").is_err());
        assert!(parse("int64 trailing")
            .unwrap_err()
            .message
            .contains("trailing"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let n = 100_000;
        let deep = format!("{}int{}", "[".repeat(n), "]".repeat(n));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.offset, MAX_DEPTH);
        assert!(e.message.contains("nested more than"), "{}", e.message);
        let deep = format!("{}int{}", "{string : ".repeat(n), "}".repeat(n));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.offset, MAX_DEPTH * "{string : ".len());
        let ok = format!("{}int{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }
}
