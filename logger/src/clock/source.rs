//! The hot-path half of the clock: one raw timestamp per record.
//!
//! [`record_ts`] (a record's stamp) and [`now_raw`] (the ends of a
//! duration) are the only functions a trading thread calls here.
//! Each reads the process-wide mode (one relaxed load of a byte that is
//! written once, at install, on its own cache line) and then either executes
//! `rdtsc` (the predicted, inlined branch) or calls an out-of-line reader:
//! `CLOCK_REALTIME`, or for [`record_ts`] in user-clock mode the clock the
//! application installed.
//! Nothing here allocates, locks or enters the kernel in TSC mode; in
//! system-clock mode `clock_gettime` goes through the vDSO when the kernel's
//! clocksource allows it (tsc, kvm-clock), and is a real syscall otherwise.
//!
//! Everything else in this file (CPUID, `/proc`, `/sys`) runs once at install.

use core::sync::atomic::{AtomicU8, Ordering};

use super::ClockMode;
use crate::alone::Alone;

/// Raw values are TSC ticks.
const MODE_TSC: u8 = 0;
/// Raw values are `CLOCK_REALTIME` ns.
const MODE_SYSTEM: u8 = 1;
/// Record stamps come from the installed [`super::UserClock`]; durations
/// are `CLOCK_REALTIME` ns.
const MODE_USER: u8 = 2;

/// [`MODE_TSC`], [`MODE_SYSTEM`] or [`MODE_USER`]; read by every record.
///
/// Starts as the system clock: a record stamped before [`select`] then still
/// carries a meaningful time, whereas a TSC value would be misread by a
/// converter that never calibrated.
static MODE: Alone<AtomicU8> = Alone(AtomicU8::new(MODE_SYSTEM));

/// Selects the clock for every later [`now_raw`] and [`record_ts`] call in
/// the process.
///
/// Called once at install, before any record is taken and before the flusher
/// builds its [`super::TscConverter`] with the same mode (and, for
/// [`ClockMode::User`], after the clock is installed with
/// [`super::user::install`]).
/// Relaxed is enough: the threads that log afterwards are ordered after the
/// install by the `log` facade's own synchronisation (`set_logger`), and the
/// value never changes while records are in flight.
/// On targets other than x86_64 TSC mode is the system clock.
pub(crate) fn select(mode: ClockMode) {
    let value = match mode {
        ClockMode::Tsc if cfg!(target_arch = "x86_64") => MODE_TSC,
        ClockMode::Tsc | ClockMode::System => MODE_SYSTEM,
        ClockMode::User => MODE_USER,
    };
    MODE.0.store(value, Ordering::Relaxed);
}

/// The mode last passed to [`select`] (the system clock before any call).
#[inline]
pub(crate) fn mode() -> ClockMode {
    match MODE.0.load(Ordering::Relaxed) {
        MODE_TSC => ClockMode::Tsc,
        MODE_USER => ClockMode::User,
        _ => ClockMode::System,
    }
}

/// A raw timestamp for durations ([`super::elapsed_ns`]): TSC ticks, or
/// `CLOCK_REALTIME` ns since the Unix epoch when the process selected the
/// system clock or a user clock (durations measure real time in every
/// mode). Records are stamped with [`record_ts`].
///
/// Cost (measured, see the module doc of `clock`): about the cost of one
/// `rdtsc` in TSC mode, about one vDSO `clock_gettime` otherwise.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn now_raw() -> u64 {
    if MODE.0.load(Ordering::Relaxed) != MODE_TSC {
        // Out of line and `#[cold]`: the TSC path is the fall-through.
        return system_now_cold();
    }
    tsc()
}

/// A raw timestamp for durations: `CLOCK_REALTIME` ns since the Unix epoch
/// (targets without a TSC always use the system clock).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn now_raw() -> u64 {
    realtime_ns()
}

/// The raw timestamp of a record: TSC ticks, or ns since the Unix epoch
/// from `CLOCK_REALTIME` or from the installed user clock.
///
/// The flusher turns it into UTC ns with [`super::TscConverter::to_utc_ns`]
/// (the identity but in TSC mode). In TSC mode it compiles to exactly
/// what [`now_raw`] does (a byte compare, a not-taken jump, `rdtsc`); the
/// two other modes share one out-of-line reader.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn record_ts() -> u64 {
    if MODE.0.load(Ordering::Relaxed) != MODE_TSC {
        // The cold reader loads the mode again, so that this inlined body
        // keeps nothing in a register for it.
        return record_ts_cold();
    }
    tsc()
}

/// The raw timestamp of a record on targets without a TSC: the user clock
/// when one is selected, else `CLOCK_REALTIME` ns.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn record_ts() -> u64 {
    record_ts_cold()
}

