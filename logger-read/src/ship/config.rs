//! The shipper's configuration: one file for every destination.
//!
//! ```toml
//! paths = ["/var/log/trading"]      # directories (every stem in `stems`) or files
//! stems = ["app"]                   # default: the main file, which holds every record
//! batch_records = 10000             # deliver at this many records...
//! batch_timeout_ms = 1000           # ...or when the oldest waiting record is this old
//! poll_interval_ms = 100            # how often the files are looked at when idle
//! start = "beginning"               # without a checkpoint: "beginning" or "end"
//! dead_letter = "/var/log/trading/ship-dead-letter.jsonl"
//! min_level = "INFO"                # optional filter: TRACE DEBUG INFO WARN ERROR CRITICAL
//! kinds = ["log", "trade", "perf"]  # optional filter
//! exclude_targets = ["tokio_postgres", "postgres", "rustls", "ureq"]  # the default
//!
//! [postgres]
//! url = "postgres://ship:secret@127.0.0.1/trading"
//! # table_prefix = "trading_app"   # seed 004's one-table layout instead of seed 003's
//! [postgres.retention]
//! at = "02:00"
//!
//! # remote destinations (docs/destinations.md): each optional, each with
//! # its own min_level, kinds, batch_records, batch_timeout_ms, max_retries
//! [webhook]
//! url = "https://alerts.example.com/hook"
//! [syslog]
//! address = "127.0.0.1:514"
//! protocol = "udp"
//! [net]
//! address = "127.0.0.1:5170"
//! protocol = "tcp"
//! [otlp]
//! endpoint = "http://127.0.0.1:4318/v1/logs"
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::error::ShipError;
use super::net::NetConfig;
use super::otlp::OtlpConfig;
use super::postgres::PostgresConfig;
use super::syslog::SyslogConfig;
use super::webhook::WebhookConfig;
use crate::decrypt::Identities;

/// Where to start a source that has no checkpoint yet.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StartAt {
    /// From the oldest file's first line (default).
    #[default]
    Beginning,
    /// From the current end of the files.
    End,
}

