//! A copy of at most 16 bytes without a call to `memcpy`: the short
//! pieces `core::fmt` hands the `log` adapter on the logging thread, and
//! the short strings and keys the JSON formatter writes on the flusher,
//! and the literal parts of a macro's message template.

/// Copies `src` (at most 16 bytes) to `dst` with overlapping word copies
/// instead of a call to `memcpy`.
///
/// # Safety
///
/// `dst .. dst + src.len()` must be valid for writes and not overlap `src`.
#[inline(always)]
pub(crate) unsafe fn copy_short(src: &[u8], dst: *mut u8) {
    let n = src.len();
    debug_assert!(n <= 16);
    let s = src.as_ptr();
    // SAFETY: every read is within `src` (`n` bytes) and every write
    // within `dst .. dst + n`: with 8 <= n <= 16 the two 8-byte copies
    // cover `[0, 8)` and `[n - 8, n)`, with 4 <= n < 8 the two 4-byte
    // ones `[0, 4)` and `[n - 4, n)`, with 1 <= n < 4 the three bytes
    // `0`, `n / 2` and `n - 1` are all of them.
    unsafe {
        if n >= 8 {
            let head = s.cast::<u64>().read_unaligned();
            let tail = s.add(n - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(head);
            dst.add(n - 8).cast::<u64>().write_unaligned(tail);
        } else if n >= 4 {
            let head = s.cast::<u32>().read_unaligned();
            let tail = s.add(n - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(head);
            dst.add(n - 4).cast::<u32>().write_unaligned(tail);
        } else if n > 0 {
            *dst = *s;
            *dst.add(n / 2) = *s.add(n / 2);
            *dst.add(n - 1) = *s.add(n - 1);
        }
    }
}

/// Appends `b` to `out`: up to 16 bytes with [`copy_short`], longer
/// slices with `extend_from_slice`.
#[inline(always)]
pub(crate) fn extend_short(out: &mut Vec<u8>, b: &[u8]) {
    let n = b.len();
    if n > 16 {
        out.extend_from_slice(b);
        return;
    }
    out.reserve(16);
    let len = out.len();
    // SAFETY: `reserve(16)` leaves at least 16 writable bytes after `len`;
    // `copy_short` writes exactly `[len, len + n)`, which is initialised
    // before `set_len` covers it; `b` cannot overlap `out`, which we hold
    // mutably.
    unsafe {
        copy_short(b, out.as_mut_ptr().add(len));
        out.set_len(len + n);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn extend_short_appends_every_length() {
        let src: Vec<u8> = (1..=40u8).collect();
        for n in 0..=40 {
            let mut out = vec![0xaa; 3];
            super::extend_short(&mut out, &src[..n]);
            assert_eq!(out[..3], [0xaa; 3]);
            assert_eq!(&out[3..], &src[..n], "n {n}");
        }
    }

    #[test]
    fn every_length_is_copied_exactly() {
        let src: Vec<u8> = (1..=16u8).collect();
        for n in 0..=16 {
            let mut dst = [0u8; 18];
            // SAFETY: `dst[1..]` has 17 bytes, more than `n`, and is not `src`.
            unsafe { super::copy_short(&src[..n], dst.as_mut_ptr().add(1)) };
            assert_eq!(&dst[1..1 + n], &src[..n], "n {n}");
            assert!(
                dst[0] == 0 && dst[1 + n..].iter().all(|&b| b == 0),
                "n {n}: wrote outside"
            );
        }
    }
}
