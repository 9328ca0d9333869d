//! A field of a planned line (the flusher's fast lane): its key and its
//! value from the record's bytes, with one reservation and one length
//! update for both when the value is a number or a short plain string.
//!
//! The bytes are those `json::write_value` writes after the key: the
//! property test `json::tests::planned_line_is_the_formatted_line` and the
//! lane's tests compare them.

use super::{digits, float};
use crate::view::Value;

/// Keys at most this long are kept padded to it and copied whole.
const PADDED: usize = 16;

/// What a planned line writes before a field's value: the key with its
/// punctuation (`,"qty":`). Its first [`PADDED`] bytes (zero-padded) are
/// kept inline and copied as one fixed-size word, the rest (of a longer
/// key) after them.
pub(crate) struct PlannedKey {
    head: [u8; PADDED],
    /// The bytes past the first [`PADDED`], if any.
    rest: Box<[u8]>,
    len: usize,
}

impl PlannedKey {
    pub(crate) fn new(key: &[u8]) -> PlannedKey {
        let mut head = [0; PADDED];
        let n = key.len().min(PADDED);
        head[..n].copy_from_slice(&key[..n]);
        PlannedKey {
            head,
            rest: key[n..].into(),
            len: key.len(),
        }
    }

    /// The bytes [`PlannedKey::copy_to`] writes: the key, and up to
    /// [`PADDED`] with a short one.
    #[inline(always)]
    fn span(&self) -> usize {
        self.len.max(PADDED)
    }

    /// The key's bytes.
    #[cfg(test)]
    fn to_vec(&self) -> Vec<u8> {
        let mut v = self.head[..self.len.min(PADDED)].to_vec();
        v.extend_from_slice(&self.rest);
        v
    }

    /// Copies the key to `dst`, and for a short key the padding after it
    /// (written over by what follows).
    ///
    /// # Safety
    ///
    /// `dst .. dst + self.span()` must be valid for writes.
    #[inline(always)]
    unsafe fn copy_to(&self, dst: *mut u8) {
        // SAFETY: `PADDED` bytes, then `rest.len()` more for a long key:
        // `span()` in all, the caller's.
        unsafe {
            dst.cast::<[u8; PADDED]>().write_unaligned(self.head);
            if !self.rest.is_empty() {
                copy_long(&self.rest, dst.add(PADDED));
            }
        }
    }
}

/// The rest of a long key.
///
/// # Safety
///
/// As `copy_nonoverlapping` to `dst` for `rest.len()` bytes.
#[cold]
unsafe fn copy_long(rest: &[u8], dst: *mut u8) {
    // SAFETY: the caller's.
    unsafe { std::ptr::copy_nonoverlapping(rest.as_ptr(), dst, rest.len()) }
}

/// Writes one field (`key`, then a value from [`crate::wire::Decoder::value_into`])
/// at the end of `out`.
pub(super) struct FieldSink<'a> {
    pub key: &'a PlannedKey,
    pub scratch: &'a mut String,
    pub out: &'a mut Vec<u8>,
}

impl FieldSink<'_> {
    /// Reserves room for the key and `max` bytes, writes the key, then the
    /// value with `value` (given where it goes; at most `max` bytes, their
    /// number returned; `None`: nothing written, the key alone is kept).
    #[inline(always)]
    fn raw(&mut self, max: usize, value: impl FnOnce(*mut u8) -> Option<usize>) -> bool {
        let key = self.key;
        self.out.reserve(key.span() + max);
        let at = self.out.len();
        // SAFETY: `reserve` leaves `span() + max` writable bytes after
        // `at`: the key's copy writes `span()` of them, the value at most
        // `max` after the key's `len <= span()`; the new length covers the
        // key and the value's bytes, all written.
        unsafe {
            let p = self.out.as_mut_ptr().add(at);
            key.copy_to(p);
            let n = value(p.add(key.len));
            self.out.set_len(at + key.len + n.unwrap_or(0));
            n.is_some()
        }
    }
}

impl crate::wire::ValueSink for FieldSink<'_> {
    #[inline(always)]
    fn u64(&mut self, v: u64) {
        // SAFETY: `raw` gives 20 bytes, the most a `u64` has digits.
        self.raw(20, |p| Some(unsafe { digits::write_u64_at(v, p) }));
    }

    #[inline(always)]
    fn i64(&mut self, v: i64) {
        // SAFETY: `raw` gives 20 bytes: the sign and at most 19 digits.
        self.raw(20, |p| Some(unsafe { digits::write_i64_at(v, p) }));
    }

    #[inline(always)]
    fn f64(&mut self, v: f64) {
        // SAFETY: `raw` gives `float::SHORT_MAX` bytes.
        let written = self.raw(float::SHORT_MAX, |p| unsafe { float::write_short_at(v, p) });
        if !written {
            super::json::write_value(self.scratch, self.out, &Value::F64(v));
        }
    }

    #[inline(always)]
    fn str(&mut self, bytes: &[u8]) {
        let written = self.raw(PADDED + 2, |p| {
            // SAFETY: `raw` gives 18 bytes, the quotes and at most 16.
            (bytes.len() <= PADDED && super::json::is_plain(bytes))
                .then(|| unsafe { super::json::write_short_plain_at(bytes, p) })
        });
        if !written {
            super::json::write_bytes(self.scratch, self.out, bytes);
        }
    }

    #[inline(always)]
    fn value(&mut self, v: Value<'_>) {
        self.raw(0, |_| Some(0));
        super::json::write_value(self.scratch, self.out, &v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_keys_are_copied_exactly() {
        for key in [
            &b""[..],
            b",\"q\":",
            b",\"sixteen_bytes_\":",
            b",\"a_key_longer_than_16\":",
        ] {
            let k = PlannedKey::new(key);
            assert_eq!(k.to_vec(), key);
            let mut out = b"{".to_vec();
            let mut scratch = String::new();
            let mut sink = FieldSink {
                key: &k,
                scratch: &mut scratch,
                out: &mut out,
            };
            crate::wire::ValueSink::u64(&mut sink, 42);
            let mut want = b"{".to_vec();
            want.extend_from_slice(key);
            want.extend_from_slice(b"42");
            assert_eq!(out, want);
        }
    }
}
