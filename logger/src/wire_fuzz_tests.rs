//! Property tests (run in CI) of the record encoder/decoder and of the
//! formatters, and the entry points the `cargo fuzz` targets share
//! (`logger::__fuzz`, hidden: the checks are compiled in every build so
//! that `fuzz/` can call them; only the proptest strategies are
//! test-only).
//!
//! What may be fed arbitrary bytes: the ring holds raw pointers in two
//! places (`STR_STATIC` string references and `V_STATIC_STR` values point
//! at `&'static str`s; `CALLSITE` records start with the address of a
//! `static` descriptor). Those bytes are only ever written by the encoder
//! from real references of this process, so decoding them from arbitrary
//! bytes would be undefined behaviour, not a finding. Hence:
//!
//! - whole records are decoded only from bytes the encoder produced, from
//!   arbitrary values (every prefix of them too: a cut record must decode
//!   to `None` or to a view, never panic);
//! - arbitrary bytes go only to the decoders that do not dereference
//!   anything: headers, keys, length-prefixed bytes, inline string
//!   references and values other than static strings;
//! - every decoded record is formatted as JSON (which must parse and give
//!   back what was encoded) and as text (which must be one line).

use crate::level::Level;
#[cfg(test)]
use proptest::prelude::*;

use crate::backend::flusher::for_fuzzing::{Origin, decode, level_from_u8};
use crate::callsite::Callsite;
use crate::config::TimeZone;
use crate::format::{Formatter, JsonFormatter, TextFormatter};
use crate::loggable::LogValue;
use crate::view::{Kind, RecordView, Value};
use crate::wire::{self, Decoder, Encoder, StrRef};

/// `&'static str`s a record may reference by address.
static STATICS: [&str; 5] = [
    "",
    "app::orders",
    "src/orders.rs",
    "héllo \"wörld\"\n\0",
    "😀{}",
];

fn function_name() -> &'static str {
    "app::orders::on_fill"
}

/// Call sites whose records the properties encode: templates with
/// placeholders, escaped braces, stray braces, unused arguments.
static CALLSITES: [Callsite; 4] = [
    Callsite {
        kind: Kind::Trade,
        level: Level::Info,
        target: "fills",
        module: "app::orders",
        file: "src/orders.rs",
        line: 7,
        message: "filled {} of {}",
        message_args: 2,
        fields: &["symbol", "side", "qty", "price"],
        function: Some(function_name),
    },
    Callsite {
        kind: Kind::Perf,
        level: Level::Warn,
        target: "perf",
        module: "app",
        file: "src/main.rs",
        line: 1,
        message: "{{}} {} }} {{ { } {}{}",
        message_args: 2,
        fields: &["operation", "elapsed_ns"],
        function: None,
    },
    Callsite {
        kind: Kind::Log,
        level: Level::Error,
        target: "t",
        module: "m",
        file: "f.rs",
        line: u32::MAX,
        message: "",
        message_args: 3,
        fields: &[],
        function: None,
    },
    Callsite {
        kind: Kind::Trade,
        level: Level::Trace,
        target: "",
        module: "",
        file: "",
        line: 0,
        message: "{}",
        message_args: 0,
        fields: &["a\"b", "", "c\nd"],
        function: None,
    },
];

/// An owned [`Value`].
#[derive(Clone, Debug)]
pub(crate) enum OwnedValue {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
    F64(f64),
    Char(char),
    Str(Vec<u8>),
}

impl OwnedValue {
    /// The borrowed [`Value`].
    pub(crate) fn view(&self) -> Value<'_> {
        match self {
            OwnedValue::Null => Value::Null,
            OwnedValue::Bool(v) => Value::Bool(*v),
            OwnedValue::U64(v) => Value::U64(*v),
            OwnedValue::I64(v) => Value::I64(*v),
            OwnedValue::U128(v) => Value::U128(*v),
            OwnedValue::I128(v) => Value::I128(*v),
            OwnedValue::F64(v) => Value::F64(*v),
            OwnedValue::Char(v) => Value::Char(*v),
            OwnedValue::Str(v) => Value::Str(v),
        }
    }
}

/// A macro value: as [`LogValue`], owned; strings are valid UTF-8.
#[derive(Clone, Debug)]
pub(crate) enum MacroValue {
    Plain(OwnedValue),
    Str(String),
    Static(usize),
}

