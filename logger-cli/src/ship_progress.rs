//! `logger ship`'s progress line on stderr: per destination, the records
//! shipped, their rate over the last [`RATE_WINDOW`] and the lag in bytes,
//! from the shipper's own counters ([`MetricsSnapshot`]):
//!
//! ```text
//! ⠙ 00:00:12 postgres: 183,000 records shipped (15,250 records/s), lag 48.31 MiB
//! ```
//!
//! Drawn only when stderr is a terminal and `--no-progress` is not given:
//! never into a pipe, a file or the journal (systemd), so scripts and logs
//! see only the shipper's `WARN` lines and the final counters. While the
//! line is drawn, those `WARN` lines are printed above it (through
//! [`logger_read::ship::set_line_writer`]) instead of into it.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use logger_read::ship::{DestinationState, MetricsSnapshot};

/// The span the rate is measured over: long enough to smooth the batches
/// (one COPY of 10,000 records at a time), short enough to follow a change.
pub const RATE_WINDOW: Duration = Duration::from_secs(3);

/// One destination's figures at one instant, its sources summed.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The destination's name (`postgres`, `net`, ...).
    pub destination: String,
    /// Records delivered since the start (acknowledged or committed).
    pub records_sent: u64,
    /// Records delivered per second over the last [`RATE_WINDOW`].
    pub records_per_second: f64,
    /// Bytes of the files not delivered yet.
    pub lag_bytes: u64,
    /// The least healthy state of its sources.
    pub state: DestinationState,
}

/// The records delivered per second over a sliding window of samples.
#[derive(Debug)]
struct Rate {
    samples: VecDeque<(Instant, u64)>,
}

impl Rate {
    fn new() -> Rate {
        Rate {
            samples: VecDeque::new(),
        }
    }

    /// Adds the count at `at`; returns the rate since the oldest sample
    /// of the window (0 until two samples are apart in time).
    fn add(&mut self, at: Instant, records: u64) -> f64 {
        self.samples.push_back((at, records));
        // Keep one sample at or before the window's start, so that the
        // rate spans the whole window once it is full.
        while self.samples.len() > 2 && self.samples[1].0 + RATE_WINDOW <= at {
            self.samples.pop_front();
        }
        let (t0, n0) = self.samples[0];
        let secs = at.saturating_duration_since(t0).as_secs_f64();
        if secs > 0.0 {
            records.saturating_sub(n0) as f64 / secs
        } else {
            0.0
        }
    }
}

/// How unhealthy a state is, to show the worst of a destination's sources.
fn severity(s: DestinationState) -> u8 {
    match s {
        DestinationState::Active => 0,
        DestinationState::Degraded => 1,
        DestinationState::Recovering => 2,
        DestinationState::Failed => 3,
    }
}

/// The figures of every destination, in the order they first appear in
/// `snapshots` (one per source and destination), and the rates' state.
#[derive(Debug, Default)]
pub struct Tally {
    rates: Vec<(String, Rate)>,
}

impl Tally {
    /// The figures at `at` from the counters `snapshots`.
    pub fn figures(&mut self, snapshots: &[MetricsSnapshot], at: Instant) -> Vec<Figures> {
        let mut out: Vec<Figures> = Vec::new();
        for s in snapshots {
            match out.iter_mut().find(|f| f.destination == s.destination) {
                Some(f) => {
                    f.records_sent += s.records_sent;
                    f.lag_bytes += s.lag_bytes;
                    if severity(s.state) > severity(f.state) {
                        f.state = s.state;
                    }
                }
                None => out.push(Figures {
                    destination: s.destination.clone(),
                    records_sent: s.records_sent,
                    records_per_second: 0.0,
                    lag_bytes: s.lag_bytes,
                    state: s.state,
                }),
            }
        }
        for f in &mut out {
            let i = match self.rates.iter().position(|(d, _)| *d == f.destination) {
                Some(i) => i,
                None => {
                    self.rates.push((f.destination.clone(), Rate::new()));
                    self.rates.len() - 1
                }
            };
            f.records_per_second = self.rates[i].1.add(at, f.records_sent);
        }
        out
    }
}

