//! Procedural macros of the `logger` crate.
//!
//! Do not depend on this crate directly: use `logger`, which re-exports
//! `trade!`, `perf!` and `#[log_performance]`.
