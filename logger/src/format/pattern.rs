//! The pattern format: a line laid out by a pattern of placeholders, as in
//! loguru (`{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} | {message}`).
//!
//! The pattern is parsed once, when the [`Pattern`] is made, into pieces;
//! the formatter then turns those into what it writes per record: literal
//! bytes (the constant placeholders `pid` and `host` included), one
//! [`TimeWriter`] per `{time}`, the six renderings of a `{level}` (padded
//! once), and the record's values. A record costs no parsing and, once the
//! buffers have grown to their size, no allocation.
//!
//! Values are escaped as in the text format (`\n`, `\u{1b}`, invalid UTF-8
//! as U+FFFD), so one record stays one line whatever it holds.

use std::sync::Arc;

use super::Formatter;
use super::text::{write_escaped, write_lossy, write_value};
use super::time_layout::{Layout, TimeWriter, loguru};
use super::unique_keys::UniqueKeys;
use crate::config::TimeZone;
use crate::level::Level;
use crate::view::{Field, RecordView, Value};

/// The placeholders' names, as listed in errors.
const NAMES: &str = "time, level, target (or name), module, function, file, line, thread, \
                     tid, pid (or process), host, service, message (or msg), correlation_id, \
                     kind, fields, context, fields.<key> (or extra[<key>])";

/// The time layout of a `{time}` without one (the text format's).
const DEFAULT_TIME: &str = "YYYY-MM-DD HH:mm:ss.SSSSSSSSS";

/// A pattern for [`Format::Pattern`](crate::Format::Pattern), parsed once
/// when it is made; an invalid one is reported by `install()`, naming the
/// option (`format`, or the configuration file's `pattern`), what is wrong
/// and its byte offset.
///
/// Placeholders: `{time}` or `{time:<loguru layout>}` (`YYYY MM DD HH mm
/// ss SSS`..., `[..]` for literal text, `!UTC` at the end for UTC),
/// `{level}`, `{target}` (or `{name}`), `{module}`, `{function}`, `{file}`,
/// `{line}`, `{thread}`, `{tid}`, `{pid}` (or `{process}`), `{host}`,
/// `{service}`, `{message}` (or `{msg}`), `{correlation_id}`, `{kind}`,
/// `{fields}` (`key=value` pairs), `{context}`, one field
/// `{fields.qty}` (or `{extra[qty]}`); each but `time` with an optional
/// `:[[fill]align][width][.max]` (`{level: <8}`, `{line:>4}`,
/// `{thread:*^12.12}`); `{{` and `}}` for braces.
///
/// ```
/// use logger::{Format, Pattern};
/// let p = Pattern::new("{time:HH:mm:ss.SSS} | {level: <8} | {message} {fields}");
/// assert!(p.error().is_none());
/// let bad = Pattern::new("{time} {lvl}");
/// assert!(bad.error().unwrap().starts_with("unknown placeholder {lvl} at byte 7"));
/// let builder = logger::builder().format(Format::Pattern(p));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    compiled: Result<Arc<[Piece]>, String>,
}

impl Pattern {
    /// Parses `pattern`; an error is kept for `install()` to report.
    pub fn new(pattern: impl Into<String>) -> Self {
        let source = pattern.into();
        let compiled = parse(&source).map(Into::into);
        Pattern { source, compiled }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Why the pattern is invalid (what, at which byte), if it is.
    pub fn error(&self) -> Option<&str> {
        self.compiled.as_ref().err().map(String::as_str)
    }
}

/// One piece of a parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Lit(Box<str>),
    Time { layout: Layout, utc: bool },
    Value { key: Key, spec: Spec },
}

/// What a placeholder writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Level,
    Target,
    Module,
    Function,
    File,
    Line,
    Thread,
    Tid,
    Pid,
    Host,
    Service,
    Message,
    Correlation,
    Kind,
    Fields,
    Context,
    Field(Box<str>),
}

/// Where a value goes in its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

