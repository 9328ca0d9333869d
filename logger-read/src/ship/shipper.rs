//! The shipping loop of one source into one destination:
//! follow -> filter -> batch (by count or age) -> deliver -> checkpoint.
//!
//! The loop runs on its own thread and never touches the application's:
//! the files are the buffer. On a failed delivery it moves the destination
//! to `degraded` (then `failed` after the quick retries), sleeps the
//! backoff, and starts again from the checkpoint the destination (or the
//! checkpoint file) holds, so a batch whose commit was cut by the failure is
//! neither lost nor loaded twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::backoff::Backoff;
use super::config::{ShipConfig, StartAt};
use super::dead_letter::DeadLetter;
use super::destination::{Batch, Destination, SourceKey};
use super::error::ShipError;
use super::metrics::ShipMetrics;
use super::source::{Source, SourceSpec};
use super::state::DestinationState;
use crate::checkpoint::{Checkpoint, CheckpointStore, FileCheckpointStore};
use crate::decrypt::Identities;
use crate::{Level, Prefilter, RecordView};

/// One source shipped into one destination.
pub struct Shipper {
    spec: SourceSpec,
    key: SourceKey,
    dest: Box<dyn Destination>,
    metrics: Arc<ShipMetrics>,
    dead: DeadLetter,
    store: Option<FileCheckpointStore>,
    filter: Prefilter,
    exclude_targets: Vec<String>,
    batch_records: usize,
    batch_timeout: Duration,
    poll: Duration,
    start: StartAt,
    backoff: Backoff,
    identities: Option<Identities>,
}

impl std::fmt::Debug for Shipper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shipper")
            .field("source", &self.key)
            .field("destination", &self.dest.name())
            .finish_non_exhaustive()
    }
}

