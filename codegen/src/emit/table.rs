//! The text of the macro invocations that declare generated items, one line per field, value
//! or member, so that a generated module reads like a table of the API. (prettyplease does not
//! lay out macro bodies, so they are laid out here, by the same rules every time.)

use proc_macro2::Literal;

/// An indented block of lines.
#[derive(Debug, Default)]
pub struct Block {
    out: String,
    depth: usize,
}

impl Block {
    /// An empty block.
    pub fn new() -> Block {
        Block::default()
    }

    /// One line at the current depth.
    pub fn line(&mut self, text: &str) {
        if text.is_empty() {
            self.out.push('\n');
            return;
        }
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `///` lines.
    pub fn doc(&mut self, text: &str) {
        for l in text.lines() {
            let l = l.trim_end();
            if l.is_empty() {
                self.line("///");
            } else {
                self.line(&format!("/// {l}"));
            }
        }
    }

    /// `head {`, one level deeper.
    pub fn open(&mut self, head: &str) {
        self.line(&format!("{head} {{"));
        self.depth += 1;
    }

    /// `}` (followed by `tail`), one level up.
    pub fn close(&mut self, tail: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&format!("}}{tail}"));
    }

    /// Already formatted text, indented to the current depth.
    pub fn text(&mut self, text: &str) {
        for l in text.lines() {
            self.line(l);
        }
    }

    /// The text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A Rust string literal.
pub fn lit(s: &str) -> String {
    Literal::string(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_indent_and_document() {
        let mut b = Block::new();
        b.open("wire_enum!");
        b.doc("First.\n\nThird.");
        b.open("pub enum X");
        b.line(&format!("{} A,", lit("a\"b")));
        b.close("");
        b.close("");
        assert_eq!(
            b.finish(),
            "wire_enum! {\n    /// First.\n    ///\n    /// Third.\n    pub enum X {\n        \"a\\\"b\" A,\n    }\n}\n"
        );
    }
}
