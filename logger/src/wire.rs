//! The byte layout of a record in a thread's ring: the only file that knows it.
//!
//! ```text
//! offset  size  field
//!      0     4  total length in bytes, header included, a multiple of 8
//!      4     1  tag: PAD, LOG or CALLSITE
//!      5     1  level (`crate::Level as u8`: 0 = Critical, 1 = Error .. 5 = Trace)
//!      6     2  reserved (0)
//!      8     8  raw timestamp (TSC ticks, or ns in system-clock mode)
//!     16     -  payload, by tag
//! ```
//!
//! A record never wraps around the end of the ring: when the tail is too
//! short, the producer fills it with a `PAD` record and starts at offset 0,
//! so the flusher decodes every record from one contiguous slice in place.
//!
//! `LOG` payload (a record from the `log` facade):
//! `str module, str file, target, u32 line, u32 msg_len, msg bytes,
//! u16 field count, fields`, where `str` is a [`StrRef`] (a `&'static str`
//! as pointer and length, or inline bytes) and `target` is a `StrRef` or the
//! marker "same as module". A field is `u16 key_len, key bytes, value`.
//!
//! `CALLSITE` payload (a record from the macros): the address of the
//! call site's `static` descriptor, then its argument values.
//!
//! `CONTEXT` payload (a thread's correlation id or bound key-values
//! changing; never written to a file): `u32 depth, u8 op`, then for a push
//! `u16 field count, fields` (fields as in `LOG`). A push makes the thread's
//! context stack `depth` frames deep, its own frame on top; a pop cuts it
//! to `depth` frames. See [`crate::backend::context_stack`].
//!
//! A value is one tag byte and its bytes: see [`put_value`]. Macro call
//! sites also write [`LogValue::StaticStr`] values as the tag
//! `V_STATIC_STR` and the string's address and length (16 bytes), read back
//! as a string: see [`put_log_values`].

use crate::callsite::Callsite;
use crate::frontend::log_adapter::PlainSite;
use crate::loggable::LogValue;
use crate::short_copy::push_headed;
use crate::view::Value;

/// Length of the record header.
pub(crate) const HEADER: usize = 16;
/// Records and the ring are aligned to this many bytes.
pub(crate) const ALIGN: usize = 8;

/// Tag of a padding record that fills the ring's tail.
pub(crate) const TAG_PAD: u8 = 0;
/// Tag of a record from the `log` facade.
pub(crate) const TAG_LOG: u8 = 1;
/// Tag of a record from a macro call site.
pub(crate) const TAG_CALLSITE: u8 = 2;
/// Tag of a context frame (see [`put_context_push`]).
pub(crate) const TAG_CONTEXT: u8 = 3;

const CTX_POP: u8 = 0;
const CTX_PUSH: u8 = 1;
/// Payload length of a context pop.
pub(crate) const CONTEXT_POP_LEN: usize = 5;
/// Bytes of a context push before its fields: depth, op, count.
const CONTEXT_PUSH_HEAD: usize = 7;
/// A context key is cut to this many bytes.
pub(crate) const CONTEXT_KEY_LIMIT: usize = 64;
/// A context string value is cut to this many bytes (and marked).
pub(crate) const CONTEXT_STR_LIMIT: usize = 256;
/// The encoded fields of one context frame never exceed this: with the
/// head, a push fits the smallest ring's largest record. Fields past it
/// are left out.
pub(crate) const CONTEXT_FIELDS_MAX: usize =
    crate::config::MIN_RING_BYTES / 2 - HEADER - CONTEXT_PUSH_HEAD;

const STR_STATIC: u8 = 0;
const STR_INLINE: u8 = 1;
const STR_SAME_AS_MODULE: u8 = 2;

const V_NULL: u8 = 0;
const V_BOOL: u8 = 1;
const V_U64: u8 = 2;
const V_I64: u8 = 3;
const V_U128: u8 = 4;
const V_I128: u8 = 5;
const V_F64: u8 = 6;
const V_CHAR: u8 = 7;
const V_STR: u8 = 8;
/// A `&'static str` as its address and length (`u64` each): written only
/// from a [`LogValue::StaticStr`], so the flusher may read the bytes.
const V_STATIC_STR: u8 = 9;
/// A JSON text the logger rendered (an error chain): `u32` length and
/// bytes, like `V_STR`, read back as [`Value::Json`].
const V_JSON: u8 = 10;

/// Appended to a macro string value cut to fit the ring.
pub(crate) const TRUNCATED: &str = "…[truncated]";

/// The tag of a record whose header starts `record` (`None` when too short).
#[inline(always)]
pub(crate) fn tag_of(record: &[u8]) -> Option<u8> {
    record.get(4).copied()
}

/// Rounds a record length up to [`ALIGN`].
#[inline(always)]
pub(crate) const fn aligned(len: usize) -> usize {
    (len + ALIGN - 1) & !(ALIGN - 1)
}

/// Writes a record header at the start of `dst` (at least [`HEADER`] bytes).
#[inline(always)]
pub(crate) fn put_header(dst: &mut [u8], len: usize, tag: u8, level: u8, ts: u64) {
    dst[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
    dst[4] = tag;
    dst[5] = level;
    dst[6] = 0;
    dst[7] = 0;
    dst[8..16].copy_from_slice(&ts.to_ne_bytes());
}

/// A decoded record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub len: usize,
    pub tag: u8,
    pub level: u8,
    pub ts: u64,
}