/// The non-TSC branch of [`record_ts`]: the user clock in user mode (the
/// system clock if none is installed yet, which [`select`]'s callers rule
/// out), `CLOCK_REALTIME` otherwise.
#[cold]
#[inline(never)]
fn record_ts_cold() -> u64 {
    if MODE.0.load(Ordering::Relaxed) == MODE_USER {
        if let Some(ns) = super::user::now_ns() {
            return ns;
        }
    }
    realtime_ns()
}

/// Reads `source` directly, whatever the process selected (calibration of
/// durations, tests); records use [`record_ts`].
#[inline(always)]
pub(crate) fn read(source: ClockMode) -> u64 {
    match source {
        ClockMode::Tsc => tsc(),
        ClockMode::System | ClockMode::User => realtime_ns(),
    }
}

/// The system-clock branch of [`now_raw`], kept out of the inlined body.
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
fn system_now_cold() -> u64 {
    realtime_ns()
}

/// The time-stamp counter, unserialised (`rdtsc`, not `rdtscp` + fence): it may
/// run a few dozen cycles early or late relative to the surrounding code,
/// which is far below what a log timestamp resolves.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn tsc() -> u64 {
    // SAFETY: `rdtsc` exists on every x86_64 CPU, reads a counter into
    // registers and touches no memory.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// Stand-in for the TSC on targets without one: `CLOCK_REALTIME` ns.
/// Unreachable in practice, because [`select`] and [`super::resolve`] never
/// pick [`ClockMode::Tsc`] there.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn tsc() -> u64 {
    realtime_ns()
}