impl MacroValue {
    fn log_value(&self) -> LogValue<'_> {
        match self {
            MacroValue::Plain(v) => match v {
                OwnedValue::Null | OwnedValue::Str(_) => LogValue::Null,
                OwnedValue::Bool(b) => LogValue::Bool(*b),
                OwnedValue::U64(x) => LogValue::U64(*x),
                OwnedValue::I64(x) => LogValue::I64(*x),
                OwnedValue::U128(x) => LogValue::U128(*x),
                OwnedValue::I128(x) => LogValue::I128(*x),
                OwnedValue::F64(x) => LogValue::F64(*x),
                OwnedValue::Char(c) => LogValue::Char(*c),
            },
            MacroValue::Str(s) => LogValue::Str(s),
            MacroValue::Static(i) => LogValue::StaticStr(STATICS[*i % STATICS.len()]),
        }
    }
}

/// Where a `log` record's module, file or target comes from.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    Static(usize),
    Inline(String),
    /// Target only: the same as the module.
    SameAsModule,
}

/// A `log` record, as the adapter encodes it.
#[derive(Clone, Debug)]
pub(crate) struct LogCase {
    level: u8,
    module: Place,
    file: Place,
    target: Place,
    line: u32,
    msg: Vec<u8>,
    fields: Vec<(String, OwnedValue)>,
    thread: String,
    tid: u64,
    ts_ns: u64,
}

/// A macro record: a call site and its values.
#[derive(Clone, Debug)]
pub(crate) struct CallsiteCase {
    callsite: usize,
    level: u8,
    values: Vec<MacroValue>,
    limit: usize,
}

// ---------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------

fn place_ref(p: &Place) -> StrRef<'_> {
    match p {
        Place::Static(i) => StrRef::Static(STATICS[*i % STATICS.len()]),
        Place::Inline(s) => StrRef::Inline(s),
        Place::SameAsModule => StrRef::SameAsModule,
    }
}

fn place_str<'a>(p: &'a Place, module: &'a str) -> &'a str {
    match p {
        Place::Static(i) => STATICS[*i % STATICS.len()],
        Place::Inline(s) => s,
        Place::SameAsModule => module,
    }
}

/// A whole record (header and payload, padded to the alignment) of a
/// `LOG` payload written with the wire primitives, in the adapter's order.
fn encode_log(case: &LogCase) -> Vec<u8> {
    let mut payload = Vec::new();
    let mut e = Encoder { buf: &mut payload };
    // The module of a `log` record is never "same as module".
    let module = match &case.module {
        Place::SameAsModule => Place::Static(1),
        p => p.clone(),
    };
    let file = match &case.file {
        Place::SameAsModule => Place::Inline(String::new()),
        p => p.clone(),
    };
    e.str_ref(place_ref(&module));
    e.str_ref(place_ref(&file));
    e.str_ref(place_ref(&case.target));
    e.u32(case.line);
    e.bytes32(&case.msg);
    e.u16(case.fields.len() as u16);
    for (k, v) in &case.fields {
        let _ = e.key(k);
        wire::put_value(e.buf, v.view());
    }
    frame(wire::TAG_LOG, case.level, &payload, case.ts_ns)
}

/// Header + payload, aligned, as in a ring.
fn frame(tag: u8, level: u8, payload: &[u8], ts: u64) -> Vec<u8> {
    let len = wire::aligned(wire::HEADER + payload.len());
    let mut rec = vec![0u8; len];
    wire::put_header(&mut rec, len, tag, level, ts);
    rec[wire::HEADER..wire::HEADER + payload.len()].copy_from_slice(payload);
    rec
}

