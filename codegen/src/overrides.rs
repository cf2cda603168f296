//! The overrides file (`docs/overrides.toml`): corrections for known upstream doc slips, each with
//! a reason, so that a maintainer is never stuck waiting for an upstream fix.
//!
//! ```toml
//! [[type_alias]]
//! name = "GroupInfoSummary"   # a name the docs refer to but do not define
//! target = "GroupInfo"        # the defined type to use instead
//! reason = "TYPES.md b7a0bde1 dropped GroupInfoSummary; APIListGroups returns GroupInfo"
//! ```

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostics;
use crate::ir::{Api, DocFile, Loc};

/// All overrides, as read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// References to a type name that are resolved to another type.
    #[serde(default, rename = "type_alias")]
    pub type_aliases: Vec<TypeAlias>,
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
}

impl Overrides {
    /// Parses the TOML text of an overrides file; errors become diagnostics located in it.
    pub fn parse(text: &str, diags: &mut Diagnostics) -> Overrides {
        match toml::from_str::<Overrides>(text) {
            Ok(o) => {
                for a in &o.type_aliases {
                    if a.reason.trim().is_empty() {
                        diags.error(
                            Loc::new(DocFile::Overrides, 1, 1),
                            format!("the type alias for `{}` gives no reason", a.name),
                        );
                    }
                }
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

    /// Applies the overrides to `api`.
    pub fn apply(&self, api: &mut Api, diags: &mut Diagnostics) {
        for alias in &self.type_aliases {
            let loc = Loc::new(DocFile::Overrides, 1, 1);
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
            crate::passes::for_each_field_mut(api, &mut |f| {
                f.ty.for_each_ref_mut(&mut |name| {
                    if *name == alias.name {
                        name.clone_from(&alias.target);
                    }
                });
            });
        }
    }
}
