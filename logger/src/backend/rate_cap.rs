//! The global cap, `max_records_per_second`, enforced on the flusher: the
//! logging threads pay nothing for it.
//!
//! Records are counted per UTC second of their own timestamp (not of the
//! flusher's clock), so what a second keeps does not depend on when the
//! flusher happens to drain it. The merge hands records over in timestamp
//! order; a late record (`max_merge_delay` exceeded) from an earlier
//! second counts in the current one. Past the cap, a record is discarded
//! before it is decoded or formatted, and counted. `ERROR` records are
//! never discarded nor counted (a cap must never hide an error), nor are
//! records below the files' level (only the backtrace ring holds those)
//! and the flusher's own records, which do not pass through here.
//!
//! The discards of a second are summarised once that second is over: when
//! a record of a later second arrives, when the flusher's clock has moved
//! past it, or at a flush and at shutdown (then possibly before the second
//! is over: later discards of the same second get their own summary).

use crate::level::{Level, LevelFilter};

const NS_PER_SEC: u64 = 1_000_000_000;

/// Discards of one second, to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The second, in seconds since the Unix epoch.
    pub second: u64,
    /// Records discarded in it since its last summary.
    pub dropped: u64,
    /// The cap.
    pub cap: u64,
}

/// The counting state of the cap.
pub(crate) struct RateCap {
    cap: u64,
    /// With a backtrace ring: records less severe than this are held by
    /// it, not written, so not counted. Without one (`None`), every record
    /// that reaches the flusher is written, whatever level `set_filter`
    /// lets through at runtime.
    held_below: Option<LevelFilter>,
    /// The second being counted (seconds since the Unix epoch).
    second: u64,
    /// Records kept in `second`.
    kept: u64,
    /// Records discarded in `second`, not yet summarised.
    dropped: u64,
}

impl RateCap {
    /// The cap of `max_records_per_second`, if any; `held_below`: the
    /// files' level when a backtrace ring holds the records below it.
    pub(crate) fn new(cap: Option<u64>, held_below: Option<LevelFilter>) -> Option<RateCap> {
        Some(RateCap {
            cap: cap?.max(1),
            held_below,
            second: 0,
            kept: 0,
            dropped: 0,
        })
    }

    /// Whether to write a record at `level` stamped `ts_ns` (UTC ns); and
    /// the summary of a second that just ended, to write before it.
    #[inline]
    pub(crate) fn admit(&mut self, level: Level, ts_ns: u64) -> (bool, Option<Summary>) {
        if level <= Level::Error || self.held_below.is_some_and(|files| !files.admits(level)) {
            return (true, None);
        }
        let second = ts_ns / NS_PER_SEC;
        let mut ended = None;
        if second > self.second {
            ended = self.take();
            self.second = second;
            self.kept = 0;
        }
        if self.kept < self.cap {
            self.kept += 1;
            (true, ended)
        } else {
            self.dropped += 1;
            (false, ended)
        }
    }

    /// The summary of the discards not yet reported, when their second is
    /// over at `now_ns` (UTC ns), or whenever `force` (a flush, shutdown).
    pub(crate) fn summary_due(&mut self, now_ns: u64, force: bool) -> Option<Summary> {
        if force || now_ns / NS_PER_SEC > self.second {
            self.take()
        } else {
            None
        }
    }

    fn take(&mut self) -> Option<Summary> {
        if self.dropped == 0 {
            return None;
        }
        let dropped = std::mem::take(&mut self.dropped);
        Some(Summary {
            second: self.second,
            dropped,
            cap: self.cap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = NS_PER_SEC;

    #[test]
    fn counts_per_second_of_record_time() {
        let mut c = RateCap::new(Some(2), None).unwrap();
        let info = |c: &mut RateCap, ts| c.admit(Level::Info, ts);
        assert_eq!(info(&mut c, 10 * S), (true, None));
        assert_eq!(info(&mut c, 10 * S + 1), (true, None));
        assert_eq!(info(&mut c, 10 * S + 2), (false, None));
        // Errors pass and are not counted.
        assert_eq!(c.admit(Level::Error, 10 * S + 3), (true, None));
        assert_eq!(c.admit(Level::Critical, 10 * S + 4), (true, None));
        assert_eq!(info(&mut c, 10 * S + 4), (false, None));
        // Not over yet at 10.9 s; over at 11 s.
        assert_eq!(c.summary_due(10 * S + 900_000_000, false), None);
        // A record of the next second reports the previous one first.
        let ended = Summary {
            second: 10,
            dropped: 2,
            cap: 2,
        };
        assert_eq!(info(&mut c, 11 * S), (true, Some(ended)));
        // A late record of second 10 counts in second 11.
        assert_eq!(info(&mut c, 10 * S + 5), (true, None));
        assert_eq!(info(&mut c, 11 * S + 1), (false, None));
        assert_eq!(c.summary_due(11 * S + 5, false), None);
        let due = c.summary_due(12 * S, false).unwrap();
        assert_eq!((due.second, due.dropped), (11, 1));
        assert_eq!(c.summary_due(13 * S, true), None, "reported once");
    }

    #[test]
    fn forced_summaries_and_held_levels() {
        let mut c = RateCap::new(Some(1), Some(LevelFilter::Info)).unwrap();
        assert!(c.admit(Level::Warn, 5 * S).0);
        assert!(!c.admit(Level::Info, 5 * S).0);
        // With a backtrace ring, debug records are held, not written.
        assert!(c.admit(Level::Debug, 5 * S).0);
        let s = c.summary_due(5 * S, true).unwrap();
        assert_eq!((s.second, s.dropped), (5, 1));
        assert!(!c.admit(Level::Info, 5 * S + 1).0);
        assert_eq!(c.summary_due(5 * S + 2, true).unwrap().dropped, 1);
        assert!(RateCap::new(None, None).is_none());
    }

    /// Without a backtrace ring, a level that `set_filter` enabled after
    /// install (below the install-time level) is capped like any other.
    #[test]
    fn levels_enabled_at_runtime_are_capped() {
        let mut c = RateCap::new(Some(1), None).unwrap();
        assert!(c.admit(Level::Debug, 5 * S).0);
        assert!(!c.admit(Level::Debug, 5 * S + 1).0);
        assert!(!c.admit(Level::Trace, 5 * S + 2).0);
        assert_eq!(c.summary_due(6 * S, false).unwrap().dropped, 2);
    }
}
