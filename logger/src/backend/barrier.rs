//! [`crate::flush`]: a barrier that returns once every record logged
//! before the call is in the file (written, in the page cache).
//!
//! A caller takes a ticket; the flusher, at the start of its next cycle,
//! sees the newest ticket, emits everything published so far (every record
//! logged before any of the waiting calls), and completes the ticket.
//!
//! With each completion the flusher publishes how many records had, by
//! then, failed to reach their file (sent to stderr, or written into a file
//! found deleted): [`crate::flush`] reports each such record to exactly one
//! caller, the first whose wait ends after the failure was counted.
//!
//! Completion is published twice: in an atomic counter, which the signal
//! handler polls (it may not lock a mutex: the thread it interrupted may
//! hold it), and under the mutex, whose condvar wakes ordinary callers of
//! `flush()`. The flusher reads pending tickets from the atomics only, so
//! a thread interrupted by a signal while holding the mutex never stalls
//! it before the signal's flush is complete.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::registry::lock;

static REQUESTED: AtomicU64 = AtomicU64::new(0);
/// Records not in their file, as counted when the newest ticket completed.
static FAILED_AT_COMPLETION: AtomicU64 = AtomicU64::new(0);
/// The part of `FAILED_AT_COMPLETION` already returned by a `flush()`.
static REPORTED: AtomicU64 = AtomicU64::new(0);
/// Newest completed ticket, for lock-free readers (the signal handler).
static COMPLETED_SEQ: AtomicU64 = AtomicU64::new(0);
/// Newest completed ticket, for the condvar.
static COMPLETED: Mutex<u64> = Mutex::new(0);
static DONE: Condvar = Condvar::new();

/// Takes a ticket without waiting for it (async-signal-safe: one atomic
/// read-modify-write).
pub(crate) fn request() -> u64 {
    // AcqRel: records this thread published before are visible to the
    // flusher once it reads this ticket with Acquire.
    REQUESTED.fetch_add(1, Ordering::AcqRel) + 1
}

/// The newest completed ticket (async-signal-safe: one atomic load).
pub(crate) fn completed() -> u64 {
    COMPLETED_SEQ.load(Ordering::Acquire)
}

/// Takes a ticket and waits until the flusher completes it, for at most
/// `timeout`. Returns false on timeout, else how many records failed to
/// reach their file and were not reported to an earlier caller (`Ok(0)`:
/// every record logged before the call is in its file).
pub(crate) fn flush(timeout: Duration) -> Result<u64, ()> {
    if !request_and_wait(timeout) {
        return Err(());
    }
    // Published before the completion this thread saw (Release/Acquire
    // through COMPLETED's mutex), so it counts every failure of a record
    // logged before the ticket.
    let failed = FAILED_AT_COMPLETION.load(Ordering::Acquire);
    let reported = REPORTED.fetch_max(failed, Ordering::AcqRel);
    Ok(failed.saturating_sub(reported))
}

fn request_and_wait(timeout: Duration) -> bool {
    let ticket = request();
    // `install()` bounds the timeout; a deadline past what `Instant` can
    // hold would mean "no deadline" rather than a panic.
    let deadline = Instant::now().checked_add(timeout);
    let mut done = lock(&COMPLETED);
    while *done < ticket {
        let left = deadline.map_or(timeout, |d| d.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return false;
        }
        done = match DONE.wait_timeout(done, left) {
            Ok((g, _)) => g,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
    true
}

/// The newest ticket not yet completed (flusher side).
pub(crate) fn pending() -> Option<u64> {
    let requested = REQUESTED.load(Ordering::Acquire);
    (requested > COMPLETED_SEQ.load(Ordering::Relaxed)).then_some(requested)
}

/// Completes every ticket up to `ticket` (flusher side); `failed`: how
/// many records failed to reach their file so far (a running total).
pub(crate) fn complete(ticket: u64, failed: u64) {
    FAILED_AT_COMPLETION.fetch_max(failed, Ordering::Release);
    COMPLETED_SEQ.fetch_max(ticket, Ordering::Release);
    let mut done = lock(&COMPLETED);
    if *done < ticket {
        *done = ticket;
    }
    DONE.notify_all();
}
