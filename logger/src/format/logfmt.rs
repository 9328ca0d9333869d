//! logfmt lines: `key=value` pairs separated by spaces, the variant of the
//! text format that log tools (Loki, Heroku, Grafana) parse.
//!
//! ```text
//! ts=2026-11-21T10:30:45.123456789Z level=info kind=log target=app::x service=app msg=connected venue=XNAS note="two words" correlation_id=trade-1 file=src/main.rs line=42 fn=app::x::f thread=main tid=1234
//! ```
//! The timestamp is RFC 3339 in the configured [`TimeZone`] (`Z` or the
//! offset), the level in lower case, then the record's kind, target,
//! service and message, its fields, the thread's bound context and
//! correlation id when set, and where it came from (`fn` only when known).
//!
//! Values are written as in the text format: a string is quoted, with `"`
//! and `\` escaped, when it is empty or holds whitespace, `=`, `"` or
//! control characters; control characters are escaped, so one record is
//! one line; bytes that are not UTF-8 are written lossily (U+FFFD). A JSON
//! value (an error's chain) is written as a quoted string. A key holding
//! a character logfmt cannot carry in a key (whitespace, `=`, `"`, control
//! characters) has it replaced by `_`.

use super::Formatter;
use super::json_timestamp::JsonTimestamp;
use super::text::{write_str_value, write_value};
use super::time_layout::TimeWriter;
use super::unique_keys::UniqueKeys;
use crate::config::TimeZone;
use crate::json_options::TimestampFormat;
use crate::level::Level;
use crate::view::{RecordView, Value};

/// Formats records as logfmt lines (see the module documentation).
pub struct LogfmtFormatter {
    ts: JsonTimestamp,
    /// A `strftime` layout instead of RFC 3339, and whether its value is
    /// quoted (its literals, escaped, hold a space, `=` or `"`).
    strftime: Option<(TimeWriter, bool)>,
    /// Renames a repeated key of `fields` (`dup`, `dup#2`).
    unique: UniqueKeys,
}

impl LogfmtFormatter {
    /// A formatter writing timestamps in `tz`.
    pub fn new(tz: TimeZone) -> Self {
        LogfmtFormatter {
            ts: JsonTimestamp::new(&TimestampFormat::Rfc3339Nanos, tz),
            strftime: None,
            unique: UniqueKeys::default(),
        }
    }

    /// A formatter writing timestamps in `tz` with the `strftime` layout
    /// of `format` when it is [`TimestampFormat::Strftime`] (quoted when
    /// its literal text holds a space, `=` or `"`), else in RFC 3339 with
    /// nanoseconds.
    pub fn with_timestamp(tz: TimeZone, format: &TimestampFormat) -> Self {
        let mut f = Self::new(tz);
        if let TimestampFormat::Strftime(s) = format {
            // A layout that does not compile was refused by `install()`.
            f.strftime = s.layout().ok().map(|layout| {
                let quoted = layout.any_literal(|l| {
                    l.contains(|c: char| c.is_whitespace() || c == '=' || c == '"')
                });
                let layout = if quoted {
                    layout.map_literals(|l| l.replace('\\', "\\\\").replace('"', "\\\""))
                } else {
                    layout.clone()
                };
                (TimeWriter::new(layout, tz), quoted)
            });
        }
        f
    }
}

/// Writes `key` with every character a logfmt key cannot hold as `_`
/// (`_` for an empty key).
fn write_key(out: &mut Vec<u8>, key: &str) {
    if key.is_empty() {
        out.push(b'_');
        return;
    }
    for c in key.chars() {
        if c.is_whitespace() || c.is_control() || c == '=' || c == '"' {
            out.push(b'_');
        } else {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
}

/// Writes a value; a JSON value as a quoted string.
fn write_logfmt_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Json(bytes) => write_str_value(out, &String::from_utf8_lossy(bytes)),
        v => write_value(out, v),
    }
}