/// `[[fill]align][width][.max]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    fill: char,
    align: Option<Align>,
    width: usize,
    max: Option<usize>,
}

impl Spec {
    const PLAIN: Spec = Spec {
        fill: ' ',
        align: None,
        width: 0,
        max: None,
    };
}

fn error(pattern: &str, at: usize, what: &str) -> String {
    format!("{what} at byte {at} of {pattern:?}")
}

/// Parses a pattern into pieces (see [`Pattern`]).
pub(crate) fn parse(pattern: &str) -> Result<Vec<Piece>, String> {
    if pattern.is_empty() {
        return Err("an empty pattern".into());
    }
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < pattern.len() {
        let rest = &pattern[i..];
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '{' if rest.starts_with("{{") => {
                lit.push('{');
                i += 2;
            }
            '}' if rest.starts_with("}}") => {
                lit.push('}');
                i += 2;
            }
            '}' => {
                return Err(error(
                    pattern,
                    i,
                    "\"}\" without its \"{\" (write }} for a brace)",
                ));
            }
            '{' => {
                let Some(len) = rest.find('}') else {
                    return Err(error(pattern, i, "unclosed \"{\""));
                };
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit).into()));
                }
                pieces.push(placeholder(pattern, i, &rest[1..len])?);
                i += len + 1;
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                return Err(error(
                    pattern,
                    i,
                    &format!("control character {c:?} (a record is one line)"),
                ));
            }
            c => {
                lit.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit.into()));
    }
    Ok(pieces)
}

/// One placeholder, `inner` being what is between its braces (which
/// start at byte `at`).
fn placeholder(pattern: &str, at: usize, inner: &str) -> Result<Piece, String> {
    let (name, spec) = match inner.find(':') {
        Some(colon) => (&inner[..colon], Some(&inner[colon + 1..])),
        None => (inner, None),
    };
    if name == "time" {
        let layout = spec.unwrap_or_default();
        let (layout, utc) = match layout.strip_suffix("!UTC") {
            Some(l) => (l, true),
            None => (layout, false),
        };
        // `{time}`, `{time:}`, `{time:!UTC}`: the default layout.
        let layout = if layout.is_empty() {
            DEFAULT_TIME
        } else {
            layout
        };
        let layout_at = at + 1 + "time:".len();
        return Ok(Piece::Time {
            layout: loguru(layout, pattern, layout_at)?,
            utc,
        });
    }
    let field = |key: &str| {
        (!key.is_empty() && !key.contains(|c: char| c.is_control())).then(|| Key::Field(key.into()))
    };
    let key = match name {
        "level" => Some(Key::Level),
        "target" | "name" => Some(Key::Target),
        "module" => Some(Key::Module),
        "function" => Some(Key::Function),
        "file" => Some(Key::File),
        "line" => Some(Key::Line),
        "thread" => Some(Key::Thread),
        "tid" => Some(Key::Tid),
        "pid" | "process" => Some(Key::Pid),
        "host" => Some(Key::Host),
        "service" => Some(Key::Service),
        "message" | "msg" => Some(Key::Message),
        "correlation_id" => Some(Key::Correlation),
        "kind" => Some(Key::Kind),
        "fields" => Some(Key::Fields),
        "context" => Some(Key::Context),
        _ => match (name.strip_prefix("fields."), name.strip_prefix("extra[")) {
            (Some(key), _) => field(key),
            (_, Some(key)) => key.strip_suffix(']').and_then(field),
            _ => None,
        },
    };
    let Some(key) = key else {
        let inner = inner.escape_debug();
        let at = error(pattern, at, &format!("unknown placeholder {{{inner}}}"));
        return Err(format!("{at}: expected one of {NAMES}"));
    };
    let spec = match spec {
        None => Spec::PLAIN,
        Some(s) => parse_spec(s).ok_or_else(|| {
            error(
                pattern,
                at,
                &format!(
                    "bad width or alignment {s:?} of {{{name}}}: expected \
                     [[fill]align][width][.max], align one of < > ^ (\"{{level: <8}}\")"
                ),
            )
        })?,
    };
    Ok(Piece::Value { key, spec })
}

