//! The JSON configuration file: every builder option, by the builder
//! method's name, applied over the builder's values (the environment is
//! applied after it, at install).
//!
//! Unknown keys are errors (`deny_unknown_fields`), naming the key's path
//! and, when one is close, the known key it resembles ("did you mean
//! `level`?"). Each value is checked
//! here for its form (a known level, format, policy, a duration with a
//! unit); ranges are checked by the builder's own validation, which names
//! the same keys.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::config::*;
use crate::did_you_mean::hint_unknown_field;
use crate::error::InitError;
use crate::level::{ALLOWED_LEVELS, LevelFilter};

/// `Some(value)` for a key that is present, even when it is `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// One destination file: `{"name": "trades", "level": "info"}`, with its
/// own rotation keys (`"retention_days": 90`, ...) if it has any, or
/// `{"enabled": false}` to turn it off.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct Destination {
    enabled: Option<bool>,
    name: Option<String>,
    level: Option<String>,
    #[serde(default, deserialize_with = "present")]
    max_file_bytes: Option<Option<u64>>,
    rotation_time: Option<String>,
    #[serde(default, deserialize_with = "present")]
    backup_count: Option<Option<usize>>,
    #[serde(default, deserialize_with = "present")]
    retention_days: Option<Option<u32>>,
    compress: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    archive_after_days: Option<Option<u32>>,
    /// The named formatter of the file (a key of `formatters`).
    formatter: Option<String>,
}

impl Destination {
    /// Whether any rotation key is set.
    fn has_rotation(&self) -> bool {
        self.max_file_bytes.is_some()
            || self.rotation_time.is_some()
            || self.backup_count.is_some()
            || self.retention_days.is_some()
            || self.compress.is_some()
            || self.archive_after_days.is_some()
    }

    /// The file's own rotation keys; an error names `key` (the file's key
    /// in the configuration) and the rotation key.
    fn overrides(&self, key: &'static str) -> Result<RotationOverrides, InitError> {
        let time = self
            .rotation_time
            .as_deref()
            .map(|v| rotation_time(v).map_err(|e| nested(key, "", e)))
            .transpose()?;
        Ok(RotationOverrides {
            max_bytes: self.max_file_bytes,
            time,
            backup_count: self.backup_count,
            retention_days: self.retention_days,
            compress: self.compress,
            archive_after_days: self.archive_after_days,
        })
    }
}

/// A service with its own level or file (the object form of a `services`
/// entry, keyed by the service's name).
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct ServiceEntry {
    prefixes: Option<Vec<String>>,
    level: Option<String>,
    /// The file's name, or a destination object; `null` or `false`: none.
    file: Option<serde_json::Value>,
}

/// An error of a key inside `parent` (`services`, `main_file`): named
/// `parent`, the reason starting with the inner key (`at` then the error's
/// own option).
fn nested(parent: &'static str, at: &str, e: InitError) -> InitError {
    match e {
        InitError::InvalidOption { option, reason } => InitError::InvalidOption {
            option: parent,
            reason: format!("{at}{option}: {reason}"),
        },
        other => other,
    }
}

/// Applies one `services` entry: `"prefix": "name"`, or
/// `"name": {"prefixes": [...], "level": "info", "file": "name"}`.
fn service_entry(
    config: &mut Config,
    key: String,
    value: serde_json::Value,
) -> Result<(), InitError> {
    let object = match value {
        serde_json::Value::String(name) => {
            config.services.retain(|(p, _)| *p != key);
            config.services.push((key, name));
            return Ok(());
        }
        v @ serde_json::Value::Object(_) => v,
        other => {
            return Err(InitError::InvalidOption {
                option: "services",
                reason: format!(
                    "{key}: {other} is not allowed: expected a service name (for a target \
                     prefix) or an object {{\"prefixes\", \"level\", \"file\"}} (for a service)"
                ),
            });
        }
    };
    let entry: ServiceEntry =
        serde_path_to_error::deserialize(object).map_err(|e| InitError::InvalidOption {
            option: "services",
            reason: hint_unknown_field(match e.path().to_string().as_str() {
                "." | "?" => format!("{key}: {}", e.inner()),
                path => format!("{key}.{path}: {}", e.inner()),
            }),
        })?;
    let mut spec = ServiceSpec::new(key.clone());
    spec.prefixes = entry.prefixes.unwrap_or_default();
    if let Some(l) = entry.level {
        spec.level =
            Some(level("level", &l).map_err(|e| nested("services", &format!("{key}."), e))?);
    }
    spec.file = match entry.file {
        None | Some(serde_json::Value::Null) | Some(serde_json::Value::Bool(false)) => None,
        Some(serde_json::Value::String(name)) => Some(FileSpec::new(name)),
        Some(object @ serde_json::Value::Object(_)) => {
            let d: Destination =
                serde_path_to_error::deserialize(object).map_err(|e| InitError::InvalidOption {
                    option: "services",
                    reason: hint_unknown_field(format!("{key}.file.{}: {}", e.path(), e.inner())),
                })?;
            let at = format!("{key}.file.");
            let mut file = FileSpec::new(d.name.clone().unwrap_or_else(|| key.clone()));
            file.rotation = d.overrides("services").map_err(|e| prefix_reason(e, &at))?;
            if let Some(l) = &d.level {
                file.level = level("level", l).map_err(|e| nested("services", &at, e))?;
            }
            file.formatter = d.formatter;
            if d.enabled == Some(false) {
                None
            } else {
                Some(file)
            }
        }
        Some(other) => {
            return Err(InitError::InvalidOption {
                option: "services",
                reason: format!(
                    "{key}.file: {other} is not allowed: expected a file name (\"{key}\"), \
                     an object {{\"name\", \"level\", rotation keys}}, or null"
                ),
            });
        }
    };
    config.add_service(spec);
    Ok(())
}

/// Adds `at` before the reason of an [`InitError::InvalidOption`].
fn prefix_reason(e: InitError, at: &str) -> InitError {
    match e {
        InitError::InvalidOption { option, reason } => InitError::InvalidOption {
            option,
            reason: format!("{at}{reason}"),
        },
        other => other,
    }
}

/// A `rotation_time` value.
fn rotation_time(v: &str) -> Result<TimeRotation, InitError> {
    Ok(match v {
        "never" => TimeRotation::Never,
        "hourly" => TimeRotation::Hourly,
        "daily" => TimeRotation::Daily,
        _ => TimeRotation::Every(duration("rotation_time", v).map_err(|_| {
            bad(
                "rotation_time",
                v,
                "\"never\", \"hourly\", \"daily\" or a duration (\"15m\")",
            )
        })?),
    })
}