/// Reads the header at the start of `src`, or `None` when it is malformed
/// (shorter than a header, or a length that is unaligned or too long).
#[inline]
pub(crate) fn get_header(src: &[u8]) -> Option<Header> {
    if src.len() < 8 {
        return None;
    }
    let len = u32::from_ne_bytes(src[0..4].try_into().ok()?) as usize;
    let tag = src[4];
    if len < 8 || len % ALIGN != 0 || len > src.len() {
        return None;
    }
    if tag == TAG_PAD {
        return Some(Header {
            len,
            tag,
            level: 0,
            ts: 0,
        });
    }
    if len < HEADER {
        return None;
    }
    Some(Header {
        len,
        tag,
        level: src[5],
        ts: u64::from_ne_bytes(src[8..16].try_into().ok()?),
    })
}

/// Writes the call-site address that starts a `CALLSITE` payload (8 bytes).
#[inline(always)]
pub(crate) fn put_callsite(dst: &mut [u8], callsite: &'static Callsite) {
    dst[0..8].copy_from_slice(&(callsite as *const Callsite as usize as u64).to_ne_bytes());
}

/// Writes a padding record over all of `dst` (a multiple of 8, at least 8).
#[inline]
pub(crate) fn put_pad(dst: &mut [u8]) {
    let len = dst.len() as u32;
    dst[0..4].copy_from_slice(&len.to_ne_bytes());
    dst[4] = TAG_PAD;
}

/// A string as the encoder sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StrRef<'a> {
    /// Lives for the whole program: only its address is copied.
    Static(&'static str),
    /// Copied into the record.
    Inline(&'a str),
    /// The target equals the module path (the `log` default).
    SameAsModule,
}

/// Where the message's `u32` length sits in a `LOG` payload written by
/// [`put_log_head`]; the message's bytes follow it, then the `u16` field
/// count.
pub(crate) const LOG_MSG_LEN_AT: usize = (1 + 16) + (1 + 16) + 1 + 4;

/// Length of the `LOG` payload written by [`put_log_static`].
#[inline(always)]
pub(crate) const fn log_static_len(msg_len: usize) -> usize {
    LOG_MSG_LEN_AT + 4 + msg_len + 2
}

/// Writes the part of a `LOG` payload before the message (the first
/// [`LOG_MSG_LEN_AT`] bytes of `dst`) for a record from a [`PlainSite`]:
/// exactly the bytes the [`Encoder`] would produce for it (checked by a
/// test).
#[inline(always)]
pub(crate) fn put_log_head(dst: &mut [u8], site: PlainSite) {
    let PlainSite { module, file, line } = site;
    let static_ref = |dst: &mut [u8], s: &'static str| {
        dst[0] = STR_STATIC;
        dst[1..9].copy_from_slice(&(s.as_ptr() as usize as u64).to_ne_bytes());
        dst[9..17].copy_from_slice(&(s.len() as u64).to_ne_bytes());
    };
    static_ref(&mut dst[0..17], module);
    static_ref(&mut dst[17..34], file);
    dst[34] = STR_SAME_AS_MODULE;
    dst[35..39].copy_from_slice(&line.to_ne_bytes());
}

/// Ends a `LOG` payload whose head [`put_log_head`] wrote and whose
/// message is the `msg_len` bytes after [`LOG_MSG_LEN_AT`]` + 4`: the
/// message's length, and a field count of 0. Returns the payload's length.
#[inline(always)]
pub(crate) fn end_log_no_fields(dst: &mut [u8], msg_len: usize) -> usize {
    let at = LOG_MSG_LEN_AT;
    dst[at..at + 4].copy_from_slice(&(msg_len as u32).to_ne_bytes());
    let end = at + 4 + msg_len;
    dst[end..end + 2].copy_from_slice(&0u16.to_ne_bytes());
    end + 2
}

/// Writes, straight into a ring slot, the `LOG` payload of a record from
/// a [`PlainSite`] whose message needs no formatting: exactly the
/// bytes the [`Encoder`] would produce (checked by a test), without the
/// scratch buffer. `dst` is [`log_static_len`] bytes.
#[inline(always)]
pub(crate) fn put_log_static(dst: &mut [u8], site: PlainSite, msg: &str) {
    put_log_head(dst, site);
    let at = LOG_MSG_LEN_AT + 4;
    dst[at..at + msg.len()].copy_from_slice(msg.as_bytes());
    end_log_no_fields(dst, msg.len());
}

/// Appends encoded bytes to a growable scratch buffer (the `log` path,
/// which must run user `Display` code before it knows the length).
pub(crate) struct Encoder<'b> {
    pub buf: &'b mut Vec<u8>,
}

