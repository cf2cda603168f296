//! Malformed docs, built by editing copies of the real `docs/` text in memory: each gives a located
//! error naming the construct (or a correct parse), never a panic.

use codegen::ir::{Api, DocFile, Loc};
use codegen::{Diagnostic, Diagnostics, DocSet};

fn doc(file: DocFile) -> String {
    let path = crate::repo().join("docs").join(file.file_name());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The real docs, with `file` replaced by `text`.
fn with(file: DocFile, text: &str) -> DocSet {
    let get = |f: DocFile| if f == file { text.to_owned() } else { doc(f) };
    DocSet::from_texts(
        Some(&get(DocFile::Commands)),
        Some(&get(DocFile::Events)),
        Some(&get(DocFile::Types)),
    )
}

/// The API of the real docs, unedited: what the edited copies are compared with (so that no
/// test here depends on which upstream version `docs/` holds).
fn baseline() -> Api {
    load(&DocSet::from_texts(
        Some(&doc(DocFile::Commands)),
        Some(&doc(DocFile::Events)),
        Some(&doc(DocFile::Types)),
    ))
    .0
}

/// `text` with the first occurrence of `from` replaced by `to` (which must exist).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` is not in the text");
    text.replacen(from, to, 1)
}

/// The 1-based line and column of byte `offset` of `text`.
fn loc_of(file: DocFile, text: &str, offset: usize) -> Loc {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Loc::new(file, line as u32, col as u32)
}

/// The byte offset of `needle` (the first occurrence after `after`) in `text`.
fn offset_after(text: &str, after: &str, needle: &str) -> usize {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("`{after}` not found"));
    text[start..]
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found after `{after}`"))
        + start
}

/// Where `needle` (the first occurrence after `after`) is in `text`.
fn loc_after(file: DocFile, text: &str, after: &str, needle: &str) -> Loc {
    loc_of(file, text, offset_after(text, after, needle))
}

/// The single error whose message contains every one of `words`.
fn error_with<'a>(diags: &'a Diagnostics, words: &[&str]) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags
        .errors()
        .filter(|d| words.iter().all(|w| d.message.contains(w)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one error mentioning {words:?}; all diagnostics:\n{diags}"
    );
    found[0]
}

/// Every diagnostic is inside the text it is about.
fn assert_located(set: &DocSet, diags: &Diagnostics) {
    for d in diags.iter() {
        let src = set
            .get(d.loc.file)
            .unwrap_or_else(|| panic!("diagnostic about a missing file: {d}"));
        let lines = src.text.lines().count().max(1) as u32;
        assert!(
            d.loc.line >= 1 && d.loc.line <= lines + 1 && d.loc.col >= 1,
            "{d}: outside the {lines} lines"
        );
        assert!(!d.message.trim().is_empty(), "{d}");
    }
}

fn load(set: &DocSet) -> (Api, Diagnostics) {
    let (api, diags) = codegen::load(set);
    assert_located(set, &diags);
    (api, diags)
}

// ------------------------------------------------------------------------------- truncation