/// The file's keys: the builder's method names.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    dir: Option<PathBuf>,
    create_dir: Option<bool>,
    level: Option<String>,
    filter: Option<String>,
    services: Option<serde_json::Map<String, serde_json::Value>>,
    main_file: Option<Destination>,
    trades_file: Option<Destination>,
    perf_file: Option<Destination>,
    errors_file: Option<Destination>,
    format: Option<String>,
    pattern: Option<String>,
    json_options: Option<crate::json_options::FileJsonOptions>,
    formatters: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, deserialize_with = "present")]
    max_file_bytes: Option<Option<u64>>,
    rotation_time: Option<String>,
    time_zone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    backup_count: Option<Option<usize>>,
    #[serde(default, deserialize_with = "present")]
    retention_days: Option<Option<u32>>,
    compress: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    archive_after_days: Option<Option<u32>>,
    ring_bytes: Option<usize>,
    overflow: Option<String>,
    grow_cap_bytes: Option<usize>,
    idle_sleep: Option<String>,
    #[serde(default, deserialize_with = "present")]
    flusher_cpu: Option<Option<usize>>,
    clock: Option<String>,
    msync: Option<String>,
    window_bytes: Option<usize>,
    max_merge_delay: Option<String>,
    flush_timeout: Option<String>,
    panic_hook: Option<bool>,
    signal_handler: Option<bool>,
    backtrace_level: Option<String>,
    backtrace_capacity: Option<usize>,
    #[serde(default, deserialize_with = "present")]
    console: Option<Option<String>>,
    console_color: Option<String>,
    console_formatter: Option<String>,
    #[serde(default, deserialize_with = "present")]
    max_records_per_second: Option<serde_json::Value>,
    // Security (`security_options.rs`).
    file_mode: Option<String>,
    dir_mode: Option<String>,
    encrypt_recipients: Option<Vec<String>>,
    encrypt_recipients_file: Option<PathBuf>,
    encrypt_passphrase_file: Option<PathBuf>,
    redact: Option<Vec<crate::security_options::FileRule>>,
    redact_key_file: Option<PathBuf>,
    // Error details and resource metrics.
    error_backtrace: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    metrics_interval: Option<Option<String>>,
}

/// The `pattern` key: a pattern that parses, or an error naming the key,
/// what is wrong and where.
fn file_pattern(text: String) -> Result<Format, InitError> {
    let pattern = crate::Pattern::new(text);
    match pattern.error() {
        Some(reason) => Err(InitError::InvalidOption {
            option: "pattern",
            reason: reason.to_string(),
        }),
        None => Ok(Format::Pattern(pattern)),
    }
}

fn bad(key: &'static str, value: &str, allowed: &str) -> InitError {
    InitError::InvalidOption {
        option: key,
        reason: format!("{value:?} is not allowed: expected {allowed}"),
    }
}

/// A level name; a misspelt one is refused with the name it resembles
/// (`"infoo"`: did you mean `info`?).
fn level(key: &'static str, v: &str) -> Result<LevelFilter, InitError> {
    LevelFilter::from_name(v).ok_or_else(|| {
        let hint = crate::filter::resembled_level(v)
            .map(|l| format!(" (did you mean `{l}`?)"))
            .unwrap_or_default();
        bad(key, v, &format!("a level ({ALLOWED_LEVELS}){hint}"))
    })
}

/// A level of `log`'s five (for the console, msync and the backtrace
/// ring, which split on them): `critical` is refused with a reason.
fn log_level(key: &'static str, v: &str) -> Result<log::LevelFilter, InitError> {
    match level(key, v)? {
        LevelFilter::Critical => Err(InitError::InvalidOption {
            option: key,
            reason: format!(
                "{v:?} is not allowed here: expected off, error, warn, info, debug or trace \
                 (CRITICAL records are taken wherever ERROR records are)"
            ),
        }),
        l => Ok(l.to_log()),
    }
}

const DURATION: &str =
    "an integer with a unit: ns, us, ms, s, m, h or d (\"100us\", \"5s\", \"1d\")";

fn duration(key: &'static str, v: &str) -> Result<Duration, InitError> {
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(digits);
    let n: u64 = n.parse().map_err(|_| bad(key, v, DURATION))?;
    let per = match unit.trim() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        // As the command-line tool's `--since 1d`.
        "d" => 86_400_000_000_000,
        _ => return Err(bad(key, v, DURATION)),
    };
    n.checked_mul(per)
        .map(Duration::from_nanos)
        .ok_or_else(|| bad(key, v, DURATION))
}

fn destination(
    key: &'static str,
    d: Destination,
    current: &mut Option<FileSpec>,
    default: FileSpec,
) -> Result<(), InitError> {
    if d.enabled == Some(false) {
        if d.name.is_some() || d.level.is_some() || d.has_rotation() || d.formatter.is_some() {
            return Err(InitError::InvalidOption {
                option: key,
                reason: "\"enabled\": false with a name, level or rotation key or a \
                         formatter: remove one or the other"
                    .into(),
            });
        }
        *current = None;
        return Ok(());
    }
    let mut spec = current.take().unwrap_or(default);
    let o = d.overrides(key)?;
    let r = &mut spec.rotation;
    r.max_bytes = o.max_bytes.or(r.max_bytes);
    r.time = o.time.or(r.time);
    r.backup_count = o.backup_count.or(r.backup_count);
    r.retention_days = o.retention_days.or(r.retention_days);
    r.compress = o.compress.or(r.compress);
    r.archive_after_days = o.archive_after_days.or(r.archive_after_days);
    if let Some(name) = d.name {
        spec.name = name;
    }
    if let Some(l) = d.level {
        spec.level = level(key, &l)?;
    }
    if let Some(f) = d.formatter {
        spec.formatter = Some(f);
    }
    *current = Some(spec);
    Ok(())
}

/// Why a file whose top level is valid JSON but not an object (`[]`, a
/// string) cannot be the configuration: serde's own message names an
/// internal type ("expected struct FileConfig with 44 elements") or reads
/// an array as the struct's fields in order.
fn not_an_object(text: &str) -> Option<String> {
    let what = match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::Object(_) => return None,
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
    };
    Some(format!(
        "the file holds {what}; it must hold one JSON object of options, like {{\"level\": \"info\"}}"
    ))
}

