//! Severity levels: `log`'s five, plus `CRITICAL` above `ERROR`.
//!
//! `log` stops at `Error`; trading systems (and the requirement documents,
//! RFC 5424's `crit`, OTLP's `FATAL`) need one level more for "wake
//! somebody up". [`Level`] adds it, and [`LevelFilter`] the threshold that
//! lets only it through.
//!
//! A `CRITICAL` record is an `ERROR` record to everything that knows only
//! `log`'s levels: `log::max_level()` lets `ERROR` through whenever
//! `CRITICAL` is wanted, the errors file, the console and the backtrace
//! ring treat it as an `ERROR`, and `max_records_per_second` never caps
//! it. On the wire it is level byte 0 (`Error` = 1 .. `Trace` = 5, as
//! `log::Level as u8`).

use std::fmt;

/// A record's severity, most severe first (`Critical < Error < ... <
/// Trace`, the order of `log::Level`).
///
/// # Examples
///
/// ```
/// use logger::Level;
/// assert!(Level::Critical < Level::Error);
/// assert_eq!(Level::Critical.as_str(), "CRITICAL");
/// assert_eq!(Level::from(log::Level::Warn), Level::Warn);
/// assert_eq!(Level::Critical.to_log(), log::Level::Error);
/// ```
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// An event that needs someone now (RFC 5424 severity 2, `crit`).
    Critical = 0,
    /// `log::Level::Error`.
    Error = 1,
    /// `log::Level::Warn`.
    Warn = 2,
    /// `log::Level::Info`.
    Info = 3,
    /// `log::Level::Debug`.
    Debug = 4,
    /// `log::Level::Trace`.
    Trace = 5,
}

impl Level {
    /// The name written in records: `CRITICAL`, `ERROR`, `WARN`, `INFO`,
    /// `DEBUG`, `TRACE`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Critical => "CRITICAL",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }

    /// The `log` level this one travels as: `Critical` is `Error`.
    #[inline(always)]
    pub const fn to_log(self) -> log::Level {
        match self {
            Level::Critical | Level::Error => log::Level::Error,
            Level::Warn => log::Level::Warn,
            Level::Info => log::Level::Info,
            Level::Debug => log::Level::Debug,
            Level::Trace => log::Level::Trace,
        }
    }

    /// The level of wire byte `v` (`self as u8`); `None` past `Trace`.
    pub(crate) const fn from_u8(v: u8) -> Option<Level> {
        Some(match v {
            0 => Level::Critical,
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            5 => Level::Trace,
            _ => return None,
        })
    }
}

