//! The overrides file (`docs/overrides.toml`): corrections for known upstream doc slips, each with
//! a reason, so that a maintainer is never stuck waiting for an upstream fix.
//!
//! ```toml
//! [[type_alias]]
//! name = "GroupInfoSummary"   # a name the docs refer to but do not define
//! target = "GroupInfo"        # the defined type to use instead
//! reason = "TYPES.md b7a0bde1 dropped GroupInfoSummary; APIListGroups returns GroupInfo"
//!
//! [[hidden_part]]
//! command = "Connect"         # a command whose syntax line omits a part the core reads
//! before = "connTarget_"      # the core reads it just before this parameter's part
//! texts = [" incognito", " i"] # what the core reads there, in the order it tries them
//! shown = "[ incognito|i]"    # how errors show the part
//! reason = "the core reads `/connect i <link>` as an incognito connect"
//!
//! [[safe_form]]
//! command = "ReceiveFile"     # a parameter whose value can be written another way
//! param = "filePath"
//! advice = "a relative path keeps its meaning with `./` in front"
//! reason = "a file path: `./x` names the same file as `x`"
//! ```
//!
//! Hidden parts and safe forms are read by the checks of the command formatters: a value the
//! core would read as a hidden part is refused, and the refusal gives the advice.
//!
//! ```toml
//! [[wire_shape]]
//! type = "GroupInfo"          # a record that older cores sent in another shape
//! field = "groupSummary"      # the field that shape moves
//! shape = "pair"              # `[object without the field, the field's value]`
//! reason = "v6.3 cores list groups as [[GroupInfo, GroupSummary], ...]"
//! ```
//!
//! A wire shape is accepted by the generated decoder besides the documented object, and a value
//! that arrived in it is encoded back in it.
//!
//! ```toml
//! [[acknowledged]]            # a warning about the docs that is known and accepted
//! warning = "type `RemoteCtrlStopReason` is defined but never used"
//! reason = "upstream documents it for remote control, which bots do not use"
//! ```

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostics;
use crate::ir::{
    Api, DocFile, Expr, HiddenPart, Loc, SafeForm, TypeKind, WireShape, WireShapeKind,
};

/// All overrides, as read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// References to a type name that are resolved to another type.
    #[serde(default, rename = "type_alias")]
    pub type_aliases: Vec<TypeAlias>,
    /// Parts of commands the core reads although the syntax line omits them.
    #[serde(default, rename = "hidden_part")]
    pub hidden_parts: Vec<HiddenPartEntry>,
    /// Safe ways to write values the core would misread.
    #[serde(default, rename = "safe_form")]
    pub safe_forms: Vec<SafeFormEntry>,
    /// Other shapes records arrive in from older cores.
    #[serde(default, rename = "wire_shape")]
    pub wire_shapes: Vec<WireShapeEntry>,
    /// Warnings about the docs that a maintainer has looked at and accepts.
    #[serde(default)]
    pub acknowledged: Vec<Acknowledged>,
    /// What fields mean, for their rustdoc (upstream's docs describe no field).
    #[serde(default, rename = "field_doc")]
    pub field_docs: Vec<FieldDocEntry>,
}

/// The meaning of field `field` of `item`, shown in the generated field's rustdoc.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDocEntry {
    /// A command, an event, or a type of TYPES.md (upstream name).
    pub item: String,
    /// For a union of TYPES.md: the tag of the member whose field it is.
    #[serde(default)]
    pub member: Option<String>,
    /// The field or parameter (wire name).
    pub field: String,
    /// What it means (Markdown).
    pub doc: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

/// Record `ty` may also arrive in `shape`, which moves its field `field`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WireShapeEntry {
    /// The record (upstream name).
    #[serde(rename = "type")]
    pub ty: String,
    /// The field (wire name).
    pub field: String,
    /// The shape.
    pub shape: WireShapeKind,
    /// Why this override exists (required).
    pub reason: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

/// A warning about the docs that is known and accepted: it is not reported any more. One that
/// no longer happens is reported, so that stale entries go.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledged {
    /// The warning's message, as printed after the location.
    pub warning: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

/// The core reads `texts` in `command` just before the part holding `before`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HiddenPartEntry {
    /// The command (upstream name).
    pub command: String,
    /// The parameter whose part the hidden part precedes.
    pub before: String,
    /// What the core reads there, each with its leading space, in the order it tries them.
    pub texts: Vec<String>,
    /// How errors show the part, in the plain line's notation.
    pub shown: String,
    /// Why this override exists (required).
    pub reason: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

