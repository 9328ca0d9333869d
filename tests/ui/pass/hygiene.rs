//! The expansions do not depend on the user's imports and cannot be
//! broken by the user's names: every path they use is absolute, every
//! local they declare is hygienic.
#![deny(warnings)]
#![forbid(unsafe_code)]
#![allow(non_camel_case_types, dead_code, unused_macros)]

// Shadow what an expansion might lean on.
struct Option;
struct Some;
struct None;
struct Result;
struct Ok;
struct Err;
struct Vec;
struct String;
struct Level;
struct Kind;
struct Callsite;
struct u64;
struct u32;
struct usize;
struct str;
struct bool;
mod core {}
mod std {}
macro_rules! format_args {
    () => {};
}
macro_rules! module_path {
    () => {};
}
macro_rules! line {
    () => {};
}
macro_rules! file {
    () => {};
}
fn push() {}
fn enabled() {}
fn value() {}

#[logger::log_performance(args(__logger_ret))]
fn uses_a_prefixed_name(__logger_ret: u8) -> u8 {
    let __logger_call = 1;
    __logger_ret + __logger_call
}

fn main() {
    let __logger_v0 = "user";
    let __logger_stage = 5u8;
    logger::trade!(symbol = __logger_v0, side = "buy", qty = __logger_stage, price = 1.0; "{}", __logger_v0);
    let _t = logger::perf!("hygiene", venue = __logger_v0);
    logger::perf!("hygiene", 5u8 as ::core::primitive::u64);
    let _ = uses_a_prefixed_name(1);
}
