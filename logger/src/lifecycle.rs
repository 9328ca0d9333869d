//! Process-wide state of the logger: installed, running, stopped; and the
//! few settings producers read on their cold paths.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use crate::alone::Alone;
use crate::config::OverflowPolicy;

/// Not installed: records are ignored.
pub(crate) const NOT_INSTALLED: u8 = 0;
/// Installed and the flusher is running.
pub(crate) const RUNNING: u8 = 1;
/// The guard was dropped (or the flusher died): records are dropped and counted.
pub(crate) const STOPPED: u8 = 2;

/// Read on every record, written at install and shutdown.
static STATE: Alone<AtomicU8> = Alone(AtomicU8::new(NOT_INSTALLED));

/// Ring capacity for new threads, in bytes.
static RING_BYTES: AtomicUsize = AtomicUsize::new(crate::config::DEFAULT_RING_BYTES);
/// 0 = Block, 1 = DropNewest, 2 = Grow.
static OVERFLOW_KIND: AtomicU8 = AtomicU8::new(0);
static GROW_CAP: AtomicUsize = AtomicUsize::new(crate::config::DEFAULT_GROW_CAP_BYTES);

/// The current state, one relaxed load (hot path).
#[inline(always)]
pub(crate) fn state() -> u8 {
    STATE.0.load(Ordering::Relaxed)
}

pub(crate) fn set_state(s: u8) {
    STATE.0.store(s, Ordering::Release);
}

/// Moves from `NOT_INSTALLED` to `RUNNING`; false if installed before.
pub(crate) fn try_start() -> bool {
    STATE
        .0
        .compare_exchange(NOT_INSTALLED, RUNNING, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
}

pub(crate) fn set_producer_config(ring_bytes: usize, overflow: OverflowPolicy) {
    RING_BYTES.store(ring_bytes, Ordering::Relaxed);
    let (kind, cap) = match overflow {
        OverflowPolicy::Block => (0, 0),
        OverflowPolicy::DropNewest => (1, 0),
        OverflowPolicy::Grow { cap_bytes } => (2, cap_bytes),
    };
    GROW_CAP.store(cap, Ordering::Relaxed);
    OVERFLOW_KIND.store(kind, Ordering::Relaxed);
}

pub(crate) fn ring_bytes() -> usize {
    RING_BYTES.load(Ordering::Relaxed)
}

pub(crate) fn overflow() -> OverflowPolicy {
    match OVERFLOW_KIND.load(Ordering::Relaxed) {
        1 => OverflowPolicy::DropNewest,
        2 => OverflowPolicy::Grow {
            cap_bytes: GROW_CAP.load(Ordering::Relaxed),
        },
        _ => OverflowPolicy::Block,
    }
}

static FLUSH_TIMEOUT_NS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(5_000_000_000);

/// Sets the bound of `flush()`; `install()` checked it (at most
/// `MAX_DURATION_OPTION`), and it saturates anyway.
pub(crate) fn set_flush_timeout(t: std::time::Duration) {
    let ns = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX).max(1);
    FLUSH_TIMEOUT_NS.store(ns, Ordering::Relaxed);
}

pub(crate) fn flush_timeout() -> std::time::Duration {
    std::time::Duration::from_nanos(FLUSH_TIMEOUT_NS.load(Ordering::Relaxed))
}