impl Encoder<'_> {
    #[inline]
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    #[inline]
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_ne_bytes());
    }
    #[inline]
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_ne_bytes());
    }

    /// A string reference (see [`StrRef`]).
    #[inline(always)]
    pub fn str_ref(&mut self, s: StrRef<'_>) {
        match s {
            StrRef::Static(s) => {
                // One append (one capacity check) for the tag and both words.
                let mut r = [0u8; 17];
                r[0] = STR_STATIC;
                r[1..9].copy_from_slice(&(s.as_ptr() as usize as u64).to_ne_bytes());
                r[9..].copy_from_slice(&(s.len() as u64).to_ne_bytes());
                self.buf.extend_from_slice(&r);
            }
            StrRef::Inline(s) => {
                self.u8(STR_INLINE);
                self.bytes32(s.as_bytes());
            }
            StrRef::SameAsModule => self.u8(STR_SAME_AS_MODULE),
        }
    }

    /// Bytes prefixed with a `u32` length (cut at `u32::MAX`).
    pub fn bytes32(&mut self, b: &[u8]) {
        let b = &b[..b.len().min(u32::MAX as usize)];
        self.u32(b.len() as u32);
        self.buf.extend_from_slice(b);
    }

    /// A key: bytes prefixed with a `u16` length. A key longer than
    /// `u16::MAX` bytes is cut on a char boundary and ends in
    /// [`TRUNCATED`] (the whole fits the prefix); returns true then.
    pub fn key(&mut self, k: &str) -> bool {
        let (k, cut) = cut_key(k);
        if !cut {
            push_headed(self.buf, (k.len() as u16).to_ne_bytes(), k.as_bytes());
            return false;
        }
        self.u16((k.len() + TRUNCATED.len()) as u16);
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(TRUNCATED.as_bytes());
        true
    }
}

/// The part of key `k` that is kept: all of it when it fits a `u16`
/// length, else its longest prefix (on a char boundary) that still fits
/// with [`TRUNCATED`] after it, and true.
pub(crate) fn cut_key(k: &str) -> (&str, bool) {
    if k.len() <= u16::MAX as usize {
        return (k, false);
    }
    cut_str(k, u16::MAX as usize - TRUNCATED.len())
}

