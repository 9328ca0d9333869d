//! Finite floats as `ryu` writes them (the shortest digits that read back
//! as the same `f64`), with a short path for the values logs mostly hold:
//! prices and quantities with a few decimals.
//!
//! The short path takes `v` with `|v|` in `[1e-5, 1e15)` and finds `m`
//! and `k` with `|v| = m / 10^k` (as a real number, or as the `f64`
//! nearest to it), then writes `m / 10^k` in ryu's plain notation
//! (`187.5`, `100.0`, `0.00125`), the one ryu uses in that range. Two ways:
//!
//! - **Exact** (no search). `|v| = M * 2^e` with `M` odd. For `e >= 0` it
//!   is an integer (`k = 0`); for `-9 <= e < 0` its decimal expansion is
//!   finite with `k = -e` decimals: `|v| = M * 5^k / 10^k`, and `m = M *
//!   5^k` does not end in 0 (it is odd). When `m < 10^15` (checked as
//!   `|v| < 10^(15 - k)`), those digits are the shortest that read back as
//!   `v`: a decimal of at most 15 significant digits is recovered from the
//!   `f64` nearest to it (DBL_DIG), so a shorter decimal reading back as
//!   `v` would be recovered from `v` as itself, while `v`'s own decimal
//!   (`m / 10^k`, exact) is what `v` gives at 15 digits: the two would be
//!   the same number. Ryu writes the shortest digits, and among those the
//!   nearest to `v`: these, at distance 0. Prices in halves, quarters,
//!   eighths (`187.5`, `187.25`) take this way.
//! - **Search** (values that are not exact in binary, like `187.53`): try
//!   `k = 0..=9` decimals: `m = round(|v| * 10^k)` and check `m / 10^k ==
//!   |v|` (a correctly rounded division of exact operands: `m < 2^50` and
//!   `10^k` are exact in an `f64`). The first `k` that passes gives the
//!   digits `m / 10^k`, which read back as `v` and are the shortest such
//!   (a shorter string would have passed at a smaller `k`: a passing `m`
//!   is the nearest integer to `|v| * 10^k` within 3/8 while `|v| * 10^k <
//!   2^50`, so the rounded product finds it).
//!
//! Anything else (more than 9 decimals, 16 or 17 significant digits, huge
//! or tiny values) goes to `ryu`. Property tests compare both on random
//! values.

use super::digits;

/// `10^k` for `k` in `0..=9`, exact in an `f64`.
const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const POW10_INT: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];
/// `5^k` for `k` in `0..=9`: `m = M * 5^k` on the exact way.
const POW5: [u64; 10] = [
    1, 5, 25, 125, 625, 3_125, 15_625, 78_125, 390_625, 1_953_125,
];
/// `10^(15 - k)` for `k` in `0..=9`, exact in an `f64`: on the exact way,
/// `|v|` below it keeps `m = |v| * 10^k` below `10^15`.
const EXACT_BELOW: [f64; 10] = [1e15, 1e14, 1e13, 1e12, 1e11, 1e10, 1e9, 1e8, 1e7, 1e6];
/// Products at or above this are left to ryu (see the module docs).
const LIMIT: f64 = (1u64 << 50) as f64;

/// Appends finite `v` exactly as `ryu::Buffer::format_finite` would.
#[inline(always)]
pub(crate) fn write_finite(out: &mut Vec<u8>, v: f64) {
    debug_assert!(v.is_finite());
    if !write_short(out, v) {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    }
}

/// The most bytes [`write_short_at`] writes: `-`, at most 15 integer
/// digits (below `1e15`), `.`, at most 9 decimals.
pub(crate) const SHORT_MAX: usize = 26;

/// The short path: false (and nothing written) when it does not apply.
#[inline(always)]
fn write_short(out: &mut Vec<u8>, v: f64) -> bool {
    out.reserve(SHORT_MAX);
    let at = out.len();
    // SAFETY: `reserve` leaves `SHORT_MAX` writable bytes after `at`;
    // the new length covers the bytes `write_short_at` wrote.
    unsafe {
        match write_short_at(v, out.as_mut_ptr().add(at)) {
            Some(n) => {
                out.set_len(at + n);
                true
            }
            None => false,
        }
    }
}

