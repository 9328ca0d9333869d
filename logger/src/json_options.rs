//! Options of the JSON format: which optional keys are written and under
//! which names.
//!
//! The builder's options are the default formatter's, used by every file
//! that names no formatter; a named formatter (`crate::FormatterSpec`)
//! has its own.
//! They change only the constant parts of a line, which the formatter
//! renders once per call site and thread (see `format::fragments`): their
//! cost is on the flusher, paid once per call site.

use serde::Deserialize;

/// The keys of a JSON line, in the order they are written (see the
/// README's record schema): the names [`JsonOptions::rename`] accepts.
pub const JSON_KEYS: [&str; 17] = [
    "ts",
    "level",
    "kind",
    "target",
    "service",
    "msg",
    "module",
    "file",
    "line",
    "function",
    "thread",
    "tid",
    "pid",
    "host",
    "correlation_id",
    "context",
    "fields",
];

/// How the JSON format writes `ts`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum TimestampFormat {
    /// RFC 3339 with nanoseconds, `"2026-11-21T10:30:45.123456789Z"` (the
    /// default; config file `"rfc3339_ns"`).
    #[default]
    Rfc3339Nanos,
    /// RFC 3339 with microseconds, `"2026-11-21T10:30:45.123456Z"`
    /// (`"rfc3339_us"`; the digits below are cut, not rounded).
    Rfc3339Micros,
    /// RFC 3339 with milliseconds, `"2026-11-21T10:30:45.123Z"`
    /// (`"rfc3339_ms"`; cut, not rounded).
    Rfc3339Millis,
    /// Nanoseconds since the Unix epoch as a JSON number,
    /// `1795305598999999000` (`"epoch_ns"`; no zone).
    EpochNanos,
    /// A `strftime` layout, `"2026-11-21 23:59:58.999"` for
    /// `"%Y-%m-%d %H:%M:%S%.3f"` (config file: any string holding a `%`),
    /// written as a JSON string in `timestamp_zone` (a zone appears only
    /// where the layout has `%z`, `%:z` or `%Z`). The text and logfmt
    /// formats use it too, in their own zone (see docs/configuration.md).
    Strftime(Strftime),
}

/// A `strftime` layout (`"%Y-%m-%d %H:%M:%S%.3f"`), compiled once when it
/// is made; an invalid one is reported by `install()`, naming
/// `json_options` and the conversion (see [`TimestampFormat::Strftime`]).
///
/// The conversions are those of C, glibc and Python (`%Y %m %d %H %M %S
/// %f %z %Z %j %a %b %p`... with the `-`, `_` and `0` padding flags) and
/// chrono's fractions (`%.3f`, `%.6f`, `%.9f`, `%3f`...); the list is in
/// docs/configuration.md. `%f` is Python's: six digits (microseconds).
///
/// ```
/// use logger::{Strftime, TimestampFormat};
/// let ts = TimestampFormat::Strftime(Strftime::new("%Y-%m-%d %H:%M:%S%.3f"));
/// let json = logger::JsonOptions { timestamp: ts, ..Default::default() };
/// assert!(json.check().is_ok());
/// let bad = logger::JsonOptions {
///     timestamp: TimestampFormat::Strftime(Strftime::new("%Y-%Q")),
///     ..Default::default()
/// };
/// assert!(bad.check().unwrap_err().contains("unknown conversion \"%Q\" at byte 3"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strftime {
    source: String,
    compiled: Result<crate::format::Layout, String>,
}

impl Strftime {
    /// Compiles `layout`; an error is kept for `install()` to report.
    pub fn new(layout: impl Into<String>) -> Self {
        let source = layout.into();
        let compiled = crate::format::strftime(&source);
        Strftime { source, compiled }
    }

    /// The layout as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled layout, or why it does not compile.
    pub(crate) fn layout(&self) -> Result<&crate::format::Layout, &str> {
        self.compiled.as_ref().map_err(String::as_str)
    }
}

impl std::str::FromStr for TimestampFormat {
    type Err = String;

