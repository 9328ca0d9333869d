//! A macro record (call site + values) built from the input: encoded with
//! strings cut to an arbitrary limit, decoded, message rendered, formatted.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logger::__fuzz::callsite_record(data));