impl FileConfig {
    /// Reads `path` and applies it over `config`; an invalid key's error
    /// names the file too.
    ///
    /// Returns the keys the file sets, so that a value the builder's checks
    /// refuse later can be traced to the file ([`FileKeys::annotate`]).
    pub(crate) fn load(
        path: &Path,
        config: &mut Config,
        create_dir: &mut bool,
    ) -> Result<FileKeys, InitError> {
        let text = std::fs::read_to_string(path).map_err(|source| InitError::Io {
            context: format!("reading the configuration file {}", path.display()),
            source,
        })?;
        let parsed = FileConfig::parse(&text);
        parsed
            .and_then(|f| f.apply(config, create_dir))
            .map_err(|e| match e {
                InitError::InvalidOption { option, reason } => InitError::InvalidOption {
                    option,
                    reason: format!("{reason} (in {})", path.display()),
                },
                other => other,
            })?;
        let keys = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        Ok(FileKeys {
            path: path.to_path_buf(),
            keys,
        })
    }

    /// Parses the JSON text of a configuration file.
    /// A type error names the key it is at (`services.desk: invalid type ...`).
    pub(crate) fn parse(text: &str) -> Result<FileConfig, InitError> {
        if !text.trim_start().starts_with('{')
            && let Some(reason) = not_an_object(text)
        {
            return Err(InitError::InvalidOption {
                option: "config_file",
                reason,
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let config: FileConfig =
            serde_path_to_error::deserialize(&mut de).map_err(|e| InitError::InvalidOption {
                option: "config_file",
                reason: if e.inner().is_syntax() || e.inner().is_eof() {
                    // No key to name: say where the JSON breaks.
                    format!("not valid JSON: {}", e.inner())
                } else {
                    hint_unknown_field(match e.path().to_string().as_str() {
                        "." | "?" => e.inner().to_string(),
                        path => format!("{path}: {}", e.inner()),
                    })
                },
            })?;
        de.end().map_err(|e| InitError::InvalidOption {
            option: "config_file",
            reason: format!("not valid JSON: {e}"),
        })?;
        Ok(config)
    }

    /// Applies every key present over `config` (and `create_dir`).
    pub(crate) fn apply(self, config: &mut Config, create_dir: &mut bool) -> Result<(), InitError> {
        let d = Config::default();
        if let Some(v) = self.dir {
            config.dir = v;
        }
        if let Some(v) = self.create_dir {
            *create_dir = v;
        }
        if let Some(v) = self.level {
            config.level = level("level", &v)?;
        }
        if let Some(v) = self.filter {
            crate::filter::parse_option("filter", &v)?;
            config.filter = Some(v);
        }
        if let Some(map) = self.services {
            for (key, value) in map {
                service_entry(config, key, value)?;
            }
        }
        let files = [
            ("main_file", self.main_file, &mut config.main, d.main),
            (
                "trades_file",
                self.trades_file,
                &mut config.trades,
                d.trades,
            ),
            ("perf_file", self.perf_file, &mut config.perf, d.perf),
            (
                "errors_file",
                self.errors_file,
                &mut config.errors,
                d.errors,
            ),
        ];
        for (key, dest, current, default) in files {
            if let Some(dest) = dest {
                let default = default.unwrap_or_else(|| FileSpec::new(key));
                destination(key, dest, current, default)?;
            }
        }
        let mut pattern = self.pattern.map(file_pattern).transpose()?;
        if let Some(v) = self.format {
            config.format = match v.as_str() {
                "json" => Format::Json,
                "text" => Format::Text,
                "logfmt" => Format::Logfmt,
                "xml" => Format::Xml,
                "pattern" => pattern.take().ok_or_else(|| InitError::InvalidOption {
                    option: "format",
                    reason: "\"pattern\" needs the `pattern` key (the pattern's text)".into(),
                })?,
                _ => {
                    return Err(bad(
                        "format",
                        &v,
                        "\"json\", \"text\", \"logfmt\", \"pattern\" or \"xml\"",
                    ));
                }
            };
        }
        if let Some(p) = pattern {
            if !matches!(config.format, Format::Pattern(_)) {
                return Err(InitError::InvalidOption {
                    option: "pattern",
                    reason:
                        "is set but the format is not \"pattern\" (add \"format\": \"pattern\")"
                            .into(),
                });
            }
            config.format = p;
        }
        if let Some(json) = self.json_options {
            json.apply(&mut config.json)
                .map_err(|reason| InitError::InvalidOption {
                    option: "json_options",
                    reason,
                })?;
        }
        for (name, value) in self.formatters.unwrap_or_default() {
            let entry: crate::formatter_spec::FileFormatter =
                serde_path_to_error::deserialize(value).map_err(|e| InitError::InvalidOption {
                    option: "formatters",
                    reason: hint_unknown_field(match e.path().to_string().as_str() {
                        "." | "?" => format!("{name:?}: {}", e.inner()),
                        path => format!("{name:?}.{path}: {}", e.inner()),
                    }),
                })?;
            let spec = entry
                .spec()
                .map_err(|(key, reason)| InitError::InvalidOption {
                    option: "formatters",
                    reason: format!("{name:?}.{key}: {reason}"),
                })?;
            config.formatters.retain(|(n, _)| *n != name);
            config.formatters.push((name, spec));
        }
        if let Some(v) = self.max_file_bytes {
            config.rotation.max_bytes = v;
        }
        if let Some(v) = self.rotation_time {
            config.rotation.time = rotation_time(&v)?;
        }
        if let Some(v) = self.time_zone {
            config.rotation.time_zone = match v.as_str() {
                "utc" => TimeZone::Utc,
                "local" => TimeZone::Local,
                _ => return Err(bad("time_zone", &v, "\"utc\" or \"local\"")),
            };
        }
        if let Some(v) = self.backup_count {
            config.rotation.backup_count = v;
        }
        if let Some(v) = self.retention_days {
            config.rotation.retention_days = v;
        }
        crate::security_options::FileKeys {
            file_mode: self.file_mode,
            dir_mode: self.dir_mode,
            encrypt_recipients: self.encrypt_recipients,
            encrypt_recipients_file: self.encrypt_recipients_file,
            encrypt_passphrase_file: self.encrypt_passphrase_file,
            redact: self.redact,
            redact_key_file: self.redact_key_file,
        }
        .apply(config)?;
        if let Some(v) = self.compress {
            config.rotation.compress = v;
        }
        if let Some(v) = self.archive_after_days {
            config.rotation.archive_after_days = v;
        }
        if let Some(v) = self.ring_bytes {
            config.ring_bytes = v;
        }
        if let Some(v) = self.overflow {
            config.overflow = v.parse().map_err(|e| InitError::InvalidOption {
                option: "overflow",
                reason: format!("{e}"),
            })?;
        }
        if let Some(cap) = self.grow_cap_bytes {
            match &mut config.overflow {
                OverflowPolicy::Grow { cap_bytes } => *cap_bytes = cap,
                _ => {
                    return Err(InitError::InvalidOption {
                        option: "grow_cap_bytes",
                        reason: format!(
                            "{cap} is set but \"overflow\" is not \"grow\": remove it or set \"overflow\": \"grow\""
                        ),
                    });
                }
            }
        }
        if let Some(v) = self.idle_sleep {
            config.idle_sleep = duration("idle_sleep", &v)?;
        }
        if let Some(v) = self.flusher_cpu {
            config.flusher_cpu = v;
        }
        if let Some(v) = self.clock {
            config.clock = match v.as_str() {
                "tsc" => ClockSource::Tsc,
                "system" => ClockSource::System,
                "user" => {
                    return Err(InitError::InvalidOption {
                        option: "clock",
                        reason: "\"user\" is not allowed: a user clock is an object of the \
                                 application, installed from code with `Builder::user_clock` \
                                 (which then takes precedence over this key); expected \
                                 \"tsc\" or \"system\""
                            .into(),
                    });
                }
                _ => return Err(bad("clock", &v, "\"tsc\" or \"system\"")),
            };
        }
        if let Some(v) = self.msync {
            const ALLOWED: &str = "\"never\", a duration (\"100ms\": msync at that interval) \
                                   or a level (\"warn\": msync after each record at or above it)";
            config.msync = if v == "never" {
                MsyncPolicy::Never
            } else if LevelFilter::from_name(&v).is_some() {
                match log_level("msync", &v)?.to_level() {
                    Some(l) => MsyncPolicy::Level(l),
                    None => return Err(bad("msync", &v, ALLOWED)),
                }
            } else {
                MsyncPolicy::Interval(duration("msync", &v).map_err(|_| bad("msync", &v, ALLOWED))?)
            };
        }
        if let Some(v) = self.window_bytes {
            config.window_bytes = v;
        }
        if let Some(v) = self.max_merge_delay {
            config.max_merge_delay = duration("max_merge_delay", &v)?;
        }
        if let Some(v) = self.flush_timeout {
            config.flush_timeout = duration("flush_timeout", &v)?;
        }
        if let Some(v) = self.panic_hook {
            config.panic_hook = v;
        }
        if let Some(v) = self.signal_handler {
            config.signal_handler = v;
        }
        if let Some(v) = self.backtrace_level {
            config.backtrace_level = log_level("backtrace_level", &v)?;
        }
        if let Some(v) = self.backtrace_capacity {
            config.backtrace_capacity = v;
        }
        if let Some(v) = self.console {
            config.console = v.map(|l| log_level("console", &l)).transpose()?;
        }
        if let Some(v) = self.console_formatter {
            config.console_formatter = Some(v);
        }
        if let Some(v) = self.console_color {
            config.console_color = match v.as_str() {
                "auto" => ConsoleColor::Auto,
                "always" => ConsoleColor::Always,
                "never" => ConsoleColor::Never,
                _ => {
                    return Err(bad(
                        "console_color",
                        &v,
                        "\"auto\", \"always\" or \"never\"",
                    ));
                }
            };
        }
        if let Some(v) = self.error_backtrace {
            config.error_backtrace = v;
        }
        if let Some(v) = self.metrics_interval {
            config.metrics_interval = match v {
                Some(v) => Some(duration("metrics_interval", &v)?),
                None => None,
            };
        }
        if let Some(v) = self.max_records_per_second {
            config.max_records_per_second = match v {
                serde_json::Value::Null => None,
                serde_json::Value::Number(n) if n.as_u64().is_some_and(|n| n > 0) => n.as_u64(),
                other => {
                    return Err(InitError::InvalidOption {
                        option: "max_records_per_second",
                        reason: format!(
                            "{other} is not allowed: must be a positive integer \
                             (records per second), or null for no cap"
                        ),
                    });
                }
            };
        }
        Ok(())
    }
}

/// The keys a configuration file set, and its path.
pub(crate) struct FileKeys {
    path: PathBuf,
    keys: Vec<String>,
}

impl FileKeys {
    /// Adds the file's path and key to an [`InitError::InvalidOption`]
    /// whose option the file set (a value that parsed but that the
    /// builder's checks refuse, such as `"ring_bytes": 1024`).
    pub(crate) fn annotate(&self, e: InitError) -> InitError {
        let InitError::InvalidOption { option, reason } = e else {
            return e;
        };
        let keys: &[&str] = match option {
            "backtrace" => &["backtrace_level", "backtrace_capacity"],
            "overflow" => &["overflow", "grow_cap_bytes"],
            "level" => &["level", "filter"],
            other => &[other],
        };
        let set: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| self.keys.iter().any(|f| f == k))
            .collect();
        if set.is_empty() {
            return InitError::InvalidOption { option, reason };
        }
        let keys = set
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        InitError::InvalidOption {
            option,
            reason: format!(
                "{reason} (the configuration file {} sets {keys})",
                self.path.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(json: &str) -> Result<Config, InitError> {
        let mut c = Config::default();
        let mut create = false;
        FileConfig::parse(json)?.apply(&mut c, &mut create)?;
        Ok(c)
    }

    fn err(json: &str) -> (&'static str, String) {
        match apply(json) {
            Err(InitError::InvalidOption { option, reason }) => (option, reason),
            other => panic!("{json}: expected InvalidOption, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_an_object_says_so() {
        for (json, what) in [
            ("[]", "an array"),
            (r#"["level", "info"]"#, "an array"),
            (r#""info""#, "a string"),
            ("42", "a number"),
            ("null", "null"),
        ] {
            let (option, reason) = err(json);
            assert_eq!(option, "config_file");
            assert!(
                reason.contains(&format!(
                    "the file holds {what}; it must hold one JSON object"
                )),
                "{json}: {reason}"
            );
            assert!(!reason.contains("FileConfig"), "{json}: {reason}");
        }
    }

    #[test]
    fn critical_is_a_level_for_the_filter_and_the_files_but_not_the_console() {
        let c = apply(r#"{"level": "critical", "errors_file": {"level": "CRITICAL"}}"#).unwrap();
        assert_eq!(c.level, LevelFilter::Critical);
        assert_eq!(
            c.errors,
            Some(FileSpec::new("errors").level(LevelFilter::Critical))
        );
        for key in ["console", "msync", "backtrace_level"] {
            let (option, reason) = err(&format!(r#"{{"{key}": "critical"}}"#));
            assert_eq!(option, key);
            assert!(
                reason.contains("\"critical\" is not allowed here"),
                "{reason}"
            );
        }
    }

    #[test]
    fn every_key_is_applied() {
        let c = apply(
            r#"{
            "dir": "/var/log/app", "create_dir": true, "level": "debug",
            "filter": "info,strategy=debug",
            "main_file": {"name": "main", "level": "info"},
            "trades_file": {"name": "fills"},
            "perf_file": {"enabled": false},
            "errors_file": {"level": "warn"},
            "format": "text", "max_file_bytes": null, "rotation_time": "15m",
            "time_zone": "local", "backup_count": 7, "retention_days": 30,
            "compress": true, "ring_bytes": 65536, "overflow": "grow",
            "grow_cap_bytes": 1048576, "idle_sleep": "50us", "flusher_cpu": 1,
            "clock": "system", "msync": "warn", "window_bytes": 4096,
            "max_merge_delay": "10ms", "flush_timeout": "2s", "panic_hook": false,
            "signal_handler": true, "backtrace_level": "trace", "backtrace_capacity": 64,
            "console": "warn", "console_color": "always",
            "max_records_per_second": 5000
        }"#,
        )
        .unwrap();
        assert_eq!(c.dir, PathBuf::from("/var/log/app"));
        assert_eq!(c.level, LevelFilter::Debug);
        assert_eq!(c.filter.as_deref(), Some("info,strategy=debug"));
        assert_eq!(c.main, Some(FileSpec::new("main").level(LevelFilter::Info)));
        assert_eq!(c.trades, Some(FileSpec::new("fills")));
        assert_eq!(c.perf, None);
        assert_eq!(
            c.errors,
            Some(FileSpec::new("errors").level(LevelFilter::Warn))
        );
        assert_eq!(c.format, Format::Text);
        assert_eq!(c.rotation.max_bytes, None);
        assert_eq!(
            c.rotation.time,
            TimeRotation::Every(Duration::from_secs(900))
        );
        assert_eq!(c.rotation.time_zone, TimeZone::Local);
        assert_eq!(c.rotation.backup_count, Some(7));
        assert_eq!(c.rotation.retention_days, Some(30));
        assert!(c.rotation.compress);
        assert_eq!(c.ring_bytes, 65536);
        assert_eq!(c.overflow, OverflowPolicy::Grow { cap_bytes: 1 << 20 });
        assert_eq!(c.idle_sleep, Duration::from_micros(50));
        assert_eq!(c.flusher_cpu, Some(1));
        assert_eq!(c.clock, ClockSource::System);
        assert_eq!(c.msync, MsyncPolicy::Level(log::Level::Warn));
        assert_eq!(c.window_bytes, 4096);
        assert_eq!(c.max_merge_delay, Duration::from_millis(10));
        assert_eq!(c.flush_timeout, Duration::from_secs(2));
        assert!(!c.panic_hook);
        assert!(c.signal_handler);
        assert_eq!(c.backtrace_level, LevelFilter::Trace);
        assert_eq!(c.backtrace_capacity, 64);
        assert_eq!(c.console, Some(log::LevelFilter::Warn));
        assert_eq!(c.console_color, ConsoleColor::Always);
        assert_eq!(c.max_records_per_second, Some(5000));
        let c = apply(r#"{"console": null}"#).unwrap();
        assert_eq!(c.console, None);
    }

    #[test]
    fn the_documented_example_is_valid() {
        let readme = include_str!("../../docs/configuration.md");
        let section = readme.split("## Configuration file").nth(1).unwrap();
        let json = section.split("```json").nth(1).unwrap();
        let json = json.split("```").next().unwrap();
        let mut c = apply(json).unwrap();
        c.flusher_cpu = None; // this machine may have one CPU
        crate::install::validate(&c).unwrap();
        assert_eq!(c.rotation.retention_days, Some(14));
    }

    #[test]
    fn the_documented_formatters_are_valid() {
        let doc = include_str!("../../docs/configuration.md");
        let section = doc.split("## Formatters per file").nth(1).unwrap();
        let json = section.split("```json").nth(1).unwrap();
        let json = json.split("```").next().unwrap();
        let c = apply(json).unwrap();
        crate::install::validate(&c).unwrap();
        let names: Vec<&str> = c.formatters.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        assert_eq!(c.errors.unwrap().formatter.as_deref(), Some("human"));
        let tabs = &c.formatters.iter().find(|(n, _)| n == "tabs").unwrap().1;
        assert_eq!(tabs.field_separator.as_deref(), Some("\t"));
    }

    #[test]
    fn absent_keys_keep_the_builder_values() {
        let mut c = Config {
            ring_bytes: 8192,
            ..Config::default()
        };
        let mut create = true;
        FileConfig::parse(r#"{"compress": true}"#)
            .unwrap()
            .apply(&mut c, &mut create)
            .unwrap();
        assert_eq!(c.ring_bytes, 8192);
        assert!(create);
        assert!(c.rotation.compress);
        assert_eq!(c.rotation.max_bytes, Some(DEFAULT_MAX_FILE_BYTES));
        assert_eq!(
            apply(r#"{"msync": "250ms"}"#).unwrap().msync,
            MsyncPolicy::Interval(Duration::from_millis(250))
        );
    }

    #[test]
    fn unknown_key_is_an_error_listing_the_keys() {
        let (option, reason) = err(r#"{"ring_size": 4096}"#);
        assert_eq!(option, "config_file");
        assert!(reason.contains("unknown field `ring_size`"), "{reason}");
        assert!(reason.contains("`ring_bytes`"), "{reason}");
        let (_, reason) = err(r#"{"trades_file": {"file": "x"}}"#);
        assert!(reason.contains("unknown field `file`"), "{reason}");
    }

    #[test]
    fn a_misspelt_key_names_the_known_key_it_resembles_wherever_it_is() {
        for (json, option, says) in [
            (
                r#"{"levle": "info"}"#,
                "config_file",
                "levle: unknown field `levle` (did you mean `level`?), expected one of `dir`",
            ),
            (
                r#"{"main_file": {"retention_day": 3}}"#,
                "config_file",
                "main_file.retention_day: unknown field `retention_day` (did you mean `retention_days`?)",
            ),
            (
                r#"{"json_options": {"timestmp": "rfc3339"}}"#,
                "config_file",
                "json_options.timestmp: unknown field `timestmp` (did you mean `timestamp`?)",
            ),
            (
                r#"{"redact": [{"feild": "password"}]}"#,
                "config_file",
                "redact[0].feild: unknown field `feild` (did you mean `field`?)",
            ),
            (
                r#"{"services": {"execution": {"levle": "info"}}}"#,
                "services",
                "execution.levle: unknown field `levle` (did you mean `level`?)",
            ),
            (
                r#"{"services": {"execution": {"file": {"retention_day": 3}}}}"#,
                "services",
                "execution.file.retention_day: unknown field `retention_day` (did you mean `retention_days`?)",
            ),
            (
                r#"{"formatters": {"h": {"formt": "text"}}}"#,
                "formatters",
                "\"h\".formt: unknown field `formt` (did you mean `format`?)",
            ),
        ] {
            let (o, reason) = err(json);
            assert_eq!(o, option, "{json}");
            assert!(reason.contains(says), "{json}: {reason}");
        }
        // Nothing close: no guess, serde's list of the known keys.
        let (_, reason) = err(r#"{"colour": true}"#);
        assert!(!reason.contains("did you mean"), "{reason}");
        assert!(reason.contains("expected one of `dir`"), "{reason}");
    }

    #[test]
    fn a_misspelt_level_names_the_level_it_resembles() {
        let (option, reason) = err(r#"{"level": "infoo"}"#);
        assert_eq!(option, "level");
        assert!(reason.contains("(did you mean `info`?)"), "{reason}");
        let (option, reason) = err(r#"{"services": {"desk": {"level": "eror"}}}"#);
        assert_eq!(option, "services");
        assert!(
            reason.contains("desk.level: \"eror\" is not allowed")
                && reason.contains("(did you mean `error`?)"),
            "{reason}"
        );
        let (_, reason) = err(r#"{"level": "loud"}"#);
        assert!(!reason.contains("did you mean"), "{reason}");
        // In `filter`, a bare word like a level is refused too (not a target).
        let (option, reason) = err(r#"{"filter": "infoo"}"#);
        assert_eq!(option, "filter");
        assert!(reason.contains("did you mean `info`?"), "{reason}");
    }

    #[test]
    fn wrong_type_and_negative_numbers_are_errors() {
        let (option, reason) = err(r#"{"ring_bytes": "big"}"#);
        assert_eq!(option, "config_file");
        assert!(
            reason.contains("ring_bytes: invalid type: string \"big\""),
            "{reason}"
        );
        let (_, reason) = err(r#"{"max_file_bytes": -1}"#);
        assert!(reason.contains("invalid value: integer `-1`"), "{reason}");
        let (_, reason) = err("{\"dir\": ");
        assert!(reason.contains("EOF"), "{reason}");
    }

    #[test]
    fn unknown_levels_are_errors() {
        for key in ["level", "backtrace_level"] {
            let (option, reason) = err(&format!(r#"{{"{key}": "verbose"}}"#));
            assert_eq!(option, key);
            assert!(reason.contains("\"verbose\""), "{reason}");
            assert!(reason.contains(ALLOWED_LEVELS), "{reason}");
        }
        let (option, reason) = err(r#"{"errors_file": {"level": "fatal"}}"#);
        assert_eq!(option, "errors_file");
        assert!(reason.contains("\"fatal\""), "{reason}");
        let (option, reason) = err(r#"{"filter": "info,a=loud"}"#);
        assert_eq!(option, "filter");
        assert!(reason.contains("\"loud\""), "{reason}");
    }

    #[test]
    fn overflow_policies_by_name() {
        assert_eq!(
            apply(r#"{"overflow": "drop_newest"}"#).unwrap().overflow,
            OverflowPolicy::DropNewest
        );
        let (option, reason) = err(r#"{"overflow": "drop_oldest"}"#);
        assert_eq!(option, "overflow");
        assert!(
            reason.contains("single-producer single-consumer"),
            "{reason}"
        );
        let (option, reason) = err(r#"{"overflow": "spill"}"#);
        assert_eq!(option, "overflow");
        assert!(
            reason.contains("\"spill\"") && reason.contains("\"block\""),
            "{reason}"
        );
        let (option, reason) = err(r#"{"grow_cap_bytes": 8192}"#);
        assert_eq!(option, "grow_cap_bytes");
        assert!(reason.contains("not \"grow\""), "{reason}");
    }

    #[test]
    fn enumerations_name_the_allowed_values() {
        let cases = [
            (
                "format",
                "yaml",
                "\"json\", \"text\", \"logfmt\", \"pattern\" or \"xml\"",
            ),
            ("time_zone", "cet", "\"utc\" or \"local\""),
            ("clock", "rdtscp", "\"tsc\" or \"system\""),
            ("rotation_time", "weekly", "\"hourly\", \"daily\""),
            ("msync", "always", "\"never\", a duration"),
            ("console_color", "yes", "\"auto\", \"always\" or \"never\""),
            ("console", "loud", ALLOWED_LEVELS),
        ];
        for (key, value, allowed) in cases {
            let (option, reason) = err(&format!(r#"{{"{key}": "{value}"}}"#));
            assert_eq!(option, key);
            assert!(reason.contains(&format!("{value:?}")), "{reason}");
            assert!(reason.contains(allowed), "{reason}");
        }
    }

    #[test]
    fn a_user_clock_cannot_come_from_the_file() {
        let (option, reason) = err(r#"{"clock": "user"}"#);
        assert_eq!(option, "clock");
        assert!(reason.contains("\"user\" is not allowed"), "{reason}");
        assert!(reason.contains("Builder::user_clock"), "{reason}");
        assert!(reason.contains("\"tsc\" or \"system\""), "{reason}");
    }

    /// A user clock installed by code wins over the file's `clock`, which
    /// is still checked and applied to `Config::clock`.
    #[test]
    fn the_file_clock_leaves_a_user_clock_in_place() {
        let mut c = Config {
            user_clock: Some(std::sync::Arc::new(crate::SimulatedClock::new(5))),
            ..Config::default()
        };
        let mut create = false;
        FileConfig::parse(r#"{"clock": "system"}"#)
            .unwrap()
            .apply(&mut c, &mut create)
            .unwrap();
        assert_eq!(c.clock, ClockSource::System);
        assert_eq!(c.user_clock.as_ref().map(|u| u.now_ns()), Some(5));
        assert_eq!(
            crate::clock::resolve(c.clock, c.user_clock.is_some()),
            crate::clock::ClockMode::User
        );
    }

    #[test]
    fn durations_need_a_known_unit() {
        for key in ["idle_sleep", "max_merge_delay", "flush_timeout"] {
            for value in ["100", "1.5s", "10 years", "s", "-1ms"] {
                let (option, reason) = err(&format!(r#"{{"{key}": "{value}"}}"#));
                assert_eq!(option, key);
                assert!(reason.contains("ns, us, ms, s, m, h or d"), "{reason}");
            }
        }
        assert_eq!(
            apply(r#"{"idle_sleep": "250ns"}"#).unwrap().idle_sleep,
            Duration::from_nanos(250)
        );
        assert_eq!(
            apply(r#"{"flush_timeout": "1h"}"#).unwrap().flush_timeout,
            Duration::from_secs(3600)
        );
        assert_eq!(
            apply(r#"{"max_merge_delay": "1d"}"#)
                .unwrap()
                .max_merge_delay,
            Duration::from_secs(86_400)
        );
    }

    /// The builder's validation, reached through the file: it names the
    /// file's key, the bad value and what is allowed.
    #[test]
    fn each_validation_rule_names_the_key() {
        let cases = [
            (
                r#"{"ring_bytes": 100}"#,
                "ring_bytes",
                "100 is out of range: allowed 4096 to",
            ),
            (
                r#"{"ring_bytes": 4294967296}"#,
                "ring_bytes",
                "out of range",
            ),
            (
                r#"{"overflow": "grow", "grow_cap_bytes": 4096, "ring_bytes": 8192}"#,
                "overflow",
                "cap_bytes 4096 must be at least ring_bytes (8192)",
            ),
            (
                r#"{"window_bytes": 1}"#,
                "window_bytes",
                "1 is out of range: allowed 4096",
            ),
            (
                r#"{"max_file_bytes": 0}"#,
                "max_file_bytes",
                "must be positive",
            ),
            (
                r#"{"rotation_time": "0s"}"#,
                "rotation_time",
                "Every(0ns) is out of range: allowed 1 s to 24 h",
            ),
            (
                r#"{"retention_days": 0}"#,
                "retention_days",
                "must be positive",
            ),
            (
                r#"{"idle_sleep": "0ns"}"#,
                "idle_sleep",
                "allowed 1 ns to 1 s",
            ),
            (
                r#"{"idle_sleep": "2s"}"#,
                "idle_sleep",
                "allowed 1 ns to 1 s",
            ),
            (
                r#"{"flush_timeout": "0s"}"#,
                "flush_timeout",
                "0ns is out of range: allowed 1 ns to 86400s",
            ),
            (
                r#"{"level": "debug", "backtrace_level": "info", "backtrace_capacity": 8}"#,
                "backtrace",
                "level INFO is not more verbose than the files' level DEBUG",
            ),
            (
                r#"{"backtrace_level": "trace", "backtrace_capacity": 0}"#,
                "backtrace",
                "capacity 0 is out of range",
            ),
            (
                r#"{"flusher_cpu": 100000}"#,
                "flusher_cpu",
                "CPU 100000 does not exist",
            ),
            (
                r#"{"trades_file": {"name": "../x"}}"#,
                "trades_file",
                "must be a non-empty plain name",
            ),
            (
                r#"{"perf_file": {"name": "app"}}"#,
                "perf_file",
                "\"app\" is used by two destinations",
            ),
            (
                r#"{"main_file": {"enabled": false}, "trades_file": {"enabled": false},
                    "perf_file": {"enabled": false}, "errors_file": {"enabled": false}}"#,
                "main_file",
                "every destination is disabled",
            ),
        ];
        for (json, key, message) in cases {
            let c = apply(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            match crate::install::validate(&c) {
                Err(InitError::InvalidOption { option, reason }) => {
                    assert_eq!(option, key, "{json}");
                    assert!(reason.contains(message), "{json}: {reason}");
                }
                other => panic!("{json}: expected InvalidOption({key}), got {other:?}"),
            }
        }
    }

    #[test]
    fn pattern_and_strftime_keys() {
        let c = apply(r#"{"format": "pattern", "pattern": "{time:HH:mm} {message}"}"#).unwrap();
        assert_eq!(
            c.format,
            Format::Pattern(crate::Pattern::new("{time:HH:mm} {message}"))
        );
        let (option, reason) = err(r#"{"format": "pattern", "pattern": "{time} {lvl}"}"#);
        assert_eq!(option, "pattern");
        assert!(
            reason.starts_with("unknown placeholder {lvl} at byte 7 of \"{time} {lvl}\""),
            "{reason}"
        );
        let (option, reason) = err(r#"{"format": "pattern"}"#);
        assert_eq!(option, "format");
        assert!(reason.contains("needs the `pattern` key"), "{reason}");
        let (option, reason) = err(r#"{"pattern": "{message}"}"#);
        assert_eq!(option, "pattern");
        assert!(reason.contains("the format is not \"pattern\""), "{reason}");
        let c = apply(r#"{"json_options": {"timestamp": "%F %T%.3f"}}"#).unwrap();
        assert_eq!(
            c.json.timestamp,
            crate::TimestampFormat::Strftime(crate::Strftime::new("%F %T%.3f"))
        );
        let (option, reason) = err(r#"{"json_options": {"timestamp": "%F %Q"}}"#);
        assert_eq!(option, "json_options");
        assert!(
            reason.contains("timestamp: unknown conversion \"%Q\" at byte 3 of \"%F %Q\""),
            "{reason}"
        );
        // The builder's values are checked at install, naming the option.
        let builder = Config {
            format: Format::Pattern(crate::Pattern::new("{level:<x}")),
            ..Config::default()
        };
        match crate::install::validate(&builder) {
            Err(InitError::InvalidOption { option, reason }) => {
                assert_eq!(option, "format");
                assert!(
                    reason.starts_with("pattern: bad width or alignment"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_backtrace_and_metrics_interval() {
        let c = apply(r#"{"error_backtrace": true, "metrics_interval": "250ms"}"#).unwrap();
        assert!(c.error_backtrace);
        assert_eq!(c.metrics_interval, Some(Duration::from_millis(250)));
        let mut base = Config {
            metrics_interval: Some(Duration::from_secs(1)),
            ..Config::default()
        };
        FileConfig::parse(r#"{"metrics_interval": null}"#)
            .unwrap()
            .apply(&mut base, &mut false)
            .unwrap();
        assert_eq!(base.metrics_interval, None);
        let (option, reason) = err(r#"{"metrics_interval": "often"}"#);
        assert_eq!(option, "metrics_interval", "{reason}");
        let (option, reason) = err(r#"{"error_backtrace": 1}"#);
        assert!(reason.contains("error_backtrace"), "{option}: {reason}");
    }

    #[test]
    fn max_records_per_second_is_a_positive_integer_or_null() {
        let mut c = Config {
            max_records_per_second: Some(10),
            ..Config::default()
        };
        let mut create = false;
        FileConfig::parse(r#"{"max_records_per_second": null}"#)
            .unwrap()
            .apply(&mut c, &mut create)
            .unwrap();
        assert_eq!(c.max_records_per_second, None);
        assert_eq!(
            apply(r#"{"max_records_per_second": 1}"#)
                .unwrap()
                .max_records_per_second,
            Some(1)
        );
        assert_eq!(apply("{}").unwrap().max_records_per_second, None);
        for value in [
            "0",
            "-5",
            "1.5",
            "\"100\"",
            "true",
            "[1]",
            "18446744073709551616",
        ] {
            let (option, reason) = err(&format!(r#"{{"max_records_per_second": {value}}}"#));
            assert_eq!(option, "max_records_per_second", "{value}");
            assert!(
                reason.starts_with(&format!("{value} is not allowed"))
                    || value == "18446744073709551616",
                "{value}: {reason}"
            );
            assert!(
                reason.contains("must be a positive integer (records per second), or null"),
                "{value}: {reason}"
            );
        }
    }

    #[test]
    fn a_disabled_destination_takes_nothing_else() {
        let (option, reason) = err(r#"{"perf_file": {"enabled": false, "name": "p"}}"#);
        assert_eq!(option, "perf_file");
        assert!(reason.contains("\"enabled\": false"), "{reason}");
        let c = apply(r#"{"perf_file": {"enabled": true}}"#).unwrap();
        assert_eq!(c.perf, Some(FileSpec::new("perf")));
    }

    #[test]
    fn services_map_prefixes_to_names_and_each_rule_is_checked() {
        let c = apply(r#"{"services": {"desk::execution": "execution", "desk::risk": "risk"}}"#)
            .unwrap();
        assert_eq!(
            c.services,
            [
                ("desk::execution".to_string(), "execution".to_string()),
                ("desk::risk".to_string(), "risk".to_string())
            ]
        );
        assert!(crate::install::validate(&c).is_ok());
        let (option, reason) = err(r#"{"services": ["execution"]}"#);
        assert_eq!(option, "config_file");
        assert!(
            reason.starts_with("services: invalid type: sequence"),
            "{reason}"
        );
        for (json, message) in [
            (
                r#"{"services": {"": "x"}}"#,
                "prefix \"\" is not a target path",
            ),
            (
                r#"{"services": {"desk::": "x"}}"#,
                "prefix \"desk::\" is not a target path",
            ),
            (r#"{"services": {"de sk": "x"}}"#, "is not a target path"),
            (r#"{"services": {"desk": ""}}"#, "must be 1 to 64 bytes"),
            (
                r#"{"services": {"desk": "a\nb"}}"#,
                "without control characters",
            ),
        ] {
            let c = apply(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            match crate::install::validate(&c) {
                Err(InitError::InvalidOption { option, reason }) => {
                    assert_eq!(option, "services", "{json}");
                    assert!(reason.contains(message), "{json}: {reason}");
                }
                other => panic!("{json}: expected InvalidOption(services), got {other:?}"),
            }
        }
    }

    /// The first JSON block of the section `heading` of docs/configuration.md.
    fn documented(heading: &str) -> Config {
        let doc = include_str!("../../docs/configuration.md");
        let section = doc.split(heading).nth(1).unwrap();
        let json = section.split("```json").nth(1).unwrap();
        let json = json.split("```").next().unwrap();
        let c = apply(json).unwrap();
        crate::install::validate(&c).unwrap();
        c
    }

    #[test]
    fn the_six_services_of_the_documentation_are_valid() {
        let c = documented("## Services' files and levels");
        let got: Vec<(&str, Option<LevelFilter>, Option<&str>)> = c
            .service_specs
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.level,
                    s.file.as_ref().map(|f| f.name.as_str()),
                )
            })
            .collect();
        // Sorted by name (the file's object has no order).
        assert_eq!(
            got,
            [
                ("analytics", Some(LevelFilter::Info), Some("analytics")),
                (
                    "data_ingestion",
                    Some(LevelFilter::Info),
                    Some("data_ingestion")
                ),
                ("execution", Some(LevelFilter::Info), Some("execution")),
                (
                    "notification",
                    Some(LevelFilter::Info),
                    Some("notification")
                ),
                (
                    "risk_management",
                    Some(LevelFilter::Warn),
                    Some("risk_management")
                ),
                (
                    "strategy_engine",
                    Some(LevelFilter::Debug),
                    Some("strategy_engine")
                ),
            ]
        );
        assert!(
            c.services
                .contains(&("desk::risk".to_string(), "risk_management".to_string()))
        );
        assert_eq!(c.services.len(), 6);
    }

    #[test]
    fn per_file_rotation_of_the_documentation_is_valid() {
        let c = documented("## Rotation and retention per file");
        assert_eq!(c.rotation.retention_days, Some(30));
        assert_eq!(c.rotation.archive_after_days, Some(7));
        let effective =
            |f: &Option<FileSpec>| c.rotation.with_overrides(&f.as_ref().unwrap().rotation);
        assert_eq!(effective(&c.trades).retention_days, Some(90));
        assert_eq!(effective(&c.trades).time, TimeRotation::Daily);
        assert_eq!(effective(&c.perf).retention_days, Some(30));
        assert_eq!(effective(&c.errors).retention_days, Some(90));
        assert!(effective(&c.errors).compress);
        assert_eq!(effective(&c.main), c.rotation);
    }

    #[test]
    fn services_take_both_forms_and_file_objects_and_critical() {
        let c = apply(
            r#"{"services": {
                "desk::fix": "fix_gateway",
                "pager": {"level": "critical", "file": {"name": "pages", "retention_days": 365,
                          "max_file_bytes": null, "level": "critical"}},
                "quiet": {"prefixes": ["desk::quiet"], "level": "off", "file": null}
            }}"#,
        )
        .unwrap();
        assert!(
            c.services
                .contains(&("desk::fix".into(), "fix_gateway".into()))
        );
        let pager = &c.service_specs[0];
        assert_eq!(pager.name, "pager");
        assert_eq!(pager.level, Some(LevelFilter::Critical));
        let file = pager.file.as_ref().unwrap();
        assert_eq!(file.name, "pages");
        assert_eq!(file.level, LevelFilter::Critical);
        assert_eq!(file.rotation.retention_days, Some(Some(365)));
        assert_eq!(file.rotation.max_bytes, Some(None));
        assert_eq!(c.service_specs[1].file, None);
        crate::install::validate(&c).unwrap();
        // A destination's own rotation keys, over the builder's file.
        let c = apply(
            r#"{"main_file": {"backup_count": 5, "archive_after_days": 0, "compress": false}}"#,
        )
        .unwrap();
        let main = c.main.unwrap();
        assert_eq!(main.name, "app");
        assert_eq!(main.rotation.backup_count, Some(Some(5)));
        assert_eq!(main.rotation.archive_after_days, Some(Some(0)));
        assert_eq!(main.rotation.compress, Some(false));
    }
}
