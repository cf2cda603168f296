//! Checks of the names in the IR: every type reference resolves, no name is repeated, and every
//! type is used.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::Diagnostics;
use crate::ir::{Api, DocFile, Field, Loc, TypeKind};

/// Every type reference must name a type of `TYPES.md` (when that file is part of the set).
pub fn resolve(api: &Api, diags: &mut Diagnostics) {
    if !api.has_file(DocFile::Types) {
        return;
    }
    let known: BTreeSet<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    for (field, owner) in api.fields() {
        field.ty.for_each_ref(&mut |name| {
            if !known.contains(name) {
                diags.error(
                    field.loc,
                    format!(
                        "unresolved type `{name}` in {owner} `{}`: TYPES.md does not define it \
                         (add a `[[type_alias]]` to overrides.toml if upstream renamed it)",
                        field.name
                    ),
                );
            }
        });
    }
}

/// Warns about every repeated name of `items`; `what` names the kind of item, and is only built
/// when there is something to report.
fn dup_check<'a, W: std::fmt::Display>(
    diags: &mut Diagnostics,
    what: impl Fn() -> W,
    items: impl IntoIterator<Item = (&'a str, Loc)>,
) {
    let mut seen: Vec<(&str, Loc)> = Vec::new();
    let mut index: BTreeMap<&str, Loc> = BTreeMap::new();
    for (name, loc) in items {
        // Most lists are a handful of fields: a scan beats a map until they grow.
        let first = if index.is_empty() {
            let found = seen.iter().find(|(n, _)| *n == name).map(|(_, l)| *l);
            if found.is_none() {
                seen.push((name, loc));
                if seen.len() > 32 {
                    index.extend(seen.drain(..));
                }
            }
            found
        } else {
            match index.get(name) {
                Some(l) => Some(*l),
                None => {
                    index.insert(name, loc);
                    None
                }
            }
        };
        if let Some(first) = first {
            diags.warning(
                loc,
                format!("duplicate {} `{name}` (first at {first})", what()),
            );
        }
    }
}

/// Duplicate names of commands, events, types, fields, enum values, union tags and responses.
pub fn duplicates(api: &Api, diags: &mut Diagnostics) {
    dup_check(
        diags,
        || "command",
        api.commands.iter().map(|c| (c.name.as_str(), c.loc)),
    );
    dup_check(
        diags,
        || "event",
        api.events.iter().map(|c| (c.name.as_str(), c.loc)),
    );
    dup_check(
        diags,
        || "event tag",
        api.events.iter().map(|c| (c.tag.as_str(), c.loc)),
    );
    dup_check(
        diags,
        || "type",
        api.types.iter().map(|c| (c.name.as_str(), c.loc)),
    );
    fn fields(fs: &[Field]) -> impl Iterator<Item = (&str, Loc)> {
        fs.iter().map(|f| (f.name.as_str(), f.loc))
    }
    for c in &api.commands {
        dup_check(
            diags,
            || format!("parameter of `{}`", c.name),
            fields(&c.params),
        );
        dup_check(
            diags,
            || format!("response of `{}`", c.name),
            c.responses.iter().map(|r| (r.tag.as_str(), r.loc)),
        );
        for r in &c.responses {
            dup_check(
                diags,
                || format!("field of response `{}`", r.name),
                fields(&r.fields),
            );
        }
    }
    for e in &api.events {
        dup_check(
            diags,
            || format!("field of event `{}`", e.name),
            fields(&e.fields),
        );
    }
    for t in &api.types {
        match &t.kind {
            TypeKind::Record { fields: fs } => {
                dup_check(diags, || format!("field of `{}`", t.name), fields(fs))
            }
            TypeKind::Enum { values } => dup_check(
                diags,
                || format!("value of enum `{}`", t.name),
                values.iter().map(|v| (v.value.as_str(), v.loc)),
            ),
            TypeKind::Union { members } => {
                dup_check(
                    diags,
                    || format!("tag of union `{}`", t.name),
                    members.iter().map(|m| (m.tag.as_str(), m.loc)),
                );
                for m in members {
                    dup_check(
                        diags,
                        || format!("field of member `{}.{}`", t.name, m.name),
                        fields(&m.fields),
                    );
                }
            }
            TypeKind::Opaque => {}
        }
    }
}

/// Types that no field, parameter, response or event refers to (only with all three files).
pub fn unused_types(api: &Api, diags: &mut Diagnostics) {
    if !DocFile::API.iter().all(|f| api.has_file(*f)) {
        return;
    }
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (field, _) in api.fields() {
        field.ty.for_each_ref(&mut |name| {
            used.insert(name);
        });
    }
    for t in &api.types {
        if !used.contains(t.name.as_str()) {
            diags.warning(
                t.loc,
                format!("type `{}` is defined but never used", t.name),
            );
        }
    }
}
