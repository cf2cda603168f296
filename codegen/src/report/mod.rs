//! Reports for people, from the IR and from the generated code: [`diff`] (what changed between
//! two doc versions, and what breaks), [`outline`] (the IR as compact text) and [`surface`] (the
//! public API of the generated code as compact text).

pub mod diff;
pub mod outline;
pub mod surface;