fn encode_callsite(case: &CallsiteCase) -> (Vec<u8>, usize) {
    let cs = &CALLSITES[case.callsite % CALLSITES.len()];
    let values: Vec<LogValue<'_>> = case.values.iter().map(MacroValue::log_value).collect();
    let groups: [&[LogValue<'_>]; 1] = [&values];
    let len = wire::callsite_payload_len(&groups, case.limit);
    let mut payload = vec![0xA5u8; len];
    wire::put_log_values(&mut payload, cs, &groups, case.limit);
    (frame(wire::TAG_CALLSITE, case.level, &payload, 42), len)
}

// ---------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------

/// The value a macro value decodes to, strings cut to `limit` bytes (on a
/// char boundary) plus the marker.
fn expected_macro_value(v: &MacroValue, limit: usize) -> OwnedValue {
    let cut = |s: &str| -> Vec<u8> {
        if s.len() <= limit {
            return s.as_bytes().to_vec();
        }
        let mut end = limit;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let mut out = s.as_bytes()[..end].to_vec();
        out.extend_from_slice(wire::TRUNCATED.as_bytes());
        out
    };
    match v {
        MacroValue::Plain(OwnedValue::Str(_)) => OwnedValue::Null,
        MacroValue::Plain(p) => p.clone(),
        MacroValue::Str(s) => OwnedValue::Str(cut(s)),
        MacroValue::Static(i) => OwnedValue::Str(STATICS[*i % STATICS.len()].as_bytes().to_vec()),
    }
}

fn same_value(got: &Value<'_>, want: &OwnedValue) -> bool {
    match (got, want) {
        (Value::F64(a), OwnedValue::F64(b)) => a.to_bits() == b.to_bits(),
        (g, w) => *g == w.view(),
    }
}

/// The message a template renders to, by the documented rules: `{{` and
/// `}}` are braces, each `{}` takes the next argument while there are
/// any, anything else is copied.
fn expected_message(template: &str, args: &[OwnedValue]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut used = 0;
    let b = template.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let two = &b[i..(i + 2).min(b.len())];
        if two == b"{{" || two == b"}}" {
            out.push(b[i]);
            i += 2;
        } else if two == b"{}" && used < args.len() {
            crate::format::write_value_plain(&mut out, args[used].view());
            used += 1;
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Formats `view` as JSON and text and checks both.
fn check_formats(view: &RecordView<'_>) {
    let mut json = Vec::new();
    JsonFormatter::new(4242, "fuzz\"host").format(view, &mut json);
    assert_eq!(json.last(), Some(&b'\n'));
    assert_eq!(json.iter().filter(|&&b| b == b'\n').count(), 1);
    let text = std::str::from_utf8(&json).expect("JSON lines are UTF-8");
    let v: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
    assert_eq!(v["msg"].as_str(), Some(&*String::from_utf8_lossy(view.msg)));
    assert_eq!(v["target"].as_str(), Some(view.target));
    assert_eq!(v["module"].as_str(), Some(view.module));
    assert_eq!(v["file"].as_str(), Some(view.file));
    assert_eq!(v["line"].as_u64(), Some(u64::from(view.line)));
    assert_eq!(v["thread"].as_str(), Some(view.thread));
    assert_eq!(v["tid"].as_u64(), Some(view.tid));
    assert_eq!(v["level"].as_str(), Some(view.level.as_str()));
    assert_eq!(v["kind"].as_str(), Some(view.kind.as_str()));
    assert_eq!(v.get("function").and_then(|f| f.as_str()), view.function);
    assert_eq!(v["host"].as_str(), Some("fuzz\"host"));
    if view.fields.is_empty() {
        assert!(v.get("fields").is_none());
    } else {
        let obj = v["fields"].as_object().expect("fields object");
        // Repeated keys are renamed: every value is there, under its name.
        assert_eq!(obj.len(), view.fields.len());
        let names = crate::format::unique_names(view.fields);
        for (name, f) in names.iter().zip(view.fields) {
            check_json_value(text, &obj[name.as_str()], &f.value);
        }
    }

    let mut line = Vec::new();
    TextFormatter::new(TimeZone::Utc).format(view, &mut line);
    assert_eq!(line.last(), Some(&b'\n'));
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    assert!(!line.contains(&b'\r'));
    assert!(std::str::from_utf8(&line).is_ok());
}

fn check_json_value(line: &str, got: &serde_json::Value, want: &Value<'_>) {
    use serde_json::Value as J;
    match *want {
        Value::Json(text) => {
            assert_eq!(got, &serde_json::from_slice::<J>(text).expect("valid"))
        }
        Value::Null => assert_eq!(got, &J::Null),
        Value::Bool(b) => assert_eq!(got, &J::Bool(b)),
        Value::U64(x) => assert_eq!(got.as_u64(), Some(x)),
        Value::I64(x) => assert_eq!(got.as_i64(), Some(x)),
        Value::U128(x) => match u64::try_from(x) {
            Ok(x) => assert_eq!(got.as_u64(), Some(x)),
            Err(_) => assert!(got.is_number() && line.contains(&x.to_string())),
        },
        Value::I128(x) => match i64::try_from(x) {
            Ok(x) => assert_eq!(got.as_i64(), Some(x)),
            Err(_) => assert!(got.is_number() && line.contains(&x.to_string())),
        },
        Value::F64(x) if x.is_nan() => assert_eq!(got, "NaN"),
        Value::F64(x) if x.is_infinite() => {
            assert_eq!(got, if x > 0.0 { "inf" } else { "-inf" })
        }
        Value::F64(x) => {
            // Shortest round-trip digits; the parser may be a few ULPs off
            // without serde_json's `float_roundtrip` feature.
            let digits = ryu::Buffer::new().format_finite(x).to_string();
            assert!(line.contains(&digits), "{digits} not in {line}");
            let g = got.as_f64().expect("a number");
            let ulps = (g.to_bits() as i64).wrapping_sub(x.to_bits() as i64);
            assert!(g == x || ulps.unsigned_abs() <= 4, "{g:e} vs {x:e}");
        }
        Value::Char(c) => assert_eq!(got.as_str(), Some(c.to_string().as_str())),
        Value::Str(b) => assert_eq!(got.as_str(), Some(&*String::from_utf8_lossy(b))),
    }
}

/// Encodes a `log` record, decodes it back (every field as encoded),
/// formats it; then decodes every cut of it without panicking.
pub(crate) fn check_log_case(case: &LogCase) {
    let rec = encode_log(case);
    let header = wire::get_header(&rec).expect("header");
    assert_eq!(header.len, rec.len());
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let origin = Origin {
        thread: &case.thread,
        tid: case.tid,
    };
    let level = level_from_u8(case.level);
    let view = decode(&header, &rec, case.ts_ns, origin, &mut fields, &mut scratch);
    let Some(level) = level else {
        assert!(view.is_none(), "a bad level decodes to None");
        return;
    };
    let view = view.expect("an encoded record decodes");
    let module = match &case.module {
        Place::SameAsModule => STATICS[1],
        p => place_str(p, ""),
    };
    assert_eq!(view.level, level);
    assert_eq!(view.kind, Kind::Log);
    assert_eq!(view.module, module);
    assert_eq!(
        view.file,
        match &case.file {
            Place::SameAsModule => "",
            p => place_str(p, module),
        }
    );
    assert_eq!(view.target, place_str(&case.target, module));
    assert_eq!(view.line, case.line);
    assert_eq!(view.msg, &case.msg[..]);
    assert_eq!(view.fields.len(), case.fields.len());
    for (f, (k, v)) in view.fields.iter().zip(&case.fields) {
        let (key_cut, cut) = wire::cut_key(k);
        assert_eq!(
            f.key
                .strip_suffix(wire::TRUNCATED)
                .filter(|_| cut)
                .unwrap_or(f.key),
            key_cut
        );
        assert!(f.key.len() <= usize::from(u16::MAX));
        assert!(same_value(&f.value, v), "{:?} vs {v:?}", f.value);
    }
    check_formats(&view);

    // Every cut of the record (a prefix of an encoding: a pointer in it
    // is either whole or missing) decodes to `None` or to a view.
    for cut in (wire::HEADER..rec.len()).step_by(5) {
        let mut fields = Vec::new();
        let mut scratch = Vec::new();
        if let Some(view) = decode(&header, &rec[..cut], 0, origin, &mut fields, &mut scratch) {
            check_formats(&view);
        }
    }
}

/// Encodes a macro record, decodes it (values as encoded, strings cut at
/// the limit with the marker, the message rendered by the template rules),
/// formats it; a payload cut short decodes to `None` or a view.
pub(crate) fn check_callsite_case(case: &CallsiteCase) {
    let cs = &CALLSITES[case.callsite % CALLSITES.len()];
    // The macros write exactly the call site's values: fields, then
    // message arguments.
    let needed = cs.fields.len() + cs.message_args;
    let mut case = case.clone();
    case.values
        .resize(needed, MacroValue::Plain(OwnedValue::Null));
    let case = &case;
    let (rec, payload_len) = encode_callsite(case);
    let header = wire::get_header(&rec).expect("header");
    let origin = Origin {
        thread: "fuzz",
        tid: 1,
    };
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let view = decode(&header, &rec, 7, origin, &mut fields, &mut scratch);
    let Some(level) = level_from_u8(case.level) else {
        assert!(view.is_none());
        return;
    };
    let expected: Vec<OwnedValue> = case
        .values
        .iter()
        .map(|v| expected_macro_value(v, case.limit))
        .collect();
    let view = view.expect("an encoded record decodes");
    assert_eq!(view.level, level);
    assert_eq!(view.kind, cs.kind);
    assert!(std::ptr::eq(view.target, cs.target));
    assert_eq!(view.function, cs.function.map(|f| f()));
    assert_eq!(view.fields.len(), cs.fields.len());
    for (f, (k, w)) in view.fields.iter().zip(cs.fields.iter().zip(&expected)) {
        assert_eq!(f.key, *k);
        assert!(same_value(&f.value, w), "{:?} vs {w:?}", f.value);
    }
    let args = &expected[cs.fields.len()..];
    assert_eq!(view.msg, &expected_message(cs.message, args)[..]);
    check_formats(&view);

    // The same values into a payload one byte short of each value's end:
    // the writer zero-fills instead of writing a partial value, so the
    // decoder sees whole values, then nulls (or runs out: `None`).
    let values: Vec<LogValue<'_>> = case.values.iter().map(MacroValue::log_value).collect();
    let groups: [&[LogValue<'_>]; 1] = [&values];
    for short in [payload_len.saturating_sub(1), payload_len / 2, 8, 3] {
        if short >= payload_len {
            continue;
        }
        let mut payload = vec![0xEEu8; short];
        wire::put_log_values(&mut payload, cs, &groups, case.limit);
        if short < 8 {
            assert!(payload.iter().all(|&b| b == 0));
            continue;
        }
        let rec = frame(wire::TAG_CALLSITE, case.level, &payload, 9);
        let header = wire::get_header(&rec).expect("header");
        let mut fields = Vec::new();
        let mut scratch = Vec::new();
        if let Some(view) = decode(&header, &rec, 7, origin, &mut fields, &mut scratch) {
            for f in view.fields {
                assert!(
                    matches!(f.value, Value::Null)
                        || expected.iter().any(|w| same_value(&f.value, w)),
                    "a value that was never written: {:?}",
                    f.value
                );
            }
            check_formats(&view);
        }
    }
}

/// The tag byte of a `V_STATIC_STR` value and of a `STR_STATIC` reference,
/// found by encoding (they are the bytes arbitrary input must not carry
/// into the decoders that dereference them).
fn pointer_tags() -> (u8, u8) {
    let mut v = [0u8; 17];
    // SAFETY: `v` is exactly `log_value_len` (17) bytes for a static str.
    unsafe { wire::write_log_value(v.as_mut_ptr(), &LogValue::StaticStr("x"), usize::MAX) };
    let mut s = Vec::new();
    Encoder { buf: &mut s }.str_ref(StrRef::Static("x"));
    (v[0], s[0])
}

/// Arbitrary bytes through every decoder that dereferences nothing:
/// each returns `None` or consumes input, and never panics.
pub(crate) fn check_arbitrary_bytes(data: &[u8]) {
    let (static_value, static_ref) = pointer_tags();
    let _ = wire::get_header(data);
    for start in 0..data.len().min(64) {
        let mut d = Decoder {
            rest: &data[start..],
        };
        let mut steps = 0;
        while !d.rest.is_empty() && steps < 256 {
            steps += 1;
            let before = d.rest.len();
            let first = d.rest[0];
            let progressed = match steps % 5 {
                0 if first != static_value => d.value().is_some(),
                1 if first != static_ref => d.str_ref("module").is_some(),
                2 => d.key().is_some(),
                3 => d.bytes32().is_some(),
                _ => d.u16().is_some(),
            };
            if progressed {
                assert!(d.rest.len() < before, "a decoder consumed nothing");
            } else if let Some((_, rest)) = d.rest.split_first() {
                // A failed decode may have taken its tag byte; skip one
                // more and go on, like a resynchronising reader.
                d.rest = rest;
            }
        }
        // A string cut by `end_bytes32` stays valid UTF-8 and within bounds.
        let text = String::from_utf8_lossy(&data[start..]);
        let limit = data.get(start).map_or(0, |&b| usize::from(b));
        let mut buf = Vec::new();
        let at = wire::begin_bytes32(&mut buf);
        buf.extend_from_slice(text.as_bytes());
        wire::end_bytes32(&mut buf, at, limit, wire::TRUNCATED);
        let mut d = Decoder { rest: &buf };
        let got = d.bytes32().expect("length-prefixed");
        let got = std::str::from_utf8(got).expect("cut on a char boundary");
        if text.len() > limit {
            assert!(got.ends_with(wire::TRUNCATED));
            let kept = &got[..got.len() - wire::TRUNCATED.len()];
            assert!(kept.len() <= limit && text.starts_with(kept));
        } else {
            assert_eq!(got, &*text);
        }
    }
}

// ---------------------------------------------------------------------
// Byte-driven case builders (what a fuzzer feeds)
// ---------------------------------------------------------------------

/// Reads structured values from raw bytes; runs out into zeros.
pub(crate) struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Bytes(data)
    }
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |acc, _| (acc << 8) | u64::from(self.u8()))
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.u8()).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
    fn string(&mut self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
    fn value(&mut self) -> OwnedValue {
        match self.u8() % 9 {
            0 => OwnedValue::Null,
            1 => OwnedValue::Bool(self.u8() & 1 == 1),
            2 => OwnedValue::U64(self.u64()),
            3 => OwnedValue::I64(self.u64() as i64),
            4 => OwnedValue::U128(u128::from(self.u64()) << 64 | u128::from(self.u64())),
            5 => OwnedValue::I128((u128::from(self.u64()) << 64 | u128::from(self.u64())) as i128),
            6 => OwnedValue::F64(f64::from_bits(self.u64())),
            7 => OwnedValue::Char(char::from_u32(self.u64() as u32 & 0x1F_FFFF).unwrap_or('?')),
            _ => OwnedValue::Str(self.bytes()),
        }
    }
    fn place(&mut self) -> Place {
        match self.u8() % 3 {
            0 => Place::Static(usize::from(self.u8())),
            1 => Place::Inline(self.string()),
            _ => Place::SameAsModule,
        }
    }
    pub(crate) fn log_case(&mut self) -> LogCase {
        let level = self.u8() % 7;
        let (module, file, target) = (self.place(), self.place(), self.place());
        let line = self.u64() as u32;
        let msg = self.bytes();
        let n = usize::from(self.u8() % 16);
        let fields = (0..n).map(|_| (self.string(), self.value())).collect();
        LogCase {
            level,
            module,
            file,
            target,
            line,
            msg,
            fields,
            thread: self.string(),
            tid: self.u64(),
            ts_ns: self.u64(),
        }
    }
    pub(crate) fn callsite_case(&mut self) -> CallsiteCase {
        let callsite = usize::from(self.u8());
        let level = self.u8() % 7;
        let limit = usize::from(self.u8());
        let n = usize::from(self.u8() % 12);
        let values = (0..n)
            .map(|_| match self.u8() % 3 {
                0 => MacroValue::Plain(self.value()),
                1 => MacroValue::Str(self.string()),
                _ => MacroValue::Static(usize::from(self.u8())),
            })
            .collect();
        CallsiteCase {
            callsite,
            level,
            values,
            limit,
        }
    }
}

/// Fuzz entry points: one per target, each taking the raw input and
/// panicking on a finding.
pub mod fuzz {
    use super::*;

    /// A `log` record built from `data`: encode, decode, format.
    pub fn log_record(data: &[u8]) {
        check_log_case(&Bytes::new(data).log_case());
    }

    /// A macro record built from `data`: encode, decode, format.
    pub fn callsite_record(data: &[u8]) {
        check_callsite_case(&Bytes::new(data).callsite_case());
    }

    /// `data` itself through the decoders that dereference nothing.
    pub fn decoders(data: &[u8]) {
        check_arbitrary_bytes(data);
    }
}

// ---------------------------------------------------------------------
// Strategies and properties
// ---------------------------------------------------------------------

#[cfg(test)]
fn owned_value() -> impl Strategy<Value = OwnedValue> {
    prop_oneof![
        Just(OwnedValue::Null),
        any::<bool>().prop_map(OwnedValue::Bool),
        any::<u64>().prop_map(OwnedValue::U64),
        any::<i64>().prop_map(OwnedValue::I64),
        any::<u128>().prop_map(OwnedValue::U128),
        any::<i128>().prop_map(OwnedValue::I128),
        any::<f64>().prop_map(OwnedValue::F64),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-0.0)].prop_map(OwnedValue::F64),
        any::<char>().prop_map(OwnedValue::Char),
        proptest::collection::vec(any::<u8>(), 0..48).prop_map(OwnedValue::Str),
        any::<String>().prop_map(|s| OwnedValue::Str(s.into_bytes())),
    ]
}

#[cfg(test)]
fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        any::<usize>().prop_map(Place::Static),
        any::<String>().prop_map(Place::Inline),
        Just(Place::SameAsModule),
    ]
}

