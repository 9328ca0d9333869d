//! The flusher half of the clock: raw timestamps into UTC ns since the epoch.
//!
//! A [`TscConverter`] holds the mapping as a piecewise-linear function in
//! fixed point (ns per tick scaled by 2^40), so a conversion is one compare,
//! one 64x64->128 multiply, one shift and one add.
//!
//! # Calibration
//!
//! [`TscConverter::new`] measures the tick rate against `CLOCK_MONOTONIC`
//! over a 10 ms window and anchors the offset with one `CLOCK_REALTIME`
//! reading. Every reading is a *paired* reading: `rdtsc`, clock, `rdtsc`,
//! repeated and the pair with the smallest TSC gap kept, its TSC midpoint
//! standing for the clock value.
//!
//! # Recalibration: offset slewed, frequency re-measured
//!
//! [`TscConverter::maybe_recalibrate`], called every flusher cycle, takes a
//! fresh paired reading about once a second and hands it to
//! [`TscConverter::recalibrate_with`], a pure function of the injected
//! `(raw, real_ns)` pair:
//!
//! - *Frequency*: the rate measured over the interval since the previous
//!   reading replaces the current rate (intervals shorter than 1/4 s are too
//!   noisy and are skipped).
//! - *Offset*: the error `real_ns - to_utc_ns(raw)` is slewed out over the
//!   next second: a new segment starts at `(raw, to_utc_ns(raw))`, so the
//!   converted time is continuous at the switch point, and runs at
//!   `rate + error / 1 s` for one second, then at `rate`. Because the slew
//!   stops after its second, the correction is exact however late the next
//!   recalibration comes (a single line with the slew folded into its rate
//!   would overshoot when the flusher is late).
//! - *Steps*: an error beyond 1 ms (the wall clock was set, the machine slept,
//!   the VM migrated) is taken at once: the segment restarts at `real_ns`.
//!   That is the only case where converted time can go back, by the size of
//!   the step the system clock itself made. The interval across a step is
//!   not trusted for the frequency, unless two steps come in a row (then
//!   the rate, not the clock, is wrong).
//! - *TSC going back* by more than a period (a VM moved to a host that does
//!   not compensate): the mapping restarts from the reading.
//!
//! A converter built by [`TscConverter::new`] publishes every steady rate
//! it settles on to [`super::publish_ns_per_tick`], so hot-path durations
//! ([`super::elapsed_ns`]) use the same calibration.
//!
//! The previous segment is kept, so a record stamped just before a
//! recalibration and converted just after gets exactly the value the old
//! mapping gave it: across both segments the mapping is continuous and
//! non-decreasing (except at a step).
//!
//! In system-clock and user-clock modes raw values are already UTC ns: the
//! mapping is the identity (a segment of rate exactly 1) and recalibration
//! does nothing.

use super::ClockMode;
use super::source;

/// Fixed-point scale of the rates: ns per tick times 2^`SHIFT`.
/// At 3 GHz a rate is ~3.7e11, resolved to 0.003 ppb (0.2 ns a minute); a
/// 64-bit tick count times a rate fits the 128-bit product for any TSC
/// faster than 1 MHz.
const SHIFT: u32 = 40;

/// How often [`TscConverter::maybe_recalibrate`] takes a reading, and how
/// long a slew lasts.
const PERIOD_NS: u64 = 1_000_000_000;

/// Length of the initial rate measurement.
const INITIAL_WINDOW_NS: u64 = 10_000_000;

/// Offset errors beyond this are stepped instead of slewed; at most
/// `STEP_NS / PERIOD_NS` (0.1 %) is ever added to or taken from the rate.
const STEP_NS: u64 = 1_000_000;

/// Measured rates further than 1/`MAX_RATE_CHANGE_DIV` (10 %) from the
/// current one are discarded as artefacts of a clock step.
const MAX_RATE_CHANGE_DIV: u64 = 10;

/// Attempts per paired reading; the one with the smallest TSC gap wins.
const PAIR_ATTEMPTS: usize = 16;

