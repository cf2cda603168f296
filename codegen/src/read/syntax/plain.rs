//! Parser for the plain (human) syntax line, e.g.
//! `/_send <str(sendRef)>[ live=on][ ttl=<ttl>] json <json(composedMessages)>`.
//!
//! The plain line is lossy (`on|off` and enum alternatives do not name their parameter), so its
//! tree is used to check the line is well formed, to bind old dialects by position, and nothing else.

use super::SyntaxError;

/// One element of a plain syntax line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plain {
    /// Literal text.
    Lit(String),
    /// `<name>`.
    Param(String),
    /// `<str(name)>`.
    Str(String),
    /// `<json(name)>`.
    Json(String),
    /// `<name[0]>[sep<name[1]>...]`.
    Join {
        /// The array parameter.
        name: String,
        /// The separator.
        sep: String,
    },
    /// `a|b|c`; an empty word stands for an empty alternative (`@|#|*|`).
    Alts(Vec<String>),
    /// `[ ... ]`.
    Opt(Vec<Plain>),
}

/// Parses a plain syntax line.
pub fn parse(line: &str) -> Result<Vec<Plain>, SyntaxError> {
    let mut p = P {
        s: line,
        i: 0,
        depth: 0,
    };
    let tokens = p.seq(None)?;
    Ok(group_alternatives(tokens))
}

#[derive(Debug)]
enum Tok {
    Plain(Plain),
    Pipe,
}

/// How deep `[...]` may nest (the docs use one level), so that no input exhausts the stack.
pub const MAX_DEPTH: usize = 32;

struct P<'a> {
    s: &'a str,
    i: usize,
    /// Optional parts being read.
    depth: usize,
}