    /// The config file's names: `rfc3339_ns`, `rfc3339_us`, `rfc3339_ms`,
    /// `epoch_ns`, or a `strftime` layout (any string holding a `%`).
    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('%') {
            let layout = Strftime::new(s);
            return match layout.layout() {
                Ok(_) => Ok(TimestampFormat::Strftime(layout)),
                Err(e) => Err(format!("timestamp: {e}")),
            };
        }
        Ok(match s {
            "rfc3339_ns" => TimestampFormat::Rfc3339Nanos,
            "rfc3339_us" => TimestampFormat::Rfc3339Micros,
            "rfc3339_ms" => TimestampFormat::Rfc3339Millis,
            "epoch_ns" => TimestampFormat::EpochNanos,
            other => {
                return Err(format!(
                    "unknown timestamp format {other:?}: expected \"rfc3339_ns\", \"rfc3339_us\", \"rfc3339_ms\", \"epoch_ns\" or a strftime layout (\"%Y-%m-%d %H:%M:%S%.3f\")"
                ));
            }
        })
    }
}

/// What the JSON format writes: `include_*` switches for the optional keys
/// and renamed keys. The default writes every key under its own name (the
/// README's schema, byte for byte).
///
/// ```
/// let json = logger::JsonOptions {
///     include_module: false,
///     ..Default::default()
/// }
/// .rename("ts", "timestamp")
///     .rename("msg", "message");
/// let builder = logger::builder().json_options(json);
/// assert_eq!(builder.config().json.name_of("msg"), "message");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonOptions {
    /// Write `module` (default true).
    pub include_module: bool,
    /// Write `function` when it is known (default true).
    pub include_function: bool,
    /// Write `file` and `line` (default true).
    pub include_location: bool,
    /// Write `thread`, the thread's name (default true).
    pub include_thread: bool,
    /// Write `tid`, the OS thread id (default true).
    pub include_tid: bool,
    /// Write `pid` (default true).
    pub include_pid: bool,
    /// Write `host` (default true).
    pub include_host: bool,
    /// Write `service` (default true).
    pub include_service: bool,
    /// Write `context`, the thread's context fields, when set (default true).
    pub include_context: bool,
    /// Keys written under another name: `(key, name)`, `key` one of
    /// [`JSON_KEYS`]. Checked at install (see [`JsonOptions::check`]).
    pub rename: Vec<(String, String)>,
    /// How `ts` is written (default RFC 3339 with nanoseconds).
    pub timestamp: TimestampFormat,
    /// The zone of an RFC 3339 `ts`: `Utc` (`Z`, the default) or `Local`
    /// (the offset in force, `+01:00`). Not allowed with
    /// [`TimestampFormat::EpochNanos`], which has no zone.
    pub timestamp_zone: crate::TimeZone,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            include_module: true,
            include_function: true,
            include_location: true,
            include_thread: true,
            include_tid: true,
            include_pid: true,
            include_host: true,
            include_service: true,
            include_context: true,
            rename: Vec::new(),
            timestamp: TimestampFormat::default(),
            timestamp_zone: crate::TimeZone::Utc,
        }
    }
}

impl JsonOptions {
    /// Writes `key` under `name` (e.g. `ts` as `timestamp`).
    pub fn rename(mut self, key: impl Into<String>, name: impl Into<String>) -> Self {
        self.rename.push((key.into(), name.into()));
        self
    }

    /// The name `key` is written under: its last rename, else itself.
    pub fn name_of<'a>(&'a self, key: &'a str) -> &'a str {
        self.rename
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map_or(key, |(_, name)| name.as_str())
    }

    /// Whether `key` (one of [`JSON_KEYS`]) is ever written.
    pub fn writes(&self, key: &str) -> bool {
        match key {
            "module" => self.include_module,
            "function" => self.include_function,
            "file" | "line" => self.include_location,
            "thread" => self.include_thread,
            "tid" => self.include_tid,
            "pid" => self.include_pid,
            "host" => self.include_host,
            "service" => self.include_service,
            "context" => self.include_context,
            _ => true,
        }
    }

