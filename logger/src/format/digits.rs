//! Decimal digits of unsigned integers, written straight into the spare
//! capacity of the output (one reservation, no intermediate buffer): the
//! same bytes as `itoa`, for the integers every record holds (quantities,
//! ids, the integer part of a price).

/// `"00" "01" ... "99"`: two digits per lookup.
pub(super) const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The smallest value with `k + 1` digits, for `k` in `0..=19` (`10^k`,
/// but 0 for `k = 0`, so that 0 counts one digit).
const THRESHOLDS: [u64; 20] = {
    let mut t = [0u64; 20];
    t[1] = 10;
    let mut k = 2;
    while k < 20 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// Number of decimal digits of `v` (1 for 0).
#[inline(always)]
pub(super) fn count(v: u64) -> usize {
    // `guess` (about log10(2) * bits) is the count or one less; it is at
    // most 19 (64 bits).
    let bits = 64 - (v | 1).leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    guess + usize::from(v >= THRESHOLDS[guess])
}

/// Writes the last `len` decimal digits of `v`, zero-padded on the left
/// (all of them when `len >= count(v)`), ending right before `end`.
///
/// # Safety
///
/// `end - len .. end` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_backwards(mut v: u64, mut end: *mut u8, len: usize) {
    let mut left = len;
    while left >= 4 {
        // Four digits a step: one 64-bit division, then 32-bit ones.
        let four = (v % 10_000) as u32;
        v /= 10_000;
        let (high, low) = ((four / 100) as usize * 2, (four % 100) as usize * 2);
        // SAFETY: `left >= 4` digits remain before `end`, within the
        // caller's range.
        unsafe {
            end = end.sub(4);
            std::ptr::copy_nonoverlapping(DIGIT_PAIRS.as_ptr().add(high), end, 2);
            std::ptr::copy_nonoverlapping(DIGIT_PAIRS.as_ptr().add(low), end.add(2), 2);
        }
        left -= 4;
    }
    while left >= 2 {
        let pair = (v % 100) as usize * 2;
        v /= 100;
        // SAFETY: `left >= 2` digits remain before `end`, within the
        // caller's range.
        unsafe {
            end = end.sub(2);
            std::ptr::copy_nonoverlapping(DIGIT_PAIRS.as_ptr().add(pair), end, 2);
        }
        left -= 2;
    }
    if left == 1 {
        // SAFETY: one digit remains before `end`.
        unsafe { *end.sub(1) = b'0' + v as u8 };
    }
}

/// Appends `v` in decimal.
#[inline]
pub(super) fn write_u64(out: &mut Vec<u8>, v: u64) {
    out.reserve(20);
    let at = out.len();
    // SAFETY: `reserve(20)` leaves room for the at most 20 digits after
    // `at`; every byte up to `at + len` is written before `set_len`.
    unsafe {
        let len = write_u64_at(v, out.as_mut_ptr().add(at));
        out.set_len(at + len);
    }
}

/// Writes `v` in decimal at `dst`; returns the number of digits.
///
/// # Safety
///
/// `dst .. dst + 20` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_u64_at(v: u64, dst: *mut u8) -> usize {
    let len = count(v);
    // SAFETY: `len <= 20` digits, within the caller's range.
    unsafe { write_backwards(v, dst.add(len), len) };
    len
}

/// Writes `v` in decimal, with a `-` when negative, at `dst`; returns the
/// number of bytes.
///
/// # Safety
///
/// `dst .. dst + 20` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_i64_at(v: i64, dst: *mut u8) -> usize {
    let neg = usize::from(v < 0);
    // SAFETY: the sign, then at most 19 digits (`i64::MIN` has 19): 20
    // bytes at most, within the caller's range. The `-` written for a
    // non-negative value is overwritten by the first digit.
    unsafe {
        *dst = b'-';
        neg + write_u64_at(v.unsigned_abs(), dst.add(neg))
    }
}

/// Appends `v` in decimal, with a `-` when negative.
#[inline]
pub(super) fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn powers_and_their_neighbours() {
        for k in 0..20 {
            let p = 10u64.pow(k);
            for v in [p.saturating_sub(1), p, p + 1, p.saturating_mul(5)] {
                let mut out = b"x".to_vec();
                write_u64(&mut out, v);
                assert_eq!(&out[1..], itoa::Buffer::new().format(v).as_bytes());
                assert_eq!(count(v), itoa::Buffer::new().format(v).len(), "{v}");
            }
        }
        for v in [0, u64::MAX] {
            let mut out = Vec::new();
            write_u64(&mut out, v);
            assert_eq!(out, itoa::Buffer::new().format(v).as_bytes());
        }
        for v in [0, -1, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            write_i64(&mut out, v);
            assert_eq!(out, itoa::Buffer::new().format(v).as_bytes());
        }
    }

    proptest! {
        #[test]
        fn same_as_itoa(v in any::<u64>(), shift in 0u32..64, i in any::<i64>()) {
            let v = v >> shift;
            let mut out = Vec::new();
            write_u64(&mut out, v);
            let mut want = itoa::Buffer::new();
            prop_assert_eq!(&out[..], want.format(v).as_bytes());
            out.clear();
            write_i64(&mut out, i >> shift);
            prop_assert_eq!(&out[..], want.format(i >> shift).as_bytes());
        }
    }
}
