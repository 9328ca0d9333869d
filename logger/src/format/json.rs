//! JSON lines: one compact object per record, keys in a fixed order.
//!
//! ```text
//! {"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"app::x",
//!  "service":"app","msg":"...","module":"app::x","file":"src/main.rs","line":42,
//!  "function":"app::x::f","thread":"main","tid":1234,"pid":99,"host":"box1",
//!  "correlation_id":"trade-12345","context":{"strategy":"mm1"},"fields":{"k":1,"s":"v"}}
//! ```
//! (one line in the file). `function` is present only when known,
//! `correlation_id` and `context` only when the thread has them set,
//! `fields` only when the record has any. Every string goes through serde_json's
//! escaping, and bytes that are not UTF-8 are written lossily (U+FFFD), so
//! every line is valid JSON whatever the record holds.

use super::Formatter;
use super::digits;
use super::float;
use super::fragments::{Entry, Site, SiteCache, same};
use super::json_timestamp::JsonTimestamp;
use super::planned_field::{PlannedKey, PlannedLine};
use super::planned_timestamp::{self, PlannedTimestamp};
use super::unique_keys::UniqueKeys;
use crate::json_options::JsonOptions;
use crate::view::{Field, RecordView, Value};

/// Lossy-conversion scratch kept between records up to this capacity.
const SCRATCH_KEEP_BYTES: usize = 1 << 20;

/// Formats records as JSON lines (see the module documentation for the
/// schema and key order).
///
/// The parts of a line that are the same for every record of a call site
/// on a thread are rendered once and copied (see `fragments`): the line
/// is byte for byte the one rendered from scratch.
pub struct JsonFormatter {
    ts: JsonTimestamp,
    /// The keys as the options name them, with their punctuation.
    keys: Keys,
    /// `,"pid":<pid>,"host":<host>` (as the options say), rendered once.
    pid_host: Vec<u8>,
    /// Reused buffer for the lossy conversion of invalid UTF-8.
    scratch: String,
    /// Renames a repeated key of `fields` (`dup`, `dup#2`).
    unique: UniqueKeys,
    /// What each call site on each thread renders to.
    sites: SiteCache,
    /// The `ts` key and the timestamp up to its fraction, per second,
    /// for planned lines.
    planned_ts: PlannedTimestamp,
}

impl JsonFormatter {
    /// A formatter writing `pid` and `host` into every record.
    pub fn new(pid: u32, host: &str) -> Self {
        Self::with_options(pid, host, &JsonOptions::default())
    }

    /// A formatter writing the keys `options` keeps, under the names it
    /// gives them (`options` checked by [`JsonOptions::check`]).
    pub fn with_options(pid: u32, host: &str, options: &JsonOptions) -> Self {
        let ts = JsonTimestamp::new(&options.timestamp, options.timestamp_zone);
        let keys = Keys::new(options, &ts);
        let mut pid_host = Vec::with_capacity(24 + host.len());
        if options.include_pid {
            pid_host.extend_from_slice(&keys.pid);
            pid_host.extend_from_slice(itoa::Buffer::new().format(pid).as_bytes());
        }
        if options.include_host {
            pid_host.extend_from_slice(&keys.host);
            write_str(&mut pid_host, host);
        }
        JsonFormatter {
            planned_ts: PlannedTimestamp::new(&ts, &keys.ts),
            ts,
            keys,
            pid_host,
            scratch: String::new(),
            unique: UniqueKeys::default(),
            sites: SiteCache::default(),
        }
    }
}

/// Writes `bytes` as a JSON string, lossily when not UTF-8.
#[inline(always)]
pub(super) fn write_bytes(scratch: &mut String, out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= 16 {
        if write_short_plain(out, bytes) {
            return;
        }
    } else if scan(bytes) == (false, false) {
        // ASCII needing no escape: valid UTF-8 and written as it is.
        write_quoted(out, bytes);
        return;
    }
    write_bytes_slow(scratch, out, bytes);
}

/// The strings that need more than quotes: escapes, non-ASCII, invalid
/// UTF-8.
#[cold]
fn write_bytes_slow(scratch: &mut String, out: &mut Vec<u8>, bytes: &[u8]) {
    let (escape, high) = scan(bytes);
    if !escape && !high {
        write_quoted(out, bytes);
        return;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) if !escape => write_quoted(out, s.as_bytes()),
        Ok(s) => write_escaped(out, s),
        Err(_) => write_lossy(scratch, out, bytes),
    }
}

/// Bytes JSON cannot take between quotes as they are: control characters,
/// `"` and the backslash; and bytes that are not ASCII (UTF-8 to check). Nonzero
/// for those.
const NOT_PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b < 0x20 || b == b'"' as usize || b == b'\\' as usize || b >= 0x80) as u8;
        b += 1;
    }
    t
};

/// Writes `bytes` (at most 16) between quotes when they are ASCII needing
/// no escape: one reservation and word copies. False (nothing written)
/// otherwise.
#[inline(always)]
fn write_short_plain(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    if !is_plain(bytes) {
        return false;
    }
    out.reserve(18);
    let len = out.len();
    // SAFETY: `reserve(18)` leaves room for the quotes and the `n <= 16`
    // bytes after `len`, every one of them written before `set_len`.
    unsafe {
        let n = write_short_plain_at(bytes, out.as_mut_ptr().add(len));
        out.set_len(len + n);
    }
    true
}

/// Whether `bytes` (at most 16) are ASCII needing no escape: from 4
/// bytes on, two overlapping words checked at once (see [`scan`]);
/// below, a loop over the bytes.
#[inline(always)]
pub(super) fn is_plain(bytes: &[u8]) -> bool {
    let n = bytes.len();
    debug_assert!(n <= 16);
    let p = bytes.as_ptr();
    // SAFETY: every read is within `bytes`: with 8 <= n <= 16 the words
    // at 0 and `n - 8`, with 4 <= n < 8 the half-words at 0 and `n - 4`.
    unsafe {
        if n >= 8 {
            let (a, b) = (
                p.cast::<u64>().read_unaligned(),
                p.add(n - 8).cast::<u64>().read_unaligned(),
            );
            plain_word(a) && plain_word(b)
        } else if n >= 4 {
            let a = u64::from(p.cast::<u32>().read_unaligned());
            let b = u64::from(p.add(n - 4).cast::<u32>().read_unaligned());
            plain_word(a | b << 32)
        } else {
            let mut not_plain = 0;
            for &b in bytes {
                not_plain |= NOT_PLAIN[b as usize];
            }
            not_plain == 0
        }
    }
}

