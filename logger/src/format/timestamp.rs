//! Cached timestamp rendering shared by both formatters.
//!
//! Records arrive on the flusher in (nearly) timestamp order, so almost every
//! record falls in the same second as the one before it. [`TimestampCache`]
//! keeps the rendered `YYYY-MM-DD?HH:MM:SS.` prefix of the last second seen
//! and re-renders it only when the second changes; a record then costs one
//! 20-byte copy plus the nine nanosecond digits.
//!
//! For [`TimeZone::Local`] the UTC offset is looked up at most twice per
//! hour (at both ends of the hour; when they differ, the hour holds a
//! transition and the offset is looked up once per second within it).

use crate::civil_time::{civil_with_offset, utc_offset_secs};
use crate::config::TimeZone;

const NANOS_PER_SEC: u64 = 1_000_000_000;
const SECS_PER_HOUR: i64 = 3600;

use super::digits::DIGIT_PAIRS;

/// Room for the rendered prefix (20 bytes for years 0-9999, at most 32).
pub(super) const PREFIX_MAX: usize = 32;

/// Renders `YYYY-MM-DD?HH:MM:SS.nnnnnnnnn` (`?` being the date-time
/// separator), caching everything up to the `.` per second.
pub(crate) struct TimestampCache {
    /// Separator between the date and the time: `T` (RFC 3339) or ` `.
    sep: u8,
    /// Unix second whose prefix is in `prefix`; `u64::MAX` before the first.
    sec: u64,
    /// The rendered prefix, `prefix_len` bytes, ending with `.`.
    prefix: [u8; PREFIX_MAX],
    prefix_len: usize,
    offset: OffsetCache,
}

impl TimestampCache {
    /// `2026-11-21 10:30:45.123456789` in `tz`, without a zone suffix.
    pub(crate) fn text(tz: TimeZone) -> Self {
        Self::with_offset(b' ', OffsetCache::new(tz))
    }

    /// RFC 3339 in `tz` (`2026-11-21T11:30:45.123456789`; the caller
    /// writes the zone, from [`TimestampCache::offset_at`]).
    pub(crate) fn rfc3339(tz: TimeZone) -> Self {
        Self::with_offset(b'T', OffsetCache::new(tz))
    }

    /// Seconds east of UTC in force at Unix second `secs` in this cache's
    /// zone (0 for UTC; cached per hour like the prefix's).
    #[inline]
    pub(crate) fn offset_at(&mut self, secs: i64) -> i64 {
        self.offset.at(secs)
    }

    fn with_offset(sep: u8, offset: OffsetCache) -> Self {
        TimestampCache {
            sep,
            sec: u64::MAX,
            prefix: [0; PREFIX_MAX],
            prefix_len: 0,
            offset,
        }
    }

    /// Appends the timestamp of `ts_ns` (nanoseconds since the Unix epoch).
    #[inline]
    pub(crate) fn write(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        let sec = ts_ns / NANOS_PER_SEC;
        let nanos = (ts_ns % NANOS_PER_SEC) as u32;
        if sec != self.sec {
            self.render_prefix(sec);
        }
        out.reserve(PREFIX_MAX + 9);
        let at = out.len();
        // SAFETY: `reserve` leaves room for the whole `prefix` array (its
        // bytes past `prefix_len` are overwritten by the digits or lie past
        // the new length) and the nine digits after `prefix_len`; every
        // byte up to the new length is written.
        unsafe {
            let dst = out.as_mut_ptr().add(at);
            std::ptr::copy_nonoverlapping(self.prefix.as_ptr(), dst, PREFIX_MAX);
            write_nanos(nanos, dst.add(self.prefix_len));
            out.set_len(at + self.prefix_len + 9);
        }
    }

    #[cold]
    fn render_prefix(&mut self, sec: u64) {
        // `u64` nanoseconds end in 2554: the seconds always fit an `i64`.
        let secs = sec as i64;
        let t = civil_with_offset(secs + self.offset.at(secs));
        let p = &mut self.prefix;
        let mut n = 0;
        if (0..=9999).contains(&t.year) {
            let y = t.year as u32;
            put2(p, 0, y / 100);
            put2(p, 2, y % 100);
            n = 4;
        } else {
            // Out of any range a `u64` of nanoseconds reaches, but stay
            // correct rather than truncate.
            let mut buf = itoa::Buffer::new();
            for &b in buf.format(t.year).as_bytes() {
                p[n] = b;
                n += 1;
            }
        }
        p[n] = b'-';
        put2(p, n + 1, t.month);
        p[n + 3] = b'-';
        put2(p, n + 4, t.day);
        p[n + 6] = self.sep;
        put2(p, n + 7, t.hour);
        p[n + 9] = b':';
        put2(p, n + 10, t.minute);
        p[n + 12] = b':';
        put2(p, n + 13, t.second);
        p[n + 15] = b'.';
        self.prefix_len = n + 16;
        self.sec = sec;
    }
}

