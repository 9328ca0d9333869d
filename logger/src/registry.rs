//! Where producers hand their rings to the flusher.
//!
//! The lock here is taken only when a thread registers its first ring (or
//! grows it), by [`crate::metrics()`], and by the flusher when it picks up
//! new rings or retires a dead thread: never on a record's hot path.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ringbuf::HeapCons;

use crate::metrics::{COUNTERS, Counters};

/// What a logging thread shares with the flusher. Written by its producer
/// (`busy`, `created`, `dropped`), read by the flusher and by `metrics()`.
///
/// `busy` and `created`, which the producer stores on every record, have
/// 128 bytes (a line and its prefetch pair) to themselves: the flusher
/// reads `dropped` every cycle and `name` and `tid` for every record, and
/// a read of their line would make the producer's next store take it back
/// from the flusher's core (a transfer at the start of every burst). The
/// flusher reads `busy` only when several threads have records waiting.
#[repr(C, align(128))]
pub(crate) struct ThreadSlot {
    /// 1 while the producer is between taking a timestamp and publishing
    /// its record: the flusher does not emit other threads' records newer
    /// than the last moment it saw this thread idle (see `backend::merge`).
    pub busy: AtomicU64,
    /// Records this thread put in its ring.
    pub created: AtomicU64,
    /// Keeps the fields below off the lines of the two above.
    _producer_lines: [u64; 14],
    /// Records this thread dropped (full ring under `DropNewest`, or after shutdown).
    pub dropped: AtomicU64,
    /// Thread name at registration (`"<unnamed>"` when it had none).
    pub name: String,
    /// OS thread id.
    pub tid: u64,
    /// Larger rings chained by `OverflowPolicy::Grow`, oldest first, not yet
    /// taken over by the flusher.
    pub chain: Mutex<VecDeque<RingHandle>>,
}

const _: () = assert!(std::mem::offset_of!(ThreadSlot, dropped) >= 128);

impl ThreadSlot {
    pub(crate) fn new(name: String, tid: u64) -> Self {
        ThreadSlot {
            busy: AtomicU64::new(0),
            created: AtomicU64::new(0),
            _producer_lines: [0; 14],
            dropped: AtomicU64::new(0),
            name,
            tid,
            chain: Mutex::new(VecDeque::new()),
        }
    }

    /// Adds to a counter only this slot's producer writes: a load and a
    /// store, no locked read-modify-write.
    #[inline(always)]
    pub(crate) fn bump(counter: &AtomicU64, n: u64) {
        counter.store(counter.load(Ordering::Relaxed) + n, Ordering::Relaxed);
    }
}

/// The consumer end of a ring, with where its storage is.
pub(crate) struct RingHandle {
    pub cons: HeapCons<u8>,
    /// First byte of the storage (kept alive by `cons`).
    pub base: *const u8,
    /// Capacity in bytes, a power of two.
    pub cap: usize,
}

// SAFETY: `base` points into the ring's heap storage, which `cons` (an
// `Arc` of the ring) keeps alive wherever the handle goes; the consumer
// reads through it only the published, not yet released bytes.
unsafe impl Send for RingHandle {}

/// A ring registered by a producer, waiting for the flusher.
pub(crate) struct NewRing {
    pub slot: Arc<ThreadSlot>,
    pub ring: RingHandle,
}

static NEW_RINGS: Mutex<Vec<NewRing>> = Mutex::new(Vec::new());
static NEW_RINGS_PENDING: AtomicBool = AtomicBool::new(false);
static LIVE_SLOTS: Mutex<Vec<Arc<ThreadSlot>>> = Mutex::new(Vec::new());

/// Locks a mutex whatever a panicking holder left behind: the data here
/// (queues of rings, lists of slots) stays consistent across a panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Hands a new thread's ring to the flusher.
pub(crate) fn register(ring: NewRing) {
    lock(&LIVE_SLOTS).push(ring.slot.clone());
    lock(&NEW_RINGS).push(ring);
    NEW_RINGS_PENDING.store(true, Ordering::Release);
}

/// Takes the rings registered since the last call (flusher side).
///
/// Called every flusher cycle, so it only reads the flag until a ring is
/// registered: a `swap` is a write, which would take the flag's cache line
/// from every other core each cycle, and the linker puts hot-path statics
/// beside it (call sites' level caches, `log`'s max level: a miss on the
/// first record of every burst, measured in docs/performance.md). A
/// registration the relaxed load misses is taken at the next cycle; a
/// flush request orders the registrations before it (see `barrier`).
pub(crate) fn take_new(into: &mut Vec<NewRing>) {
    if NEW_RINGS_PENDING.load(Ordering::Relaxed) && NEW_RINGS_PENDING.swap(false, Ordering::Acquire)
    {
        into.append(&mut lock(&NEW_RINGS));
    }
}

/// Forgets a thread whose ring is drained and whose producer is gone; its
/// counters move into the process totals.
pub(crate) fn retire(slot: &Arc<ThreadSlot>) {
    let mut live = lock(&LIVE_SLOTS);
    live.retain(|s| !Arc::ptr_eq(s, slot));
    // Moved under the lock, so `totals()` never counts a thread twice or not at all.
    Counters::add(
        &COUNTERS.retired_created,
        slot.created.load(Ordering::Relaxed),
    );
    Counters::add(
        &COUNTERS.retired_dropped,
        slot.dropped.load(Ordering::Relaxed),
    );
}

/// Records created and dropped by every thread, live or retired, and the
/// number of live rings.
pub(crate) fn totals() -> (u64, u64, u64) {
    let live = lock(&LIVE_SLOTS);
    let mut created = COUNTERS.retired_created.load(Ordering::Relaxed);
    let mut dropped = COUNTERS.retired_dropped.load(Ordering::Relaxed);
    for s in live.iter() {
        created += s.created.load(Ordering::Relaxed);
        dropped += s.dropped.load(Ordering::Relaxed);
    }
    (created, dropped, live.len() as u64)
}
