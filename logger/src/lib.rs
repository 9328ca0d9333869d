//! A nanosecond-scale structured logger for trading systems.
//!
//! `logger` installs as the global [`log`] backend. A logging thread copies
//! each record's raw bytes into its own lock-free SPSC ring (no lock, no
//! allocation, no syscall after its first record); one flusher thread
//! drains every ring, merges the threads by timestamp, formats JSON lines
//! (or text) and writes them, one batch per cycle, into rotating files
//! whose size is always the end of a whole line.
//!
//! # Quick start
//!
//! ```no_run
//! let _guard = logger::builder()
//!     .dir("logs")
//!     .create_dir(true)
//!     .install()
//!     .expect("cannot start the logger");
//!
//! log::info!(venue = "XNAS", latency_us = 12; "connected");
//! logger::flush().expect("flush"); // every record above is in logs/app.log
//! ```
//!
//! # Guarantees
//!
//! - Per-thread order is always kept; files read in timestamp order (with
//!   a [`UserClock`], only among records published in the same flusher
//!   cycle: see [`Builder::user_clock`]).
//! - A record whose `log` call returned before [`flush`] was called is in
//!   the file (the page cache) when `flush` returns: it survives a crash of the
//!   process (panic, abort, SIGKILL) without any `fsync`.
//! - Under [`OverflowPolicy::Block`] (the default) nothing is lost; under
//!   `DropNewest` every drop is counted and reported in the files.
//! - The logger never panics and never blocks the host forever: I/O errors
//!   are counted, reported on stderr and the records go to stderr instead.
//!
//! The README and the pages under `docs/` hold the full guide: configuration
//! (`docs/configuration.md`), file naming, the record schema (`docs/schema.md`),
//! and the measured figures (`docs/performance.md`).

#[doc(hidden)]
pub mod __private;
mod alone;
mod backend;
mod callsite;
mod civil_time;
mod clock;
mod config;
mod config_file;
mod context;
mod counting_alloc;
mod did_you_mean;
mod error;
mod error_chain;
mod fault;
mod filter;
mod format;
mod formatter_spec;
mod frontend;
mod guard;
mod install;
mod json_options;
mod level;
mod lifecycle;
mod loggable;
mod metrics;
mod panic_hook;
mod process_exit;
mod rate_limit;
mod redact;
mod registry;
mod security_options;
mod short_copy;
mod signals;
mod sink;
mod swar;
#[cfg(feature = "tracing")]
pub mod tracing_layer;
mod view;
mod wire;
mod wire_fuzz_tests;

pub use clock::{SimulatedClock, UserClock};
pub use config::{
    ClockSource, Config, ConsoleColor, DEFAULT_FLUSH_TIMEOUT, DEFAULT_GROW_CAP_BYTES,
    DEFAULT_IDLE_SLEEP, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_MERGE_DELAY, DEFAULT_RING_BYTES,
    DEFAULT_WINDOW_BYTES, FileSpec, Format, MAX_BACKTRACE_CAPACITY, MAX_DURATION_OPTION,
    MIN_RING_BYTES, MsyncPolicy, OverflowPolicy, ParseOverflowError, RotationConfig,
    RotationOverrides, ServiceSpec, TimeRotation, TimeZone,
};
pub use config::{DEFAULT_DIR_MODE, DEFAULT_FILE_MODE};
pub use context::{
    CORRELATION_KEY, Context, ContextGuard, Correlated, WithCorrelation, bind, correlation,
};
pub use error::{FlushError, InitError};
pub use filter::set_filter;
pub use format::Pattern;
pub use formatter_spec::{
    DEFAULT_FIELD_SEPARATOR, FormatterSpec, MAX_FIELD_SEPARATOR_CHARS, check_field_separator,
};
pub use guard::LoggerGuard;
pub use install::{Builder, builder};
pub use json_options::{JSON_KEYS, JsonOptions, Strftime, TimestampFormat};
pub use level::{Level, LevelFilter};
pub use metrics::Metrics;
pub use redact::{MIN_REDACT_KEY_BYTES, RedactAction, RedactKey, RedactRule, Redaction};
pub use sink::encrypt::{Encryption, EncryptionStats, PASSPHRASE_WORK_FACTOR, encryption_stats};
#[cfg(feature = "tracing")]
pub use tracing_layer::tracing_layer;
pub use view::Kind;
#[doc(hidden)]
pub use wire_fuzz_tests::fuzz as __fuzz;

