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

/// Appends `head` (a fixed-size prefix: a tag, a length) and then `bytes`
/// to `buf` with one capacity check; `bytes` of at most 16 are copied
/// by [`copy_short`], without a call to `memcpy` (the keys and short
/// string values the logging thread encodes).
#[inline(always)]
pub(crate) fn push_headed<const N: usize>(buf: &mut Vec<u8>, head: [u8; N], bytes: &[u8]) {
    if bytes.len() > 16 {
        buf.reserve(N + bytes.len());
        buf.extend_from_slice(&head);
        buf.extend_from_slice(bytes);
        return;
    }
    buf.reserve(N + 16);
    let at = buf.len();
    // SAFETY: `reserve` leaves at least `N + 16` writable bytes after
    // `at`: `head` takes `N` of them and `bytes` (at most 16, not part of
    // `buf`, which is borrowed mutably) the next ones; the new length
    // covers exactly what was written.
    unsafe {
        let p = buf.as_mut_ptr().add(at);
        p.cast::<[u8; N]>().write_unaligned(head);
        copy_short(bytes, p.add(N));
        buf.set_len(at + N + bytes.len());
    }
}

/// Appends `b` to `out`: up to 16 bytes with [`copy_short`], longer
/// slices with `extend_from_slice` ([`push_headed`] with no head).
#[inline(always)]
pub(crate) fn extend_short(out: &mut Vec<u8>, b: &[u8]) {
    push_headed(out, [], b);
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

    #[test]
    fn push_headed_appends_the_head_then_every_length() {
        let src: Vec<u8> = (1..=40u8).collect();
        for n in 0..=40 {
            for spare in [0, 3, 16, 64] {
                let mut buf = Vec::with_capacity(2 + spare);
                buf.extend_from_slice(&[9, 9]);
                super::push_headed(&mut buf, [7u8, 8, 9], &src[..n]);
                let mut want = vec![9, 9, 7, 8, 9];
                want.extend_from_slice(&src[..n]);
                assert_eq!(buf, want, "n {n}, spare {spare}");
            }
        }
    }
}
