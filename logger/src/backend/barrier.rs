//! [`crate::flush`]: a barrier that returns once every record logged
//! before the call is in the file (written, in the page cache).
//!
//! A caller takes a ticket; the flusher, at the start of its next cycle,
//! sees the newest ticket, emits everything published so far (every record
//! logged before any of the waiting calls), and completes the ticket.
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
/// `timeout`. Returns false on timeout.
pub(crate) fn request_and_wait(timeout: Duration) -> bool {
    let ticket = request();
    let deadline = Instant::now() + timeout;
    let mut done = lock(&COMPLETED);
    while *done < ticket {
        let left = deadline.saturating_duration_since(Instant::now());
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

/// Completes every ticket up to `ticket` (flusher side).
pub(crate) fn complete(ticket: u64) {
    COMPLETED_SEQ.fetch_max(ticket, Ordering::Release);
    let mut done = lock(&COMPLETED);
    if *done < ticket {
        *done = ticket;
    }
    DONE.notify_all();
}
