//! Latency measurement: quill's burst method and the per-call mode.

use crate::tsc;

/// Calls per burst (quill's method).
pub const BURST: usize = 20;
/// Default number of bursts.
pub const BURSTS: usize = 10_000;
/// Default number of single timed calls in the per-call mode.
pub const CALLS: usize = 200_000;

/// Percentiles of a set of samples, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `samples` (sorted here).
    pub fn of(samples: &mut [f64]) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_by(f64::total_cmp);
        let at = |p: f64| {
            let rank = (p * samples.len() as f64).ceil() as usize;
            samples[rank.clamp(1, samples.len()) - 1]
        };
        Percentiles {
            p50: at(0.50),
            p75: at(0.75),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: samples[samples.len() - 1],
        }
    }

    /// Each percentile of `self` less the same percentile of `base`: the
    /// added cost of a wrapper, percentile by percentile.
    pub fn minus(&self, base: &Percentiles) -> Percentiles {
        Percentiles {
            p50: self.p50 - base.p50,
            p75: self.p75 - base.p75,
            p90: self.p90 - base.p90,
            p99: self.p99 - base.p99,
            p999: self.p999 - base.p999,
            max: self.max - base.max,
        }
    }
}

/// A small xorshift generator for the random waits (no dependency, fixed
/// seed: every run waits the same way).
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Quill's method: `bursts` bursts of [`BURST`] calls, each burst timed as
/// a whole (`lfence; rdtsc; lfence` ... `rdtscp; lfence`), the per-call
/// average of a burst as one sample, a random 2.0-2.2 ms busy wait between
/// bursts (`BENCH_GAP_NS` changes the 2.0 ms, for experiments). `call(i)`
/// makes the i-th call. A tenth of the bursts (at least
/// 10) run first as a warm-up and are not kept. Also prints on stderr the
/// p50 of the bursts whose wait was not interrupted for `PREEMPTED_NS` (50
/// us) or more. With `BENCH_POSITIONS=1`, `bursts_by_position` runs instead.
pub fn bursts(bursts: usize, mut call: impl FnMut(u64)) -> Percentiles {
    let mut rng = Rng::new(0x5eed_1234);
    let gap = crate::env_usize("BENCH_GAP_NS", 2_000_000) as u64;
    let warmup = (bursts / 10).max(10);
    let mut samples = Vec::with_capacity(bursts);
    if std::env::var_os("BENCH_POSITIONS").is_some() {
        return bursts_by_position(bursts, warmup, gap, &mut rng, call);
    }
    // The bursts after a wait in which the producer was not preempted.
    let mut calm = Vec::with_capacity(bursts);
    let mut preempted = true;
    let mut i = 0u64;
    for b in 0..warmup + bursts {
        let t0 = tsc::start();
        for _ in 0..BURST {
            call(i);
            i += 1;
        }
        let t1 = tsc::stop();
        if b >= warmup {
            let avg = tsc::to_ns(t1 - t0) / BURST as f64;
            samples.push(avg);
            if !preempted {
                calm.push(avg);
            }
        }
        preempted = busy_wait_max_gap_ns(gap + rng.below(gap / 10)) >= PREEMPTED_NS;
    }
    eprintln!(
        "bench:   bursts after a wait without a preemption: {} of {bursts}, p50 {:.1} ns",
        calm.len(),
        Percentiles::of(&mut calm).p50
    );
    Percentiles::of(&mut samples)
}

/// A gap this long between two TSC reads of a busy wait means another task
/// ran on the producer's CPU (interrupts and the hypervisor's exits make
/// gaps of 1-30 us here): its data evicted the producer's from the caches, and the
/// next burst pays for it whatever the logger does. On a shared machine
/// these bursts come and go with the load; the p50 of the others is the
/// steadier figure to compare builds with.
const PREEMPTED_NS: f64 = 50_000.0;