/// Sleeps `d` in small steps; returns early (true) when `stop` is set.
fn sleep_unless(stop: &AtomicBool, d: Duration) -> bool {
    let end = Instant::now() + d;
    loop {
        if stop.load(Ordering::Relaxed) {
            return true;
        }
        let now = Instant::now();
        if now >= end {
            return false;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

fn level_of(name: &str) -> Option<Level> {
    match name.to_ascii_uppercase().as_str() {
        "TRACE" => Some(Level::Trace),
        "DEBUG" => Some(Level::Debug),
        "INFO" => Some(Level::Info),
        "WARN" | "WARNING" => Some(Level::Warn),
        "ERROR" => Some(Level::Error),
        "CRITICAL" => Some(Level::Critical),
        _ => None,
    }
}

/// The `target` of a record line, found near its start (the key order is
/// fixed: `ts`, `level`, `kind`, `target`).
fn target_of(line: &[u8]) -> Option<&[u8]> {
    let head = &line[..line.len().min(256)];
    let at = memchr::memmem::find(head, b"\"target\":\"")? + 10;
    let rest = &line[at..];
    let end = memchr::memchr(b'"', rest)?;
    Some(&rest[..end])
}

/// True when `line`'s target is one of `excluded` or inside one (`name::`).
fn excluded_target(line: &[u8], excluded: &[String]) -> bool {
    let Some(t) = target_of(line) else {
        return false;
    };
    excluded.iter().any(|e| {
        let e = e.as_bytes();
        t.starts_with(e) && (t.len() == e.len() || t[e.len()..].starts_with(b"::"))
    })
}

/// Seconds since the epoch of a line's `ts`, if it has one.
fn line_time(line: &[u8]) -> Option<f64> {
    RecordView::parse(line)
        .ok()
        .map(|r| r.ts().as_nanos() as f64 / 1e9)
}

impl Shipper {
    /// A shipper of `spec` into `dest`, with `config`'s batching, filter and
    /// dead-letter file.
    ///
    /// # Errors
    /// `Fatal` when the dead-letter file cannot be opened.
    pub fn new(
        config: &ShipConfig,
        spec: SourceSpec,
        dest: Box<dyn Destination>,
        metrics: Arc<ShipMetrics>,
    ) -> Result<Self, ShipError> {
        let key = SourceKey::new(&spec.dir, &spec.stem);
        let mut filter = Prefilter::new();
        if let Some(l) = config.min_level.as_deref().and_then(level_of) {
            filter = filter.min_level(l);
        }
        for k in config.kinds.iter().flatten() {
            filter = filter.kind(k.clone());
        }
        let store = (!dest.stores_checkpoints()).then(|| {
            let dir = config
                .checkpoint_dir
                .clone()
                .unwrap_or_else(|| spec.dir.clone());
            FileCheckpointStore::new(dir.join(format!(
                "{}.{}.checkpoint.json",
                spec.stem,
                dest.name()
            )))
        });
        Ok(Self {
            dead: DeadLetter::open(&config.dead_letter_path())?,
            key,
            spec,
            dest,
            metrics,
            store,
            filter,
            exclude_targets: config.exclude_targets.clone(),
            batch_records: config.batch_records,
            batch_timeout: config.batch_timeout(),
            poll: config.poll_interval(),
            start: config.start,
            backoff: Backoff::default(),
            identities: config.identities()?,
        })
    }

    fn load_checkpoint(&mut self) -> Result<Option<Checkpoint>, ShipError> {
        match &mut self.store {
            Some(s) => s
                .load()
                .map_err(|e| ShipError::fatal(self.dest.name(), e.to_string())),
            None => self.dest.load_checkpoint(&self.key),
        }
    }

    /// After a failure: count it, move the state, sleep the backoff.
    /// Returns true when `stop` was set meanwhile.
    fn failed(&mut self, e: &ShipError, stop: &AtomicBool) -> bool {
        self.metrics.add_error();
        let state = self.metrics.state();
        let next = if self.backoff.quick_retries_left() {
            if state.get() == DestinationState::Failed
                || state.get() == DestinationState::Recovering
            {
                DestinationState::Failed
            } else {
                DestinationState::Degraded
            }
        } else {
            DestinationState::Failed
        };
        state.set(next, e.reason());
        let d = self.backoff.next_delay();
        if sleep_unless(stop, d) {
            return true;
        }
        self.metrics.add_retry();
        if state.get() == DestinationState::Failed {
            state.set(DestinationState::Recovering, "retrying");
        }
        false
    }

    fn succeeded(&mut self) {
        self.backoff.reset();
        self.metrics
            .state()
            .set(DestinationState::Active, "delivered");
    }

    /// Delivers `batch`, writes its rejected records to the dead-letter file
    /// and, for a non-transactional destination, saves the checkpoint.
    fn deliver(&mut self, batch: &Batch) -> Result<(), ShipError> {
        let d = self.dest.deliver(batch)?;
        for r in &d.rejected {
            let at = batch.position(r.index);
            self.dead.write(
                self.dest.name(),
                &format!(
                    "{} ({})",
                    self.key,
                    serde_json::to_string(&at.file_id).unwrap_or_default()
                ),
                at.offset,
                batch.line(r.index),
                &r.reason,
            )?;
        }
        if let (Some(store), Some(cp)) = (&mut self.store, batch.checkpoint()) {
            store
                .save(cp)
                .map_err(|e| ShipError::fatal(self.dest.name(), e.to_string()))?;
        }
        let rejected = d.rejected.len();
        let bytes: usize = d.rejected.iter().map(|r| batch.line(r.index).len()).sum();
        self.metrics.add_sent(
            (batch.len() - rejected) as u64,
            (batch.bytes() - bytes) as u64,
        );
        self.metrics.add_abandoned(rejected as u64);
        Ok(())
    }

    /// Ships until `stop` is set (then delivers what was read and returns
    /// `Ok`) or a `Fatal` error.
    ///
    /// # Errors
    /// The `Fatal` error that stopped it.
    pub fn run(mut self, stop: &AtomicBool) -> Result<(), ShipError> {
        'restart: loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let cp = match self.load_checkpoint() {
                Ok(cp) => cp,
                Err(e) if e.is_retryable() => {
                    if self.failed(&e, stop) {
                        return Ok(());
                    }
                    continue 'restart;
                }
                Err(e) => return Err(e),
            };
            let mut source = Source::open(
                &self.spec,
                cp,
                self.start == StartAt::End,
                self.poll,
                self.batch_records,
            )
            .with_identities(self.identities.clone());
            let mut delivered = cp;
            // The position of the last line taken: a line at or before it
            // in the same file (a reader that handed it out twice) is skipped.
            let mut last_read = cp;
            let mut batch = Batch::new(self.key.clone());
            let mut oldest: Option<Instant> = None;
            let mut last_sent_time: Option<f64> = None;
            loop {
                let stopping = stop.load(Ordering::Relaxed);
                let mut full = Vec::new();
                let fb = source
                    .poll()
                    .map_err(|e| ShipError::fatal(self.dest.name(), e))?;
                for g in &fb.gaps {
                    self.metrics.add_gap();
                    let path = g
                        .path
                        .as_ref()
                        .map_or_else(|| "a file".to_owned(), |p| p.display().to_string());
                    eprintln!(
                        "WARN logger ship: {}: {path} (file {}) was deleted before it was fully shipped (read up to byte {}); its unread records are lost",
                        self.key, g.file_id, g.offset
                    );
                }
                for e in &fb.errors {
                    eprintln!("WARN logger ship: {}: skipped: {e}", self.key);
                }
                let new_events = fb.len() + fb.gaps.len();
                let mut replayed = 0u64;
                for line in fb.lines() {
                    if last_read.is_some_and(|p| {
                        p.file_id == line.checkpoint.file_id && line.checkpoint.offset <= p.offset
                    }) {
                        replayed += 1;
                        continue;
                    }
                    last_read = Some(line.checkpoint);
                    if self.filter.might_match(line.bytes)
                        && !excluded_target(line.bytes, &self.exclude_targets)
                    {
                        let at = Checkpoint {
                            file_id: line.checkpoint.file_id,
                            offset: line
                                .checkpoint
                                .offset
                                .saturating_sub(line.bytes.len() as u64 + 1),
                        };
                        batch.push(line.bytes, at);
                        oldest.get_or_insert_with(Instant::now);
                    }
                    batch.set_checkpoint(line.checkpoint);
                    if batch.len() >= self.batch_records {
                        full.push(std::mem::replace(&mut batch, Batch::new(self.key.clone())));
                        oldest = None;
                    }
                }
                if replayed > 0 {
                    eprintln!(
                        "WARN logger ship: {}: {replayed} lines handed out again by the reader, skipped",
                        self.key
                    );
                }
                if let Some(cp) = fb.checkpoint() {
                    if !last_read.is_some_and(|p| p.file_id == cp.file_id && cp.offset < p.offset) {
                        batch.set_checkpoint(cp);
                    }
                }
                let pending_checkpoint =
                    batch.checkpoint().is_some() && batch.checkpoint() != delivered.as_ref();
                let due = pending_checkpoint
                    && (stopping
                        || batch.len() >= self.batch_records
                        || oldest.is_some_and(|t| t.elapsed() >= self.batch_timeout)
                        || (batch.is_empty() && new_events == 0));
                if due {
                    full.push(std::mem::replace(&mut batch, Batch::new(self.key.clone())));
                    oldest = None;
                }
                for b in full {
                    match self.deliver(&b) {
                        Ok(()) => {
                            self.succeeded();
                            delivered = b.checkpoint().copied().or(delivered);
                            if let Some(t) = (0..b.len()).rev().find_map(|i| line_time(b.line(i))) {
                                last_sent_time = Some(t);
                            }
                        }
                        Err(e) if e.is_retryable() => {
                            if self.failed(&e, stop) {
                                return Ok(());
                            }
                            continue 'restart;
                        }
                        Err(e) => {
                            self.metrics
                                .state()
                                .set(DestinationState::Failed, e.reason());
                            return Err(e);
                        }
                    }
                }
                let behind = source.lag_bytes(delivered.as_ref());
                let lag_s = if behind == 0 {
                    0.0
                } else {
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64());
                    last_sent_time.map_or(0.0, |t| now - t)
                };
                self.metrics.set_lag(behind, lag_s);
                if stopping {
                    return Ok(());
                }
                if new_events == 0 {
                    if let Err(e) = self.dest.idle() {
                        if !e.is_retryable() {
                            return Err(e);
                        }
                        if self.failed(&e, stop) {
                            return Ok(());
                        }
                        continue 'restart;
                    }
                    if sleep_unless(stop, self.poll) {
                        continue;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_client_targets_are_excluded_and_others_kept() {
        let ex = vec!["tokio_postgres".to_owned(), "postgres".to_owned()];
        let line = |t: &str| {
            format!(
                r#"{{"ts":"2026-11-29T10:00:00Z","level":"TRACE","kind":"log","target":"{t}","msg":"m"}}"#
            )
        };
        assert!(excluded_target(
            line("tokio_postgres::connection").as_bytes(),
            &ex
        ));
        assert!(excluded_target(line("postgres").as_bytes(), &ex));
        assert!(!excluded_target(line("postgresql_app").as_bytes(), &ex));
        assert!(!excluded_target(line("execution::orders").as_bytes(), &ex));
        assert!(!excluded_target(b"not a record", &ex));
    }
}