/// Writes two decimal digits of `v` (< 100) at `buf[at..at + 2]`.
#[inline]
fn put2(buf: &mut [u8], at: usize, v: u32) {
    let i = (v as usize % 100) * 2;
    buf[at..at + 2].copy_from_slice(&DIGIT_PAIRS[i..i + 2]);
}

/// Writes `nanos` (< 10^9) as exactly nine digits at `dst`.
///
/// # Safety
///
/// `dst .. dst + 9` must be valid for writes.
#[inline(always)]
unsafe fn write_nanos(nanos: u32, dst: *mut u8) {
    // SAFETY: the caller's nine bytes (`write_fixed` with 9 digits writes
    // exactly those).
    unsafe { super::digits::write_fixed(nanos, dst, 9) }
}

/// Writes `nanos` (< 10^9) as exactly nine digits into `buf`.
#[inline]
pub(super) fn write_digits(nanos: u32, buf: &mut [u8; 9]) {
    // SAFETY: `buf` is nine writable bytes.
    unsafe { write_nanos(nanos, buf.as_mut_ptr()) }
}

/// UTC offset of a time zone, cached per hour.
pub(super) struct OffsetCache {
    tz: TimeZone,
    /// Offset lookup; `utc_offset_secs` except in tests.
    lookup: fn(TimeZone, i64) -> i64,
    /// Start of the cached hour; `i64::MIN` before the first lookup.
    hour: i64,
    /// Offset at the start of the cached hour.
    offset: i64,
    /// Whether the offset is the same at both ends of the cached hour.
    uniform: bool,
}

impl OffsetCache {
    pub(super) fn new(tz: TimeZone) -> Self {
        Self::with_lookup(tz, utc_offset_secs)
    }

    fn with_lookup(tz: TimeZone, lookup: fn(TimeZone, i64) -> i64) -> Self {
        OffsetCache {
            tz,
            lookup,
            hour: i64::MIN,
            offset: 0,
            uniform: true,
        }
    }