/// The short path at `dst`: the number of bytes written, `None` (and
/// nothing written) when it does not apply.
///
/// # Safety
///
/// `dst .. dst + SHORT_MAX` must be valid for writes.
#[inline(always)]
pub(crate) unsafe fn write_short_at(v: f64, dst: *mut u8) -> Option<usize> {
    let a = v.abs();
    if !(1e-5..1e15).contains(&a) {
        return None;
    }
    let (m, k) = match exact(a) {
        Some(found) => found,
        None => search(a)?,
    };
    // `m / 10^k` is `|v|` exactly, so its integer part is `|v|`'s
    // (`trunc`, exact below 2^53): a conversion and a product instead
    // of two 64-bit divisions.
    // SAFETY: `a` is in `[1e-5, 1e15)`: its integer part fits an `i64`.
    let int = unsafe { a.to_int_unchecked::<i64>() } as u64;
    // Below `10^k <= 10^9`: fits a `u32`.
    let frac = (m - int * POW10_INT[k]) as u32;
    let frac_len = k.max(1);
    let neg = usize::from(v < 0.0);
    // SAFETY: at most `SHORT_MAX` bytes from `dst`, the caller's: the
    // sign (written always, overwritten when not negative), then
    // `write_below_1e4`'s 4 or `write_u64_at`'s `max(8, int_len)` bytes
    // (`int_len <= 15`: `int < 1e15`), the point after the `int_len`
    // digits, then `write_fixed`'s at most 9 bytes for the `frac_len <= 9`
    // decimals (`frac` zero-padded to `k` digits; `0` when `k == 0`): `1 +
    // 15 + 1 + 9 = 26`.
    unsafe {
        *dst = b'-';
        let p = dst.add(neg);
        let int_len = if int < 10_000 {
            digits::write_below_1e4(int as u32, p)
        } else {
            digits::write_u64_at(int, p)
        };
        *p.add(int_len) = b'.';
        digits::write_fixed(frac, p.add(int_len + 1), frac_len);
        Some(neg + int_len + 1 + frac_len)
    }
}

/// `(m, k)` with `a = m / 10^k` exactly and `m < 10^15`, from the bits of
/// `a` (in `[1e-5, 1e15)`, so normal), when `a` is an odd multiple of
/// `2^e` with `e >= -9` (see the module docs); `None` otherwise.
#[inline(always)]
fn exact(a: f64) -> Option<(u64, usize)> {
    let bits = a.to_bits();
    let mantissa = (bits & ((1 << 52) - 1)) | 1 << 52;
    let zeros = mantissa.trailing_zeros();
    // `a = odd * 2^e`, `odd = mantissa >> zeros`; `e` is in `[-70, 50)`
    // for `a` in the range.
    let e = (bits >> 52) as i32 - 1075 + zeros as i32;
    if e >= 0 {
        // An integer below 1e15: itself, no decimals.
        return Some(((mantissa >> zeros) << e, 0));
    }
    let k = e.unsigned_abs() as usize;
    if k >= POW5.len() || a >= EXACT_BELOW[k] {
        return None;
    }
    // Below 10^15 (`a < 10^(15 - k)`): no overflow.
    Some(((mantissa >> zeros) * POW5[k], k))
}

