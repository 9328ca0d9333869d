//! Human-readable text lines.
//!
//! ```text
//! 2026-11-21 10:30:45.123456789 | INFO  | app::x:42 | connected venue=XNAS note="two words" fn=app::x::f
//! ```
//! The timestamp is in the configured [`TimeZone`] (no zone suffix), the
//! level padded to five characters, then `target:line`, the message and the
//! fields as `key=value`, then the thread's bound context (`key=value`) and
//! correlation id (`correlation_id=...`) when set; `fn=<path>` comes last
//! when the function is known.
//!
//! One record is always one line: line breaks and other control characters
//! in the message, target, keys and values are escaped (`\n`, `\r`, `\t`,
//! `\u{1b}`), and bytes that are not UTF-8 are written lossily (U+FFFD).
//! String values are quoted, with `"` and `\` escaped, when they are empty
//! or hold whitespace, `=`, `"` or control characters.

use std::io::Write as _;

use crate::level::Level;

use super::Formatter;
use super::timestamp::TimestampCache;
use super::unique_keys::UniqueKeys;
use crate::config::TimeZone;
use crate::view::{RecordView, Value};

/// U+FFFD, written for each invalid UTF-8 sequence.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Formats records as text lines (see the module documentation).
pub struct TextFormatter {
    ts: TimestampCache,
    /// Renames a repeated key of `fields` (`dup`, `dup#2`).
    unique: UniqueKeys,
    /// The separator between the parts (`" | "` by default).
    sep: Box<[u8]>,
    /// `<sep><LEVEL padded to 5><sep>` for each level, in `Level` order
    /// (`Critical` first).
    levels: [Box<[u8]>; 6],
}

impl TextFormatter {
    /// A formatter writing timestamps in `tz`, its parts separated by `" | "`.
    pub fn new(tz: TimeZone) -> Self {
        Self::with_separator(tz, crate::formatter_spec::DEFAULT_FIELD_SEPARATOR)
    }

    /// A formatter writing timestamps in `tz`, its parts separated by
    /// `sep` (checked by [`crate::check_field_separator`] at install).
    pub fn with_separator(tz: TimeZone, sep: &str) -> Self {
        let level = |name: &str| {
            format!("{sep}{name:<5}{sep}")
                .into_bytes()
                .into_boxed_slice()
        };
        TextFormatter {
            ts: TimestampCache::text(tz),
            unique: UniqueKeys::default(),
            sep: sep.as_bytes().into(),
            levels: ["CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"].map(level),
        }
    }
}

impl Formatter for TextFormatter {
    fn format(&mut self, record: &RecordView<'_>, out: &mut Vec<u8>) {
        out.reserve(128 + record.msg.len());
        self.ts.write(record.ts_ns, out);
        out.extend_from_slice(match record.level {
            Level::Critical => &self.levels[0],
            Level::Error => &self.levels[1],
            Level::Warn => &self.levels[2],
            Level::Info => &self.levels[3],
            Level::Debug => &self.levels[4],
            Level::Trace => &self.levels[5],
        });
        write_escaped(out, record.target, false);
        out.push(b':');
        out.extend_from_slice(itoa::Buffer::new().format(record.line).as_bytes());
        out.extend_from_slice(&self.sep);
        write_lossy(out, record.msg, false);
        let names = self.unique.names(record.fields);
        for (i, field) in record.fields.iter().chain(record.context).enumerate() {
            let key = names
                .as_ref()
                .and_then(|n| n.get(i))
                .map_or(field.key, |k| k);
            out.push(b' ');
            write_escaped(out, key, false);
            out.push(b'=');
            write_value(out, &field.value);
        }
        if let Some(id) = &record.correlation {
            out.extend_from_slice(b" correlation_id=");
            write_value(out, id);
        }
        if let Some(function) = record.function {
            out.extend_from_slice(b" fn=");
            write_str_value(out, function);
        }
        out.push(b'\n');
    }
}