    /// Seconds east of UTC in force at `secs`.
    pub(super) fn at(&mut self, secs: i64) -> i64 {
        if self.tz == TimeZone::Utc {
            return 0;
        }
        let hour = secs - secs.rem_euclid(SECS_PER_HOUR);
        if hour != self.hour {
            self.hour = hour;
            self.offset = (self.lookup)(self.tz, hour);
            // Offsets change at most once an hour: equal ends mean the
            // whole hour has one offset. Otherwise (a DST change, at any
            // minute, e.g. Lord Howe's on the half hour) look up every
            // second of this hour.
            self.uniform = (self.lookup)(self.tz, hour + SECS_PER_HOUR - 1) == self.offset;
        }
        if self.uniform {
            self.offset
        } else {
            (self.lookup)(self.tz, secs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(cache: &mut TimestampCache, ts_ns: u64) -> String {
        let mut out = Vec::new();
        cache.write(ts_ns, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn utc_rfc3339() {
        let mut c = TimestampCache::rfc3339(TimeZone::Utc);
        assert_eq!(
            render(&mut c, 1_763_721_045_123_456_789),
            "2025-11-21T10:30:45.123456789"
        );
        // Same second: cached prefix, new digits.
        assert_eq!(
            render(&mut c, 1_763_721_045_000_000_007),
            "2025-11-21T10:30:45.000000007"
        );
        // Next second.
        assert_eq!(
            render(&mut c, 1_763_721_046_000_000_000),
            "2025-11-21T10:30:46.000000000"
        );
        // Back in time (records out of order): re-rendered, not stale.
        assert_eq!(
            render(&mut c, 1_763_721_044_999_999_999),
            "2025-11-21T10:30:44.999999999"
        );
    }

    #[test]
    fn day_month_year_boundaries() {
        let mut c = TimestampCache::rfc3339(TimeZone::Utc);
        // 2025-11-21 00:00:00Z is 1_763_683_200.
        let end_of_day = (1_763_683_200 + 86_399) * NANOS_PER_SEC + 999_999_999;
        assert_eq!(render(&mut c, end_of_day), "2025-11-21T23:59:59.999999999");
        assert_eq!(
            render(&mut c, end_of_day + 1),
            "2025-11-22T00:00:00.000000000"
        );
        // 2025-12-31T23:59:59Z = 1_767_225_599.
        let ny = 1_767_225_599 * NANOS_PER_SEC + 500_000_000;
        assert_eq!(render(&mut c, ny), "2025-12-31T23:59:59.500000000");
        assert_eq!(
            render(&mut c, ny + 500_000_000),
            "2026-01-01T00:00:00.000000000"
        );
        // Leap day 2024-02-29T12:00:00Z = 1_709_208_000.
        assert_eq!(
            render(&mut c, 1_709_208_000 * NANOS_PER_SEC + 1),
            "2024-02-29T12:00:00.000000001"
        );
        assert_eq!(render(&mut c, 0), "1970-01-01T00:00:00.000000000");
        assert_eq!(render(&mut c, u64::MAX), "2554-07-21T23:34:33.709551615");
    }

    #[test]
    fn text_separator_and_utc() {
        let mut c = TimestampCache::text(TimeZone::Utc);
        assert_eq!(
            render(&mut c, 1_763_721_045_123_456_789),
            "2025-11-21 10:30:45.123456789"
        );
    }

    #[test]
    fn nanos_digits() {
        for (n, s) in [
            (0, "000000000"),
            (1, "000000001"),
            (10, "000000010"),
            (123_456_789, "123456789"),
            (999_999_999, "999999999"),
            (100_000_000, "100000000"),
        ] {
            let mut out = [b'x'; 11];
            // SAFETY: bytes 1..10 of an 11-byte array.
            unsafe { write_nanos(n, out.as_mut_ptr().add(1)) };
            assert_eq!(&out[1..10], s.as_bytes());
            assert_eq!((out[0], out[10]), (b'x', b'x'));
        }
    }

    /// A fake zone: UTC+10:30, then UTC+11 from 1_763_721_000 + 1800 on
    /// (a change on the half hour, as at Lord Howe Island).
    fn fake_lookup(_: TimeZone, secs: i64) -> i64 {
        if secs < 1_763_719_200 + 1800 {
            10 * 3600 + 1800
        } else {
            11 * 3600
        }
    }

    #[test]
    fn local_offset_change_inside_an_hour() {
        // 1_763_719_200 is 2025-11-21T10:00:00Z, an hour start.
        let mut c = TimestampCache::with_offset(
            b' ',
            OffsetCache::with_lookup(TimeZone::Local, fake_lookup),
        );
        // 10:29:59Z + 10:30 = 20:59:59.
        assert_eq!(
            render(&mut c, (1_763_719_200 + 1799) * NANOS_PER_SEC),
            "2025-11-21 20:59:59.000000000"
        );
        // 10:30:00Z + 11:00 = 21:30:00.
        assert_eq!(
            render(&mut c, (1_763_719_200 + 1800) * NANOS_PER_SEC),
            "2025-11-21 21:30:00.000000000"
        );
        // Next hour: uniform again.
        assert_eq!(
            render(&mut c, (1_763_719_200 + 3600) * NANOS_PER_SEC),
            "2025-11-21 22:00:00.000000000"
        );
        assert!(c.offset.uniform);
    }

    /// Sweeps 2025 (both DST changes of any zone with DST) and checks the
    /// cached rendering against `civil` in the process's time zone. Run
    /// with e.g. `TZ=Australia/Lord_Howe` to exercise a half-hour change.
    #[test]
    fn local_sweep_matches_civil_time() {
        let mut c = TimestampCache::text(TimeZone::Local);
        let mut secs: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
        while secs < 1_767_225_600 {
            let t = crate::civil_time::civil(TimeZone::Local, secs);
            let want = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000000000",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            );
            assert_eq!(render(&mut c, secs as u64 * NANOS_PER_SEC), want, "{secs}");
            secs += 997;
        }
    }

    #[test]
    fn local_matches_civil_time() {
        let mut c = TimestampCache::text(TimeZone::Local);
        for secs in [
            0_i64,
            1_763_721_045,
            1_743_296_400,
            1_761_440_400,
            1_900_000_000,
        ] {
            let t = crate::civil_time::civil(TimeZone::Local, secs);
            let want = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000000042",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            );
            assert_eq!(render(&mut c, secs as u64 * NANOS_PER_SEC + 42), want);
        }
    }
}