/// `CLOCK_REALTIME` in ns since the Unix epoch (0 before 1970, saturating in
/// the year 2554).
#[inline]
pub(crate) fn realtime_ns() -> u64 {
    #[cfg(unix)]
    {
        clock_ns(libc::CLOCK_REALTIME)
    }
    #[cfg(not(unix))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

/// `CLOCK_MONOTONIC` in ns since an unspecified origin (boot on Linux).
///
/// Immune to steps of the wall clock, slewed by NTP at the same rate as
/// `CLOCK_REALTIME`: the right reference for measuring the TSC's rate.
#[inline]
pub(crate) fn monotonic_ns() -> u64 {
    #[cfg(unix)]
    {
        clock_ns(libc::CLOCK_MONOTONIC)
    }
    #[cfg(not(unix))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        let origin = *ORIGIN.get_or_init(Instant::now);
        u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// `clock_gettime(clock)` in ns (0 on failure or before the epoch).
///
/// Called directly rather than through `SystemTime::now()`, which costs
/// about 14 ns more per call here (measured: 31 ns against 45 ns).
#[cfg(unix)]
#[inline(always)]
fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = core::mem::MaybeUninit::<libc::timespec>::uninit();
    // SAFETY: `ts` points to writable memory for one `timespec`, which
    // `clock_gettime` fills in when it returns 0.
    if unsafe { libc::clock_gettime(clock, ts.as_mut_ptr()) } != 0 {
        return 0;
    }
    // SAFETY: `clock_gettime` returned 0, so it initialised `ts`.
    let ts = unsafe { ts.assume_init() };
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

/// What the machine says about the TSC; see [`tsc_is_invariant`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TscEvidence {
    /// CPUID leaf 0x8000_0007, EDX bit 8 ("invariant TSC").
    pub cpuid_invariant: bool,
    /// `/proc/cpuinfo` lists both `constant_tsc` and `nonstop_tsc`.
    pub cpuinfo_flags: bool,
    /// The kernel's current clocksource is `tsc`: it checked the TSC
    /// (synchronised across CPUs, stable) and keeps time with it.
    pub kernel_clocksource: bool,
}

impl TscEvidence {
    /// Whether any witness vouches for the TSC.
    pub(crate) fn any(self) -> bool {
        self.cpuid_invariant || self.cpuinfo_flags || self.kernel_clocksource
    }
}

/// Collects the three witnesses of [`TscEvidence`].
pub(crate) fn tsc_evidence() -> TscEvidence {
    #[cfg(target_arch = "x86_64")]
    {
        TscEvidence {
            cpuid_invariant: cpuid_invariant_tsc(),
            cpuinfo_flags: cpuinfo_has_invariant_flags(),
            kernel_clocksource: kernel_clocksource_is_tsc(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        TscEvidence::default()
    }
}

/// Whether the TSC ticks at a constant rate through frequency and power state
/// changes, so that ticks can be mapped to time with one rate.
///
/// True when CPUID leaf 0x8000_0007 EDX bit 8 is set, or when the kernel
/// reports `constant_tsc` and `nonstop_tsc` in `/proc/cpuinfo` (hypervisors
/// sometimes hide the CPUID bit), or when the kernel's current clocksource is
/// `tsc` (the kernel itself trusts it). Always false off x86_64.
/// Reads files: call it at install, not per record.
pub(crate) fn tsc_is_invariant() -> bool {
    tsc_evidence().any()
}

/// CPUID leaf 0x8000_0007, EDX bit 8, after checking the leaf exists.
#[cfg(target_arch = "x86_64")]
#[allow(
    unused_unsafe,
    reason = "`__cpuid` is an unsafe fn at the MSRV (1.85) and safe in newer toolchains"
)]
fn cpuid_invariant_tsc() -> bool {
    use core::arch::x86_64::__cpuid;
    // SAFETY: CPUID exists on every x86_64 CPU; leaf 0x8000_0000 (highest
    // extended leaf) is always defined and the instruction has no side effects.
    let max_extended = unsafe { __cpuid(0x8000_0000) }.eax;
    if max_extended < 0x8000_0007 {
        return false;
    }
    // SAFETY: as above; the leaf was just checked to be supported.
    let edx = unsafe { __cpuid(0x8000_0007) }.edx;
    edx & (1 << 8) != 0
}

/// Both `constant_tsc` and `nonstop_tsc` in the first `flags` line of
/// `/proc/cpuinfo`.
#[cfg(target_arch = "x86_64")]
fn cpuinfo_has_invariant_flags() -> bool {
    use std::io::{BufRead, BufReader};
    let Ok(file) = std::fs::File::open("/proc/cpuinfo") else {
        return false;
    };
    for line in BufReader::new(file).lines() {
        let Ok(line) = line else { return false };
        if let Some(flags) = line
            .strip_prefix("flags")
            .and_then(|rest| rest.split_once(':'))
        {
            return flags_say_invariant(flags.1);
        }
    }
    false
}

/// Whether a `/proc/cpuinfo` flags list holds both invariant-TSC flags.
fn flags_say_invariant(flags: &str) -> bool {
    let mut constant = false;
    let mut nonstop = false;
    for flag in flags.split_ascii_whitespace() {
        constant |= flag == "constant_tsc";
        nonstop |= flag == "nonstop_tsc";
    }
    constant && nonstop
}

/// The kernel's current clocksource is `tsc`.
#[cfg(target_arch = "x86_64")]
fn kernel_clocksource_is_tsc() -> bool {
    std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
        .is_ok_and(|s| s.trim() == "tsc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parsing() {
        assert!(flags_say_invariant(
            " fpu tsc constant_tsc rep_good nonstop_tsc cpuid"
        ));
        assert!(!flags_say_invariant(" fpu tsc constant_tsc rep_good"));
        assert!(!flags_say_invariant(" fpu nonstop_tsc_x constant_tsc"));
        assert!(!flags_say_invariant(""));
    }

    #[test]
    fn evidence_is_consistent() {
        let e = tsc_evidence();
        println!("TSC evidence: {e:?}");
        assert_eq!(e.any(), tsc_is_invariant());
        if !cfg!(target_arch = "x86_64") {
            assert!(!e.any());
        }
    }

    #[test]
    fn sources_advance() {
        let a = read(ClockMode::System);
        let b = read(ClockMode::System);
        assert!(b >= a, "realtime went back: {a} -> {b}");
        // 2020-01-01 in ns: a sanity floor for the epoch scale.
        assert!(a > 1_577_836_800_000_000_000);
        let m0 = monotonic_ns();
        let m1 = monotonic_ns();
        assert!(m1 >= m0);
        if cfg!(target_arch = "x86_64") {
            let t0 = read(ClockMode::Tsc);
            let t1 = read(ClockMode::Tsc);
            assert!(t1 > t0, "TSC did not advance: {t0} -> {t1}");
        }
    }

    #[test]
    fn now_raw_matches_selected_mode() {
        // Re-select the current mode only: other tests in this binary may
        // rely on the process-wide selection, so it must not change here.
        let current = mode();
        select(current);
        assert_eq!(mode(), current);
        let raw = now_raw();
        if current != ClockMode::Tsc {
            let real = realtime_ns();
            assert!(real >= raw && real - raw < 1_000_000_000);
        } else {
            assert!(raw > 0);
        }
    }

    #[test]
    fn record_ts_outside_user_mode_is_now_raw() {
        // Lib tests never select the user clock (it is process-wide and
        // installable once): `tests/tests/user_clock.rs` covers that mode.
        let current = mode();
        assert_ne!(current, ClockMode::User);
        let a = now_raw();
        let ts = record_ts();
        let b = now_raw();
        assert!(a <= ts && ts <= b, "{a} <= {ts} <= {b}");
    }
}