/// Writes plain `bytes` (at most 16, see [`is_plain`]) between quotes at
/// `dst`; returns the number of bytes written.
///
/// # Safety
///
/// `dst .. dst + bytes.len() + 2` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn write_short_plain_at(bytes: &[u8], dst: *mut u8) -> usize {
    let n = bytes.len();
    debug_assert!(n <= 16);
    // SAFETY: `copy_short` writes exactly `[1, 1 + n)`; the quotes are at
    // 0 and `1 + n`: all within the caller's `n + 2` bytes.
    unsafe {
        *dst = b'"';
        crate::short_copy::copy_short(bytes, dst.add(1));
        *dst.add(1 + n) = b'"';
    }
    n + 2
}

/// The same as `String::from_utf8_lossy` (one U+FFFD per invalid
/// sequence), into a reused buffer rather than a new allocation.
#[cold]
fn write_lossy(scratch: &mut String, out: &mut Vec<u8>, bytes: &[u8]) {
    scratch.clear();
    for chunk in bytes.utf8_chunks() {
        scratch.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            scratch.push(char::REPLACEMENT_CHARACTER);
        }
    }
    write_str(out, scratch);
    if scratch.capacity() > SCRATCH_KEEP_BYTES {
        *scratch = String::new();
    }
}

#[inline(always)]
pub(super) fn write_value(scratch: &mut String, out: &mut Vec<u8>, value: &Value<'_>) {
    match *value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::U64(v) => digits::write_u64(out, v),
        Value::I64(v) => digits::write_i64(out, v),
        Value::U128(v) => put(out, itoa::Buffer::new().format(v).as_bytes()),
        Value::I128(v) => put(out, itoa::Buffer::new().format(v).as_bytes()),
        Value::F64(v) => {
            if v.is_finite() {
                float::write_finite(out, v);
            } else if v.is_nan() {
                out.extend_from_slice(b"\"NaN\"");
            } else if v > 0.0 {
                out.extend_from_slice(b"\"inf\"");
            } else {
                out.extend_from_slice(b"\"-inf\"");
            }
        }
        Value::Char(c) => write_str(out, c.encode_utf8(&mut [0; 4])),
        Value::Str(bytes) => write_bytes(scratch, out, bytes),
        // JSON text checked when decoded (an error's chain, a call's links).
        Value::Json(bytes) => out.extend_from_slice(bytes),
    }
}

/// Writes `open` and `fields` as an object's members, then `}`; nothing
/// when there are no fields. A repeated key is renamed (see
/// `unique_keys`), so the object never holds the same key twice. With
/// `keys`, what is written before each value (`open` and the key for the
/// first, `,` and the key for the others) is also kept there, one entry
/// per field.
fn write_object(
    unique: &mut UniqueKeys,
    scratch: &mut String,
    out: &mut Vec<u8>,
    open: &[u8],
    fields: &[Field<'_>],
    mut keys: Option<&mut Vec<Vec<u8>>>,
) {
    if fields.is_empty() {
        return;
    }
    let names = unique.names(fields);
    for (i, field) in fields.iter().enumerate() {
        let at = out.len();
        out.extend_from_slice(if i == 0 { open } else { b"," });
        let key = names.as_ref().map_or(field.key, |n| &n[i]);
        write_str(out, key);
        out.push(b':');
        if let Some(keys) = keys.as_deref_mut() {
            keys[i].extend_from_slice(&out[at..]);
        }
        write_value(scratch, out, &field.value);
    }
    out.push(b'}');
}

/// Each key as the options name it, with the punctuation around it
/// (`,"module":`); empty when the options leave the key out.
struct Keys {
    /// `{"ts":"` (`{"ts":` for a timestamp written as a number).
    ts: Vec<u8>,
    /// `Z","level":"` (the timestamp's fixed suffix first).
    level: Vec<u8>,
    /// `","kind":"`.
    kind: Vec<u8>,
    /// `","target":`.
    target: Vec<u8>,
    service: Vec<u8>,
    msg: Vec<u8>,
    module: Vec<u8>,
    file: Vec<u8>,
    line: Vec<u8>,
    function: Vec<u8>,
    thread: Vec<u8>,
    tid: Vec<u8>,
    pid: Vec<u8>,
    host: Vec<u8>,
    correlation_id: Vec<u8>,
    /// `,"context":{`.
    context: Vec<u8>,
    /// `,"fields":{`.
    fields: Vec<u8>,
}

impl Keys {
    fn new(o: &JsonOptions, ts: &JsonTimestamp) -> Keys {
        let key = |before: &[u8], key: &str, after: &[u8]| {
            let mut v = before.to_vec();
            if o.writes(key) {
                write_str(&mut v, o.name_of(key));
                v.extend_from_slice(after);
            } else {
                v.clear();
            }
            v
        };
        // The timestamp's fixed suffix (`Z"`) is constant: it goes with
        // the next key, into the head a call site renders once.
        let mut level_before = ts.fixed_suffix().unwrap_or_default().to_vec();
        level_before.push(b',');
        Keys {
            ts: key(b"{", "ts", if ts.opens_quote() { b":\"" } else { b":" }),
            level: key(&level_before, "level", b":\""),
            kind: key(b"\",", "kind", b":\""),
            target: key(b"\",", "target", b":"),
            service: key(b",", "service", b":"),
            msg: key(b",", "msg", b":"),
            module: key(b",", "module", b":"),
            file: key(b",", "file", b":"),
            line: key(b",", "line", b":"),
            function: key(b",", "function", b":"),
            thread: key(b",", "thread", b":"),
            tid: key(b",", "tid", b":"),
            pid: key(b",", "pid", b":"),
            host: key(b",", "host", b":"),
            correlation_id: key(b",", "correlation_id", b":"),
            context: key(b",", "context", b":{"),
            fields: key(b",", "fields", b":{"),
        }
    }
}

/// Writes `key` and `value` as a string, nothing when the key is left out.
#[inline]
fn keyed_str(out: &mut Vec<u8>, key: &[u8], value: &str) {
    if !key.is_empty() {
        out.extend_from_slice(key);
        write_str(out, value);
    }
}

/// The part of a line between the timestamp and the message.
fn render_head(k: &Keys, r: &RecordView<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(&k.level);
    out.extend_from_slice(r.level.as_str().as_bytes());
    out.extend_from_slice(&k.kind);
    out.extend_from_slice(r.kind.as_str().as_bytes());
    out.extend_from_slice(&k.target);
    write_str(out, r.target);
    keyed_str(out, &k.service, r.service);
    out.extend_from_slice(&k.msg);
}

/// The part of a line after the message up to the optional keys.
fn render_middle(k: &Keys, r: &RecordView<'_>, pid_host: &[u8], out: &mut Vec<u8>) {
    keyed_str(out, &k.module, r.module);
    keyed_str(out, &k.file, r.file);
    if !k.line.is_empty() {
        out.extend_from_slice(&k.line);
        out.extend_from_slice(itoa::Buffer::new().format(r.line).as_bytes());
    }
    if let Some(function) = r.function {
        keyed_str(out, &k.function, function);
    }
    keyed_str(out, &k.thread, r.thread);
    if !k.tid.is_empty() {
        out.extend_from_slice(&k.tid);
        out.extend_from_slice(itoa::Buffer::new().format(r.tid).as_bytes());
    }
    out.extend_from_slice(pid_host);
}

/// The entry of `site` for `r`, rendered anew when it is fresh or was
/// rendered for another service or thread name.
fn entry_for<'c>(
    sites: &'c mut SiteCache,
    keys: &Keys,
    site: Site,
    r: &RecordView<'_>,
    pid_host: &[u8],
) -> &'c mut Entry {
    let (e, fresh) = sites.entry(site, r.tid);
    if fresh
        || !same(e.service.as_bytes(), r.service.as_bytes())
        || !same(e.thread.as_bytes(), r.thread.as_bytes())
    {
        e.service = r.service.into();
        e.thread = r.thread.into();
        e.head.clear();
        render_head(keys, r, &mut e.head);
        e.middle.clear();
        render_middle(keys, r, pid_host, &mut e.middle);
        e.msg = Default::default();
        e.whole.clear();
        e.set_keys(&[]);
    }
    e
}

