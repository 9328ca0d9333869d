//! Exponential backoff with jitter, capped, with a count of quick retries.
//!
//! Seed 004's policy is the default: up to 5 quick retries (100 ms doubling),
//! then keep trying at the capped interval (30 s) for as long as it takes:
//! the log files buffer meanwhile, so a shipper never gives up on a receiver.

use std::time::Duration;

/// Retry delays: `initial * 2^n`, capped at `max`, each multiplied by a
/// random factor in `[1 - jitter, 1]` so that many shippers restarted
/// together do not retry in lockstep ("equal jitter" when `jitter` is 0.5).
///
/// ```
/// use std::time::Duration;
/// use logger_read::ship::Backoff;
/// let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(30), 5);
/// let first = b.next_delay();
/// assert!(first <= Duration::from_millis(100) && first >= Duration::from_millis(50));
/// assert_eq!(b.attempts(), 1);
/// assert!(b.quick_retries_left());
/// b.reset();
/// assert_eq!(b.attempts(), 0);
/// ```
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    quick_retries: u32,
    jitter: f64,
    attempts: u32,
    rng: fastrand::Rng,
}

impl Backoff {
    /// A backoff starting at `initial`, capped at `max`, with `quick_retries`
    /// attempts before the destination counts as failed; jitter 0.5.
    pub fn new(initial: Duration, max: Duration, quick_retries: u32) -> Self {
        Self {
            initial,
            max: max.max(initial),
            quick_retries,
            jitter: 0.5,
            attempts: 0,
            rng: fastrand::Rng::new(),
        }
    }

    /// Sets the jitter fraction (clamped to 0..=1; 0 gives exact delays).
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// The delay before the next attempt, and counts that attempt.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.attempts.min(30);
        self.attempts = self.attempts.saturating_add(1);
        let base = self
            .initial
            .saturating_mul(1u32 << exp.min(31))
            .min(self.max);
        let factor = 1.0 - self.jitter * self.rng.f64();
        base.mul_f64(factor)
    }

    /// How many delays were handed out since the last success.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// True while fewer than `quick_retries` attempts failed.
    pub fn quick_retries_left(&self) -> bool {
        self.attempts < self.quick_retries
    }

    /// Back to the first delay (after a success).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

impl Default for Backoff {
    /// Seed 004's policy: 5 quick retries from 100 ms, capped at 30 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(100), Duration::from_secs(30), 5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_within_the_jitter() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 5);
        let expect = [100, 200, 400, 800, 1000, 1000, 1000];
        for ms in expect {
            let d = b.next_delay();
            let hi = Duration::from_millis(ms);
            assert!(
                d <= hi && d >= hi / 2,
                "{d:?} not in [{:?}, {hi:?}]",
                hi / 2
            );
        }
        assert!(!b.quick_retries_left());
    }

    #[test]
    fn no_jitter_gives_exact_delays() {
        let mut b =
            Backoff::new(Duration::from_millis(10), Duration::from_millis(35), 2).with_jitter(0.0);
        let got: Vec<_> = (0..4).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(got, [10, 20, 35, 35]);
    }
}
