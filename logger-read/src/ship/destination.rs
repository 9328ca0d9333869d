//! The `Destination` trait every receiver implements, and the `Batch` it
//! is handed.

use std::any::Any;
use std::path::Path;
use std::sync::Arc;

use super::error::ShipError;
use crate::checkpoint::Checkpoint;

/// Names one followed source (a destination's files: a directory and a
/// stem), as stored next to its checkpoint: `<directory>/<stem>`, the
/// directory made absolute.
///
/// ```
/// use logger_read::ship::SourceKey;
/// let k = SourceKey::new("/var/log/app".as_ref(), "app");
/// assert_eq!(k.as_str(), "/var/log/app/app");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceKey(String);

impl SourceKey {
    /// The key of the files `<dir>/<stem>.log` and their rotated siblings.
    pub fn new(dir: &Path, stem: &str) -> Self {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        Self(format!("{}/{stem}", dir.display()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One record of a batch: where its line sits in the batch's buffer and
/// where it starts in its file.
#[derive(Clone, Debug)]
struct Slot {
    start: usize,
    end: usize,
    at: Checkpoint,
}

/// Complete lines of one source, in file order, the checkpoint after the
/// last of them (what a transactional destination stores with them), and
/// the checkpoint they follow (what it must find stored before them).
///
/// ```
/// use logger_read::checkpoint::Checkpoint;
/// use logger_read::ship::{Batch, SourceKey};
/// # fn demo(start: Checkpoint, end: Checkpoint) {
/// let mut b = Batch::new(SourceKey::new("/tmp".as_ref(), "app"));
/// b.set_previous(Some(start)); // where the batch handed over before it ended
/// b.push(br#"{"ts":"2026-11-29T10:00:00Z","level":"INFO"}"#, start);
/// b.set_checkpoint(end);
/// assert_eq!(b.len(), 1);
/// assert_eq!(b.previous(), Some(&start));
/// # }
/// ```
#[derive(Clone)]
pub struct Batch {
    source: SourceKey,
    buf: Vec<u8>,
    slots: Vec<Slot>,
    checkpoint: Option<Checkpoint>,
    previous: Option<Checkpoint>,
    encoding: Option<Encoding>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("source", &self.source)
            .field("lines", &self.slots.len())
            .field("bytes", &self.buf.len())
            .field("checkpoint", &self.checkpoint)
            .field("previous", &self.previous)
            .field("encoded", &self.encoding.is_some())
            .finish()
    }
}

/// A batch's lines as one destination sends them (decoded, encoded), made
/// by its [`Encoder`] and carried by the batch to `Destination::deliver`.
pub type Encoding = Arc<dyn Any + Send + Sync>;

/// The part of a destination's work that needs no connection: decoding
/// and encoding a batch. The shipper runs it on its reading thread, so
/// that it overlaps the delivery of the batch before.
pub trait Encoder: Send {
    /// The destination's encoding of `batch`'s lines.
    fn encode(&self, batch: &Batch) -> Encoding;
}

impl Batch {
    /// An empty batch of `source`.
    pub fn new(source: SourceKey) -> Self {
        Self {
            source,
            buf: Vec::new(),
            slots: Vec::new(),
            checkpoint: None,
            previous: None,
            encoding: None,
        }
    }

    /// The source the lines come from.
    pub fn source(&self) -> &SourceKey {
        &self.source
    }

    /// Appends a line (without its newline) that starts at `at`.
    pub fn push(&mut self, line: &[u8], at: Checkpoint) {
        self.encoding = None;
        let start = self.buf.len();
        self.buf.extend_from_slice(line);
        self.slots.push(Slot {
            start,
            end: self.buf.len(),
            at,
        });
    }

    /// Sets the checkpoint after the last line (the next line to read).
    pub fn set_checkpoint(&mut self, after: Checkpoint) {
        self.checkpoint = Some(after);
    }

    /// The checkpoint after the last line; `None` before `set_checkpoint`.
    pub fn checkpoint(&self) -> Option<&Checkpoint> {
        self.checkpoint.as_ref()
    }

    /// Sets the checkpoint the batch follows: the checkpoint of the batch
    /// handed over before it, or the one loaded when reading started
    /// (`None`: none was stored).
    pub fn set_previous(&mut self, previous: Option<Checkpoint>) {
        self.previous = previous;
    }

    /// The checkpoint the batch follows (see [`Batch::set_previous`]). A
    /// transactional destination stores the batch only if this is still
    /// the checkpoint it holds (`None`: it holds none), so that a batch
    /// read from a checkpoint that another transaction has moved on since
    /// (a killed shipper's `COMMIT` finishing late, a second shipper of
    /// the same source) is not stored twice.
    pub fn previous(&self) -> Option<&Checkpoint> {
        self.previous.as_ref()
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True without lines.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Bytes of all lines (without newlines).
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Line `i` (without newline).
    pub fn line(&self, i: usize) -> &[u8] {
        let s = &self.slots[i];
        &self.buf[s.start..s.end]
    }

    /// Where line `i` starts: its file and byte offset.
    pub fn position(&self, i: usize) -> &Checkpoint {
        &self.slots[i].at
    }

    /// Every line, in order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        self.slots.iter().map(|s| &self.buf[s.start..s.end])
    }

    /// Empties the batch (keeping its buffers) for reuse.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.slots.clear();
        self.checkpoint = None;
        self.previous = None;
        self.encoding = None;
    }

    /// Attaches `encoding`, made by the destination's [`Encoder`] from the
    /// lines the batch holds now (a later `push` drops it).
    pub fn set_encoding(&mut self, encoding: Encoding) {
        self.encoding = Some(encoding);
    }

    /// The attached encoding, if there is one of type `T`.
    pub fn encoding<T: Any>(&self) -> Option<&T> {
        self.encoding.as_deref().and_then(|e| e.downcast_ref())
    }
}

/// A record of a batch the receiver refused for good (not a transient
/// failure): it goes to the dead-letter file with `reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Index of the line in the batch.
    pub index: usize,
    /// Why, as the receiver said it.
    pub reason: String,
}

/// The outcome of a delivery that succeeded: every line of the batch was
/// stored except the `rejected` ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Lines refused for good, in batch order.
    pub rejected: Vec<Rejected>,
}

