//! The flusher's view of every thread's ring, and the merge that emits
//! records across threads in timestamp order.
//!
//! Per thread, records are always emitted in ring order. Across threads,
//! each cycle takes a *watermark* and emits only records older than it, in
//! timestamp order. The watermark is the cycle's start time, lowered for
//! every thread that is caught between taking a timestamp and publishing
//! its record (its `busy` flag): for those, to the last cycle at which the
//! thread was seen idle, since its pending record cannot be older than
//! that. So a thread preempted mid-record never has its record written
//! after newer records of other threads.
//!
//! Records stay in their ring until emitted (decoded in place, no copy).
//! A thread's read position is published after each run of its records,
//! and a run takes at most [`RUN_BYTES`] of its ring (a quarter of a
//! smaller ring): a producer whose ring is full gets room back while the
//! flusher works through a long backlog, not only once the whole cycle is
//! done, so the two keep working side by side.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ringbuf::traits::{Observer, Raw};

use crate::backend::context_stack::ContextStack;
use crate::metrics::{COUNTERS, Counters};
use crate::registry::{self, NewRing, RingHandle, ThreadSlot};
use crate::wire::{self, Header};

/// Slack for a `busy` store still in the producer's store buffer when its
/// timestamp was taken, in raw clock units (TSC ticks or ns: generous in both).
const STORE_SLACK: u64 = 20_000;

/// Most ring bytes one run takes past its first record before the read
/// position is published (see the module documentation).
const RUN_BYTES: usize = 64 << 10;

/// One thread's ring as the flusher reads it.
pub(crate) struct ThreadRing {
    pub slot: Arc<ThreadSlot>,
    ring: RingHandle,
    /// Next record to emit (local, published at the end of the cycle).
    read: usize,
    /// The producer's write index as of this cycle.
    write: usize,
    /// A lower bound of the timestamp of the thread's next record: the
    /// last cycle at which it was seen idle, or its newest record emitted.
    last_idle: u64,
    /// Raw time of the first cycle of the current stretch in which the
    /// thread was seen mid-record.
    busy_since: Option<u64>,
    /// Dropped count already reported in a warning record.
    pub reported_dropped: u64,
    /// The thread's context frames as of its next record.
    pub context: ContextStack,
}

impl ThreadRing {
    /// A thread first seen now; `idle_before` is a lower bound of the
    /// timestamp of any record it has not published yet.
    fn new(new: NewRing, idle_before: u64) -> Self {
        ThreadRing {
            slot: new.slot,
            read: 0,
            write: 0,
            ring: new.ring,
            last_idle: idle_before,
            busy_since: None,
            reported_dropped: 0,
            context: ContextStack::default(),
        }
    }

    fn occupied(&self) -> usize {
        self.write.wrapping_sub(self.read) & (2 * self.ring.cap - 1)
    }

    /// The next record's header and offset in the storage, skipping padding.
    fn head(&mut self) -> Option<(Header, usize)> {
        loop {
            let occupied = self.occupied();
            if occupied == 0 {
                return None;
            }
            let pos = self.read & (self.ring.cap - 1);
            let avail = occupied.min(self.ring.cap - pos);
            match wire::get_header(self.bytes(pos, avail)) {
                Some(h) if h.tag == wire::TAG_PAD => self.advance(h.len),
                Some(h) => return Some((h, pos)),
                None => {
                    // Cannot happen with our own producer; never loop on it.
                    self.read = self.write;
                    return None;
                }
            }
        }
    }

    /// `len` published bytes at `pos` (`pos + len` within the occupied,
    /// contiguous part of the ring, as `head` computes it).
    fn bytes(&self, pos: usize, len: usize) -> &[u8] {
        ring_bytes(&self.ring, pos, len)
    }

    fn advance(&mut self, len: usize) {
        self.read = (self.read + len) & (2 * self.ring.cap - 1);
    }

