//! The XML format: one `<record>` element per record, on one line.
//!
//! ```text
//! <record ts="2026-11-21T10:30:45.123456789Z" level="INFO" kind="log" target="app::x" service="app" module="app::x" file="src/main.rs" line="42" function="app::x::f" thread="main" tid="1234" pid="77" host="vm" correlation_id="order-7"><msg>filled</msg><fields><field key="qty" type="int">100</field><field key="venue">XNAS</field></fields><context><field key="strategy">mm1</field></context></record>
//! ```
//! The record's keys are attributes, in the JSON format's order (`function`
//! and `correlation_id` only when set); the message is the `msg` element;
//! `fields` and `context` hold one `field` element per key-value (repeated
//! keys as they came), with a `type` attribute for what is not a string:
//! `int`, `float`, `bool`, `null`, `json` (an error's chain as JSON text).
//! `ts` follows the JSON format's timestamp options.
//!
//! Every line is a well-formed XML 1.0 document, whatever the record
//! holds: `&`, `<`, `>` and `"` are escaped (so `]]>` is harmless); tab,
//! line feed, carriage return, NEL, U+2028, U+2029 and the other control
//! characters XML allows are written as character references (`&#10;`),
//! which keeps the record on one line and reads back exactly; the
//! characters XML 1.0 cannot carry at all (the other C0 controls, U+FFFE,
//! U+FFFF) are written `\u{1b}`, as in the text format, and bytes that are
//! not UTF-8 as U+FFFD.

use super::Formatter;
use super::json_timestamp::JsonTimestamp;
use super::time_layout::TimeWriter;
use crate::json_options::{JsonOptions, TimestampFormat};
use crate::view::{Field, RecordView, Value};

/// U+FFFD, written for each invalid UTF-8 sequence.
const REPLACEMENT: &str = "\u{FFFD}";

/// How `ts` is written.
enum Ts {
    Rfc3339(JsonTimestamp),
    Epoch,
    /// Literals already escaped for an attribute.
    Strftime(TimeWriter),
}

/// Formats records as XML elements (see the module documentation).
pub struct XmlFormatter {
    ts: Ts,
    /// ` pid="77" host="vm"`.
    pid_host: Vec<u8>,
}

impl XmlFormatter {
    /// A formatter for the process `pid` on `host`, with `ts` as the JSON
    /// options say (format and zone).
    pub fn new(pid: u32, host: &str, options: &JsonOptions) -> Self {
        let zone = options.timestamp_zone;
        let ts = match &options.timestamp {
            TimestampFormat::EpochNanos => Ts::Epoch,
            // A layout that does not compile was refused by `install()`.
            TimestampFormat::Strftime(s) => match s.layout() {
                Ok(layout) => Ts::Strftime(TimeWriter::new(
                    layout.map_literals(|l| {
                        let mut out = Vec::new();
                        write_text(&mut out, l);
                        String::from_utf8(out).unwrap_or_default()
                    }),
                    zone,
                )),
                Err(_) => Ts::Rfc3339(JsonTimestamp::new(&TimestampFormat::Rfc3339Nanos, zone)),
            },
            other => Ts::Rfc3339(JsonTimestamp::new(other, zone)),
        };
        let mut pid_host = Vec::new();
        pid_host.extend_from_slice(b" pid=\"");
        pid_host.extend_from_slice(itoa::Buffer::new().format(pid).as_bytes());
        pid_host.extend_from_slice(b"\" host=\"");
        write_text(&mut pid_host, host);
        pid_host.push(b'"');
        XmlFormatter { ts, pid_host }
    }
}