/// A receiver of records.
///
/// The shipper calls `load_checkpoint` when it starts and after every
/// failure, then `deliver` with batches in file order.
///
/// - A transactional destination (`stores_checkpoints() == true`, such as
///   PostgreSQL) stores the batch's checkpoint in the same transaction as
///   its rows, and only if the checkpoint it holds is still the batch's
///   [`Batch::previous`] (else it stores nothing and returns
///   `Unavailable`), so each record is stored exactly once;
///   `load_checkpoint` returns what it committed last.
/// - Any other destination returns `false`: the shipper saves the
///   checkpoint in a `FileCheckpointStore` after `deliver` returned `Ok`, so
///   a crash between the two sends that batch again (at least once).
///
/// `deliver` returns `Err(ShipError::Unavailable)` when the batch may not
/// have been stored (the shipper retries with backoff, after reloading the
/// checkpoint), and `Err(ShipError::Fatal)` when retrying cannot help.
pub trait Destination: Send {
    /// The destination's name in metrics, stderr lines and the dead-letter file.
    fn name(&self) -> &str;

    /// True when `deliver` stores the checkpoint with the records.
    fn stores_checkpoints(&self) -> bool {
        false
    }

    /// The destination's [`Encoder`], when it has work that needs no
    /// connection (the shipper then encodes batch n+1 while `deliver`
    /// sends batch n); `deliver` must also accept a batch without it.
    fn encoder(&self) -> Option<Box<dyn Encoder>> {
        None
    }

    /// The checkpoint stored for `source`, for a transactional destination.
    ///
    /// # Errors
    /// As `deliver`.
    fn load_checkpoint(&mut self, source: &SourceKey) -> Result<Option<Checkpoint>, ShipError> {
        let _ = source;
        Ok(None)
    }

    /// Stores the batch's lines (and, when transactional, its checkpoint).
    ///
    /// # Errors
    /// `Unavailable` to retry, `Fatal` to stop.
    fn deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError>;

    /// Connects and checks the configuration once (`logger ship --check`).
    ///
    /// # Errors
    /// What is wrong, naming the option or privilege.
    fn check(&mut self) -> Result<(), ShipError> {
        Ok(())
    }

    /// Called between batches and while idle: scheduled housekeeping (the
    /// PostgreSQL retention run).
    ///
    /// # Errors
    /// As `deliver`.
    fn idle(&mut self) -> Result<(), ShipError> {
        Ok(())
    }
}