    /// Reads the `busy` flag, then the write index again: a thread seen
    /// idle has published every record whose timestamp it took before.
    /// A busy one lowers the watermark to a lower bound of its pending
    /// record's timestamp (unless it has been busy longer than `max_hold`).
    fn check_busy(&mut self, now: u64, max_hold: u64, watermark: &mut u64) {
        if self.slot.busy.load(Ordering::Acquire) == 0 {
            self.last_idle = self.last_idle.max(now);
            self.busy_since = None;
            self.write = self.ring.cons.write_index();
        } else {
            let since = *self.busy_since.get_or_insert(now);
            if now.saturating_sub(since) < max_hold {
                *watermark = (*watermark).min(self.last_idle);
            }
        }
    }

    /// Bytes waiting in this ring (for metrics).
    pub(crate) fn occupancy(&self) -> usize {
        self.ring.cons.occupied_len()
    }
}

/// `len` published bytes at `pos` of `ring` (`pos + len` within the
/// occupied, contiguous part of the ring, as `ThreadRing::head` computes it).
fn ring_bytes(ring: &RingHandle, pos: usize, len: usize) -> &[u8] {
    debug_assert!(pos + len <= ring.cap);
    // SAFETY: `[read, write)` is published by the producer (we read
    // `write` with Acquire) and not yet released by us, so the producer
    // does not touch these bytes until we publish a later read index;
    // every byte of the storage was initialised when the ring was made.
    unsafe { std::slice::from_raw_parts(ring.base.add(pos), len) }
}

/// A run of one thread's records that the merge emits back to back: its
/// records from the head of its ring on, while each is below the
/// watermark and older than the next record of every other thread, up to
/// [`RUN_BYTES`] of its ring.
pub(crate) struct Run<'r, 'a> {
    pub slot: &'a ThreadSlot,
    /// The thread's context frames as of its next record.
    pub context: &'a mut ContextStack,
    pub records: &'r mut Records<'a>,
}

/// The records of a [`Run`], taken in ring order (the thread's read
/// position and the merge's timestamps kept here while the run lasts).
/// A copy taken and then written back is the same as the original taken.
#[derive(Clone)]
pub(crate) struct Records<'a> {
    ring: &'a RingHandle,
    read: usize,
    write: usize,
    /// As in `ThreadRing` and `Rings`.
    last_idle: u64,
    last_emitted: u64,
    /// A record stamped this or later is not in the run (the first one
    /// always is: it came out of the heap).
    stop_at: u64,
    first: bool,
    /// Ring bytes the run may still take after its first record.
    left: usize,
    /// Records taken so far.
    emitted: usize,
}

impl<'a> Records<'a> {
    /// The run's next record, without taking it: its header and bytes
    /// (valid while the run lasts: the thread's read position is published
    /// when it ends).
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<(Header, &'a [u8])> {
        let cap = self.ring.cap;
        loop {
            let occupied = self.write.wrapping_sub(self.read) & (2 * cap - 1);
            if occupied == 0 {
                return None;
            }
            let pos = self.read & (cap - 1);
            let avail = occupied.min(cap - pos);
            match wire::get_header(ring_bytes(self.ring, pos, avail)) {
                Some(h) if h.tag == wire::TAG_PAD => {
                    self.read = (self.read + h.len) & (2 * cap - 1);
                }
                Some(h) => {
                    if (h.ts >= self.stop_at || self.left == 0) && !self.first {
                        return None;
                    }
                    return Some((h, ring_bytes(self.ring, pos, h.len)));
                }
                None => {
                    // Cannot happen with our own producer; never loop on it.
                    self.read = self.write;
                    return None;
                }
            }
        }
    }

    /// Takes the record [`Records::peek`] returned (`h`, its header).
    #[inline]
    pub(crate) fn take(&mut self, h: &Header) {
        if h.tag == wire::TAG_CONTEXT {
            // Stamped 0: emitted as soon as it is at its ring's head.
        } else if h.ts < self.last_emitted {
            Counters::add(&COUNTERS.late_records, 1);
        } else {
            self.last_emitted = h.ts;
        }
        self.last_idle = self.last_idle.max(h.ts);
        self.read = (self.read + h.len) & (2 * self.ring.cap - 1);
        self.left = self.left.saturating_sub(h.len);
        self.first = false;
        self.emitted += 1;
    }

