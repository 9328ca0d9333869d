//! The shipping loop of one source into one destination:
//! follow -> filter -> batch (by count or age) -> encode -> deliver -> checkpoint.
//!
//! Two threads, neither of them the application's (the files are the
//! buffer): a reading thread follows the files, filters, batches and runs
//! the destination's [`Encoder`](super::destination::Encoder); the
//! shipper's own thread delivers. A channel of one batch between them lets
//! batch n+1 be read and encoded while batch n is delivered (for
//! PostgreSQL: while the server loads it), and batches are still delivered
//! one at a time, in file order.
//!
//! On a failed delivery the reading thread is stopped and its batches
//! dropped; the destination moves to `degraded` (then `failed` after the
//! quick retries), the shipper sleeps the backoff, and starts again from
//! the checkpoint the destination (or the checkpoint file) holds, so a
//! batch whose commit was cut by the failure is neither lost nor loaded
//! twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::backoff::Backoff;
use super::config::{ShipConfig, StartAt};
use super::dead_letter::DeadLetter;
use super::destination::{Batch, Destination, Encoder, SourceKey};
use super::error::ShipError;
use super::metrics::ShipMetrics;
use super::source::{Source, SourceSpec};
use super::state::DestinationState;
use super::stderr_lines::write_line;
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
    pipeline: bool,
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
    sleep_unless_any(&[stop], d)
}

