//! A planned line (the flusher's fast lane) written through a pointer
//! into room reserved once: what comes before the fields (the timestamp,
//! the kept head), then each field's key and its value from the record's
//! bytes, then the line's end, with one length update at the end.
//!
//! Each [`PlannedKey`] knows the room the line needs from it to the end
//! (its key, the most its value takes on the fast way, the same for every
//! later field, and the line's end), so [`PlannedLine::new`] reserves
//! once and each field is a key copy and a value written in place; the
//! length is set at the end ([`PlannedLine::finish`]). A value that may
//! take more (a long string, one needing escapes, a float off the short
//! path, the rarer kinds) goes through the `Vec` writers, and the room for
//! the fields after it is reserved again.
//!
//! The bytes are those `json::write_value` writes after the key: the
//! property test `json::tests::planned_line_is_the_formatted_line` and the
//! lane's tests compare them.

use super::{digits, float};
use crate::view::Value;

/// A key is kept in words of this many bytes, zero-padded, and copied a
/// word at a time.
const WORD: usize = 16;

/// Keys at most this long (two words) are copied without a call to
/// `memcpy`: the first field's key holds the fields' opening
/// (`,"fields":{"symbol":`, 21 bytes).
const INLINE: usize = 2 * WORD;

/// The most a value takes on the fast way: a `u64` or `i64` (20), a
/// finite float on its short path ([`float::SHORT_MAX`], 26), a plain
/// string of at most 16 bytes with its quotes (18).
const VALUE_ROOM: usize = float::SHORT_MAX;

/// What ends a line after its fields: `}` (the fields' object) and `}\n`.
const LINE_END: &[u8; 3] = b"}}\n";

/// What a planned line writes before a field's value: the key with its
/// punctuation (`,"qty":`). Its first [`INLINE`] bytes (zero-padded) are
/// kept inline and copied as one or two fixed-size words, the rest (of a
/// longer key) after them.
pub(crate) struct PlannedKey {
    words: [[u8; WORD]; 2],
    /// The bytes past the first [`INLINE`], if any.
    rest: Box<[u8]>,
    len: usize,
    /// The room the line needs from this key on: each key's `span()` and
    /// [`VALUE_ROOM`], from this field to the last, and [`LINE_END`].
    room: usize,
}

impl PlannedKey {
    /// The keys of a line's fields, in order (`keys`: what is written
    /// before each value).
    pub(crate) fn for_line<K: AsRef<[u8]>>(keys: &[K]) -> Box<[PlannedKey]> {
        let mut planned: Box<[PlannedKey]> =
            keys.iter().map(|k| PlannedKey::new(k.as_ref())).collect();
        let mut room = LINE_END.len();
        for key in planned.iter_mut().rev() {
            room += key.span() + VALUE_ROOM;
            key.room = room;
        }
        planned
    }

    fn new(key: &[u8]) -> PlannedKey {
        let mut words = [[0; WORD]; 2];
        for (word, chunk) in words.iter_mut().zip(key.chunks(WORD)) {
            word[..chunk.len()].copy_from_slice(chunk);
        }
        PlannedKey {
            words,
            rest: key.get(INLINE..).unwrap_or_default().into(),
            len: key.len(),
            room: 0,
        }
    }

    /// The bytes [`PlannedKey::copy_to`] writes: the key, padded to one
    /// word, or to two when longer.
    #[inline(always)]
    fn span(&self) -> usize {
        match self.len {
            0..=WORD => WORD,
            len => len.max(INLINE),
        }
    }

    /// The room the line needs after this field's value.
    #[inline(always)]
    fn room_after(&self) -> usize {
        self.room - self.span() - VALUE_ROOM
    }

    /// The key's bytes.
    #[cfg(test)]
    fn to_vec(&self) -> Vec<u8> {
        let mut v = self.words.concat();
        v.truncate(self.len.min(INLINE));
        v.extend_from_slice(&self.rest);
        v
    }

