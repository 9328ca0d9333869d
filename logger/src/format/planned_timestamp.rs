//! A planned line's start (the flusher's fast lane): the `ts` key and the
//! timestamp up to its fraction (`{"ts":"2026-11-30T11:33:35.`), kept
//! for the second it was rendered for and copied as one fixed-size
//! block, then the fraction's digits written in place.
//!
//! It serves RFC 3339 in UTC with nine, six or three digits, where
//! nothing follows the fraction per record (the `Z"` is part of the
//! cached head). Other timestamp formats (the epoch, local time, a
//! `strftime` layout) and a renamed key too long for the block go through
//! `JsonTimestamp::write`. The block is rendered by the same
//! `JsonTimestamp::write`, so the bytes are the same.

use super::digits;
use super::json_timestamp::JsonTimestamp;
use super::timestamp::PREFIX_MAX;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The kept block's size: the `{"ts":"` key and the 20 bytes up to the
/// fraction's point for the years a `u64` of nanoseconds reaches, with
/// room for a renamed key.
const BLOCK: usize = 48;

/// The most [`PlannedTimestamp::write_at`] writes: the block, then the
/// fraction's at most nine digits (`digits::write_fixed` writes nine).
pub(super) const ROOM: usize = BLOCK + 9;

pub(super) struct PlannedTimestamp {
    /// The Unix second `block` was rendered for; `u64::MAX` before.
    sec: u64,
    /// The key and the timestamp up to the fraction, `len` bytes, then
    /// padding.
    block: [u8; BLOCK],
    len: usize,
    /// Fraction digits per record (9, 6 or 3); 0 when this does not
    /// apply (the format is another, or the block would not fit).
    digits: usize,
    /// `10^(9 - digits)`: the nanoseconds' digits cut.
    cut: u32,
}

impl PlannedTimestamp {
    /// For timestamps written as `ts` writes them after `key` (the `ts`
    /// key with its punctuation).
    pub(super) fn new(ts: &JsonTimestamp, key: &[u8]) -> PlannedTimestamp {
        let digits = match ts.utc_fraction_digits() {
            // The prefix up to the fraction is at most `PREFIX_MAX` bytes
            // (20 for the years a `u64` of nanoseconds reaches).
            Some(digits) if key.len() + PREFIX_MAX <= BLOCK => digits,
            _ => 0,
        };
        PlannedTimestamp {
            sec: u64::MAX,
            block: [0; BLOCK],
            len: 0,
            digits,
            cut: 10u32.pow(9 - digits.min(9) as u32),
        }
    }

    /// Whether [`PlannedTimestamp::fraction`] serves the timestamps.
    #[cfg(test)]
    fn applies(&self) -> bool {
        self.digits != 0
    }

    /// The fraction's digits of `ts_ns` (nanoseconds since the Unix
    /// epoch) as [`PlannedTimestamp::write_at`] takes them, with the block
    /// made ready for its second (rendered with `ts` after `key`, the ones
    /// given to `new`); `None` when this does not apply (the caller writes
    /// the timestamp).
    #[inline(always)]
    pub(super) fn fraction(
        &mut self,
        key: &[u8],
        ts: &mut JsonTimestamp,
        ts_ns: u64,
    ) -> Option<u32> {
        if self.digits == 0 {
            return None;
        }
        let sec = ts_ns / NANOS_PER_SEC;
        if sec != self.sec {
            self.render(key, ts, sec)?;
        }
        let nanos = (ts_ns - sec * NANOS_PER_SEC) as u32;
        Some(if self.digits == 9 {
            nanos
        } else {
            nanos / self.cut
        })
    }

