//! `impl log::Log`: records from `log::info!` and friends.
//!
//! `fmt::Arguments` cannot be deferred, so the message is formatted here,
//! on the caller's thread. A record without key-values has it formatted
//! straight into its ring slot ([`super::in_place`]); a static message
//! without arguments is copied as is ([`push_static`]). Any other record
//! is encoded into a reused thread-local buffer (key-values by type) and
//! then copied into the ring in one piece. A `Display` impl that logs is
//! safe on every path: on the general one it runs before the ring is
//! touched; in place, the record it pushes takes the slot back and goes
//! into the ring first (`thread_ring::InPlace`).

use std::cell::RefCell;
use std::fmt::Write as _;

use log::kv::{self, VisitSource, VisitValue};

use crate::frontend::{critical, in_place, thread_ring};
use crate::level::Level;
use crate::lifecycle::{self, RUNNING};
use crate::metrics::{COUNTERS, Counters};
use crate::view::Value;
use crate::wire::{self, Encoder, StrRef, TRUNCATED};

/// The logger installed into the `log` facade.
pub(crate) struct LogAdapter;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl log::Log for LogAdapter {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let level = match metadata.level() {
            log::Level::Error if critical::is_marked(None, None) => Level::Critical,
            l => Level::from(l),
        };
        metadata.level() <= log::max_level()
            && crate::filter::allows(level, metadata.target())
            && lifecycle::state() == RUNNING
    }

    fn log(&self, record: &log::Record<'_>) {
        // `log` calls us only after its own `max_level` check (the most
        // verbose level of any directive); the per-target directives are
        // checked here (a lookup only when the filter has some).
        // Only `ERROR` records pay for the `critical!` check.
        let level = match record.level() {
            log::Level::Error if critical::is_marked(record.line(), record.file()) => {
                Level::Critical
            }
            l => Level::from(l),
        };
        if !crate::filter::allows(level, record.target()) {
            return;
        }
        let level = level as u8;
        if push_static(record, level) {
            return;
        }
        #[cfg(feature = "tracing")]
        if crate::tracing_layer::is_copy_of_last_event(record) {
            return;
        }
        // A message with arguments: formatted straight into the ring
        // (a static one got here for its key-values or target).
        if record.args().as_str().is_none() && in_place::push_formatted(record, level) {
            return;
        }
        push_encoded(
            level,
            || record.key_values().count(),
            |buf, limit| encode(buf, record, limit),
        );
    }

    fn flush(&self) {
        let _ = crate::flush();
    }
}

/// Encodes a `LOG` payload with `encode(buf, limit)` (strings cut to
/// `limit` bytes) into this thread's scratch buffer and pushes it at
/// `level`. A payload too long for the ring is encoded again with every
/// string cut so that the `fields()` fields and the message fit.
pub(crate) fn push_encoded(
    level: u8,
    fields: impl Fn() -> usize,
    encode: impl Fn(&mut Vec<u8>, usize),
) {
    let encode_and_push = |buf: &mut Vec<u8>| {
        buf.clear();
        encode(buf, usize::MAX);
        let max = thread_ring::max_payload();
        if buf.len() > max {
            buf.clear();
            encode(buf, cut_limit(max, fields()));
        }
        thread_ring::push(wire::TAG_LOG, level, buf.len(), |dst| {
            dst.copy_from_slice(buf)
        });
    };
    let done = SCRATCH.try_with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut buf) => encode_and_push(&mut buf),
        // A `Display` impl of this very record is logging: use a
        // one-off buffer for the inner record.
        Err(_) => encode_and_push(&mut Vec::new()),
    });
    if done.is_err() {
        encode_and_push(&mut Vec::new());
    }
}

/// The length every string of a payload is cut to when the payload is
/// longer than `max` bytes with `fields` key-values: room for the module,
/// the file, the message and each value, and their markers.
pub(crate) fn cut_limit(max: usize, fields: usize) -> usize {
    (max / (2 + fields))
        .saturating_sub(TRUNCATED.len() + 64)
        .max(16)
}

/// The call site of a record whose payload needs no encoder: a
/// `&'static str` module and file, the target its module (`log`'s
/// default), no key-values. Its payload's head is then fixed
/// ([`wire::put_log_head`]); [`push_static`] and
/// [`crate::frontend::in_place`] write it straight into the ring slot.
#[derive(Clone, Copy)]
pub(crate) struct PlainSite {
    pub module: &'static str,
    pub file: &'static str,
    pub line: u32,
}