    /// The timestamp is valid (no zone with an epoch count) and the renames
    /// are valid: each names a key of [`JSON_KEYS`] once, with
    /// a non-empty name, and no two written keys end up with the same
    /// name. `Err` says what is wrong, naming the key.
    pub fn check(&self) -> Result<(), String> {
        if self.timestamp == TimestampFormat::EpochNanos
            && self.timestamp_zone != crate::TimeZone::Utc
        {
            return Err(
                "timestamp_zone Local with timestamp EpochNanos: an epoch count has no zone".into(),
            );
        }
        if let TimestampFormat::Strftime(layout) = &self.timestamp {
            layout.layout().map_err(|e| format!("timestamp: {e}"))?;
        }
        for (i, (key, name)) in self.rename.iter().enumerate() {
            if !JSON_KEYS.contains(&key.as_str()) {
                let hint = crate::did_you_mean::closest_key(key, JSON_KEYS)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown key {key:?} to rename{hint}: expected one of {}",
                    JSON_KEYS.join(", ")
                ));
            }
            if name.is_empty() {
                return Err(format!("key {key:?} renamed to an empty name"));
            }
            if self.rename[..i].iter().any(|(k, _)| k == key) {
                return Err(format!("key {key:?} renamed twice"));
            }
        }
        let written: Vec<&str> = JSON_KEYS.into_iter().filter(|k| self.writes(k)).collect();
        for (i, a) in written.iter().enumerate() {
            for b in &written[i + 1..] {
                if self.name_of(a) == self.name_of(b) {
                    return Err(format!(
                        "keys {a:?} and {b:?} would both be written as {:?}",
                        self.name_of(a)
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The config file's `json` object.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileJsonOptions {
    include_module: Option<bool>,
    include_function: Option<bool>,
    include_location: Option<bool>,
    include_thread: Option<bool>,
    include_tid: Option<bool>,
    include_pid: Option<bool>,
    include_host: Option<bool>,
    include_service: Option<bool>,
    include_context: Option<bool>,
    rename: Option<serde_json::Map<String, serde_json::Value>>,
    timestamp: Option<String>,
    timestamp_zone: Option<String>,
}

impl FileJsonOptions {
    /// Applies the keys present to `o`; `Err` names a rename whose value
    /// is not a string or a timestamp format or zone not known.
    pub(crate) fn apply(self, o: &mut JsonOptions) -> Result<(), String> {
        let switches = [
            (self.include_module, &mut o.include_module),
            (self.include_function, &mut o.include_function),
            (self.include_location, &mut o.include_location),
            (self.include_thread, &mut o.include_thread),
            (self.include_tid, &mut o.include_tid),
            (self.include_pid, &mut o.include_pid),
            (self.include_host, &mut o.include_host),
            (self.include_service, &mut o.include_service),
            (self.include_context, &mut o.include_context),
        ];
        for (v, switch) in switches {
            if let Some(v) = v {
                *switch = v;
            }
        }
        if let Some(t) = self.timestamp {
            o.timestamp = t.parse()?;
        }
        if let Some(z) = self.timestamp_zone {
            o.timestamp_zone = match z.as_str() {
                "utc" => crate::TimeZone::Utc,
                "local" => crate::TimeZone::Local,
                other => {
                    return Err(format!(
                        "unknown timestamp_zone {other:?}: expected \"utc\" or \"local\""
                    ));
                }
            };
        }
        for (key, name) in self.rename.unwrap_or_default() {
            match name {
                serde_json::Value::String(name) => o.rename.push((key, name)),
                other => return Err(format!("rename of {key:?}: {other} is not a string")),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_names_keys_as_they_are() {
        let o = JsonOptions::default();
        assert_eq!(o.check(), Ok(()));
        assert_eq!(o.name_of("ts"), "ts");
    }

    #[test]
    fn bad_renames_are_named() {
        let err = |o: JsonOptions| o.check().unwrap_err();
        let e = err(JsonOptions::default().rename("stamp", "x"));
        assert!(e.contains("unknown key \"stamp\""), "{e}");
        assert!(!e.contains("did you mean"), "{e}");
        let e = err(JsonOptions::default().rename("levle", "severity"));
        assert!(
            e.contains("unknown key \"levle\" to rename (did you mean `level`?)"),
            "{e}"
        );
        let e = err(JsonOptions::default().rename("msg", ""));
        assert!(e.contains("\"msg\" renamed to an empty name"), "{e}");
        let e = err(JsonOptions::default()
            .rename("msg", "m")
            .rename("level", "m"));
        assert!(e.contains("\"level\" and \"msg\""), "{e}");
        let e = err(JsonOptions::default().rename("msg", "host"));
        assert!(e.contains("\"msg\" and \"host\""), "{e}");
        let e = err(JsonOptions::default().rename("msg", "a").rename("msg", "b"));
        assert!(e.contains("renamed twice"), "{e}");
    }

    #[test]
    fn a_rename_onto_a_key_left_out_is_allowed() {
        let o = JsonOptions {
            include_host: false,
            ..Default::default()
        }
        .rename("msg", "host");
        assert_eq!(o.check(), Ok(()));
    }
}
