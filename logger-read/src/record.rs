//! [`RecordView`]: a record read from one line, without a full JSON parse.
//!
//! The writer emits the keys in a fixed order (README, "Record schema"):
//! `ts, level, kind, target, service, msg, module, file, line, function,
//! thread, tid, pid, host, correlation_id, context, fields`. A scanner reads
//! the leading keys at their expected places, borrowing their text from the
//! line; nothing is allocated and nothing else is parsed. The keys between
//! `msg` and `context` are scanned on first use; `context` and `fields`
//! members are found by walking their raw text ([`RecordView::get`]).
//! A line that does not follow the order (written by another tool, or edited)
//! is read through `serde_json` instead, with the same result. The full
//! [`serde_json::Value`] is built only when asked for ([`RecordView::value`]).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::sync::LazyLock;

use memchr::memmem::FinderRev;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::json_scan::{members, scalar_end, string_end, value_end};
use crate::level::Level;
use crate::timestamp::Timestamp;

/// Why a line is not a record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not JSON (with `serde_json`'s reason), or not an object.
    NotJson(String),
    /// A required key (`ts`, `level`, `kind`, `target`) is missing.
    MissingKey(&'static str),
    /// A key has a value of the wrong type or form (the key and the value's
    /// text, cut to 64 bytes).
    BadValue {
        /// The key.
        key: &'static str,
        /// The value as written (at most 64 bytes of it).
        value: String,
    },
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::NotJson(why) => write!(f, "not a JSON object: {why}"),
            RecordError::MissingKey(k) => write!(f, "record has no `{k}`"),
            RecordError::BadValue { key, value } => {
                let what = match *key {
                    "ts" => "an RFC 3339 timestamp",
                    "level" => "one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL",
                    _ => "a string",
                };
                write!(f, "`{key}` is {value}, expected {what}")
            }
        }
    }
}

/// Says which of the logger's other formats a line that is not JSON is
/// written in, so that "not a JSON object" names the cause: the logfmt
/// format (`ts=... level=...`, `format(Format::Logfmt)`) or the text format
/// (`2026-11-21 10:30:45.123456789 | WARN | ...`, `format(Format::Text)`, the
/// console's). The reader and the `logger` tool read the JSON format only.
///
/// ```
/// use logger_read::record::other_format;
/// assert!(other_format(b"ts=2026-11-21T10:30:45Z level=info kind=log").unwrap().contains("logfmt"));
/// assert!(other_format(b"2026-11-21 10:30:45.1 | WARN  | risk:42 | limit").unwrap().contains("text"));
/// assert_eq!(other_format(br#"{"ts":"2026-11-21T10:30:45Z"}"#), None);
/// ```
pub fn other_format(line: &[u8]) -> Option<&'static str> {
    let date = |b: &[u8]| {
        b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
    };
    if line.starts_with(b"ts=") {
        Some(
            "a line of the logger's logfmt format (`format(Format::Logfmt)`): \
             only the JSON format (the default) can be read here",
        )
    } else if date(line) && line.windows(3).take(48).any(|w| w == b" | ") {
        Some(
            "a line of the logger's text format (`format(Format::Text)`, the console's): \
             only the JSON format (the default) can be read here",
        )
    } else {
        None
    }
}

impl std::error::Error for RecordError {}

fn bad(key: &'static str, raw: &[u8]) -> RecordError {
    let cut = &raw[..raw.len().min(64)];
    RecordError::BadValue {
        key,
        value: String::from_utf8_lossy(cut).into_owned(),
    }
}

/// The raw text of one JSON value inside a line (a string with its quotes
/// and escapes, a number, an object...), borrowed from the line.
///
/// # Examples
///
/// ```
/// use logger_read::RecordView;
/// let line = br#"{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"trade","target":"t","fields":{"qty":500,"sym":"A\"B"}}"#;
/// let r = RecordView::parse(line).unwrap();
/// assert_eq!(r.get("fields.qty").unwrap().as_f64(), Some(500.0));
/// assert_eq!(r.get("fields.sym").unwrap().as_str().as_deref(), Some("A\"B"));
/// assert_eq!(r.get("fields.sym").unwrap().raw(), br#""A\"B""#);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawJson<'a>(pub(crate) &'a [u8]);