/// Sleeps `d` in small steps; returns early (true) when one of `flags` is set.
fn sleep_unless_any(flags: &[&AtomicBool], d: Duration) -> bool {
    let end = Instant::now() + d;
    loop {
        if flags.iter().any(|f| f.load(Ordering::Relaxed)) {
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
            pipeline: config.pipeline,
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
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let result = self
                .load_checkpoint()
                .and_then(|cp| self.run_from(cp, stop));
            match result {
                Ok(()) => return Ok(()),
                Err(e) if e.is_retryable() => {
                    if self.failed(&e, stop) {
                        return Ok(());
                    }
                }
                Err(e) => {
                    self.metrics
                        .state()
                        .set(DestinationState::Failed, e.reason());
                    return Err(e);
                }
            }
        }
    }

    /// One run from checkpoint `cp`: a reading thread feeds this one, which
    /// delivers, until `stop` (`Ok`) or the first failed delivery (`Err`).
    fn run_from(&mut self, cp: Option<Checkpoint>, stop: &AtomicBool) -> Result<(), ShipError> {
        let (tx, rx) = sync_channel(1);
        let abort = AtomicBool::new(false);
        let delivered = Progress::new();
        let reader = Reader {
            spec: self.spec.clone(),
            key: self.key.clone(),
            name: self.dest.name().to_owned(),
            filter: self.filter.clone(),
            exclude_targets: self.exclude_targets.clone(),
            batch_records: self.batch_records,
            batch_timeout: self.batch_timeout,
            poll: self.poll,
            at_end: self.start == StartAt::End,
            metrics: Arc::clone(&self.metrics),
            encoder: self.dest.encoder().filter(|_| self.pipeline),
            take_turns: !self.pipeline,
            identities: self.identities.clone(),
            sent: 0,
            read: 0,
        };
        std::thread::scope(|s| {
            let (abort, delivered) = (&abort, &delivered);
            std::thread::Builder::new()
                .name("logger-ship-read".into())
                .spawn_scoped(s, move || reader.read(cp, &tx, delivered, stop, abort))
                .map_err(|e| {
                    ShipError::unavailable(
                        self.dest.name(),
                        format!("starting the reading thread: {e}"),
                    )
                })?;
            let r = self.deliver_all(&rx, delivered);
            // The reader, blocked on a full channel or between polls, sees
            // the flag or the closed channel and ends; the scope joins it.
            abort.store(true, Ordering::Relaxed);
            drop(rx);
            r
        })
    }

    /// Delivers what the reading thread sends, until it ends (`Ok`) or a
    /// delivery fails.
    fn deliver_all(&mut self, rx: &Receiver<Item>, delivered: &Progress) -> Result<(), ShipError> {
        for item in rx {
            match item {
                Item::Batch(b, read) => {
                    self.deliver(&b)?;
                    self.succeeded();
                    let newest = (0..b.len()).rev().find_map(|i| line_time(b.line(i)));
                    delivered.update(newest, read);
                }
                Item::Idle => self.dest.idle()?,
                Item::Fatal(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// What the reading thread hands to the delivering one.
enum Item {
    /// A batch to deliver, encoded when the destination has an encoder,
    /// and the bytes read in this run up to its checkpoint.
    Batch(Batch, u64),
    /// Nothing new in the files: time for the destination's housekeeping.
    Idle,
    /// The files cannot be read any more.
    Fatal(ShipError),
}

/// What has been delivered, for the reading thread's lag figures.
#[derive(Clone, Copy)]
struct Delivered {
    /// The `ts` of the newest delivered record, in seconds since the epoch.
    newest_time: Option<f64>,
    /// Batches delivered in this run.
    batches: u64,
    /// Bytes of the files (lines and their newlines) read in this run up
    /// to the delivered checkpoint.
    bytes: u64,
}

/// [`Delivered`], shared by the two threads of a run.
struct Progress {
    state: Mutex<Delivered>,
    changed: Condvar,
}

impl Progress {
    fn new() -> Self {
        Self {
            state: Mutex::new(Delivered {
                newest_time: None,
                batches: 0,
                bytes: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn get(&self) -> Delivered {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One more batch delivered: `bytes` read in this run up to its
    /// checkpoint, its newest record at `newest`.
    fn update(&self, newest: Option<f64>, bytes: u64) {
        let mut d = self.state.lock().unwrap_or_else(|p| p.into_inner());
        d.newest_time = newest.or(d.newest_time);
        d.batches += 1;
        d.bytes = bytes;
        self.changed.notify_all();
    }

    /// Waits until `batches` batches are delivered or `abort` is set.
    fn wait_for(&self, batches: u64, abort: &AtomicBool) {
        let mut d = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while d.batches < batches && !abort.load(Ordering::Relaxed) {
            d = self
                .changed
                .wait_timeout(d, Duration::from_millis(10))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// The reading side of a shipper: follow, filter, batch, encode.
struct Reader {
    spec: SourceSpec,
    key: SourceKey,
    name: String,
    filter: Prefilter,
    exclude_targets: Vec<String>,
    batch_records: usize,
    batch_timeout: Duration,
    poll: Duration,
    at_end: bool,
    metrics: Arc<ShipMetrics>,
    encoder: Option<Box<dyn Encoder>>,
    /// Wait for each batch to be delivered before reading on
    /// (`ShipConfig::pipeline == false`).
    take_turns: bool,
    /// The age identities that open encrypted rotated files, if any.
    identities: Option<Identities>,
    /// Batches handed over in this run.
    sent: u64,
    /// Bytes of the files (lines and their newlines) read in this run.
    read: u64,
}

impl Reader {
    /// Takes `batch` (leaving an empty one) to hand it over after
    /// `queued`, the checkpoint of the batch handed over before it (or the
    /// one reading started from): that becomes the batch's
    /// [`Batch::previous`], and its checkpoint the new `queued`.
    fn take(&self, batch: &mut Batch, queued: &mut Option<Checkpoint>) -> Batch {
        let mut full = std::mem::replace(batch, Batch::new(self.key.clone()));
        full.set_previous(*queued);
        *queued = full.checkpoint().copied().or(*queued);
        full
    }

    /// Hands `batch` to the delivering thread (waiting while it is busy
    /// with the one before); false when that thread has stopped.
    fn send(
        &mut self,
        tx: &SyncSender<Item>,
        mut batch: Batch,
        progress: &Progress,
        abort: &AtomicBool,
    ) -> bool {
        if let Some(e) = &self.encoder {
            let encoding = e.encode(&batch);
            batch.set_encoding(encoding);
        }
        if tx.send(Item::Batch(batch, self.read)).is_err() {
            return false;
        }
        self.sent += 1;
        if self.take_turns {
            progress.wait_for(self.sent, abort);
        }
        true
    }

    /// `Fatal` when the source's files are in another format than the
    /// standard JSON lines (see [`crate::sniff`]).
    fn foreign_source(&self) -> Option<ShipError> {
        let dest = crate::files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        let format = crate::sniff::foreign_format(&dest)?;
        let outcome = "not shipped (take its stem out of `stems`)";
        let msg = crate::sniff::describe(&dest.dir, &dest.stem, dest.files.len(), &format, outcome);
        Some(ShipError::fatal(&self.name, msg))
    }

    /// Reads from `cp` until `stop` (after sending what it read) or `abort`.
    fn read(
        mut self,
        cp: Option<Checkpoint>,
        tx: &SyncSender<Item>,
        delivered: &Progress,
        stop: &AtomicBool,
        abort: &AtomicBool,
    ) {
        let mut source = Source::open(&self.spec, cp, self.at_end, self.poll, self.batch_records)
            .with_identities(self.identities.take());
        // The checkpoint of the last batch handed over.
        let mut queued = cp;
        // The position of the last line taken: a line at or before it
        // in the same file (a reader that handed it out twice) is skipped.
        let mut last_read = cp;
        let mut batch = Batch::new(self.key.clone());
        let mut oldest: Option<Instant> = None;
        let mut judged = false;
        loop {
            if abort.load(Ordering::Relaxed) {
                return;
            }
            let stopping = stop.load(Ordering::Relaxed);
            let fb = match source.poll() {
                Ok(fb) => fb,
                Err(e) => {
                    let _ = tx.send(Item::Fatal(ShipError::fatal(&self.name, e)));
                    return;
                }
            };
            for g in &fb.gaps {
                self.metrics.add_gap();
                let path = g
                    .path
                    .as_ref()
                    .map_or_else(|| "a file".to_owned(), |p| p.display().to_string());
                write_line(&format!(
                    "WARN logger ship: {}: {path} (file {}) was deleted before it was fully shipped (read up to byte {}); its unread records are lost",
                    self.key, g.file_id, g.offset
                ));
            }
            for e in &fb.errors {
                write_line(&format!("WARN logger ship: {}: skipped: {e}", self.key));
            }
            if !judged && !fb.is_empty() {
                // The first lines: a source written in another format is
                // refused once, naming it, rather than shipped line by line.
                judged = true;
                if let Some(e) = self.foreign_source() {
                    let _ = tx.send(Item::Fatal(e));
                    return;
                }
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
                self.read += line.bytes.len() as u64 + 1;
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
                    let full = self.take(&mut batch, &mut queued);
                    oldest = None;
                    if !self.send(tx, full, delivered, abort) {
                        return;
                    }
                }
            }
            if replayed > 0 {
                write_line(&format!(
                    "WARN logger ship: {}: {replayed} lines handed out again by the reader, skipped",
                    self.key
                ));
            }
            if let Some(cp) = fb.checkpoint() {
                if !last_read.is_some_and(|p| p.file_id == cp.file_id && cp.offset < p.offset) {
                    batch.set_checkpoint(cp);
                }
            }
            let pending_checkpoint =
                batch.checkpoint().is_some() && batch.checkpoint() != queued.as_ref();
            let due = pending_checkpoint
                && (stopping
                    || batch.len() >= self.batch_records
                    || oldest.is_some_and(|t| t.elapsed() >= self.batch_timeout)
                    || (batch.is_empty() && new_events == 0));
            if due {
                let full = self.take(&mut batch, &mut queued);
                oldest = None;
                if !self.send(tx, full, delivered, abort) {
                    return;
                }
            }
            if stopping {
                // The last figures are the final ones: wait until the
                // delivering thread has committed what was sent (or the
                // run aborts), so the lag printed at exit is not that of
                // a batch still in flight.
                delivered.wait_for(self.sent, abort);
                self.report_lag(&mut source, delivered);
                return;
            }
            self.report_lag(&mut source, delivered);
            if new_events == 0 {
                match tx.try_send(Item::Idle) {
                    Ok(()) | Err(TrySendError::Full(_)) => {}
                    Err(TrySendError::Disconnected(_)) => return,
                }
                if sleep_unless_any(&[stop, abort], self.poll) {
                    continue;
                }
            }
        }
    }

    /// Sets the metrics' lag from what has been delivered so far: the
    /// bytes read but not delivered yet, plus the bytes not read yet, all
    /// in bytes of plain (uncompressed) content.
    fn report_lag(&self, source: &mut Source, delivered: &Progress) {
        let d = delivered.get();
        let behind = self.read.saturating_sub(d.bytes) + source.unread_bytes(self.read);
        let lag_s = if behind == 0 {
            0.0
        } else {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            d.newest_time.map_or(0.0, |t| now - t)
        };
        self.metrics.set_lag(behind, lag_s);
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
