//! A decoded record, as the flusher hands it to a formatter.
//!
//! Everything here borrows from the ring or from the flusher's scratch
//! buffers: building a view allocates nothing.

use crate::level::Level;

/// Kind of a record, which also decides its routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A record from the `log` facade (or a logger-internal notice).
    Log,
    /// A `trade!` record: goes to the trades file too.
    Trade,
    /// A `perf!` or `#[log_performance]` record: goes to the perf file too.
    Perf,
    /// The logger's periodic record of its own counters
    /// (`Builder::metrics_interval`): the main file only.
    Metrics,
}

impl Kind {
    /// The spelling used in the `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Log => "log",
            Kind::Trade => "trade",
            Kind::Perf => "perf",
            Kind::Metrics => "metrics",
        }
    }
}

/// A field value, typed as it was recorded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// No value (JSON `null`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An unsigned integer.
    U64(u64),
    /// A signed integer.
    I64(i64),
    /// A 128-bit unsigned integer.
    U128(u128),
    /// A 128-bit signed integer.
    I128(i128),
    /// A float (non-finite values are written as strings in JSON).
    F64(f64),
    /// A character.
    Char(char),
    /// A string; may hold invalid UTF-8 (written lossily).
    Str(&'a [u8]),
    /// A JSON text the logger rendered (an error and its source chain),
    /// written as it is.
    Json(&'a [u8]),
}

/// One key-value field of a record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<'a> {
    /// Field name.
    pub key: &'a str,
    /// Field value.
    pub value: Value<'a>,
}

/// A decoded record.
#[derive(Clone, Copy, Debug)]
pub struct RecordView<'a> {
    /// Nanoseconds since the Unix epoch, UTC.
    pub ts_ns: u64,
    /// Severity.
    pub level: Level,
    /// Kind.
    pub kind: Kind,
    /// `log` target (the module path unless given).
    pub target: &'a str,
    /// The service the record belongs to: the name configured for the
    /// longest matching prefix of the target, else the target's first
    /// path segment (see `Builder::service`).
    pub service: &'a str,
    /// Module path of the call site.
    pub module: &'a str,
    /// Source file of the call site.
    pub file: &'a str,
    /// Source line of the call site (0 when unknown).
    pub line: u32,
    /// Enclosing function path, when the macros know it.
    pub function: Option<&'a str>,
    /// The message; may hold invalid UTF-8 (written lossily).
    pub msg: &'a [u8],
    /// Key-value fields, in call order.
    pub fields: &'a [Field<'a>],
    /// Name of the logging thread (`"<unnamed>"` when it has none).
    pub thread: &'a str,
    /// OS thread id of the logging thread.
    pub tid: u64,
    /// The thread's correlation id, when one is set (`logger::correlation`).
    pub correlation: Option<Value<'a>>,
    /// The thread's bound key-values (`logger::bind!`), correlation id
    /// excluded.
    pub context: &'a [Field<'a>],
}
