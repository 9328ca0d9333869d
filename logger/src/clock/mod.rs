//! The clock: raw timestamps on the hot path, UTC nanoseconds on the flusher.
//!
//! A record is stamped with [`record_ts`] on the thread that logs it and
//! converted to UTC ns since the Unix epoch by a [`TscConverter`] on the
//! flusher thread. What a raw value means depends on the process-wide
//! [`ClockMode`], chosen once at install with [`resolve`] and [`select`]:
//!
//! - [`ClockMode::Tsc`]: the CPU's time-stamp counter (`rdtsc`), taken only
//!   when [`tsc_is_invariant`] (CPUID invariant-TSC bit, or `constant_tsc` +
//!   `nonstop_tsc` in `/proc/cpuinfo`, or the kernel keeping time with the
//!   `tsc` clocksource). The converter measures the tick rate at start
//!   (10 ms against `CLOCK_MONOTONIC`), then once a second re-measures it
//!   and slews out the offset to `CLOCK_REALTIME`, so converted times follow
//!   the system clock (NTP included) to within a few microseconds
//!   indefinitely, and never jump except when the system clock itself steps.
//! - [`ClockMode::System`]: `CLOCK_REALTIME` in ns; conversion is the
//!   identity. Used when asked for, when the TSC is not invariant, and on
//!   every target other than x86_64.
//! - [`ClockMode::User`]: records are stamped with the [`UserClock`] the
//!   application installed (simulated market time in a backtest or a
//!   replay), in ns; conversion is the identity. Durations ([`now_raw`],
//!   [`elapsed_ns`]) still measure real time, with `CLOCK_REALTIME`.
//!
//! Durations always use [`now_raw`], which is [`record_ts`] except in
//! user-clock mode.
//!
//! Invariant TSCs are synchronised across cores by the firmware and the
//! kernel (which checks it before choosing the `tsc` clocksource), so raw
//! values from different threads compare directly, which the flusher's
//! cross-thread merge relies on.
//!
//! # Cost
//!
//! Measured on the development machine (2-vCPU KVM VM, 2.45 GHz invariant
//! TSC, kernel clocksource `tsc`), release build, 10 M back-to-back calls,
//! best of 3 runs (`cargo test -p logger --release clock:: -- --ignored
//! --nocapture`; the second figure is the worst run seen while other builds
//! shared the two vCPUs):
//!
//! | call | ns per call |
//! | --- | --- |
//! | `now_raw()`, TSC mode | 11.2 (up to 19) |
//! | `now_raw()`, system-clock mode (vDSO `clock_gettime`) | 29 (up to 43) |
//! | `TscConverter::to_utc_ns` (flusher, per record) | 2.3 (up to 3.8) |
//! | `TscConverter::maybe_recalibrate`, not due (flusher, per cycle) | 0.6 inlined, 2.6 called (up to 3) |
//!
//! The TSC figure is the cost of `rdtsc` itself on this VM (a bare `rdtsc`
//! loop measures the same 11.2-12.9 ns); the mode check adds nothing
//! measurable. `now_raw` and `record_ts` compile to a byte compare, a
//! not-taken jump to the out-of-line reader, then `rdtsc`. Back-to-back calls
//! measure throughput; an isolated `rdtsc` overlaps with surrounding code.
//!
//! # Accuracy
//!
//! On the same machine (8 runs of the unit test), converted TSC time was
//! within 5 ns of `CLOCK_REALTIME` right after calibration and within 60 ns
//! 50 ms later: the 10 ms window measures the rate to about 1 ppm, which
//! the first recalibration, a second later, replaces with a rate measured
//! over that second. (Each figure is the best of five
//! `rdtsc`/clock/`rdtsc` samples.)
//! In simulation (unit tests), a rate 100 ppm off is corrected by the first
//! recalibration (error 100 us, then 1 ns), and two hours of a TSC rate
//! wandering by +-25 ppm with 40 ns of reading noise stay within 0.25 us.

