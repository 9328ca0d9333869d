//! Durations on the hot path: the difference of two raw timestamps in ns.
//!
//! `perf!` timers and `#[log_performance]` need a duration on the logging
//! thread (to compare it with a threshold, and to record it). In
//! system-clock and user-clock modes raw values ([`super::now_raw`]) are
//! already `CLOCK_REALTIME` ns. In TSC mode the ticks are
//! scaled by a process-wide fixed-point rate (ns per tick times 2^40, the
//! scale `calibration` uses) that the flusher's converter publishes with
//! [`publish_ns_per_tick`] after each calibration.
//!
//! Until a rate is published, the first conversion in TSC mode measures
//! one itself (a 200 us spin against `CLOCK_MONOTONIC`, once per process,
//! on the `#[cold]` path); a published rate replaces it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::ClockMode;

/// Fixed-point scale of the rate: ns per tick times 2^`SHIFT` (the same as
/// the converter's).
const SHIFT: u32 = 40;

/// ns per TSC tick times 2^`SHIFT`; 0 until measured or published.
#[repr(align(64))]
struct Rate(AtomicU64);

static NS_PER_TICK: Rate = Rate(AtomicU64::new(0));

/// Publishes the TSC rate (ns per tick times 2^40, e.g. the converter's
/// steady `mult`) for [`elapsed_ns`]. Call it after every calibration.
#[allow(dead_code)] // wired by the flusher's converter
pub(crate) fn publish_ns_per_tick(mult: u64) {
    if mult != 0 {
        NS_PER_TICK.0.store(mult, Ordering::Relaxed);
    }
}

/// ns between two raw timestamps taken with [`super::now_raw`] on any
/// thread (0 if `end_raw` is before `start_raw`).
///
/// Cost: a subtraction, a relaxed load and a 64x64 multiply in TSC mode;
/// a subtraction in system-clock and user-clock modes.
#[inline(always)]
pub(crate) fn elapsed_ns(start_raw: u64, end_raw: u64) -> u64 {
    ticks_to_ns(end_raw.saturating_sub(start_raw))
}

/// A raw-timestamp difference in ns.
#[inline(always)]
pub(crate) fn ticks_to_ns(ticks: u64) -> u64 {
    if super::source::mode() != ClockMode::Tsc {
        return ticks;
    }
    let mut mult = NS_PER_TICK.0.load(Ordering::Relaxed);
    if mult == 0 {
        mult = measure_cold();
    }
    let ns = (u128::from(ticks) * u128::from(mult)) >> SHIFT;
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// Measures the TSC rate over a short spin, unless one was published
/// meanwhile; a published rate always wins.
#[cold]
#[inline(never)]
fn measure_cold() -> u64 {
    const WINDOW: Duration = Duration::from_micros(200);
    let t0 = super::source::read(ClockMode::Tsc);
    let i0 = Instant::now();
    let mut elapsed = i0.elapsed();
    while elapsed < WINDOW {
        std::hint::spin_loop();
        elapsed = i0.elapsed();
    }
    let t1 = super::source::read(ClockMode::Tsc);
    let ticks = t1.saturating_sub(t0).max(1);
    let mult = (elapsed.as_nanos() << SHIFT) / u128::from(ticks);
    let mult = u64::try_from(mult).unwrap_or(u64::MAX).max(1);
    match NS_PER_TICK
        .0
        .compare_exchange(0, mult, Ordering::Relaxed, Ordering::Relaxed)
    {
        Ok(_) => mult,
        Err(published) => published,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_mode_is_the_identity() {
        if super::super::source::mode() != ClockMode::Tsc {
            assert_eq!(elapsed_ns(10, 1_010), 1_000);
            assert_eq!(elapsed_ns(1_010, 10), 0);
        }
    }

    #[test]
    fn tsc_ticks_scale_to_about_real_time() {
        if !cfg!(target_arch = "x86_64") {
            return;
        }
        let mult = NS_PER_TICK.0.load(Ordering::Relaxed);
        let mult = if mult == 0 { measure_cold() } else { mult };
        let t0 = super::super::source::read(ClockMode::Tsc);
        let i0 = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        let t1 = super::super::source::read(ClockMode::Tsc);
        let real = i0.elapsed().as_nanos() as f64;
        let ns = ((u128::from(t1 - t0) * u128::from(mult)) >> SHIFT) as f64;
        assert!(
            (ns / real - 1.0).abs() < 0.02,
            "{ns} ns from ticks vs {real} ns"
        );
    }
}
