//! [`crate::flush`]: a barrier that returns once every record logged
//! before the call is in the file mapping.
//!
//! A caller takes a ticket; the flusher, at the start of its next cycle,
//! sees the newest ticket, emits everything published so far (every record
//! logged before any of the waiting calls), and completes the ticket.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::registry::lock;

static REQUESTED: AtomicU64 = AtomicU64::new(0);
static COMPLETED: Mutex<u64> = Mutex::new(0);
static DONE: Condvar = Condvar::new();

/// Takes a ticket and waits until the flusher completes it, for at most
/// `timeout`. Returns false on timeout.
pub(crate) fn request_and_wait(timeout: Duration) -> bool {
    // AcqRel: records this thread published before are visible to the
    // flusher once it reads this ticket with Acquire.
    let ticket = REQUESTED.fetch_add(1, Ordering::AcqRel) + 1;
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
    (requested > *lock(&COMPLETED)).then_some(requested)
}

/// Completes every ticket up to `ticket` (flusher side).
pub(crate) fn complete(ticket: u64) {
    let mut done = lock(&COMPLETED);
    if *done < ticket {
        *done = ticket;
    }
    DONE.notify_all();
}
