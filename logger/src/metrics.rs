//! Counters of the pipeline, and the [`Metrics`] snapshot users read.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Process-wide counters, written by the flusher, the sinks and the cold
/// paths of producers. Per-thread hot counters live in each thread's slot
/// and are summed by [`crate::metrics()`].
///
/// Aligned to 128 bytes (a cache line and its prefetch pair): the flusher
/// writes these while producers read read-mostly statics (`log`'s max
/// level, our state); sharing a line with one of those would cost the hot
/// path a cache miss after every flusher cycle (measured: `trade!` p50 72
/// -> 29 ns in the burst benchmark once separated).
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct Counters {
    pub records_written: AtomicU64,
    pub bytes_written: AtomicU64,
    pub rotations: AtomicU64,
    pub io_errors: AtomicU64,
    pub files_open: AtomicU64,
    pub files_changed_externally: AtomicU64,
    pub records_to_stderr: AtomicU64,
    /// Lines written into a file later found deleted (see `Metrics::lines_lost`).
    pub lines_lost: AtomicU64,
    pub dropped_after_shutdown: AtomicU64,
    /// Records dropped because the logger had stopped (also in the
    /// dropped totals; reported at process exit).
    pub dropped_while_stopped: AtomicU64,
    /// Keys cut to fit their `u16` length (see `Metrics::keys_cut`).
    pub keys_cut: AtomicU64,
    pub late_records: AtomicU64,
    /// Records discarded by the flusher over `max_records_per_second`.
    pub records_over_cap: AtomicU64,
    /// Bytes waiting in every ring, as of the flusher's last cycle.
    pub ring_occupancy: AtomicU64,
    /// Created/dropped totals of threads that have exited.
    pub retired_created: AtomicU64,
    pub retired_dropped: AtomicU64,
}

pub(crate) static COUNTERS: Counters = Counters {
    records_written: AtomicU64::new(0),
    bytes_written: AtomicU64::new(0),
    rotations: AtomicU64::new(0),
    io_errors: AtomicU64::new(0),
    files_open: AtomicU64::new(0),
    files_changed_externally: AtomicU64::new(0),
    records_to_stderr: AtomicU64::new(0),
    lines_lost: AtomicU64::new(0),
    dropped_after_shutdown: AtomicU64::new(0),
    dropped_while_stopped: AtomicU64::new(0),
    keys_cut: AtomicU64::new(0),
    late_records: AtomicU64::new(0),
    records_over_cap: AtomicU64::new(0),
    ring_occupancy: AtomicU64::new(0),
    retired_created: AtomicU64::new(0),
    retired_dropped: AtomicU64::new(0),
};

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }
}

/// A snapshot of the logger's counters, from [`crate::metrics()`].
///
/// # Examples
///
/// ```
/// let m = logger::metrics();
/// assert!(m.records_written <= m.records_created);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Records accepted by a producer (after the level check, and after a
    /// call site's rate limit: see `records_rate_limited`).
    pub records_created: u64,
    /// Records formatted and handed to the files (or to stderr on I/O error).
    pub records_written: u64,
    /// Records dropped: full ring under `DropNewest`, or logged after shutdown.
    pub records_dropped: u64,
    /// Bytes currently waiting in all rings.
    pub ring_occupancy_bytes: u64,
    /// Threads with a registered ring.
    pub rings: u64,
    /// Bytes copied into the files.
    pub bytes_written: u64,
    /// File rotations performed.
    pub rotations: u64,
    /// I/O errors met (each also reported, rate-limited, on stderr).
    pub io_errors: u64,
    /// Files currently open.
    pub files_open: u64,
    /// Times another process was found to have changed an active file
    /// under the logger: truncated it (`truncate -s 0`, logrotate's
    /// `copytruncate`), unlinked it, renamed it away or replaced it. Each
    /// is also said on stderr and in a `WARN` record (target `logger`) in
    /// the file; the logger writes on from the file's new end, or into a
    /// new file. Not an I/O error: `flush()` does not fail for it. See
    /// `docs/reliability.md`, "Files under the mapping".
    pub files_changed_externally: u64,
    /// Records written to stderr because their file failed.
    pub records_to_stderr: u64,
    /// Lines copied into a file that the logger then found deleted (its
    /// directory removed, or the file unlinked) before it noticed: gone
    /// with the file. One record written to two files that are both lost
    /// counts twice. Noticed within a second of record time, and at every
    /// [`crate::flush`].
    pub lines_lost: u64,
    /// `log` keys of more than 65,535 bytes, cut on a char boundary to fit
    /// and ending in `…[truncated]` (the only keys ever cut; context keys
    /// have their own 64-byte limit).
    pub keys_cut: u64,
    /// Records that reached the flusher after newer records of other
    /// threads were written (written anyway, out of timestamp order).
    pub late_records: u64,
    /// Records dropped by a call site's own rate limit (`trade!(rate:
    /// "100/s", ..)`, `perf!(rate: ..)`, `#[log_performance(rate = ..)]`).
    /// They never entered a ring: `records_created` does not count them.
    pub records_rate_limited: u64,
    /// Records discarded by the flusher, unformatted, because their second
    /// of record time already held `max_records_per_second` records
    /// (`ERROR` records are never discarded). They were created: once
    /// every ring is drained (and without a backtrace ring, which holds
    /// records back), `records_created + (records the logger wrote about
    /// itself: its warnings, signal records) == records_written +
    /// records_over_cap`.
    pub records_over_cap: u64,
}