impl<'a> RawJson<'a> {
    /// The JSON text as written.
    pub fn raw(&self) -> &'a [u8] {
        self.0
    }

    /// The value of a JSON string, unescaped; `None` for other types.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        JsonStr::from_quoted(self.0).map(|s| s.to_str())
    }

    /// A JSON string's value, or the text of any other scalar (a number as
    /// written, `true`, `null`); `None` for objects and arrays. This is how a
    /// correlation id is compared: `74999` and `"74999"` give the same text.
    pub fn as_text(&self) -> Option<Cow<'a, str>> {
        match self.0.first()? {
            b'"' => self.as_str(),
            b'{' | b'[' => None,
            _ => std::str::from_utf8(self.0).ok().map(Cow::Borrowed),
        }
    }

    /// A JSON number as `f64` (`None` for other types).
    pub fn as_f64(&self) -> Option<f64> {
        std::str::from_utf8(self.0).ok()?.parse().ok()
    }

    /// A JSON number as `i64`, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        std::str::from_utf8(self.0).ok()?.parse().ok()
    }

    /// A JSON number as `u64`, when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        std::str::from_utf8(self.0).ok()?.parse().ok()
    }

    /// The JSON text `raw` (one value, as written), to read with the
    /// methods of this type.
    pub fn from_raw(raw: &'a [u8]) -> RawJson<'a> {
        RawJson(raw)
    }

    /// Calls `each(key, value)` for the members of an object, in order,
    /// with the key as written (escapes kept), in one pass over the text
    /// and without building values; stops early when `each` returns
    /// `false`. `None` when the value is not a well-formed object.
    ///
    /// # Examples
    ///
    /// ```
    /// use logger_read::RawJson;
    /// let mut qty = None;
    /// RawJson::from_raw(br#"{"sym":"AAPL","qty":500,"x":{"y":[1]}}"#).members(|k, v| {
    ///     if k == b"qty" {
    ///         qty = v.as_f64();
    ///     }
    ///     true
    /// });
    /// assert_eq!(qty, Some(500.0));
    /// ```
    pub fn members(&self, mut each: impl FnMut(&'a [u8], RawJson<'a>) -> bool) -> Option<()> {
        let b = self.0;
        members(b, 0, |k, s, e| each(k, RawJson(&b[s..e])))?;
        Some(())
    }

    /// Parses the value with `serde_json`.
    pub fn to_value(&self) -> Result<Value, RecordError> {
        serde_json::from_slice(self.0).map_err(|e| RecordError::NotJson(e.to_string()))
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", String::from_utf8_lossy(self.0))
    }
}

/// A JSON string borrowed from a line, still escaped as written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    /// The string with its quotes.
    quoted: &'a [u8],
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// `quoted` is a whole JSON string with its quotes, as found by `string_end`.
    pub(crate) fn new_unchecked(quoted: &'a [u8], escaped: bool) -> Self {
        JsonStr { quoted, escaped }
    }

    fn from_quoted(quoted: &'a [u8]) -> Option<Self> {
        let (end, escaped) = string_end(quoted, 0)?;
        (end == quoted.len()).then_some(JsonStr { quoted, escaped })
    }

    /// The content between the quotes, escapes as written (`a\"b`).
    pub fn raw(&self) -> &'a [u8] {
        &self.quoted[1..self.quoted.len() - 1]
    }

    /// Whether the content holds escapes (then [`JsonStr::raw`] differs from the value).
    pub fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// The string's value, unescaped; bytes that are not UTF-8 become U+FFFD.
    pub fn to_str(&self) -> Cow<'a, str> {
        if !self.escaped {
            return String::from_utf8_lossy(self.raw());
        }
        match serde_json::from_slice::<String>(self.quoted) {
            Ok(s) => Cow::Owned(s),
            Err(_) => String::from_utf8_lossy(self.raw()),
        }
    }

    /// Whether the value equals `s` (without allocating when unescaped).
    pub fn eq_str(&self, s: &str) -> bool {
        if self.escaped {
            self.to_str() == s
        } else {
            self.raw() == s.as_bytes()
        }
    }
}

impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_str())
    }
}

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str())
    }
}

/// The keys between `msg` and `context`, scanned on first use.
#[derive(Clone, Copy, Default, Debug)]
struct Middle<'a> {
    module: Option<JsonStr<'a>>,
    file: Option<JsonStr<'a>>,
    line: Option<RawJson<'a>>,
    function: Option<JsonStr<'a>>,
    thread: Option<JsonStr<'a>>,
    tid: Option<RawJson<'a>>,
    pid: Option<RawJson<'a>>,
    host: Option<JsonStr<'a>>,
    correlation_id: Option<RawJson<'a>>,
    /// Where the `{` of `context` is, if present.
    context: Option<usize>,
    /// Where the `{` of `fields` is, if present.
    fields: Option<usize>,
}

/// One record, read from one line (without its newline).
///
/// The leading keys are scanned when the view is built; see the module docs.
///
/// # Examples
///
/// ```
/// use logger_read::{Level, RecordView};
/// let line = br#"{"ts":"2026-11-21T11:07:51.545259128Z","level":"WARN","kind":"log","target":"execution::orders","service":"execution","msg":"order rejected","module":"demo","file":"demo.rs","line":172,"thread":"strategy-0","tid":10287,"pid":10278,"host":"vm","correlation_id":74999,"context":{"strategy":"mm1"},"fields":{"order_id":74999}}"#;
/// let r = RecordView::parse(line).unwrap();
/// assert_eq!(r.level(), Level::Warn);
/// assert_eq!(r.ts_raw(), "2026-11-21T11:07:51.545259128Z");
/// assert!(r.kind().eq_str("log"));
/// assert_eq!(r.service().unwrap().to_str(), "execution");
/// assert_eq!(r.msg().unwrap().to_str(), "order rejected");
/// assert_eq!(r.correlation_id().unwrap().as_text().unwrap(), "74999");
/// assert_eq!(r.pid(), Some(10278));
/// assert_eq!(r.get("context.strategy").unwrap().as_str().unwrap(), "mm1");
/// assert_eq!(r.value().unwrap()["fields"]["order_id"], 74999);
///
/// let err = RecordView::parse(b"2026-11-21 10:30:45 | WARN | text log").unwrap_err();
/// assert!(err.to_string().starts_with("not a JSON object"));
/// ```
pub struct RecordView<'a> {
    line: &'a [u8],
    ts: Timestamp,
    ts_raw: &'a [u8],
    level: Level,
    kind: JsonStr<'a>,
    target: JsonStr<'a>,
    service: Option<JsonStr<'a>>,
    msg: Option<JsonStr<'a>>,
    /// Where the scan of the middle keys starts (after `msg`).
    middle_start: usize,
    middle: OnceCell<Middle<'a>>,
    value: OnceCell<Result<Value, RecordError>>,
}

/// Scans `,"<key>":"..."` at `i`: `key` is the bytes `,"<key>":`.
#[inline(always)]
fn str_at<'a>(b: &'a [u8], i: usize, key: &[u8]) -> Option<(JsonStr<'a>, usize)> {
    if !b.get(i..)?.starts_with(key) {
        return None;
    }
    let s = i + key.len();
    let (end, escaped) = string_end(b, s)?;
    Some((
        JsonStr {
            quoted: &b[s..end],
            escaped,
        },
        end,
    ))
}

/// The `ts` of a line, by the fast path only: `None` if the line does not
/// start with `{"ts":"` or the text is not RFC 3339.
#[inline]
pub(crate) fn fast_ts(line: &[u8]) -> Option<(Timestamp, usize)> {
    let rest = line.strip_prefix(b"{\"ts\":")?;
    let (end, escaped) = string_end(rest, 0)?;
    if escaped {
        return None;
    }
    let ts = Timestamp::parse_bytes(&rest[1..end - 1])?;
    Some((ts, 6 + end))
}