impl From<log::Level> for Level {
    #[inline]
    fn from(l: log::Level) -> Level {
        match l {
            log::Level::Error => Level::Error,
            log::Level::Warn => Level::Warn,
            log::Level::Info => Level::Info,
            log::Level::Debug => Level::Debug,
            log::Level::Trace => Level::Trace,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The least severe level a filter, a file or the builder takes: `Off`
/// takes nothing, `Critical` only `CRITICAL` records, `Trace` everything.
/// Ordered like `log::LevelFilter` (`Off < Critical < Error < ... < Trace`).
///
/// Every option typed `LevelFilter` also takes a `log::LevelFilter`
/// (`.level(log::LevelFilter::Info)`), through `From`.
///
/// # Examples
///
/// ```
/// use logger::{Level, LevelFilter};
/// assert!(LevelFilter::Critical.admits(Level::Critical));
/// assert!(!LevelFilter::Critical.admits(Level::Error));
/// assert!(LevelFilter::Error.admits(Level::Critical));
/// assert!(!LevelFilter::Off.admits(Level::Critical));
/// assert_eq!(LevelFilter::from_name("Critical"), Some(LevelFilter::Critical));
/// assert_eq!(LevelFilter::from(log::LevelFilter::Warn), LevelFilter::Warn);
/// ```
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LevelFilter {
    /// Nothing.
    Off = 0,
    /// `CRITICAL` records only.
    Critical = 1,
    /// `ERROR` and above.
    Error = 2,
    /// `WARN` and above.
    Warn = 3,
    /// `INFO` and above.
    Info = 4,
    /// `DEBUG` and above.
    Debug = 5,
    /// Everything.
    Trace = 6,
}

/// The level names a filter, a file's level or the config file accept.
pub(crate) const ALLOWED_LEVELS: &str = "off, critical, error, warn, info, debug, trace";

/// Every name [`LevelFilter::from_name`] takes (lower case), with its filter.
pub(crate) const LEVEL_NAMES: [(&str, LevelFilter); 8] = [
    ("off", LevelFilter::Off),
    ("critical", LevelFilter::Critical),
    ("error", LevelFilter::Error),
    ("warn", LevelFilter::Warn),
    // Python's name, as the seed configurations spell it.
    ("warning", LevelFilter::Warn),
    ("info", LevelFilter::Info),
    ("debug", LevelFilter::Debug),
    ("trace", LevelFilter::Trace),
];

impl LevelFilter {
    /// Whether a record at `level` passes.
    #[inline(always)]
    pub const fn admits(self, level: Level) -> bool {
        (level as u8) < (self as u8)
    }

    /// The filter named `s` (`off`, `critical`, `error`, `warn` or
    /// `warning`, `info`, `debug`, `trace`), case-insensitively.
    pub fn from_name(s: &str) -> Option<LevelFilter> {
        LEVEL_NAMES
            .iter()
            .find(|(name, _)| s.eq_ignore_ascii_case(name))
            .map(|&(_, l)| l)
    }

    /// The `log` filter that lets through every record this one takes
    /// (`Critical` needs `log`'s `Error`: `critical!` travels as `error!`).
    pub const fn to_log(self) -> log::LevelFilter {
        match self {
            LevelFilter::Off => log::LevelFilter::Off,
            LevelFilter::Critical | LevelFilter::Error => log::LevelFilter::Error,
            LevelFilter::Warn => log::LevelFilter::Warn,
            LevelFilter::Info => log::LevelFilter::Info,
            LevelFilter::Debug => log::LevelFilter::Debug,
            LevelFilter::Trace => log::LevelFilter::Trace,
        }
    }

    /// The filter of wire byte `v` (`self as u8`); `Trace` past the end.
    pub(crate) const fn from_u8(v: u8) -> LevelFilter {
        match v {
            0 => LevelFilter::Off,
            1 => LevelFilter::Critical,
            2 => LevelFilter::Error,
            3 => LevelFilter::Warn,
            4 => LevelFilter::Info,
            5 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        }
    }

    /// The name, in capitals (`OFF`, `CRITICAL`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            LevelFilter::Off => "OFF",
            LevelFilter::Critical => "CRITICAL",
            LevelFilter::Error => "ERROR",
            LevelFilter::Warn => "WARN",
            LevelFilter::Info => "INFO",
            LevelFilter::Debug => "DEBUG",
            LevelFilter::Trace => "TRACE",
        }
    }
}

impl From<log::LevelFilter> for LevelFilter {
    #[inline]
    fn from(l: log::LevelFilter) -> LevelFilter {
        match l {
            log::LevelFilter::Off => LevelFilter::Off,
            log::LevelFilter::Error => LevelFilter::Error,
            log::LevelFilter::Warn => LevelFilter::Warn,
            log::LevelFilter::Info => LevelFilter::Info,
            log::LevelFilter::Debug => LevelFilter::Debug,
            log::LevelFilter::Trace => LevelFilter::Trace,
        }
    }
}

impl From<log::Level> for LevelFilter {
    fn from(l: log::Level) -> LevelFilter {
        LevelFilter::from(l.to_level_filter())
    }
}

impl From<Level> for LevelFilter {
    /// The filter whose least severe level is `l`.
    fn from(l: Level) -> LevelFilter {
        LevelFilter::from_u8(l as u8 + 1)
    }
}

impl PartialEq<log::LevelFilter> for LevelFilter {
    fn eq(&self, other: &log::LevelFilter) -> bool {
        *self == LevelFilter::from(*other)
    }
}

impl PartialEq<LevelFilter> for log::LevelFilter {
    fn eq(&self, other: &LevelFilter) -> bool {
        LevelFilter::from(*self) == *other
    }
}

impl fmt::Display for LevelFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: [Level; 6] = [
        Level::Critical,
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ];

    #[test]
    fn a_filter_admits_its_level_and_every_more_severe_one() {
        for (i, &at) in LEVELS.iter().enumerate() {
            let filter = LevelFilter::from(at);
            for (j, &l) in LEVELS.iter().enumerate() {
                assert_eq!(filter.admits(l), j <= i, "{filter} {l}");
            }
            assert!(!LevelFilter::Off.admits(at));
        }
    }

    #[test]
    fn log_levels_convert_both_ways() {
        for l in [
            log::Level::Error,
            log::Level::Warn,
            log::Level::Info,
            log::Level::Debug,
            log::Level::Trace,
        ] {
            assert_eq!(Level::from(l).to_log(), l);
            assert_eq!(Level::from(l) as u8, l as u8, "wire byte of {l}");
            assert_eq!(LevelFilter::from(l).to_log(), l.to_level_filter());
        }
        assert_eq!(LevelFilter::Critical.to_log(), log::LevelFilter::Error);
        assert_eq!(Level::from_u8(0), Some(Level::Critical));
        assert_eq!(Level::from_u8(6), None);
    }

    #[test]
    fn names_parse_case_insensitively_and_display_in_capitals() {
        for f in [
            LevelFilter::Off,
            LevelFilter::Critical,
            LevelFilter::Error,
            LevelFilter::Trace,
        ] {
            assert_eq!(
                LevelFilter::from_name(&f.to_string().to_lowercase()),
                Some(f)
            );
        }
        assert_eq!(LevelFilter::from_name("fatal"), None);
        assert_eq!(format!("{:<8}|", Level::Warn), "WARN    |");
    }
}