/// `[[fill]align][width][.max]`; `None` when it is not that.
fn parse_spec(s: &str) -> Option<Spec> {
    let align_of = |c: char| match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        _ => None,
    };
    let mut spec = Spec::PLAIN;
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() >= 2 && align_of(chars[1]).is_some() {
        spec.fill = chars[0];
        spec.align = align_of(chars[1]);
        chars.drain(..2);
    } else if let Some(a) = chars.first().and_then(|&c| align_of(c)) {
        spec.align = Some(a);
        chars.remove(0);
    }
    if spec.fill.is_control() {
        return None;
    }
    let rest: String = chars.into_iter().collect();
    let (width, max) = match rest.split_once('.') {
        Some((w, m)) => (w, Some(m)),
        None => (rest.as_str(), None),
    };
    let number = |s: &str| -> Option<usize> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 4 {
            return None;
        }
        s.parse().ok()
    };
    if !width.is_empty() {
        spec.width = number(width)?;
    }
    if let Some(m) = max {
        spec.max = Some(number(m)?);
    }
    Some(spec)
}

/// What the formatter writes for one piece.
enum Run {
    Lit(Box<[u8]>),
    /// An index into `PatternFormatter::times`.
    Time(usize),
    /// The six levels (`Level as usize`), padded.
    Level(Box<[Box<[u8]>; 6]>),
    /// A value written as it is.
    Plain(Key),
    /// A value cut or padded.
    Padded(Key, Spec),
}

/// Formats records by a [`Pattern`] (see the module documentation).
pub struct PatternFormatter {
    runs: Vec<Run>,
    times: Vec<TimeWriter>,
    /// A value being padded or cut.
    scratch: Vec<u8>,
    unique: UniqueKeys,
}

const LEVELS: [Level; 6] = [
    Level::Critical,
    Level::Error,
    Level::Warn,
    Level::Info,
    Level::Debug,
    Level::Trace,
];

fn level_index(level: Level) -> usize {
    match level {
        Level::Critical => 0,
        Level::Error => 1,
        Level::Warn => 2,
        Level::Info => 3,
        Level::Debug => 4,
        Level::Trace => 5,
    }
}

impl PatternFormatter {
    /// A formatter of `pattern` (an invalid pattern, which `install()`
    /// refuses, writes its error text as a literal line), with times in
    /// `tz` unless a `{time}` says `!UTC`, and the process's `pid` and
    /// `host`.
    pub fn new(pattern: &Pattern, tz: TimeZone, pid: u32, host: &str) -> Self {
        let pieces: &[Piece] = match &pattern.compiled {
            Ok(p) => p,
            Err(e) => &[Piece::Lit(e.as_str().into())],
        };
        let mut runs = Vec::new();
        let mut times = Vec::new();
        let mut lit = Vec::new();
        for piece in pieces {
            let run = match piece {
                Piece::Lit(s) => {
                    lit.extend_from_slice(s.as_bytes());
                    continue;
                }
                Piece::Time { layout, utc } => {
                    let zone = if *utc { TimeZone::Utc } else { tz };
                    times.push(TimeWriter::new(layout.clone(), zone));
                    Run::Time(times.len() - 1)
                }
                Piece::Value { key, spec } => match key {
                    Key::Pid | Key::Host => {
                        let mut v = Vec::new();
                        match key {
                            Key::Pid => {
                                v.extend_from_slice(itoa::Buffer::new().format(pid).as_bytes())
                            }
                            _ => write_escaped(&mut v, host, false),
                        }
                        pad(&v, *spec, &mut lit);
                        continue;
                    }
                    Key::Level => Run::Level(Box::new(LEVELS.map(|l| {
                        let mut v = Vec::new();
                        pad(l.as_str().as_bytes(), *spec, &mut v);
                        v.into_boxed_slice()
                    }))),
                    key if *spec == Spec::PLAIN => Run::Plain(key.clone()),
                    key => Run::Padded(key.clone(), *spec),
                },
            };
            if !lit.is_empty() {
                runs.push(Run::Lit(std::mem::take(&mut lit).into_boxed_slice()));
            }
            runs.push(run);
        }
        if !lit.is_empty() {
            runs.push(Run::Lit(lit.into_boxed_slice()));
        }
        PatternFormatter {
            runs,
            times,
            scratch: Vec::with_capacity(256),
            unique: UniqueKeys::default(),
        }
    }
}