    /// Copies the key to `dst`, with the padding of its last word after
    /// it (written over by what follows).
    ///
    /// # Safety
    ///
    /// `dst .. dst + self.span()` must be valid for writes.
    #[inline(always)]
    unsafe fn copy_to(&self, dst: *mut u8) {
        // SAFETY: one word; a second for a key longer than one; then
        // `rest.len()` more for a key longer than two: `span()` in all,
        // the caller's.
        unsafe {
            dst.cast::<[u8; WORD]>().write_unaligned(self.words[0]);
            if self.len > WORD {
                dst.add(WORD)
                    .cast::<[u8; WORD]>()
                    .write_unaligned(self.words[1]);
                if !self.rest.is_empty() {
                    copy_long(&self.rest, dst.add(INLINE));
                }
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

/// Writes a planned line at the end of `out`: made by
/// [`PlannedLine::new`] with the room for what comes before the fields,
/// [`PlannedLine::put`] for that, one [`PlannedLine::field`] per key in
/// order, then [`PlannedLine::finish`] (or [`PlannedLine::finish_bare`]
/// for a line without fields).
///
/// Invariant: `at` is within `out`'s allocation, every byte from
/// `out.as_ptr()` to `at` is initialized (`out`'s bytes, then what was
/// written), and from `at` there is writable room for what the line
/// still needs: `before` bytes before the fields, then the next key's
/// `room` (or [`LINE_END`] after the last).
pub(super) struct PlannedLine<'a> {
    out: &'a mut Vec<u8>,
    scratch: &'a mut String,
    at: *mut u8,
    /// The room left for what comes before the fields.
    before: usize,
}

impl<'a> PlannedLine<'a> {
    /// Reserves room for `before` bytes, then `keys` (a line's; none for
    /// a line without fields) and the line's end, after `out`'s bytes.
    #[inline(always)]
    pub(super) fn new(
        before: usize,
        keys: &[PlannedKey],
        scratch: &'a mut String,
        out: &'a mut Vec<u8>,
    ) -> PlannedLine<'a> {
        let room = keys.first().map_or(LINE_END.len(), |k| k.room);
        out.reserve(before + room);
        // SAFETY: `len <= capacity`: the end of the initialized bytes,
        // with `before + room` writable bytes after it (the invariant).
        let at = unsafe { out.as_mut_ptr().add(out.len()) };
        PlannedLine {
            out,
            scratch,
            at,
            before,
        }
    }

    /// Copies `bytes` (part of what comes before the fields); false, and
    /// nothing written, when they exceed the room left for that.
    #[inline(always)]
    pub(super) fn put(&mut self, bytes: &[u8]) -> bool {
        let Some(left) = self.before.checked_sub(bytes.len()) else {
            return false;
        };
        // SAFETY: `bytes.len()` of the `before` bytes of room at `at`
        // (the invariant), which then moves past them, all written.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.at, bytes.len());
            self.at = self.at.add(bytes.len());
        }
        self.before = left;
        true
    }

    /// Writes with `write` (given where) at most `max` bytes: part of
    /// what comes before the fields; false, and nothing written, when
    /// `max` exceeds the room left for that.
    ///
    /// # Safety
    ///
    /// `write(p)` writes within `p .. p + max` and returns the number of
    /// bytes from `p` it wrote, all initialized.
    #[inline(always)]
    pub(super) unsafe fn put_with(
        &mut self,
        max: usize,
        write: impl FnOnce(*mut u8) -> usize,
    ) -> bool {
        if max > self.before {
            return false;
        }
        // SAFETY: `write` keeps within `max <= before` bytes of room at
        // `at` (the invariant), and `at` moves past those it wrote (at
        // most `max`).
        unsafe {
            let n = write(self.at);
            self.at = self.at.add(n);
            self.before -= n;
        }
        true
    }

    /// The sink for the value after `key`, the next of the line's keys.
    #[inline(always)]
    pub(super) fn field<'f>(&'f mut self, key: &'f PlannedKey) -> Field<'f, 'a> {
        Field { line: self, key }
    }

