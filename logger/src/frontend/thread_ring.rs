//! Each logging thread's producer end of its SPSC byte ring: the hot path.
//!
//! [`push`] is what every record costs the caller: a state check, a
//! thread-local access, a free-space check against a cached copy of the
//! flusher's position, one timestamp, the copy of the record, and one
//! release store that publishes it. Everything else (first-use
//! registration, a full ring, growing) is behind `#[cold]` functions.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ringbuf::traits::{Observer, Raw, Split};
use ringbuf::{HeapProd, HeapRb};

use crate::clock;
use crate::config::{MIN_RING_BYTES, OverflowPolicy};
use crate::lifecycle::{self, RUNNING};
use crate::metrics::{COUNTERS, Counters};
use crate::registry::{self, NewRing, RingHandle, ThreadSlot};
use crate::wire::{self, HEADER};

/// How far past the write index [`prefetch_for_write`] asks for cache
/// lines: about two records of `trade!` with five fields.
const PREFETCH_AHEAD: usize = 256;

/// The producer end of this thread's current ring.
///
/// The fields every record reads or writes (`prod`, whose copy of the
/// write index `commit` stores, through `slot`) fill the first cache line,
/// and the alignment gives the struct lines of its own: one line a record,
/// and no neighbour from the allocator that another core could write.
#[repr(C, align(64))]
struct Producer {
    prod: HeapProd<u8>,
    /// Start of the ring's storage (all of it zero-initialised at creation).
    base: *mut u8,
    /// Capacity in bytes, a power of two.
    cap: usize,
    /// Our write index, in `0..2 * cap` like ringbuf's.
    write: usize,
    /// Last read index seen; the real one only ever moves forward, so this
    /// underestimates the free space and is refreshed only when short.
    cached_read: usize,
    slot: Arc<ThreadSlot>,
    /// Set while `tracing` span frames wait to be written before this
    /// thread's next record (see [`set_frames_pending`]).
    frames_pending: bool,
    /// While `frames_pending` or `fill.held` is set, `cached_read` holds
    /// a value that makes every reservation take the slow path, and the
    /// real one is kept here (see [`Producer::hold`]).
    saved_read: usize,
    /// The slot being filled in place, if any (see [`InPlace`]).
    fill: Fill,
}

/// The state of a slot filled in place ([`begin_in_place`]), kept in the
/// producer so that a record pushed by this thread while the slot is
/// filled (user `Display` code runs then) can take the slot back first:
/// see [`abandon_fill`].
struct Fill {
    /// A fill is running on this thread.
    active: bool,
    /// The slot is still reserved for the fill; every reservation of the
    /// thread takes the slow path meanwhile.
    held: bool,
    /// The slot's offset in the ring and its length, header included.
    slot: usize,
    slot_len: usize,
    /// The slot's payload, the bytes written to it, and where the writer
    /// must stop (`len <= end`). Once what was written has moved to
    /// `spill`: null, 0 and 0 (see [`Fill::spilled`]).
    at: *mut u8,
    len: usize,
    end: usize,
    /// The payload, once it has left the slot (a message too long for
    /// it, or a record pushed during the fill); reused.
    spill: Vec<u8>,
}

impl Fill {
    const fn new() -> Self {
        Fill {
            active: false,
            held: false,
            slot: 0,
            slot_len: 0,
            at: std::ptr::null_mut(),
            len: 0,
            end: 0,
            spill: Vec::new(),
        }
    }

    /// Appends `bytes` to the spill, moving what was written there
    /// first. Out of line: inlined, it made the writer save six registers
    /// on every call.
    #[cold]
    #[inline(never)]
    fn spill_append(&mut self, bytes: &[u8]) {
        self.spill_now();
        self.spill.extend_from_slice(bytes);
    }

    /// Whether what was written is in `spill`, not the slot.
    fn spilled(&self) -> bool {
        self.at.is_null()
    }