mod calibration;
mod elapsed;
mod source;
mod user;

pub(crate) use calibration::TscConverter;
pub(crate) use elapsed::{elapsed_ns, publish_ns_per_tick, ticks_to_ns};
pub(crate) use source::{now_raw, record_ts, select, tsc_is_invariant};
pub(crate) use user::install as install_user_clock;
pub use user::{SimulatedClock, UserClock};

use crate::config::ClockSource;

/// What a raw timestamp holds, for the whole process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClockMode {
    /// TSC ticks, converted to UTC ns on the flusher.
    Tsc,
    /// `CLOCK_REALTIME` ns since the Unix epoch.
    System,
    /// Records: the installed [`UserClock`]'s ns since the Unix epoch;
    /// durations: `CLOCK_REALTIME` ns.
    User,
}

/// The mode to run with for the configured `source`: the user clock when
/// one is installed (`user_clock`, whatever `source` says), else the TSC
/// only when it was asked for and is invariant (see [`tsc_is_invariant`]),
/// the system clock otherwise.
///
/// Inspects the CPU and reads `/proc` and `/sys`: call it once, at install.
pub(crate) fn resolve(source: ClockSource, user_clock: bool) -> ClockMode {
    match source {
        _ if user_clock => ClockMode::User,
        ClockSource::Tsc if tsc_is_invariant() => ClockMode::Tsc,
        ClockSource::Tsc | ClockSource::System => ClockMode::System,
    }
}

#[cfg(test)]
mod tests {
    use super::source::mode;
    use super::*;
    use std::hint::black_box;
    use std::time::Instant;

    #[test]
    fn resolve_honours_the_request() {
        assert_eq!(resolve(ClockSource::System, false), ClockMode::System);
        // A user clock installed by code wins over the configured source.
        assert_eq!(resolve(ClockSource::System, true), ClockMode::User);
        assert_eq!(resolve(ClockSource::Tsc, true), ClockMode::User);
        let expected = if tsc_is_invariant() {
            ClockMode::Tsc
        } else {
            ClockMode::System
        };
        assert_eq!(resolve(ClockSource::Tsc, false), expected);
        println!(
            "resolve(Tsc) on this machine: {:?}",
            resolve(ClockSource::Tsc, false)
        );
    }

    /// ns per call of `f` over `n` calls, best of three runs.
    fn per_call(n: u64, mut f: impl FnMut(u64) -> u64) -> f64 {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let start = Instant::now();
            let mut acc = 0u64;
            for i in 0..n {
                acc = acc.wrapping_add(f(black_box(i)));
            }
            black_box(acc);
            best = best.min(start.elapsed().as_nanos() as f64 / n as f64);
        }
        best
    }

    /// Cost figures for the module doc. Changes the process-wide mode while
    /// it runs (restored at the end), so it is ignored by default and meant
    /// to run alone, in release:
    /// `cargo test -p logger --release clock:: -- --ignored --nocapture`.
    #[test]
    #[ignore = "measurement, run in release with --ignored --nocapture"]
    fn measure_costs() {
        const N: u64 = 10_000_000;
        let saved = mode();

        select(ClockMode::Tsc);
        let tsc = per_call(N, |_| now_raw());
        select(ClockMode::System);
        let sys = per_call(N, |_| now_raw());
        select(saved);

        let mut conv = TscConverter::new(ClockMode::Tsc);
        let base = source::read(ClockMode::Tsc);
        let convert = per_call(N, |i| conv.to_utc_ns(base.wrapping_add(i * 97)));
        let maybe = per_call(N, |i| {
            conv.maybe_recalibrate(base.wrapping_add(i));
            i
        });
        println!("now_raw TSC mode:    {tsc:.2} ns/call");
        println!("now_raw system mode: {sys:.2} ns/call");
        println!("to_utc_ns:           {convert:.2} ns/call");
        println!("maybe_recalibrate (not due): {maybe:.2} ns/call");
    }
}
