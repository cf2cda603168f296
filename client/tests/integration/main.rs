//! The client's integration tests, in one test binary (one link, and the tests of every module
//! run in parallel): the bot runner and every example end to end against the test core, the
//! client against the test core and a bare loopback peer, and the test core itself.

mod bot;
mod examples;
mod loopback;
mod support;
mod test_core;
