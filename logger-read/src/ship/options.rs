//! What every remote destination (webhook, syslog, TCP/UDP, OTLP) has in
//! common: on or off, which records (minimum level, kinds), how they are
//! batched, how many failed attempts a batch gets before it goes to the
//! dead-letter file, and the network timeouts.
//!
//! In the configuration file these keys sit in the destination's own
//! section, beside its specific keys:
//!
//! ```toml
//! [webhook]
//! url = "https://alerts.example.com/hook"
//! enabled = true            # default true
//! min_level = "CRITICAL"    # default: the destination's (webhook CRITICAL, others the global filter)
//! kinds = ["log", "trade"]  # default: every kind
//! batch_records = 100       # default: the destination's
//! batch_timeout_ms = 1000   # default 1000
//! max_retries = 10          # failed attempts of one batch before the dead-letter file
//! timeout_ms = 5000         # connect and write timeout
//! ```

use std::time::Duration;

use super::destination::{Batch, Delivery, Rejected};
use super::error::ShipError;
use crate::level::Level;

/// Common options of a remote destination, after validation.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Ship to this destination at all.
    pub enabled: bool,
    /// Ship only records at or above this level (`None`: every level).
    pub min_level: Option<Level>,
    /// Ship only records of these kinds (`None`: every kind).
    pub kinds: Option<Vec<String>>,
    /// Deliver at this many records.
    pub batch_records: usize,
    /// ...or when the oldest waiting record is this old.
    pub batch_timeout: Duration,
    /// Failed attempts of one batch before its records go to the
    /// dead-letter file (the shipper backs off between attempts).
    pub max_retries: u32,
    /// Connect, write and response timeout of one attempt.
    pub timeout: Duration,
}

/// The raw values as read from a configuration section; `validate` checks
/// them and fills the defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawOptions {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `min_level`.
    pub min_level: Option<String>,
    /// `kinds`.
    pub kinds: Option<Vec<String>>,
    /// `batch_records`.
    pub batch_records: Option<usize>,
    /// `batch_timeout_ms`.
    pub batch_timeout_ms: Option<u64>,
    /// `max_retries`.
    pub max_retries: Option<u32>,
    /// `timeout_ms`.
    pub timeout_ms: Option<u64>,
}

/// The seven common option fields of a destination's configuration section
/// (`enabled`, `min_level`, `kinds`, `batch_records`, `batch_timeout_ms`,
/// `max_retries`, `timeout_ms`), copied into a [`RawOptions`].
macro_rules! raw_options {
    ($config:expr) => {
        $crate::ship::options::RawOptions {
            enabled: $config.enabled,
            min_level: $config.min_level.clone(),
            kinds: $config.kinds.clone(),
            batch_records: $config.batch_records,
            batch_timeout_ms: $config.batch_timeout_ms,
            max_retries: $config.max_retries,
            timeout_ms: $config.timeout_ms,
        }
    };
}
pub(crate) use raw_options;

impl RawOptions {
    /// Checks the values (seed 000's rules: positive batch size and timeout)
    /// and applies the destination's defaults.
    ///
    /// # Errors
    /// `Fatal` naming `<section>.<key>` and what is allowed.
    pub fn validate(
        &self,
        section: &str,
        default_level: Option<Level>,
        default_batch: usize,
    ) -> Result<Options, ShipError> {
        let bad =
            |key: &str, why: String| ShipError::fatal("config", format!("{section}.{key}: {why}"));
        let min_level = match &self.min_level {
            Some(l) => Some(l.parse::<Level>().map_err(|_| {
                bad(
                    "min_level",
                    format!(
                        "{l:?} is not a level: use TRACE, DEBUG, INFO, WARN, ERROR or CRITICAL"
                    ),
                )
            })?),
            None => default_level,
        };
        if let Some(kinds) = &self.kinds {
            if kinds.is_empty() || kinds.iter().any(|k| k.is_empty()) {
                return Err(bad(
                    "kinds",
                    "give at least one kind (\"log\", \"trade\", \"perf\", ...), none empty".into(),
                ));
            }
        }
        let batch_records = self.batch_records.unwrap_or(default_batch);
        if batch_records == 0 {
            return Err(bad(
                "batch_records",
                "must be a positive number of records".into(),
            ));
        }
        let batch_timeout_ms = self.batch_timeout_ms.unwrap_or(1_000);
        if batch_timeout_ms == 0 {
            return Err(bad(
                "batch_timeout_ms",
                "must be a positive number of milliseconds".into(),
            ));
        }
        let timeout_ms = self.timeout_ms.unwrap_or(5_000);
        if timeout_ms == 0 {
            return Err(bad(
                "timeout_ms",
                "must be a positive number of milliseconds".into(),
            ));
        }
        Ok(Options {
            enabled: self.enabled.unwrap_or(true),
            min_level,
            kinds: self.kinds.clone(),
            batch_records,
            batch_timeout: Duration::from_millis(batch_timeout_ms),
            max_retries: self.max_retries.unwrap_or(10),
            timeout: Duration::from_millis(timeout_ms),
        })
    }
}