/// `record`'s call site when it is a [`PlainSite`].
#[inline(always)]
pub(crate) fn plain_site(record: &log::Record<'_>) -> Option<PlainSite> {
    let (Some(module), Some(file)) = (record.module_path_static(), record.file_static()) else {
        return None;
    };
    let target = record.target();
    if !(std::ptr::eq(module, target) || module == target) || record.key_values().count() != 0 {
        return None;
    }
    Some(PlainSite {
        module,
        file,
        line: record.line().unwrap_or(0),
    })
}

/// The no-format path: a static message (`Arguments::as_str`) from a
/// [`PlainSite`] goes straight into the ring slot, with no scratch
/// buffer. False when the record needs another path.
#[inline]
fn push_static(record: &log::Record<'_>, level: u8) -> bool {
    let Some(msg) = record.args().as_str() else {
        return false;
    };
    if msg.len() > thread_ring::max_payload() / 2 {
        return false;
    }
    let Some(site) = plain_site(record) else {
        return false;
    };
    thread_ring::push(
        wire::TAG_LOG,
        level,
        wire::log_static_len(msg.len()),
        |dst| wire::put_log_static(dst, site, msg),
    );
    true
}

/// Encodes the `LOG` payload of `record` (layout in [`crate::wire`]),
/// cutting every string to at most `limit` bytes.
pub(crate) fn encode(buf: &mut Vec<u8>, record: &log::Record<'_>, limit: usize) {
    let mut e = Encoder { buf };
    let module_static = record.module_path_static();
    match module_static {
        Some(m) => e.str_ref(StrRef::Static(m)),
        None => e.str_ref(StrRef::Inline(record.module_path().unwrap_or(""))),
    }
    match record.file_static() {
        Some(f) => e.str_ref(StrRef::Static(f)),
        None => e.str_ref(StrRef::Inline(record.file().unwrap_or(""))),
    }
    let target = record.target();
    let same = module_static.is_some_and(|m| std::ptr::eq(m, target) || m == target);
    e.str_ref(if same {
        StrRef::SameAsModule
    } else {
        StrRef::Inline(target)
    });
    e.u32(record.line().unwrap_or(0));

    put_message(e.buf, *record.args(), limit);

    let at = e.buf.len();
    e.u16(0);
    let mut visitor = FieldEncoder {
        buf: e.buf,
        count: 0,
        limit,
    };
    let _ = record.key_values().visit(&mut visitor);
    let count = visitor.count;
    buf[at..at + 2].copy_from_slice(&count.to_ne_bytes());
}

/// Appends the message of a `LOG` payload: `u32` length and the bytes of
/// `args`, cut to `limit` bytes.
pub(crate) fn put_message(buf: &mut Vec<u8>, args: std::fmt::Arguments<'_>, limit: usize) {
    let at = wire::begin_bytes32(buf);
    match args.as_str() {
        Some(s) => buf.extend_from_slice(s.as_bytes()),
        None => {
            let _ = ByteWriter(buf).write_fmt(args);
        }
    }
    wire::end_bytes32(buf, at, limit, TRUNCATED);
}

/// Appends a string value of a field, cut to `limit` bytes.
pub(crate) fn put_str_value(buf: &mut Vec<u8>, s: &str, limit: usize) {
    if s.len() <= limit {
        wire::put_value(buf, Value::Str(s.as_bytes()));
        return;
    }
    let at = wire::begin_str_value(buf);
    buf.extend_from_slice(s.as_bytes());
    wire::end_bytes32(buf, at, limit, TRUNCATED);
}

/// Appends a field value formatted by `args` (a `Display` or `Debug`
/// value), as a string cut to `limit` bytes.
pub(crate) fn put_formatted_value(buf: &mut Vec<u8>, args: std::fmt::Arguments<'_>, limit: usize) {
    let at = wire::begin_str_value(buf);
    let _ = ByteWriter(buf).write_fmt(args);
    wire::end_bytes32(buf, at, limit, TRUNCATED);
}

