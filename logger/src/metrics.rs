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
    /// Capacity of every ring the flusher reads, as of its last cycle.
    pub ring_bytes: AtomicU64,
    /// Rings replaced by a larger one (`OverflowPolicy::Grow`).
    pub rings_grown: AtomicU64,
    /// Capacity of grown rings the flusher has not yet taken over.
    pub chained_ring_bytes: AtomicU64,
    /// Capacity of the flusher's line and file buffers, last cycle.
    pub buffer_bytes: AtomicU64,
    /// `write(2)` calls into the files, and `fdatasync` calls.
    pub write_calls: AtomicU64,
    pub sync_calls: AtomicU64,
    /// Bytes of rotated files gzip'ed, before and after.
    pub compressed_in: AtomicU64,
    pub compressed_out: AtomicU64,
    /// The flusher's CPU clock (`pthread_getcpuclockid`) while it runs,
    /// as an `i64` (`i64::MIN`: none), and its CPU time when it stopped.
    pub flusher_clock: std::sync::atomic::AtomicI64,
    pub flusher_cpu_at_stop: AtomicU64,
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
    ring_bytes: AtomicU64::new(0),
    rings_grown: AtomicU64::new(0),
    chained_ring_bytes: AtomicU64::new(0),
    buffer_bytes: AtomicU64::new(0),
    write_calls: AtomicU64::new(0),
    sync_calls: AtomicU64::new(0),
    compressed_in: AtomicU64::new(0),
    compressed_out: AtomicU64::new(0),
    flusher_clock: std::sync::atomic::AtomicI64::new(i64::MIN),
    flusher_cpu_at_stop: AtomicU64::new(0),
};

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }
}

/// A producer moved to a larger ring of `cap` bytes (cold: at most a few
/// times per thread).
pub(crate) fn ring_grown(cap: usize) {
    Counters::add(&COUNTERS.rings_grown, 1);
    Counters::add(&COUNTERS.chained_ring_bytes, cap as u64);
}

/// The flusher took over a grown ring of `cap` bytes.
pub(crate) fn ring_taken_over(cap: usize) {
    COUNTERS.chained_ring_bytes.fetch_sub(cap as u64, Relaxed);
}

/// CPU time of `clock` in ns, or `None` when the clock is gone.
fn cpu_ns(clock: libc::clockid_t) -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; an unknown clock id is
    // an `EINVAL` return, not undefined behaviour.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then(|| (ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64)
}

/// Called on the flusher thread when it starts: its CPU clock, so that
/// any thread can read the flusher's CPU time.
pub(crate) fn flusher_started() {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: `pthread_self()` is this running thread; `clock` is writable.
    if unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0 {
        COUNTERS.flusher_clock.store(i64::from(clock), Relaxed);
    }
}

/// Called on the flusher thread as it stops: its final CPU time is kept.
pub(crate) fn flusher_stopping() {
    let clock = COUNTERS.flusher_clock.swap(i64::MIN, Relaxed);
    if let Some(ns) = i32::try_from(clock).ok().and_then(cpu_ns) {
        COUNTERS.flusher_cpu_at_stop.store(ns, Relaxed);
    }
}

/// CPU time the flusher thread has used (user + system), in ns.
pub(crate) fn flusher_cpu_ns() -> u64 {
    let clock = COUNTERS.flusher_clock.load(Relaxed);
    i32::try_from(clock)
        .ok()
        .and_then(cpu_ns)
        .unwrap_or_else(|| COUNTERS.flusher_cpu_at_stop.load(Relaxed))
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
    /// Bytes waiting in all rings at the end of the flusher's last cycle
    /// (after it published how far it read: 0 after a `flush()` when no
    /// thread logs meanwhile).
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
    /// Memory of the rings: the capacity, in bytes, of every ring the
    /// flusher reads (one a logging thread, plus the larger rings that
    /// `OverflowPolicy::Grow` chained and the flusher has not finished
    /// reading), as of its last cycle.
    pub ring_bytes: u64,
    /// Rings replaced by a larger one under `OverflowPolicy::Grow`, since
    /// the start.
    pub rings_grown: u64,
    /// Memory of the flusher's buffers: its line buffer and every file's
    /// pending batch (capacity, bytes), as of its last cycle.
    pub buffer_bytes: u64,
    /// CPU time used by the flusher thread so far (user and system, ns;
    /// `pthread_getcpuclockid`), read by this call, not by the flusher.
    pub flusher_cpu_ns: u64,
    /// `write(2)` calls made into the log files.
    pub write_calls: u64,
    /// `fdatasync` calls made on the log files (`msync` policy, `flush`
    /// with a sync policy, rotation).
    pub sync_calls: u64,
    /// Bytes of rotated files gzip'ed (`compress`), before compression.
    pub compressed_input_bytes: u64,
    /// Size of the `.gz` files those bytes became.
    pub compressed_output_bytes: u64,
}

impl Metrics {
    /// How many times smaller the gzip'ed rotated files are than their
    /// text (`compressed_input_bytes / compressed_output_bytes`); `None`
    /// until a file was compressed.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = logger::Metrics { compressed_input_bytes: 900, compressed_output_bytes: 100, ..Default::default() };
    /// assert_eq!(m.compression_ratio(), Some(9.0));
    /// assert_eq!(logger::Metrics::default().compression_ratio(), None);
    /// ```
    pub fn compression_ratio(&self) -> Option<f64> {
        (self.compressed_output_bytes > 0)
            .then(|| self.compressed_input_bytes as f64 / self.compressed_output_bytes as f64)
    }
}