    /// Takes the run's next record and returns it (see [`Records::peek`]).
    #[cfg(test)]
    pub(crate) fn next(&mut self) -> Option<(Header, &'a [u8])> {
        let (h, bytes) = self.peek()?;
        self.take(&h);
        Some((h, bytes))
    }
}

/// Every registered thread, and the merge across them.
pub(crate) struct Rings {
    pub threads: Vec<ThreadRing>,
    new: Vec<NewRing>,
    heap: BinaryHeap<Reverse<(u64, usize)>>,
    /// Raw timestamp of the newest record emitted.
    pub last_emitted: u64,
    /// The `now` of the previous cycle (0 before the first): a lower bound
    /// of every timestamp a thread first seen at this cycle can have taken,
    /// since it registered after the previous cycle looked for new threads.
    previous_now: u64,
    /// The bytes left in the rings at the end of the last cycle, after
    /// its read positions were published (what `ring_occupancy` says).
    occupancy: usize,
}

impl Rings {
    pub(crate) fn new() -> Self {
        Rings {
            threads: Vec::new(),
            new: Vec::new(),
            heap: BinaryHeap::new(),
            last_emitted: 0,
            previous_now: 0,
            occupancy: 0,
        }
    }

    /// Picks up new threads, snapshots every ring, and returns the
    /// watermark: records with a raw timestamp below it may be emitted.
    /// A thread seen mid-record for longer than `max_hold` (raw units) no
    /// longer holds the others back.
    ///
    /// A thread's `busy` flag is read only when another thread has records
    /// waiting: with one active producer nothing can be misordered, and the
    /// flusher then never touches the producer's slot (no cache-line
    /// transfer on its hot path).
    pub(crate) fn begin_cycle(&mut self, now: u64, max_hold: u64) -> u64 {
        registry::take_new(&mut self.new);
        // Not `now`: a new thread may have taken the timestamp of its
        // first record before `now` and still be writing it; seen busy
        // below, it must hold the others back to before that timestamp.
        for n in self.new.drain(..) {
            self.threads.push(ThreadRing::new(n, self.previous_now));
        }
        self.previous_now = now;
        let mut with_data = 0;
        for t in &mut self.threads {
            t.write = t.ring.cons.write_index();
            with_data += usize::from(t.occupied() > 0);
        }
        let mut watermark = now;
        let mut skipped = None;
        for (i, t) in self.threads.iter_mut().enumerate() {
            if with_data == usize::from(t.occupied() > 0) {
                // No other thread has records: only this one's can be
                // emitted, in its own order.
                skipped = Some(i);
                continue;
            }
            t.check_busy(now, max_hold, &mut watermark);
        }
        // Records may have appeared in the rings checked above since the
        // first snapshot; then the skipped thread must be checked too.
        if let Some(i) = skipped {
            let others = self
                .threads
                .iter()
                .enumerate()
                .any(|(j, t)| j != i && t.occupied() > 0);
            if others {
                self.threads[i].check_busy(now, max_hold, &mut watermark);
            }
        }
        watermark.saturating_sub(STORE_SLACK)
    }