pub use __private::{PerfElapsed, PerfTimer};
pub use counting_alloc::CountingAlloc;
pub use error_chain::{AsDynError, ErrorChain, error_chain};
pub use loggable::{Display, Json, LogValue, Loggable, display};

/// Records a trade: a record of kind `trade`, written to the trades file
/// and the main file.
///
/// ```text
/// trade!( [LEVEL,] [target: "name",] [rate: "100/s",] key = value, ... [; "message {}", arg, ...] )
/// ```
///
/// - `symbol`, `side`, `qty` and `price` are required: leaving one out is
///   a compile error naming it.
/// - Any other field may follow. The well-known ones (`order_id`,
///   `client_order_id`, `trade_id`, `exec_id`, `venue`, `account`,
///   `strategy`, `commission`, `fee`, `currency`, `notional`, `liquidity`)
///   are recorded right after the required ones, in that order; the rest
///   in call order. `key` alone is shorthand for `key = key`; a key may be
///   a string literal (`"exchange.id" = x`) or a raw identifier
///   (`r#type = x`).
/// - `LEVEL` (default `Info`) is `level: warn` (`critical`, `error`, `warn`,
///   `info`, `debug`, `trace`), or a path ending in `Critical`, `Error`,
///   `Warn`, `Info`, `Debug`, `Trace` (`Level::Warn`, `log::Level::Warn`,
///   [`Level::Critical`]). A bare word (`trade!(warn, ..)`) is still read as
///   the level, with a deprecation warning at the word: it is ambiguous,
///   since a variable `warn` meant as a shorthand field would be taken as
///   the level. A field named like a level is written `info = info`.
/// - `target: "name"` sets the `log` target (default: the module path).
/// - `rate: "100/s"` limits this call site to that many records per
///   window, shared by all threads (units `s`, `ms`, `min`; a whole count
///   from 1 to 1,000,000,000; anything else is a compile error). Over the
///   limit, the values are not evaluated and the record is dropped,
///   counted in [`Metrics::records_rate_limited`] and reported in a `WARN`
///   record naming the call site. Without `rate:` there is no limiter.
///   The level, `target:` and `rate:` come in any order.
/// - The message (default `"trade"`) is a string literal whose `{}` and
///   `{name}` placeholders take the arguments after it, like
///   `format_args!` (`{name}` takes `name = expr` or captures `name`).
///   Format specs (`{:.2}`) are a compile error: values are rendered on
///   the flusher thread from their recorded type.
///
/// Every value must implement [`Loggable`] (a compile error at the value
/// otherwise): numbers, `bool`, `char` and strings are copied as they are,
/// `#[derive(Loggable)]` enums as their variant name, [`display`] formats
/// anything `Display` on the calling thread.
///
/// # Cost
///
/// The level check comes first (a constant compare, then one relaxed
/// load); when the level is disabled nothing else runs, and the values are
/// not evaluated. Otherwise the values are evaluated once, in call order,
/// then encoded into a stack buffer in straight-line code (no allocation,
/// no lock, no formatting) and copied into the thread's ring with a
/// timestamp. The field names, level, location, message template and
/// enclosing function live in a `static` descriptor; the record carries
/// its address.
///
/// # Examples
///
/// ```
/// use logger::{Loggable, trade};
///
/// #[derive(Loggable, Clone, Copy)]
/// enum Side { Buy, Sell }
///
/// let (sym, id, qty, px) = ("AAPL", 42u64, 100u32, 150.25);
/// trade!(symbol = sym, side = Side::Buy, qty = qty, price = px, order_id = id);
/// trade!(level: warn, symbol = sym, side = Side::Sell, qty, price = px, venue = "XNAS"; "partial fill {} of {}", 40, qty);
/// trade!(Level::Debug, target: "fills", symbol = sym, side = Side::Buy, qty = 1, price = px; "filled {qty} at {px}");
/// trade!(rate: "100/s", symbol = sym, side = Side::Buy, qty = 1, price = px); // at most 100 a second
/// ```
///
/// The JSON line (one line in the file):
///
/// ```text
/// {"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"trade","target":"app::orders",
///  "msg":"trade","module":"app::orders","file":"src/orders.rs","line":42,"function":"app::orders::on_fill",
///  "thread":"main","tid":4242,"pid":99,"host":"box1",
///  "fields":{"symbol":"AAPL","side":"Buy","qty":100,"price":150.25,"order_id":42}}
/// ```
pub use logger_macros::trade;

