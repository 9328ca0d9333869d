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
    // SAFETY: `reserve(20)` leaves room for the at most 20 bytes
    // `write_u64_at` writes after `at`; every byte up to `at + len` is
    // written before `set_len`.
    unsafe {
        let len = write_u64_at(v, out.as_mut_ptr().add(at));
        out.set_len(at + len);
    }
}

/// `b'0'` in each byte of a word: added to [`eight_digits`]' digits.
const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);

/// The eight decimal digits of `x` (below 10^8), zero-padded on the left,
/// as the bytes of a word read little-endian: the first (most
/// significant) digit in the lowest byte, each byte 0 to 9.
///
/// No loop and two 64-bit products per split (SWAR): the word holds two
/// 32-bit lanes (`x / 10^4`, `x % 10^4`), each split into two 16-bit lanes
/// (`/ 100`, `% 100`), each split into two bytes (`/ 10`, `% 10`). The
/// divisions are multiplications by a rounded-up reciprocal, exact in
/// each lane's range (`q * 5243 >> 19` is `q / 100` below 43,699, `q *
/// 103 >> 10` is `q / 10` below 179), and no lane's product reaches the
/// next lane (below 2^26 in a 32-bit lane, 2^14 in a 16-bit one).
#[inline(always)]
pub(super) fn eight_digits(x: u32) -> u64 {
    debug_assert!(x < 100_000_000);
    let high4 = x / 10_000;
    let v = u64::from(high4) | u64::from(x - high4 * 10_000) << 32;
    let high2 = ((v * 5243) >> 19) & 0x0000_007f_0000_007f;
    let v = high2 | (v - high2 * 100) << 16;
    let high1 = ((v * 103) >> 10) & 0x000f_000f_000f_000f;
    high1 | (v - high1 * 10) << 8
}

/// The two digits of `x` (below 100).
#[inline(always)]
fn pair(x: u32) -> [u8; 2] {
    let i = x as usize * 2;
    [DIGIT_PAIRS[i], DIGIT_PAIRS[i + 1]]
}

/// Stores `word`'s bytes at `dst`, lowest first (see [`eight_digits`]).
///
/// # Safety
///
/// `dst .. dst + 8` must be valid for writes.
#[inline(always)]
unsafe fn store(dst: *mut u8, word: u64) {
    // SAFETY: the caller's eight bytes; unaligned.
    unsafe { dst.cast::<[u8; 8]>().write_unaligned(word.to_le_bytes()) }
}

/// Writes `x` (below 10^8) in decimal at `dst` (the digits, then bytes
/// past them up to 8 that the caller writes over or leaves past the
/// length); returns the number of digits.
///
/// # Safety
///
/// `dst .. dst + 8` must be valid for writes.
#[inline(always)]
unsafe fn write_below_1e8(x: u32, dst: *mut u8) -> usize {
    let d = eight_digits(x);
    // The leading zeros are the low zero bytes; the last digit (byte 7)
    // is counted as a digit even when zero, so that 0 writes `0`.
    let zeros = (d | 1 << 56).trailing_zeros() as usize / 8;
    // SAFETY: the caller's eight bytes.
    unsafe { store(dst, (d + ZEROS) >> (8 * zeros)) };
    8 - zeros
}

/// Writes `x` (below 10^len) as exactly `len` decimal digits, zero-padded
/// on the left, for `len` in `1..=9` (a price's decimals, a timestamp's
/// nanoseconds); the bytes from `dst + len` to `dst + 9` may be written
/// too (the caller writes over them or leaves them past the length).
///
/// # Safety
///
/// `dst .. dst + 9` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_fixed(x: u32, dst: *mut u8, len: usize) {
    debug_assert!((1..=9).contains(&len) && u64::from(x) < 10u64.pow(len as u32));
    // SAFETY: at most nine bytes from `dst`, the caller's.
    unsafe {
        if len == 1 {
            *dst = b'0' + x as u8;
        } else if len == 2 {
            dst.cast::<[u8; 2]>().write_unaligned(pair(x));
        } else if len == 9 {
            let first = x / 100_000_000;
            *dst = b'0' + first as u8;
            store(dst.add(1), eight_digits(x - first * 100_000_000) + ZEROS);
        } else {
            store(dst, (eight_digits(x) + ZEROS) >> (8 * (8 - len)));
        }
    }
}

/// Writes `v` in decimal at `dst` (the same digits as `itoa`); returns
/// their number. It writes at most `max(8, digits)` bytes: with fewer
/// than 8 digits, possibly bytes after them too (the caller writes over
/// them or leaves them past the length).
///
/// # Safety
///
/// `dst .. dst + 20` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_u64_at(v: u64, dst: *mut u8) -> usize {
    // SAFETY: below 100, 2 bytes; below 10^8, 8; else `write_large`'s
    // `max(8, digits)`, at most 20.
    unsafe {
        if v < 100 {
            // One or two digits: their pair, the first dropped when 0.
            let one = usize::from(v < 10);
            let pair = pair(v as u32);
            *dst = pair[one];
            *dst.add(1) = pair[1];
            2 - one
        } else if v < 100_000_000 {
            write_below_1e8(v as u32, dst)
        } else {
            write_large(v, dst)
        }
    }
}