/// What the flusher's fast lane copies for a call site on a thread (see
/// `backend::fast_lane`): the line from the timestamp's digits to the
/// message (`head`) and from the message to the fields (`middle`); the
/// three in one piece (`whole`) when the site's message was kept
/// (`raw_msg`: as recorded); and per field the bytes written before its
/// value (`keys`) and the key as recorded (`raw_keys`, which the lane
/// compares with those of a `log` record).
pub(crate) struct PlannedParts {
    pub head: Box<[u8]>,
    pub middle: Box<[u8]>,
    pub whole: Option<KeptLine>,
    pub keys: Box<[PlannedKey]>,
    pub raw_keys: Box<[Box<[u8]>]>,
}

/// `head`, a kept message and `middle` in one piece (`line`), with the
/// message as recorded (`raw_msg`).
pub(crate) struct KeptLine {
    pub line: Box<[u8]>,
    pub raw_msg: Box<[u8]>,
}

impl JsonFormatter {
    /// The parts the last record of `site` on thread `tid` left in the
    /// cache, when they were rendered for the thread name `thread` and
    /// `n_fields` fields; `None` otherwise (the record was not formatted
    /// by this formatter).
    pub(crate) fn planned_parts(
        &self,
        site: &Site,
        tid: u64,
        thread: &str,
        n_fields: usize,
    ) -> Option<PlannedParts> {
        let e = self.sites.get(site, tid)?;
        let ready = !e.head.is_empty()
            && *e.thread == *thread
            && e.key_ends.len() == n_fields
            && e.keys.len() == n_fields
            && e.keys.iter().all(|k| !k.is_empty());
        if !ready {
            return None;
        }
        let whole = match &e.msg {
            super::fragments::MsgCache::Same { raw, .. } if !e.whole.is_empty() => Some(KeptLine {
                line: e.whole.as_slice().into(),
                raw_msg: raw.as_slice().into(),
            }),
            _ => None,
        };
        let starts = std::iter::once(0).chain(e.key_ends.iter().copied());
        Some(PlannedParts {
            head: e.head.as_slice().into(),
            middle: e.middle.as_slice().into(),
            whole,
            keys: PlannedKey::for_line(&e.keys),
            raw_keys: starts
                .zip(&e.key_ends)
                .map(|(start, &end)| e.key_bytes[start..end].into())
                .collect(),
        })
    }

    /// Appends `msg` as a JSON string (a planned line's message when it is
    /// not the kept one).
    #[inline]
    pub(crate) fn write_planned_message(&mut self, msg: &[u8], out: &mut Vec<u8>) {
        write_bytes(&mut self.scratch, out, msg);
    }

    /// Appends a planned line: the timestamp, `head` (`whole` alone, or
    /// `head`, the message and `middle` of [`PlannedParts`]), each of `keys`
    /// followed by the next value read from `fields` (the record's bytes
    /// at its first field), the fields' object closed, and the line's
    /// end: the same bytes as [`Formatter::format_at`] for the record.
    /// With `raw_keys` (a `log` record's, whose keys are in its bytes),
    /// each key read before a value must be the one there.
    ///
    /// # Errors
    ///
    /// [`Unwritten`], with part of the line written, when a value is
    /// malformed or a key is not the planned one.
    #[inline(always)]
    pub(crate) fn write_planned(
        &mut self,
        ts_ns: u64,
        head: &[&[u8]],
        keys: &[PlannedKey],
        raw_keys: Option<&[Box<[u8]>]>,
        mut fields: crate::wire::Decoder<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), Unwritten> {
        let JsonFormatter {
            ts,
            keys: k,
            scratch,
            planned_ts,
            ..
        } = self;
        let fraction = planned_ts.fraction(&k.ts, ts, ts_ns);
        let ts_room = match fraction {
            Some(_) => planned_timestamp::ROOM,
            None => {
                put(out, &k.ts);
                ts.write(ts_ns, out);
                0
            }
        };
        let head_len = match head {
            [whole] => whole.len(),
            parts => parts.iter().map(|p| p.len()).sum(),
        };
        let mut line = PlannedLine::new(ts_room + head_len, keys, scratch, out);
        let mut fits = true;
        if let Some(fraction) = fraction {
            // SAFETY: `write_at` writes at most `ROOM` bytes and returns
            // their number.
            fits = unsafe { line.put_with(ts_room, |p| planned_ts.write_at(fraction, p)) };
        }
        match head {
            // A kept line: one copy.
            [whole] => fits &= line.put(whole),
            parts => {
                for part in parts {
                    fits &= line.put(part);
                }
            }
        }
        if !fits {
            // Cannot happen: the room was reserved for all of it. The
            // record goes the generic way.
            return Err(Unwritten::Malformed);
        }
        if keys.is_empty() {
            line.finish_bare();
            return Ok(());
        }
        match raw_keys {
            // The keys are the plan's: one loop over them.
            None => {
                for key in keys {
                    fields
                        .value_into(&mut line.field(key))
                        .ok_or(Unwritten::Malformed)?;
                }
            }
            Some(_) => read_planned_fields(&mut fields, keys.len(), raw_keys, |i, d| {
                d.value_into(&mut line.field(keys.get(i)?))
            })?,
        }
        line.finish();
        Ok(())
    }
}

