//! The `ts` value of a JSON line in the format the options choose: an RFC
//! 3339 string with nine, six or three fraction digits, in UTC (`Z`) or
//! local time (`+01:00`), or the Unix epoch in nanoseconds as a number.

use super::timestamp::TimestampCache;
use crate::config::TimeZone;
use crate::json_options::TimestampFormat;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Writes a record's timestamp as a JSON value (quotes included).
pub(super) struct JsonTimestamp {
    format: TimestampFormat,
    zone: TimeZone,
    cache: TimestampCache,
}

impl JsonTimestamp {
    pub(super) fn new(format: TimestampFormat, zone: TimeZone) -> Self {
        JsonTimestamp {
            format,
            zone,
            cache: TimestampCache::rfc3339(zone),
        }
    }

    /// Appends `ts_ns` (nanoseconds since the Unix epoch) as the format says.
    #[inline]
    pub(super) fn write(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        let drop_digits = match self.format {
            TimestampFormat::Rfc3339Nanos => 0,
            TimestampFormat::Rfc3339Micros => 3,
            TimestampFormat::Rfc3339Millis => 6,
            TimestampFormat::EpochNanos => {
                out.extend_from_slice(itoa::Buffer::new().format(ts_ns).as_bytes());
                return;
            }
        };
        out.push(b'"');
        self.write_rfc3339(ts_ns, drop_digits, out);
        out.push(b'"');
    }

    /// Appends `ts_ns` as RFC 3339 with nanoseconds, without quotes (the
    /// logfmt format's `ts`).
    #[inline]
    pub(super) fn write_unquoted(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        self.write_rfc3339(ts_ns, 0, out);
    }

    #[inline]
    fn write_rfc3339(&mut self, ts_ns: u64, drop_digits: usize, out: &mut Vec<u8>) {
        self.cache.write(ts_ns, out);
        out.truncate(out.len() - drop_digits);
        match self.zone {
            TimeZone::Utc => out.push(b'Z'),
            TimeZone::Local => {
                let offset = self.cache.offset_at((ts_ns / NANOS_PER_SEC) as i64);
                write_offset(offset, out);
            }
        }
    }
}

/// `+HH:MM` or `-HH:MM` (RFC 3339 has no seconds in an offset: they are
/// dropped, as for the historical offsets that had them).
fn write_offset(secs: i64, out: &mut Vec<u8>) {
    out.push(if secs < 0 { b'-' } else { b'+' });
    let minutes = secs.unsigned_abs() / 60;
    let two = |v: u64, out: &mut Vec<u8>| {
        out.push(b'0' + (v / 10 % 10) as u8);
        out.push(b'0' + (v % 10) as u8);
    };
    two(minutes / 60, out);
    out.push(b':');
    two(minutes % 60, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS: u64 = 1_763_721_045_123_456_789;

    fn render(format: TimestampFormat, zone: TimeZone) -> String {
        let mut out = Vec::new();
        JsonTimestamp::new(format, zone).write(TS, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_format_in_utc() {
        let utc = TimeZone::Utc;
        let r = |f| render(f, utc);
        assert_eq!(
            r(TimestampFormat::Rfc3339Nanos),
            "\"2025-11-21T10:30:45.123456789Z\""
        );
        assert_eq!(
            r(TimestampFormat::Rfc3339Micros),
            "\"2025-11-21T10:30:45.123456Z\""
        );
        assert_eq!(
            r(TimestampFormat::Rfc3339Millis),
            "\"2025-11-21T10:30:45.123Z\""
        );
        assert_eq!(r(TimestampFormat::EpochNanos), "1763721045123456789");
    }

    #[test]
    fn local_time_carries_its_offset() {
        let got = render(TimestampFormat::Rfc3339Millis, TimeZone::Local);
        let offset =
            crate::civil_time::utc_offset_secs(TimeZone::Local, (TS / NANOS_PER_SEC) as i64);
        let t = crate::civil_time::civil(TimeZone::Local, (TS / NANOS_PER_SEC) as i64);
        let mut want_offset = Vec::new();
        write_offset(offset, &mut want_offset);
        let want = format!(
            "\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.123{}\"",
            t.year,
            t.month,
            t.day,
            t.hour,
            t.minute,
            t.second,
            String::from_utf8(want_offset).unwrap()
        );
        assert_eq!(got, want);
    }

    #[test]
    fn offsets_east_and_west() {
        let w = |s| {
            let mut out = Vec::new();
            write_offset(s, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(w(0), "+00:00");
        assert_eq!(w(3600 + 30 * 60), "+01:30");
        assert_eq!(w(-5 * 3600), "-05:00");
        assert_eq!(w(-(9 * 3600 + 30 * 60 + 17)), "-09:30");
    }
}
