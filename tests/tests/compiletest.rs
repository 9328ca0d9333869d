//! Compile-time behaviour of the macros: every accepted form compiles
//! (without warnings, and without `unsafe` in the expansions), every
//! error has its expected message and span.
//!
//! The expected compiler output (`.stderr`) is pinned to the stable
//! toolchain; other channels skip the test. Regenerate it after an
//! intended change with `TRYBUILD=overwrite cargo test -p logger-tests
//! --test compiletest` and review the diff.

#[rustversion::attr(not(stable), ignore = "UI output is pinned to the stable toolchain")]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*/*.rs");
}