/// A value of `param` of `command` whose start the core would misread can be written as
/// `advice` says, without changing its meaning.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SafeFormEntry {
    /// The command (upstream name).
    pub command: String,
    /// The parameter (or a field of a type with a syntax that the command renders).
    pub param: String,
    /// The advice the error gives.
    pub advice: String,
    /// Why this override exists (required).
    pub reason: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

/// Resolve references to `name` as references to `target`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TypeAlias {
    /// The name used in the docs.
    pub name: String,
    /// The type defined in `TYPES.md` to use instead.
    pub target: String,
    /// Why this override exists (required).
    pub reason: String,
    /// The line of its `[[...]]` header (set after parsing).
    #[serde(skip)]
    pub line: u32,
}

impl Overrides {
    /// Parses the TOML text of an overrides file; errors become diagnostics located in it.
    pub fn parse(text: &str, diags: &mut Diagnostics) -> Overrides {
        match toml::from_str::<Overrides>(text) {
            Ok(mut o) => {
                locate(text, "type_alias", &mut o.type_aliases, |e| &mut e.line);
                locate(text, "hidden_part", &mut o.hidden_parts, |e| &mut e.line);
                locate(text, "safe_form", &mut o.safe_forms, |e| &mut e.line);
                locate(text, "wire_shape", &mut o.wire_shapes, |e| &mut e.line);
                locate(text, "acknowledged", &mut o.acknowledged, |e| &mut e.line);
                locate(text, "field_doc", &mut o.field_docs, |e| &mut e.line);
                o.check(diags);
                o
            }
            Err(e) => {
                let (line, col) = e
                    .span()
                    .map(|s| {
                        let before = &text[..s.start.min(text.len())];
                        let line = before.matches('\n').count() + 1;
                        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                        (line, col)
                    })
                    .unwrap_or((1, 1));
                diags.error(
                    Loc::new(
                        DocFile::Overrides,
                        u32::try_from(line).unwrap_or(u32::MAX),
                        u32::try_from(col).unwrap_or(u32::MAX),
                    ),
                    format!("invalid overrides file: {}", e.message()),
                );
                Overrides::default()
            }
        }
    }

    /// Reports entries that miss what every entry needs.
    fn check(&self, diags: &mut Diagnostics) {
        let aliases = (self.type_aliases.iter()).map(|a| {
            (
                a.line,
                &a.reason,
                format!("the type alias for `{}`", a.name),
            )
        });
        let hidden = (self.hidden_parts.iter()).map(|h| {
            (
                h.line,
                &h.reason,
                format!("the hidden part of `{}`", h.command),
            )
        });
        let acknowledged = (self.acknowledged.iter()).map(|a| {
            (
                a.line,
                &a.reason,
                format!("the acknowledged warning `{}`", a.warning),
            )
        });
        let shapes = (self.wire_shapes.iter())
            .map(|w| (w.line, &w.reason, format!("the wire shape of `{}`", w.ty)));
        for (line, reason, what) in aliases.chain(hidden).chain(acknowledged).chain(shapes) {
            if reason.trim().is_empty() {
                diags.error(at(line), format!("{what} gives no reason"));
            }
        }
        for d in &self.field_docs {
            if d.doc.trim().is_empty() {
                let what = format!("the doc of field `{}` of `{}` is empty", d.field, d.item);
                diags.error(at(d.line), what);
            }
        }
        for h in &self.hidden_parts {
            if h.texts.is_empty() || h.texts.iter().any(String::is_empty) {
                let what = format!("the hidden part of `{}` needs non-empty texts", h.command);
                diags.error(at(h.line), what);
            }
        }
        for f in &self.safe_forms {
            if f.reason.trim().is_empty() || f.advice.trim().is_empty() {
                let what = format!(
                    "the safe form of `{}` of `{}` needs an advice and a reason",
                    f.param, f.command
                );
                diags.error(at(f.line), what);
            }
        }
    }

