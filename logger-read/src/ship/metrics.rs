//! Per-destination counters of the shipper, readable from any thread.
//!
//! The same names for every destination: `records_sent`, `bytes_sent`,
//! `retries`, `errors`, `abandoned` (records written to the dead-letter
//! file), `gaps` (files deleted before they were fully read), `lag_bytes`
//! and `lag_seconds` (how far the delivered checkpoint is behind the end of
//! the files, in bytes of plain content and in record time), and `state`.

use std::sync::atomic::{AtomicU64, Ordering};

use super::state::{DestinationState, StateCell};

/// Live counters of one destination; share it with `Arc`.
///
/// ```
/// use logger_read::ship::ShipMetrics;
/// let m = ShipMetrics::new("postgres");
/// m.add_sent(10, 2_000);
/// let s = m.snapshot();
/// assert_eq!((s.records_sent, s.bytes_sent), (10, 2_000));
/// assert_eq!(s.state.as_str(), "active");
/// ```
#[derive(Debug)]
pub struct ShipMetrics {
    destination: String,
    records_sent: AtomicU64,
    bytes_sent: AtomicU64,
    retries: AtomicU64,
    errors: AtomicU64,
    abandoned: AtomicU64,
    gaps: AtomicU64,
    lag_bytes: AtomicU64,
    lag_micros: AtomicU64,
    state: StateCell,
}

/// A copy of a destination's counters at one instant (serialisable, for
/// `logger ship --metrics` and tests).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MetricsSnapshot {
    /// The destination's name.
    pub destination: String,
    /// Records delivered (acknowledged or committed).
    pub records_sent: u64,
    /// Bytes of those records' lines (without newlines).
    pub bytes_sent: u64,
    /// Delivery attempts repeated after a failure.
    pub retries: u64,
    /// Failed delivery attempts (each failure once).
    pub errors: u64,
    /// Records given up on: written to the dead-letter file.
    pub abandoned: u64,
    /// Files deleted before they were fully read (their unread records are lost).
    pub gaps: u64,
    /// Bytes between the delivered checkpoint and the end of the files,
    /// counted in plain (uncompressed, decrypted) content, the unit of a
    /// checkpoint's offset: a rotated `.gz` file counts the length its gzip
    /// trailer gives (exact up to 4 GiB; past that, short by a multiple of
    /// 4 GiB until the reader is in its last 4 GiB). The files are looked
    /// at every 100 ms at most; in between, what is read counts as read
    /// and no longer as unread, so the figure falls as batches are
    /// delivered and rises only with new records. 0 until the first look.
    pub lag_bytes: u64,
    /// Seconds between the newest record read and the newest delivered.
    pub lag_seconds: f64,
    /// The connection state.
    pub state: DestinationState,
}

impl ShipMetrics {
    /// Zeroed counters, state `Active`.
    pub fn new(destination: &str) -> Self {
        Self {
            destination: destination.to_owned(),
            records_sent: AtomicU64::new(0),
            bytes_sent: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            abandoned: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            lag_bytes: AtomicU64::new(0),
            lag_micros: AtomicU64::new(0),
            state: StateCell::new(destination),
        }
    }

    /// The destination's name.
    pub fn destination(&self) -> &str {
        &self.destination
    }

    /// The state cell (changes print a `WARN` line on stderr).
    pub fn state(&self) -> &StateCell {
        &self.state
    }

    /// Counts `records` records of `bytes` bytes delivered.
    pub fn add_sent(&self, records: u64, bytes: u64) {
        self.records_sent.fetch_add(records, Ordering::Relaxed);
        self.bytes_sent.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts one repeated attempt.
    pub fn add_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one failed attempt.
    pub fn add_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `n` records written to the dead-letter file.
    pub fn add_abandoned(&self, n: u64) {
        self.abandoned.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one file lost before it was fully read.
    pub fn add_gap(&self) {
        self.gaps.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets the lag: `bytes` of plain content behind the end of the files,
    /// `seconds` of record time.
    pub fn set_lag(&self, bytes: u64, seconds: f64) {
        self.lag_bytes.store(bytes, Ordering::Relaxed);
        let micros = (seconds.max(0.0) * 1e6) as u64;
        self.lag_micros.store(micros, Ordering::Relaxed);
    }

    /// A copy of every counter.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            destination: self.destination.clone(),
            records_sent: self.records_sent.load(Ordering::Relaxed),
            bytes_sent: self.bytes_sent.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            abandoned: self.abandoned.load(Ordering::Relaxed),
            gaps: self.gaps.load(Ordering::Relaxed),
            lag_bytes: self.lag_bytes.load(Ordering::Relaxed),
            lag_seconds: self.lag_micros.load(Ordering::Relaxed) as f64 / 1e6,
            state: self.state.get(),
        }
    }
}