/// Appends one typed value: a tag byte, then `bool` as one byte, integers
/// and floats in native byte order (8 or 16 bytes), `char` as 4 bytes, a
/// string as `u32` length and bytes.
#[inline(always)]
pub(crate) fn put_value(buf: &mut Vec<u8>, v: Value<'_>) {
    match v {
        Value::Null => buf.push(V_NULL),
        Value::Bool(b) => buf.extend_from_slice(&[V_BOOL, b as u8]),
        Value::U64(x) => push_headed(buf, [V_U64], &x.to_ne_bytes()),
        Value::I64(x) => push_headed(buf, [V_I64], &x.to_ne_bytes()),
        Value::U128(x) => {
            buf.push(V_U128);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::I128(x) => {
            buf.push(V_I128);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::F64(x) => push_headed(buf, [V_F64], &x.to_ne_bytes()),
        Value::Char(c) => {
            buf.push(V_CHAR);
            buf.extend_from_slice(&(c as u32).to_ne_bytes());
        }
        Value::Str(s) => {
            let s = &s[..s.len().min(u32::MAX as usize)];
            let [a, b, c, d] = (s.len() as u32).to_ne_bytes();
            push_headed(buf, [V_STR, a, b, c, d], s);
        }
        Value::Json(s) => {
            let s = &s[..s.len().min(u32::MAX as usize)];
            buf.push(V_JSON);
            buf.extend_from_slice(&(s.len() as u32).to_ne_bytes());
            buf.extend_from_slice(s);
        }
    }
}

/// Appends a rendered JSON value, or, when it is longer than `limit`, the
/// same text as a string cut to `limit` bytes and marked (a cut JSON text
/// would not parse).
pub(crate) fn put_json_value(buf: &mut Vec<u8>, json: &str, limit: usize) {
    if json.len() <= limit {
        return put_value(buf, Value::Json(json.as_bytes()));
    }
    let at = begin_str_value(buf);
    buf.extend_from_slice(json.as_bytes());
    end_bytes32(buf, at, limit, TRUNCATED);
}

/// Starts a `u32`-length-prefixed string whose bytes the caller appends
/// next (e.g. by formatting); returns where to patch the length with
/// [`end_bytes32`].
pub(crate) fn begin_bytes32(buf: &mut Vec<u8>) -> usize {
    let at = buf.len();
    buf.extend_from_slice(&0u32.to_ne_bytes());
    at
}

/// Starts a string *value* (tag and length) whose bytes follow; finish
/// with [`end_bytes32`].
pub(crate) fn begin_str_value(buf: &mut Vec<u8>) -> usize {
    buf.push(V_STR);
    begin_bytes32(buf)
}

/// Patches the length written by [`begin_bytes32`], first cutting the
/// bytes after it to at most `limit` (on a char boundary) followed by
/// `marker`.
pub(crate) fn end_bytes32(buf: &mut Vec<u8>, at: usize, limit: usize, marker: &str) {
    let start = at + 4;
    if buf.len() - start > limit {
        let mut end = start + limit;
        // Back up to a char boundary (continuation bytes are 0b10xx_xxxx).
        while end > start && (buf[end] & 0xC0) == 0x80 {
            end -= 1;
        }
        buf.truncate(end);
        buf.extend_from_slice(marker.as_bytes());
    }
    let len = (buf.len() - start).min(u32::MAX as usize) as u32;
    buf[at..start].copy_from_slice(&len.to_ne_bytes());
}

/// Cuts `s` to at most `limit` bytes on a char boundary; true when cut.
#[inline(always)]
fn cut_str(s: &str, limit: usize) -> (&str, bool) {
    if s.len() <= limit {
        return (s, false);
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    (&s[..end], true)
}

/// Encoded length of a macro value (tag included) when strings are cut to
/// `limit` bytes (plus the [`TRUNCATED`] marker when cut).
#[inline(always)]
pub(crate) fn log_value_len(v: &LogValue<'_>, limit: usize) -> usize {
    match *v {
        LogValue::Null => 1,
        LogValue::Bool(_) => 2,
        LogValue::U64(_) | LogValue::I64(_) | LogValue::F64(_) => 9,
        LogValue::U128(_) | LogValue::I128(_) => 17,
        LogValue::Char(_) => 5,
        LogValue::Str(s) => match cut_str(s, limit) {
            (s, false) => 5 + s.len(),
            (s, true) => 5 + s.len() + TRUNCATED.len(),
        },
        LogValue::StaticStr(_) => 17,
        LogValue::Json(j) => match cut_str(j.as_str(), limit) {
            (s, false) => 5 + s.len(),
            (s, true) => 5 + s.len() + TRUNCATED.len(),
        },
    }
}

/// Writes one macro value at `dst`, and returns its length.
///
/// # Safety
///
/// `dst` must be valid for writes of [`log_value_len`]`(v, limit)` bytes.
#[inline(always)]
pub(crate) unsafe fn write_log_value(dst: *mut u8, v: &LogValue<'_>, limit: usize) -> usize {
    use std::ptr::{copy_nonoverlapping, write_unaligned};
    // SAFETY: each write below stays within the `log_value_len(v, limit)`
    // bytes the caller guarantees: one tag byte, then the payload of
    // exactly that variant's size (a string's cut length plus the marker
    // when cut); the string copies do not overlap `dst`, which the caller
    // owns exclusively.
    unsafe {
        match *v {
            LogValue::Null => {
                *dst = V_NULL;
                1
            }
            LogValue::Bool(b) => {
                *dst = V_BOOL;
                *dst.add(1) = b as u8;
                2
            }
            LogValue::U64(x) => {
                *dst = V_U64;
                write_unaligned(dst.add(1).cast::<u64>(), x);
                9
            }
            LogValue::I64(x) => {
                *dst = V_I64;
                write_unaligned(dst.add(1).cast::<i64>(), x);
                9
            }
            LogValue::F64(x) => {
                *dst = V_F64;
                write_unaligned(dst.add(1).cast::<u64>(), x.to_bits());
                9
            }
            LogValue::U128(x) => {
                *dst = V_U128;
                write_unaligned(dst.add(1).cast::<u128>(), x);
                17
            }
            LogValue::I128(x) => {
                *dst = V_I128;
                write_unaligned(dst.add(1).cast::<i128>(), x);
                17
            }
            LogValue::Char(c) => {
                *dst = V_CHAR;
                write_unaligned(dst.add(1).cast::<u32>(), c as u32);
                5
            }
            LogValue::Str(s) => {
                let (cut, truncated) = cut_str(s, limit);
                let marker = if truncated { TRUNCATED.len() } else { 0 };
                *dst = V_STR;
                write_unaligned(dst.add(1).cast::<u32>(), (cut.len() + marker) as u32);
                copy_nonoverlapping(cut.as_ptr(), dst.add(5), cut.len());
                if truncated {
                    copy_nonoverlapping(TRUNCATED.as_ptr(), dst.add(5 + cut.len()), marker);
                }
                5 + cut.len() + marker
            }
            LogValue::Json(j) => {
                // Whole, it stays JSON; cut, it becomes a marked string.
                let (cut, truncated) = cut_str(j.as_str(), limit);
                let marker = if truncated { TRUNCATED.len() } else { 0 };
                *dst = if truncated { V_STR } else { V_JSON };
                write_unaligned(dst.add(1).cast::<u32>(), (cut.len() + marker) as u32);
                copy_nonoverlapping(cut.as_ptr(), dst.add(5), cut.len());
                if truncated {
                    copy_nonoverlapping(TRUNCATED.as_ptr(), dst.add(5 + cut.len()), marker);
                }
                5 + cut.len() + marker
            }
            LogValue::StaticStr(s) => {
                *dst = V_STATIC_STR;
                write_unaligned(dst.add(1).cast::<u64>(), s.as_ptr() as usize as u64);
                write_unaligned(dst.add(9).cast::<u64>(), s.len() as u64);
                17
            }
        }
    }
}

/// Payload length of a `CALLSITE` record holding `groups` of values, each
/// string cut to `limit` bytes.
#[inline(always)]
pub(crate) fn callsite_payload_len(groups: &[&[LogValue<'_>]], limit: usize) -> usize {
    let mut len = 8;
    for group in groups {
        for v in *group {
            len += log_value_len(v, limit);
        }
    }
    len
}

/// Writes a whole `CALLSITE` payload into `dst` (sized with
/// [`callsite_payload_len`] and the same `limit`): the call-site address,
/// then every value of every group, in order.
///
/// A value is written whole or not at all; should `dst` be too short,
/// the rest of it is zero-filled (`V_NULL` values), so the flusher never
/// reads a partial value or stale ring bytes.
#[inline(always)]
pub(crate) fn put_log_values(
    dst: &mut [u8],
    callsite: &'static Callsite,
    groups: &[&[LogValue<'_>]],
    limit: usize,
) {
    let Some((head, mut rest)) = dst.split_at_mut_checked(8) else {
        dst.fill(0);
        return;
    };
    put_callsite(head, callsite);
    for group in groups {
        for v in *group {
            let n = log_value_len(v, limit);
            if n > rest.len() {
                rest.fill(0);
                return;
            }
            let (value, tail) = std::mem::take(&mut rest).split_at_mut(n);
            // SAFETY: `value` is exactly `log_value_len(v, limit)` bytes.
            unsafe { write_log_value(value.as_mut_ptr(), v, limit) };
            rest = tail;
        }
    }
    debug_assert!(rest.is_empty(), "payload longer than its values");
    rest.fill(0);
}

/// Encoded length of one context field: its key (cut to
/// [`CONTEXT_KEY_LIMIT`]) and value (strings cut to [`CONTEXT_STR_LIMIT`]).
#[inline]
pub(crate) fn context_field_len(key: &str, v: &LogValue<'_>) -> usize {
    2 + cut_str(key, CONTEXT_KEY_LIMIT).0.len() + log_value_len(v, CONTEXT_STR_LIMIT)
}

/// Writes one context field (see [`context_field_len`]) at the start of
/// `dst` and returns its length; `dst` must hold at least that many bytes.
pub(crate) fn write_context_field(dst: &mut [u8], key: &str, v: &LogValue<'_>) -> usize {
    let key = cut_str(key, CONTEXT_KEY_LIMIT).0;
    let n = log_value_len(v, CONTEXT_STR_LIMIT);
    let end = 2 + key.len() + n;
    let dst = &mut dst[..end];
    dst[0..2].copy_from_slice(&(key.len() as u16).to_ne_bytes());
    dst[2..2 + key.len()].copy_from_slice(key.as_bytes());
    // SAFETY: `dst[2 + key.len()..]` is exactly `n` bytes, as
    // `write_log_value` needs for `v` with this limit.
    unsafe { write_log_value(dst[2 + key.len()..].as_mut_ptr(), v, CONTEXT_STR_LIMIT) };
    end
}

/// Appends one context field (see [`context_field_len`]) to `buf`.
pub(crate) fn put_context_field(buf: &mut Vec<u8>, key: &str, v: &LogValue<'_>) {
    let at = buf.len();
    buf.resize(at + context_field_len(key, v), 0);
    write_context_field(&mut buf[at..], key, v);
}

/// How many of `fields` a frame holds, and their encoded length: every
/// field up to [`CONTEXT_FIELDS_MAX`] bytes (and at most `u16::MAX`).
#[inline]
pub(crate) fn context_fields_fit(fields: &[(&str, LogValue<'_>)]) -> (usize, usize) {
    let mut len = 0;
    for (i, (k, v)) in fields.iter().enumerate() {
        let n = context_field_len(k, v);
        if len + n > CONTEXT_FIELDS_MAX || i == usize::from(u16::MAX) {
            return (i, len);
        }
        len += n;
    }
    (fields.len(), len)
}

/// Payload length of a context push of `fields_len` encoded field bytes.
#[inline]
pub(crate) const fn context_push_len(fields_len: usize) -> usize {
    CONTEXT_PUSH_HEAD + fields_len
}

/// Writes the head of a context push of `count` fields into `dst` (a
/// [`context_push_len`] slot); returns where the fields start.
pub(crate) fn put_context_push_head(dst: &mut [u8], depth: u32, count: u16) -> usize {
    dst[0..4].copy_from_slice(&depth.to_ne_bytes());
    dst[4] = CTX_PUSH;
    dst[5..7].copy_from_slice(&count.to_ne_bytes());
    CONTEXT_PUSH_HEAD
}

/// Sets the depth of a context push written by [`put_context_push_head`]
/// (`dst` starts at the payload).
#[cfg(feature = "tracing")]
#[inline(always)]
pub(crate) fn patch_context_depth(dst: &mut [u8], depth: u32) {
    dst[0..4].copy_from_slice(&depth.to_ne_bytes());
}

/// The correlation-id key as [`write_context_field`] encodes it.
const CORRELATION_FIELD_KEY: [u8; 16] = {
    let key = crate::context::CORRELATION_KEY.as_bytes();
    assert!(key.len() == 14);
    let mut out = [0u8; 16];
    let len = (key.len() as u16).to_ne_bytes();
    out[0] = len[0];
    out[1] = len[1];
    let mut i = 0;
    while i < key.len() {
        out[2 + i] = key[i];
        i += 1;
    }
    out
};

/// Payload length of a context push of the one field `correlation_id = id`.
#[inline(always)]
pub(crate) fn context_correlation_len(id: &LogValue<'_>) -> usize {
    CONTEXT_PUSH_HEAD + CORRELATION_FIELD_KEY.len() + log_value_len(id, CONTEXT_STR_LIMIT)
}

/// Writes a context push of the one field `correlation_id = id`: the same
/// bytes as the general path, without its loop (`logger::correlation`).
/// `dst` is [`context_correlation_len`] bytes.
#[inline(always)]
pub(crate) fn put_context_correlation(dst: &mut [u8], depth: u32, id: &LogValue<'_>) {
    let head = put_context_push_head(dst, depth, 1);
    let key_end = head + CORRELATION_FIELD_KEY.len();
    debug_assert_eq!(dst.len(), context_correlation_len(id));
    dst[head..key_end].copy_from_slice(&CORRELATION_FIELD_KEY);
    // SAFETY: `dst` is `context_correlation_len(id)` bytes, so the
    // `log_value_len(id, CONTEXT_STR_LIMIT)` bytes from `key_end` are in it.
    unsafe { write_log_value(dst.as_mut_ptr().add(key_end), id, CONTEXT_STR_LIMIT) };
}

/// Writes a context pop ([`CONTEXT_POP_LEN`] bytes).
pub(crate) fn put_context_pop(dst: &mut [u8], depth: u32) {
    dst[0..4].copy_from_slice(&depth.to_ne_bytes());
    dst[4] = CTX_POP;
}

/// A decoded context frame change.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ContextOp<'a> {
    /// The stack becomes `depth` frames deep, the top one holding `count`
    /// fields encoded in `fields`.
    Push {
        depth: u32,
        count: u16,
        fields: &'a [u8],
    },
    /// The stack is cut to `depth` frames.
    Pop { depth: u32 },
}

/// Reads a `CONTEXT` payload; `None` when malformed.
pub(crate) fn get_context(payload: &[u8]) -> Option<ContextOp<'_>> {
    let mut d = Decoder { rest: payload };
    let depth = d.u32()?;
    match d.u8()? {
        CTX_POP => Some(ContextOp::Pop { depth }),
        CTX_PUSH => {
            let count = d.u16()?;
            Some(ContextOp::Push {
                depth,
                count,
                fields: d.rest,
            })
        }
        _ => None,
    }
}

/// Reads encoded bytes; every method returns `None` on truncated or
/// malformed input instead of panicking.
pub(crate) struct Decoder<'a> {
    pub rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.rest.get(..n)?;
        self.rest = &self.rest[n..];
        Some(head)
    }
    /// The next `N` bytes as an array (one length check).
    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, tail) = self.rest.split_first_chunk::<N>()?;
        self.rest = tail;
        Some(*head)
    }
    #[inline]
    pub fn u8(&mut self) -> Option<u8> {
        let (&b, tail) = self.rest.split_first()?;
        self.rest = tail;
        Some(b)
    }
    #[inline]
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_ne_bytes(self.array()?))
    }
    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_ne_bytes(self.array()?))
    }
    #[inline]
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_ne_bytes(self.array()?))
    }
    #[inline]
    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_ne_bytes(self.array()?))
    }

    /// A string reference; `module` resolves [`StrRef::SameAsModule`].
    pub fn str_ref(&mut self, module: &'a str) -> Option<&'a str> {
        match self.u8()? {
            STR_STATIC => {
                let ptr = self.u64()? as usize as *const u8;
                let len = self.u64()? as usize;
                // SAFETY: a STR_STATIC reference is only written by
                // `Encoder::str_ref` from a `&'static str` of this process
                // (the ring never leaves the process), so the pointer and
                // length describe valid UTF-8 that lives forever.
                Some(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) })
            }
            STR_INLINE => {
                let b = self.bytes32()?;
                std::str::from_utf8(b).ok()
            }
            STR_SAME_AS_MODULE => Some(module),
            _ => None,
        }
    }

    /// A string reference's address and length when it is `'static`
    /// (`STR_STATIC`, or `STR_SAME_AS_MODULE` with `module`'s); `None` for
    /// a string copied into the record, and when malformed.
    #[inline]
    pub fn static_str_ref(&mut self, module: Option<(usize, usize)>) -> Option<(usize, usize)> {
        match self.u8()? {
            STR_STATIC => Some((self.u64()? as usize, self.u64()? as usize)),
            STR_SAME_AS_MODULE => module,
            _ => None,
        }
    }

    /// A key's bytes as written by [`Encoder::key`], unchecked (compared
    /// with a key known to be valid).
    #[inline]
    pub fn raw_key(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// The call-site descriptor of a `CALLSITE` record.
    pub fn callsite(&mut self) -> Option<&'static Callsite> {
        let addr = self.u64()? as usize;
        if addr == 0 || addr % std::mem::align_of::<Callsite>() != 0 {
            return None;
        }
        // SAFETY: the first payload word of a CALLSITE record is only ever
        // written by `put_callsite` from a `&'static Callsite` of this
        // process, and the ring never leaves the process.
        Some(unsafe { &*(addr as *const Callsite) })
    }

    /// Bytes prefixed with a `u32` length.
    pub fn bytes32(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// A key written by [`Encoder::key`].
    #[inline]
    pub fn key(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        let bytes = self.take(n)?;
        if is_short_ascii(bytes) {
            // SAFETY: ASCII is valid UTF-8.
            return Some(unsafe { std::str::from_utf8_unchecked(bytes) });
        }
        std::str::from_utf8(bytes).ok()
    }

    /// The next value handed to `sink`: numbers and strings straight from
    /// their bytes (no [`Value`] in between), the other kinds as a
    /// [`Value`]. `None` when malformed.
    #[inline(always)]
    pub fn value_into<S: ValueSink>(&mut self, sink: &mut S) -> Option<()> {
        let (&tag, rest) = self.rest.split_first()?;
        // Each kind's bytes read here, once (`Decoder::value` would read
        // the tag again). Tests in the usual kinds' order rather than a
        // `match`: 13 instructions fewer per `trade!` record on the
        // flusher (callgrind), though the compiler still makes part of it
        // a jump table.
        let word = |rest: &'a [u8]| {
            let (word, tail) = rest.split_first_chunk::<8>()?;
            Some((u64::from_ne_bytes(*word), tail))
        };
        if tag == V_STATIC_STR {
            let (ptr, tail) = word(rest)?;
            let (len, tail) = word(tail)?;
            self.rest = tail;
            // SAFETY: as in `Decoder::value`: a V_STATIC_STR value is only
            // written whole by `put_log_values` from a `&'static str` of
            // this process.
            sink.str(unsafe {
                std::slice::from_raw_parts(ptr as usize as *const u8, len as usize)
            });
        } else if tag == V_U64 {
            let (x, tail) = word(rest)?;
            self.rest = tail;
            sink.u64(x);
        } else if tag == V_F64 {
            let (x, tail) = word(rest)?;
            self.rest = tail;
            sink.f64(f64::from_bits(x));
        } else if tag == V_STR {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let (bytes, tail) = tail.split_at_checked(u32::from_ne_bytes(*len) as usize)?;
            self.rest = tail;
            sink.str(bytes);
        } else if tag == V_I64 {
            let (x, tail) = word(rest)?;
            self.rest = tail;
            sink.i64(x as i64);
        } else {
            sink.value(self.value()?);
        }
        Some(())
    }

    /// Reads past a value, checking it as [`Decoder::value_into`] does.
    pub fn skip_value(&mut self) -> Option<()> {
        self.value_into(&mut Skip)
    }

    /// A value written by [`put_value`].
    #[inline(always)]
    pub fn value(&mut self) -> Option<Value<'a>> {
        Some(match self.u8()? {
            V_NULL => Value::Null,
            V_BOOL => Value::Bool(self.u8()? != 0),
            V_U64 => Value::U64(self.u64()?),
            V_I64 => Value::I64(self.u64()? as i64),
            V_U128 => Value::U128(self.u128()?),
            V_I128 => Value::I128(self.u128()? as i128),
            V_F64 => Value::F64(f64::from_bits(self.u64()?)),
            V_CHAR => Value::Char(char::from_u32(self.u32()?)?),
            V_STR => Value::Str(self.bytes32()?),
            V_JSON => checked_json(self.bytes32()?),
            V_STATIC_STR => {
                let ptr = self.u64()? as usize as *const u8;
                let len = self.u64()? as usize;
                // SAFETY: a V_STATIC_STR value is only written by
                // `put_log_values` from a `LogValue::StaticStr(&'static str)`
                // of this process, and whole (it never writes part of a
                // value, and zero-fills what it leaves unwritten), so the
                // address and length describe a string that lives forever.
                Value::Str(unsafe { std::slice::from_raw_parts(ptr, len) })
            }
            _ => return None,
        })
    }
}