/// The search (see the module docs): `(m, k)` with `|v| = a`, the `f64`
/// nearest to `m / 10^k`, for the smallest such `k` in `0..=9`; `None`
/// when there is none below the limit, or it would end in a 0.
#[inline(always)]
fn search(a: f64) -> Option<(u64, usize)> {
    for (k, &pow) in POW10.iter().enumerate() {
        let scaled = a * pow;
        if scaled >= LIMIT {
            return None;
        }
        // SAFETY: `scaled + 0.5` is in `[0.5, 2^50 + 0.5)`, finite and
        // representable as an `i64` after truncation (one instruction,
        // rather than the saturating cast's range checks). Signed: the
        // conversions of an `i64` are one instruction each way, those of
        // a `u64` a sequence.
        let m: i64 = unsafe { (scaled + 0.5).to_int_unchecked() };
        if m as f64 / pow != a {
            continue;
        }
        if k > 0 && m % 10 == 0 {
            // Not the shortest (cannot happen, see the module docs): leave
            // it to ryu rather than write a trailing zero.
            return None;
        }
        return Some((m as u64, k));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(v: f64) -> String {
        let mut out = Vec::new();
        write_finite(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn theirs(v: f64) -> String {
        ryu::Buffer::new().format_finite(v).to_string()
    }

    #[test]
    fn usual_values_take_the_short_path_and_match_ryu() {
        for v in [
            187.5,
            100.0,
            1.0,
            0.1,
            0.2,
            0.3,
            1.5,
            101.25,
            0.00125,
            1e-5,
            99999.99999,
            0.000123,
            123456789.123,
            1e14,
            999999999999999.9,
            42.0,
            2.5625,
        ] {
            for v in [v, -v] {
                let mut out = Vec::new();
                let short = write_short(&mut out, v);
                assert_eq!(ours(v), theirs(v), "{v:e}");
                if (1e-5..1e14).contains(&v.abs()) && theirs(v).len() < 16 {
                    assert!(short, "{v:e} missed the short path");
                }
            }
        }
    }

    #[test]
    fn binary_fractions_take_the_exact_way() {
        assert_eq!(exact(187.5), Some((1875, 1)));
        assert_eq!(exact(187.25), Some((18725, 2)));
        assert_eq!(exact(100.0), Some((100, 0)));
        assert_eq!(exact(0.001953125), Some((1953125, 9)));
        // Not exact in binary, too many binary decimals, or 16 digits.
        assert_eq!(exact(187.53), None);
        assert_eq!(exact(0.0009765625), None);
        assert_eq!(exact(1e14 + 0.5), None);
        for v in [187.5, 187.25, 100.0, 0.001953125, 99999999.875] {
            assert_eq!(ours(v), theirs(v), "{v:e}");
            assert_eq!(ours(-v), theirs(-v), "{v:e}");
        }
    }

    #[test]
    fn edges_match_ryu() {
        for v in [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            5e-324,
            1e15,
            1e16,
            9.999999999999999e14,
            0.1 + 0.2,
            1e-5,
            9.99999e-6,
            2f64.powi(50),
            2f64.powi(50) - 1.0,
            2f64.powi(53),
            123456.7890123,
        ] {
            assert_eq!(ours(v), theirs(v), "{v:e}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 16 } else { 20_000 }))]
        /// Odd multiples of `2^-k`, the exact way's values, and their
        /// neighbours (one ulp off: not exact any more), against ryu.
        #[test]
        fn binary_fractions_match_ryu(odd in any::<u64>(), k in 0i32..12, shift in 0u32..60, ulps in -1i64..=1) {
            let odd = ((odd >> 11) >> shift) | 1;
            let v = odd as f64 * 2f64.powi(-k);
            let v = f64::from_bits((v.to_bits() as i64 + ulps) as u64);
            prop_assert_eq!(ours(v), theirs(v));
        }

        #[test]
        fn any_bits_match_ryu(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            if v.is_finite() {
                prop_assert_eq!(ours(v), theirs(v));
            }
        }

        #[test]
        fn decimals_match_ryu(m in any::<i64>(), k in 0u32..12, shift in 0u32..20) {
            let v = (m >> shift) as f64 / 10f64.powi(k as i32);
            prop_assert_eq!(ours(v), theirs(v));
        }

        #[test]
        fn near_decimals_match_ryu(m in -10_000_000i64..10_000_000, k in 0u32..10, ulps in -3i64..=3) {
            let v = m as f64 / 10f64.powi(k as i32);
            let v = f64::from_bits((v.to_bits() as i64 + ulps) as u64);
            if v.is_finite() {
                prop_assert_eq!(ours(v), theirs(v));
            }
        }
    }
}
