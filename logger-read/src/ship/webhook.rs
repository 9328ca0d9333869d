//! The webhook: a JSON POST of the records at or above a level (default
//! `CRITICAL`) to a URL, for alerting.
//!
//! ```toml
//! [webhook]
//! url = "https://alerts.example.com/hooks/trading"
//! headers = { Authorization = "Bearer s3cr3t" }
//! max_per_minute = 30        # past it, one summary instead of a flood (default 60)
//! gzip = false               # Content-Encoding: gzip
//! min_level = "CRITICAL"     # the default
//! ```
//!
//! Body: one record alone is posted as its JSON object (the line as
//! written); several read together go in one POST as
//! `{"count": n, "records": [...]}`. When more than `max_per_minute`
//! records arrive within a minute (wall clock), the rest of that minute's
//! records are not posted one by one: one summary per batch is,
//! `{"summary": {"suppressed": n, "first_ts": .., "last_ts": .., "levels":
//! {"CRITICAL": n}, "targets": {"risk": n}, "max_per_minute": 30}}`. The
//! suppressed records stay in the files (and the summary counts them).
//!
//! 2xx: delivered. 408, 429, 5xx and transport failures (DNS, refused,
//! timeout, a refused certificate): retried with backoff, then the
//! dead-letter file after `max_retries`. Another 4xx: the records go to
//! the dead-letter file with the answer. Redirects are not followed.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use super::destination::{Batch, Delivery, Destination, Rejected};
use super::error::ShipError;
use super::http::{Outcome, Poster};
use super::options::{Options, RetryLimit, raw_options};
use super::tls::TlsOptions;
use crate::level::Level;

/// The `[webhook]` section.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// `https://...` (or `http://` on a trusted network).
    pub url: String,
    /// Extra headers (an authentication token).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Records posted per minute before a summary replaces them (default 60).
    #[serde(default)]
    pub max_per_minute: Option<u64>,
    /// Gzip the body (default false).
    #[serde(default)]
    pub gzip: bool,
    /// TLS settings for https.
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// On or off (default on).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Minimum level (default CRITICAL).
    #[serde(default)]
    pub min_level: Option<String>,
    /// Kinds (default: every kind).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Records per POST (default 100).
    #[serde(default)]
    pub batch_records: Option<usize>,
    /// Batch age limit (ms, default 1000).
    #[serde(default)]
    pub batch_timeout_ms: Option<u64>,
    /// Failed attempts of one batch before the dead-letter file (default 10).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Connect and response timeout (ms, default 5000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl WebhookConfig {
    /// A configuration with defaults.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            headers: BTreeMap::new(),
            max_per_minute: None,
            gzip: false,
            tls: None,
            enabled: None,
            min_level: None,
            kinds: None,
            batch_records: None,
            batch_timeout_ms: None,
            max_retries: None,
            timeout_ms: None,
        }
    }

    /// The common options, checked (default level CRITICAL).
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn options(&self) -> Result<Options, ShipError> {
        raw_options!(self).validate("webhook", Some(Level::Critical), 100)
    }

    /// Checks every value.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn validate(&self) -> Result<(), ShipError> {
        WebhookDestination::new(self).map(drop)
    }
}

/// Records posted within the current minute.
#[derive(Debug)]
struct Window {
    start: Instant,
    posted: u64,
}

/// The webhook destination.
#[derive(Debug)]
pub struct WebhookDestination {
    poster: Poster,
    max_per_minute: u64,
    window: Window,
    retry: RetryLimit,
}

impl WebhookDestination {
    /// A destination for `config`.
    ///
    /// # Errors
    /// `Fatal` naming the key of an invalid value.
    pub fn new(config: &WebhookConfig) -> Result<Self, ShipError> {
        let options = config.options()?;
        if config.max_per_minute == Some(0) {
            return Err(ShipError::fatal(
                "config",
                "webhook.max_per_minute: must be a positive number of records",
            ));
        }
        Ok(Self {
            poster: Poster::new(
                "webhook",
                "webhook",
                &config.url,
                &config.headers,
                config.gzip,
                config.tls.as_ref(),
                options.timeout,
            )?,
            max_per_minute: config.max_per_minute.unwrap_or(60),
            window: Window {
                start: Instant::now(),
                posted: 0,
            },
            retry: RetryLimit::new(options.max_retries),
        })
    }

