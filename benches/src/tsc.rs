//! The time-stamp counter: fenced reads and calibration to nanoseconds.

use std::arch::x86_64::{__rdtscp, _mm_lfence, _rdtsc};
use std::sync::OnceLock;
use std::time::Duration;

/// Reads the TSC at the start of a timed region: `lfence; rdtsc; lfence`,
/// so that neither earlier nor later instructions move across the read.
#[inline(always)]
pub fn start() -> u64 {
    // SAFETY: lfence and rdtsc have no preconditions on x86_64.
    unsafe {
        _mm_lfence();
        let t = _rdtsc();
        _mm_lfence();
        t
    }
}

/// Reads the TSC at the end of a timed region: `rdtscp; lfence` (rdtscp
/// waits for every earlier instruction; the fence keeps later ones after).
#[inline(always)]
pub fn stop() -> u64 {
    let mut aux = 0u32;
    // SAFETY: rdtscp writes the TSC_AUX value into `aux`, a valid u32.
    unsafe {
        let t = __rdtscp(&mut aux);
        _mm_lfence();
        t
    }
}

/// Nanoseconds per TSC tick, measured once (about 200 ms) against
/// `CLOCK_MONOTONIC`.
pub fn ns_per_tick() -> f64 {
    static NS_PER_TICK: OnceLock<f64> = OnceLock::new();
    *NS_PER_TICK.get_or_init(|| {
        let (t0, m0) = pair();
        std::thread::sleep(Duration::from_millis(200));
        let (t1, m1) = pair();
        (m1 - m0) as f64 / (t1 - t0) as f64
    })
}

/// A TSC reading and a `CLOCK_MONOTONIC` reading taken as close together
/// as possible (the tightest of a few tries).
fn pair() -> (u64, u64) {
    let mut best = (u64::MAX, 0, 0);
    for _ in 0..16 {
        let a = start();
        let m = crate::sys::monotonic_ns();
        let b = stop();
        if b - a < best.0 {
            best = (b - a, a + (b - a) / 2, m);
        }
    }
    (best.1, best.2)
}

/// Converts a tick count to nanoseconds.
#[inline]
pub fn to_ns(ticks: u64) -> f64 {
    ticks as f64 * ns_per_tick()
}

/// Spins for `ns` nanoseconds on the TSC (never sleeps, so the core stays
/// busy and the caches stay as a busy trading thread keeps them).
#[inline(never)]
pub fn busy_wait_ns(ns: u64) {
    let ticks = (ns as f64 / ns_per_tick()) as u64;
    let end = start() + ticks;
    while start() < end {
        std::hint::spin_loop();
    }
}
