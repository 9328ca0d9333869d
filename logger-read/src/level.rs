//! [`Level`]: a record's severity.

use std::fmt;
use std::str::FromStr;

/// A record's `level`, ordered by severity: `Trace < Debug < Info < Warn <
/// Error < Critical`.
///
/// # Examples
///
/// ```
/// use logger_read::Level;
/// let l: Level = "warn".parse().unwrap();
/// assert_eq!(l, Level::Warn);
/// assert!(Level::Error >= l);
/// assert_eq!(Level::Error.as_str(), "ERROR");
/// assert_eq!(Level::Warn.severity(), 4);
/// assert!("loud".parse::<Level>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `TRACE`.
    Trace,
    /// `DEBUG`.
    Debug,
    /// `INFO`.
    Info,
    /// `WARN`.
    Warn,
    /// `ERROR`.
    Error,
    /// `CRITICAL`.
    Critical,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Critical,
    ];

    /// The level as the writer spells it in `level` (`"ERROR"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
        }
    }

    /// The RFC 5424 severity (0 = emergency ... 7 = debug): CRITICAL 2,
    /// ERROR 3, WARN 4, INFO 6, DEBUG and TRACE 7.
    pub const fn severity(self) -> u8 {
        match self {
            Level::Critical => 2,
            Level::Error => 3,
            Level::Warn => 4,
            Level::Info => 6,
            Level::Debug | Level::Trace => 7,
        }
    }

    /// The level written exactly as the writer spells it (upper case), from
    /// the bytes of the JSON string's content; `None` otherwise.
    #[inline]
    pub fn from_record_bytes(b: &[u8]) -> Option<Level> {
        Some(match b {
            b"INFO" => Level::Info,
            b"DEBUG" => Level::Debug,
            b"TRACE" => Level::Trace,
            b"WARN" => Level::Warn,
            b"ERROR" => Level::Error,
            b"CRITICAL" => Level::Critical,
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Level`] from text: names the text and the
/// accepted values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError(pub String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown level {:?} (expected trace, debug, info, warn, error or critical)",
            self.0
        )
    }
}

impl std::error::Error for ParseLevelError {}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Case-insensitive; also accepts `warning`, `err` and `crit`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "trace" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" | "warning" => Level::Warn,
            "error" | "err" => Level::Error,
            "critical" | "crit" => Level::Critical,
            _ => return Err(ParseLevelError(s.to_string())),
        })
    }
}