/// Records a duration: a record of kind `perf`, written to the perf file
/// and the main file.
///
/// ```text
/// perf!( [LEVEL,] [target: "name",] [rate: "100/s",] "operation", elapsed [, key = value]* [; "message", args...] )
/// let _t = perf!( [LEVEL,] [target: "name",] [rate: "100/s",] "operation" [, key = value]* [; "message", args...] );
/// ```
///
/// - With `elapsed` (a [`std::time::Duration`], or a `u64` count of
///   nanoseconds: see [`PerfElapsed`]) it records at once.
/// - Without, it returns a [`PerfTimer`] that records the time from now
///   until it is dropped (also while a panic unwinds), or until
///   [`PerfTimer::stop`]. Bind it to a name: `let _ = perf!(..)` drops it
///   at once. Its extra fields are evaluated when it starts and moved into
///   it (pass `&value` to keep using a `String`).
/// - Fields: `operation` (the name), `elapsed_ns`, then the extra ones
///   (`key = value`, any [`Loggable`] value; no shorthand here).
/// - `LEVEL`, `target:`, `rate:` and the message work as in [`trade!`];
///   the message defaults to the operation name. A timer over its rate
///   still times; only its record is dropped.
///
/// # Cost
///
/// As [`trade!`]; a timer adds one timestamp when it starts and one when
/// it stops (ticks become ns on the calling thread: a multiply).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use logger::perf;
///
/// let start = Instant::now();
/// // ... work ...
/// perf!("risk_check", start.elapsed());
/// perf!(debug, "route", 1_250u64, venue = "XNAS"; "routed in {} hops", 2);
/// perf!(rate: "10/ms", "tick", 80u64); // at most 10 records a millisecond
///
/// fn price_book() {
///     let _t = perf!("price_book", levels = 10);
///     // ... timed until the end of the scope ...
/// }
/// price_book();
/// ```
///
/// ```text
/// {"ts":"...","level":"INFO","kind":"perf","target":"app","msg":"risk_check","module":"app",
///  "file":"src/main.rs","line":7,"function":"app::main","thread":"main","tid":4242,"pid":99,"host":"box1",
///  "fields":{"operation":"risk_check","elapsed_ns":1834}}
/// ```
pub use logger_macros::perf;