/// Appends `v` cut to `spec.max` characters and padded to `spec.width`.
fn pad(v: &[u8], spec: Spec, out: &mut Vec<u8>) {
    // Characters of UTF-8 (which every value is, escaped or lossy).
    let chars = |b: &[u8]| b.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    let mut v = v;
    if let Some(max) = spec.max {
        if let Some((cut, _)) = v
            .iter()
            .enumerate()
            .filter(|(_, b)| (**b & 0xC0) != 0x80)
            .nth(max)
        {
            v = &v[..cut];
        }
    }
    let missing = spec.width.saturating_sub(chars(v));
    let (before, after) = match spec.align.unwrap_or(Align::Left) {
        Align::Left => (0, missing),
        Align::Right => (missing, 0),
        Align::Center => (missing / 2, missing - missing / 2),
    };
    let mut fill = [0; 4];
    let fill = spec.fill.encode_utf8(&mut fill).as_bytes();
    for _ in 0..before {
        out.extend_from_slice(fill);
    }
    out.extend_from_slice(v);
    for _ in 0..after {
        out.extend_from_slice(fill);
    }
}

/// A value on its own: a string escaped but not quoted, anything else as
/// the text format writes it.
fn write_plain(out: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Str(b) | Value::Json(b) => write_lossy(out, b, false),
        v => write_value(out, v),
    }
}

fn find<'a>(fields: &'a [Field<'a>], key: &str) -> Option<&'a Field<'a>> {
    fields.iter().find(|f| f.key == key)
}

impl PatternFormatter {
    /// Appends the value of `key` (without width).
    fn write_value(unique: &mut UniqueKeys, key: &Key, r: &RecordView<'_>, out: &mut Vec<u8>) {
        match key {
            Key::Target => write_escaped(out, r.target, false),
            Key::Module => write_escaped(out, r.module, false),
            Key::Function => write_escaped(out, r.function.unwrap_or_default(), false),
            Key::File => write_escaped(out, r.file, false),
            Key::Line => out.extend_from_slice(itoa::Buffer::new().format(r.line).as_bytes()),
            Key::Thread => write_escaped(out, r.thread, false),
            Key::Tid => out.extend_from_slice(itoa::Buffer::new().format(r.tid).as_bytes()),
            Key::Service => write_escaped(out, r.service, false),
            Key::Message => write_lossy(out, r.msg, false),
            Key::Correlation => {
                if let Some(id) = &r.correlation {
                    write_plain(out, id);
                }
            }
            Key::Kind => out.extend_from_slice(r.kind.as_str().as_bytes()),
            Key::Fields => {
                let names = unique.names(r.fields);
                write_pairs(out, r.fields, names.as_deref());
            }
            Key::Context => write_pairs::<&str>(out, r.context, None),
            Key::Field(name) => {
                if let Some(f) = find(r.fields, name).or_else(|| find(r.context, name)) {
                    write_plain(out, &f.value);
                }
            }
            // Rendered once, in `new`.
            Key::Level | Key::Pid | Key::Host => {}
        }
    }
}

/// `key=value` pairs separated by a space, as the text format writes them.
fn write_pairs<S: AsRef<str>>(out: &mut Vec<u8>, fields: &[Field<'_>], names: Option<&[S]>) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let key = names
            .and_then(|n| n.get(i))
            .map_or(field.key, AsRef::as_ref);
        write_escaped(out, key, false);
        out.push(b'=');
        write_value(out, &field.value);
    }
}