/// `ticks * mult >> SHIFT`, saturating.
#[inline(always)]
fn mul_shift(ticks: u64, mult: u64) -> u64 {
    let ns = (u128::from(ticks) * u128::from(mult)) >> SHIFT;
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// Fixed-point rate of `ns` over `ticks` (`ticks` > 0).
fn rate(ns: u64, ticks: u64) -> u64 {
    let mult = (u128::from(ns) << SHIFT) / u128::from(ticks.max(1));
    u64::try_from(mult).unwrap_or(u64::MAX).max(1)
}

/// One piece of the mapping, valid from `base_tsc` on.
///
/// From `base_tsc` it runs at `slew_mult` for `slew_ticks` ticks, then at
/// `mult`; before `base_tsc` it extrapolates backwards at `mult`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    /// Raw value where the segment starts.
    base_tsc: u64,
    /// UTC ns at `base_tsc`.
    base_ns: u64,
    /// Rate while the offset error is slewed out.
    slew_mult: u64,
    /// Length of the slew, in ticks (0: none).
    slew_ticks: u64,
    /// ns from `base_ns` to the end of the slew: `mul_shift(slew_ticks, slew_mult)`.
    slew_end_ns: u64,
    /// Steady rate: fixed-point ns per tick.
    mult: u64,
    /// The end of the slew (`base_tsc + slew_ticks`, saturating) and the
    /// UTC ns there: from it on the mapping is one multiplication (see
    /// [`Segment::eval`]).
    steady_raw: u64,
    steady_ns: u64,
}

impl Segment {
    /// A segment without slew.
    fn steady(base_tsc: u64, base_ns: u64, mult: u64) -> Self {
        Segment {
            base_tsc,
            base_ns,
            slew_mult: mult,
            slew_ticks: 0,
            slew_end_ns: 0,
            mult,
            steady_raw: 0,
            steady_ns: 0,
        }
        .with_steady()
    }

    /// A segment that adds `error_ns` (possibly negative) over `slew_ticks`
    /// on top of the steady rate `mult`.
    fn slewing(base_tsc: u64, base_ns: u64, mult: u64, error_ns: i64, slew_ticks: u64) -> Self {
        let extra = (i128::from(error_ns) << SHIFT) / i128::from(slew_ticks.max(1));
        // |extra| <= STEP_NS / PERIOD_NS of the rate, so this stays positive;
        // the clamp keeps the mapping increasing whatever the inputs.
        let slew_mult = (i128::from(mult) + extra).clamp(1, i128::from(u64::MAX)) as u64;
        Segment {
            base_tsc,
            base_ns,
            slew_mult,
            slew_ticks,
            slew_end_ns: mul_shift(slew_ticks, slew_mult),
            mult,
            steady_raw: 0,
            steady_ns: 0,
        }
        .with_steady()
    }

    /// Sets `steady_raw` and `steady_ns` (see [`Segment::eval`]).
    fn with_steady(mut self) -> Self {
        self.steady_raw = self.base_tsc.saturating_add(self.slew_ticks);
        self.steady_ns = self.eval_from_base(self.steady_raw);
        self
    }

    /// UTC ns at `raw`; non-decreasing in `raw`, saturating at both ends.
    /// Past the slew, `steady_ns` plus the ticks since `steady_raw` at the
    /// steady rate: the value [`Segment::eval_from_base`] computes
    /// (saturating additions of non-negative terms may be grouped either
    /// way), with one multiplication.
    #[inline(always)]
    fn eval(&self, raw: u64) -> u64 {
        if raw >= self.steady_raw {
            return self
                .steady_ns
                .saturating_add(mul_shift(raw - self.steady_raw, self.mult));
        }
        self.eval_from_base(raw)
    }

    /// [`Segment::eval`] from `base_tsc`.
    #[inline(always)]
    fn eval_from_base(&self, raw: u64) -> u64 {
        if raw >= self.base_tsc {
            let d = raw - self.base_tsc;
            let offset = if d <= self.slew_ticks {
                mul_shift(d, self.slew_mult)
            } else {
                self.slew_end_ns
                    .saturating_add(mul_shift(d - self.slew_ticks, self.mult))
            };
            self.base_ns.saturating_add(offset)
        } else {
            self.base_ns
                .saturating_sub(mul_shift(self.base_tsc - raw, self.mult))
        }
    }
}