/// Records an `INFO` event of kind `log`, its values recorded raw and its
/// message rendered on the flusher thread: the deferred-formatting twin of
/// `log::info!`.
///
/// ```text
/// info!( [target: "name",] [rate: "100/s",] [key = value, ... ;] "message {} {name}", args... )
/// ```
///
/// [`warn!`], [`error!`], [`debug!`] and [`trace!`] are the same at their
/// level.
///
/// - The message is a string literal whose `{}` and `{name}` placeholders
///   take the arguments after it, like `format_args!` (`{name}` takes
///   `name = expr` or captures the variable `name`; `{{`/`}}` are braces).
///   Format specs (`{:.2}`, `{:?}`) are a compile error at the literal:
///   the values are rendered on the flusher from their recorded type.
/// - `key = value` fields (before the message, ended by `;`) go to
///   `fields`, in call order; `key` alone means `key = key`; keys may be
///   string literals (`"exchange.id" = x`) or raw identifiers; a repeated
///   key is a compile error.
/// - `target: "name"` sets the target (default: the module path); filters
///   (`RUST_LOG`-style specs, [`set_filter`]) treat it as a `log`
///   record's. `rate: "100/s"` limits the call site as in [`trade!`].
/// - Every value (field or argument) must implement [`Loggable`], else a
///   compile error at the value. A type that is only `Display` is not
///   accepted: wrap it in [`display`] (formats it on the calling thread,
///   as `log` would) or implement [`Loggable`] / `#[derive(Loggable)]`.
///
/// The record is a `log` record at the macro's level: the main file, the
/// errors file at `error`, the same keys as `log::info!`'s, plus
/// `function`. In `msg`, integers, strings, `bool` and `char` read as
/// their `Display`; an `f64` is written in its shortest round-trip form,
/// which differs from `Display` for whole numbers (`100.0`, where
/// `Display` writes `100`) and very large or very small magnitudes
/// (`1e21` for `1000000000000000000000`, `1e-7` for `0.0000001`); an
/// `f32` is widened to `f64` first (`1.1f32` reads `1.100000023841858`).
///
/// # Cost
///
/// As [`trade!`]: a level check (a constant compare, then one relaxed
/// load; nothing else runs, and no value is evaluated, when the level is
/// off), then the raw values copied into the thread's ring. No formatting
/// on the calling thread: `log::info!("order {} {} at {}", id, "AAPL",
/// 187.5)` formats its message with `core::fmt` before it returns; this
/// macro records 8 bytes of call site, then the three values.
///
/// # Examples
///
/// ```
/// let (id, px) = (42u64, 187.5);
/// let reason = "price band";
/// logger::info!("order {} {} at {}", id, "AAPL", px);
/// logger::warn!(order_id = id, venue = "XNAS"; "rejected: {reason}");
/// logger::error!(target: "risk", rate: "10/s", "limit breached at {}", px);
/// logger::debug!(id; "connected");
/// logger::trace!("heartbeat");
/// ```
///
/// The first writes (one line in the file):
///
/// ```text
/// {"ts":"2026-11-30T12:00:00.123456789Z","level":"INFO","kind":"log","target":"app",
///  "service":"app","msg":"order 42 AAPL at 187.5","module":"app","file":"src/main.rs",
///  "line":3,"function":"app::main","thread":"main","tid":4242,"pid":4242,"host":"box1"}
/// ```
pub use logger_macros::info;

/// Records a `WARN` event of kind `log`: [`info!`] at `WARN`.
///
/// # Examples
///
/// ```
/// let id = 7u64;
/// logger::warn!(order_id = id; "rejected: {}", "price band");
/// ```
pub use logger_macros::warn;

/// Records an `ERROR` event of kind `log`: [`info!`] at `ERROR` (also
/// written to the errors file). [`critical!`] stays a `log` facade macro:
/// it formats its message on the calling thread.
///
/// # Examples
///
/// ```
/// let venue = "XNAS";
/// logger::error!(venue; "session lost after {} retries", 3);
/// ```
pub use logger_macros::error;

/// Records a `DEBUG` event of kind `log`: [`info!`] at `DEBUG`.
///
/// # Examples
///
/// ```
/// logger::debug!("book rebuilt: {} levels", 10);
/// ```
pub use logger_macros::debug;

/// Records a `TRACE` event of kind `log`: [`info!`] at `TRACE`.
///
/// # Examples
///
/// ```
/// logger::trace!(seq = 9u32; "tick");
/// ```
pub use logger_macros::trace;

