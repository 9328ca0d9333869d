//! Calendar arithmetic for timestamps, file names and rotation boundaries.
//!
//! UTC is pure arithmetic (Howard Hinnant's `civil_from_days`); local time
//! asks the C library for the UTC offset in force at an instant.

use crate::config::TimeZone;

/// A broken-down calendar time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// Days since 1970-01-01 to (year, month, day).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds east of UTC in force at `unix_secs` in `tz`.
pub(crate) fn utc_offset_secs(tz: TimeZone, unix_secs: i64) -> i64 {
    match tz {
        TimeZone::Utc => 0,
        TimeZone::Local => local_offset_secs(unix_secs),
    }
}

fn local_offset_secs(unix_secs: i64) -> i64 {
    let t = unix_secs as libc::time_t;
    // SAFETY: `tm` is plain data that `localtime_r` fully initialises on
    // success; both pointers are valid for the duration of the call, and
    // `localtime_r` is the thread-safe variant (no shared static buffer).
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return 0;
        }
        tm.tm_gmtoff
    }
}

/// The calendar time of `unix_secs` in `tz`.
pub(crate) fn civil(tz: TimeZone, unix_secs: i64) -> CivilTime {
    civil_with_offset(unix_secs + utc_offset_secs(tz, unix_secs))
}

/// The calendar time of `local_secs` (seconds since the epoch, already
/// shifted by a UTC offset).
pub(crate) fn civil_with_offset(local_secs: i64) -> CivilTime {
    let days = local_secs.div_euclid(86_400);
    let sod = local_secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    CivilTime {
        year,
        month,
        day,
        hour: (sod / 3600) as u32,
        minute: (sod % 3600 / 60) as u32,
        second: (sod % 60) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // 2026-11-21 is day 20_778.
        assert_eq!(civil_from_days(20_778), (2026, 11, 21));
        // 2000-02-29, a leap day.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let t = civil(TimeZone::Utc, 1_763_721_045);
        assert_eq!((t.year, t.month, t.day), (2025, 11, 21));
        assert_eq!((t.hour, t.minute, t.second), (10, 30, 45));
    }
}