    /// Moves what was written into `spill`, where later bytes go.
    fn spill_now(&mut self) {
        if self.spilled() {
            return;
        }
        self.spill.clear();
        // SAFETY: `at .. at + len` is the part of the held slot the fill
        // wrote: reserved for it, initialised (the ring's storage always
        // is), and touched by nothing else while the fill runs.
        self.spill
            .extend_from_slice(unsafe { std::slice::from_raw_parts(self.at, self.len) });
        self.len = 0;
        self.end = 0;
        // The slot may be gone (a ring grown after it was given up): only
        // an empty write still reaches `at`, with nothing to copy.
        self.at = std::ptr::null_mut();
    }
}

const _: () = assert!(std::mem::offset_of!(Producer, frames_pending) <= 64);

thread_local! {
    /// This thread's producer, or null before registration and after exit.
    /// A `const` thread-local without a destructor: reading it is one
    /// TLS-relative load, with no lazy-initialisation check, and it stays
    /// readable while the thread's other thread-locals are destroyed.
    static CURRENT: Cell<*mut Producer> = const { Cell::new(std::ptr::null_mut()) };
    /// Set when [`release`] freed this thread's producer: the thread is in
    /// the last phase of its exit, where `std::thread::current()` is gone.
    static RELEASED: Cell<bool> = const { Cell::new(false) };
}

/// The POSIX thread-specific key whose destructor ([`release`]) frees a
/// thread's producer, which marks its ring abandoned for the flusher.
///
/// Why a key and not a `thread_local!` with `Drop`: a thread's
/// `thread_local!` values are destroyed in the reverse order of their
/// first use, so one that the thread touched before its first record would
/// be destroyed after an owner registered at that record, and a record
/// logged from its `Drop` would find no ring. POSIX key destructors run
/// after every `thread_local!` destructor (glibc: `__call_tls_dtors`,
/// then the keys), and again when a destructor sets a key anew (up to
/// `PTHREAD_DESTRUCTOR_ITERATIONS` rounds), so the ring outlives them all.
fn owner_key() -> Option<libc::pthread_key_t> {
    static KEY: std::sync::OnceLock<Option<libc::pthread_key_t>> = std::sync::OnceLock::new();
    *KEY.get_or_init(|| {
        let mut key: libc::pthread_key_t = 0;
        // SAFETY: `key` is a valid out-pointer; `release` has the
        // signature POSIX expects of a key destructor.
        let rc = unsafe { libc::pthread_key_create(&mut key, Some(release)) };
        (rc == 0).then_some(key)
    })
}

/// The key destructor: frees this thread's producer, once every other
/// destructor of the thread that could log has run.
unsafe extern "C" fn release(p: *mut libc::c_void) {
    RELEASED.with(|r| r.set(true));
    CURRENT.with(|c| {
        if c.get() == p.cast() {
            c.set(std::ptr::null_mut());
        }
    });
    // SAFETY: `p` came from `Box::into_raw` in `register`, was stored in
    // the key for this thread only, and POSIX passes it here once, after
    // clearing the key; `CURRENT`, its only other way in, is now null.
    drop(unsafe { Box::from_raw(p.cast::<Producer>()) });
}