/// Times every call of a function and records it as a `perf` record.
///
/// Works on free functions, methods (`&self`, `&mut self`, `self`,
/// `self: Box<Self>`), trait methods with a body, generic functions,
/// functions returning `impl Trait`, `unsafe` and `extern` functions, and
/// `async fn`. A `const fn`, a trait method without a body and any item
/// that is not a function are compile errors saying why (the item is
/// then emitted unchanged, so the rest of the crate still compiles).
///
/// Options, all optional, comma-separated:
///
/// | option | meaning |
/// | --- | --- |
/// | `name = "op"` | the `operation` field and message (default: the function's name) |
/// | `level = "debug"` | `critical`, `error`, `warn`, `info` (default), `debug`, `trace` |
/// | `threshold = "50us"` | record successful calls only when at least this slow (`ns`, `us`, `ms`, `s`; decimals allowed); errors and panics are always recorded |
/// | `sample = N` | time and record one call in `N` per thread (the first, then every `N`-th); the others run untouched |
/// | `rate = "100/s"` | at most this many records per window, shared by all threads (as `rate:` in [`trade!`]); checked when a record is about to be written (after `threshold` and `sample`) |
/// | `args(a, b)` | record these parameters as fields (any [`Loggable`] type), captured when the call starts (strings are copied) |
/// | `cpu` | also record `cpu_ns`, the thread's CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: a system call at each end, about 0.3 us) |
///
/// Fields, in order: `operation`, `elapsed_ns` (wall time), for `async fn`
/// `busy_ns` (time spent inside `poll`) and `polls`, then `cpu_ns` (with
/// `cpu`), `outcome`, `error` (only for `err`), then the `args`.
///
/// `outcome` is `ok` (a value, or `Ok`), `err` (an `Err`; `error` holds
/// its `Display` when it has one, formatted on the calling thread),
/// `panic` (recorded by a drop guard while the panic unwinds) or, for an
/// `async fn` whose future is dropped before it completes, `cancelled`.
/// Early `return`s and `?` are timed where they leave the function: the
/// body runs in a closure (an `async` block for `async fn`) whose result
/// is inspected.
///
/// For an `async fn`, `elapsed_ns` runs from the first poll to completion
/// and `busy_ns` adds up the polls: an `async fn` that waits is busy far
/// less than its wall time.
///
/// The function's path (`function`), file and line are in every record.
///
/// # Cost
///
/// The level check (and the sampling counter) first; when off, the body
/// runs with no timestamp taken. When on: two timestamps around the body
/// and one record (as [`trade!`]).
///
/// # Examples
///
/// ```
/// use logger::log_performance;
///
/// #[log_performance]
/// fn price(qty: u64) -> f64 {
///     qty as f64 * 1.5
/// }
///
/// #[log_performance(name = "send_order", level = "debug", threshold = "50us", args(symbol, qty))]
/// fn send(symbol: &str, qty: u64) -> Result<u64, String> {
///     if qty == 0 {
///         return Err(format!("empty order for {symbol}"));
///     }
///     Ok(qty)
/// }
///
/// struct Gateway;
/// impl Gateway {
///     #[log_performance(sample = 100, cpu)]
///     async fn ack(&self, id: u64) -> u64 {
///         id
///     }
/// }
///
/// #[log_performance(rate = "1000/s")]
/// fn on_quote(px: f64) -> f64 {
///     px * 2.0
/// }
///
/// assert_eq!(price(2), 3.0);
/// assert_eq!(on_quote(1.5), 3.0);
/// assert!(send("AAPL", 0).is_err());
/// let _future = Gateway.ack(7);
/// ```
///
/// ```text
/// {"ts":"...","level":"DEBUG","kind":"perf","target":"app","msg":"send_order","module":"app",
///  "file":"src/main.rs","line":9,"function":"app::send","thread":"main","tid":4242,"pid":99,"host":"box1",
///  "fields":{"operation":"send_order","elapsed_ns":412,"outcome":"err","error":"empty order for AAPL","symbol":"AAPL","qty":0}}
/// ```
pub use logger_macros::log_performance;

/// `#[derive(Loggable)]`: see [`Loggable`](trait@Loggable).
///
/// A fieldless enum records its variant's name (`#[loggable(rename =
/// "..")]` on a variant, `#[loggable(rename_all = "..")]` on the enum); a
/// struct with exactly one field records that field.
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
///
/// #[derive(Loggable)]
/// #[loggable(rename_all = "lowercase")]
/// enum Side { Buy, #[loggable(rename = "short")] SellShort }
///
/// #[derive(Loggable)]
/// struct OrderId(u64);
///
/// assert_eq!(Side::Buy.log_value(), LogValue::StaticStr("buy"));
/// assert_eq!(Side::SellShort.log_value(), LogValue::StaticStr("short"));
/// assert_eq!(OrderId(7).log_value(), LogValue::U64(7));
/// ```
pub use logger_macros::Loggable;

use std::sync::atomic::Ordering::Relaxed;