#[cfg(test)]
fn log_case() -> impl Strategy<Value = LogCase> {
    (
        0u8..7,
        (place(), place(), place()),
        any::<u32>(),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            any::<String>().prop_map(String::into_bytes),
        ],
        proptest::collection::vec((any::<String>(), owned_value()), 0..10),
        any::<String>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(level, (module, file, target), line, msg, fields, thread, tid, ts_ns)| LogCase {
                level,
                module,
                file,
                target,
                line,
                msg,
                fields,
                thread,
                tid,
                ts_ns,
            },
        )
}

#[cfg(test)]
fn macro_value() -> impl Strategy<Value = MacroValue> {
    prop_oneof![
        owned_value().prop_map(MacroValue::Plain),
        any::<String>().prop_map(MacroValue::Str),
        "[a-zé😀]{0,40}".prop_map(MacroValue::Str),
        any::<usize>().prop_map(MacroValue::Static),
    ]
}

#[cfg(test)]
fn callsite_case() -> impl Strategy<Value = CallsiteCase> {
    (
        any::<usize>(),
        0u8..7,
        proptest::collection::vec(macro_value(), 0..10),
        prop_oneof![Just(usize::MAX), 0usize..64],
    )
        .prop_map(|(callsite, level, values, limit)| CallsiteCase {
            callsite,
            level,
            values,
            limit,
        })
}