pub(super) fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match *value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::U64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::I64(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::U128(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::I128(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
        Value::F64(v) => {
            if v.is_finite() {
                out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
            } else if v.is_nan() {
                out.extend_from_slice(b"NaN");
            } else if v > 0.0 {
                out.extend_from_slice(b"inf");
            } else {
                out.extend_from_slice(b"-inf");
            }
        }
        Value::Char(c) => write_str_value(out, c.encode_utf8(&mut [0; 4])),
        Value::Json(bytes) => out.extend_from_slice(bytes),
        Value::Str(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => write_str_value(out, s),
            Err(_) => {
                let quoted = bytes.utf8_chunks().any(|chunk| needs_quotes(chunk.valid()));
                write_quoted_lossy(out, bytes, quoted);
            }
        },
    }
}

/// Writes a string value, quoted when [`needs_quotes`] says so.
pub(super) fn write_str_value(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Fast path: printable ASCII other than space, `=` and `"` is written
    // as it is. Scanned without early exit so it vectorizes.
    let plain = bytes.iter().fold(!bytes.is_empty(), |acc, &b| {
        acc & (b > b' ') & (b < 0x7f) & (b != b'=') & (b != b'"')
    });
    if plain {
        out.extend_from_slice(bytes);
    } else if s.is_empty() || needs_quotes(s) {
        out.push(b'"');
        write_escaped(out, s, true);
        out.push(b'"');
    } else {
        write_escaped(out, s, false);
    }
}

fn write_quoted_lossy(out: &mut Vec<u8>, bytes: &[u8], quoted: bool) {
    if quoted {
        out.push(b'"');
        write_lossy(out, bytes, true);
        out.push(b'"');
    } else {
        write_lossy(out, bytes, false);
    }
}

/// Whether a (non-empty) value must be quoted to read back as one value.
fn needs_quotes(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '=' || c == '"')
}

/// Writes `bytes` escaped, lossily (as `String::from_utf8_lossy` would)
/// when they are not UTF-8.
pub(super) fn write_lossy(out: &mut Vec<u8>, bytes: &[u8], quoted: bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => write_escaped(out, s, quoted),
        Err(_) => {
            for chunk in bytes.utf8_chunks() {
                write_escaped(out, chunk.valid(), quoted);
                if !chunk.invalid().is_empty() {
                    out.extend_from_slice(REPLACEMENT);
                }
            }
        }
    }
}