/// Maps raw timestamps (see [`super::now_raw`]) to UTC ns since the Unix
/// epoch, on the flusher thread.
///
/// Build it with the mode passed to [`super::select`], call
/// [`TscConverter::maybe_recalibrate`] once per flusher cycle and
/// [`TscConverter::to_utc_ns`] per record.
#[derive(Clone, Debug)]
pub(crate) struct TscConverter {
    /// TSC, or identity (system clock, user clock).
    mode: ClockMode,
    /// The mapping for raw values from `cur.base_tsc` on.
    cur: Segment,
    /// The mapping before `cur.base_tsc`.
    prev: Segment,
    /// Last measured `(raw, real_ns)` the frequency is measured from.
    last_pair: (u64, u64),
    /// Raw value of the last recalibration.
    last_recal_raw: u64,
    /// [`PERIOD_NS`] in ticks at the current rate.
    period_ticks: u64,
    /// Whether the last recalibration was a step.
    last_was_step: bool,
    /// Whether the steady rate is published for hot-path durations
    /// ([`super::elapsed`]): only for rates measured on this machine, never
    /// for the synthetic ones of tests.
    publishes: bool,
}

impl TscConverter {
    /// A converter for `mode`.
    ///
    /// In TSC mode this blocks the caller for about 10 ms to measure the rate;
    /// call it when the flusher starts, not per record. The measured rate,
    /// and every later one, is published for hot-path durations
    /// ([`super::elapsed_ns`]).
    /// Off x86_64 TSC mode is the system clock. System-clock and user-clock
    /// modes are the identity.
    pub(crate) fn new(mode: ClockMode) -> Self {
        if !cfg!(target_arch = "x86_64") || mode != ClockMode::Tsc {
            let mode = if mode == ClockMode::User {
                ClockMode::User
            } else {
                ClockMode::System
            };
            return Self::from_segment(mode, Segment::steady(0, 0, 1 << SHIFT), (0, 0));
        }
        let (t0, m0) = paired_reading(source::monotonic_ns);
        let (mut t1, mut m1) = (t0, m0);
        // Bounded: a sleep can end early, but a TSC that does not advance
        // (never the case for an invariant one) must not hang the install.
        for _ in 0..100 {
            let waited = m1.saturating_sub(m0);
            if waited >= INITIAL_WINDOW_NS && t1 > t0 {
                break;
            }
            let remaining = INITIAL_WINDOW_NS.saturating_sub(waited).max(1_000);
            std::thread::sleep(std::time::Duration::from_nanos(remaining));
            (t1, m1) = paired_reading(source::monotonic_ns);
        }
        let mult = rate(m1.saturating_sub(m0), t1.saturating_sub(t0));
        let (raw, real_ns) = paired_reading(source::realtime_ns);
        let mut converter = Self::from_segment(
            ClockMode::Tsc,
            Segment::steady(raw, real_ns, mult),
            (raw, real_ns),
        );
        converter.publishes = true;
        converter.publish();
        converter
    }

    /// A TSC-mode converter with a given rate and anchor (tests and drift
    /// simulations).
    #[cfg(test)]
    fn with_rate(base_tsc: u64, base_ns: u64, mult: u64) -> Self {
        Self::from_segment(
            ClockMode::Tsc,
            Segment::steady(base_tsc, base_ns, mult),
            (base_tsc, base_ns),
        )
    }

    /// Common constructor.
    fn from_segment(mode: ClockMode, seg: Segment, last_pair: (u64, u64)) -> Self {
        TscConverter {
            mode,
            cur: seg,
            prev: seg,
            last_pair,
            last_recal_raw: seg.base_tsc,
            period_ticks: period_ticks(seg.mult),
            last_was_step: false,
            publishes: false,
        }
    }

    /// Publishes the steady rate for [`super::elapsed_ns`], if this
    /// converter measured it.
    fn publish(&self) {
        if self.publishes {
            super::publish_ns_per_tick(self.cur.mult);
        }
    }