/// Reads a planned line's `n` fields from `fields` (a record's bytes at
/// its first field): with `raw_keys` (a `log` record's, whose keys are in
/// its bytes) the key before each value, which must be the planned one;
/// then the value, with `value(i, fields)`.
///
/// # Errors
///
/// [`Unwritten::KeysDiffer`] for a key other than the planned one,
/// [`Unwritten::Malformed`] when a key or a value (`value` returning
/// `None`) is malformed.
#[inline(always)]
pub(crate) fn read_planned_fields(
    fields: &mut crate::wire::Decoder<'_>,
    n: usize,
    raw_keys: Option<&[Box<[u8]>]>,
    mut value: impl FnMut(usize, &mut crate::wire::Decoder<'_>) -> Option<()>,
) -> Result<(), Unwritten> {
    for i in 0..n {
        if let Some(raw_keys) = raw_keys {
            let raw = fields.raw_key().ok_or(Unwritten::Malformed)?;
            if !raw_keys.get(i).is_some_and(|k| same(raw, k)) {
                return Err(Unwritten::KeysDiffer);
            }
        }
        value(i, fields).ok_or(Unwritten::Malformed)?;
    }
    Ok(())
}

/// Why [`JsonFormatter::write_planned`] did not write a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unwritten {
    /// A value or key in the record's bytes is malformed.
    Malformed,
    /// A key in the record is not the one its plan was made for.
    KeysDiffer,
}

impl Formatter for JsonFormatter {
    fn format(&mut self, record: &RecordView<'_>, out: &mut Vec<u8>) {
        self.format_at(None, record, out);
    }

    fn as_json(&mut self) -> Option<&mut JsonFormatter> {
        Some(self)
    }