/// The progress line's text: each destination's figures, its state when
/// it is not `active`.
pub fn line(figures: &[Figures]) -> String {
    figures
        .iter()
        .map(|f| {
            let mut s = format!(
                "{}: {} records shipped ({} records/s), lag {}",
                f.destination,
                HumanCount(f.records_sent),
                HumanCount(f.records_per_second.round() as u64),
                HumanBytes(f.lag_bytes)
            );
            if f.state != DestinationState::Active {
                s.push_str(&format!(" [{}]", f.state));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("  |  ")
}

/// The progress line of a running `logger ship`, or nothing (hidden).
pub struct ShipProgress {
    bar: ProgressBar,
    tally: Tally,
}

impl ShipProgress {
    /// A line on stderr when `enabled` and stderr is a terminal; hidden
    /// otherwise. While it is shown, the shipper's `WARN` lines are
    /// printed above it.
    pub fn new(enabled: bool) -> ShipProgress {
        let tally = Tally::default();
        if !enabled || !std::io::stderr().is_terminal() {
            return ShipProgress {
                bar: ProgressBar::hidden(),
                tally,
            };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message("starting");
        bar.enable_steady_tick(Duration::from_millis(250));
        let above = bar.clone();
        logger_read::ship::set_line_writer(Some(Arc::new(move |l: &str| {
            above.suspend(|| eprintln!("{l}"))
        })));
        ShipProgress { bar, tally }
    }

    /// Shows the figures of `snapshots`, taken at `at`.
    pub fn update(&mut self, snapshots: &[MetricsSnapshot], at: Instant) {
        if self.bar.is_hidden() {
            return;
        }
        let figures = self.tally.figures(snapshots, at);
        self.bar.set_message(line(&figures));
    }

    /// Clears the line and gives the `WARN` lines back to stderr.
    pub fn finish(self) {
        if !self.bar.is_hidden() {
            logger_read::ship::set_line_writer(None);
            self.bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(dest: &str, sent: u64, lag: u64, state: DestinationState) -> MetricsSnapshot {
        MetricsSnapshot {
            destination: dest.to_owned(),
            records_sent: sent,
            bytes_sent: sent * 100,
            retries: 0,
            errors: 0,
            abandoned: 0,
            gaps: 0,
            lag_bytes: lag,
            lag_seconds: 0.0,
            state,
        }
    }

    use DestinationState::*;

    #[test]
    fn sources_of_one_destination_are_summed_and_the_worst_state_shown() {
        let t0 = Instant::now();
        let mut tally = Tally::default();
        let f = tally.figures(
            &[
                snap("postgres", 100, 5_000, Active),
                snap("net", 7, 0, Active),
                snap("postgres", 50, 1_000, Degraded),
            ],
            t0,
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].destination, "postgres");
        assert_eq!((f[0].records_sent, f[0].lag_bytes), (150, 6_000));
        assert_eq!(f[0].state, Degraded);
        assert_eq!((f[1].destination.as_str(), f[1].records_sent), ("net", 7));
        assert_eq!(f[1].state, Active);
        // No rate from a single sample.
        assert_eq!(f[0].records_per_second, 0.0);
    }

    #[test]
    fn the_rate_is_records_over_the_last_seconds() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut tally = Tally::default();
        let mut rate = |at: Duration, sent: u64| {
            tally.figures(&[snap("postgres", sent, 0, Active)], t0 + at)[0].records_per_second
        };
        assert_eq!(rate(s(0), 0), 0.0);
        assert_eq!(rate(s(1), 15_000), 15_000.0);
        assert_eq!(rate(s(2), 30_000), 15_000.0);
        assert_eq!(rate(s(3), 45_000), 15_000.0);
        // The window slides: the load stalls, the rate falls to 0 within it.
        assert_eq!(rate(s(4), 45_000), 10_000.0); // (45,000 - 15,000) / 3 s
        assert_eq!(rate(s(5), 45_000), 5_000.0);
        assert_eq!(rate(s(6), 45_000), 0.0);
        assert_eq!(rate(s(20), 45_000), 0.0);
        // Samples 50 ms apart (the shipper's tick) keep the same window.
        let mut tally = Tally::default();
        let mut last = 0.0;
        for i in 0..=200u64 {
            let at = Duration::from_millis(50 * i);
            last =
                tally.figures(&[snap("net", 1_000 * i, 0, Active)], t0 + at)[0].records_per_second;
        }
        assert!((last - 20_000.0).abs() < 1e-6, "{last}");
    }

    #[test]
    fn the_line_says_records_rate_lag_and_a_state_that_is_not_active() {
        let text = line(&[
            Figures {
                destination: "postgres".into(),
                records_sent: 652_048,
                records_per_second: 15_163.4,
                lag_bytes: 5 << 20,
                state: Active,
            },
            Figures {
                destination: "net".into(),
                records_sent: 12,
                records_per_second: 0.0,
                lag_bytes: 0,
                state: Failed,
            },
        ]);
        assert_eq!(
            text,
            "postgres: 652,048 records shipped (15,163 records/s), lag 5.00 MiB  |  \
             net: 12 records shipped (0 records/s), lag 0 B [failed]"
        );
    }

    #[test]
    fn disabled_it_is_hidden_whatever_stderr_is() {
        let mut p = ShipProgress::new(false);
        assert!(p.bar.is_hidden());
        p.update(&[snap("postgres", 1, 1, Active)], Instant::now());
        p.finish();
    }
}