/// This thread's name for its records: `std`'s, or, in the last phase of
/// the thread's exit (where `std::thread::current()` panics), the name
/// the kernel keeps (cut to 15 bytes).
fn thread_name() -> String {
    if !RELEASED.with(Cell::get) {
        return std::thread::current()
            .name()
            .unwrap_or("<unnamed>")
            .to_string();
    }
    let mut buf = [0u8; 16];
    // SAFETY: the buffer is valid for its length; the call writes a
    // NUL-terminated name of at most 16 bytes into it.
    let rc = unsafe {
        libc::pthread_getname_np(libc::pthread_self(), buf.as_mut_ptr().cast(), buf.len())
    };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(0);
    if rc != 0 || end == 0 {
        return "<unnamed>".to_string();
    }
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

impl Producer {
    #[inline(always)]
    fn free(&self, read: usize) -> usize {
        self.cap - (self.write.wrapping_sub(read) & (2 * self.cap - 1))
    }

    /// Finds `len` contiguous bytes (a multiple of 8), padding the ring's
    /// tail when it is too short; returns their offset in the storage.
    #[inline(always)]
    fn try_reserve(&mut self, len: usize) -> Option<usize> {
        let pos = self.write & (self.cap - 1);
        let tail = self.cap - pos;
        let need = if len <= tail { len } else { tail + len };
        if self.free(self.cached_read) < need {
            if self.frames_pending || self.fill.held {
                return None;
            }
            self.cached_read = self.prod.read_index();
            if self.free(self.cached_read) < need {
                return None;
            }
        }
        if len <= tail {
            return Some(pos);
        }
        // SAFETY: `tail` bytes from `pos` are inside the storage and vacant
        // (checked above: `need` covers them), so only this producer may
        // touch them until the next publish.
        let pad = unsafe { std::slice::from_raw_parts_mut(self.base.add(pos), tail) };
        wire::put_pad(pad);
        self.write = (self.write + tail) & (2 * self.cap - 1);
        Some(0)
    }

    /// Ends this thread's fill (its slot, if still held, unpublished).
    fn end_fill(&mut self) {
        self.fill.active = false;
        self.hold(self.frames_pending, false);
    }

    /// Sets the two reasons to send every reservation down the slow path
    /// (span frames waiting, a slot held for a fill): while either holds,
    /// `cached_read` says the ring is full (a read index `cap` behind the
    /// write index, taken anew at each call, since the write index may
    /// have moved: [`abandon_fill`]) and the real one waits in
    /// `saved_read`.
    fn hold(&mut self, frames_pending: bool, fill_held: bool) {
        let was = self.frames_pending || self.fill.held;
        let now = frames_pending || fill_held;
        self.frames_pending = frames_pending;
        self.fill.held = fill_held;
        if !was && now {
            self.saved_read = self.cached_read;
        }
        if now {
            self.cached_read = self.write.wrapping_sub(self.cap) & (2 * self.cap - 1);
        } else if was {
            self.cached_read = self.saved_read;
        }
    }

    /// Publishes everything reserved so far (the padding and the record).
    #[inline(always)]
    fn commit(&mut self, len: usize) {
        self.write = (self.write + len) & (2 * self.cap - 1);
        // SAFETY: we own the producer end; every byte between the old and
        // the new write index was written above (a header and payload, or
        // padding), and `write` stays below twice the capacity.
        unsafe { self.prod.set_write_index(self.write) };
    }

    /// [`Self::commit`], then [`prefetch_for_write`] of the lines
    /// [`PREFETCH_AHEAD`] bytes past the new write index. For records
    /// only: context frames are few and small, and the next record asks
    /// for the lines past them.
    #[inline(always)]
    fn commit_and_prefetch(&mut self, len: usize) {
        self.commit(len);
        let ahead = (self.write + PREFETCH_AHEAD) & (self.cap - 1);
        prefetch_for_write(self.base.wrapping_add(ahead));
    }
}

/// Asks for the two cache lines from `at` ([`PREFETCH_AHEAD`] bytes past
/// the write index) for writing, with `prefetchw`: the flusher's core read
/// them one ring lap ago, so the record that will be written there would
/// first wait for that core to give them up. Two lines per record cover
/// every line while records are at most 128 bytes apart, and the lines
/// asked for at the end of one burst are ready at the start of the next.
/// The second line may be past the end of the storage: a prefetch is a
/// hint, it never faults nor changes memory.
#[inline(always)]
fn prefetch_for_write(at: *const u8) {
    // Not under Miri, which runs no inline assembly (a hint: nothing to check).
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `prefetchw` only hints the cache; it reads and writes no
    // memory the program sees and cannot fault, whatever the address
    // (computed with `wrapping_add`, never dereferenced). x86-64
    // processors without PREFETCHW decode its opcode (0F 0D) as a NOP.
    unsafe {
        std::arch::asm!(
            "prefetchw [{p}]",
            "prefetchw [{p} + 64]",
            p = in(reg) at,
            options(nostack, preserves_flags, readonly)
        );
    }
    #[cfg(any(not(target_arch = "x86_64"), miri))]
    let _ = at;
}

/// Allocates a zeroed ring of `cap` bytes; returns the producer and the
/// handle the flusher reads through.
fn new_ring(cap: usize) -> (HeapProd<u8>, *mut u8, RingHandle) {
    let (prod, cons) = HeapRb::<u8>::new(cap).split();
    // SAFETY: the ring is new and empty, so the whole storage `[0, cap)` is
    // vacant and owned by the producer; nothing else references it yet.
    let (storage, _) = unsafe { prod.unsafe_slices_mut(0, cap) };
    debug_assert_eq!(storage.len(), cap);
    let base = storage.as_mut_ptr().cast::<u8>();
    // Zero it once: every byte is then initialised for the ring's life
    // (we only ever store bytes), and the pages are faulted in here rather
    // than on the hot path.
    // SAFETY: `base` points to `cap` writable bytes of the storage.
    unsafe { std::ptr::write_bytes(base, 0, cap) };
    let handle = RingHandle {
        cons,
        base: base.cast_const(),
        cap,
    };
    (prod, base, handle)
}

fn ring_capacity(bytes: usize) -> usize {
    bytes.max(MIN_RING_BYTES).next_power_of_two()
}

/// Registers this thread's ring (also while the thread exits: a record
/// logged by a destructor then gets a ring, freed by the key's next
/// round); null when the logger is not running or no key is left.
#[cold]
#[inline(never)]
fn register() -> *mut Producer {
    if lifecycle::state() != RUNNING {
        return std::ptr::null_mut();
    }
    let Some(key) = owner_key() else {
        return std::ptr::null_mut();
    };
    let cap = ring_capacity(lifecycle::ring_bytes());
    let (prod, base, handle) = new_ring(cap);
    let name = thread_name();
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() } as u64;
    let slot = Arc::new(ThreadSlot::new(name, tid));
    registry::register(NewRing {
        slot: slot.clone(),
        ring: handle,
    });
    let p = Box::into_raw(Box::new(Producer {
        prod,
        base,
        cap,
        write: 0,
        cached_read: 0,
        frames_pending: false,
        saved_read: 0,
        fill: Fill::new(),
        slot,
    }));
    // SAFETY: `key` is a live key; the value is this thread's producer,
    // which `release` frees when the thread exits.
    if unsafe { libc::pthread_setspecific(key, p.cast()) } != 0 {
        // SAFETY: `p` was never shared: this is its only owner.
        drop(unsafe { Box::from_raw(p) });
        return std::ptr::null_mut();
    }
    CURRENT.with(|c| c.set(p));
    p
}