/// Writes `s` with control characters (and U+2028/U+2029, which some
/// viewers break lines at) escaped; inside quotes, `"` and `\` too.
fn write_escaped(out: &mut Vec<u8>, s: &str, quoted: bool) {
    let bytes = s.as_bytes();
    // Printable ASCII (minus `"` and `\` inside quotes) needs nothing:
    // scanned without early exit so it vectorizes.
    let plain = bytes.iter().fold(true, |acc, &b| {
        acc & (0x20..0x7f).contains(&b) & !(quoted & ((b == b'"') | (b == b'\\')))
    });
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: &[u8] = match c {
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            '"' if quoted => b"\\\"",
            '\\' if quoted => b"\\\\",
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            // Writing into a `Vec<u8>` cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.extend_from_slice(escape);
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::json::tests::any_value;
    use crate::view::{Field, Kind};
    use proptest::prelude::*;

    const TS: u64 = 1_763_721_045_123_456_789;

    fn record<'a>(msg: &'a [u8], fields: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: TS,
            level: Level::Info,
            kind: Kind::Log,
            target: "app::x",
            service: "svc",
            module: "app::x",
            file: "src/main.rs",
            line: 42,
            function: None,
            msg,
            fields,
            thread: "main",
            tid: 1234,
            correlation: None,
            context: &[],
        }
    }

    fn line(f: &mut TextFormatter, r: &RecordView<'_>) -> String {
        let mut out = Vec::new();
        f.format(r, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn fmt() -> TextFormatter {
        TextFormatter::new(TimeZone::Utc)
    }

    #[test]
    fn plain_log_record() {
        assert_eq!(
            line(&mut fmt(), &record(b"connected", &[])),
            "2025-11-21 10:30:45.123456789 | INFO  | app::x:42 | connected\n"
        );
    }

    #[test]
    fn a_field_separator_replaces_every_bar() {
        let fields = [Field {
            key: "qty",
            value: Value::U64(5),
        }];
        let mut tab = TextFormatter::with_separator(TimeZone::Utc, "\t");
        assert_eq!(
            line(&mut tab, &record(b"a | b", &fields)),
            "2025-11-21 10:30:45.123456789\tINFO \tapp::x:42\ta | b qty=5\n"
        );
        let mut r = record(b"down", &[]);
        r.level = Level::Critical;
        let mut semi = TextFormatter::with_separator(TimeZone::Utc, ";");
        assert_eq!(
            line(&mut semi, &r),
            "2025-11-21 10:30:45.123456789;CRITICAL;app::x:42;down\n"
        );
        // A tab in the message is escaped: the separator stays unambiguous.
        assert_eq!(
            line(&mut tab, &record(b"a\tb", &[])).matches('\t').count(),
            3
        );
    }

    #[test]
    fn context_and_correlation_follow_the_fields() {
        let fields = [Field {
            key: "qty",
            value: Value::U64(5),
        }];
        let context = [Field {
            key: "strategy",
            value: Value::Str(b"mm 1"),
        }];
        let mut r = record(b"filled", &fields);
        r.context = &context;
        r.correlation = Some(Value::Str(b"trade-1"));
        r.function = Some("app::f");
        assert_eq!(
            line(&mut fmt(), &r),
            "2025-11-21 10:30:45.123456789 | INFO  | app::x:42 | filled qty=5 strategy=\"mm 1\" \
             correlation_id=trade-1 fn=app::f\n"
        );
    }

    #[test]
    fn with_fields_and_function() {
        let fields = [
            Field {
                key: "key",
                value: Value::Str(b"value"),
            },
            Field {
                key: "key2",
                value: Value::Str(b"two words"),
            },
            Field {
                key: "qty",
                value: Value::U64(100),
            },
        ];
        let mut r = record(b"message", &fields);
        r.function = Some("app::x::f");
        assert_eq!(
            line(&mut fmt(), &r),
            "2025-11-21 10:30:45.123456789 | INFO  | app::x:42 | message key=value \
             key2=\"two words\" qty=100 fn=app::x::f\n"
        );
        r.fields = &[];
        assert_eq!(
            line(&mut fmt(), &r),
            "2025-11-21 10:30:45.123456789 | INFO  | app::x:42 | message fn=app::x::f\n"
        );
    }

    #[test]
    fn levels_are_padded() {
        let mut f = fmt();
        for (level, name) in [
            (Level::Critical, "CRITICAL"),
            (Level::Error, "ERROR"),
            (Level::Warn, "WARN "),
            (Level::Info, "INFO "),
            (Level::Debug, "DEBUG"),
            (Level::Trace, "TRACE"),
        ] {
            let mut r = record(b"m", &[]);
            r.level = level;
            assert_eq!(
                line(&mut f, &r),
                format!("2025-11-21 10:30:45.123456789 | {name} | app::x:42 | m\n")
            );
        }
    }

    fn one_field(value: Value<'_>) -> String {
        let fields = [Field { key: "v", value }];
        let got = line(&mut fmt(), &record(b"m", &fields));
        let start = got.find(" | m ").expect("message") + " | m ".len();
        got[start..got.len() - 1].to_string()
    }

    #[test]
    fn every_value_variant() {
        assert_eq!(one_field(Value::Null), "v=null");
        assert_eq!(one_field(Value::Bool(true)), "v=true");
        assert_eq!(one_field(Value::Bool(false)), "v=false");
        assert_eq!(one_field(Value::U64(u64::MAX)), "v=18446744073709551615");
        assert_eq!(one_field(Value::I64(-5)), "v=-5");
        assert_eq!(
            one_field(Value::U128(u128::MAX)),
            "v=340282366920938463463374607431768211455"
        );
        assert_eq!(
            one_field(Value::I128(i128::MIN)),
            "v=-170141183460469231731687303715884105728"
        );
        assert_eq!(one_field(Value::F64(101.25)), "v=101.25");
        assert_eq!(one_field(Value::F64(3.0)), "v=3.0");
        assert_eq!(one_field(Value::F64(f64::NAN)), "v=NaN");
        assert_eq!(one_field(Value::F64(f64::INFINITY)), "v=inf");
        assert_eq!(one_field(Value::F64(f64::NEG_INFINITY)), "v=-inf");
        assert_eq!(one_field(Value::Char('x')), "v=x");
        assert_eq!(one_field(Value::Char(' ')), "v=\" \"");
        assert_eq!(one_field(Value::Char('"')), "v=\"\\\"\"");
        assert_eq!(one_field(Value::Str(b"BTC-USD")), "v=BTC-USD");
        assert_eq!(one_field(Value::Str(b"")), "v=\"\"");
        assert_eq!(one_field(Value::Str(b"a=b")), "v=\"a=b\"");
        assert_eq!(one_field(Value::Str(b"C:\\dir")), "v=C:\\dir");
        assert_eq!(
            one_field(Value::Str(b"say \"hi\" \\o/")),
            "v=\"say \\\"hi\\\" \\\\o/\""
        );
        assert_eq!(one_field(Value::Str(b"l1\nl2")), "v=\"l1\\nl2\"");
        assert_eq!(one_field(Value::Str(b"nul\x00")), "v=\"nul\\u{0}\"");
        assert_eq!(one_field(Value::Str(b"a\xffb")), "v=a\u{FFFD}b");
        assert_eq!(one_field(Value::Str(b"a \xffb")), "v=\"a \u{FFFD}b\"");
    }

    #[test]
    fn message_is_escaped_onto_one_line() {
        let got = line(
            &mut fmt(),
            &record(b"a\nb\rc\td\x1b[0m\x7f \"q\" \\ \xc3\x28 \xe2\x80\xa8", &[]),
        );
        assert_eq!(
            got,
            "2025-11-21 10:30:45.123456789 | INFO  | app::x:42 | \
             a\\nb\\rc\\td\\u{1b}[0m\\u{7f} \"q\" \\ \u{FFFD}( \\u{2028}\n"
        );
    }

    #[test]
    fn timestamp_crosses_second_and_day() {
        let mut f = fmt();
        let mut r = record(b"m", &[]);
        let ts = |r: &RecordView<'_>, f: &mut TextFormatter| line(f, r)[..29].to_string();
        assert_eq!(ts(&r, &mut f), "2025-11-21 10:30:45.123456789");
        r.ts_ns = TS + 876_543_211;
        assert_eq!(ts(&r, &mut f), "2025-11-21 10:30:46.000000000");
        r.ts_ns = (1_763_683_200 + 86_399) * 1_000_000_000 + 999_999_999;
        assert_eq!(ts(&r, &mut f), "2025-11-21 23:59:59.999999999");
        r.ts_ns += 1;
        assert_eq!(ts(&r, &mut f), "2025-11-22 00:00:00.000000000");
    }

    #[test]
    fn local_time_zone_follows_civil_time() {
        let mut f = TextFormatter::new(TimeZone::Local);
        let t = crate::civil_time::civil(TimeZone::Local, 1_763_721_045);
        let want = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.123456789 | INFO  | app::x:42 | m\n",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        );
        assert_eq!(line(&mut f, &record(b"m", &[])), want);
    }

    proptest! {
        #[test]
        fn every_record_is_one_line(
            msg in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..256),
                any::<String>().prop_map(String::into_bytes),
            ],
            fields in proptest::collection::vec((any::<String>(), any_value()), 0..8),
            target in any::<String>(),
            function in proptest::option::of(any::<String>()),
            ts_ns in any::<u64>(),
        ) {
            let views: Vec<Field<'_>> = fields
                .iter()
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            let mut r = record(&msg, &views);
            r.target = &target;
            r.function = function.as_deref();
            r.ts_ns = ts_ns;
            let mut out = Vec::new();
            fmt().format(&r, &mut out);
            prop_assert_eq!(out.last(), Some(&b'\n'));
            prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            prop_assert!(!out.contains(&b'\r'));
            let s = std::str::from_utf8(&out).expect("always UTF-8");
            let has_separator = s.contains(['\u{2028}', '\u{2029}']);
            prop_assert!(!has_separator);
            prop_assert_eq!(&s[29..32], " | ");
        }
    }
}