/// Everything `ship::run` needs (see the module docs for the file format).
///
/// ```
/// use logger_read::ship::ShipConfig;
/// let c = ShipConfig::from_toml("paths = [\"logs\"]\n[postgres]\nurl = \"postgres://u@h/db\"\n", "ship.toml".as_ref()).unwrap();
/// assert_eq!(c.stems, ["app"]);
/// assert_eq!(c.batch_records, 10_000);
/// let e = ShipConfig::from_toml("paths = [\"logs\"]\nbatch_record = 5\n", "ship.toml".as_ref()).unwrap_err();
/// assert!(e.to_string().contains("ship.toml") && e.to_string().contains("batch_record"));
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ShipConfig {
    /// Directories (each stem of `stems` in it) or single files.
    pub paths: Vec<PathBuf>,
    /// File stems to follow in a directory (default `["app"]`: the main
    /// file, which holds every record; adding `trades` would load trades twice).
    #[serde(default = "default_stems")]
    pub stems: Vec<String>,
    /// Records per delivery (default 10,000; seed 003 used 100, seed 004 50:
    /// larger batches are what makes `COPY` fast).
    #[serde(default = "default_batch_records")]
    pub batch_records: usize,
    /// Deliver a partial batch once its oldest record waited this long (ms, default 1000).
    #[serde(default = "default_batch_timeout_ms")]
    pub batch_timeout_ms: u64,
    /// How often the files are polled when there is nothing new (ms, default 100).
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Read and encode the next batch on the reading thread while the
    /// current one is delivered (default true). `false` takes turns (read
    /// a batch, deliver it, then read the next): the slower shipping that
    /// `benches/postgres_ship.rs` compares with.
    #[serde(default = "default_pipeline")]
    pub pipeline: bool,
    /// Where a source without a checkpoint starts.
    #[serde(default)]
    pub start: StartAt,
    /// The dead-letter file (default `<first path's directory>/ship-dead-letter.jsonl`).
    #[serde(default)]
    pub dead_letter: Option<PathBuf>,
    /// Directory of the checkpoint files of destinations that do not store
    /// checkpoints themselves (default: the source's directory).
    #[serde(default)]
    pub checkpoint_dir: Option<PathBuf>,
    /// Ship only records at or above this level.
    #[serde(default)]
    pub min_level: Option<String>,
    /// Ship only records of these kinds.
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Never ship records of these targets (a name matches itself and its
    /// `name::` submodules). The default lists the shipper's own client
    /// libraries: in-process, at `TRACE`, `tokio_postgres` logs every socket
    /// poll, and shipping those records would log more of them, without end.
    #[serde(default = "default_exclude_targets")]
    pub exclude_targets: Vec<String>,
    /// An age identity file (`age-keygen` output) to read encrypted rotated
    /// files (`.log.age`, `.log.gz.age`) with; without it each encrypted
    /// file is reported on stderr and skipped.
    #[serde(default)]
    pub identity_file: Option<PathBuf>,
    /// The PostgreSQL destination.
    #[serde(default)]
    pub postgres: Option<PostgresConfig>,
    /// The webhook (alerts; default level CRITICAL).
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    /// Syslog (RFC 5424).
    #[serde(default)]
    pub syslog: Option<SyslogConfig>,
    /// JSON lines over TCP, UDP or TLS.
    #[serde(default)]
    pub net: Option<NetConfig>,
    /// OpenTelemetry (OTLP/HTTP logs).
    #[serde(default)]
    pub otlp: Option<OtlpConfig>,
}

fn default_stems() -> Vec<String> {
    vec!["app".into()]
}
fn default_exclude_targets() -> Vec<String> {
    ["tokio_postgres", "postgres", "rustls", "ureq"]
        .map(String::from)
        .to_vec()
}
fn default_batch_records() -> usize {
    10_000
}
fn default_batch_timeout_ms() -> u64 {
    1_000
}
fn default_pipeline() -> bool {
    true
}
fn default_poll_interval_ms() -> u64 {
    100
}

impl ShipConfig {
    /// A configuration with defaults that ships `paths` to PostgreSQL at `url`.
    pub fn postgres(paths: Vec<PathBuf>, url: &str) -> Self {
        Self {
            paths,
            stems: default_stems(),
            batch_records: default_batch_records(),
            batch_timeout_ms: default_batch_timeout_ms(),
            poll_interval_ms: default_poll_interval_ms(),
            pipeline: default_pipeline(),
            start: StartAt::default(),
            dead_letter: None,
            checkpoint_dir: None,
            min_level: None,
            kinds: None,
            exclude_targets: default_exclude_targets(),
            identity_file: None,
            postgres: Some(PostgresConfig::new(url)),
            webhook: None,
            syslog: None,
            net: None,
            otlp: None,
        }
    }

    /// A configuration with defaults and no destination (set one of
    /// `postgres`, `webhook`, `syslog`, `net`, `otlp`).
    ///
    /// ```
    /// use logger_read::ship::{ShipConfig, syslog::SyslogConfig, net::Protocol};
    /// let mut c = ShipConfig::new(vec!["logs".into()]);
    /// assert!(c.validate().is_err()); // no destination
    /// c.syslog = Some(SyslogConfig::new("127.0.0.1:514", Protocol::Udp));
    /// assert!(c.validate().is_ok());
    /// ```
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Self {
            postgres: None,
            ..Self::postgres(paths, "")
        }
    }

    /// Parses TOML text; `origin` names the file in errors.
    ///
    /// # Errors
    /// `Fatal` naming the file, the line and the key.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self, ShipError> {
        let c: Self = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(", line {l}")).unwrap_or_default();
            ShipError::fatal(
                "config",
                format!("{}{at}: {}", origin.display(), e.message()),
            )
        })?;
        c.validate().map_err(|e| {
            ShipError::fatal("config", format!("{}: {}", origin.display(), e.reason()))
        })?;
        Ok(c)
    }

    /// Reads and parses the TOML file at `path`.
    ///
    /// # Errors
    /// `Fatal` naming the file (and line) when it cannot be read or is invalid.
    pub fn load(path: &Path) -> Result<Self, ShipError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ShipError::fatal("config", format!("cannot read {}: {e}", path.display()))
        })?;
        Self::from_toml(&text, path)
    }

    /// The identities of `identity_file`, `None` without one.
    ///
    /// # Errors
    /// `Fatal` naming the option and the file: unreadable, or not an age
    /// identity file.
    pub fn identities(&self) -> Result<Option<Identities>, ShipError> {
        self.identity_file
            .as_deref()
            .map(Identities::from_file)
            .transpose()
            .map_err(|e| ShipError::fatal("config", format!("identity_file: {e}")))
    }

    /// Checks the values that the types do not.
    ///
    /// # Errors
    /// `Fatal` naming the option.
    pub fn validate(&self) -> Result<(), ShipError> {
        let bad = |m: String| Err(ShipError::fatal("config", m));
        if self.paths.is_empty() {
            return bad("paths: give at least one directory or file to ship".into());
        }
        if self.batch_records == 0 {
            return bad("batch_records must be at least 1".into());
        }
        if self.poll_interval_ms == 0 {
            return bad("poll_interval_ms must be at least 1".into());
        }
        if let Some(l) = &self.min_level {
            if ![
                "TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "CRITICAL",
            ]
            .contains(&l.to_ascii_uppercase().as_str())
            {
                return bad(format!(
                    "min_level {l:?}: use TRACE, DEBUG, INFO, WARN, ERROR or CRITICAL"
                ));
            }
        }
        self.identities()?;
        if self.postgres.is_none()
            && self.webhook.is_none()
            && self.syslog.is_none()
            && self.net.is_none()
            && self.otlp.is_none()
        {
            return bad(
                "no destination configured: add a [postgres], [webhook], [syslog], [net] or [otlp] section"
                    .into(),
            );
        }
        if let Some(w) = &self.webhook {
            w.validate()?;
        }
        if let Some(s) = &self.syslog {
            s.validate()?;
        }
        if let Some(n) = &self.net {
            n.validate()?;
        }
        if let Some(o) = &self.otlp {
            o.validate()?;
        }
        if let Some(pg) = &self.postgres {
            pg.layout()?;
            pg.retention.validate()?;
        }
        Ok(())
    }

    /// `batch_timeout_ms` as a duration.
    pub fn batch_timeout(&self) -> Duration {
        Duration::from_millis(self.batch_timeout_ms)
    }

    /// `poll_interval_ms` as a duration.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    /// The dead-letter file's path.
    pub fn dead_letter_path(&self) -> PathBuf {
        if let Some(p) = &self.dead_letter {
            return p.clone();
        }
        let first = &self.paths[0];
        let dir = if first.is_dir() {
            first.as_path()
        } else {
            first.parent().unwrap_or(Path::new("."))
        };
        dir.join("ship-dead-letter.jsonl")
    }
}