/// This thread's producer, registering it first if needed; null when the
/// logger is not running or the thread is exiting.
#[inline(always)]
fn current() -> *mut Producer {
    let p = CURRENT.with(Cell::get);
    if p.is_null() { register() } else { p }
}

/// Registers the calling thread's ring now, so its first record pays no
/// allocation. Returns false when the logger is not running.
pub(crate) fn preallocate() -> bool {
    !current().is_null()
}

/// Counts a record that could not be queued.
#[cold]
#[inline(never)]
fn drop_record(slot: Option<&ThreadSlot>) {
    if lifecycle::state() == lifecycle::STOPPED {
        // Reported on stderr at process exit (`crate::process_exit`).
        Counters::add(&COUNTERS.dropped_while_stopped, 1);
    }
    match slot {
        Some(slot) => ThreadSlot::bump(&slot.dropped, 1),
        None => Counters::add(&COUNTERS.dropped_after_shutdown, 1),
    }
}

/// The ring is short of `len` bytes: apply the overflow policy.
#[cold]
#[inline(never)]
fn reserve_slow(p: &mut Producer, len: usize) -> Option<usize> {
    match lifecycle::overflow() {
        OverflowPolicy::DropNewest => None,
        OverflowPolicy::Grow { cap_bytes } => {
            if p.cap < cap_bytes || len > p.cap {
                grow(p, len.max(p.cap * 2));
                if let Some(off) = p.try_reserve(len) {
                    return Some(off);
                }
            }
            block(p, len)
        }
        OverflowPolicy::Block if len > p.cap => None,
        OverflowPolicy::Block => block(p, len),
    }
}