/// Counts the failed attempts of one batch (known by where its first line
/// starts, which stays the same when the shipper re-reads it after a
/// failure). Each failure goes back to the shipper as an error (counted,
/// retried after a backoff); once a batch failed `max_retries + 1` times,
/// the next attempt gives its records up to the dead-letter file, with the
/// last error as the reason, instead of trying again.
#[derive(Debug)]
pub(crate) struct RetryLimit {
    max: u32,
    batch: Option<(crate::FileId, u64)>,
    failures: u32,
    last: String,
}

fn key(batch: &Batch) -> Option<(crate::FileId, u64)> {
    (!batch.is_empty()).then(|| {
        let first = batch.position(0);
        (first.file_id, first.offset)
    })
}

impl RetryLimit {
    pub(crate) fn new(max: u32) -> Self {
        Self {
            max,
            batch: None,
            failures: 0,
            last: String::new(),
        }
    }

    /// Before an attempt at `batch`: every record rejected when the batch
    /// already failed `max_retries + 1` times.
    pub(crate) fn exhausted(&mut self, batch: &Batch) -> Option<Delivery> {
        if self.batch.is_none() || self.batch != key(batch) || self.failures <= self.max {
            return None;
        }
        let reason = format!(
            "abandoned after {} failed attempts: {}",
            self.failures, self.last
        );
        self.succeeded();
        Some(Delivery {
            rejected: (0..batch.len())
                .map(|index| Rejected {
                    index,
                    reason: reason.clone(),
                })
                .collect(),
        })
    }

    /// Counts a failed attempt at `batch`; returns `e` for the shipper.
    pub(crate) fn failed(&mut self, batch: &Batch, e: ShipError) -> ShipError {
        if !e.is_retryable() {
            return e;
        }
        let k = key(batch);
        if self.batch == k {
            self.failures += 1;
        } else {
            self.batch = k;
            self.failures = 1;
        }
        self.last = e.reason().to_owned();
        e
    }

    /// A delivery went through: the next failure starts a new count.
    pub(crate) fn succeeded(&mut self) {
        self.batch = None;
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_rules_are_checked_naming_the_key() {
        let raw = RawOptions {
            batch_records: Some(0),
            ..RawOptions::default()
        };
        let e = raw.validate("syslog", None, 100).unwrap_err().to_string();
        assert!(e.contains("syslog.batch_records"), "{e}");
        let raw = RawOptions {
            batch_timeout_ms: Some(0),
            ..RawOptions::default()
        };
        let e = raw.validate("udp", None, 100).unwrap_err().to_string();
        assert!(e.contains("udp.batch_timeout_ms"), "{e}");
        let raw = RawOptions {
            min_level: Some("loud".into()),
            ..RawOptions::default()
        };
        let e = raw.validate("webhook", None, 1).unwrap_err().to_string();
        assert!(
            e.contains("webhook.min_level") && e.contains("\"loud\""),
            "{e}"
        );
        let o = RawOptions::default()
            .validate("webhook", Some(Level::Critical), 20)
            .unwrap();
        assert_eq!(
            (o.min_level, o.batch_records, o.enabled),
            (Some(Level::Critical), 20, true)
        );
    }
}