#[cfg(test)]
proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn log_records_round_trip_through_wire_decoder_and_formats(case in log_case()) {
        check_log_case(&case);
    }

    #[test]
    fn callsite_records_round_trip_with_cut_strings(case in callsite_case()) {
        check_callsite_case(&case);
    }

    #[test]
    fn values_round_trip(values in proptest::collection::vec(owned_value(), 0..32)) {
        let mut buf = Vec::new();
        for v in &values {
            wire::put_value(&mut buf, v.view());
        }
        let mut d = Decoder { rest: &buf };
        for v in &values {
            let got = d.value().expect("encoded value");
            prop_assert!(same_value(&got, v), "{:?} vs {:?}", got, v);
        }
        prop_assert!(d.rest.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_safe_decoders(
        data in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        check_arbitrary_bytes(&data);
    }

    #[test]
    fn arbitrary_bytes_build_valid_records(
        data in proptest::collection::vec(any::<u8>(), 0..1024)
    ) {
        fuzz::log_record(&data);
        fuzz::callsite_record(&data);
        fuzz::decoders(&data);
    }
}

/// Regression seeds: inputs worth keeping whatever the generators do.
#[test]
fn regression_seeds() {
    let seeds: &[&[u8]] = &[
        b"",
        &[0xff; 64],
        &[0; 64],
        // Invalid UTF-8, NUL and a huge length prefix.
        b"\x03\x01\xff\xfe\x00\x80\xff\xff\xff\xff\x01",
        // A key of 0xffff bytes claimed, three given.
        b"\x02\x00\x00\x00\x00\xff\xffabc",
    ];
    for s in seeds {
        fuzz::log_record(s);
        fuzz::callsite_record(s);
        fuzz::decoders(s);
    }
    // A key longer than the u16 prefix is cut on a char boundary.
    let key = "é".repeat(40_000);
    check_log_case(&LogCase {
        level: 3,
        module: Place::Static(1),
        file: Place::Inline("f.rs".into()),
        target: Place::SameAsModule,
        line: 1,
        msg: b"\0\xff".to_vec(),
        fields: vec![(key, OwnedValue::Str(b"v".to_vec()))],
        thread: "t".into(),
        tid: 1,
        ts_ns: 0,
    });
}