/// Moves this thread to a new, larger ring. The old one is drained by the
/// flusher before it reads the new one, so the thread's order is kept.
fn grow(p: &mut Producer, min_bytes: usize) {
    let cap = ring_capacity(min_bytes);
    let (prod, base, handle) = new_ring(cap);
    // The flusher must find the successor before it sees the old ring
    // abandoned, so chain it first, then drop the old producer.
    registry::lock(&p.slot.chain).push_back(handle);
    crate::metrics::ring_grown(cap);
    p.prod = prod;
    p.base = base;
    p.cap = cap;
    p.write = 0;
    p.cached_read = 0;
}

/// Waits for room: spin, then yield, then sleep briefly. Gives up (the
/// record is dropped and counted) only when the logger stops.
fn block(p: &mut Producer, len: usize) -> Option<usize> {
    // Not "busy" while waiting: the timestamp is taken after the wait, and
    // the flusher must not hold other threads' records back for us.
    p.slot.busy.store(0, Ordering::Release);
    let mut round = 0u32;
    loop {
        if let Some(off) = p.try_reserve(len) {
            // Busy again before the state check, as in `push`: the final
            // drain may have seen us idle while we waited.
            p.slot.busy.store(1, Ordering::Relaxed);
            if lifecycle::state() != RUNNING {
                return None;
            }
            return Some(off);
        }
        if lifecycle::state() != RUNNING {
            p.slot.busy.store(1, Ordering::Relaxed);
            return None;
        }
        round += 1;
        if round < 64 {
            std::hint::spin_loop();
        } else if round < 256 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(20));
        }
    }
}

/// Appends one record to this thread's ring: a header with `tag`, `level`
/// and a fresh timestamp, then `payload_len` bytes filled by `write`.
///
/// `write` must not log (it runs while this thread's ring is borrowed);
/// callers run user code (formatting) before calling `push`.
#[inline(always)]
pub(crate) fn push(tag: u8, level: u8, payload_len: usize, write: impl FnOnce(&mut [u8])) {
    push_inner::<false>(tag, level, payload_len, write)
}

/// Appends a control record (a context frame, see `crate::context`):
/// like [`push`], but never counted in the metrics and never dropped
/// while the logger runs. A full ring waits for room whatever the
/// overflow policy (grows under `Grow`): a lost frame would mislabel every
/// later record of the thread. Nothing happens when the logger is not
/// running, and `payload_len` must fit the smallest ring (`wire` keeps
/// context frames within it).
#[inline]
pub(crate) fn push_control(tag: u8, payload_len: usize, write: impl FnOnce(&mut [u8])) {
    push_inner::<true>(tag, 0, payload_len, write)
}

/// A slot of this thread's ring being filled in place, for a record
/// whose payload length is known only once written (the `log` adapter's
/// formatted message): no scratch buffer, no second copy. From
/// [`begin_in_place`]; write with [`InPlace::append`] or `fmt::Write`,
/// then [`InPlace::finish`]. Dropped unfinished (a panicking `Display`
/// impl), it publishes nothing.
///
/// The writes may run user code that logs on this thread (a `Display`
/// impl, the panic hook). Such a record takes the slot back first
/// ([`abandon_fill`]): what was written moves to a spill buffer where the
/// rest goes, the slot becomes padding, and the record goes into the ring
/// at once, visible to `flush()` and kept if the process then aborts.
/// The filled record follows it, as when a record is formatted before
/// it is pushed.
pub(crate) struct InPlace {
    p: *mut Producer,
}

