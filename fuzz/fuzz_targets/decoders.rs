//! The raw input through every decoder that dereferences nothing (headers,
//! keys, length-prefixed bytes, inline strings, values): `None` or progress.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| logger::__fuzz::decoders(data));
