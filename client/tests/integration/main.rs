//! The client's integration tests, in one test binary (one link, and the tests of every module
//! run in parallel): the bot runner and every example end to end against the test core, the
//! client against the test core and a bare loopback peer, the spawned core process against
//! stand-in CLIs, and the test core itself.

mod bot;
mod examples;
mod files;
// The stand-in libsimplex is a Linux `.so` read with glibc's statistics.
#[cfg(all(feature = "ffi", target_os = "linux", target_env = "gnu"))]
mod ffi;
mod loopback;
// Stand-in CLIs are shell scripts; process groups are read from `/proc`.
#[cfg(target_os = "linux")]
mod process;
mod support;
mod test_core;
