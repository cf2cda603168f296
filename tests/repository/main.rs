//! The repository as a whole: the checked-in generated crate is what `docs/` generates
//! (`drift`), and an upstream change goes through the regeneration workflow and lands with
//! every test green (`update_loop`). One test binary.

mod drift;
mod update_loop;