/// Byte offsets to cut `text` at: the ends, mid-line points spread over the file, the start of
/// every tenth heading, and the middle of every multi-byte character.
fn cut_points(text: &str) -> Vec<usize> {
    let len = text.len();
    let mut cuts = vec![0, 1, 2, len / 2, len.saturating_sub(1), len];
    cuts.extend((1..24).map(|k| k * len / 24));
    let headings: Vec<usize> = text.match_indices("\n#").map(|(i, _)| i + 1).collect();
    cuts.extend(headings.iter().step_by(10).flat_map(|&h| [h, h + 1, h + 4]));
    for (i, c) in text.char_indices() {
        if c.len_utf8() > 1 {
            cuts.extend(i + 1..i + c.len_utf8());
        }
    }
    cuts.retain(|&c| c <= len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

fn names<T>(items: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| name(i).to_owned()).collect()
}

/// Items of the truncated parse, but the last (maybe cut in its name), are the first items of the
/// full parse.
fn assert_prefix(what: &str, cut: usize, got: &[String], full: &[String]) {
    let keep = got.len().saturating_sub(1);
    assert!(
        got.len() <= full.len(),
        "{what} at {cut}: more items than the full doc"
    );
    assert_eq!(got[..keep], full[..keep], "{what} truncated at byte {cut}");
}

#[test]
fn truncated_files_give_located_errors_or_a_prefix_of_the_items() {
    let (full, _) = codegen::load(&DocSet::from_texts(
        Some(&doc(DocFile::Commands)),
        Some(&doc(DocFile::Events)),
        Some(&doc(DocFile::Types)),
    ));
    let mut mid_char = 0;
    let mut runs = 0;
    for file in DocFile::API {
        let text = doc(file);
        for cut in cut_points(&text) {
            if !text.is_char_boundary(cut) {
                mid_char += 1;
            }
            let truncated = String::from_utf8_lossy(&text.as_bytes()[..cut]).into_owned();
            let set = with(file, &truncated);
            let (api, _) = load(&set);
            runs += 1;
            match file {
                DocFile::Commands => assert_prefix(
                    "commands",
                    cut,
                    &names(&api.commands, |c| &c.name),
                    &names(&full.commands, |c| &c.name),
                ),
                DocFile::Events => assert_prefix(
                    "events",
                    cut,
                    &names(&api.events, |e| &e.name),
                    &names(&full.events, |e| &e.name),
                ),
                _ => assert_prefix(
                    "types",
                    cut,
                    &names(&api.types, |t| &t.name),
                    &names(&full.types, |t| &t.name),
                ),
            }
        }
    }
    assert!(mid_char >= 2, "no cut in the middle of a character");
    assert!(runs > 100, "{runs}");
}

#[test]
fn a_file_cut_after_a_section_header_reports_the_missing_list() {
    let text = doc(DocFile::Types);
    let head = "## ChatType\n\n**Enum type**:\n";
    let end = text.find(head).expect("ChatType") + head.len();
    let set = with(DocFile::Types, &text[..end]);
    let (api, diags) = load(&set);
    let e = error_with(&diags, &["`**Enum type**:`", "not followed by a list"]);
    assert_eq!(e.loc.file, DocFile::Types);
    // At the header itself, not at whatever follows it.
    assert_eq!(
        e.loc,
        loc_after(DocFile::Types, &text, head, "**Enum type**")
    );
    // Without its kind the section is kept as an opaque type, with a warning at its heading.
    let w = warning_with(&diags, &["type `ChatType` has no"]);
    assert_eq!(w.loc, loc_after(DocFile::Types, &text, head, "ChatType"));
    assert_eq!(api.types.last().map(|t| t.name.as_str()), Some("ChatType"));
}

#[test]
fn a_cut_in_a_multi_byte_character_is_read_lossily_and_parsed() {
    let text = doc(DocFile::Commands);
    let (at, c) = text
        .char_indices()
        .find(|(_, c)| c.len_utf8() > 1)
        .expect("a non-ASCII character in COMMANDS.md");
    let bytes = &text.as_bytes()[..at + 1];
    assert!(std::str::from_utf8(bytes).is_err(), "{c:?}");
    let truncated = String::from_utf8_lossy(bytes);
    assert!(truncated.ends_with('\u{fffd}'));
    let (api, _) = load(&with(DocFile::Commands, &truncated));
    assert!(!api.commands.is_empty());
}

// ------------------------------------------------------------------------------- field lines

#[test]
fn a_field_line_without_a_type() {
    let text = doc(DocFile::Commands);
    let anchor = "### APICreateMyAddress";
    let section = &text[text.find(anchor).expect("APICreateMyAddress")..];
    let line = "- userId: int64\n";
    let bad = format!(
        "{}{}",
        &text[..text.len() - section.len()],
        edit(section, line, "- userId\n")
    );
    let (api, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(
        &diags,
        &[
            "field line `userId`",
            "command `APICreateMyAddress`",
            "has no type",
        ],
    );
    assert_eq!(e.loc, loc_after(DocFile::Commands, &bad, anchor, "userId"));
    let cmd = api
        .commands
        .iter()
        .find(|c| c.name == "APICreateMyAddress")
        .expect("the command is still parsed");
    assert!(cmd.params.iter().all(|p| p.name != "userId"));
}

#[test]
fn a_map_without_a_colon() {
    let text = doc(DocFile::Types);
    let line = "- mentions: {string : int64}";
    let bad = edit(&text, line, "- mentions: {string int64}");
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(&diags, &["field `mentions`", "expected `:`", "map"]);
    assert_eq!(
        e.loc,
        loc_after(DocFile::Types, &bad, "- mentions: {string int64}", "int64")
    );
}

#[test]
fn nested_optionals() {
    let text = doc(DocFile::Commands);
    let bad = edit(&text, "- ttl: int?\n", "- ttl: int??\n");
    let (_, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["field `ttl`", "nested optional"]);
    assert!(e.message.contains("APISendMessages"), "{e}");
    let at = loc_after(DocFile::Commands, &bad, "- ttl: int??", "?");
    assert_eq!(e.loc, at.shifted(1), "at the second `?`");

    // `int64??` in a record of TYPES.md.
    let text = doc(DocFile::Types);
    let head = "## ChatItemDeletion\n";
    let section = &text[text.find(head).expect("ChatItemDeletion")..];
    let line = section
        .lines()
        .find(|l| l.starts_with("- ") && l.contains(": "))
        .expect("a field of ChatItemDeletion");
    let field = &line[2..line.find(':').unwrap_or(2)];
    let bad_line = format!("- {field}: int64??");
    let bad = edit(&text, line, &bad_line);
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(
        &diags,
        &[&format!("field `{field}`"), "nested optional `int64??`"],
    );
    assert!(e.message.contains("`ChatItemDeletion`"), "{e}");
    let at = loc_after(DocFile::Types, &bad, &bad_line, "??");
    assert_eq!(e.loc, at.shifted(1), "at the second `?`");
}

#[test]
fn an_unknown_primitive() {
    let text = doc(DocFile::Events);
    let first_bool = text.find(": bool\n").expect("a bool field");
    let line_start = text[..first_bool].rfind('\n').map_or(0, |i| i + 1);
    let field = text[line_start..first_bool]
        .trim_start_matches("- ")
        .to_owned();
    let bad = format!(
        "{}: int65\n{}",
        &text[..first_bool],
        &text[first_bool + ": bool\n".len()..]
    );
    let (_, diags) = load(&with(DocFile::Events, &bad));
    let e = error_with(&diags, &["unknown type `int65`", &format!("`{field}`")]);
    assert_eq!(e.loc, loc_of(DocFile::Events, &bad, first_bool + 2));
}

// ------------------------------------------------------------------------------- sections

/// An item section of one of the files, for the tests that edit one of each.
struct ItemSection {
    file: DocFile,
    /// Its heading line.
    heading: &'static str,
    /// A section header it has: for an event or a type, the one that says what it is.
    header: &'static str,
    /// How messages name it.
    owner: &'static str,
    /// What its heading must name, as the error about a heading that is not a name says it.
    kind: &'static str,
}

const ITEM_SECTIONS: [ItemSection; 3] = [
    ItemSection {
        file: DocFile::Commands,
        heading: "### APICreateMyAddress\n",
        header: "**Parameters**:",
        owner: "command `APICreateMyAddress`",
        kind: "a command",
    },
    ItemSection {
        file: DocFile::Events,
        heading: "### ContactConnected\n",
        header: "**Record type**:",
        owner: "event `ContactConnected`",
        kind: "an event",
    },
    ItemSection {
        file: DocFile::Types,
        heading: "## ChatType\n",
        header: "**Enum type**:",
        owner: "type `ChatType`",
        kind: "a type",
    },
];

impl ItemSection {
    /// The byte offset of its header in `text`.
    fn header_at(&self, text: &str) -> usize {
        offset_after(text, self.heading, self.header)
    }

    /// `text` with the name in its heading replaced by `name`, and the new heading.
    fn renamed(&self, text: &str, name: &str) -> (String, String) {
        let hashes = &self.heading[..self.heading.find(' ').expect("a space") + 1];
        let heading = format!("{hashes}{name}\n");
        (edit(text, self.heading, &heading), heading)
    }
}

#[test]
fn an_unknown_bold_header() {
    let text = doc(DocFile::Commands);
    let anchor = "### APISendMessages";
    let params = text.find(anchor).expect("APISendMessages")
        + text[text.find(anchor).unwrap_or(0)..]
            .find("**Parameters**:")
            .expect("parameters");
    let bad = format!(
        "{}**Examples**:\n\n- `/_send @1 json [...]`\n\n{}",
        &text[..params],
        &text[params..]
    );
    let (api, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["unknown section header `**Examples**:`"]);
    assert!(e.message.contains("command `APISendMessages`"), "{e}");
    assert_eq!(e.loc, loc_of(DocFile::Commands, &bad, params));
    // The rest of the command is still read.
    let cmd = api
        .commands
        .iter()
        .find(|c| c.name == "APISendMessages")
        .expect("parsed");
    let real = baseline();
    let real_cmd = real
        .commands
        .iter()
        .find(|c| c.name == "APISendMessages")
        .expect("in the real docs");
    let shape = |ps: &[codegen::ir::Field]| -> Vec<(String, String)> {
        ps.iter()
            .map(|p| (p.name.clone(), p.ty.to_string()))
            .collect()
    };
    assert_eq!(shape(&cmd.params), shape(&real_cmd.params));
    assert!(cmd.syntax.is_some());
}

#[test]
fn an_unknown_header_is_one_error_and_its_list_is_skipped() {
    for item in &ITEM_SECTIONS {
        let text = doc(item.file);
        let at = item.header_at(&text);
        let bad = format!(
            "{}**Examples**:\n\n- `{{\"type\": \"x\"}}`\n\n{}",
            &text[..at],
            &text[at..]
        );
        let (_, diags) = load(&with(item.file, &bad));
        let e = error_with(&diags, &["unknown section header `**Examples**:`"]);
        assert!(e.message.contains(item.owner), "{e}");
        let expected = &e.message[e.message.find("; expected ").expect("what is expected")..];
        assert!(expected.contains(&format!("`{}`", item.header)), "{e}");
        assert_eq!(e.loc, loc_of(item.file, &bad, at));
        // Its list is its own, not one more list out of place.
        let about = diags.iter().filter(|d| d.message.contains(item.owner));
        assert_eq!(about.count(), 1, "{diags}");
    }
}

#[test]
fn text_after_a_section_header() {
    for item in &ITEM_SECTIONS {
        let text = doc(item.file);
        let at = item.header_at(&text) + item.header.len();
        let bad = format!("{} see below{}", &text[..at], &text[at..]);
        let (_, diags) = load(&with(item.file, &bad));
        let e = error_with(
            &diags,
            &[&format!(
                "unexpected text `see below` after `{}` in {}",
                item.header, item.owner
            )],
        );
        assert_eq!(e.loc, loc_of(item.file, &bad, item.header_at(&bad)));
    }
}

#[test]
fn a_stray_paragraph_after_the_closing_rule() {
    let text = doc(DocFile::Commands);
    let anchor = "### APISendMessages";
    let start = text.find(anchor).expect("APISendMessages");
    let rule = start + text[start..].find("\n---\n").expect("closing rule") + 5;
    let bad = format!("{}\nA stray remark.\n{}", &text[..rule], &text[rule..]);
    let (api, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["stray paragraph `A stray remark.`"]);
    assert!(e.message.contains("command `APISendMessages`"), "{e}");
    assert!(e.message.contains("expected a heading"), "{e}");
    assert_eq!(
        e.loc,
        loc_after(DocFile::Commands, &bad, anchor, "A stray remark.")
    );
    assert_eq!(
        api.commands.len(),
        baseline().commands.len(),
        "the stray paragraph does not hide any command"
    );
}

#[test]
fn a_stray_paragraph_after_a_section_that_is_not_a_name() {
    for item in &ITEM_SECTIONS {
        let (renamed, heading) = item.renamed(&doc(item.file), "Not A-Name");
        let rule = offset_after(&renamed, &heading, "\n---\n") + 5;
        let bad = format!(
            "{}\nA stray remark.\n{}",
            &renamed[..rule],
            &renamed[rule..]
        );
        let (_, diags) = load(&with(item.file, &bad));
        error_with(&diags, &["`Not A-Name` is not"]);
        let e = error_with(&diags, &["stray paragraph `A stray remark.`"]);
        assert!(e.message.contains("`Not A-Name`"), "{e}");
        assert_eq!(
            e.loc,
            loc_after(item.file, &bad, &heading, "A stray remark."),
            "{e}"
        );
    }
}

// ------------------------------------------------------------------------------- syntax lines

#[test]
fn an_unclosed_angle_bracket_in_a_syntax_line() {
    let text = doc(DocFile::Commands);
    let plain = "/_address <userId>[ pq_ratchet=on|off]\n";
    let bad = edit(&text, plain, "/_address <userId\n");
    let (_, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["unclosed `<`"]);
    assert!(e.message.contains("command `APICreateMyAddress`"), "{e}");
    assert_eq!(
        e.loc,
        loc_after(DocFile::Commands, &bad, "/_address <userId\n", "<")
    );
}

#[test]
fn an_unclosed_square_bracket_in_a_syntax_line() {
    let text = doc(DocFile::Commands);
    let plain = "/_address <userId>[ pq_ratchet=on|off]\n";
    let bad = edit(&text, plain, "/_address <userId>[ pq_ratchet=on|off\n");
    let (_, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["unclosed `[`"]);
    assert!(e.message.contains("command `APICreateMyAddress`"), "{e}");
    assert_eq!(
        e.loc,
        loc_after(DocFile::Commands, &bad, "/_address <userId>[ pq", "[")
    );
}

#[test]
fn an_unclosed_square_bracket_in_a_type_syntax_line() {
    let text = doc(DocFile::Types);
    let bad = edit(
        &text,
        "full|entity|messages[ notify=off]\n",
        "full|entity|messages[ notify=off\n",
    );
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(&diags, &["unclosed `[`", "type `ChatDeleteMode`"]);
    assert_eq!(
        e.loc,
        loc_after(DocFile::Types, &bad, "full|entity|messages[", "[")
    );
}

#[test]
fn the_real_docs_have_no_errors() {
    // The baseline every test above edits.
    let set = DocSet::from_texts(
        Some(&doc(DocFile::Commands)),
        Some(&doc(DocFile::Events)),
        Some(&doc(DocFile::Types)),
    );
    let (api, diags) = load(&set);
    assert!(!diags.has_errors(), "{diags}");
    // Every `### ` heading of COMMANDS.md is a command.
    let headings = doc(DocFile::Commands)
        .lines()
        .filter(|l| l.starts_with("### "))
        .count();
    assert!(headings > 0);
    assert_eq!(api.commands.len(), headings);
}

#[test]
fn a_section_header_followed_by_another_section_is_located_at_the_header() {
    let text = doc(DocFile::Types);
    let head = "## ChatType\n\n**Enum type**:\n";
    // Its values, whichever the docs list.
    let start = text.find(head).expect("ChatType's header") + head.len();
    let values: String = text[start..]
        .split_inclusive('\n')
        .take_while(|l| l.starts_with("- "))
        .collect();
    assert!(!values.is_empty(), "ChatType lists its values");
    let bad = edit(&text, &format!("{head}{values}"), head);
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(&diags, &["`**Enum type**:`", "not followed by a list"]);
    assert_eq!(
        e.loc,
        loc_after(DocFile::Types, &bad, head, "**Enum type**")
    );
}

// ------------------------------------------------------------------------------- duplicates

#[test]
fn a_second_kind_section_is_an_error_and_the_first_is_kept() {
    let real = baseline();
    for item in &ITEM_SECTIONS[1..] {
        let text = doc(item.file);
        let list = item.header_at(&text);
        let end = list + text[list..].find("\n\n").expect("the end of its list") + 2;
        let second = match item.file {
            DocFile::Events => "- type: \"other\"\n- other: int\n",
            _ => "- \"other\"\n",
        };
        // What the first says: the second goes after it, so even its locations stay the same.
        let kept = |api: &Api| match item.file {
            DocFile::Events => format!(
                "{:?}",
                api.events
                    .iter()
                    .find(|e| e.name == "ContactConnected")
                    .map(|e| (&e.tag, &e.fields))
            ),
            _ => format!(
                "{:?}",
                api.types
                    .iter()
                    .find(|t| t.name == "ChatType")
                    .map(|t| &t.kind)
            ),
        };
        let bad = format!(
            "{}{}\n{second}\n{}",
            &text[..end],
            item.header,
            &text[end..]
        );
        let (api, diags) = load(&with(item.file, &bad));
        let e = error_with(&diags, &[item.owner, "has a second kind section"]);
        assert!(e.message.contains(&format!("`{}`", item.header)), "{e}");
        assert_eq!(e.loc, loc_of(item.file, &bad, end));
        assert_eq!(kept(&api), kept(&real), "the first one is kept");
    }
}

fn warning_with<'a>(diags: &'a Diagnostics, words: &[&str]) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags
        .warnings()
        .filter(|d| words.iter().all(|w| d.message.contains(w)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one warning mentioning {words:?}; all diagnostics:\n{diags}"
    );
    found[0]
}

#[test]
fn a_duplicated_field_line_is_a_located_warning() {
    let text = doc(DocFile::Types);
    let head = "## ChatWallpaper\n\n**Record type**:\n- preset: string?\n";
    let bad = edit(&text, head, &format!("{head}- preset: string?\n"));
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let first = loc_after(DocFile::Types, &bad, head, "preset");
    let second = Loc::new(DocFile::Types, first.line + 1, first.col);
    let w = warning_with(&diags, &["duplicate field of `ChatWallpaper` `preset`"]);
    assert_eq!(w.loc, second);
    assert!(w.message.contains(&format!("first at {first}")), "{w}");
}

#[test]
fn a_duplicated_type_section_is_a_located_warning() {
    // Hundreds of types: the long-list path of the duplicate check.
    let text = doc(DocFile::Types);
    let start = text.find("## ChatType\n").expect("ChatType");
    let end = start + text[start..].find("\n---\n").expect("rule") + "\n---\n".len();
    let section = &text[start..end];
    let bad = format!("{text}\n{section}");
    let (api, diags) = load(&with(DocFile::Types, &bad));
    assert_eq!(api.types.len(), baseline().types.len() + 1);
    let w = warning_with(&diags, &["duplicate type `ChatType`"]);
    let first = loc_of(DocFile::Types, &bad, start);
    let second = loc_of(DocFile::Types, &bad, text.len() + 1);
    assert_eq!(w.loc, second);
    assert!(w.message.contains(&format!("first at {first}")), "{w}");
}

#[test]
fn a_duplicated_enum_value_is_a_located_warning() {
    let text = doc(DocFile::Types);
    let head = "## ChatType\n\n**Enum type**:\n- \"direct\"\n";
    let bad = edit(&text, head, &format!("{head}- \"group\"\n"));
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let w = warning_with(&diags, &["duplicate value of enum `ChatType` `group`"]);
    // The inserted line comes first; the real value, one line down, is the duplicate.
    let inserted = loc_after(DocFile::Types, &bad, head, "\"group\"");
    let real = Loc::new(DocFile::Types, inserted.line + 1, inserted.col);
    assert_eq!(w.loc, real);
    assert!(w.message.contains(&format!("first at {inserted}")), "{w}");
}

// ------------------------------------------------------------------------------- deep nesting

/// 100 000 levels would overflow any stack if a parser recursed once per level.
const DEEP: usize = 100_000;

#[test]
fn deeply_nested_types_are_a_located_error() {
    let text = doc(DocFile::Types);
    let deep = format!("- preset: {}string{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let bad = edit(&text, "- preset: string?", &deep);
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(&diags, &["field `preset`", "nested more than"]);
    let at = loc_after(DocFile::Types, &bad, "- preset: [", "[");
    assert_eq!(e.loc, at.shifted(codegen::typeexpr::MAX_DEPTH));
}

#[test]
fn deeply_nested_lists_are_a_located_error() {
    let text = doc(DocFile::Types);
    let deep = format!("- {}x", "- ".repeat(DEEP));
    let bad = edit(&text, "- preset: string?", &deep);
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(
        &diags,
        &["unexpected nested block", "record `ChatWallpaper`"],
    );
    assert_eq!(
        e.loc,
        loc_after(DocFile::Types, &bad, "## ChatWallpaper", "- - ")
    );
}

#[test]
fn deeply_nested_syntax_lines_are_a_located_error() {
    let text = doc(DocFile::Commands);
    let plain = "/_address <userId>[ pq_ratchet=on|off]\n";
    let deep_plain = format!("/_address {}{}\n", "[".repeat(DEEP), "]".repeat(DEEP));
    let js = "'/_address ' + userId + (typeof pqRatchet";
    let deep_js = format!(
        "'/_address ' + {}userId{} + (typeof pqRatchet",
        "(".repeat(DEEP),
        ")".repeat(DEEP)
    );
    let bad = edit(&edit(&text, plain, &deep_plain), js, &deep_js);
    let (_, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(&diags, &["optional parts `[...]` nested more than"]);
    assert!(e.message.contains("command `APICreateMyAddress`"), "{e}");
    let at = loc_after(DocFile::Commands, &bad, "/_address [", "[");
    assert_eq!(e.loc, at.shifted(codegen::syntax::plain::MAX_DEPTH));
    let e = error_with(&diags, &["JavaScript", "expression nested more than"]);
    assert!(e.message.contains("command `APICreateMyAddress`"), "{e}");
    assert_eq!(
        e.loc.line,
        loc_after(DocFile::Commands, &bad, "'/_address ' + (", "(").line
    );
}

#[test]
fn acknowledged_warnings_are_silent_and_stale_acknowledgements_are_reported() {
    let types = format!(
        "{}\n---\n\n## ZzUnused\n\n**Enum type**:\n- \"a\"\n",
        doc(DocFile::Types)
    );
    let mut set = with(DocFile::Types, &types);
    let unused = "type `ZzUnused` is defined but never used";
    let (_, diags) = codegen::load(&set);
    assert!(diags.warnings().any(|d| d.message == unused), "{diags}");
    set.overrides = Some(format!(
        "[[acknowledged]]\nwarning = \"{}\"\nreason = \"known\"\n\n\
         [[acknowledged]]\nwarning = \"a warning that never happens\"\nreason = \"stale\"\n",
        unused
    ));
    let (_, diags) = codegen::load(&set);
    assert!(!diags.warnings().any(|d| d.message == unused), "{diags}");
    let stale: Vec<_> = diags
        .warnings()
        .filter(|d| d.message.contains("no longer happens"))
        .collect();
    assert_eq!(stale.len(), 1, "{diags}");
    assert!(stale[0].message.contains("a warning that never happens"));
    // ...at the header of the stale entry (the second, on line 5).
    assert_eq!(stale[0].loc.file, DocFile::Overrides);
    assert_eq!((stale[0].loc.line, stale[0].loc.col), (5, 1));
    // An acknowledgement needs a reason.
    set.overrides = Some(format!(
        "[[acknowledged]]\nwarning = \"{unused}\"\nreason = \" \"\n"
    ));
    let (_, diags) = codegen::load(&set);
    assert!(
        diags
            .errors()
            .any(|d| d.message.contains("gives no reason")),
        "{diags}"
    );
}

// ------------------------------------------------------------------------------- missing parts

#[test]
fn a_record_type_header_without_its_list() {
    let item = &ITEM_SECTIONS[1];
    let text = doc(item.file);
    let list = item.header_at(&text) + item.header.len() + 1;
    let end = list + text[list..].find("\n\n").expect("the end of the list") + 1;
    let bad = format!("{}{}", &text[..list], &text[end..]);
    let (api, diags) = load(&with(item.file, &bad));
    let e = error_with(&diags, &["`**Record type**:`", "not followed by a list"]);
    // At the header, not at the rule that follows it.
    assert_eq!(e.loc, loc_of(item.file, &bad, item.header_at(&bad)));
    assert!(api.events.iter().all(|ev| ev.name != "ContactConnected"));
    // That is the one error about it: the header is there, so "has no section" would mislead.
    assert!(
        !diags
            .errors()
            .any(|d| d.message.contains("ContactConnected") && d.message.contains("has no")),
        "{diags}"
    );
    // A second header after a list-less one is a second kind, not silently taken instead (in
    // events as in types).
    for (item, list) in [
        (&ITEM_SECTIONS[1], "- type: \"contactConnected\"\n"),
        (&ITEM_SECTIONS[2], "- \"direct\"\n"),
    ] {
        let text = doc(item.file);
        let header = item.header_at(&text) + item.header.len() + 1;
        let end = header + text[header..].find("\n\n").expect("the end of the list") + 1;
        let bad = format!("{}{}", &text[..header], &text[end..]);
        let at = item.header_at(&bad);
        let at = at
            + bad[at..]
                .find("\n\n")
                .expect("a blank line after the header")
            + 2;
        let again = format!("{}{}\n{list}\n{}", &bad[..at], item.header, &bad[at..]);
        let (_, diags) = load(&with(item.file, &again));
        let second = error_with(&diags, &["second kind section"]);
        assert_eq!(second.loc, loc_of(item.file, &again, at), "{}", item.owner);
    }
}

#[test]
fn a_syntax_section_without_its_plain_line() {
    let text = doc(DocFile::Commands);
    let anchor = "### APICreateMyAddress";
    let plain = "```\n/_address <userId>[ pq_ratchet=on|off]\n```\n\n";
    let bad = edit(&text, plain, "");
    let (api, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(
        &diags,
        &["the syntax of command `APICreateMyAddress` has no plain code block"],
    );
    // At the header, as a missing list is, not at the last code block read.
    assert_eq!(
        e.loc,
        loc_after(DocFile::Commands, &bad, anchor, "**Syntax**")
    );
    let cmd = api
        .commands
        .iter()
        .find(|c| c.name == "APICreateMyAddress")
        .expect("the command is still parsed");
    assert!(cmd.syntax.is_none());
}

#[test]
fn a_union_member_without_its_tag_list() {
    let text = doc(DocFile::Types);
    let head = "## ChatDeleteMode\n\n**Discriminated union type**:\n\nFull:\n";
    let list = "- type: \"full\"\n- notify: bool\n";
    let bad = edit(&text, &format!("{head}{list}"), head);
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(
        &diags,
        &[
            "a member of union `ChatDeleteMode` `Full`",
            "is not followed by its `- type: \"tag\"` list",
        ],
    );
    assert_eq!(e.loc, loc_after(DocFile::Types, &bad, head, "Full:"));
}

#[test]
fn a_tag_that_json_would_escape() {
    let text = doc(DocFile::Types);
    let head = "## ChatDeleteMode\n\n**Discriminated union type**:\n\nFull:\n";
    let bad = edit(
        &text,
        &format!("{head}- type: \"full\"\n"),
        &format!("{head}- type: \"fu\\ll\"\n"),
    );
    let (_, diags) = load(&with(DocFile::Types, &bad));
    let e = error_with(
        &diags,
        &["the tag \"fu\\ll\" of", "holds a character JSON escapes"],
    );
    assert_eq!(e.loc, loc_after(DocFile::Types, &bad, head, "type:"));
}

// ------------------------------------------------------------------------------- invalid names

#[test]
fn a_heading_that_is_not_a_name() {
    for item in &ITEM_SECTIONS {
        let (bad, heading) = item.renamed(&doc(item.file), "Not A-Name");
        let (_, diags) = load(&with(item.file, &bad));
        let e = error_with(
            &diags,
            &[&format!("`Not A-Name` is not {} name", item.kind)],
        );
        assert_eq!(e.loc, loc_after(item.file, &bad, &heading, "Not A-Name"));
    }
}

#[test]
fn a_field_name_that_is_not_a_name() {
    let text = doc(DocFile::Commands);
    let anchor = "### APICreateMyAddress";
    let line = "- userId: int64\n";
    let at = offset_after(&text, anchor, line);
    let bad = format!(
        "{}- user Id: int64\n{}",
        &text[..at],
        &text[at + line.len()..]
    );
    let (_, diags) = load(&with(DocFile::Commands, &bad));
    let e = error_with(
        &diags,
        &[
            "`user Id` in the parameters of command `APICreateMyAddress`",
            "is not a field name",
        ],
    );
    assert_eq!(e.loc, loc_after(DocFile::Commands, &bad, anchor, "user Id"));
}

#[test]
fn a_union_member_that_is_not_a_name_is_skipped_with_its_list() {
    let text = doc(DocFile::Types);
    let head = "## ChatDeleteMode\n\n**Discriminated union type**:\n\n";
    let members = |api: &Api| match api.types.iter().find(|t| t.name == "ChatDeleteMode") {
        Some(codegen::ir::TypeDef {
            kind: codegen::ir::TypeKind::Union { members },
            ..
        }) => names(members, |m| &m.name),
        other => panic!("{other:?}"),
    };
    let mut rest = members(&baseline());
    assert_eq!(rest.first().map(String::as_str), Some("Full"));
    rest.remove(0);
    for (line, message) in [
        (
            "Full mode:",
            "`Full mode` is not a valid name for a member of union",
        ),
        ("Full", "`Full` is not a member of union"),
    ] {
        let bad = edit(&text, &format!("{head}Full:"), &format!("{head}{line}"));
        let (api, diags) = load(&with(DocFile::Types, &bad));
        let e = error_with(&diags, &[message, "`ChatDeleteMode`"]);
        assert_eq!(e.loc, loc_after(DocFile::Types, &bad, head, line));
        // Its list goes with it: the other members are read, and nothing else is reported.
        assert_eq!(members(&api), rest);
        let about = diags
            .errors()
            .filter(|d| d.message.contains("ChatDeleteMode"))
            .count();
        assert_eq!(about, 1, "{diags}");
    }
}