/// Waits until every record logged before this call is in its file's
/// mapping (where it survives a crash of the process), or the configured
/// flush timeout passes. `log::logger().flush()` does the same.
///
/// Returns `Ok` at once before install (nothing was logged), and
/// [`FlushError::Stopped`] at once after the logger stopped. Called from
/// the flusher thread itself (e.g. in a panic), it does not wait.
///
/// # Errors
///
/// [`FlushError::Timeout`] when the flusher did not catch up in time.
///
/// [`FlushError::Stopped`] when the logger is stopped: its guard was
/// dropped, its flusher thread ended, or this process is a fork of the one
/// that installed it. Records logged since were dropped (counted in
/// [`metrics()`]`.records_dropped`), so `Ok` would claim what is not true.
///
/// [`FlushError::Io`] when a record that did not reach its file has not
/// been reported by an earlier call. The rule: every record that fails to
/// reach its file (sent to stderr because the file failed: full disk,
/// directory removed or read-only; or copied into a file that was then
/// found deleted) is counted, and each failure is returned, as
/// `FlushError::Io { errors }`, by exactly one call: the first whose wait
/// ends after the failure was counted, whenever the failure happened
/// (before this call, before an earlier call that returned `Ok`, or
/// during it). So `Ok(())` means every record logged since install is in
/// its file or was reported as not in it by an earlier `flush()`. Before
/// each completion the flusher checks that every file is still where it
/// was opened, so that lines written into a deleted file count too.
/// Records a policy drops (a full ring under `DropNewest`, a `rate:`
/// limit, `max_records_per_second`) are not errors: they are counted in
/// [`metrics()`] and reported in a `WARN` record.
///
/// # Examples
///
/// ```
/// // Without an installed logger there is nothing to wait for.
/// assert!(logger::flush().is_ok());
/// ```
pub fn flush() -> Result<(), FlushError> {
    match lifecycle::state() {
        lifecycle::RUNNING => {}
        lifecycle::STOPPED => return Err(FlushError::Stopped),
        _ => return Ok(()),
    }
    if std::thread::current().name() == Some(backend::flusher::THREAD_NAME) {
        return Ok(());
    }
    match backend::barrier::flush(lifecycle::flush_timeout()) {
        Err(()) => Err(FlushError::Timeout),
        Ok(0) => Ok(()),
        Ok(errors) => Err(FlushError::Io { errors }),
    }
}

/// Registers the calling thread's ring now, so that its first record does
/// not pay for the allocation. Returns false when the logger is not running.
///
/// # Examples
///
/// ```
/// // Not installed: nothing to register.
/// assert!(!logger::preallocate());
/// ```
pub fn preallocate() -> bool {
    frontend::thread_ring::preallocate()
}

/// A snapshot of the logger's counters.
///
/// # Examples
///
/// ```
/// let m = logger::metrics();
/// assert_eq!(m.records_dropped, 0);
/// ```
pub fn metrics() -> Metrics {
    let (records_created, records_dropped, rings) = registry::totals();
    let c = &metrics::COUNTERS;
    Metrics {
        records_created,
        records_written: c.records_written.load(Relaxed),
        records_dropped: records_dropped + c.dropped_after_shutdown.load(Relaxed),
        ring_occupancy_bytes: c.ring_occupancy.load(Relaxed),
        rings,
        bytes_written: c.bytes_written.load(Relaxed),
        rotations: c.rotations.load(Relaxed),
        io_errors: c.io_errors.load(Relaxed),
        files_open: c.files_open.load(Relaxed),
        files_changed_externally: c.files_changed_externally.load(Relaxed),
        records_to_stderr: c.records_to_stderr.load(Relaxed),
        lines_lost: c.lines_lost.load(Relaxed),
        keys_cut: c.keys_cut.load(Relaxed),
        late_records: c.late_records.load(Relaxed),
        records_rate_limited: rate_limit::total_dropped(),
        records_over_cap: c.records_over_cap.load(Relaxed),
        ring_bytes: c.ring_bytes.load(Relaxed),
        rings_grown: c.rings_grown.load(Relaxed),
        buffer_bytes: c.buffer_bytes.load(Relaxed),
        flusher_cpu_ns: metrics::flusher_cpu_ns(),
        write_calls: c.write_calls.load(Relaxed),
        sync_calls: c.sync_calls.load(Relaxed),
        compressed_input_bytes: c.compressed_in.load(Relaxed),
        compressed_output_bytes: c.compressed_out.load(Relaxed),
    }
}