/// Writes `x` (below 10^4: a price's integer part) in decimal at `dst`
/// with one division by 100 and two pairs; returns the number of digits.
/// It writes 4 bytes, the digits first.
///
/// # Safety
///
/// `dst .. dst + 4` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_below_1e4(x: u32, dst: *mut u8) -> usize {
    debug_assert!(x < 10_000);
    let high = x / 100;
    let [a, b] = pair(high);
    let [c, d] = pair(x - high * 100);
    // The leading zero digits dropped: 0, 1 (below 1000; `high` has one
    // digit), 2 (below 100), 3 (below 10; 0 writes `0`).
    let zeros = usize::from(x < 1_000) + usize::from(x < 100) + usize::from(x < 10);
    let word = u32::from_le_bytes([a, b, c, d]) >> (8 * zeros);
    // SAFETY: the caller's four bytes.
    unsafe { dst.cast::<[u8; 4]>().write_unaligned(word.to_le_bytes()) };
    4 - zeros
}

/// [`write_u64_at`] from 9 digits on: eight and the digits before them
/// below 10^16, else one at a time.
///
/// # Safety
///
/// `dst .. dst + 20` must be valid for writes.
#[cold]
unsafe fn write_large(v: u64, dst: *mut u8) -> usize {
    // SAFETY: below 10^16, the high digits' 8 bytes and 8 more after the
    // `n` digits (`n + 8`, the number of digits, at most 16); else
    // `count(v) <= 20` digits: within the caller's range.
    unsafe {
        if v < 10_000_000_000_000_000 {
            let high = v / 100_000_000;
            let n = write_below_1e8(high as u32, dst);
            let low = (v - high * 100_000_000) as u32;
            store(dst.add(n), eight_digits(low) + ZEROS);
            return n + 8;
        }
        let len = count(v);
        write_backwards(v, dst.add(len), len);
        len
    }
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
    // SAFETY: the sign, then `write_u64_at`'s `max(8, digits)` bytes,
    // at most 19 (`i64::MIN` has 19 digits): 20 bytes at most, within the
    // caller's range. The `-` written for a non-negative value is
    // overwritten by the first digit.
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

    /// `write_u64_at`, `write_below_1e4` and `write_fixed` write the
    /// right digits within their stated bounds (a guard byte after them
    /// stays), at every digit count.
    #[test]
    fn writes_stay_within_their_bounds() {
        for k in 0..20 {
            let p = 10u64.pow(k);
            for v in [
                p - 1,
                p,
                p + 1,
                p.saturating_mul(3).saturating_add(7),
                u64::MAX,
            ] {
                let mut buf = [0xAAu8; 21];
                // SAFETY: `buf` has 21 bytes, the 20 `write_u64_at` may
                // write and a guard.
                let n = unsafe { write_u64_at(v, buf.as_mut_ptr()) };
                assert_eq!(&buf[..n], itoa::Buffer::new().format(v).as_bytes());
                assert_eq!(
                    buf[n.max(8)..],
                    [0xAA; 21][n.max(8)..],
                    "{v}: wrote past max(8, n)"
                );
            }
        }
        for x in [0, 9, 10, 99, 100, 999, 1_000, 9_999] {
            let mut buf = [0xAAu8; 5];
            // SAFETY: `buf` has the four bytes `write_below_1e4` writes
            // and a guard.
            let n = unsafe { write_below_1e4(x, buf.as_mut_ptr()) };
            assert_eq!(&buf[..n], x.to_string().as_bytes());
            assert_eq!(buf[4], 0xAA);
        }
        for len in 1..=9usize {
            let top = 10u32.pow(len as u32) - 1;
            for x in [0, 1, 7, top / 3, top] {
                let mut buf = [0xAAu8; 10];
                // SAFETY: `buf` has ten bytes, the nine `write_fixed` may
                // write and a guard.
                unsafe { write_fixed(x, buf.as_mut_ptr(), len) };
                assert_eq!(&buf[..len], format!("{x:0len$}").as_bytes());
                assert_eq!(buf[9], 0xAA);
            }
        }
    }

    #[test]
    fn eight_digits_at_each_lane_boundary() {
        for x in [
            0, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 99_999_999, 12_345_678, 50_005_000,
        ] {
            let want = format!("{x:08}");
            let got = (eight_digits(x) + ZEROS).to_le_bytes();
            assert_eq!(&got[..], want.as_bytes(), "{x}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 256 }))]
        #[test]
        fn fixed_width_as_format(x in 0u32..1_000_000_000, len in 1usize..=9) {
            let x = x % 10u32.pow(len as u32);
            let mut buf = [0u8; 9];
            // SAFETY: `buf` has the nine bytes `write_fixed` may write.
            unsafe { write_fixed(x, buf.as_mut_ptr(), len) };
            let want = format!("{x:0len$}");
            prop_assert_eq!(&buf[..len], want.as_bytes());
        }

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