    /// Writes the line's end after its fields and sets `out`'s length:
    /// after the last field.
    #[inline(always)]
    pub(super) fn finish(self) {
        // SAFETY: the invariant: the `before` bytes were reserved as well,
        // and `LINE_END` fits at `at` after the last field (the room it
        // leaves); every byte from the start of `out` to `at + 3` is then
        // initialized.
        unsafe {
            self.at.cast::<[u8; 3]>().write_unaligned(*LINE_END);
            let len = self.at.add(LINE_END.len()).offset_from(self.out.as_ptr());
            self.out.set_len(len as usize);
        }
    }

    /// Writes the end of a line without fields (`}\n`) and sets `out`'s
    /// length.
    #[inline(always)]
    pub(super) fn finish_bare(self) {
        // SAFETY: as in `finish`: `new` reserved `LINE_END`'s 3 bytes
        // (no keys), and 2 of them are written.
        unsafe {
            self.at.cast::<[u8; 2]>().write_unaligned(*b"}\n");
            let len = self.at.add(2).offset_from(self.out.as_ptr());
            self.out.set_len(len as usize);
        }
    }

    /// Writes `key`, then the value with `value` (given where it goes; at
    /// most [`VALUE_ROOM`] bytes, their number returned; `None`: nothing
    /// written, the value is for [`PlannedLine::through_vec`]). The room
    /// for `key`'s field is there (the invariant).
    #[inline(always)]
    fn fast(&mut self, key: &PlannedKey, value: impl FnOnce(*mut u8) -> Option<usize>) -> bool {
        // SAFETY: the invariant gives `key.room >= span() + VALUE_ROOM`
        // bytes at `at`: the key's copy writes `span()` of them, the value
        // at most `VALUE_ROOM` after the key's `len <= span()`. `at` then
        // moves past the key and the value's bytes, all written, leaving
        // at least `key.room_after()` bytes of room: the next key's
        // `room`, or `LINE_END`'s after the last.
        unsafe {
            key.copy_to(self.at);
            let p = self.at.add(key.len);
            match value(p) {
                Some(n) => {
                    self.at = p.add(n);
                    true
                }
                None => {
                    self.at = p;
                    false
                }
            }
        }
    }

    /// Writes a value with `write` through `out` (after the key `fast`
    /// wrote), then reserves the room the fields after `key` need again.
    #[inline(never)]
    fn through_vec(&mut self, key: &PlannedKey, write: impl FnOnce(&mut String, &mut Vec<u8>)) {
        // SAFETY: every byte up to `at` is initialized and within the
        // allocation (the invariant).
        unsafe {
            let len = self.at.offset_from(self.out.as_ptr()) as usize;
            self.out.set_len(len);
        }
        write(self.scratch, self.out);
        self.out.reserve(key.room_after());
        // Nothing is written before the fields once they have started.
        self.before = 0;
        // SAFETY: as in `new`: the invariant holds again.
        self.at = unsafe { self.out.as_mut_ptr().add(self.out.len()) };
    }
}

/// The sink [`crate::wire::Decoder::value_into`] writes one field's value
/// to, with its key before it.
pub(super) struct Field<'f, 'a> {
    line: &'f mut PlannedLine<'a>,
    key: &'f PlannedKey,
}

impl crate::wire::ValueSink for Field<'_, '_> {
    #[inline(always)]
    fn u64(&mut self, v: u64) {
        // SAFETY: `fast` gives `VALUE_ROOM >= 20` bytes, the most
        // `write_u64_at` writes.
        self.line
            .fast(self.key, |p| Some(unsafe { digits::write_u64_at(v, p) }));
    }

    #[inline(always)]
    fn i64(&mut self, v: i64) {
        // SAFETY: `fast` gives `VALUE_ROOM >= 20` bytes, the most
        // `write_i64_at` writes.
        self.line
            .fast(self.key, |p| Some(unsafe { digits::write_i64_at(v, p) }));
    }

    #[inline(always)]
    fn f64(&mut self, v: f64) {
        let key = self.key;
        // Not through `fast` with a closure: the compiler kept that
        // closure out of line, a call per float.
        // SAFETY: as in `fast`: the key's `span()` and `VALUE_ROOM =
        // float::SHORT_MAX` bytes for the value are at `at`; `at` moves
        // past the key and the bytes written.
        let written = unsafe {
            key.copy_to(self.line.at);
            let p = self.line.at.add(key.len);
            let n = float::write_short_at(v, p);
            self.line.at = p.add(n.unwrap_or(0));
            n.is_some()
        };
        if !written {
            self.line.through_vec(key, |scratch, out| {
                super::json::write_value(scratch, out, &Value::F64(v))
            });
        }
    }