/// A value read and let go (see [`Decoder::skip_value`]).
struct Skip;

impl ValueSink for Skip {
    fn u64(&mut self, _: u64) {}
    fn i64(&mut self, _: i64) {}
    fn f64(&mut self, _: f64) {}
    fn str(&mut self, _: &[u8]) {}
    fn value(&mut self, _: Value<'_>) {}
}

/// Where [`Decoder::value_into`] writes a value.
pub(crate) trait ValueSink {
    fn u64(&mut self, v: u64);
    fn i64(&mut self, v: i64);
    fn f64(&mut self, v: f64);
    /// A string (bytes that may not be UTF-8).
    fn str(&mut self, bytes: &[u8]);
    /// Any other value.
    fn value(&mut self, v: Value<'_>);
}

/// Whether `bytes` are at most 16 bytes of ASCII (a key, mostly): two
/// overlapping words instead of a loop over the bytes. False for longer
/// ones, which the caller checks as UTF-8.
#[inline(always)]
fn is_short_ascii(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let high = if n > 16 {
        return false;
    } else if n >= 8 {
        let (head, _) = bytes.split_first_chunk::<8>().unwrap_or((&[0x80; 8], &[]));
        let (_, tail) = bytes.split_last_chunk::<8>().unwrap_or((&[], &[0x80; 8]));
        u64::from_ne_bytes(*head) | u64::from_ne_bytes(*tail)
    } else if n >= 4 {
        let (head, _) = bytes.split_first_chunk::<4>().unwrap_or((&[0x80; 4], &[]));
        let (_, tail) = bytes.split_last_chunk::<4>().unwrap_or((&[], &[0x80; 4]));
        u64::from(u32::from_ne_bytes(*head) | u32::from_ne_bytes(*tail))
    } else {
        bytes.iter().fold(0, |acc, &b| acc | u64::from(b))
    };
    high & 0x8080_8080_8080_8080 == 0
}

/// A `V_JSON` value's text: checked on the flusher (errors are rare) so
/// that no byte sequence can make a line that does not parse; a string
/// when it is not JSON.
#[cold]
fn checked_json(text: &[u8]) -> Value<'_> {
    match serde_json::from_slice::<serde::de::IgnoredAny>(text) {
        Ok(_) => Value::Json(text),
        Err(_) => Value::Str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ascii_check_agrees_with_std() {
        for len in 0..=20usize {
            for pos in 0..len.max(1) {
                for b in [0u8, b'a', 0x7f, 0x80, 0xc3, 0xff] {
                    let mut s = vec![b'k'; len];
                    if len > 0 {
                        s[pos] = b;
                    }
                    assert_eq!(is_short_ascii(&s), len <= 16 && s.is_ascii(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn header_round_trip() {
        let mut b = [0u8; 24];
        put_header(&mut b, 24, TAG_LOG, 3, 0xDEAD_BEEF);
        let h = get_header(&b).unwrap();
        assert_eq!(
            h,
            Header {
                len: 24,
                tag: TAG_LOG,
                level: 3,
                ts: 0xDEAD_BEEF
            }
        );
        assert!(get_header(&b[..20]).is_none(), "length past the slice");
        put_pad(&mut b[..8]);
        assert_eq!(get_header(&b[..8]).unwrap().tag, TAG_PAD);
    }

    #[test]
    fn values_round_trip() {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::U64(u64::MAX),
            Value::I64(-5),
            Value::U128(u128::MAX),
            Value::I128(i128::MIN),
            Value::F64(-1.5),
            Value::Char('é'),
            Value::Str(b"a\0b\xff"),
        ];
        let mut buf = Vec::new();
        for v in values {
            put_value(&mut buf, v);
        }
        let mut d = Decoder { rest: &buf };
        for v in values {
            assert_eq!(d.value().unwrap(), v);
        }
        assert!(d.rest.is_empty());
    }

    #[test]
    fn strings_round_trip() {
        static S: &str = "static::module";
        let mut buf = Vec::new();
        let mut e = Encoder { buf: &mut buf };
        e.str_ref(StrRef::Static(S));
        e.str_ref(StrRef::Inline("inline"));
        e.str_ref(StrRef::SameAsModule);
        e.key("key");
        let mut d = Decoder { rest: &buf };
        assert_eq!(d.str_ref("m").unwrap(), S);
        assert_eq!(d.str_ref("m").unwrap(), "inline");
        assert_eq!(d.str_ref("m").unwrap(), "m");
        assert_eq!(d.key().unwrap(), "key");
    }

    #[test]
    fn log_values_round_trip() {
        let owned = String::from("héllo");
        let values = [
            LogValue::Null,
            LogValue::Bool(false),
            LogValue::U64(7),
            LogValue::I64(-7),
            LogValue::U128(1 << 100),
            LogValue::I128(-(1 << 100)),
            LogValue::F64(2.5),
            LogValue::Char('€'),
            LogValue::Str(&owned),
            LogValue::StaticStr("Buy"),
        ];
        let groups: [&[LogValue<'_>]; 2] = [&values[..4], &values[4..]];
        let len = callsite_payload_len(&groups, usize::MAX);
        let mut buf = vec![0xAAu8; len];
        put_log_values(&mut buf, &CS, &groups, usize::MAX);
        let mut d = Decoder { rest: &buf };
        assert!(std::ptr::eq(d.callsite().unwrap(), &CS));
        let want = [
            Value::Null,
            Value::Bool(false),
            Value::U64(7),
            Value::I64(-7),
            Value::U128(1 << 100),
            Value::I128(-(1 << 100)),
            Value::F64(2.5),
            Value::Char('€'),
            Value::Str("héllo".as_bytes()),
            Value::Str(b"Buy"),
        ];
        for w in want {
            assert_eq!(d.value().unwrap(), w);
        }
        assert!(d.rest.is_empty());
    }

    /// A call site for the encoding tests (its fields are not read).
    static CS: Callsite = Callsite {
        kind: crate::view::Kind::Trade,
        level: crate::Level::Info,
        target: "t",
        module: "m",
        file: "f.rs",
        line: 1,
        message: "",
        message_args: 0,
        fields: &[],
        function: None,
    };

    #[test]
    fn log_values_cut_strings_on_char_boundaries() {
        let values = [LogValue::Str("aé"), LogValue::Str("ok")];
        let groups: [&[LogValue<'_>]; 1] = [&values];
        let len = callsite_payload_len(&groups, 2);
        let mut buf = vec![0u8; len];
        put_log_values(&mut buf, &CS, &groups, 2);
        let mut d = Decoder { rest: &buf[8..] };
        let cut = format!("a{TRUNCATED}");
        assert_eq!(d.value().unwrap(), Value::Str(cut.as_bytes()));
        assert_eq!(d.value().unwrap(), Value::Str(b"ok"));
        assert!(d.rest.is_empty());
    }

    #[test]
    fn short_buffer_is_zero_filled_not_partial() {
        let values = [LogValue::U64(1), LogValue::StaticStr("Sell")];
        let groups: [&[LogValue<'_>]; 1] = [&values];
        let mut buf = vec![0xFFu8; 8 + 9 + 10];
        put_log_values(&mut buf, &CS, &groups, usize::MAX);
        assert!(buf[17..].iter().all(|&b| b == 0), "no partial static str");
        let mut d = Decoder { rest: &buf[8..] };
        assert_eq!(d.value().unwrap(), Value::U64(1));
        assert_eq!(d.value().unwrap(), Value::Null);
    }

    #[test]
    fn static_log_payload_matches_the_encoder() {
        static MODULE: &str = "app::orders";
        static FILE: &str = "src/orders.rs";
        let mut buf = Vec::new();
        let mut e = Encoder { buf: &mut buf };
        e.str_ref(StrRef::Static(MODULE));
        e.str_ref(StrRef::Static(FILE));
        e.str_ref(StrRef::SameAsModule);
        e.u32(42);
        e.bytes32(b"order sent");
        e.u16(0);
        let mut direct = vec![0u8; log_static_len("order sent".len())];
        let site = PlainSite {
            module: MODULE,
            file: FILE,
            line: 42,
        };
        put_log_static(&mut direct, site, "order sent");
        assert_eq!(direct, buf);
    }

    #[test]
    fn truncated_input_is_none_not_panic() {
        let mut buf = Vec::new();
        put_value(&mut buf, Value::Str(b"hello"));
        for cut in 0..buf.len() {
            let mut d = Decoder { rest: &buf[..cut] };
            assert!(d.value().is_none());
        }
        let mut d = Decoder { rest: &[0x63] };
        assert!(d.value().is_none(), "unknown tag");
    }
}