impl<'a> RecordView<'a> {
    /// Reads the record in `line` (without its newline).
    ///
    /// # Errors
    ///
    /// [`RecordError`] when the line is not a JSON object, or lacks a valid
    /// `ts`, `level`, `kind` or `target`. Never panics, whatever the bytes.
    pub fn parse(line: &'a [u8]) -> Result<RecordView<'a>, RecordError> {
        match Self::scan(line) {
            Some(v) => Ok(v),
            None => Self::parse_slow(line),
        }
    }

    /// The fast path: the keys in the writer's order, no escapes in `ts`.
    #[inline]
    fn scan(b: &'a [u8]) -> Option<RecordView<'a>> {
        let (ts, i) = fast_ts(b)?;
        let ts_raw = &b[7..i - 1];
        let (lv, i) = str_at(b, i, b",\"level\":")?;
        let level = Level::from_record_bytes(lv.raw())?;
        let (kind, i) = str_at(b, i, b",\"kind\":")?;
        let (target, i) = str_at(b, i, b",\"target\":")?;
        let (service, i) = match str_at(b, i, b",\"service\":") {
            Some((s, e)) => (Some(s), e),
            None => (None, i),
        };
        let (msg, i) = match str_at(b, i, b",\"msg\":") {
            Some((s, e)) => (Some(s), e),
            None => (None, i),
        };
        // The line must go on with another key or end the object.
        if !matches!(b.get(i), Some(b',' | b'}')) {
            return None;
        }
        Some(RecordView {
            line: b,
            ts,
            ts_raw,
            level,
            kind,
            target,
            service,
            msg,
            middle_start: i,
            middle: OnceCell::new(),
            value: OnceCell::new(),
        })
    }

    /// The general path: `serde_json` finds the keys wherever they are.
    #[cold]
    fn parse_slow(b: &'a [u8]) -> Result<RecordView<'a>, RecordError> {
        #[derive(Deserialize)]
        struct Keys<'a> {
            #[serde(borrow)]
            ts: Option<&'a RawValue>,
            #[serde(borrow)]
            level: Option<&'a RawValue>,
            #[serde(borrow)]
            kind: Option<&'a RawValue>,
            #[serde(borrow)]
            target: Option<&'a RawValue>,
            #[serde(borrow)]
            service: Option<&'a RawValue>,
            #[serde(borrow)]
            msg: Option<&'a RawValue>,
        }
        let keys: Keys<'a> = serde_json::from_slice(b).map_err(|e| {
            RecordError::NotJson(match other_format(b) {
                Some(hint) => format!("{e} ({hint})"),
                None => e.to_string(),
            })
        })?;
        let text = |r: &'a RawValue| r.get().as_bytes();
        let string = |key: &'static str, r: Option<&'a RawValue>| match r {
            None => Err(RecordError::MissingKey(key)),
            Some(r) => JsonStr::from_quoted(text(r)).ok_or_else(|| bad(key, text(r))),
        };
        let opt = |key: &'static str, r: Option<&'a RawValue>| {
            r.map(|r| string(key, Some(r))).transpose()
        };
        let ts_s = string("ts", keys.ts)?;
        let ts_text = ts_s.to_str();
        let ts = Timestamp::parse(&ts_text).ok_or_else(|| bad("ts", ts_s.quoted))?;
        let lv = string("level", keys.level)?;
        let level = Level::from_record_bytes(lv.raw())
            .or_else(|| lv.to_str().parse().ok())
            .ok_or_else(|| bad("level", lv.quoted))?;
        Ok(RecordView {
            line: b,
            ts,
            ts_raw: ts_s.raw(),
            level,
            kind: string("kind", keys.kind)?,
            target: string("target", keys.target)?,
            service: opt("service", keys.service)?,
            msg: opt("msg", keys.msg)?,
            middle_start: usize::MAX,
            middle: OnceCell::new(),
            value: OnceCell::new(),
        })
    }

    /// The line the view reads.
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// `ts`, parsed.
    pub fn ts(&self) -> Timestamp {
        self.ts
    }