/// Appends `s` escaped for XML content or a double-quoted attribute.
fn write_text(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Printable ASCII other than `&<>"` needs nothing.
    let plain = bytes.iter().fold(true, |acc, &b| {
        acc & (0x20..0x7f).contains(&b) & (b != b'&') & (b != b'<') & (b != b'>') & (b != b'"')
    });
    if plain {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: &[u8] = match c {
            '&' => b"&amp;",
            '<' => b"&lt;",
            '>' => b"&gt;",
            '"' => b"&quot;",
            ' '..='~' => continue,
            c if (c as u32) < 0x80 || c.is_control() || c == '\u{2028}' || c == '\u{2029}' => b"",
            '\u{FFFE}' | '\u{FFFF}' => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            let allowed =
                matches!(c, '\t' | '\n' | '\r') || (c as u32 >= 0x7f && (c as u32) < 0xFFFE);
            let mut buf = itoa::Buffer::new();
            if allowed {
                out.extend_from_slice(b"&#");
                out.extend_from_slice(buf.format(c as u32).as_bytes());
                out.push(b';');
            } else {
                use std::io::Write as _;
                // Writing into a `Vec<u8>` cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        } else {
            out.extend_from_slice(escape);
        }
        start = i + c.len_utf8();
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `bytes` escaped, lossily when they are not UTF-8.
fn write_lossy(out: &mut Vec<u8>, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => write_text(out, s),
        Err(_) => {
            for chunk in bytes.utf8_chunks() {
                write_text(out, chunk.valid());
                if !chunk.invalid().is_empty() {
                    out.extend_from_slice(REPLACEMENT.as_bytes());
                }
            }
        }
    }
}

/// The `type` attribute of a value (with its leading space), empty for a
/// string.
fn type_of(value: &Value<'_>) -> &'static [u8] {
    match value {
        Value::Str(_) | Value::Char(_) => b"",
        Value::Null => b" type=\"null\"",
        Value::Bool(_) => b" type=\"bool\"",
        Value::U64(_) | Value::I64(_) | Value::U128(_) | Value::I128(_) => b" type=\"int\"",
        Value::F64(_) => b" type=\"float\"",
        Value::Json(_) => b" type=\"json\"",
    }
}

/// Appends a value's text.
fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Null => {}
        Value::Str(b) | Value::Json(b) => write_lossy(out, b),
        Value::Char(c) => write_text(out, c.encode_utf8(&mut [0; 4])),
        v => super::text::write_value(out, v),
    }
}

fn write_attr(out: &mut Vec<u8>, name: &[u8], value: &str) {
    out.extend_from_slice(name);
    write_text(out, value);
    out.push(b'"');
}

fn write_fields(out: &mut Vec<u8>, element: &[u8], fields: &[Field<'_>]) {
    if fields.is_empty() {
        return;
    }
    out.push(b'<');
    out.extend_from_slice(element);
    out.push(b'>');
    for f in fields {
        out.extend_from_slice(b"<field key=\"");
        write_text(out, f.key);
        out.push(b'"');
        out.extend_from_slice(type_of(&f.value));
        out.push(b'>');
        write_value(out, &f.value);
        out.extend_from_slice(b"</field>");
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(element);
    out.push(b'>');
}

impl Formatter for XmlFormatter {
    fn format(&mut self, r: &RecordView<'_>, out: &mut Vec<u8>) {
        out.reserve(384 + r.msg.len());
        out.extend_from_slice(b"<record ts=\"");
        match &mut self.ts {
            Ts::Rfc3339(ts) => ts.write_unquoted(r.ts_ns, out),
            Ts::Epoch => out.extend_from_slice(itoa::Buffer::new().format(r.ts_ns).as_bytes()),
            Ts::Strftime(w) => w.write(r.ts_ns, out),
        }
        out.extend_from_slice(b"\" level=\"");
        out.extend_from_slice(r.level.as_str().as_bytes());
        out.extend_from_slice(b"\" kind=\"");
        out.extend_from_slice(r.kind.as_str().as_bytes());
        out.push(b'"');
        write_attr(out, b" target=\"", r.target);
        write_attr(out, b" service=\"", r.service);
        write_attr(out, b" module=\"", r.module);
        write_attr(out, b" file=\"", r.file);
        out.extend_from_slice(b" line=\"");
        out.extend_from_slice(itoa::Buffer::new().format(r.line).as_bytes());
        out.push(b'"');
        if let Some(function) = r.function {
            write_attr(out, b" function=\"", function);
        }
        write_attr(out, b" thread=\"", r.thread);
        out.extend_from_slice(b" tid=\"");
        out.extend_from_slice(itoa::Buffer::new().format(r.tid).as_bytes());
        out.push(b'"');
        out.extend_from_slice(&self.pid_host);
        if let Some(id) = &r.correlation {
            out.extend_from_slice(b" correlation_id=\"");
            write_value(out, id);
            out.push(b'"');
        }
        out.extend_from_slice(b"><msg>");
        write_lossy(out, r.msg);
        out.extend_from_slice(b"</msg>");
        write_fields(out, b"fields", r.fields);
        write_fields(out, b"context", r.context);
        out.extend_from_slice(b"</record>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::json::tests::any_value;
    use crate::level::Level;
    use crate::view::Kind;
    use proptest::prelude::*;

    fn record<'a>(msg: &'a [u8], fields: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: 1_763_721_045_123_456_789,
            level: Level::Info,
            kind: Kind::Log,
            target: "app::x",
            service: "app",
            module: "app::x",
            file: "src/main.rs",
            line: 42,
            function: Some("app::x::f"),
            msg,
            fields,
            thread: "main",
            tid: 1234,
            correlation: Some(Value::Str(b"order-7")),
            context: &[],
        }
    }

    /// RFC 3339 timestamps in UTC (the default options).
    fn utc(pid: u32, host: &str) -> XmlFormatter {
        XmlFormatter::new(pid, host, &JsonOptions::default())
    }

    fn line(f: &mut XmlFormatter, r: &RecordView<'_>) -> String {
        let mut out = Vec::new();
        f.format(r, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn documented_shape() {
        let fields = [
            Field {
                key: "qty",
                value: Value::U64(100),
            },
            Field {
                key: "venue",
                value: Value::Str(b"XNAS"),
            },
        ];
        let context = [Field {
            key: "strategy",
            value: Value::Str(b"mm1"),
        }];
        let mut r = record(b"filled", &fields);
        r.context = &context;
        assert_eq!(
            line(&mut utc(77, "vm"), &r),
            concat!(
                r#"<record ts="2025-11-21T10:30:45.123456789Z" level="INFO" kind="log" target="app::x" service="app" module="app::x" file="src/main.rs" line="42" function="app::x::f" thread="main" tid="1234" pid="77" host="vm" correlation_id="order-7">"#,
                r#"<msg>filled</msg><fields><field key="qty" type="int">100</field><field key="venue">XNAS</field></fields><context><field key="strategy">mm1</field></context></record>"#,
                "\n"
            )
        );
    }

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        write_text(
            &mut out,
            "a&b<c>d\"e' ]]> \t\n\r\u{85}\u{2028}\u{7f}\u{1b}\u{0}\u{FFFE}\u{FFFF}é",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a&amp;b&lt;c&gt;d&quot;e' ]]&gt; &#9;&#10;&#13;&#133;&#8232;&#127;\\u{1b}\\u{0}\\u{fffe}\\u{ffff}é"
        );
    }

    #[test]
    fn timestamp_options() {
        let ts = |timestamp: TimestampFormat| {
            let o = JsonOptions {
                timestamp,
                ..JsonOptions::default()
            };
            let got = line(&mut XmlFormatter::new(1, "h", &o), &record(b"m", &[]));
            let doc = roxmltree::Document::parse(got.trim_end()).unwrap();
            doc.root_element().attribute("ts").unwrap().to_string()
        };
        assert_eq!(
            ts(TimestampFormat::Rfc3339Millis),
            "2025-11-21T10:30:45.123Z"
        );
        assert_eq!(ts(TimestampFormat::EpochNanos), "1763721045123456789");
        let layout = crate::Strftime::new("%d/%m/%Y \"%H:%M\" & <%S>");
        assert_eq!(
            ts(TimestampFormat::Strftime(layout)),
            "21/11/2025 \"10:30\" & <45>"
        );
    }

    /// What a string reads back as: invalid UTF-8 as U+FFFD, the
    /// characters XML 1.0 cannot carry as `\u{..}`.
    fn expected(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes)
            .chars()
            .map(|c| {
                let forbidden = ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
                    || c == '\u{FFFE}'
                    || c == '\u{FFFF}';
                if forbidden {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    }

    proptest! {
        /// Every line parses with a real XML parser and every value reads
        /// back.
        #[test]
        fn every_line_is_well_formed_and_round_trips(
            msg in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..128),
                any::<String>().prop_map(String::into_bytes),
                Just(b"]]><![CDATA[x]]> <!-- --> &amp; \"'".to_vec()),
            ],
            fields in proptest::collection::vec((any::<String>(), any_value()), 0..6),
            target in any::<String>(),
            thread in any::<String>(),
            function in proptest::option::of(any::<String>()),
        ) {
            let views: Vec<Field<'_>> = fields
                .iter()
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            let mut r = record(&msg, &views);
            r.target = &target;
            r.thread = &thread;
            r.function = function.as_deref();
            r.context = &views;
            let text = line(&mut utc(9, "host \"&<"), &r);
            prop_assert!(text.ends_with('\n'));
            prop_assert_eq!(text.matches('\n').count(), 1);
            let breaks = text.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']);
            prop_assert!(!breaks);
            let doc = roxmltree::Document::parse(text.trim_end())
                .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            let root = doc.root_element();
            prop_assert_eq!(root.tag_name().name(), "record");
            prop_assert_eq!(root.attribute("target").map(String::from), Some(expected(target.as_bytes())));
            prop_assert_eq!(root.attribute("thread").map(String::from), Some(expected(thread.as_bytes())));
            prop_assert_eq!(root.attribute("host"), Some("host \"&<"));
            let want_fn = function.as_deref().map(|f| expected(f.as_bytes()));
            prop_assert_eq!(root.attribute("function"), want_fn.as_deref());
            let children: Vec<_> = root.children().filter(|n| n.is_element()).collect();
            prop_assert_eq!(children[0].tag_name().name(), "msg");
            prop_assert_eq!(children[0].text().unwrap_or(""), expected(&msg));
            let groups = if views.is_empty() { 1 } else { 3 };
            prop_assert_eq!(children.len(), groups);
            for group in &children[1..] {
                let got: Vec<_> = group.children().filter(|n| n.is_element()).collect();
                prop_assert_eq!(got.len(), views.len());
                for (node, field) in got.iter().zip(&views) {
                    prop_assert_eq!(node.attribute("key").map(String::from), Some(expected(field.key.as_bytes())));
                    let mut want = Vec::new();
                    match field.value {
                        Value::Str(b) | Value::Json(b) => want = expected(b).into_bytes(),
                        Value::Char(c) => want = expected(c.to_string().as_bytes()).into_bytes(),
                        Value::Null => {}
                        v => super::super::text::write_value(&mut want, &v),
                    }
                    prop_assert_eq!(node.text().unwrap_or(""), String::from_utf8(want).unwrap());
                    let ty = std::str::from_utf8(type_of(&field.value)).unwrap();
                    let want_ty = ty.strip_prefix(" type=\"").map(|t| t.trim_end_matches('"'));
                    prop_assert_eq!(node.attribute("type"), want_ty);
                }
            }
        }
    }
}
