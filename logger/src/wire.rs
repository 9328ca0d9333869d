//! The byte layout of a record in a thread's ring: the only file that knows it.
//!
//! ```text
//! offset  size  field
//!      0     4  total length in bytes, header included, a multiple of 8
//!      4     1  tag: PAD, LOG or CALLSITE
//!      5     1  level (log::Level as u8: 1 = Error .. 5 = Trace)
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
//! A value is one tag byte and its bytes: see [`put_value`].

use crate::callsite::Callsite;
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
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_ne_bytes());
    }

    /// A string reference (see [`StrRef`]).
    pub fn str_ref(&mut self, s: StrRef<'_>) {
        match s {
            StrRef::Static(s) => {
                self.u8(STR_STATIC);
                self.u64(s.as_ptr() as usize as u64);
                self.u64(s.len() as u64);
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

    /// A key: bytes prefixed with a `u16` length, cut at a char boundary
    /// below 64 KiB.
    pub fn key(&mut self, k: &str) {
        let mut end = k.len().min(u16::MAX as usize);
        while !k.is_char_boundary(end) {
            end -= 1;
        }
        self.u16(end as u16);
        self.buf.extend_from_slice(&k.as_bytes()[..end]);
    }

    /// A typed value.
    pub fn value(&mut self, v: Value<'_>) {
        put_value(self.buf, v)
    }
}

/// Appends one typed value: a tag byte, then `bool` as one byte, integers
/// and floats in native byte order (8 or 16 bytes), `char` as 4 bytes, a
/// string as `u32` length and bytes.
pub(crate) fn put_value(buf: &mut Vec<u8>, v: Value<'_>) {
    match v {
        Value::Null => buf.push(V_NULL),
        Value::Bool(b) => buf.extend_from_slice(&[V_BOOL, b as u8]),
        Value::U64(x) => {
            buf.push(V_U64);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::I64(x) => {
            buf.push(V_I64);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::U128(x) => {
            buf.push(V_U128);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::I128(x) => {
            buf.push(V_I128);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::F64(x) => {
            buf.push(V_F64);
            buf.extend_from_slice(&x.to_ne_bytes());
        }
        Value::Char(c) => {
            buf.push(V_CHAR);
            buf.extend_from_slice(&(c as u32).to_ne_bytes());
        }
        Value::Str(s) => {
            let s = &s[..s.len().min(u32::MAX as usize)];
            buf.push(V_STR);
            buf.extend_from_slice(&(s.len() as u32).to_ne_bytes());
            buf.extend_from_slice(s);
        }
    }
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

/// Reads encoded bytes; every method returns `None` on truncated or
/// malformed input instead of panicking.
pub(crate) struct Decoder<'a> {
    pub rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    #[inline]
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }
    #[inline]
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    #[inline]
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_ne_bytes(self.take(2)?.try_into().ok()?))
    }
    #[inline]
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_ne_bytes(self.take(4)?.try_into().ok()?))
    }
    #[inline]
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_ne_bytes(self.take(8)?.try_into().ok()?))
    }
    #[inline]
    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_ne_bytes(self.take(16)?.try_into().ok()?))
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
    pub fn key(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// A value written by [`put_value`].
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
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