/// Reserves a slot of `room + trailer` payload bytes, lets `head` write
/// its first bytes (it returns how many; no user code may run in it), and
/// returns the writer, which may then write up to `room` bytes in all
/// before spilling. `None` when there is no such slot right now (the ring
/// short of room, span frames waiting, a fill already running on this
/// thread, no ring): use the general path. `room + trailer` must be at
/// most [`max_payload`] of the smallest ring.
#[inline]
pub(crate) fn begin_in_place(
    room: usize,
    trailer: usize,
    head: impl FnOnce(&mut [u8]) -> usize,
) -> Option<InPlace> {
    let p = current();
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is this thread's producer (see `push_inner`); this
    // borrow ends before any user code runs.
    let pr = unsafe { &mut *p };
    if pr.fill.active {
        return None;
    }
    let slot_len = wire::aligned(HEADER + room + trailer);
    let slot = pr.try_reserve(slot_len)?;
    let at = pr.base.wrapping_add(slot + HEADER);
    // SAFETY: `try_reserve` returned `slot_len` vacant, initialised bytes
    // at `slot`, which only this producer may touch until it publishes
    // them; the payload's first `room + trailer` bytes start at `at`.
    let len = head(unsafe { std::slice::from_raw_parts_mut(at, room + trailer) });
    let f = &mut pr.fill;
    f.active = true;
    f.slot = slot;
    f.slot_len = slot_len;
    f.at = at;
    f.len = len;
    f.end = room;
    pr.hold(pr.frames_pending, true);
    Some(InPlace { p })
}

impl InPlace {
    /// Appends `bytes`: into the slot while they fit, else into the spill.
    #[inline]
    pub(crate) fn append(&mut self, bytes: &[u8]) {
        // SAFETY: `p` is this thread's producer; no other borrow of it is
        // live while this runs (user code runs between the writes).
        let f = unsafe { &mut (*self.p).fill };
        let len = f.len;
        if bytes.len() > f.end - len {
            return f.spill_append(bytes);
        }
        // SAFETY: `len + bytes.len() <= end`, inside the held slot's
        // payload, which nothing else touches while the fill runs;
        // `bytes` cannot overlap it (no reference to the slot is handed
        // out).
        unsafe {
            let dst = f.at.add(len);
            if bytes.len() <= 16 {
                // `core::fmt` hands over short pieces (the literal
                // parts, each number): copied without a call to `memcpy`.
                crate::short_copy::copy_short(bytes, dst);
            } else {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
            }
        }
        f.len = len + bytes.len();
    }

    /// Publishes the record at `level` with `tag`. When the payload is
    /// still in the slot, `in_slot(payload, written)` ends it (the slot's
    /// `room + trailer` bytes, `written` of them used) and returns its
    /// length; otherwise `spilled(buf)` ends the spilled payload, which is
    /// pushed from there (after the span frames waiting, if any).
    #[inline]
    pub(crate) fn finish(
        self,
        tag: u8,
        level: u8,
        in_slot: impl FnOnce(&mut [u8], usize) -> usize,
        spilled: impl FnOnce(&mut Vec<u8>),
    ) {
        let p = self.p;
        std::mem::forget(self);
        // SAFETY: `p` is this thread's producer; the writes have ended,
        // so no other borrow of it is live.
        let pr = unsafe { &mut *p };
        pr.end_fill();
        // A slot given up ([`abandon_fill`]) has always been spilled.
        if pr.fill.spilled() || pr.frames_pending {
            // Cold: the payload left the slot, or span frames must go
            // first (entered by a `Display` impl): push it the usual way.
            return finish_spilled(p, tag, level, spilled);
        }
        let f = &pr.fill;
        // SAFETY: not spilled, so the slot was never given up: its
        // `slot_len - HEADER` payload bytes at `at` are ours alone.
        let payload = unsafe { std::slice::from_raw_parts_mut(f.at, f.slot_len - HEADER) };
        let n = in_slot(payload, f.len);
        let len = wire::aligned(HEADER + n);
        // As in `push_inner`: busy before the state check.
        pr.slot.busy.store(1, Ordering::Relaxed);
        if lifecycle::state() != RUNNING {
            pr.slot.busy.store(0, Ordering::Release);
            return drop_record(Some(&pr.slot));
        }
        // SAFETY: the slot's `slot_len` bytes are held (see above).
        let dst = unsafe { std::slice::from_raw_parts_mut(pr.base.add(f.slot), len) };
        wire::put_header(dst, len, tag, level, clock::record_ts());
        pr.commit_and_prefetch(len);
        ThreadSlot::bump(&pr.slot.created, 1);
        pr.slot.busy.store(0, Ordering::Release);
    }
}

