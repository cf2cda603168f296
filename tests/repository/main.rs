//! The repository as a whole: the checked-in generated crate is what `docs/` generates
//! (`drift`), and an upstream change goes through the regeneration workflow and lands with
//! every test green (`update_loop`); the client's optional features compile their crates only
//! when on (`features`). One test binary.

mod drift;
mod features;
mod update_loop;
