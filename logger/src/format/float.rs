//! Finite floats as `ryu` writes them (the shortest digits that read back
//! as the same `f64`), with a short path for the values logs mostly hold:
//! prices and quantities with a few decimals.
//!
//! For `v` with `|v|` in `[1e-5, 1e15)`, the short path tries `k = 0..=9`
//! decimals: `m = round(|v| * 10^k)` and checks `m / 10^k == |v|` (a
//! correctly rounded division of exact operands: `m < 2^50` and `10^k`
//! are exact in an `f64`). The first `k` that passes gives the digits
//! `m / 10^k`, which read back as `v` and are the shortest such (a shorter
//! string would have passed at a smaller `k`: a passing `m` is the nearest
//! integer to `|v| * 10^k` within 3/8 while `|v| * 10^k < 2^50`, so the
//! rounded product finds it), written in ryu's plain notation (`187.5`,
//! `100.0`, `0.00125`), the one ryu uses in that range. Anything else
//! (more than 9 decimals, 17 significant digits, huge or tiny values)
//! goes to `ryu`. A property test compares both on random values.

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
    for k in 0..POW10.len() {
        let scaled = a * POW10[k];
        if scaled >= LIMIT {
            return None;
        }
        // SAFETY: `scaled + 0.5` is in `[0.5, 2^50 + 0.5)`, finite and
        // representable as an `i64` after truncation (one instruction,
        // rather than the saturating cast's range checks). Signed: the
        // conversions of an `i64` are one instruction each way, those of
        // a `u64` a sequence.
        let m: i64 = unsafe { (scaled + 0.5).to_int_unchecked() };
        if m as f64 / POW10[k] != a {
            continue;
        }
        let m = m as u64;
        // `m / 10^k` is `|v|` exactly, so its integer part is `|v|`'s
        // (`trunc`, exact below 2^53): a conversion and a product instead
        // of two 64-bit divisions.
        // SAFETY: `a` is in `[1e-5, 1e15)`: its integer part fits an `i64`.
        let int = unsafe { a.to_int_unchecked::<i64>() } as u64;
        let frac = m - int * POW10_INT[k];
        if k > 0 && frac % 10 == 0 {
            // Not the shortest (cannot happen, see the module docs): leave
            // it to ryu rather than write a trailing zero.
            return None;
        }
        let int_len = digits::count(int);
        let frac_len = k.max(1);
        let neg = usize::from(v < 0.0);
        // SAFETY: at most `SHORT_MAX` bytes from `dst`, the caller's: the
        // sign (written always, overwritten when not negative), `int_len
        // <= 15` digits (`int < 1e15`), the point, `frac_len <= 9` digits
        // (`frac` zero-padded to `k` digits; `0` when `k == 0`).
        unsafe {
            *dst = b'-';
            let p = dst.add(neg);
            digits::write_backwards(int, p.add(int_len), int_len);
            *p.add(int_len) = b'.';
            digits::write_backwards(frac, p.add(int_len + 1 + frac_len), frac_len);
        }
        return Some(neg + int_len + 1 + frac_len);
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
        #![proptest_config(ProptestConfig::with_cases(20_000))]
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