impl std::fmt::Write for InPlace {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.append(s.as_bytes());
        Ok(())
    }
}

impl Drop for InPlace {
    /// Unfinished (a `Display` impl panicked): the slot is given up,
    /// unpublished.
    #[cold]
    fn drop(&mut self) {
        // SAFETY: `p` is this thread's producer; the writes have ended.
        unsafe { &mut *self.p }.end_fill();
    }
}

/// [`InPlace::finish`] for a payload that left its slot: ended by
/// `spilled`, pushed with [`push`] (which writes the waiting span frames
/// first). The spill buffer is kept for the next fill.
#[cold]
#[inline(never)]
fn finish_spilled(p: *mut Producer, tag: u8, level: u8, spilled: impl FnOnce(&mut Vec<u8>)) {
    let mut buf = {
        // SAFETY: `p` is this thread's producer; no other borrow is live.
        let f = unsafe { &mut (*p).fill };
        f.spill_now();
        std::mem::take(&mut f.spill)
    };
    spilled(&mut buf);
    push(tag, level, buf.len(), |dst| dst.copy_from_slice(&buf));
    buf.clear();
    // SAFETY: as above; `push` has returned.
    let f = unsafe { &mut (*p).fill };
    if f.spill.capacity() < buf.capacity() {
        f.spill = buf;
    }
}

/// A record is pushed while this thread fills a slot in place: the
/// fill's bytes move to its spill buffer (where its later writes go),
/// the slot becomes padding, published with that record, and the hold
/// ends, so that the record takes the ring after the slot.
#[cold]
#[inline(never)]
fn abandon_fill(p: &mut Producer) {
    p.fill.spill_now();
    // SAFETY: the slot's `slot_len` bytes at `slot` are still held (the
    // writer no longer touches them: it writes to the spill now).
    let slot = unsafe { std::slice::from_raw_parts_mut(p.base.add(p.fill.slot), p.fill.slot_len) };
    wire::put_pad(slot);
    p.write = (p.write + p.fill.slot_len) & (2 * p.cap - 1);
    p.hold(p.frames_pending, false);
}

/// Reserves the record's bytes (aligned) in this thread's ring, writes
/// its header (the timestamp 0 for a control record) and lets `write`
/// fill the payload, then publishes it; the policies of [`push`] and
/// [`push_control`]. One function with `write` its only closure: with the
/// header written by a second closure, LLVM kept that one out of line in
/// large callers (`#[log_performance]`'s `record_ok`: 247 instructions a
/// call that way, 200 this way).
#[inline(always)]
fn push_inner<const CONTROL: bool>(
    tag: u8,
    level: u8,
    payload_len: usize,
    write: impl FnOnce(&mut [u8]),
) {
    let len = wire::aligned(HEADER + payload_len);
    let p = current();
    if p.is_null() {
        if CONTROL {
            return;
        }
        return drop_record(None);
    }
    // SAFETY: `p` is this thread's producer (from `CURRENT`, set by
    // `register` on this thread, freed only by `Owner` at thread exit,
    // after which `current` returns null). No other reference to it is
    // live: `push` runs no user code while it holds this one (`write`
    // must not log), so it cannot re-enter.
    let p = unsafe { &mut *p };
    // `busy` before the state check: the flusher's final drain, which
    // starts after the state became STOPPED, waits for every busy flag to
    // clear, so a record that passes the check below is always drained
    // (and one that does not is counted).
    p.slot.busy.store(1, Ordering::Relaxed);
    if lifecycle::state() != RUNNING {
        p.slot.busy.store(0, Ordering::Release);
        if CONTROL {
            return;
        }
        return drop_record(Some(&p.slot));
    }
    let off = match p.try_reserve(len) {
        Some(off) => off,
        None => match reserve_cold::<CONTROL>(p, len) {
            Some(off) => off,
            None => {
                p.slot.busy.store(0, Ordering::Release);
                if CONTROL {
                    return;
                }
                return drop_record(Some(&p.slot));
            }
        },
    };
    // A control record needs no time: it only has to stay in order with
    // its thread's records, which the ring does (see `wire::TAG_CONTEXT`).
    let ts = if CONTROL { 0 } else { clock::record_ts() };
    // SAFETY: `try_reserve` returned `len` vacant, initialised bytes at
    // `off` that only this producer may touch until `commit`.
    let dst = unsafe { std::slice::from_raw_parts_mut(p.base.add(off), len) };
    wire::put_header(dst, len, tag, level, ts);
    write(&mut dst[HEADER..HEADER + payload_len]);
    if CONTROL {
        p.commit(len);
    } else {
        p.commit_and_prefetch(len);
        ThreadSlot::bump(&p.slot.created, 1);
    }
    p.slot.busy.store(0, Ordering::Release);
}