    #[inline(always)]
    fn str(&mut self, bytes: &[u8]) {
        let key = self.key;
        let written = self.line.fast(key, |p| {
            // SAFETY: `fast` gives `VALUE_ROOM >= 18` bytes, the quotes
            // and at most 16.
            (bytes.len() <= 16 && super::json::is_plain(bytes))
                .then(|| unsafe { super::json::write_short_plain_at(bytes, p) })
        });
        if !written {
            self.line.through_vec(key, |scratch, out| {
                super::json::write_bytes(scratch, out, bytes)
            });
        }
    }

    #[inline(always)]
    fn value(&mut self, v: Value<'_>) {
        let key = self.key;
        self.line.fast(key, |_| None);
        self.line.through_vec(key, |scratch, out| {
            super::json::write_value(scratch, out, &v)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ValueSink;

    /// Writes `values` after `keys` through `PlannedLine`, after `{`, into
    /// a buffer with no room but `new`'s reservation.
    fn line(keys: &[&[u8]], values: impl FnOnce(&[PlannedKey], &mut PlannedLine<'_>)) -> Vec<u8> {
        let planned = PlannedKey::for_line(keys);
        let mut out = Vec::new();
        let mut scratch = String::new();
        let mut line = PlannedLine::new(1, &planned, &mut scratch, &mut out);
        assert!(line.put(b"{"));
        assert!(!line.put(b"{"), "more than the room before the fields");
        values(&planned, &mut line);
        line.finish();
        out
    }

    #[test]
    fn short_and_long_keys_are_copied_exactly() {
        for key in [
            &b""[..],
            b",\"q\":",
            b",\"sixteen_bytes_\":",
            b",\"a_key_longer_than_16\":",
            b",\"thirty_two_bytes_in_a_key___\":",
            b",\"a_key_longer_than_two_words__\":",
        ] {
            assert_eq!(PlannedKey::new(key).to_vec(), key);
            let out = line(&[key], |k, f| f.field(&k[0]).u64(42));
            let mut want = b"{".to_vec();
            want.extend_from_slice(key);
            want.extend_from_slice(b"42}}\n");
            assert_eq!(out, want);
        }
    }

    /// Every value kind at its longest on the fast way, and values that
    /// go through the `Vec` writers between them (the room reserved
    /// again), after short and long keys: the bytes `write_value` writes.
    #[test]
    fn each_kind_at_its_longest_within_the_room() {
        let long_key = &b",\"a_key_longer_than_sixteen_bytes\":"[..];
        let keys = [
            &b",\"a\":"[..],
            long_key,
            b",\"b\":",
            long_key,
            b",\"c\":",
            b",\"d\":",
            b",\"e\":",
            b",\"f\":",
        ];
        let long_str = "x".repeat(300);
        let values = [
            Value::U64(u64::MAX),
            Value::I64(i64::MIN),
            Value::F64(-123456789012345.6),
            Value::Str(b"sixteen plain by"),
            Value::Str(long_str.as_bytes()),
            Value::Str(b"needs \"escape\""),
            Value::F64(1e300),
            Value::Bool(true),
        ];
        let out = line(&keys, |k, f| {
            for (key, v) in k.iter().zip(&values) {
                let mut sink = f.field(key);
                match *v {
                    Value::U64(x) => sink.u64(x),
                    Value::I64(x) => sink.i64(x),
                    Value::F64(x) => sink.f64(x),
                    Value::Str(b) => sink.str(b),
                    other => sink.value(other),
                }
            }
        });
        let mut want = b"{".to_vec();
        let mut scratch = String::new();
        for (key, v) in keys.iter().zip(&values) {
            want.extend_from_slice(key);
            super::super::json::write_value(&mut scratch, &mut want, v);
        }
        want.extend_from_slice(b"}}\n");
        assert_eq!(
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&want)
        );
    }
}
