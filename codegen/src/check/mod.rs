//! The check phase: passes over the IR that [`read`](crate::read) built, each reporting what is
//! wrong as located diagnostics. The overrides are applied first (they correct known doc slips);
//! then the names are checked ([`refs`]) and the syntax trees bound and checked against their
//! parameters ([`syntax`](mod@syntax), with [`bind`] for old dialects and [`render`] to compare
//! a tree with its plain line).

pub mod bind;
pub mod overrides;
pub mod refs;
pub mod render;
pub mod syntax;

use crate::diag::Diagnostics;
use crate::ir::Api;

pub use refs::{duplicates, resolve, unused_types};
pub use syntax::syntax;

/// Runs every check and the positional binding; diagnostics are appended to `diags`.
pub fn run(api: &mut Api, diags: &mut Diagnostics) {
    resolve(api, diags);
    duplicates(api, diags);
    unused_types(api, diags);
    syntax(api, diags);
}
