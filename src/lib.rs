//! The root package of the workspace (not published): build-time generation and the end-to-end
//! tests. Its library holds only the README's examples, compiled and run as doctests here,
//! where both published crates are available.

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
