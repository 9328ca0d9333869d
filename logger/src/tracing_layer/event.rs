//! A `tracing` event as a `LOG` record: the same payload as a `log`
//! record's (see [`crate::wire`]), written by the `log` adapter's encoder.

use std::fmt;

use tracing_core::Event;
use tracing_core::field::{Field, Visit};

use crate::frontend::log_adapter::{push_encoded, put_formatted_value, put_message, put_str_value};
use crate::view::Value;
use crate::wire::{self, Encoder, StrRef};

use super::level::log_level;

/// The field `tracing`'s macros put the format string's output in.
const MESSAGE: &str = "message";

/// Queues `event` on this thread's ring as a record of kind `log`.
pub(crate) fn push(event: &Event<'_>) {
    let level = log_level(event.metadata().level()) as u8;
    push_encoded(
        level,
        || event.fields().count(),
        |buf, limit| encode(buf, event, limit),
    );
}

/// Encodes the `LOG` payload of `event`, cutting strings to `limit` bytes:
/// module, file and target by address (they are `'static`), the line, the
/// `message` field as the message, then the other fields by type.
fn encode(buf: &mut Vec<u8>, event: &Event<'_>, limit: usize) {
    let meta = event.metadata();
    let module = meta.module_path();
    let mut e = Encoder { buf };
    e.str_ref(StrRef::Static(module.unwrap_or("")));
    e.str_ref(StrRef::Static(meta.file().unwrap_or("")));
    let target = meta.target();
    e.str_ref(if module == Some(target) {
        StrRef::SameAsModule
    } else {
        StrRef::Static(target)
    });
    e.u32(meta.line().unwrap_or(0));

    let mut message = MessageEncoder {
        buf: e.buf,
        limit,
        done: false,
    };
    event.record(&mut message);
    if !message.done {
        put_message(buf, format_args!(""), limit);
    }

    let at = buf.len();
    Encoder { buf }.u16(0);
    let mut fields = FieldEncoder {
        buf,
        count: 0,
        limit,
    };
    event.record(&mut fields);
    let count = fields.count;
    buf[at..at + 2].copy_from_slice(&count.to_ne_bytes());
}

/// Writes the `message` field (only) as the record's message.
struct MessageEncoder<'b> {
    buf: &'b mut Vec<u8>,
    limit: usize,
    done: bool,
}

impl MessageEncoder<'_> {
    fn take(&mut self, field: &Field) -> bool {
        let take = !self.done && field.name() == MESSAGE;
        self.done |= take;
        take
    }
}

impl Visit for MessageEncoder<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.take(field) {
            put_message(self.buf, format_args!("{value}"), self.limit);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // The macros' message is `format_args!(..)`, whose `Debug` is its
        // `Display`.
        if self.take(field) {
            put_message(self.buf, format_args!("{value:?}"), self.limit);
        }
    }
}

/// Writes every field but the message, each by its type: integers, floats
/// and bools keep their JSON types, `Display` (`%x`) and `Debug` (`?x`)
/// values are formatted into strings, an error by its `Display`.
struct FieldEncoder<'b> {
    buf: &'b mut Vec<u8>,
    count: u16,
    limit: usize,
}

impl FieldEncoder<'_> {
    /// Writes the key of `field` and counts it; false for the message or
    /// past `u16::MAX` fields.
    fn key(&mut self, field: &Field) -> bool {
        if field.name() == MESSAGE || self.count == u16::MAX {
            return false;
        }
        self.count += 1;
        Encoder { buf: self.buf }.key(field.name());
        true
    }

    fn value(&mut self, field: &Field, value: Value<'_>) {
        if self.key(field) {
            wire::put_value(self.buf, value);
        }
    }
}

impl Visit for FieldEncoder<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.value(field, Value::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.value(field, Value::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.value(field, Value::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.value(field, Value::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.value(field, Value::U128(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.value(field, Value::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.key(field) {
            put_str_value(self.buf, value, self.limit);
        }
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if self.key(field) {
            put_formatted_value(self.buf, format_args!("{value}"), self.limit);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.key(field) {
            put_formatted_value(self.buf, format_args!("{value:?}"), self.limit);
        }
    }
}