impl Formatter for PatternFormatter {
    fn format(&mut self, r: &RecordView<'_>, out: &mut Vec<u8>) {
        out.reserve(128 + r.msg.len());
        let PatternFormatter {
            runs,
            times,
            scratch,
            unique,
        } = self;
        for run in runs.iter() {
            match run {
                Run::Lit(b) => out.extend_from_slice(b),
                Run::Time(i) => times[*i].write(r.ts_ns, out),
                Run::Level(levels) => out.extend_from_slice(&levels[level_index(r.level)]),
                Run::Plain(key) => Self::write_value(unique, key, r, out),
                Run::Padded(key, spec) => {
                    scratch.clear();
                    Self::write_value(unique, key, r, scratch);
                    pad(scratch, *spec, out);
                }
            }
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::json::tests::any_value;
    use crate::view::Kind;
    use proptest::prelude::*;

    fn record<'a>(msg: &'a [u8], fields: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: 1_763_721_045_123_456_789,
            level: Level::Info,
            kind: Kind::Log,
            target: "app::x",
            service: "svc",
            module: "app::x::m",
            file: "src/main.rs",
            line: 42,
            function: Some("app::x::f"),
            msg,
            fields,
            thread: "main",
            tid: 1234,
            correlation: None,
            context: &[],
        }
    }