    fn format_at(&mut self, site: Option<Site>, r: &RecordView<'_>, out: &mut Vec<u8>) {
        let JsonFormatter {
            ts,
            keys,
            pid_host,
            scratch,
            unique,
            sites,
            ..
        } = self;
        let mut entry = site.map(|s| (entry_for(sites, keys, s, r, pid_host), s));
        out.reserve(256 + r.msg.len());
        put(out, &keys.ts);
        ts.write(r.ts_ns, out);
        match entry.as_mut().map(|(e, _)| &mut **e) {
            Some(e) if !e.whole.is_empty() && e.msg.is(r.msg) => out.extend_from_slice(&e.whole),
            Some(e) => {
                let at = out.len();
                out.extend_from_slice(&e.head);
                e.msg
                    .write(r.msg, out, |out| write_bytes(scratch, out, r.msg));
                out.extend_from_slice(&e.middle);
                e.whole.clear();
                if e.msg.is(r.msg) {
                    e.whole.extend_from_slice(&out[at..]);
                }
            }
            None => {
                render_head(keys, r, out);
                write_bytes(scratch, out, r.msg);
                render_middle(keys, r, pid_host, out);
            }
        }
        if let Some(id) = &r.correlation {
            put(out, &keys.correlation_id);
            write_value(scratch, out, id);
        }
        if !keys.context.is_empty() && !r.context.is_empty() {
            write_object(unique, scratch, out, &keys.context, r.context, None);
        }
        match entry {
            Some((e, site)) if !r.fields.is_empty() && e.keys_match(&site, r.fields) => {
                for (key, field) in e.keys.iter().zip(r.fields) {
                    put(out, key);
                    write_value(scratch, out, &field.value);
                }
                out.push(b'}');
            }
            Some((e, _)) => {
                e.set_keys(r.fields);
                let open = &keys.fields;
                write_object(unique, scratch, out, open, r.fields, Some(&mut e.keys));
            }
            None => write_object(unique, scratch, out, &keys.fields, r.fields, None),
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Writes `s` as a JSON string (quoted, escaped by serde_json).
///
/// Most strings (names, paths, symbols, messages) need no escaping: a
/// branch-free scan finds those, and they are copied between quotes without
/// serde_json's per-fragment writer calls. Anything else goes through
/// serde_json.
#[inline]
pub(super) fn write_str(out: &mut Vec<u8>, s: &str) {
    if scan(s.as_bytes()).0 {
        write_escaped(out, s);
    } else {
        write_quoted(out, s.as_bytes());
    }
}

/// `bytes` between quotes, as they are.
#[inline]
fn write_quoted(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    put(out, bytes);
    out.push(b'"');
}

/// Appends `b`: up to 16 bytes (keys, numbers, symbols) with word copies
/// instead of a call to `memcpy`.
#[inline(always)]
fn put(out: &mut Vec<u8>, b: &[u8]) {
    let n = b.len();
    if n > 16 {
        out.extend_from_slice(b);
        return;
    }
    out.reserve(16);
    let len = out.len();
    // SAFETY: `reserve(16)` leaves at least 16 writable bytes after `len`,
    // and `copy_short` writes exactly `[len, len + n)`.
    unsafe {
        crate::short_copy::copy_short(b, out.as_mut_ptr().add(len));
        out.set_len(len + n);
    }
}

#[cold]
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    // Serializing a `str` into a `Vec<u8>` cannot fail: the only errors
    // serde_json reports here are I/O errors of the writer.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Whether JSON needs any byte of `bytes` escaped (`"`, `\\`, or a control
/// character below U+0020), and whether any is not ASCII.
///
/// Eight bytes at a time (SWAR): in a word `w`, a byte below `n` sets the
/// top bit of its byte in `(w - n*ONES) & !w & HIGH`, and a borrow that
/// crosses into a higher byte starts at such a byte, so the word's answer
/// is exact; a zero byte of `w ^ c*ONES` is a byte equal to `c`.
#[inline]
pub(super) fn scan(bytes: &[u8]) -> (bool, bool) {
    let (mut escape, mut high) = (0, 0);
    if bytes.len() >= 8 {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let (e, h) = word(u64::from_le_bytes(c.try_into().unwrap_or_default()));
            escape |= e;
            high |= h;
        }
        if !chunks.remainder().is_empty() {
            // The last eight bytes, some of them seen already.
            let last = &bytes[bytes.len() - 8..];
            let (e, h) = word(u64::from_le_bytes(last.try_into().unwrap_or_default()));
            escape |= e;
            high |= h;
        }
    } else {
        // Padded with `a`, which needs nothing.
        let mut w = u64::from_le_bytes([b'a'; 8]);
        for (i, &b) in bytes.iter().enumerate() {
            w = (w & !(0xff << (8 * i))) | (u64::from(b) << (8 * i));
        }
        (escape, high) = word(w);
    }
    (escape != 0, high != 0)
}

/// [`scan`] of one word: nonzero top bits where a byte needs escaping,
/// and where a byte is not ASCII.
#[inline(always)]
fn word(w: u64) -> (u64, u64) {
    use crate::swar::{HIGH, ONES, bytes_equal};
    // Bytes below 0x20 (and maybe bytes above the first such byte).
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let quote = bytes_equal(w, b'"');
    let backslash = bytes_equal(w, b'\\');
    (control | quote | backslash, w & HIGH)
}

/// Whether the eight bytes of `w` are ASCII needing no escape.
#[inline(always)]
fn plain_word(w: u64) -> bool {
    let (escape, high) = word(w);
    escape | high == 0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::level::Level;
    use crate::view::{Field, Kind};
    use proptest::prelude::*;

    const TS: u64 = 1_763_721_045_123_456_789;

    fn record<'a>(msg: &'a [u8], fields: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: TS,
            level: Level::Info,
            kind: Kind::Log,
            target: "app::x",
            service: "app",
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

    #[test]
    fn is_plain_agrees_with_the_table_for_every_byte_at_every_place() {
        for len in 1..=16 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    assert_eq!(is_plain(&s), NOT_PLAIN[b as usize] == 0, "{s:?}");
                }
            }
        }
        assert!(is_plain(b""));
    }

    fn line(f: &mut JsonFormatter, r: &RecordView<'_>) -> String {
        let mut out = Vec::new();
        f.format(r, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn fmt() -> JsonFormatter {
        JsonFormatter::new(99, "box1")
    }

    const HEAD: &str = r#"{"ts":"2025-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"app::x","service":"app","#;

    #[test]
    fn plain_log_record() {
        let got = line(&mut fmt(), &record(b"connected", &[]));
        let want = format!(
            "{HEAD}{}\n",
            r#""msg":"connected","module":"app::x","file":"src/main.rs","line":42,"thread":"main","tid":1234,"pid":99,"host":"box1"}"#
        );
        assert_eq!(got, want);
    }

    #[test]
    fn options_leave_out_and_rename_keys() {
        let options = JsonOptions {
            include_location: false,
            include_pid: false,
            include_service: false,
            ..Default::default()
        }
        .rename("ts", "timestamp")
        .rename("msg", "message")
        .rename("host", "host\"name");
        let fields = [Field {
            key: "k",
            value: Value::U64(1),
        }];
        let got = line(
            &mut JsonFormatter::with_options(99, "box1", &options),
            &record(b"connected", &fields),
        );
        let want = concat!(
            r#"{"timestamp":"2025-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","#,
            r#""target":"app::x","message":"connected","module":"app::x","thread":"main","#,
            r#""tid":1234,"host\"name":"box1","fields":{"k":1}}"#,
            "\n"
        );
        assert_eq!(got, want);
    }

    #[test]
    fn with_fields_and_function() {
        let fields = [
            Field {
                key: "k",
                value: Value::U64(1),
            },
            Field {
                key: "s",
                value: Value::Str(b"v"),
            },
        ];
        let mut r = record(b"...", &fields);
        r.function = Some("app::x::f");
        r.kind = Kind::Trade;
        r.level = Level::Warn;
        let got = line(&mut fmt(), &r);
        assert_eq!(
            got,
            "{\"ts\":\"2025-11-21T10:30:45.123456789Z\",\"level\":\"WARN\",\"kind\":\"trade\",\
             \"target\":\"app::x\",\"service\":\"app\",\"msg\":\"...\",\"module\":\"app::x\",\"file\":\"src/main.rs\",\
             \"line\":42,\"function\":\"app::x::f\",\"thread\":\"main\",\"tid\":1234,\"pid\":99,\
             \"host\":\"box1\",\"fields\":{\"k\":1,\"s\":\"v\"}}\n"
        );
    }

    #[test]
    fn correlation_and_context_come_after_host() {
        let fields = [Field {
            key: "qty",
            value: Value::U64(5),
        }];
        let context = [
            Field {
                key: "strategy",
                value: Value::Str(b"mm1"),
            },
            Field {
                key: "account",
                value: Value::U64(7),
            },
        ];
        let mut r = record(b"m", &fields);
        r.correlation = Some(Value::Str(b"trade-1\""));
        r.context = &context;
        let got = line(&mut fmt(), &r);
        assert!(
            got.ends_with(
                r#""host":"box1","correlation_id":"trade-1\"","context":{"strategy":"mm1","account":7},"fields":{"qty":5}}
"#
            ),
            "{got}"
        );
        let parsed: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(parsed["correlation_id"], "trade-1\"");
        r.correlation = Some(Value::U64(42));
        r.context = &[];
        let got = line(&mut fmt(), &r);
        assert!(got.contains(r#""correlation_id":42,"fields""#), "{got}");
    }

    #[test]
    fn levels_and_kinds() {
        let mut f = fmt();
        for (level, name) in [
            (Level::Critical, "CRITICAL"),
            (Level::Error, "ERROR"),
            (Level::Warn, "WARN"),
            (Level::Info, "INFO"),
            (Level::Debug, "DEBUG"),
            (Level::Trace, "TRACE"),
        ] {
            for kind in [Kind::Log, Kind::Trade, Kind::Perf] {
                let mut r = record(b"m", &[]);
                r.level = level;
                r.kind = kind;
                let got = line(&mut f, &r);
                let want = format!("\"level\":\"{name}\",\"kind\":\"{}\",", kind.as_str());
                assert!(got.contains(&want), "{got}");
            }
        }
    }

    /// The `fields` object of a record with one field holding `value`.
    fn one_field(value: Value<'_>) -> String {
        let fields = [Field { key: "v", value }];
        let got = line(&mut fmt(), &record(b"m", &fields));
        let start = got.find(",\"fields\":").expect("fields");
        got[start + 1..got.len() - 2].to_string()
    }

    #[test]
    fn every_value_variant() {
        assert_eq!(one_field(Value::Null), r#""fields":{"v":null}"#);
        assert_eq!(one_field(Value::Bool(true)), r#""fields":{"v":true}"#);
        assert_eq!(one_field(Value::Bool(false)), r#""fields":{"v":false}"#);
        assert_eq!(
            one_field(Value::U64(u64::MAX)),
            r#""fields":{"v":18446744073709551615}"#
        );
        assert_eq!(
            one_field(Value::I64(i64::MIN)),
            r#""fields":{"v":-9223372036854775808}"#
        );
        assert_eq!(
            one_field(Value::U128(u128::MAX)),
            r#""fields":{"v":340282366920938463463374607431768211455}"#
        );
        assert_eq!(
            one_field(Value::I128(i128::MIN)),
            r#""fields":{"v":-170141183460469231731687303715884105728}"#
        );
        assert_eq!(one_field(Value::F64(101.25)), r#""fields":{"v":101.25}"#);
        assert_eq!(one_field(Value::F64(1.0)), r#""fields":{"v":1.0}"#);
        assert_eq!(one_field(Value::F64(-0.0)), r#""fields":{"v":-0.0}"#);
        assert_eq!(one_field(Value::F64(1e300)), r#""fields":{"v":1e300}"#);
        assert_eq!(one_field(Value::Char('x')), r#""fields":{"v":"x"}"#);
        assert_eq!(one_field(Value::Char('"')), r#""fields":{"v":"\""}"#);
        assert_eq!(one_field(Value::Char('\0')), r#""fields":{"v":"\u0000"}"#);
        assert_eq!(
            one_field(Value::Str(b"BTC-USD")),
            r#""fields":{"v":"BTC-USD"}"#
        );
        assert_eq!(one_field(Value::Str(b"")), r#""fields":{"v":""}"#);
        assert_eq!(
            one_field(Value::Str(b"a\xffb")),
            "\"fields\":{\"v\":\"a\u{FFFD}b\"}"
        );
    }

    #[test]
    fn non_finite_floats_are_strings() {
        assert_eq!(one_field(Value::F64(f64::NAN)), r#""fields":{"v":"NaN"}"#);
        assert_eq!(
            one_field(Value::F64(f64::INFINITY)),
            r#""fields":{"v":"inf"}"#
        );
        assert_eq!(
            one_field(Value::F64(f64::NEG_INFINITY)),
            r#""fields":{"v":"-inf"}"#
        );
    }

    #[test]
    fn hostile_strings_are_escaped() {
        let fields = [Field {
            key: "k\"ey\\\n",
            value: Value::Str(b"\x00\x1f\"\\\r\n\t"),
        }];
        let mut r = record(b"q\"uo\\te\n\r\x00\x07 \xc3\x28 \xe2\x82", &fields);
        r.target = "t\"arget";
        r.file = "C:\\src\\main.rs";
        r.thread = "th\nread";
        r.function = Some("f\u{2028}");
        let got = line(&mut JsonFormatter::new(1, "h\"ost"), &r);
        assert_eq!(got.matches('\n').count(), 1);
        assert!(got.ends_with("}\n"));
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(v["msg"], "q\"uo\\te\n\r\u{0}\u{7} \u{FFFD}( \u{FFFD}");
        assert_eq!(v["target"], "t\"arget");
        assert_eq!(v["file"], "C:\\src\\main.rs");
        assert_eq!(v["thread"], "th\nread");
        assert_eq!(v["host"], "h\"ost");
        assert_eq!(v["function"], "f\u{2028}");
        assert_eq!(v["fields"]["k\"ey\\\n"], "\u{0}\u{1f}\"\\\r\n\t");
    }

    #[test]
    fn key_order_is_fixed() {
        let fields = [Field {
            key: "a",
            value: Value::Null,
        }];
        let mut r = record(b"m", &fields);
        r.function = Some("f");
        let got = line(&mut fmt(), &r);
        let keys = [
            "ts", "level", "kind", "target", "msg", "module", "file", "line", "function", "thread",
            "tid", "pid", "host", "fields",
        ];
        let mut at = 0;
        for k in keys {
            let pos = got[at..].find(&format!("\"{k}\":")).expect(k) + at;
            at = pos;
        }
    }

    #[test]
    fn two_megabyte_message() {
        let mut msg = vec![b'x'; 2 << 20];
        msg[1000] = b'"';
        msg[2000] = b'\n';
        msg[3000] = 0xff;
        let got = line(&mut fmt(), &record(&msg, &[]));
        let v: serde_json::Value = serde_json::from_str(&got).unwrap();
        assert_eq!(v["msg"].as_str().unwrap(), String::from_utf8_lossy(&msg));
        // The big scratch was released.
        let mut f = fmt();
        let _ = line(&mut f, &record(&msg, &[]));
        assert!(f.scratch.capacity() <= SCRATCH_KEEP_BYTES);
    }

    #[test]
    fn timestamp_crosses_second_and_day() {
        let mut f = fmt();
        let mut r = record(b"m", &[]);
        let ts = |r: &RecordView<'_>, f: &mut JsonFormatter| {
            let v: serde_json::Value = serde_json::from_str(&line(f, r)).unwrap();
            v["ts"].as_str().unwrap().to_string()
        };
        assert_eq!(ts(&r, &mut f), "2025-11-21T10:30:45.123456789Z");
        r.ts_ns = TS + 876_543_211;
        assert_eq!(ts(&r, &mut f), "2025-11-21T10:30:46.000000000Z");
        r.ts_ns = (1_763_683_200 + 86_399) * 1_000_000_000 + 999_999_999;
        assert_eq!(ts(&r, &mut f), "2025-11-21T23:59:59.999999999Z");
        r.ts_ns += 1;
        assert_eq!(ts(&r, &mut f), "2025-11-22T00:00:00.000000000Z");
    }

    /// Lines through the call-site cache are those rendered from scratch,
    /// whatever changes between records of a site: message, keys, thread
    /// name, service, correlation, context.
    #[test]
    fn cached_lines_equal_fresh_lines() {
        let keys_a = [
            Field {
                key: "qty",
                value: Value::U64(1),
            },
            Field {
                key: "px",
                value: Value::F64(187.5),
            },
        ];
        let keys_b = [
            Field {
                key: "qty",
                value: Value::I64(-3),
            },
            Field {
                key: "qty",
                value: Value::Str(b"dup\""),
            },
        ];
        let context = [Field {
            key: "strategy",
            value: Value::Str(b"mm1"),
        }];
        let mut cached = fmt();
        for i in 0..40u64 {
            let msg: &[u8] = match i % 5 {
                0 | 1 => b"same",
                2 => b"other \"quoted\"",
                3 => b"bad \xff utf-8",
                _ => b"",
            };
            let fields: &[Field<'_>] = match i % 3 {
                0 => &keys_a,
                1 => &keys_b,
                _ => &[],
            };
            let mut r = record(msg, fields);
            r.ts_ns = TS + i * 333_333_333;
            r.thread = if i % 7 == 0 { "other" } else { "main" };
            r.service = if i % 11 == 0 { "svc\"2" } else { "app" };
            r.tid = 1234 + i % 2;
            r.function = (i % 4 == 0).then_some("app::x::f");
            if i % 6 == 0 {
                r.correlation = Some(Value::U64(i));
                r.context = &context;
            }
            let site = Site::of(&r, &[]);
            assert!(site.is_some());
            let mut got = Vec::new();
            cached.format_at(site, &r, &mut got);
            let want = line(&mut fmt(), &r);
            assert_eq!(String::from_utf8(got).unwrap(), want, "record {i}");
        }
    }

    #[test]
    fn a_site_with_strings_in_the_record_is_not_cached() {
        let ring = b"app::x\0";
        let mut r = record(b"m", &[]);
        r.target = std::str::from_utf8(&ring[..6]).unwrap();
        assert_eq!(Site::of(&r, ring), None);
        r.target = "app::x";
        assert!(Site::of(&r, ring).is_some());
    }

    #[test]
    fn put_copies_every_length() {
        let src: Vec<u8> = (0..70u8).collect();
        for n in 0..=70 {
            for prefix in 0..3 {
                let mut out = vec![b'x'; prefix];
                put(&mut out, &src[..n]);
                assert_eq!(&out[..prefix], &vec![b'x'; prefix][..]);
                assert_eq!(&out[prefix..], &src[..n]);
            }
        }
    }

    /// Strings of every short length, plain or with a byte that needs an
    /// escape or is not ASCII at each position, are written as
    /// serde_json writes their lossy conversion.
    #[test]
    fn short_strings_match_serde_json() {
        for len in 0..=34usize {
            for pos in 0..len.max(1) {
                for b in [b'a', b'"', b'\\', b'\n', 0x00, 0x1f, 0x7f, 0xc3, 0xff] {
                    let mut s = vec![b'k'; len];
                    if len > 0 {
                        s[pos] = b;
                    }
                    let mut out = b"x".to_vec();
                    write_bytes(&mut String::new(), &mut out, &s);
                    let want = serde_json::to_string(&String::from_utf8_lossy(&s)).unwrap();
                    assert_eq!(&out[1..], want.as_bytes(), "{s:?}");
                }
            }
        }
    }

    /// The word-at-a-time scan agrees with a byte-by-byte one on every
    /// byte value at every position of strings of 0..=20 bytes.
    #[test]
    fn scan_agrees_with_bytewise() {
        let bytewise = |b: &[u8]| {
            (
                b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\'),
                b.iter().any(|&c| c >= 0x80),
            )
        };
        for len in 0..=20usize {
            for pos in 0..len.max(1) {
                for v in 0..=255u8 {
                    for fill in [b'a', b' ', b'~', b'!', 0x7f, 0x21, 0x5b, 0x5d] {
                        let mut s = vec![fill; len];
                        if len > 0 {
                            s[pos] = v;
                        }
                        assert_eq!(scan(&s), bytewise(&s), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn appends_to_existing_buffer() {
        let mut f = fmt();
        let mut out = Vec::new();
        f.format(&record(b"one", &[]), &mut out);
        f.format(&record(b"two", &[]), &mut out);
        let lines: Vec<_> = out.split(|&b| b == b'\n').collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].is_empty());
        for l in &lines[..2] {
            serde_json::from_slice::<serde_json::Value>(l).unwrap();
        }
    }

    pub(crate) use crate::wire_fuzz_tests::OwnedValue;

    pub(crate) fn any_value() -> impl Strategy<Value = OwnedValue> {
        prop_oneof![
            Just(OwnedValue::Null),
            any::<bool>().prop_map(OwnedValue::Bool),
            any::<u64>().prop_map(OwnedValue::U64),
            any::<i64>().prop_map(OwnedValue::I64),
            any::<u128>().prop_map(OwnedValue::U128),
            any::<i128>().prop_map(OwnedValue::I128),
            any::<f64>().prop_map(OwnedValue::F64),
            prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
                .prop_map(OwnedValue::F64),
            any::<char>().prop_map(OwnedValue::Char),
            proptest::collection::vec(any::<u8>(), 0..64).prop_map(OwnedValue::Str),
            any::<String>().prop_map(|s| OwnedValue::Str(s.into_bytes())),
        ]
    }

    fn check_value(line: &str, got: &serde_json::Value, want: &OwnedValue) {
        use serde_json::Value as J;
        match want {
            OwnedValue::Null => assert_eq!(got, &J::Null),
            OwnedValue::Bool(v) => assert_eq!(got, &J::Bool(*v)),
            OwnedValue::U64(v) => assert_eq!(got.as_u64(), Some(*v)),
            OwnedValue::I64(v) => assert_eq!(got.as_i64(), Some(*v)),
            OwnedValue::U128(v) => match u64::try_from(*v) {
                Ok(v) => assert_eq!(got.as_u64(), Some(v)),
                Err(_) => assert!(got.is_number()),
            },
            OwnedValue::I128(v) => match i64::try_from(*v) {
                Ok(v) => assert_eq!(got.as_i64(), Some(v)),
                Err(_) => assert!(got.is_number()),
            },
            OwnedValue::F64(v) if v.is_nan() => assert_eq!(got, "NaN"),
            OwnedValue::F64(v) if v.is_infinite() => {
                assert_eq!(got, if *v > 0.0 { "inf" } else { "-inf" })
            }
            OwnedValue::F64(v) => {
                // The digits are exactly ryu's (shortest round-trip)...
                let digits = ryu::Buffer::new().format_finite(*v).to_string();
                assert!(
                    line.contains(&format!(":{digits},")) || line.contains(&format!(":{digits}}}")),
                    "{digits} not in {line}"
                );
                // ...but serde_json's default parser (no `float_roundtrip`
                // feature) may land a few ULPs off.
                let g = got.as_f64().unwrap();
                let ulps = (g.to_bits() as i64 - v.to_bits() as i64).unsigned_abs();
                assert!(g == *v || ulps <= 4, "{g:e} vs {v:e}");
            }
            OwnedValue::Char(c) => assert_eq!(got.as_str(), Some(c.to_string().as_str())),
            OwnedValue::Str(b) => {
                assert_eq!(got.as_str(), Some(&*String::from_utf8_lossy(b)))
            }
        }
    }

    proptest! {
        #[test]
        fn every_line_is_valid_json(
            msg in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..256),
                any::<String>().prop_map(String::into_bytes),
            ],
            fields in proptest::collection::vec((any::<String>(), any_value()), 0..8),
            target in any::<String>(),
            thread in any::<String>(),
            function in proptest::option::of(any::<String>()),
            ts_ns in any::<u64>(),
            line_no in any::<u32>(),
            tid in any::<u64>(),
        ) {
            let views: Vec<Field<'_>> = fields
                .iter()
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            let mut r = record(&msg, &views);
            r.target = &target;
            r.thread = &thread;
            r.function = function.as_deref();
            r.ts_ns = ts_ns;
            r.line = line_no;
            r.tid = tid;
            let mut out = b"previous\n".to_vec();
            fmt().format(&r, &mut out);
            let out = &out[b"previous\n".len()..];
            prop_assert_eq!(out.last(), Some(&b'\n'));
            prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            let v: serde_json::Value = serde_json::from_slice(out).unwrap();
            let line = String::from_utf8(out.to_vec()).expect("always UTF-8");
            prop_assert_eq!(v["msg"].as_str().unwrap(), &*String::from_utf8_lossy(&msg));
            prop_assert_eq!(v["target"].as_str().unwrap(), target.as_str());
            prop_assert_eq!(v["thread"].as_str().unwrap(), thread.as_str());
            prop_assert_eq!(v["line"].as_u64(), Some(u64::from(line_no)));
            prop_assert_eq!(v["tid"].as_u64(), Some(tid));
            prop_assert_eq!(v.get("function").and_then(|f| f.as_str()), function.as_deref());
            prop_assert_eq!(v["ts"].as_str().unwrap().len(), "2025-11-21T10:30:45.123456789Z".len());
            if fields.is_empty() {
                prop_assert!(v.get("fields").is_none());
            } else {
                let obj = v["fields"].as_object().unwrap();
                // Repeated keys are renamed: every value is there.
                prop_assert_eq!(obj.len(), fields.len());
                let names = crate::format::unique_names(&views);
                for (name, (_, want)) in names.iter().zip(&fields) {
                    check_value(&line, &obj[name.as_str()], want);
                }
            }
        }
    }

    /// Options a planned line is checked under: every `include_*` switch,
    /// renamed keys and each timestamp format.
    fn any_options() -> impl Strategy<Value = JsonOptions> {
        use crate::json_options::{Strftime, TimestampFormat};
        (
            proptest::collection::vec(any::<bool>(), 9),
            0..5usize,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(on, ts, local, renamed)| {
                let timestamp = match ts {
                    0 => TimestampFormat::Rfc3339Nanos,
                    1 => TimestampFormat::Rfc3339Micros,
                    2 => TimestampFormat::Rfc3339Millis,
                    3 => TimestampFormat::EpochNanos,
                    _ => TimestampFormat::Strftime(Strftime::new("%Y-%m-%d %H:%M:%S%.3f %:z")),
                };
                let timestamp_zone = if local && ts != 3 {
                    crate::TimeZone::Local
                } else {
                    crate::TimeZone::Utc
                };
                let mut o = JsonOptions {
                    include_module: on[0],
                    include_function: on[1],
                    include_location: on[2],
                    include_thread: on[3],
                    include_tid: on[4],
                    include_pid: on[5],
                    include_host: on[6],
                    include_service: on[7],
                    include_context: on[8],
                    timestamp,
                    timestamp_zone,
                    ..Default::default()
                };
                if renamed {
                    o = o
                        .rename("ts", "time")
                        .rename("msg", "message \"m\"")
                        .rename("fields", "attrs")
                        .rename("level", "severity");
                }
                o.check().unwrap();
                o
            })
    }

    proptest! {
        /// The fast lane's line (`backend::fast_lane`: the parts a site's
        /// first record left, then each key and the value read from the
        /// record's bytes) is the line formatted from scratch, for a second
        /// record with the same keys and the same or another message.
        #[test]
        fn planned_line_is_the_formatted_line(
            options in any_options(),
            keys in proptest::collection::vec(
                prop_oneof![Just("a"), Just("dup"), Just("dup#2"), Just("q\"k"), Just("\u{e9}")],
                0..6,
            ),
            first in proptest::collection::vec(any_value(), 6),
            second in proptest::collection::vec(any_value(), 6),
            msg in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                any::<String>().prop_map(String::into_bytes),
            ],
            same_msg in any::<bool>(),
            other_msg in proptest::collection::vec(any::<u8>(), 0..300),
            thread in any::<String>(),
            function in proptest::option::of(Just("app::x::f")),
            ts in (any::<u64>(), any::<u64>()),
            log_keys in any::<bool>(),
        ) {
            // Years the civil conversion takes (to 2116).
            let ts = (ts.0 % (4 << 60), ts.1 % (4 << 60));
            let a: Vec<Field<'_>> = keys
                .iter()
                .zip(&first)
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            // The second record's keys are the first's (a call site's).
            let b: Vec<Field<'_>> = keys
                .iter()
                .zip(&second)
                .map(|(k, v)| Field { key: k, value: v.view() })
                .collect();
            let b_msg = if same_msg { msg.clone() } else { other_msg.clone() };
            let mut r_a = record(&msg, &a);
            r_a.thread = &thread;
            r_a.function = function;
            r_a.ts_ns = ts.0;
            let mut r_b = record(&b_msg, &b);
            r_b.thread = &thread;
            r_b.function = function;
            r_b.ts_ns = ts.1;

            let mut f = JsonFormatter::with_options(99, "box1", &options);
            let site = Site::of(&r_a, &[]).unwrap();
            let mut first_line = Vec::new();
            f.format_at(Some(site), &r_a, &mut first_line);
            let parts = f.planned_parts(&site, r_a.tid, &thread, a.len());
            prop_assert!(parts.is_some(), "no parts after {}", String::from_utf8_lossy(&first_line));
            let parts = parts.unwrap();

            // The lane's line for the second record, from its values as
            // a macro call site records them, or with each key before its
            // value as a `log` record has them.
            let mut wire_fields = Vec::new();
            for field in &b {
                if log_keys {
                    wire_fields.extend_from_slice(&(field.key.len() as u16).to_ne_bytes());
                    wire_fields.extend_from_slice(field.key.as_bytes());
                }
                crate::wire::put_value(&mut wire_fields, field.value);
            }
            let d = crate::wire::Decoder { rest: &wire_fields };
            let mut rendered = Vec::new();
            let head: &[&[u8]] = match &parts.whole {
                Some(kept) if *kept.raw_msg == *b_msg => &[&kept.line],
                _ => {
                    f.write_planned_message(&b_msg, &mut rendered);
                    &[&parts.head, &rendered, &parts.middle]
                }
            };
            let raw_keys = log_keys.then_some(&*parts.raw_keys);
            let mut got = Vec::new();
            prop_assert_eq!(f.write_planned(ts.1, head, &parts.keys, raw_keys, d, &mut got), Ok(()));

            let mut want = Vec::new();
            JsonFormatter::with_options(99, "box1", &options).format(&r_b, &mut want);
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }
}
