//! `--since` / `--until`: an RFC 3339 time, or a duration before now.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Nanoseconds since the Unix epoch of `text`, read as RFC 3339
/// (`2026-11-21T10:30:00Z`, `2026-11-21T10:30:00.5+01:00`) or as a duration
/// before `now_ns` (`500ms`, `90s`, `15m`, `2h`, `1d`; decimals allowed).
///
/// # Errors
///
/// A message naming `option` and the text, and the accepted forms.
pub fn parse_time(option: &str, text: &str, now_ns: i128) -> Result<i128, String> {
    let t = text.trim();
    if let Some(d) = parse_relative(t) {
        return Ok(now_ns - d);
    }
    match OffsetDateTime::parse(t, &Rfc3339) {
        Ok(dt) => Ok(dt.unix_timestamp_nanos()),
        Err(e) => Err(format!(
            "{option} {text:?}: not a time ({e}); use RFC 3339 like 2026-11-21T10:30:00Z, \
             or a duration before now like 90s, 15m, 2h, 1d"
        )),
    }
}

/// The current time in ns since the epoch.
pub fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// `15m` -> ns; `None` when `t` is not a number followed by a unit.
fn parse_relative(t: &str) -> Option<i128> {
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return None;
    }
    let n: f64 = num.parse().ok()?;
    let unit_ns: f64 = match unit {
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" | "min" => 60e9,
        "h" => 3600e9,
        "d" => 86_400e9,
        _ => return None,
    };
    Some((n * unit_ns) as i128)
}

/// `ns` since the epoch as RFC 3339 UTC with nine fraction digits, as the
/// files write `ts` (so that the strings compare in time order, and a
/// value can be searched for in the files as it is printed). Outside the
/// years 1677-2262 (past an `i64` of nanoseconds), with the digits the
/// fraction needs.
pub fn format_ns(ns: i128) -> String {
    if let Ok(ns) = i64::try_from(ns) {
        return logger_read::Timestamp::from_nanos(ns).to_string();
    }
    OffsetDateTime::from_unix_timestamp_nanos(ns)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ns.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i128 = 1_800_000_000_000_000_000;

    #[test]
    fn relative_durations_count_back_from_now() {
        assert_eq!(parse_time("--since", "15m", NOW), Ok(NOW - 900_000_000_000));
        assert_eq!(
            parse_time("--since", "2h", NOW),
            Ok(NOW - 7_200_000_000_000)
        );
        assert_eq!(parse_time("--since", "1.5s", NOW), Ok(NOW - 1_500_000_000));
        assert_eq!(parse_time("--since", "250ms", NOW), Ok(NOW - 250_000_000));
    }

    #[test]
    fn formatted_as_the_files_write_ts() {
        // Nine digits, trailing zeros kept.
        assert_eq!(
            format_ns(1_764_513_260_048_615_880),
            "2025-11-30T14:34:20.048615880Z"
        );
        assert_eq!(
            format_ns(1_764_513_260_000_000_000),
            "2025-11-30T14:34:20.000000000Z"
        );
    }

    #[test]
    fn rfc3339_with_zone_and_fraction() {
        let a = parse_time("--until", "2026-11-21T10:30:45.123456789Z", NOW).unwrap();
        let b = parse_time("--until", "2026-11-21T11:30:45.123456789+01:00", NOW).unwrap();
        assert_eq!(a, b);
        assert_eq!(format_ns(a), "2026-11-21T10:30:45.123456789Z");
    }

    #[test]
    fn bad_time_names_the_option_and_text() {
        let e = parse_time("--since", "yesterday", NOW).unwrap_err();
        assert!(e.contains("--since \"yesterday\""), "{e}");
        assert!(parse_time("--since", "15x", NOW).is_err());
        assert!(parse_time("--since", "m", NOW).is_err());
    }
}
