//! A `log` record built from the input: encoded, decoded, formatted as JSON
//! (must parse and give back every field) and as text (one line).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logger::__fuzz::log_record(data));
