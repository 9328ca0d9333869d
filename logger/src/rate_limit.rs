//! Per-call-site rate limits: `trade!(rate: "100/s", ..)`,
//! `perf!(rate: "10/ms", ..)`, `#[log_performance(rate = "5/min")]`.
//!
//! A limited call site expands to one `static` [`RateLimit`], shared by
//! every thread that runs the call site, checked after the level check and
//! before the record's values are evaluated (for `#[log_performance]` and
//! `perf!` timers, when the record is about to be written). Call sites
//! without `rate` have no limiter and pay nothing.
//!
//! # Windows
//!
//! Fixed windows of the configured period, aligned on multiples of the
//! period in the clock's raw units (TSC ticks or ns): a window's number
//! is `now_raw / period_raw`, computed with a multiply by a reciprocal
//! cached in the static on the first check. At most `limit` records are
//! admitted per window, exactly, whatever the number of threads: the
//! window number and the count share one atomic word (`window << 32 |
//! count`), moved by compare-and-swap, so a new window's count starts at
//! one in the same step that opens it. The count grows only while it is
//! below the limit: a call over the limit only reads the word, then bumps
//! the limiter's `dropped` counter. A thread whose timestamp falls in one
//! of the [`LATE_WINDOWS`] windows before the word's (a race between
//! threads) counts in the current one, so windows do not flip back and
//! forth; any other window number (later, or far away after the 32 bits
//! wrapped or the system clock stepped back) opens a new window.
//!
//! No lock, no allocation, no system call: one timestamp (`rdtsc`), one
//! 64x64 multiply, one load and one compare-and-swap when admitted.
//!
//! # Reporting
//!
//! A limiter puts itself, once, on a global lock-free list the first time
//! it drops a record (an intrusive singly linked list: an `AtomicPtr`
//! head, a `next` pointer in each limiter; the limiters are `static`, so
//! they live forever and are never removed). The flusher walks the list
//! once a second, at each [`crate::flush`] and at shutdown, and writes one
//! `WARN` record (target `logger`) per limiter whose count of drops moved;
//! [`crate::metrics()`] sums the drops into `records_rate_limited`. These
//! records never reached a ring, so `records_created` does not count them.

use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering::*};

use crate::callsite::Callsite;
use crate::clock;

/// Largest `count` of a rate (`"1000000000/s"`): the count shares a `u64`
/// with the window number and must never carry into it.
pub const MAX_RATE_COUNT: u32 = 1_000_000_000;

/// A record whose window is at most this many windows before the current
/// one is late (its thread read the clock before another thread opened the
/// current window) and counts in the current window.
const LATE_WINDOWS: i32 = 1024;

/// A per-call-site rate limit. Built by the macros: not meant to be
/// written by hand.
#[doc(hidden)]
#[derive(Debug)]
pub struct RateLimit {
    /// `window << 32 | count`: the current window's number (low 32 bits
    /// of `now_raw / period_raw`) and the records it admitted.
    state: AtomicU64,
    /// `2^64 / period_raw`, 0 until the first check computes it.
    recip: AtomicU64,
    /// Records dropped over the limit since start.
    dropped: AtomicU64,
    /// Drops already reported in a warning record (written by the flusher only).
    reported: AtomicU64,
    /// On the global list (see the module doc).
    registered: AtomicBool,
    /// The next limiter on the global list (null: the last).
    next: AtomicPtr<RateLimit>,
    callsite: &'static Callsite,
    /// `"trade!"`, `"perf!"` or `"#[log_performance]"`, for the warning.
    source: &'static str,
    limit: u32,
    period_ns: u64,
}

/// The first limiter on the global list (null: none has dropped anything).
static HEAD: AtomicPtr<RateLimit> = AtomicPtr::new(ptr::null_mut());

impl RateLimit {
    /// At most `limit` records of `callsite` per `period_ns`; `source`
    /// names the macro in the warning record. `limit` is clamped to
    /// `1..=MAX_RATE_COUNT` and `period_ns` to at least 1 (the macros
    /// check both at compile time).
    pub const fn new(
        callsite: &'static Callsite,
        source: &'static str,
        limit: u32,
        period_ns: u64,
    ) -> RateLimit {
        let limit = if limit == 0 {
            1
        } else if limit > MAX_RATE_COUNT {
            MAX_RATE_COUNT
        } else {
            limit
        };
        RateLimit {
            state: AtomicU64::new(0),
            recip: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            reported: AtomicU64::new(0),
            registered: AtomicBool::new(false),
            next: AtomicPtr::new(ptr::null_mut()),
            callsite,
            source,
            limit,
            period_ns: if period_ns == 0 { 1 } else { period_ns },
        }
    }