    /// The mode this converter maps (the one passed to [`TscConverter::new`],
    /// TSC mode off x86_64 excepted).
    pub(crate) fn mode(&self) -> ClockMode {
        self.mode
    }

    /// UTC ns since the Unix epoch at raw timestamp `raw`.
    ///
    /// Non-decreasing in `raw` (except across a step of the system clock);
    /// a `raw` from before the last recalibration is mapped with the previous
    /// segment, one from before that is extrapolated; nothing under- or
    /// overflows.
    #[inline(always)]
    pub(crate) fn to_utc_ns(&self, raw: u64) -> u64 {
        // `cur.steady_raw` is at or after `cur.base_tsc`.
        if raw >= self.cur.steady_raw {
            self.cur.eval(raw)
        } else if raw >= self.cur.base_tsc {
            self.cur.eval_from_base(raw)
        } else {
            self.prev.eval(raw)
        }
    }

    /// Length in ns of the interval between two raw timestamps at the
    /// current steady rate (0 if `end_raw` < `start_raw`): for durations
    /// such as `perf!` elapsed times, which must not include offset slews.
    #[inline]
    pub(crate) fn duration_ns(&self, start_raw: u64, end_raw: u64) -> u64 {
        mul_shift(end_raw.saturating_sub(start_raw), self.cur.mult)
    }

    /// Recalibrates if about a second has passed since the last time, or if
    /// the TSC went back by more than that (`now_raw` is the flusher's
    /// current raw timestamp); otherwise two subtractions and a compare.
    /// No-op in system-clock and user-clock modes.
    #[inline]
    pub(crate) fn maybe_recalibrate(&mut self, now_raw: u64) {
        // Not due while `now_raw` is within a period either side of the last
        // recalibration: one modular range check.
        let window_start = self.last_recal_raw.wrapping_sub(self.period_ticks);
        let due = now_raw.wrapping_sub(window_start) >= self.period_ticks.saturating_mul(2);
        if self.mode != ClockMode::Tsc || !due {
            return;
        }
        let (raw, real_ns) = paired_reading(source::realtime_ns);
        self.recalibrate_with(raw, real_ns);
    }

    /// Moves the mapping towards the reading "at raw timestamp `raw` the
    /// system clock read `real_ns`" (see the module doc for the algorithm).
    ///
    /// A reading slightly older than the current segment is stale and
    /// ignored; one older by more than a period means the TSC itself went
    /// back (which an invariant TSC does not do, short of a VM moved to a
    /// host that does not compensate): the mapping restarts from the reading.
    /// No-op in system-clock and user-clock modes.
    pub(crate) fn recalibrate_with(&mut self, raw: u64, real_ns: u64) {
        if self.mode != ClockMode::Tsc {
            return;
        }
        if raw < self.cur.base_tsc {
            if self.cur.base_tsc - raw >= self.period_ticks {
                let restart = Segment::steady(raw, real_ns, self.cur.mult);
                let publishes = self.publishes;
                *self = Self::from_segment(self.mode, restart, (raw, real_ns));
                self.last_was_step = true;
                self.publishes = publishes;
            }
            return;
        }
        let predicted = self.cur.eval(raw);
        let error = i128::from(real_ns) - i128::from(predicted);
        let is_step = error.unsigned_abs() > u128::from(STEP_NS);

        let mut mult = self.cur.mult;
        let (last_raw, last_real) = self.last_pair;
        let elapsed = raw.saturating_sub(last_raw);
        let long_enough = elapsed >= self.period_ticks / 4;
        if long_enough && (!is_step || self.last_was_step) && real_ns > last_real {
            let measured = rate(real_ns - last_real, elapsed);
            if measured.abs_diff(mult) <= mult / MAX_RATE_CHANGE_DIV {
                mult = measured;
            }
        }
        if long_enough || is_step {
            self.last_pair = (raw, real_ns);
        }

        let period_ticks = period_ticks(mult);
        let next = if is_step {
            Segment::steady(raw, real_ns, mult)
        } else {
            // |error| <= STEP_NS, so it fits an i64.
            Segment::slewing(raw, predicted, mult, error as i64, period_ticks)
        };
        self.prev = self.cur;
        self.cur = next;
        self.period_ticks = period_ticks;
        self.last_recal_raw = raw;
        self.last_was_step = is_step;
        self.publish();
    }
}

