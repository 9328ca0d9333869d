//! Eight bytes at a time in a `u64` ("SWAR"): the byte tests that the
//! message template's brace scan (`callsite`) and the JSON escape scan
//! (`format::json`) share.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each zero byte of `x`, and maybe of bytes above the
/// first zero byte (never below it): nonzero exactly when `x` has a zero
/// byte, and the lowest set bit is in the first one.
#[inline(always)]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// [`zero_bytes`] of the bytes of `w` equal to `b`.
#[inline(always)]
pub(crate) fn bytes_equal(w: u64, b: u8) -> u64 {
    zero_bytes(w ^ (ONES * u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::bytes_equal;

    #[test]
    fn the_lowest_set_bit_is_the_first_equal_byte() {
        for at in 0..8 {
            for b in [0u8, b'{', b'"', 0xff] {
                // Every other byte one bit away from `b`.
                let mut bytes = [b ^ 1; 8];
                bytes[at] = b;
                let m = bytes_equal(u64::from_le_bytes(bytes), b);
                assert_eq!(m.trailing_zeros() / 8, at as u32, "{b:#x} at {at}");
            }
            assert_eq!(bytes_equal(u64::from_le_bytes([b'a'; 8]), b'{'), 0);
        }
    }
}
