//! A nanosecond-scale structured logger for trading systems.
//!
//! `logger` installs as the global [`log`] backend. A logging thread copies
//! each record's raw bytes into its own lock-free SPSC ring (no lock, no
//! allocation, no syscall after its first record); one flusher thread
//! drains every ring, merges the threads by timestamp, formats JSON lines
//! (or text) and copies them into memory-mapped, rotating files.
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
//! - Per-thread order is always kept; files read in timestamp order.
//! - A record whose `log` call returned before [`flush`] was called is in
//!   the file mapping when `flush` returns: it survives a crash of the
//!   process (panic, abort, SIGKILL) without any `fsync`.
//! - Under [`OverflowPolicy::Block`] (the default) nothing is lost; under
//!   `DropNewest` every drop is counted and reported in the files.
//! - The logger never panics and never blocks the host forever: I/O errors
//!   are counted, reported on stderr and the records go to stderr instead.
//!
//! The README holds the full guide: configuration, file naming, the record
//! schema, and the measured figures.

mod backend;
mod callsite;
mod civil_time;
mod clock;
mod config;
mod error;
mod fault;
mod format;
mod frontend;
mod guard;
mod install;
mod lifecycle;
mod metrics;
mod panic_hook;
mod registry;
mod sink;
mod view;
mod wire;

pub use config::{
    ClockSource, Config, DEFAULT_FLUSH_TIMEOUT, DEFAULT_GROW_CAP_BYTES, DEFAULT_IDLE_SLEEP,
    DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_MERGE_DELAY, DEFAULT_RING_BYTES, DEFAULT_WINDOW_BYTES,
    FileSpec, Format, MIN_RING_BYTES, MsyncPolicy, OverflowPolicy, ParseOverflowError,
    RotationConfig, TimeRotation, TimeZone,
};
pub use error::{FlushError, InitError};
pub use guard::LoggerGuard;
pub use install::{Builder, builder};
pub use metrics::Metrics;
pub use view::Kind;

use std::sync::atomic::Ordering::Relaxed;

/// Waits until every record logged before this call is in its file's
/// mapping (where it survives a crash of the process), or the configured
/// flush timeout passes. `log::logger().flush()` does the same.
///
/// Returns at once when the logger is not running. Called from the
/// flusher thread itself (e.g. in a panic), it does not wait.
///
/// # Errors
///
/// [`FlushError::Timeout`] when the flusher did not catch up in time;
/// [`FlushError::Io`] when I/O errors happened meanwhile (those records
/// went to stderr).
///
/// # Examples
///
/// ```
/// // Without an installed logger there is nothing to wait for.
/// assert!(logger::flush().is_ok());
/// ```
pub fn flush() -> Result<(), FlushError> {
    if lifecycle::state() != lifecycle::RUNNING
        || std::thread::current().name() == Some(backend::flusher::THREAD_NAME)
    {
        return Ok(());
    }
    let errors_before = metrics::COUNTERS.io_errors.load(Relaxed);
    if !backend::barrier::request_and_wait(lifecycle::flush_timeout()) {
        return Err(FlushError::Timeout);
    }
    match metrics::COUNTERS.io_errors.load(Relaxed) - errors_before {
        0 => Ok(()),
        errors => Err(FlushError::Io { errors }),
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
        records_to_stderr: c.records_to_stderr.load(Relaxed),
        late_records: c.late_records.load(Relaxed),
    }
}