/// `try_reserve` failed: write the pending span frames first, if that was
/// why, then apply the policy for a full ring.
#[cold]
#[inline(never)]
fn reserve_cold<const CONTROL: bool>(p: &mut Producer, len: usize) -> Option<usize> {
    if p.fill.held {
        // This thread is filling a slot in place: a `Display` impl logs.
        abandon_fill(p);
        if let Some(off) = p.try_reserve(len) {
            return Some(off);
        }
    }
    #[cfg(feature = "tracing")]
    if p.frames_pending {
        write_pending_frames(p);
        if let Some(off) = p.try_reserve(len) {
            return Some(off);
        }
    }
    if CONTROL {
        reserve_control(p, len)
    } else {
        reserve_slow(p, len)
    }
}

/// Marks whether `tracing` span frames are waiting to be written into
/// this thread's ring (`crate::tracing_layer`): entering a span only
/// notes it, and the frames are written just before the next record of
/// the thread (or context frame), so a span entered and exited with no
/// record inside writes nothing. While set, every reservation takes the
/// slow path, where [`reserve_cold`] writes them: the fast path of a
/// record costs nothing more. Returns whether the mark is now set (false
/// when the logger is not running).
#[cfg(feature = "tracing")]
#[inline]
pub(crate) fn set_frames_pending(pending: bool) -> bool {
    let p = if pending {
        current()
    } else {
        CURRENT.with(Cell::get)
    };
    if p.is_null() {
        return false;
    }
    // SAFETY: `p` is this thread's producer (see `push_inner`); no
    // record is being pushed on this thread (the layer does not call this
    // from inside a push), so this is the only reference to it.
    let p = unsafe { &mut *p };
    p.hold(pending, p.fill.held);
    pending
}

/// Writes the pending span frames, each as a control record, before the
/// record being pushed.
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
fn write_pending_frames(p: &mut Producer) {
    p.hold(false, p.fill.held);
    crate::tracing_layer::write_pending_frames(|record, depth| {
        let len = record.len() * 8;
        let Some(off) = p.try_reserve(len).or_else(|| reserve_control(p, len)) else {
            return;
        };
        // SAFETY: as in `push_inner`: `len` vacant bytes at `off`.
        let dst = unsafe { std::slice::from_raw_parts_mut(p.base.add(off), len) };
        for (chunk, word) in dst.chunks_exact_mut(8).zip(record) {
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        wire::patch_context_depth(&mut dst[HEADER..], depth);
        p.commit(len);
    });
}

/// A full ring for a control record: grow under `Grow`, wait otherwise.
#[cold]
#[inline(never)]
fn reserve_control(p: &mut Producer, len: usize) -> Option<usize> {
    match lifecycle::overflow() {
        OverflowPolicy::Grow { .. } => reserve_slow(p, len),
        OverflowPolicy::Block | OverflowPolicy::DropNewest => block(p, len),
    }
}

/// Largest payload a record may have so that it always fits a ring.
pub(crate) fn max_payload() -> usize {
    ring_capacity(lifecycle::ring_bytes()) / 2 - HEADER
}