/// `fmt::Write` into a byte buffer.
struct ByteWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        // `core::fmt` hands over short pieces (the literal parts, each
        // formatted number): up to 16 bytes are copied inline, without a
        // call to `memcpy`.
        if b.len() <= 16 && self.0.capacity() - self.0.len() >= 16 {
            let len = self.0.len();
            // SAFETY: the spare capacity holds at least 16 bytes from
            // `len`, so the `b.len()` bytes written are inside the
            // allocation; they are initialised before `set_len` covers
            // them, and `b` (a `&str`) cannot overlap the buffer we hold
            // mutably.
            unsafe {
                crate::short_copy::copy_short(b, self.0.as_mut_ptr().add(len));
                self.0.set_len(len + b.len());
            }
        } else {
            self.0.extend_from_slice(b);
        }
        Ok(())
    }
}

/// Encodes `log` key-values, each by its type.
struct FieldEncoder<'b> {
    buf: &'b mut Vec<u8>,
    count: u16,
    limit: usize,
}

impl<'kvs> VisitSource<'kvs> for FieldEncoder<'_> {
    fn visit_pair(&mut self, key: kv::Key<'kvs>, value: kv::Value<'kvs>) -> Result<(), kv::Error> {
        if self.count == u16::MAX {
            return Ok(());
        }
        self.count += 1;
        if (Encoder { buf: self.buf }).key(key.as_str()) {
            // Cold: only keys of 64 KiB or more.
            Counters::add(&COUNTERS.keys_cut, 1);
        }
        let mut v = ValueEncoder {
            buf: self.buf,
            limit: self.limit,
        };
        if value.visit(&mut v).is_err() {
            wire::put_value(self.buf, Value::Null);
        }
        Ok(())
    }
}

struct ValueEncoder<'b> {
    buf: &'b mut Vec<u8>,
    limit: usize,
}

impl ValueEncoder<'_> {
    fn str(&mut self, s: &str) {
        put_str_value(self.buf, s, self.limit);
    }
}

impl<'v> VisitValue<'v> for ValueEncoder<'_> {
    fn visit_any(&mut self, value: kv::Value<'_>) -> Result<(), kv::Error> {
        // Anything else goes by `Display`, as a string.
        put_formatted_value(self.buf, format_args!("{value}"), self.limit);
        Ok(())
    }
    fn visit_null(&mut self) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::Null);
        Ok(())
    }
    fn visit_u64(&mut self, v: u64) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::U64(v));
        Ok(())
    }
    fn visit_i64(&mut self, v: i64) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::I64(v));
        Ok(())
    }
    fn visit_u128(&mut self, v: u128) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::U128(v));
        Ok(())
    }
    fn visit_i128(&mut self, v: i128) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::I128(v));
        Ok(())
    }
    fn visit_f64(&mut self, v: f64) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::F64(v));
        Ok(())
    }
    fn visit_bool(&mut self, v: bool) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::Bool(v));
        Ok(())
    }
    fn visit_str(&mut self, v: &str) -> Result<(), kv::Error> {
        self.str(v);
        Ok(())
    }
    fn visit_borrowed_str(&mut self, v: &'v str) -> Result<(), kv::Error> {
        self.str(v);
        Ok(())
    }
    fn visit_char(&mut self, v: char) -> Result<(), kv::Error> {
        wire::put_value(self.buf, Value::Char(v));
        Ok(())
    }
    /// `err:err = e`: the error, its source chain and, when asked, a
    /// backtrace, as one JSON object (see `crate::error_chain`).
    fn visit_error(&mut self, err: &(dyn std::error::Error + 'static)) -> Result<(), kv::Error> {
        let mut json = crate::loggable::ScratchString::new();
        crate::error_chain::render_kv_error(json.as_mut_string(), err);
        wire::put_json_value(self.buf, &json, self.limit);
        Ok(())
    }
    fn visit_borrowed_error(
        &mut self,
        err: &'v (dyn std::error::Error + 'static),
    ) -> Result<(), kv::Error> {
        self.visit_error(err)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::ByteWriter;

    #[test]
    fn byte_writer_copies_every_length_whatever_the_spare_capacity() {
        let text: String = (0..40u8).map(|i| char::from(b'a' + i % 26)).collect();
        for cap in [0, 1, 15, 16, 17, 64] {
            for n in 0..=text.len() {
                let mut buf = Vec::with_capacity(cap);
                buf.extend_from_slice(b"<");
                let mut w = ByteWriter(&mut buf);
                w.write_str(&text[..n]).unwrap();
                w.write_str(&text[n..]).unwrap();
                write!(w, "{}|{:.3}", n, 1.5).unwrap();
                let want = format!("<{text}{n}|1.500");
                assert_eq!(String::from_utf8(buf).unwrap(), want, "cap {cap} n {n}");
            }
        }
    }
}