    /// `ts` as written (inside the quotes).
    pub fn ts_raw(&self) -> &'a str {
        // ts parsed as RFC 3339, so it is ASCII (or escaped ASCII).
        std::str::from_utf8(self.ts_raw).unwrap_or_default()
    }

    /// `level`.
    pub fn level(&self) -> Level {
        self.level
    }

    /// `kind` (`log`, `trade`, `perf`, or any other kind a newer writer uses).
    pub fn kind(&self) -> JsonStr<'a> {
        self.kind
    }

    /// `target`.
    pub fn target(&self) -> JsonStr<'a> {
        self.target
    }

    /// `service`, if present.
    pub fn service(&self) -> Option<JsonStr<'a>> {
        self.service
    }

    /// `msg`, if present.
    pub fn msg(&self) -> Option<JsonStr<'a>> {
        self.msg
    }

    fn middle(&self) -> &Middle<'a> {
        self.middle.get_or_init(|| self.scan_middle())
    }

    fn scan_middle(&self) -> Middle<'a> {
        let b = self.line;
        let mut m = Middle::default();
        let mut put = |key: &[u8], s: usize, e: usize| {
            let raw = RawJson(&b[s..e]);
            let js = || JsonStr::from_quoted(&b[s..e]);
            match key {
                b"module" => m.module = js(),
                b"file" => m.file = js(),
                b"line" => m.line = Some(raw),
                b"function" => m.function = js(),
                b"thread" => m.thread = js(),
                b"tid" => m.tid = Some(raw),
                b"pid" => m.pid = Some(raw),
                b"host" => m.host = js(),
                b"correlation_id" => m.correlation_id = Some(raw),
                b"context" => m.context = Some(s),
                b"fields" => m.fields = Some(s),
                _ => {}
            }
        };
        if self.middle_start == usize::MAX {
            // Not in the writer's order: walk the whole object.
            let _ = members(b, 0, |k, s, e| {
                put(k, s, e);
                true
            });
            return m;
        }
        let mut i = self.middle_start;
        while b.get(i) == Some(&b',') {
            let Some((kend, _)) = string_end(b, i + 1) else {
                break;
            };
            if b.get(kend) != Some(&b':') {
                break;
            }
            let v = kend + 1;
            let end = match b.get(v) {
                Some(b'"') => string_end(b, v).map(|(e, _)| e),
                Some(b'{' | b'[') => value_end(b, v),
                _ => scalar_end(b, v),
            };
            let Some(end) = end else { break };
            put(&b[i + 2..kend - 1], v, end);
            i = end;
        }
        m
    }

    /// `module`, if present.
    pub fn module(&self) -> Option<JsonStr<'a>> {
        self.middle().module
    }

    /// `file` (the call site's source file), if present.
    pub fn file(&self) -> Option<JsonStr<'a>> {
        self.middle().file
    }

    /// `line` (the call site's source line), if present.
    pub fn source_line(&self) -> Option<u64> {
        self.middle().line.and_then(|r| r.as_u64())
    }

    /// `function`, if present (macros only).
    pub fn function(&self) -> Option<JsonStr<'a>> {
        self.middle().function
    }

    /// `thread` (its name), if present.
    pub fn thread(&self) -> Option<JsonStr<'a>> {
        self.middle().thread
    }

    /// `tid` (OS thread id), if present.
    pub fn tid(&self) -> Option<u64> {
        self.middle().tid.and_then(|r| r.as_u64())
    }

    /// `pid`, if present.
    pub fn pid(&self) -> Option<u64> {
        self.middle().pid.and_then(|r| r.as_u64())
    }

    /// `host`, if present.
    pub fn host(&self) -> Option<JsonStr<'a>> {
        self.middle().host
    }

    /// `correlation_id` as written (a string or a number), if present;
    /// [`RawJson::as_text`] gives its text.
    pub fn correlation_id(&self) -> Option<RawJson<'a>> {
        self.middle().correlation_id
    }

    /// The value at a dotted path: a top-level key (`msg`, `thread`,
    /// `line`...) or a member of an object (`fields.qty`, `context.strategy`,
    /// `fields.order.id`), as raw JSON text; `None` when absent.
    ///
    /// Found by walking the raw text, without building values. A key that
    /// itself holds a dot cannot be reached this way; use [`RecordView::value`].
    pub fn get(&self, path: &str) -> Option<RawJson<'a>> {
        let b = self.line;
        let mut parts = path.split('.');
        let first = parts.next()?;
        let m = self.middle();
        let mut leaf = |raw: &'a [u8]| parts.next().is_none().then_some(RawJson(raw));
        let at = match first {
            "kind" => return leaf(self.kind.quoted),
            "target" => return leaf(self.target.quoted),
            "service" => return leaf(self.service?.quoted),
            "msg" => return leaf(self.msg?.quoted),
            "context" => m.context?,
            "fields" => m.fields?,
            _ => {
                let (s, e) = find_member(b, 0, first.as_bytes())?;
                if b[s] != b'{' {
                    return leaf(&b[s..e]);
                }
                s
            }
        };
        let mut at = at;
        let mut end = value_end(b, at)?;
        for key in parts {
            let (s, e) = find_member(b, at, key.as_bytes())?;
            at = s;
            end = e;
        }
        Some(RawJson(&b[at..end]))
    }

    /// `fields`, if present: [`RecordView::get`]`("fields")`, found faster.
    ///
    /// The writer puts `fields` last, so it is looked for from the line's
    /// end first, and taken only if its object closes just before the
    /// record's own closing brace (a `"fields"` key nested deeper cannot:
    /// its object is followed by the brace of the object that holds it).
    /// Otherwise the keys are walked from the start, as `get` does.
    pub fn fields(&self) -> Option<RawJson<'a>> {
        self.fields_at_end().or_else(|| self.get("fields"))
    }

    fn fields_at_end(&self) -> Option<RawJson<'a>> {
        let b = self.line;
        if self.middle_start == usize::MAX || !b.ends_with(b"}}") {
            return None;
        }
        static FIELDS: LazyLock<FinderRev<'static>> =
            LazyLock::new(|| FinderRev::new(b",\"fields\":{"));
        let at = FIELDS.rfind(b)?;
        let s = at + 10;
        (at >= self.middle_start && value_end(b, s)? == b.len() - 1)
            .then(|| RawJson(&b[s..b.len() - 1]))
    }

    /// The whole record as a [`serde_json::Value`], parsed on first use.
    ///
    /// # Errors
    ///
    /// [`RecordError::NotJson`] when the rest of the line is not valid JSON
    /// (the fast scan reads only the leading keys).
    pub fn value(&self) -> Result<&Value, RecordError> {
        self.value
            .get_or_init(|| {
                serde_json::from_slice(self.line).map_err(|e| RecordError::NotJson(e.to_string()))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The value span of member `key` of the object at `obj` (keys compared as
/// written, so a key with escapes is matched by its escaped form).
fn find_member(b: &[u8], obj: usize, key: &[u8]) -> Option<(usize, usize)> {
    let mut found = None;
    members(b, obj, |k, s, e| {
        if k == key {
            found = Some((s, e));
            false
        } else {
            true
        }
    })?;
    found
}

impl fmt::Debug for RecordView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordView")
            .field("line", &String::from_utf8_lossy(self.line))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] = br#"{"ts":"2026-11-21T11:07:51.545259128Z","level":"WARN","kind":"log","target":"execution::orders","service":"execution","msg":"order \"x\" rejected","module":"demo","file":"examples/demo.rs","line":172,"function":"run","thread":"strategy-0","tid":10287,"pid":10278,"host":"vm","correlation_id":"c-1","context":{"strategy":"mm1"},"fields":{"order_id":74999,"nested":{"a":[1,2]},"reason":"band"}}"#;

    #[test]
    fn fast_and_slow_paths_agree() {
        let fast = RecordView::parse(LINE).unwrap();
        assert_ne!(fast.middle_start, usize::MAX);
        // The same record with the keys in another order takes the slow path.
        let v: serde_json::Map<String, Value> = serde_json::from_slice(LINE).unwrap();
        let mut entries: Vec<_> = v.into_iter().collect();
        entries.reverse();
        let reordered =
            serde_json::to_vec(&entries.into_iter().collect::<serde_json::Map<_, _>>()).unwrap();
        let slow = RecordView::parse(&reordered).unwrap();
        assert_eq!(slow.middle_start, usize::MAX);
        for r in [&fast, &slow] {
            assert_eq!(
                r.ts(),
                Timestamp::parse("2026-11-21T11:07:51.545259128Z").unwrap()
            );
            assert_eq!(r.ts_raw(), "2026-11-21T11:07:51.545259128Z");
            assert_eq!(r.level(), Level::Warn);
            assert_eq!(r.kind().to_str(), "log");
            assert_eq!(r.target().to_str(), "execution::orders");
            assert_eq!(r.service().unwrap().to_str(), "execution");
            assert_eq!(r.msg().unwrap().to_str(), "order \"x\" rejected");
            assert_eq!(r.module().unwrap().to_str(), "demo");
            assert_eq!(r.file().unwrap().to_str(), "examples/demo.rs");
            assert_eq!(r.source_line(), Some(172));
            assert_eq!(r.function().unwrap().to_str(), "run");
            assert_eq!(r.thread().unwrap().to_str(), "strategy-0");
            assert_eq!(r.tid(), Some(10287));
            assert_eq!(r.pid(), Some(10278));
            assert_eq!(r.host().unwrap().to_str(), "vm");
            assert_eq!(r.correlation_id().unwrap().as_text().unwrap(), "c-1");
            assert_eq!(r.get("fields.order_id").unwrap().as_u64(), Some(74999));
            assert_eq!(r.get("fields.nested.a").unwrap().raw(), b"[1,2]");
            assert_eq!(r.get("context.strategy").unwrap().as_str().unwrap(), "mm1");
            assert_eq!(r.get("thread").unwrap().as_str().unwrap(), "strategy-0");
            assert_eq!(
                r.get("msg").unwrap().as_str().unwrap(),
                "order \"x\" rejected"
            );
            assert!(r.get("fields.missing").is_none());
            assert!(r.get("msg.x").is_none());
            assert!(r.get("nope").is_none());
            assert_eq!(r.value().unwrap()["fields"]["reason"], "band");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "not a JSON object"),
            (b"hello", "not a JSON object"),
            (b"[1,2]", "not a JSON object"),
            (
                br#"{"level":"INFO","kind":"log","target":"t"}"#,
                "record has no `ts`",
            ),
            (
                br#"{"ts":"yesterday","level":"INFO","kind":"log","target":"t"}"#,
                "`ts` is \"yesterday\"",
            ),
            (
                br#"{"ts":"2026-11-21T10:30:45Z","level":"LOUD","kind":"log","target":"t"}"#,
                "`level` is \"LOUD\"",
            ),
            (
                br#"{"ts":"2026-11-21T10:30:45Z","level":"INFO","kind":3,"target":"t"}"#,
                "`kind` is 3",
            ),
        ];
        for (line, want) in cases {
            let e = RecordView::parse(line).unwrap_err().to_string();
            assert!(!e.contains("format"), "{e}");
            assert!(
                e.starts_with(want),
                "{:?}: {e}",
                String::from_utf8_lossy(line)
            );
        }
    }

    /// A file written with `format(Format::Logfmt)` or `Format::Text`:
    /// the error says which format it is, not only where JSON breaks.
    #[test]
    fn a_line_of_another_format_of_the_logger_is_named() {
        for (line, want) in [
            (
                &b"ts=2026-11-30T03:30:16.146497801Z level=info kind=trade target=app msg=trade"[..],
                "a line of the logger's logfmt format",
            ),
            (
                &b"2026-11-30 02:48:00.756071296 | ERROR | desk::execution::orders:59 | route failed"[..],
                "a line of the logger's text format",
            ),
        ] {
            let e = RecordView::parse(line).unwrap_err().to_string();
            assert!(e.starts_with("not a JSON object: "), "{e}");
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn a_broken_tail_is_found_by_value() {
        let line = br#"{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"t","msg":"m","pid":1,"fields":{"a":"#;
        let r = RecordView::parse(line).unwrap();
        assert_eq!(r.pid(), Some(1));
        assert!(r.get("fields.a").is_none());
        assert!(r.value().is_err());
    }
}