impl Formatter for LogfmtFormatter {
    fn format(&mut self, r: &RecordView<'_>, out: &mut Vec<u8>) {
        out.reserve(160 + r.msg.len());
        out.extend_from_slice(b"ts=");
        match &mut self.strftime {
            None => self.ts.write_unquoted(r.ts_ns, out),
            Some((w, false)) => w.write(r.ts_ns, out),
            Some((w, true)) => {
                out.push(b'"');
                w.write(r.ts_ns, out);
                out.push(b'"');
            }
        }
        out.extend_from_slice(match r.level {
            Level::Critical => b" level=critical kind=",
            Level::Error => b" level=error kind=",
            Level::Warn => b" level=warn kind=",
            Level::Info => b" level=info kind=",
            Level::Debug => b" level=debug kind=",
            Level::Trace => b" level=trace kind=",
        });
        out.extend_from_slice(r.kind.as_str().as_bytes());
        out.extend_from_slice(b" target=");
        write_str_value(out, r.target);
        out.extend_from_slice(b" service=");
        write_str_value(out, r.service);
        out.extend_from_slice(b" msg=");
        write_value(out, &Value::Str(r.msg));
        let names = self.unique.names(r.fields);
        for (i, field) in r.fields.iter().chain(r.context).enumerate() {
            let key = names
                .as_ref()
                .and_then(|n| n.get(i))
                .map_or(field.key, |k| k);
            out.push(b' ');
            write_key(out, key);
            out.push(b'=');
            write_logfmt_value(out, &field.value);
        }
        if let Some(id) = &r.correlation {
            out.extend_from_slice(b" correlation_id=");
            write_logfmt_value(out, id);
        }
        out.extend_from_slice(b" file=");
        write_str_value(out, r.file);
        out.extend_from_slice(b" line=");
        out.extend_from_slice(itoa::Buffer::new().format(r.line).as_bytes());
        if let Some(function) = r.function {
            out.extend_from_slice(b" fn=");
            write_str_value(out, function);
        }
        out.extend_from_slice(b" thread=");
        write_str_value(out, r.thread);
        out.extend_from_slice(b" tid=");
        out.extend_from_slice(itoa::Buffer::new().format(r.tid).as_bytes());
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{Field, Kind};

    fn record<'a>(msg: &'a [u8], fields: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: 1_763_721_045_123_456_789,
            level: Level::Warn,
            kind: Kind::Log,
            target: "app::x",
            service: "svc",
            module: "app::x",
            file: "src/main.rs",
            line: 42,
            function: Some("app::x::f"),
            msg,
            fields,
            thread: "main",
            tid: 1234,
            correlation: Some(Value::Str(b"trade-1")),
            context: &[],
        }
    }

    fn line(r: &RecordView<'_>) -> String {
        let mut out = Vec::new();
        LogfmtFormatter::new(TimeZone::Utc).format(r, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn documented_shape() {
        let fields = [
            Field {
                key: "venue",
                value: Value::Str(b"XNAS"),
            },
            Field {
                key: "note",
                value: Value::Str(b"two \"words\"\n"),
            },
            Field {
                key: "bad key=",
                value: Value::F64(1.5),
            },
            Field {
                key: "err",
                value: Value::Json(br#"["a b"]"#),
            },
        ];
        assert_eq!(
            line(&record(b"limit breached", &fields)),
            concat!(
                r#"ts=2025-11-21T10:30:45.123456789Z level=warn kind=log target=app::x service=svc msg="limit breached" "#,
                r#"venue=XNAS note="two \"words\"\n" bad_key_=1.5 err="[\"a b\"]" correlation_id=trade-1 "#,
                "file=src/main.rs line=42 fn=app::x::f thread=main tid=1234\n"
            )
        );
    }

    #[test]
    fn strftime_timestamp_is_quoted_when_it_must_be() {
        let ts = |layout: &str| {
            let format = TimestampFormat::Strftime(crate::Strftime::new(layout));
            let mut out = Vec::new();
            LogfmtFormatter::with_timestamp(TimeZone::Utc, &format)
                .format(&record(b"m", &[]), &mut out);
            let line = String::from_utf8(out).unwrap();
            line[..line.find(" level=").unwrap()].to_string()
        };
        assert_eq!(ts("%Y-%m-%dT%H:%M:%S%.3f"), "ts=2025-11-21T10:30:45.123");
        assert_eq!(ts("%F %T"), "ts=\"2025-11-21 10:30:45\"");
        assert_eq!(ts("%T \"%Z\""), r#"ts="10:30:45 \"UTC\"""#);
    }

    #[test]
    fn empty_and_invalid_utf8_values() {
        let fields = [Field {
            key: "",
            value: Value::Str(b""),
        }];
        let got = line(&record(b"a\xffb", &fields));
        assert!(got.contains(" msg=a\u{FFFD}b _=\"\" "), "{got}");
        assert_eq!(got.lines().count(), 1);
    }
}
