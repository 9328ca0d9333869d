//! The `ts` value of a JSON line in the format the options choose: an RFC
//! 3339 string with nine, six or three fraction digits, in UTC (`Z`) or
//! local time (`+01:00`), the Unix epoch in nanoseconds as a number, or
//! a string in a `strftime` layout (`format::time_layout`).

use super::time_layout::TimeWriter;
use super::timestamp::TimestampCache;
use crate::config::TimeZone;
use crate::json_options::TimestampFormat;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Writes a record's timestamp as a JSON value, without what the caller
/// writes with the keys around it: the opening quote of the RFC 3339
/// formats ([`JsonTimestamp::opens_quote`]) and the suffix that is the
/// same for every record ([`JsonTimestamp::fixed_suffix`]: `Z"` in UTC).
pub(super) struct JsonTimestamp {
    /// Nanoseconds since the epoch as a number.
    epoch: bool,
    /// Fraction digits cut from the nine: 0, 3 or 6.
    cut: usize,
    zone: TimeZone,
    cache: TimestampCache,
    /// A `strftime` layout (its literals JSON-escaped), instead of RFC 3339.
    strftime: Option<TimeWriter>,
}

impl JsonTimestamp {
    pub(super) fn new(format: &TimestampFormat, zone: TimeZone) -> Self {
        // A layout that does not compile was refused by `install()`.
        let strftime = match format {
            TimestampFormat::Strftime(s) => s.layout().ok().map(|layout| {
                let escaped = layout.map_literals(|lit| {
                    let quoted = serde_json::to_string(lit).unwrap_or_default();
                    quoted[1..quoted.len().max(2) - 1].to_string()
                });
                TimeWriter::new(escaped, zone)
            }),
            _ => None,
        };
        JsonTimestamp {
            strftime,
            epoch: *format == TimestampFormat::EpochNanos,
            cut: match format {
                TimestampFormat::Rfc3339Micros => 3,
                TimestampFormat::Rfc3339Millis => 6,
                TimestampFormat::Rfc3339Nanos
                | TimestampFormat::EpochNanos
                | TimestampFormat::Strftime(_) => 0,
            },
            zone,
            cache: TimestampCache::rfc3339(zone),
        }
    }

    /// Whether the value is a string, whose opening quote the caller
    /// writes.
    pub(super) fn opens_quote(&self) -> bool {
        !self.epoch
    }

    /// What follows every value's own digits: `Z"` for RFC 3339 in UTC,
    /// nothing for an epoch count; `None` in local time, whose offset
    /// [`JsonTimestamp::write`] writes per record with the closing quote.
    pub(super) fn fixed_suffix(&self) -> Option<&'static [u8]> {
        if self.strftime.is_some() {
            return Some(b"\"");
        }
        match (self.epoch, self.zone) {
            (true, _) => Some(b""),
            (false, TimeZone::Utc) => Some(b"Z\""),
            (false, TimeZone::Local) => None,
        }
    }

    /// The fraction digits (9, 6 or 3) of an RFC 3339 timestamp in UTC,
    /// which nothing follows per record; `None` for the other formats.
    pub(super) fn utc_fraction_digits(&self) -> Option<usize> {
        (!self.epoch && self.strftime.is_none() && self.zone == TimeZone::Utc)
            .then_some(9 - self.cut)
    }

    /// Appends `ts_ns` (nanoseconds since the Unix epoch) as the format
    /// says, without the opening quote and the fixed suffix.
    #[inline]
    pub(super) fn write(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        if let Some(w) = &mut self.strftime {
            w.write(ts_ns, out);
            return;
        }
        if self.epoch {
            out.extend_from_slice(itoa::Buffer::new().format(ts_ns).as_bytes());
            return;
        }
        self.cache.write(ts_ns, out);
        if self.cut != 0 {
            out.truncate(out.len() - self.cut);
        }
        if self.zone == TimeZone::Local {
            let offset = self.cache.offset_at((ts_ns / NANOS_PER_SEC) as i64);
            write_offset(offset, out);
            out.push(b'"');
        }
    }

    /// Appends `ts_ns` as RFC 3339 with its zone, without quotes (the
    /// logfmt format's `ts`).
    #[inline]
    pub(super) fn write_unquoted(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        self.cache.write(ts_ns, out);
        if self.cut != 0 {
            out.truncate(out.len() - self.cut);
        }
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
        let mut t = JsonTimestamp::new(&format, zone);
        let mut out = if t.opens_quote() { vec![b'"'] } else { vec![] };
        t.write(TS, &mut out);
        out.extend_from_slice(t.fixed_suffix().unwrap_or_default());
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
        let strftime = |s| r(TimestampFormat::Strftime(crate::Strftime::new(s)));
        assert_eq!(
            strftime("%Y-%m-%d %H:%M:%S%.3f"),
            "\"2025-11-21 10:30:45.123\""
        );
        // Literals are escaped: the value stays one JSON string.
        let v = strftime("%H \"h\" \\ %M");
        assert_eq!(v, r#""10 \"h\" \\ 30""#);
        assert_eq!(
            serde_json::from_str::<String>(&v).unwrap(),
            "10 \"h\" \\ 30"
        );
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