    /// Emits, in timestamp order, every record below `watermark` (`None`:
    /// everything published, for a flush, the shutdown, or every cycle with
    /// a user clock, whose timestamps may take any `u64` value, `u64::MAX`
    /// included), calling `emit` with each run of one thread's records
    /// that come out next (see [`Run`]). Returns how many were emitted.
    pub(crate) fn merge_runs(
        &mut self,
        watermark: Option<u64>,
        mut emit: impl FnMut(Run<'_, '_>),
    ) -> usize {
        self.heap.clear();
        for (i, t) in self.threads.iter_mut().enumerate() {
            if let Some((h, _)) = t.head() {
                if watermark.is_none_or(|w| h.ts < w) {
                    self.heap.push(Reverse((h.ts, i)));
                }
            }
        }
        let mut n = 0;
        while let Some(Reverse((_, i))) = self.heap.pop() {
            // Thread `i` goes on while its next record would come out of
            // the heap next anyway (ordered by timestamp, then thread
            // index, as the heap orders them) and is below the watermark:
            // one heap operation per run of records rather than two per
            // record. The run stops at a record stamped `stop_at` or
            // later: the next thread's timestamp, or one past it when that
            // thread comes after `i` (a record stamped `u64::MAX` then
            // makes a run of its own), or the watermark.
            let mut stop_at = watermark.unwrap_or(u64::MAX);
            if let Some(&Reverse((ts, j))) = self.heap.peek() {
                stop_at = stop_at.min(if i < j { ts.saturating_add(1) } else { ts });
            }
            let t = &mut self.threads[i];
            let mut records = Records {
                ring: &t.ring,
                read: t.read,
                write: t.write,
                last_idle: t.last_idle,
                last_emitted: self.last_emitted,
                stop_at,
                first: true,
                left: RUN_BYTES.min(t.ring.cap / 4),
                emitted: 0,
            };
            emit(Run {
                slot: &t.slot,
                context: &mut t.context,
                records: &mut records,
            });
            t.read = records.read;
            // SAFETY: as in `end_cycle`: `read` only moved over records of
            // this run, within `[old read, write]`; nothing borrowed from
            // them outlives `emit` (its `Run` is borrowed for that call
            // alone), so the producer may write over them now.
            unsafe { t.ring.cons.set_read_index(t.read) };
            t.last_idle = records.last_idle;
            self.last_emitted = records.last_emitted;
            n += records.emitted;
            // Its next record, when there is one below the watermark, goes
            // back into the heap (the run stopped at another thread's
            // older record).
            if let Some((next, _)) = t.head() {
                if watermark.is_none_or(|w| next.ts < w) {
                    self.heap.push(Reverse((next.ts, i)));
                }
            }
        }
        n
    }

    /// [`Rings::merge_runs`] one record at a time: `emit` gets the thread,
    /// its context stack and the record.
    #[cfg(test)]
    pub(crate) fn merge(
        &mut self,
        watermark: Option<u64>,
        mut emit: impl FnMut(&ThreadSlot, &mut ContextStack, &Header, &[u8]),
    ) -> usize {
        self.merge_runs(watermark, |run| {
            while let Some((h, bytes)) = run.records.next() {
                emit(run.slot, run.context, &h, bytes);
            }
        })
    }

    /// Publishes read positions, calls `visit` on every thread (last, for
    /// a thread about to be retired, after its producer is gone), and moves
    /// past rings whose producer is gone: to the next ring of a grown
    /// thread, or retires the thread. Returns true when a thread moved to
    /// its next ring, whose records this cycle has not seen yet.
    pub(crate) fn end_cycle(&mut self, mut visit: impl FnMut(&mut ThreadRing)) -> bool {
        let mut taken_over = false;
        let mut i = 0;
        while i < self.threads.len() {
            let t = &mut self.threads[i];
            // SAFETY: we own the consumer end; `read` only moved over
            // records we emitted, within `[old read, write]`, and stays
            // below twice the capacity.
            unsafe { t.ring.cons.set_read_index(t.read) };
            let abandoned = !t.ring.cons.write_is_held();
            visit(t);
            if abandoned {
                // The producer is gone: whatever it wrote is published.
                t.write = t.ring.cons.write_index();
                if t.occupied() == 0 {
                    let next = registry::lock(&t.slot.chain).pop_front();
                    match next {
                        Some(ring) => {
                            crate::metrics::ring_taken_over(ring.cap);
                            t.ring = ring;
                            t.read = 0;
                            t.write = 0;
                            taken_over = true;
                        }
                        None => {
                            registry::retire(&t.slot);
                            self.threads.swap_remove(i);
                            continue;
                        }
                    }
                }
            }
            i += 1;
        }
        // Sampled once the read positions are published and the rings of
        // finished threads retired: what is still waiting, not what this
        // cycle took.
        self.occupancy = self.threads.iter().map(|t| t.occupancy()).sum();
        COUNTERS
            .ring_occupancy
            .store(self.occupancy as u64, Ordering::Relaxed);
        let capacity: usize = self.threads.iter().map(|t| t.ring.cap).sum();
        let chained = COUNTERS.chained_ring_bytes.load(Ordering::Relaxed);
        COUNTERS
            .ring_bytes
            .store(capacity as u64 + chained, Ordering::Relaxed);
        taken_over
    }