/// A diagnostic variant of [`bursts`] (`BENCH_POSITIONS=1`): the same
/// bursts and gaps, but each call of a burst timed on its own
/// (`lfence; rdtsc; lfence` between calls), so that the cost of the first
/// calls of a burst shows apart from the later ones, and each burst
/// classed by the longest time between two consecutive TSC reads of the
/// busy wait before it: under 1 us (nothing ran on the producer's CPU),
/// 1-50 us (an interrupt, or the hypervisor), over 50 us (another task
/// ran there, whose data evicted the producer's). Prints on stderr, per
/// class, its share of the bursts, the p50 of its bursts' per-call
/// averages and the median of each position; returns the percentiles of
/// all the bursts' per-call averages (higher than [`bursts`] by the 20
/// extra timer reads).
fn bursts_by_position(
    bursts: usize,
    warmup: usize,
    gap: u64,
    rng: &mut Rng,
    mut call: impl FnMut(u64),
) -> Percentiles {
    const CLASSES: [&str; 3] = ["wait < 1 us", "1-50 us", "> 50 us"];
    let mut by_class: Vec<(Vec<f64>, Vec<Vec<f64>>)> = (0..CLASSES.len())
        .map(|_| (Vec::new(), vec![Vec::new(); BURST]))
        .collect();
    let mut samples = Vec::with_capacity(bursts);
    let mut at = [0f64; BURST];
    let mut class = CLASSES.len() - 1;
    let mut i = 0u64;
    for b in 0..warmup + bursts {
        let t0 = tsc::start();
        let mut t = t0;
        for slot in at.iter_mut() {
            call(i);
            i += 1;
            let u = tsc::start();
            *slot = tsc::to_ns(u - t);
            t = u;
        }
        if b >= warmup {
            let avg = tsc::to_ns(t - t0) / BURST as f64;
            samples.push(avg);
            let (avgs, positions) = &mut by_class[class];
            avgs.push(avg);
            for (times, ns) in positions.iter_mut().zip(at) {
                times.push(ns);
            }
        }
        let max_gap = busy_wait_max_gap_ns(gap + rng.below(gap / 10));
        class = if max_gap < 1_000.0 {
            0
        } else if max_gap < PREEMPTED_NS {
            1
        } else {
            2
        };
    }
    for (name, (avgs, positions)) in CLASSES.iter().zip(&mut by_class) {
        let medians: Vec<String> = positions
            .iter_mut()
            .map(|times| format!("{:.0}", Percentiles::of(times).p50))
            .collect();
        eprintln!(
            "bench:   bursts after a wait with gaps {name}: {} of {bursts}, p50 {:.1} ns; p50 by position: {}",
            avgs.len(),
            Percentiles::of(avgs).p50,
            medians.join(" ")
        );
    }
    Percentiles::of(&mut samples)
}

/// [`tsc::busy_wait_ns`], returning the longest time between two
/// consecutive TSC reads of the wait (an interrupt or a preemption).
#[inline(never)]
fn busy_wait_max_gap_ns(ns: u64) -> f64 {
    let ticks = (ns as f64 / tsc::ns_per_tick()) as u64;
    let mut last = tsc::start();
    let end = last + ticks;
    let mut max_gap = 0;
    while last < end {
        std::hint::spin_loop();
        let t = tsc::start();
        max_gap = max_gap.max(t - last);
        last = t;
    }
    tsc::to_ns(max_gap)
}

/// The per-call mode: `calls` single calls, each timed on its own
/// (`lfence; rdtsc; lfence` ... `rdtscp; lfence`, so the timer's own cost
/// is included: compare with [`per_call_floor`]), a random 1-3 us busy
/// wait between calls (a record rate well below the flusher's, so the ring
/// never fills). A tenth of the calls run first as a warm-up.
pub fn per_call(calls: usize, mut call: impl FnMut(u64)) -> Percentiles {
    let mut rng = Rng::new(0xca11_5eed);
    let warmup = (calls / 10).max(100);
    let mut samples = Vec::with_capacity(calls);
    for i in 0..(warmup + calls) as u64 {
        let t0 = tsc::start();
        call(i);
        let t1 = tsc::stop();
        if i as usize >= warmup {
            samples.push(tsc::to_ns(t1 - t0));
        }
        tsc::busy_wait_ns(1_000 + rng.below(2_000));
    }
    Percentiles::of(&mut samples)
}

/// The timer's own cost in the per-call mode: an empty timed call.
pub fn per_call_floor(calls: usize) -> Percentiles {
    per_call(calls, |i| {
        std::hint::black_box(i);
    })
}

/// The timer's own cost in the burst mode: a burst of empty calls.
pub fn burst_floor(bursts: usize) -> Percentiles {
    self::bursts(bursts, |i| {
        std::hint::black_box(i);
    })
}