    fn line(pattern: &str, r: &RecordView<'_>) -> String {
        let p = Pattern::new(pattern);
        assert_eq!(p.error(), None, "{pattern}");
        let mut f = PatternFormatter::new(&p, TimeZone::Utc, 77, "vm");
        let mut out = Vec::new();
        f.format(r, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_seed_pattern() {
        let fields = [Field {
            key: "qty",
            value: Value::U64(100),
        }];
        assert_eq!(
            line(
                "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} | {message}",
                &record(b"filled", &fields)
            ),
            "2025-11-21 10:30:45.123 | INFO     | app::x:app::x::f:42 | filled\n"
        );
    }

    #[test]
    fn every_placeholder() {
        let fields = [
            Field {
                key: "qty",
                value: Value::U64(100),
            },
            Field {
                key: "note",
                value: Value::Str(b"two words"),
            },
            Field {
                key: "qty",
                value: Value::I64(-1),
            },
        ];
        let context = [Field {
            key: "strategy",
            value: Value::Str(b"mm 1"),
        }];
        let mut r = record(b"m", &fields);
        r.context = &context;
        r.correlation = Some(Value::Str(b"order-7"));
        r.kind = Kind::Trade;
        r.level = Level::Warn;
        assert_eq!(
            line(
                "{time} {level} {target} {module} {function} {file} {line} {thread} {tid} {pid} \
                 {process} {host} {service} {msg} {correlation_id} {kind}",
                &r
            ),
            "2025-11-21 10:30:45.123456789 WARN app::x app::x::m app::x::f src/main.rs 42 main \
             1234 77 77 vm svc m order-7 trade\n"
        );
        assert_eq!(
            line(
                "{fields} | {context} | {fields.qty} {extra[note]} {fields.strategy} [{fields.none}]",
                &r
            ),
            "qty=100 note=\"two words\" qty#2=-1 | strategy=\"mm 1\" | 100 two words mm 1 []\n"
        );
        r.function = None;
        r.correlation = None;
        assert_eq!(line("[{function}][{correlation_id}]", &r), "[][]\n");
    }

    #[test]
    fn widths_alignment_and_escapes() {
        let r = record(b"msg", &[]);
        assert_eq!(
            line(
                "{level:<6}|{level:>6}|{level:^7}|{level:*^8}|{level:6}|",
                &r
            ),
            "INFO  |  INFO| INFO  |**INFO**|INFO  |\n"
        );
        assert_eq!(
            line(
                "{line:>5}|{line:0>5}|{line:5}|{thread:.2}|{target:-<9.3}|{message:é>5}",
                &r
            ),
            "   42|00042|42   |ma|app------|éémsg\n"
        );
        assert_eq!(line("{{literal}} {{{line}}}", &r), "{literal} {42}\n");
        assert_eq!(line("{time:HH:mm!UTC}", &r), "10:30\n");
        assert_eq!(
            line("{time:!UTC}|{time:}", &r),
            "2025-11-21 10:30:45.123456789|2025-11-21 10:30:45.123456789\n"
        );
    }

    #[test]
    fn values_stay_on_one_line() {
        let fields = [Field {
            key: "k\n",
            value: Value::Str(b"a\nb"),
        }];
        let mut r = record(b"line1\nline2\r\x1b[0m\xff", &fields);
        r.thread = "t\u{2028}";
        assert_eq!(
            line("{message} {fields} {thread:>4}", &r),
            concat!(
                r"line1\nline2\r\u{1b}[0m",
                "\u{FFFD}",
                r#" k\n="a\nb" t\u{2028}"#,
                "\n"
            )
        );
    }

    #[test]
    fn errors_name_the_problem_and_the_byte() {
        let e = |p: &str| Pattern::new(p).error().map(str::to_string).unwrap();
        assert!(e("{time} {lvl}").starts_with("unknown placeholder {lvl} at byte 7 of"));
        assert!(e("{time} {lvl}").contains("expected one of time, level"));
        assert_eq!(e("a {level"), "unclosed \"{\" at byte 2 of \"a {level\"");
        assert!(e("a } b").starts_with("\"}\" without its \"{\" (write }} for a brace) at byte 2"));
        assert!(e("{level:<x8}").starts_with("bad width or alignment \"<x8\" of {level}"));
        assert!(e("{level:<<<}").contains("bad width"));
        assert!(e("{level:.}").contains("bad width"));
        assert!(e("{time:ss.SSSSSSSSSSS}").contains("11 fraction digits"));
        assert!(e("a\tb").contains("control character '\\t'"));
        assert!(e("{fields.}").contains("unknown placeholder {fields.}"));
        assert!(e("{fields.a\nb}").starts_with("unknown placeholder {fields.a\\nb} at byte 0"));
        assert!(e("{extra[qty}").contains("unknown placeholder"));
        assert_eq!(e(""), "an empty pattern");
    }

    proptest! {
        #[test]
        fn every_record_is_one_line(
            msg in proptest::collection::vec(any::<u8>(), 0..64),
            fields in proptest::collection::vec((any::<String>(), any_value()), 0..5),
            target in any::<String>(),
            thread in any::<String>(),
            width in 0usize..12,
        ) {
            let views: Vec<Field<'_>> = fields
                .iter()
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            let mut r = record(&msg, &views);
            r.target = &target;
            r.thread = &thread;
            r.correlation = views.first().map(|f| f.value);
            let name = views.first().map_or("x", |f| f.key);
            let pattern = format!(
                "{{time}} {{level:>{width}}} {{target:^{width}}} {{thread:.{width}}} {{message}} \
                 {{fields}} {{correlation_id}}"
            );
            let mut f = PatternFormatter::new(&Pattern::new(pattern), TimeZone::Utc, 1, "h");
            let mut out = Vec::new();
            f.format(&r, &mut out);
            // And one named field, whatever its key.
            if !name.is_empty() && !name.contains(['}', ':']) && !name.contains(|c: char| c.is_control()) {
                let p = Pattern::new(format!("{{fields.{name}}}"));
                prop_assert_eq!(p.error(), None);
                PatternFormatter::new(&p, TimeZone::Utc, 1, "h").format(&r, &mut out);
            }
            let s = std::str::from_utf8(&out).expect("always UTF-8");
            prop_assert!(s.ends_with('\n'));
            let breaks = s.contains(['\r', '\u{2028}', '\u{2029}']);
            prop_assert!(!breaks);
            prop_assert!(s.lines().count() <= 2);
        }
    }
}