    /// How many of `n` records may be posted now, the rest summarised.
    fn allowance(&mut self, n: usize) -> usize {
        if self.window.start.elapsed() >= Duration::from_secs(60) {
            self.window = Window {
                start: Instant::now(),
                posted: 0,
            };
        }
        let left = self.max_per_minute.saturating_sub(self.window.posted);
        (n as u64).min(left) as usize
    }

    fn try_deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        let allowed = self.allowance(batch.len());
        let lines: Vec<&[u8]> = batch.lines().collect();
        let (posted, suppressed) = lines.split_at(allowed);
        let mut bodies: Vec<Vec<u8>> = Vec::new();
        match posted {
            [] => {}
            [one] => bodies.push(one.to_vec()),
            many => {
                let mut b = format!("{{\"count\":{},\"records\":[", many.len()).into_bytes();
                for (i, l) in many.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    if serde_json::from_slice::<serde::de::IgnoredAny>(l).is_ok() {
                        b.extend_from_slice(l);
                    } else {
                        b.extend_from_slice(
                            serde_json::to_string(&String::from_utf8_lossy(l))
                                .unwrap_or_default()
                                .as_bytes(),
                        );
                    }
                }
                b.extend_from_slice(b"]}");
                bodies.push(b);
            }
        }
        if !suppressed.is_empty() {
            bodies.push(summary(suppressed, self.max_per_minute));
        }
        for body in &bodies {
            if let Outcome::Refused(why) = self.poster.post("application/json", body)? {
                return Ok(Delivery {
                    rejected: (0..batch.len())
                        .map(|index| Rejected {
                            index,
                            reason: why.clone(),
                        })
                        .collect(),
                });
            }
        }
        self.window.posted += batch.len() as u64;
        Ok(Delivery::default())
    }
}

/// The summary of records not posted one by one.
fn summary(lines: &[&[u8]], max_per_minute: u64) -> Vec<u8> {
    let mut levels: BTreeMap<String, u64> = BTreeMap::new();
    let mut targets: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first, mut last) = (None, None);
    for l in lines {
        let Ok(v) = serde_json::from_slice::<Value>(l) else {
            continue;
        };
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        *levels.entry(s("level")).or_default() += 1;
        *targets.entry(s("target")).or_default() += 1;
        first.get_or_insert_with(|| s("ts"));
        last = Some(s("ts"));
    }
    serde_json::to_vec(&serde_json::json!({
        "summary": {
            "suppressed": lines.len(),
            "first_ts": first,
            "last_ts": last,
            "levels": levels,
            "targets": targets,
            "max_per_minute": max_per_minute,
        }
    }))
    .unwrap_or_default()
}

impl Destination for WebhookDestination {
    fn name(&self) -> &str {
        "webhook"
    }

    fn deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        if let Some(given_up) = self.retry.exhausted(batch) {
            return Ok(given_up);
        }
        match self.try_deliver(batch) {
            Ok(d) => {
                self.retry.succeeded();
                Ok(d)
            }
            Err(e) => Err(self.retry.failed(batch, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_key() {
        for (c, key) in [
            (WebhookConfig::new("ftp://x/hook"), "webhook.url"),
            (WebhookConfig::new("https:///hook"), "webhook.url"),
            (WebhookConfig::new("http://h:0/hook"), "webhook.url"),
            (
                WebhookConfig {
                    max_per_minute: Some(0),
                    ..WebhookConfig::new("https://h/")
                },
                "webhook.max_per_minute",
            ),
            (
                WebhookConfig {
                    headers: [("Bad Header".to_owned(), "x".to_owned())].into(),
                    ..WebhookConfig::new("https://h/")
                },
                "webhook.headers",
            ),
        ] {
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
        }
    }

    #[test]
    fn a_summary_counts_levels_and_targets() {
        let a = br#"{"ts":"t1","level":"CRITICAL","kind":"log","target":"risk"}"#;
        let b = br#"{"ts":"t2","level":"ERROR","kind":"log","target":"risk"}"#;
        let v: Value = serde_json::from_slice(&summary(&[a, b], 5)).unwrap();
        assert_eq!(v["summary"]["suppressed"], 2);
        assert_eq!(v["summary"]["levels"]["CRITICAL"], 1);
        assert_eq!(v["summary"]["targets"]["risk"], 2);
        assert_eq!(
            (
                v["summary"]["first_ts"].as_str(),
                v["summary"]["last_ts"].as_str()
            ),
            (Some("t1"), Some("t2"))
        );
    }
}