    /// The bytes left in the rings at the end of the last cycle (see
    /// [`Rings::end_cycle`]).
    #[cfg(test)]
    pub(crate) fn occupancy(&self) -> usize {
        self.occupancy
    }

    /// True when every ring was empty at the last snapshot.
    pub(crate) fn all_empty(&mut self) -> bool {
        self.threads.iter().all(|t| t.occupied() == 0)
    }
}

#[cfg(test)]
mod tests {
    //! The producer (`thread_ring::push`) and the consumer (`Rings`) on a
    //! real ring, without the global logger: run under Miri too
    //! (`cargo +nightly miri test -p logger backend::merge`).

    use super::*;
    use crate::config::OverflowPolicy;
    use crate::frontend::thread_ring;
    use crate::lifecycle;
    use std::sync::Mutex;
    use std::sync::mpsc;

    /// The tests share the process's producer state: one at a time.
    static TURN: Mutex<()> = Mutex::new(());

    #[test]
    fn records_cross_the_ring_in_order_with_padding_and_exit() {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let n: u64 = if cfg!(miri) { 300 } else { 20_000 };
        let producer = std::thread::spawn(move || {
            for i in 0..n {
                // Varying lengths, so records land across the ring's end.
                let len = 8 + (i % 13) as usize * 8;
                thread_ring::push(wire::TAG_LOG, 3, len, |dst| {
                    dst[..8].copy_from_slice(&i.to_ne_bytes());
                    dst[8..].fill(i as u8);
                });
            }
        });
        let mut rings = Rings::new();
        let mut next = 0u64;
        let mut last_ts = 0;
        loop {
            let watermark = rings.begin_cycle(u64::MAX - 1, u64::MAX);
            rings.merge(Some(watermark), |_, _, h, rec| {
                let body = &rec[wire::HEADER..];
                let i = u64::from_ne_bytes(body[..8].try_into().unwrap());
                assert_eq!(i, next, "out of order or lost");
                assert!(
                    body[8..8 + (i % 13) as usize * 8]
                        .iter()
                        .all(|&b| b == i as u8)
                );
                assert!(h.ts >= last_ts);
                last_ts = h.ts;
                next += 1;
            });
            let mut retired = false;
            rings.end_cycle(|_| {});
            if rings.threads.is_empty() && next > 0 {
                retired = true;
            }
            if retired {
                break;
            }
            std::thread::yield_now();
        }
        producer.join().unwrap();
        assert_eq!(next, n);
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }

    /// The occupancy a cycle reports is what is left after it: a cycle
    /// that emitted everything reports 0, not the bytes it took.
    #[test]
    fn a_cycle_that_emits_everything_leaves_no_occupancy() {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let mut rings = Rings::new();
        let (pushed_tx, pushed_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let producer = std::thread::spawn(move || {
            for i in 0..10u8 {
                thread_ring::push(wire::TAG_LOG, 3, 16, |dst| dst.fill(i));
            }
            pushed_tx.send(()).unwrap();
            // Alive (its ring held) until the cycles below are done.
            done_rx.recv().unwrap();
        });
        pushed_rx.recv().unwrap();
        let mut n = 0;
        while n < 10 {
            rings.begin_cycle(u64::MAX - 1, u64::MAX);
            n += rings.merge(None, |_, _, _, _| {});
            rings.end_cycle(|_| {});
        }
        assert_eq!(rings.threads.len(), 1, "the producer's ring is kept");
        assert_eq!(rings.occupancy(), 0, "10 records emitted, none left");
        done_tx.send(()).unwrap();
        producer.join().unwrap();
    }

    /// A thread's first record, timestamped before the cycle that first
    /// sees the thread and still being written then, must hold back a newer
    /// record of another thread. (The new thread's `last_idle` was the
    /// cycle's own `now`, which let the newer record out first: the
    /// `pipeline_8_threads` failure, a line 333 ns out of order near the
    /// start of the file, where 8 threads register at once.)
    #[test]
    fn a_new_thread_caught_mid_record_holds_newer_records_back() {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let mut rings = Rings::new();
        let mut emitted = Vec::new();
        let cycle = |rings: &mut Rings, emitted: &mut Vec<(u64, u8)>| {
            let watermark = rings.begin_cycle(crate::clock::now_raw(), u64::MAX);
            rings.merge(Some(watermark), |_, _, h, rec| {
                emitted.push((h.ts, rec[wire::HEADER]));
            });
            rings.end_cycle(|_| {});
        };
        cycle(&mut rings, &mut emitted);
        // Thread B registers with its first record, and stops inside it,
        // its timestamp taken.
        let (stamped_tx, stamped_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let b = std::thread::spawn(move || {
            thread_ring::push(wire::TAG_LOG, 3, 8, |dst| {
                dst[0] = b'B';
                stamped_tx.send(()).unwrap();
                go_rx.recv().unwrap();
            });
        });
        stamped_rx.recv().unwrap();
        // Thread A publishes a newer record.
        std::thread::spawn(|| thread_ring::push(wire::TAG_LOG, 3, 8, |dst| dst[0] = b'A'))
            .join()
            .unwrap();
        // Well past the store slack, in either clock unit.
        std::thread::sleep(std::time::Duration::from_millis(5));
        cycle(&mut rings, &mut emitted);
        assert!(emitted.is_empty(), "A's record went out first: {emitted:?}");
        go_tx.send(()).unwrap();
        b.join().unwrap();
        while emitted.len() < 2 {
            cycle(&mut rings, &mut emitted);
        }
        let order: Vec<u8> = emitted.iter().map(|&(_, who)| who).collect();
        assert_eq!(order, b"BA", "{emitted:?}");
        assert!(emitted[0].0 <= emitted[1].0);
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }

    /// A producer blocked on a full ring gets room back during the cycle
    /// that drains it, after the first run (at most a quarter of the
    /// ring), not only when the cycle ends.
    #[test]
    fn a_full_ring_gets_room_back_within_the_cycle() {
        use std::sync::atomic::AtomicUsize;
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let cap = crate::config::MIN_RING_BYTES;
        lifecycle::set_producer_config(cap, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        const LEN: usize = 16;
        let pushed = Arc::new(AtomicUsize::new(0));
        let total = 4 * cap / (wire::HEADER + LEN);
        let producer = std::thread::spawn({
            let pushed = Arc::clone(&pushed);
            move || {
                for i in 0..total {
                    thread_ring::push(wire::TAG_LOG, 3, LEN, |dst| dst.fill(i as u8));
                    pushed.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        let mut rings = Rings::new();
        // Until the producer's ring is there and has no room for another
        // record: the producer then waits in `block` until a read index
        // is published.
        loop {
            rings.begin_cycle(u64::MAX - 1, u64::MAX);
            if rings
                .threads
                .first()
                .is_some_and(|t| t.occupancy() + wire::HEADER + LEN > cap)
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let before = pushed.load(Ordering::SeqCst);
        assert!(before < total, "the ring held every record: {before}");
        let (mut runs, mut progressed) = (0, false);
        rings.merge_runs(None, |run| {
            runs += 1;
            if runs == 2 {
                // The first run's read index is published: the producer
                // can write again, within this cycle.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while !progressed && std::time::Instant::now() < deadline {
                    progressed = pushed.load(Ordering::SeqCst) > before;
                    std::thread::yield_now();
                }
            }
            while run.records.next().is_some() {}
        });
        assert!(runs >= 4, "runs of at most a quarter of the ring: {runs}");
        assert!(progressed, "no room given back before the cycle's end");
        rings.end_cycle(|_| {});
        while !producer.is_finished() || !rings.all_empty() {
            rings.begin_cycle(u64::MAX - 1, u64::MAX);
            rings.merge_runs(None, |run| while run.records.next().is_some() {});
            rings.end_cycle(|_| {});
        }
        producer.join().unwrap();
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }

    /// Runs `produce` on a new thread and returns every record it pushed
    /// into its ring, in order, as (header, payload).
    fn records_of(produce: impl FnOnce() + Send + 'static) -> Vec<(Header, Vec<u8>)> {
        let producer = std::thread::spawn(produce);
        let mut rings = Rings::new();
        let mut got = Vec::new();
        loop {
            let watermark = rings.begin_cycle(u64::MAX - 1, u64::MAX);
            rings.merge(Some(watermark), |_, _, h, rec| {
                got.push((*h, rec[wire::HEADER..h.len].to_vec()));
            });
            rings.end_cycle(|_| {});
            if producer.is_finished() && rings.threads.is_empty() {
                break;
            }
            std::thread::yield_now();
        }
        producer.join().unwrap();
        got
    }

    /// A slot of 56 + 8 payload bytes filled in place, `head` written
    /// first; waits while the ring is short of one (the consumer makes
    /// room).
    fn begin_retrying(head: &[u8]) -> thread_ring::InPlace {
        loop {
            let fill = thread_ring::begin_in_place(56, 8, |dst| {
                dst[..head.len()].copy_from_slice(head);
                head.len()
            });
            if let Some(w) = fill {
                return w;
            }
            std::thread::yield_now();
        }
    }

    /// Pushes a record whose 16-byte payload is the words `a` and `b`.
    fn push_two_words(a: u64, b: u64) {
        thread_ring::push(wire::TAG_LOG, 3, 16, |d| {
            d[..8].copy_from_slice(&a.to_ne_bytes());
            d[8..].copy_from_slice(&b.to_ne_bytes());
        })
    }

    /// Records of 16-byte payloads read as two words each, checked equal
    /// to `want`, record by record.
    fn assert_two_words(got: &[(Header, Vec<u8>)], want: &[(u64, u64)]) {
        let got: Vec<(u64, u64)> = got
            .iter()
            .map(|(h, body)| {
                assert_eq!(h.len, wire::HEADER + 16);
                let word = |at: usize| u64::from_ne_bytes(body[at..at + 8].try_into().unwrap());
                (word(0), word(8))
            })
            .collect();
        assert_eq!(got.len(), want.len());
        let first = got.iter().zip(want).position(|(a, b)| a != b);
        assert!(first.is_none(), "first difference at record {first:?}");
    }

    /// `begin_in_place`: a record pushed while a slot is filled takes the
    /// slot back and goes first, the filled one after it, its bytes whole
    /// across the move; a fill dropped unfinished (a panicking `Display`)
    /// publishes nothing but what was pushed during it; a second fill is
    /// refused while one runs. Across the ring's end, so slots are padded.
    #[test]
    fn records_pushed_while_a_slot_is_filled_in_place_go_first() {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let rounds: u64 = if cfg!(miri) { 40 } else { 3000 };
        // The records pushed during a fill (1, 2) come before it (3).
        let mut want = Vec::new();
        for i in 0..rounds {
            want.extend([(1, i), (2, i), (3, i), (4, i), (5, i)]);
        }
        let got = records_of(move || {
            let push = push_two_words;
            let finish = |w: thread_ring::InPlace| {
                w.finish(
                    wire::TAG_LOG,
                    3,
                    |_, len| {
                        assert_eq!(len, 16, "in the slot");
                        16
                    },
                    |buf| assert_eq!(buf.len(), 16, "spilled"),
                )
            };
            for i in 0..rounds {
                // Two records pushed during the fill, between its writes.
                let mut w = begin_retrying(&3u64.to_ne_bytes());
                push(1, i);
                assert!(thread_ring::begin_in_place(56, 8, |_| 0).is_none());
                w.append(&i.to_ne_bytes()[..3]);
                push(2, i);
                w.append(&i.to_ne_bytes()[3..]);
                finish(w);
                // A fill alone stays in its slot.
                let mut w = begin_retrying(&4u64.to_ne_bytes());
                w.append(&i.to_ne_bytes());
                finish(w);
                // Dropped unfinished after a record was pushed.
                let mut w = begin_retrying(&9u64.to_ne_bytes());
                w.append(&[0xEE; 8]);
                push(5, i);
                drop(w);
            }
        });
        assert_two_words(&got, &want);
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }

    /// Span frames marked as waiting while a slot is filled (a `Display`
    /// impl entering a span), with no record inside or, every other round,
    /// one that takes the slot back: the records are pushed after the
    /// frames, and the ring's free-space accounting stays right (it
    /// overflowed in both cases before): every record arrives whole and
    /// in order.
    #[cfg(feature = "tracing")]
    #[test]
    fn span_frames_marked_during_a_fill_go_before_the_filled_record() {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let rounds: u64 = if cfg!(miri) { 40 } else { 2000 };
        let push = push_two_words;
        let got = records_of(move || {
            for i in 0..rounds {
                let mut w = begin_retrying(&[]);
                assert!(thread_ring::set_frames_pending(true));
                if i % 2 == 1 {
                    push(i, 10);
                }
                w.append(&i.to_ne_bytes());
                w.append(&[0; 8]);
                w.finish(wire::TAG_LOG, 3, |_, len| len, |_| {});
                for k in 1..4u64 {
                    push(i, k);
                }
            }
        });
        let want: Vec<(u64, u64)> = (0..rounds)
            .flat_map(|i| {
                let nested = (i % 2 == 1).then_some((i, 10));
                nested.into_iter().chain((0..4).map(move |k| (i, k)))
            })
            .collect();
        assert_two_words(&got, &want);
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }

    /// The `log` adapter's in-place path writes exactly the general path's
    /// payload (`log_adapter::encode`), in the slot, spilled, and cut to
    /// fit the ring.
    #[test]
    fn in_place_log_payloads_match_the_general_path() {
        use crate::frontend::{in_place, log_adapter};
        static MODULE: &str = "app::orders";
        static FILE: &str = "src/orders.rs";
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        lifecycle::set_producer_config(crate::config::MIN_RING_BYTES, OverflowPolicy::Block);
        lifecycle::set_state(lifecycle::RUNNING);
        let lengths = [
            0, 1, 5, 16, 17, 400, 440, 441, 442, 443, 470, 511, 512, 600, 3000,
        ];
        let record_of = |body: &str, f: &mut dyn FnMut(&log::Record<'_>)| {
            f(&log::Record::builder()
                .args(format_args!(
                    "order {} {} at {}: {}",
                    7u64, "AAPL", 187.5, body
                ))
                .module_path_static(Some(MODULE))
                .file_static(Some(FILE))
                .target(MODULE)
                .line(Some(42))
                .build())
        };
        let body = |n: usize| "é".repeat(n / 2) + &"x".repeat(n % 2);
        let got = records_of(move || {
            for n in lengths {
                record_of(&body(n), &mut |r| {
                    while !in_place::push_formatted(r, 2) {
                        std::thread::yield_now();
                    }
                });
            }
        });
        assert_eq!(got.len(), lengths.len());
        let max = thread_ring::max_payload();
        for ((h, payload), n) in got.iter().zip(lengths) {
            let mut want = Vec::new();
            record_of(&body(n), &mut |r| {
                log_adapter::encode(&mut want, r, usize::MAX);
                if want.len() > max {
                    want.clear();
                    log_adapter::encode(&mut want, r, log_adapter::cut_limit(max, 0));
                }
            });
            assert_eq!((h.tag, h.level), (wire::TAG_LOG, 2));
            assert_eq!(&payload[..want.len()], &want[..], "message of {n} bytes");
            assert_eq!(h.len, wire::aligned(wire::HEADER + want.len()));
        }
        lifecycle::set_state(lifecycle::NOT_INSTALLED);
    }
}