    /// Whether one more record of this call site fits the current window;
    /// if not, counts it as dropped.
    #[inline]
    pub fn admit(&'static self) -> bool {
        let mut recip = self.recip.load(Relaxed);
        if recip == 0 {
            recip = self.init_cold();
        }
        let now = clock::now_raw();
        self.admit_at(window_of(now, recip))
    }

    /// [`RateLimit::admit`] for a record in window number `window`.
    #[inline]
    fn admit_at(&'static self, window: u32) -> bool {
        let mut s = self.state.load(Relaxed);
        loop {
            let current = (s >> 32) as u32;
            // Wrapping distance: a later window opens a new count, a
            // slightly earlier one (late) counts in the current one.
            let ahead = window.wrapping_sub(current) as i32;
            let next = if !(-LATE_WINDOWS..=0).contains(&ahead) {
                (u64::from(window) << 32) | 1
            } else if (s as u32) < self.limit {
                s + 1
            } else {
                self.reject();
                return false;
            };
            match self.state.compare_exchange_weak(s, next, Relaxed, Relaxed) {
                Ok(_) => return true,
                Err(seen) => s = seen,
            }
        }
    }

    /// Computes and caches the reciprocal of the period in raw clock units.
    #[cold]
    #[inline(never)]
    fn init_cold(&self) -> u64 {
        let recip = reciprocal(period_raw(self.period_ns));
        self.recip.store(recip, Relaxed);
        recip
    }

    /// Counts a dropped record; the first one puts the limiter on the list.
    #[cold]
    #[inline(never)]
    fn reject(&'static self) {
        self.dropped.fetch_add(1, Relaxed);
        if !self.registered.load(Relaxed) && !self.registered.swap(true, AcqRel) {
            self.register();
        }
    }

    /// Pushes this limiter on the global list (once: guarded by `registered`).
    fn register(&'static self) {
        let me = ptr::from_ref(self).cast_mut();
        let mut head = HEAD.load(Acquire);
        loop {
            self.next.store(head, Relaxed);
            match HEAD.compare_exchange_weak(head, me, AcqRel, Acquire) {
                Ok(_) => return,
                Err(seen) => head = seen,
            }
        }
    }

    /// Records dropped over the limit since start.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Relaxed)
    }

    /// Drops not yet reported, marked reported (the flusher's only).
    pub(crate) fn take_unreported(&self) -> u64 {
        let dropped = self.dropped.load(Relaxed);
        let reported = self.reported.load(Relaxed);
        if dropped <= reported {
            return 0;
        }
        self.reported.store(dropped, Relaxed);
        dropped - reported
    }

    /// The call site it limits.
    pub(crate) fn callsite(&self) -> &'static Callsite {
        self.callsite
    }

    /// `"trade!"`, `"perf!"` or `"#[log_performance]"`.
    pub(crate) fn source(&self) -> &'static str {
        self.source
    }

    /// The limit as written: `"100/s"`.
    pub(crate) fn spec(&self) -> String {
        let unit = match self.period_ns {
            1_000_000 => "ms",
            1_000_000_000 => "s",
            60_000_000_000 => "min",
            ns => return format!("{}/{ns}ns", self.limit),
        };
        format!("{}/{unit}", self.limit)
    }
}

/// The window number of raw time `now`: `now / period_raw`, truncated to
/// 32 bits (only compared with the current window, wrapping).
#[inline(always)]
fn window_of(now: u64, recip: u64) -> u32 {
    ((u128::from(now) * u128::from(recip)) >> 64) as u32
}

/// `period_ns` in the clock's raw units (TSC ticks or ns), at least 1.
fn period_raw(period_ns: u64) -> u64 {
    const PROBE: u64 = 1 << 32;
    let ns_per_probe = clock::ticks_to_ns(PROBE).max(1);
    let raw = u128::from(period_ns) * u128::from(PROBE) / u128::from(ns_per_probe);
    u64::try_from(raw).unwrap_or(u64::MAX).max(1)
}