impl P<'_> {
    fn err(&self, at: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset: at,
            message: message.into(),
        }
    }

    fn seq(&mut self, open: Option<usize>) -> Result<Vec<Tok>, SyntaxError> {
        let mut out = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, out: &mut Vec<Tok>| {
            if !lit.is_empty() {
                out.push(Tok::Plain(Plain::Lit(std::mem::take(lit))));
            }
        };
        while let Some(c) = self.s[self.i..].chars().next() {
            match c {
                '<' => {
                    flush(&mut lit, &mut out);
                    out.push(Tok::Plain(self.angle()?));
                }
                '[' => {
                    flush(&mut lit, &mut out);
                    let at = self.i;
                    if self.depth >= MAX_DEPTH {
                        return Err(self.err(
                            at,
                            format!("optional parts `[...]` nested more than {MAX_DEPTH} deep"),
                        ));
                    }
                    self.i += 1;
                    self.depth += 1;
                    let inner = self.seq(Some(at))?;
                    self.depth -= 1;
                    out.push(Tok::Plain(Plain::Opt(group_alternatives(inner))));
                }
                ']' => {
                    if open.is_none() {
                        return Err(self.err(self.i, "unmatched `]`"));
                    }
                    self.i += 1;
                    flush(&mut lit, &mut out);
                    return Ok(out);
                }
                '>' => return Err(self.err(self.i, "unmatched `>`")),
                '|' => {
                    flush(&mut lit, &mut out);
                    out.push(Tok::Pipe);
                    self.i += 1;
                }
                c => {
                    lit.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
        if let Some(at) = open {
            return Err(self.err(at, "unclosed `[`: expected `]` before the end of the line"));
        }
        flush(&mut lit, &mut out);
        Ok(out)
    }

    fn angle(&mut self) -> Result<Plain, SyntaxError> {
        let at = self.i;
        let Some(len) = self.s[at..].find('>') else {
            return Err(self.err(at, "unclosed `<`: expected `>` before the end of the line"));
        };
        let inner = &self.s[at + 1..at + len];
        self.i = at + len + 1;
        if let Some(name) = wrapped(inner, "str(") {
            return Ok(Plain::Str(self.name(name, at)?));
        }
        if let Some(name) = wrapped(inner, "json(") {
            return Ok(Plain::Json(self.name(name, at)?));
        }
        if let Some(name) = inner.strip_suffix("[0]") {
            let name = self.name(name, at)?;
            // `[sep<name[1]>...]`
            let rest = &self.s[self.i..];
            let tail = format!("<{name}[1]>...]");
            let sep_end = rest.find('<').unwrap_or(0);
            if !rest.starts_with('[') || sep_end < 2 || !rest[sep_end..].starts_with(&tail) {
                return Err(self.err(
                    self.i,
                    format!(
                        "array parameter `<{name}[0]>` must be followed by `[,<{name}[1]>...]`"
                    ),
                ));
            }
            let sep = rest[1..sep_end].to_owned();
            self.i += sep_end + tail.len();
            return Ok(Plain::Join { name, sep });
        }
        Ok(Plain::Param(self.name(inner, at)?))
    }

    fn name(&self, name: &str, at: usize) -> Result<String, SyntaxError> {
        let ok = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if ok {
            Ok(name.to_owned())
        } else {
            let full = &self.s[at..self.i];
            Err(self.err(
                at,
                format!(
                    "unsupported parameter form `{full}`: expected `<name>`, `<str(name)>`, \
                     `<json(name)>` or `<name[0]>[,<name[1]>...]`"
                ),
            ))
        }
    }
}

fn wrapped<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.strip_prefix(prefix)?.strip_suffix(')')
}

/// Turns `word|word|word` runs (pipes between literal words) into [`Plain::Alts`].
fn group_alternatives(tokens: Vec<Tok>) -> Vec<Plain> {
    let mut out: Vec<Plain> = Vec::new();
    let mut it = tokens.into_iter().peekable();
    while let Some(tok) = it.next() {
        match tok {
            Tok::Plain(p) => out.push(p),
            Tok::Pipe => {
                // First word: the tail of the preceding literal.
                let first = match out.last_mut() {
                    Some(Plain::Lit(text)) => {
                        let cut = text.rfind([' ', '=']).map_or(0, |i| i + 1);
                        let word = text.split_off(cut);
                        if text.is_empty() {
                            out.pop();
                        }
                        word
                    }
                    _ => String::new(),
                };
                let mut words = vec![first];
                let mut rest = None;
                loop {
                    match it.peek() {
                        Some(Tok::Plain(Plain::Lit(text))) => {
                            let cut = text.find(' ').unwrap_or(text.len());
                            words.push(text[..cut].to_owned());
                            let remainder = text[cut..].to_owned();
                            it.next();
                            if !remainder.is_empty() {
                                rest = Some(remainder);
                                break;
                            }
                        }
                        _ => words.push(String::new()),
                    }
                    if matches!(it.peek(), Some(Tok::Pipe)) {
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push(Plain::Alts(words));
                if let Some(r) = rest {
                    out.push(Plain::Lit(r));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Plain {
        Plain::Lit(s.into())
    }
    fn alts(w: &[&str]) -> Plain {
        Plain::Alts(w.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            parse("/_send <str(sendRef)>[ live=on][ ttl=<ttl>] json <json(composedMessages)>"),
            Ok(vec![
                lit("/_send "),
                Plain::Str("sendRef".into()),
                Plain::Opt(vec![lit(" live=on")]),
                Plain::Opt(vec![lit(" ttl="), Plain::Param("ttl".into())]),
                lit(" json "),
                Plain::Json("composedMessages".into()),
            ])
        );
        assert_eq!(
            parse("/_delete item <str(chatRef)> <chatItemIds[0]>[,<chatItemIds[1]>...] broadcast|internal|internalMark|history"),
            Ok(vec![
                lit("/_delete item "),
                Plain::Str("chatRef".into()),
                lit(" "),
                Plain::Join { name: "chatItemIds".into(), sep: ",".into() },
                lit(" "),
                alts(&["broadcast", "internal", "internalMark", "history"]),
            ])
        );
        assert_eq!(
            parse("/_block #<groupId> x blocked=on|off"),
            Ok(vec![
                lit("/_block #"),
                Plain::Param("groupId".into()),
                lit(" x blocked="),
                alts(&["on", "off"])
            ])
        );
        assert_eq!(parse("@|#|*|"), Ok(vec![alts(&["@", "#", "*", ""])]));
        assert_eq!(
            parse("full|entity|messages[ notify=off]"),
            Ok(vec![
                alts(&["full", "entity", "messages"]),
                Plain::Opt(vec![lit(" notify=off")])
            ])
        );
        assert_eq!(
            parse("/_profile_address <userId> on|off <x>"),
            Ok(vec![
                lit("/_profile_address "),
                Plain::Param("userId".into()),
                lit(" "),
                alts(&["on", "off"]),
                lit(" "),
                Plain::Param("x".into())
            ])
        );
    }

    #[test]
    fn malformed_lines_give_located_errors() {
        let e = parse("/_send <sendRef").unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("unclosed `<`"));
        let e = parse("/x[ live=on").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("unclosed `[`"));
        assert!(parse("/x ]").unwrap_err().message.contains("unmatched `]`"));
        let e = parse("/_send @<sendRef.contactId>").unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("`<sendRef.contactId>`"), "{}", e.message);
        assert!(parse("/x <ids[0]> y")
            .unwrap_err()
            .message
            .contains("[,<ids[1]>...]"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let line = format!("/x {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = parse(&line).unwrap_err();
        assert_eq!(e.offset, 3 + MAX_DEPTH);
        assert!(e.message.contains("nested more than"), "{}", e.message);
    }
}