/// [`PERIOD_NS`] in ticks at rate `mult`.
fn period_ticks(mult: u64) -> u64 {
    let ticks = (u128::from(PERIOD_NS) << SHIFT) / u128::from(mult.max(1));
    u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
}

/// `(tsc, clock())` read as close together as the machine allows: of
/// [`PAIR_ATTEMPTS`] `rdtsc`/clock/`rdtsc` sandwiches, the one with the
/// smallest TSC gap, stamped at its TSC midpoint.
fn paired_reading(clock: fn() -> u64) -> (u64, u64) {
    let mut best = (u64::MAX, 0, 0);
    for _ in 0..PAIR_ATTEMPTS {
        let before = source::tsc();
        let ns = clock();
        let after = source::tsc();
        let gap = after.wrapping_sub(before);
        if gap < best.0 {
            best = (gap, before + gap / 2, ns);
        }
    }
    (best.1, best.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3 GHz: 1/3 ns per tick.
    const TRUE_MULT: u64 = (1u64 << SHIFT) / 3;
    /// 2024-01-01 in ns.
    const T0: u64 = 1_704_067_200_000_000_000;

    /// `mult` skewed by `ppm` parts per million.
    fn skew(mult: u64, ppm: i64) -> u64 {
        (i128::from(mult) + i128::from(mult) * i128::from(ppm) / 1_000_000) as u64
    }

    /// Tiny deterministic PRNG (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Uniform in `-amp..=amp`.
        fn jitter(&mut self, amp: i64) -> i64 {
            (self.next() % (2 * amp as u64 + 1)) as i64 - amp
        }
    }

    fn signed_err(conv: &TscConverter, raw: u64, real: u64) -> i64 {
        conv.to_utc_ns(raw) as i64 - real as i64
    }

    #[test]
    fn system_and_user_modes_are_identity() {
        for mode in [ClockMode::System, ClockMode::User] {
            let mut c = TscConverter::new(mode);
            assert_eq!(c.mode(), mode);
            for raw in [0, 1, 1_000, T0, u64::MAX] {
                assert_eq!(c.to_utc_ns(raw), raw);
            }
            c.recalibrate_with(T0, T0 + 5_000_000);
            c.maybe_recalibrate(u64::MAX);
            assert_eq!(c.to_utc_ns(T0), T0);
            // A user clock may go back: still the identity, no step logic.
            assert_eq!(c.to_utc_ns(T0 - 3_600_000_000_000), T0 - 3_600_000_000_000);
            assert_eq!(c.duration_ns(10, 25), 15);
        }
    }

    #[test]
    fn monotonic_for_increasing_raw() {
        let mut c = TscConverter::with_rate(3_000_000_000, T0, skew(TRUE_MULT, 50));
        // Slew forward, then backward, so both kinds of segment are crossed.
        // +250 us error, slewed forward; the rate becomes 300 ppm fast.
        c.recalibrate_with(6_000_000_000, T0 + 1_000_000_000 + 300_000);
        // Predicted T0 + 2.0006 s: -600 us error, slewed backward.
        c.recalibrate_with(9_000_000_000, T0 + 2_000_000_000);
        assert!(c.cur.slew_mult < c.cur.mult && c.cur.slew_ticks > 0);
        assert!(c.prev.slew_mult > c.prev.mult && c.prev.slew_ticks > 0);
        let mut last = 0;
        let mut raw = 0u64;
        let mut rng = Rng(7);
        while raw < 20_000_000_000 {
            let ns = c.to_utc_ns(raw);
            assert!(ns >= last, "went back at raw {raw}: {last} -> {ns}");
            last = ns;
            raw += 1 + rng.next() % 5_000_000;
        }
        // Tick by tick around every boundary.
        let slew_end = c.cur.base_tsc + c.cur.slew_ticks;
        for centre in [3_000_000_000, 6_000_000_000, 9_000_000_000, slew_end] {
            let mut last = c.to_utc_ns(centre - 10_000);
            for raw in centre - 10_000..centre + 10_000 {
                let ns = c.to_utc_ns(raw);
                assert!(ns >= last, "went back at raw {raw}");
                last = ns;
            }
        }
    }

    #[test]
    fn raw_before_base_does_not_panic() {
        let c = TscConverter::with_rate(1_000, 500, TRUE_MULT);
        assert_eq!(c.to_utc_ns(0), 500 - 333);
        let c = TscConverter::with_rate(u64::MAX / 2, 10, TRUE_MULT);
        assert_eq!(c.to_utc_ns(0), 0);
        let far = c.to_utc_ns(u64::MAX);
        // Within the fixed-point rounding of the rate (1e-11 relative).
        assert!(far.abs_diff(u64::MAX / 6 + 10) < 100_000_000, "{far}");
        let c = TscConverter::with_rate(0, u64::MAX - 5, TRUE_MULT);
        assert_eq!(c.to_utc_ns(u64::MAX), u64::MAX);
        // Just before a recalibration: the previous segment answers.
        let mut c = TscConverter::with_rate(3_000, T0, TRUE_MULT);
        let before = c.to_utc_ns(2_999_999_000);
        c.recalibrate_with(3_000_000_000, T0 + 1_000_000_000 + 20_000);
        assert_eq!(c.to_utc_ns(2_999_999_000), before);
        // A stale reading is ignored.
        let snapshot = c.cur;
        c.recalibrate_with(2_999_000_000, T0 + 999_000_000);
        assert_eq!(c.cur, snapshot);
    }

    #[test]
    fn calibration_tracks_realtime() {
        if !cfg!(target_arch = "x86_64") {
            return;
        }
        let mut c = TscConverter::new(ClockMode::Tsc);
        let ghz = (1u128 << SHIFT) as f64 / c.cur.mult as f64;
        // Best of a few sandwiches, to keep the measurement's own gap out.
        let measure = |c: &TscConverter| {
            let mut best = i64::MAX;
            for _ in 0..5 {
                let before = source::read(ClockMode::Tsc);
                let real = source::realtime_ns();
                let after = source::read(ClockMode::Tsc);
                let e = signed_err(c, before + (after - before) / 2, real);
                if e.abs() < best.abs() {
                    best = e;
                }
            }
            best
        };
        let e0 = measure(&c);
        println!("TSC {ghz:.6} GHz; error right after calibration: {e0} ns");
        assert!(e0.abs() < 50_000, "calibration error {e0} ns");
        std::thread::sleep(std::time::Duration::from_millis(50));
        let e1 = measure(&c);
        println!("error 50 ms later: {e1} ns");
        assert!(e1.abs() < 50_000, "error after 50 ms: {e1} ns");

        // A recalibration from a fresh reading: the converted time at the
        // switch point does not move, the error is slewed out from there.
        let (raw, real) = paired_reading(source::realtime_ns);
        let at_switch = c.to_utc_ns(raw);
        println!(
            "error at the recalibration reading: {} ns",
            at_switch as i64 - real as i64
        );
        c.recalibrate_with(raw, real);
        assert_eq!(c.to_utc_ns(raw), at_switch, "jump at the switch point");

        // The periodic path (forced: the period has not elapsed, so pass a
        // raw far in the future). A value before the switch keeps its time.
        let probe = source::read(ClockMode::Tsc);
        let before = c.to_utc_ns(probe);
        c.maybe_recalibrate(u64::MAX);
        assert!(c.cur.base_tsc > probe, "maybe_recalibrate did not run");
        assert_eq!(
            c.to_utc_ns(probe),
            before,
            "a value before the switch moved"
        );
        let e2 = measure(&c);
        println!("error after recalibration: {e2} ns");
        assert!(e2.abs() < 50_000);
    }

    #[test]
    fn recalibration_is_continuous() {
        let mut c = TscConverter::with_rate(0, T0, skew(TRUE_MULT, -30));
        let mut raw = 0;
        let mut rng = Rng(99);
        for _ in 0..50 {
            raw += 3_000_000_000 + rng.next() % 300_000_000;
            let real = T0 + raw / 3;
            let at_switch_before = c.to_utc_ns(raw);
            let just_before = c.to_utc_ns(raw - 3_000);
            c.recalibrate_with(raw, real.wrapping_add_signed(rng.jitter(20_000)));
            let at_switch_after = c.to_utc_ns(raw);
            assert_eq!(
                at_switch_before, at_switch_after,
                "jump at the switch point"
            );
            assert_eq!(just_before, c.to_utc_ns(raw - 3_000));
            assert!(c.to_utc_ns(raw + 1) >= at_switch_after);
        }
    }

    #[test]
    fn drift_of_100_ppm_is_corrected() {
        // The converter believes the TSC is 100 ppm slower than it is.
        let mut c = TscConverter::with_rate(0, T0, skew(TRUE_MULT, 100));
        let truth = |raw: u64| T0 + raw / 3;
        let mut errors = Vec::new();
        for k in 1..=6u64 {
            let raw = k * 3_000_000_000;
            errors.push(signed_err(&c, raw, truth(raw)));
            c.recalibrate_with(raw, truth(raw));
        }
        println!("error before each recalibration (ns): {errors:?}");
        assert!((99_000..=101_000).contains(&errors[0].abs()), "{errors:?}");
        for w in errors.windows(2).take(1) {
            assert!(w[1].abs() < w[0].abs() / 100, "{errors:?}");
        }
        assert!(errors[1..].iter().all(|e| e.abs() <= 2), "{errors:?}");
        // Mid-period, the slew has done its work too.
        let raw = 6 * 3_000_000_000 + 1_500_000_000;
        assert!(signed_err(&c, raw, truth(raw)).abs() <= 2);
    }

    #[test]
    fn late_and_early_recalibrations_still_converge() {
        let mut c = TscConverter::with_rate(0, T0, skew(TRUE_MULT, -100));
        let truth = |raw: u64| T0 + raw / 3;
        let mut raw = 0;
        // Seconds between readings: late flusher cycles, then short ones.
        for gap_ms in [3_500, 7_000, 100, 1_000, 200, 5_000, 1_000] {
            raw += gap_ms * 3_000_000;
            c.recalibrate_with(raw, truth(raw));
        }
        for probe_ms in [10, 500, 1_000, 4_000, 60_000] {
            let r = raw + probe_ms * 3_000_000;
            let e = signed_err(&c, r, truth(r));
            assert!(e.abs() <= 2, "error {e} ns at +{probe_ms} ms");
        }
    }

    #[test]
    fn hours_of_wandering_drift_stay_within_microseconds() {
        // Two hours, a reading every ~1 s with +-40 ns of pairing jitter; the
        // true TSC rate wanders by +-20 ppm (a slow sine) plus a random walk.
        let mut rng = Rng(0x5eed);
        let mut c = TscConverter::with_rate(0, T0, skew(TRUE_MULT, 8));
        let mut raw: u64 = 0;
        // Elapsed ns as f64 (T0 itself is beyond f64's integer precision).
        let mut elapsed = 0.0f64;
        // The first reading shows the initial 8 ppm error; later ones show
        // how well the rate is tracked.
        let mut first_error = 0i64;
        let mut worst_at_reading = 0i64;
        let mut worst_between = 0i64;
        let mut walk_ppm = 0.0f64;
        for k in 0..7_200u64 {
            let phase = k as f64 / 900.0;
            walk_ppm = (walk_ppm + rng.jitter(100) as f64 / 1_000.0).clamp(-5.0, 5.0);
            let ppm = 20.0 * phase.sin() + walk_ppm;
            let ns_per_tick = (1.0 + ppm * 1e-6) / 3.0;
            let ticks = 2_900_000_000 + rng.next() % 200_000_000;
            // Halfway point, between readings.
            let mid_raw = raw + ticks / 2;
            let mid_real = T0 + (elapsed + (ticks / 2) as f64 * ns_per_tick) as u64;
            // (The first interval's midpoint is still slewing the initial error.)
            if k >= 2 {
                worst_between = worst_between.max(signed_err(&c, mid_raw, mid_real).abs());
            }
            raw += ticks;
            elapsed += ticks as f64 * ns_per_tick;
            let real = T0 + elapsed as u64;
            let e = signed_err(&c, raw, real);
            if k == 0 {
                first_error = e;
            } else {
                worst_at_reading = worst_at_reading.max(e.abs());
            }
            let noisy = real.wrapping_add_signed(rng.jitter(40));
            c.recalibrate_with(raw, noisy);
        }
        println!(
            "2 h simulated: first reading {first_error} ns; then worst error \
             {worst_at_reading} ns at readings, {worst_between} ns between them"
        );
        assert!(worst_at_reading < 2_000, "{worst_at_reading} ns");
        assert!(worst_between < 2_000, "{worst_between} ns");
    }

    #[test]
    fn clock_steps_are_followed() {
        let mut c = TscConverter::with_rate(0, T0, TRUE_MULT);
        let mut offset: i64 = 0;
        let truth = |raw: u64, offset: i64| (T0 + raw / 3).wrapping_add_signed(offset);
        let mut raw = 0;
        for (k, step) in [0, 0, 2_000_000_000, 0, 0, -1_500_000_000, 0, 0]
            .iter()
            .enumerate()
        {
            raw += 3_000_000_000;
            offset += step;
            let before = c.to_utc_ns(raw);
            c.recalibrate_with(raw, truth(raw, offset));
            let after = c.to_utc_ns(raw);
            let jump = after as i64 - before as i64;
            assert!(
                (jump - step).abs() <= 2,
                "reading {k}: jump {jump} for step {step}"
            );
            assert!(signed_err(&c, raw + 3_000, truth(raw + 3_000, offset)).abs() <= 2);
        }
        // The rate was never disturbed by the steps.
        assert!(c.cur.mult.abs_diff(TRUE_MULT) <= 1);
    }

    #[test]
    fn badly_wrong_initial_rate_recovers() {
        // 0.5 % off: every error is a "step" at first; two in a row make the
        // interval's rate trusted.
        let mut c = TscConverter::with_rate(0, T0, skew(TRUE_MULT, 5_000));
        let truth = |raw: u64| T0 + raw / 3;
        for k in 1..=3u64 {
            c.recalibrate_with(k * 3_000_000_000, truth(k * 3_000_000_000));
        }
        let r = 4 * 3_000_000_000;
        assert!(signed_err(&c, r, truth(r)).abs() <= 2);
    }

    #[test]
    fn tsc_going_back_restarts_the_mapping() {
        let mut c = TscConverter::with_rate(30_000_000_000, T0, TRUE_MULT);
        c.recalibrate_with(33_000_000_000, T0 + 1_000_000_000);
        // Not due, then due because the TSC went back by more than a period.
        c.maybe_recalibrate(33_000_000_000 + 3_000);
        assert_eq!(c.cur.base_tsc, 33_000_000_000);
        let due_before = c.last_recal_raw;
        c.maybe_recalibrate(1_000);
        assert_ne!(c.last_recal_raw, due_before, "a TSC going back is due");
        // The injected form: the TSC restarted near 0, the clock went on.
        let mut c = TscConverter::with_rate(30_000_000_000, T0, TRUE_MULT);
        c.recalibrate_with(33_000_000_000, T0 + 1_000_000_000);
        c.recalibrate_with(3_000, T0 + 5_000_000_000);
        assert_eq!(c.to_utc_ns(3_000), T0 + 5_000_000_000);
        assert!(signed_err(&c, 6_000, T0 + 5_000_001_000).abs() <= 1);
        c.recalibrate_with(3_000_003_000, T0 + 6_000_000_000);
        assert!(signed_err(&c, 6_000_003_000, T0 + 7_000_000_000).abs() <= 2);
    }

    #[test]
    fn duration_uses_steady_rate() {
        let c = TscConverter::with_rate(0, T0, TRUE_MULT);
        assert!((999..=1_000).contains(&c.duration_ns(300, 3_300)));
        assert_eq!(c.duration_ns(3_300, 300), 0);
    }
}
