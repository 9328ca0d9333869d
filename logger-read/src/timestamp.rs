//! [`Timestamp`]: a record's `ts`, nanoseconds since the Unix epoch (UTC),
//! parsed from RFC 3339 by a hand-written parser.
//!
//! The writer always produces `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (30 bytes);
//! that shape is parsed by a fixed-position fast path. Anything else that is
//! valid RFC 3339 (fewer or no fraction digits, lower-case `t`/`z`, a space
//! for `T`, an offset such as `+02:00`) goes through the general path.

use std::fmt;

/// A point in time: nanoseconds since 1970-01-01T00:00:00Z.
///
/// The range is that of an `i64` of nanoseconds: years 1678 to 2261.
/// Ordering is chronological.
///
/// # Examples
///
/// ```
/// use logger_read::Timestamp;
/// let t = Timestamp::parse("2026-11-21T10:30:45.123456789Z").unwrap();
/// assert_eq!(t.as_nanos(), 1_795_257_045_123_456_789);
/// assert_eq!(Timestamp::parse("2026-11-21T12:30:45.123456789+02:00"), Some(t));
/// assert_eq!(t.to_string(), "2026-11-21T10:30:45.123456789Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The timestamp `ns` nanoseconds after the epoch.
    pub const fn from_nanos(ns: i64) -> Self {
        Timestamp(ns)
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Parses RFC 3339 text; `None` if it is not a valid date-time with an
    /// offset, or out of range.
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Parses RFC 3339 bytes (see [`Timestamp::parse`]).
    #[inline]
    pub fn parse_bytes(b: &[u8]) -> Option<Self> {
        if b.len() == 30 {
            if let Some(t) = parse_fixed(b) {
                return Some(t);
            }
        }
        parse_general(b)
    }
}

/// `d` as a digit, or `None`.
#[inline(always)]
fn digit(d: u8) -> Option<i64> {
    let v = d.wrapping_sub(b'0');
    (v < 10).then_some(v as i64)
}

#[inline(always)]
fn num(b: &[u8]) -> Option<i64> {
    b.iter()
        .try_fold(0i64, |acc, &d| Some(acc * 10 + digit(d)?))
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffffZ`, exactly.
#[inline]
fn parse_fixed(b: &[u8]) -> Option<Timestamp> {
    if b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[29] != b'Z'
    {
        return None;
    }
    let date = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let time = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let frac = num(&b[20..29])?;
    assemble(date, time, frac, 0)
}

/// Any RFC 3339 date-time: `YYYY-MM-DD(T|t| )HH:MM:SS[.f+](Z|z|(+|-)HH:MM)`.
fn parse_general(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let time = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut i = 19;
    let mut frac = 0i64;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                frac = frac * 10 + (b[i] - b'0') as i64;
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            frac *= 10;
        }
    }
    let rest = &b[i..];
    let offset_s = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let h = num(&[*h1, *h2])?;
            let m = num(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let s = h * 3600 + m * 60;
            if *sign == b'-' { -s } else { s }
        }
        _ => return None,
    };
    assemble(date, time, frac, offset_s)
}

fn assemble(
    (y, mo, d): (i64, i64, i64),
    (h, mi, s): (i64, i64, i64),
    frac: i64,
    offset_s: i64,
) -> Option<Timestamp> {
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    // 60 is a leap second; it is kept as the next second's first instant.
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s - offset_s;
    secs.checked_mul(1_000_000_000)?
        .checked_add(frac)
        .map(Timestamp)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with nine fraction digits, as the writer formats it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1_000_000_000);
        let ns = self.0.rem_euclid(1_000_000_000);
        let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
        let sod = secs.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ns:09}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_general_agree() {
        let a = Timestamp::parse("2026-11-21T10:30:45.123456789Z").unwrap();
        for s in [
            "2026-11-21T10:30:45.123456789z",
            "2026-11-21 10:30:45.123456789Z",
            "2026-11-21t10:30:45.1234567891Z",
            "2026-11-21T11:30:45.123456789+01:00",
            "2026-11-21T05:00:45.123456789-05:30",
        ] {
            assert_eq!(Timestamp::parse(s), Some(a), "{s}");
        }
        assert_eq!(
            Timestamp::parse("2026-11-21T10:30:45Z").unwrap().as_nanos(),
            a.as_nanos() - 123_456_789
        );
        assert_eq!(
            Timestamp::parse("2026-11-21T10:30:45.5Z")
                .unwrap()
                .as_nanos()
                % 1_000_000_000,
            500_000_000
        );
    }

    #[test]
    fn rejects_invalid() {
        for s in [
            "",
            "2026-11-21",
            "2026-13-21T10:30:45.123456789Z",
            "2026-02-29T10:30:45.123456789Z",
            "2026-11-21T24:30:45.123456789Z",
            "2026-11-21T10:30:45.Z",
            "2026-11-21T10:30:45.123456789",
            "2026-11-21T10:30:45.123456789+0100",
            "2026-11-21T10:30:45.12345678xZ",
            "9999999-11-21T10:30:45.123456789Z",
        ] {
            assert_eq!(Timestamp::parse(s), None, "{s:?}");
        }
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_some());
    }

    #[test]
    fn display_round_trips() {
        for ns in [0i64, 1, -1, 1_795_257_045_123_456_789, -86_400_000_000_123] {
            let t = Timestamp::from_nanos(ns);
            assert_eq!(Timestamp::parse(&t.to_string()), Some(t), "{t}");
        }
        assert_eq!(
            Timestamp::from_nanos(0).to_string(),
            "1970-01-01T00:00:00.000000000Z"
        );
    }
}