    /// Removes the acknowledged warnings from `diags`; an acknowledgement that matches no
    /// warning becomes a warning itself.
    pub fn acknowledge(&self, diags: &mut Diagnostics) {
        let mut used = vec![false; self.acknowledged.len()];
        diags.retain(|d| {
            if d.severity != crate::diag::Severity::Warning {
                return true;
            }
            match self
                .acknowledged
                .iter()
                .position(|a| a.warning == d.message)
            {
                Some(i) => {
                    used[i] = true;
                    false
                }
                None => true,
            }
        });
        for (a, used) in self.acknowledged.iter().zip(used) {
            if !used {
                diags.warning(
                    at(a.line),
                    format!(
                        "acknowledged warning no longer happens, remove it: `{}`",
                        a.warning
                    ),
                );
            }
        }
    }

    /// Applies the overrides to `api`.
    pub fn apply(&self, api: &mut Api, diags: &mut Diagnostics) {
        self.apply_aliases(api, diags);
        self.apply_syntax_facts(api, diags);
        self.apply_wire_shapes(api, diags);
        self.apply_field_docs(api, diags);
    }

    /// Field docs go to the field they name. One that names no field is reported (a renamed
    /// field must not lose its doc silently): a warning when the item or field is missing, as
    /// upstream may rename it in a new version (the regeneration goes on), an error when the
    /// entry itself is malformed.
    fn apply_field_docs(&self, api: &mut Api, diags: &mut Diagnostics) {
        for d in &self.field_docs {
            let what = format!("the doc of field `{}` of `{}`", d.field, d.item);
            let present = |file| api.has_file(file);
            let (commands, events, types) = (
                present(DocFile::Commands),
                present(DocFile::Events),
                present(DocFile::Types),
            );
            let fields: Option<&mut Vec<crate::ir::Field>> =
                if let Some(c) = api.commands.iter_mut().find(|c| c.name == d.item) {
                    Some(&mut c.params)
                } else if let Some(e) = api.events.iter_mut().find(|e| e.name == d.item) {
                    Some(&mut e.fields)
                } else if let Some(t) = api.types.iter_mut().find(|t| t.name == d.item) {
                    match (&mut t.kind, &d.member) {
                        (TypeKind::Record { fields }, None) => Some(fields),
                        (TypeKind::Union { members }, Some(tag)) => {
                            match members.iter_mut().find(|m| &m.tag == tag) {
                                Some(m) => Some(&mut m.fields),
                                None => {
                                    diags.error(
                                        at(d.line),
                                        format!("{what}: the union has no member `{tag}`"),
                                    );
                                    continue;
                                }
                            }
                        }
                        (TypeKind::Union { .. }, None) => {
                            diags.error(
                                at(d.line),
                                format!("{what}: `{}` is a union, name the `member`", d.item),
                            );
                            continue;
                        }
                        _ => {
                            diags.error(at(d.line), format!("{what}: `{}` has no fields", d.item));
                            continue;
                        }
                    }
                } else {
                    // A doc set without the file the item is in says nothing about it.
                    if commands && events && types {
                        diags.warning(
                            at(d.line),
                            format!(
                                "{what}: no command, event or type is named `{}`: fix or remove it",
                                d.item
                            ),
                        );
                    }
                    continue;
                };
            match fields.and_then(|fs| fs.iter_mut().find(|f| f.name == d.field)) {
                Some(f) => f.doc = Some(d.doc.trim().to_owned()),
                None => diags.warning(
                    at(d.line),
                    format!(
                        "{what}: `{}` has no field `{}`: fix or remove it",
                        d.item, d.field
                    ),
                ),
            }
        }
    }

    /// Wire shapes go to the IR once their record and field are found.
    fn apply_wire_shapes(&self, api: &mut Api, diags: &mut Diagnostics) {
        if !api.has_file(DocFile::Types) {
            return;
        }
        for w in &self.wire_shapes {
            let loc = at(w.line);
            let what = format!("the wire shape of `{}`", w.ty);
            let fields = match api.type_def(&w.ty).map(|t| &t.kind) {
                None => {
                    diags.warning(
                        loc,
                        format!("{what} is no longer needed: TYPES.md has no such type"),
                    );
                    continue;
                }
                Some(TypeKind::Record { fields }) => fields,
                Some(_) => {
                    diags.error(loc, format!("{what}: `{}` is not a record", w.ty));
                    continue;
                }
            };
            if !fields.iter().any(|f| f.name == w.field) {
                diags.error(
                    loc,
                    format!("{what} names field `{}`, which it does not have", w.field),
                );
            } else if api.wire_shape(&w.ty).is_some() {
                diags.error(
                    loc,
                    format!("{what} is given twice; a record has at most one"),
                );
            } else {
                api.wire_shapes.push(WireShape {
                    ty: w.ty.clone(),
                    field: w.field.clone(),
                    shape: w.shape,
                    reason: w.reason.clone(),
                });
            }
        }
    }