    /// Writes the key and the timestamp whose `fraction` came from
    /// [`PlannedTimestamp::fraction`] (the block is its second's) at
    /// `dst`: the same bytes as the key then `JsonTimestamp::write`.
    /// Returns their number, at most [`ROOM`].
    ///
    /// # Safety
    ///
    /// `dst .. dst + ROOM` must be valid for writes.
    #[inline(always)]
    pub(super) unsafe fn write_at(&self, fraction: u32, dst: *mut u8) -> usize {
        // SAFETY: `BLOCK` bytes, then `write_fixed`'s nine after the
        // block's `len <= BLOCK`: `ROOM`, the caller's. `digits` is in
        // `1..=9` (`fraction` returned `Some`) and `fraction` below
        // `10^digits`.
        unsafe {
            dst.cast::<[u8; BLOCK]>().write_unaligned(self.block);
            digits::write_fixed(fraction, dst.add(self.len), self.digits);
        }
        self.len + self.digits
    }

    /// Renders the block for `sec` with `ts` (the fraction's digits of a
    /// whole second cut off). It fits (checked in `new`); were it not to,
    /// this turns itself off (`None`) rather than keep a cut block.
    #[cold]
    fn render(&mut self, key: &[u8], ts: &mut JsonTimestamp, sec: u64) -> Option<()> {
        let mut line = key.to_vec();
        ts.write(sec * NANOS_PER_SEC, &mut line);
        let len = line.len().saturating_sub(self.digits);
        match line.get(..len) {
            Some(block) if len <= BLOCK => {
                self.block[..len].copy_from_slice(block);
                self.len = len;
                self.sec = sec;
                Some(())
            }
            _ => {
                self.digits = 0;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TimeZone;
    use crate::json_options::TimestampFormat;

    const KEY: &[u8] = b"{\"ts\":\"";

    fn generic(format: &TimestampFormat, ts_ns: u64) -> Vec<u8> {
        let mut out = KEY.to_vec();
        JsonTimestamp::new(format, TimeZone::Utc).write(ts_ns, &mut out);
        out
    }

    /// The same bytes as the generic writer across a second's change,
    /// for each fraction width, within `ROOM` (a guard byte after it).
    #[test]
    fn same_bytes_as_json_timestamp() {
        let times = [
            1_763_721_045_123_456_789,
            1_763_721_045_999_999_999,
            1_763_721_046_000_000_000,
            1_763_721_046_000_000_001,
            0,
            u64::MAX,
        ];
        for format in [
            TimestampFormat::Rfc3339Nanos,
            TimestampFormat::Rfc3339Micros,
            TimestampFormat::Rfc3339Millis,
        ] {
            let mut ts = JsonTimestamp::new(&format, TimeZone::Utc);
            let mut planned = PlannedTimestamp::new(&ts, KEY);
            assert!(planned.applies());
            for t in times {
                let mut buf = [0xAAu8; ROOM + 1];
                let fraction = planned.fraction(KEY, &mut ts, t).unwrap();
                // SAFETY: `buf` has `ROOM` bytes and a guard.
                let n = unsafe { planned.write_at(fraction, buf.as_mut_ptr()) };
                assert_eq!(&buf[..n], &generic(&format, t)[..], "{format:?} {t}");
                assert_eq!(buf[ROOM], 0xAA);
            }
        }
    }

    /// The other formats, and a key too long for the block, are left to
    /// the generic writer.
    #[test]
    fn other_formats_are_left_to_json_timestamp() {
        let long_key = format!("{{\"{}\":\"", "t".repeat(30));
        let nanos = JsonTimestamp::new(&TimestampFormat::Rfc3339Nanos, TimeZone::Utc);
        assert!(!PlannedTimestamp::new(&nanos, long_key.as_bytes()).applies());
        for format in [
            TimestampFormat::EpochNanos,
            TimestampFormat::Strftime(crate::Strftime::new("%H")),
        ] {
            let ts = JsonTimestamp::new(&format, TimeZone::Utc);
            assert!(!PlannedTimestamp::new(&ts, b"{\"ts\":").applies());
        }
        let local = JsonTimestamp::new(&TimestampFormat::Rfc3339Nanos, TimeZone::Local);
        assert!(!PlannedTimestamp::new(&local, KEY).applies());
    }
}