/// `2^64 / period_raw` (rounded down), never 0.
fn reciprocal(period_raw: u64) -> u64 {
    u64::try_from((1u128 << 64) / u128::from(period_raw.max(1)))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Calls `f` with every limiter that has dropped a record, newest first.
pub(crate) fn for_each(mut f: impl FnMut(&'static RateLimit)) {
    let mut p = HEAD.load(Acquire);
    while !p.is_null() {
        // SAFETY: every pointer on the list was made by `register` from a
        // `&'static RateLimit` (the macros' statics), and is only ever read
        // through: the limiter lives for the whole process, and every field
        // shared across threads is atomic.
        let limiter: &'static RateLimit = unsafe { &*p };
        f(limiter);
        p = limiter.next.load(Acquire);
    }
}

/// Records dropped by every call-site limiter since start.
pub(crate) fn total_dropped() -> u64 {
    let mut total = 0;
    for_each(|l| total += l.dropped());
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Kind;

    static CS: Callsite = Callsite {
        kind: Kind::Trade,
        level: crate::Level::Info,
        target: "t",
        module: "m",
        file: "src/orders.rs",
        line: 42,
        message: "trade",
        message_args: 0,
        fields: &[],
        function: None,
    };

    fn on_list(l: &'static RateLimit) -> bool {
        let mut found = false;
        for_each(|x| found |= ptr::eq(x, l));
        found
    }

    #[test]
    fn a_window_admits_exactly_the_limit() {
        static L: RateLimit = RateLimit::new(&CS, "trade!", 3, 1_000_000_000);
        let got: Vec<bool> = (0..5).map(|_| L.admit_at(7)).collect();
        assert_eq!(got, [true, true, true, false, false]);
        assert_eq!(L.dropped(), 2);
        // The next window starts a new count; an earlier window counts in
        // the current one (windows never go back).
        assert!(L.admit_at(8));
        assert!(L.admit_at(7));
        assert!(L.admit_at(8));
        assert!(!L.admit_at(7));
        assert!(!L.admit_at(8));
        assert_eq!(L.dropped(), 4);
        // Far away (a clock step back, a long idle time): a new window.
        assert!(L.admit_at(0x8000_0010));
        assert!(L.admit_at(0x8000_0010));
        assert!(L.admit_at(0x8000_0010));
        assert!(!L.admit_at(0x8000_0010));
        // Window numbers wrap around 32 bits.
        assert!(L.admit_at(u32::MAX - 1));
        assert!(L.admit_at(1));
        assert!(L.admit_at(u32::MAX));
        assert!(L.admit_at(1));
        assert!(!L.admit_at(u32::MAX));
        assert!(on_list(&L));
        assert_eq!(L.take_unreported(), 6);
        assert_eq!(L.take_unreported(), 0);
        assert_eq!(L.spec(), "3/s");
    }

    #[test]
    fn a_limiter_that_never_drops_is_not_listed() {
        static L: RateLimit = RateLimit::new(&CS, "trade!", 10, 1_000_000);
        for w in 0..100 {
            assert!(L.admit_at(w));
        }
        assert!(!on_list(&L));
        assert_eq!(L.spec(), "10/ms");
    }

    #[test]
    fn threads_share_the_limit_exactly() {
        static L: RateLimit = RateLimit::new(&CS, "trade!", 1_000, 60_000_000_000);
        let admitted: u64 = std::thread::scope(|s| {
            let hs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..5_000).filter(|_| L.admit_at(1)).count() as u64))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(admitted, 1_000);
        assert_eq!(L.dropped(), 19_000);
        assert!(total_dropped() >= 19_000);
        assert_eq!(L.spec(), "1000/min");
    }

    #[test]
    fn real_clock_windows() {
        static L: RateLimit = RateLimit::new(&CS, "trade!", 5, 1_000_000_000);
        let start = std::time::Instant::now();
        let admitted = (0..1_000).filter(|_| L.admit()).count() as u64;
        let windows = start.elapsed().as_nanos() as u64 / 1_000_000_000 + 2;
        assert!((5..=5 * windows).contains(&admitted), "{admitted}");
        assert_eq!(admitted + L.dropped(), 1_000);
    }

    #[test]
    fn constructor_clamps_and_periods_convert() {
        static Z: RateLimit = RateLimit::new(&CS, "perf!", 0, 0);
        assert_eq!((Z.limit, Z.period_ns), (1, 1));
        assert_eq!(
            RateLimit::new(&CS, "perf!", u32::MAX, 1).limit,
            MAX_RATE_COUNT
        );
        assert_eq!(reciprocal(1), u64::MAX);
        assert_eq!(reciprocal(1 << 32), 1 << 32);
        assert_eq!(window_of(10 << 32, reciprocal(1 << 32)), 10);
        for p in [1_000_000u64, 1_000_000_000, 60_000_000_000] {
            let back = clock::ticks_to_ns(period_raw(p));
            assert!(back.abs_diff(p) <= p / 100, "{p} ns -> {back} ns");
        }
    }
}