    /// Hidden parts and safe forms go to the syntax of their command.
    fn apply_syntax_facts(&self, api: &mut Api, diags: &mut Diagnostics) {
        if !api.has_file(DocFile::Commands) {
            return;
        }
        for h in &self.hidden_parts {
            if let Some(s) = syntax_of(api, &h.command, &h.before, "the hidden part", h.line, diags)
            {
                s.hidden_parts.push(HiddenPart {
                    before: h.before.clone(),
                    texts: h.texts.clone(),
                    shown: h.shown.clone(),
                    reason: h.reason.clone(),
                });
            }
        }
        for f in &self.safe_forms {
            if let Some(s) = syntax_of(api, &f.command, &f.param, "the safe form", f.line, diags) {
                s.safe_forms.push(SafeForm {
                    param: f.param.clone(),
                    advice: f.advice.clone(),
                    reason: f.reason.clone(),
                });
            }
        }
    }

    fn apply_aliases(&self, api: &mut Api, diags: &mut Diagnostics) {
        for alias in &self.type_aliases {
            let loc = at(alias.line);
            if api.has_file(DocFile::Types) {
                if api.type_def(&alias.name).is_some() {
                    diags.warning(
                        loc,
                        format!(
                            "type alias `{}` is no longer needed: TYPES.md defines `{}`",
                            alias.name, alias.name
                        ),
                    );
                    continue;
                }
                if api.type_def(&alias.target).is_none() {
                    diags.error(
                        loc,
                        format!(
                            "type alias `{}` points to `{}`, which TYPES.md does not define",
                            alias.name, alias.target
                        ),
                    );
                    continue;
                }
            }
            for field in api.fields_mut() {
                field.ty.for_each_ref_mut(&mut |name| {
                    if *name == alias.name {
                        name.clone_from(&alias.target);
                    }
                });
            }
        }
    }
}

/// The syntax of `command` in which `param` can be placed, or a diagnostic saying why not.
fn syntax_of<'a>(
    api: &'a mut Api,
    command: &str,
    param: &str,
    what: &str,
    line: u32,
    diags: &mut Diagnostics,
) -> Option<&'a mut crate::ir::Syntax> {
    let loc = at(line);
    let Some(c) = api.commands.iter_mut().find(|c| c.name == command) else {
        diags.warning(
            loc,
            format!("{what} of `{command}` is no longer needed: COMMANDS.md has no such command"),
        );
        return None;
    };
    let known = c.params.iter().any(|p| p.name == param)
        || c.syntax.as_ref().is_some_and(|s| mentions(&s.expr, param));
    match c.syntax.as_mut() {
        Some(s) if known => Some(s),
        _ => {
            diags.error(
                loc,
                format!("{what} of `{command}` names `{param}`, which its syntax does not have"),
            );
            None
        }
    }
}

/// True when a node of `exprs` reads `param` (trees bound by position later have none yet).
fn mentions(exprs: &[Expr], param: &str) -> bool {
    let mut found = false;
    for e in exprs {
        e.walk(&mut |n| found |= n.param_name() == Some(param));
    }
    found
}

/// A location in the overrides file: the start of line `line`.
fn at(line: u32) -> Loc {
    Loc::new(DocFile::Overrides, line.max(1), 1)
}

/// Sets the line of each entry of `[[name]]`: the entries are in the order of their headers.
fn locate<T>(text: &str, name: &str, entries: &mut [T], line: fn(&mut T) -> &mut u32) {
    let headers = text.lines().enumerate().filter(|(_, l)| {
        let l = l.trim_start();
        l.strip_prefix("[[")
            .and_then(|rest| rest.split_once("]]"))
            .is_some_and(|(inner, _)| inner.trim() == name)
    });
    for (entry, (n, _)) in entries.iter_mut().zip(headers) {
        *line(entry) = u32::try_from(n + 1).unwrap_or(u32::MAX);
    }
}
