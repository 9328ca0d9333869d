//! A clock the application sets: record timestamps for backtests and
//! replays (simulated market time), installed with
//! [`Builder::user_clock`](crate::Builder::user_clock).
//!
//! Only record timestamps (the `ts` of every record, the logger's own
//! records included) come from it. Durations (`perf!` timers,
//! `#[log_performance]` elapsed times) keep measuring real time, and file
//! rotation, rotated names and retention keep following the system clock.

use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A source of record timestamps set by the application, such as the
/// simulated market time of a backtest or a replay.
///
/// Install one with [`Builder::user_clock`](crate::Builder::user_clock):
/// every record is then stamped with [`UserClock::now_ns`], read on the
/// thread that logs, when the record is taken. [`SimulatedClock`] is a
/// ready-made implementation.
///
/// `now_ns` runs on the hot path of every logging thread (and on the
/// flusher thread, for the logger's own records): keep it short, and never
/// log, block or panic from it.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use logger::UserClock;
///
/// /// Market time advanced by the replay, one event at a time.
/// struct ReplayClock {
///     event_ns: std::sync::atomic::AtomicU64,
/// }
///
/// impl UserClock for ReplayClock {
///     fn now_ns(&self) -> u64 {
///         self.event_ns.load(std::sync::atomic::Ordering::Relaxed)
///     }
/// }
///
/// let clock = Arc::new(ReplayClock { event_ns: 1_700_000_000_000_000_000.into() });
/// assert_eq!(clock.now_ns(), 1_700_000_000_000_000_000);
/// let _builder = logger::builder().user_clock(clock);
/// ```
pub trait UserClock: Send + Sync + 'static {
    /// The current time in ns since the Unix epoch (UTC).
    ///
    /// # Examples
    ///
    /// ```
    /// use logger::{SimulatedClock, UserClock};
    /// let clock = SimulatedClock::new(42);
    /// assert_eq!(UserClock::now_ns(&clock), 42);
    /// ```
    fn now_ns(&self) -> u64;
}

impl fmt::Debug for dyn UserClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserClock")
            .field("now_ns", &self.now_ns())
            .finish()
    }
}

/// A [`UserClock`] the application sets and advances: an `AtomicU64` of
/// ns since the Unix epoch, read with one relaxed load.
///
/// Share it (`Arc<SimulatedClock>`) between the backtest driver, which
/// moves it with [`SimulatedClock::set_ns`] or [`SimulatedClock::advance`],
/// and the logger. It may go backwards: records take whatever value it
/// holds when they are logged.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use logger::SimulatedClock;
///
/// // 2024-01-02T14:30:00Z, the first event of the replay.
/// let clock = Arc::new(SimulatedClock::new(1_704_205_800_000_000_000));
/// let _builder = logger::builder().user_clock(clock.clone());
/// clock.advance(Duration::from_micros(250));
/// assert_eq!(clock.now_ns(), 1_704_205_800_000_250_000);
/// ```
#[derive(Debug, Default)]
pub struct SimulatedClock {
    ns: AtomicU64,
}

impl SimulatedClock {
    /// A clock that reads `start_ns` (ns since the Unix epoch, UTC) until
    /// it is set or advanced.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = logger::SimulatedClock::new(1_000);
    /// assert_eq!(clock.now_ns(), 1_000);
    /// ```
    pub const fn new(start_ns: u64) -> Self {
        SimulatedClock {
            ns: AtomicU64::new(start_ns),
        }
    }

    /// The time it holds, in ns since the Unix epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = logger::SimulatedClock::new(7);
    /// assert_eq!(clock.now_ns(), 7);
    /// ```
    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.ns.load(Ordering::Relaxed)
    }

    /// Sets the time to `ns` (ns since the Unix epoch), forwards or back.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = logger::SimulatedClock::new(5_000);
    /// clock.set_ns(1_000); // back: a replay restarted
    /// assert_eq!(clock.now_ns(), 1_000);
    /// ```
    #[inline]
    pub fn set_ns(&self, ns: u64) {
        self.ns.store(ns, Ordering::Relaxed);
    }

    /// Moves the time forward by `d` (saturating at `u64::MAX` ns, in
    /// the year 2554).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let clock = logger::SimulatedClock::new(0);
    /// clock.advance(Duration::from_millis(3));
    /// assert_eq!(clock.now_ns(), 3_000_000);
    /// ```
    #[inline]
    pub fn advance(&self, d: Duration) {
        self.advance_ns(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Moves the time forward by `ns` nanoseconds (saturating).
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = logger::SimulatedClock::new(u64::MAX - 1);
    /// clock.advance_ns(10);
    /// assert_eq!(clock.now_ns(), u64::MAX);
    /// ```
    #[inline]
    pub fn advance_ns(&self, ns: u64) {
        // `fetch_update` with a closure that always returns `Some` cannot fail.
        let _ = self
            .ns
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_add(ns))
            });
    }
}

impl UserClock for SimulatedClock {
    #[inline]
    fn now_ns(&self) -> u64 {
        SimulatedClock::now_ns(self)
    }
}

/// The clock installed for the process (set once, at install).
static INSTALLED: OnceLock<Arc<dyn UserClock>> = OnceLock::new();

/// Installs `clock` as the process's record clock; read by [`now_ns`] once
/// the mode is [`super::ClockMode::User`].
///
/// Returns false if another clock was installed before (only possible
/// after an install that failed later on, which leaves the process unable
/// to install a logger anyway).
pub(crate) fn install(clock: Arc<dyn UserClock>) -> bool {
    match INSTALLED.set(clock.clone()) {
        Ok(()) => true,
        Err(_) => INSTALLED.get().is_some_and(|c| Arc::ptr_eq(c, &clock)),
    }
}

/// The installed clock's time, or `None` before one is installed.
#[inline]
pub(crate) fn now_ns() -> Option<u64> {
    INSTALLED.get().map(|c| c.now_ns())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_clock_moves_as_told() {
        let c = SimulatedClock::new(100);
        assert_eq!(c.now_ns(), 100);
        c.advance(Duration::from_nanos(5));
        assert_eq!(c.now_ns(), 105);
        c.advance_ns(10);
        assert_eq!(c.now_ns(), 115);
        c.set_ns(3);
        assert_eq!(c.now_ns(), 3);
        c.advance(Duration::MAX);
        assert_eq!(c.now_ns(), u64::MAX);
        let dynamic: &dyn UserClock = &c;
        assert_eq!(dynamic.now_ns(), u64::MAX);
        assert!(format!("{dynamic:?}").contains("18446744073709551615"));
        assert_eq!(SimulatedClock::default().now_ns(), 0);
    }

    #[test]
    fn advancing_from_many_threads_loses_nothing() {
        let c = Arc::new(SimulatedClock::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        c.advance_ns(1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(c.now_ns(), 4000);
    }
}
