//! [`Follower`]: follows one destination from a [`Checkpoint`] across
//! rotation, compression and retention, by polling.
//!
//! Each [`Follower::poll`] lists the destination's files, identifies each by
//! its first line ([`FileId`]), finds the file of the current position by
//! identity (so a rename to a rotated name, a gzip, a reused inode or a new
//! `app.log` never confuse it), and reads complete lines from the position
//! on: to the end of a rotated file, then on into the next file; to the last
//! newline of the active file, where it waits for more. Every line comes
//! with the checkpoint after it. A line not yet complete is returned once
//! its newline is written. A file that disappears before it was read to its
//! end (retention deleted it, someone removed it) is reported as a [`Gap`]
//! and counted; reading goes on with the next file. A file is declared gone
//! only when two polls in a row cannot find it (a rotation racing with the
//! directory listing must not look like a loss).
//!
//! In the active file, a line holding NUL bytes may be a write in progress
//! seen half-way (the writer copies records into a shared mapping): the
//! follower stops before it and looks again at the next poll; only if it is
//! still there then is it reported as damage ([`ErrorKind::CutLine`]).

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::checkpoint::Checkpoint;
use crate::decrypt::{self, Identities};
use crate::error::{ErrorKind, ReadError};
use crate::files::{self, FileState, LogFile};
use crate::identity::FileId;
use crate::lines::{LineReader, ReaderOptions};

/// Default time between two looks at the files in [`Follower::next_batch`]: 50 ms.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Where a [`Follower`] starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The first line of the oldest file.
    Beginning,
    /// After the last complete line of the newest file at the first poll.
    End,
    /// A saved checkpoint.
    At(Checkpoint),
}

/// A file that disappeared before the follower read it to its end: its
/// lines after the position reached are lost to this consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The file.
    pub file_id: FileId,
    /// Where it was last seen, if this follower saw it (not when it started
    /// from a checkpoint of a file already gone).
    pub path: Option<PathBuf>,
    /// The offset read up to.
    pub offset: u64,
}

/// One line of a [`FollowBatch`].
#[derive(Clone, Copy, Debug)]
pub struct FollowedLine<'a> {
    /// The line, without its newline.
    pub bytes: &'a [u8],
    /// The checkpoint after this line: saving it means "this line is done".
    pub checkpoint: Checkpoint,
    /// The line's 1-based number in its file, counted from where this poll
    /// started reading the file.
    pub number: u64,
    /// The file it was read from.
    pub path: &'a Path,
}

struct Entry {
    start: usize,
    end: usize,
    number: u64,
    checkpoint: Checkpoint,
    path: usize,
}

/// What one poll found: lines (each with its checkpoint), gaps, and damage
/// met on the way (reading went on after it).
#[derive(Default)]
pub struct FollowBatch {
    data: Vec<u8>,
    lines: Vec<Entry>,
    paths: Vec<PathBuf>,
    /// Files lost before they were read to their end.
    pub gaps: Vec<Gap>,
    /// Damage skipped: cut lines, over-long lines, truncated gzip, files that
    /// could not be read. Each names the file and offset.
    pub errors: Vec<ReadError>,
    position: Option<Checkpoint>,
}

impl FollowBatch {
    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the batch holds no line, no gap and no error.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.gaps.is_empty() && self.errors.is_empty()
    }

    /// Line `i`.
    pub fn get(&self, i: usize) -> Option<FollowedLine<'_>> {
        let e = self.lines.get(i)?;
        Some(FollowedLine {
            bytes: &self.data[e.start..e.end],
            checkpoint: e.checkpoint,
            number: e.number,
            path: &self.paths[e.path],
        })
    }

    /// The lines, in file order.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = FollowedLine<'_>> + '_ {
        self.lines.iter().map(|e| FollowedLine {
            bytes: &self.data[e.start..e.end],
            checkpoint: e.checkpoint,
            number: e.number,
            path: &self.paths[e.path],
        })
    }

    /// Bytes of all lines (without newlines).
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// The follower's position after this batch: the last line's checkpoint,
    /// or further on (the start of the next file once a rotated file was read
    /// to its end, even without new lines). `None` before the first file has
    /// a complete line.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        self.position
    }

    fn push(&mut self, bytes: &[u8], number: u64, checkpoint: Checkpoint, path: &Path) {
        if self.paths.last().map(PathBuf::as_path) != Some(path) {
            self.paths.push(path.to_path_buf());
        }
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        self.lines.push(Entry {
            start,
            end: self.data.len(),
            number,
            checkpoint,
            path: self.paths.len() - 1,
        });
    }
}

#[derive(Clone, Debug)]
enum Pos {
    /// Not placed yet.
    Start(Start),
    /// In file `id` at `offset`; `path` where it was last seen (empty if unknown).
    In {
        id: FileId,
        offset: u64,
        path: PathBuf,
    },
    /// Done with file `id` (read to its end, or lost): next is the file after it.
    After { id: FileId },
}

/// How reading one file ended.
enum Outcome {
    /// The batch is full.
    Full,
    /// At the end of what the file holds now (or stopped before a line to
    /// look at again).
    End,
    /// The file is not there any more.
    Vanished,
}

/// Follows one destination. See the module docs.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use logger_read::{CheckpointStore, FileCheckpointStore};
/// use logger_read::follow::{Follower, Start};
///
/// let mut store = FileCheckpointStore::new("ship.checkpoint");
/// let start = store.load().unwrap().map_or(Start::Beginning, Start::At);
/// let mut f = Follower::new("logs", "app").start(start);
/// loop {
///     let batch = f.next_batch(Duration::from_secs(1)).unwrap();
///     for gap in &batch.gaps {
///         eprintln!("lost the rest of file {} ({:?})", gap.file_id, gap.path);
///     }
///     for line in batch.lines() {
///         println!("{}", String::from_utf8_lossy(line.bytes));
///     }
///     if let Some(cp) = batch.checkpoint() {
///         store.save(&cp).unwrap(); // after the lines are safely delivered
///     }
/// }
/// ```
pub struct Follower {
    dir: PathBuf,
    stem: String,
    pos: Pos,
    poll_interval: Duration,
    max_lines: usize,
    max_bytes: usize,
    opts: ReaderOptions,
    identities: Option<Identities>,
    /// Identities of rotated files (final), by path, with the inode and
    /// length they had.
    ids: HashMap<PathBuf, (u64, u64, FileId)>,
    gaps: u64,
    /// A line with NUL bytes in the active file, seen once: (file, offset).
    nul_wait: Option<(FileId, u64)>,
    /// The file of the position, not found at the last poll.
    missing: Option<FileId>,
    /// Files whose first line could not be read (reported once).
    unreadable: HashSet<PathBuf>,
    /// Whether the last listing was taken while no file was renamed.
    stable: bool,
}

impl Follower {
    /// A follower of destination `stem` (`app` for `app.log`) in `dir`,
    /// starting at the beginning.
    pub fn new(dir: impl Into<PathBuf>, stem: impl Into<String>) -> Follower {
        Follower {
            dir: dir.into(),
            stem: stem.into(),
            pos: Pos::Start(Start::Beginning),
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_lines: 10_000,
            max_bytes: 4 << 20,
            opts: ReaderOptions::default(),
            identities: None,
            ids: HashMap::new(),
            gaps: 0,
            nul_wait: None,
            missing: None,
            unreadable: HashSet::new(),
            stable: false,
        }
    }

    /// Where to start (before the first poll).
    pub fn start(mut self, start: Start) -> Self {
        self.pos = Pos::Start(start);
        self
    }

    /// Time between two looks at the files in [`Follower::next_batch`]
    /// (default [`DEFAULT_POLL_INTERVAL`]).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Largest batch: at most `lines` lines and about `bytes` bytes
    /// (defaults 10,000 and 4 MiB; at least one line).
    pub fn max_batch(mut self, lines: usize, bytes: usize) -> Self {
        self.max_lines = lines.max(1);
        self.max_bytes = bytes.max(1);
        self
    }

    /// How files are read (block size, line cap).
    pub fn reader_options(mut self, opts: ReaderOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Decrypts encrypted rotated files (`.log.age`, `.log.gz.age`) with
    /// `keys`: a file encrypted before the follower read it to its end is
    /// read on from the same position, not lost. Without keys (the
    /// default), each encrypted file is reported once in
    /// [`FollowBatch::errors`] ([`ErrorKind::Encrypted`]) and skipped.
    pub fn identities(mut self, keys: Option<Identities>) -> Self {
        self.identities = keys;
        self
    }

    /// Files lost so far ([`Gap`]s reported).
    pub fn gaps(&self) -> u64 {
        self.gaps
    }

    /// The position: the checkpoint after the last line returned (or where
    /// reading will start). `None` before it is placed in a file.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        match &self.pos {
            Pos::In { id, offset, .. } => Some(Checkpoint {
                file_id: *id,
                offset: *offset,
            }),
            Pos::Start(Start::At(cp)) => Some(*cp),
            _ => None,
        }
    }

    /// Polls until a batch holds something (lines, a gap or an error) or
    /// `timeout` has passed; then returns it (possibly empty).
    ///
    /// # Errors
    ///
    /// As [`Follower::poll`].
    pub fn next_batch(&mut self, timeout: Duration) -> Result<FollowBatch, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            let batch = self.poll()?;
            let now = Instant::now();
            if !batch.is_empty() || now >= deadline {
                return Ok(batch);
            }
            std::thread::sleep(self.poll_interval.min(deadline - now));
        }
    }

    /// Reads what is there now, without waiting: up to one batch.
    ///
    /// # Errors
    ///
    /// The directory cannot be listed, or a file cannot be read for another
    /// reason than having disappeared (then the position is unchanged and a
    /// later poll tries again). Damage inside files is not an error of the
    /// poll: it is in [`FollowBatch::errors`].
    pub fn poll(&mut self) -> Result<FollowBatch, ReadError> {
        let mut batch = FollowBatch::default();
        let mut files = self.list(&mut batch.errors)?;
        let mut relisted = false;
        if let Pos::Start(start) = self.pos {
            // The first or last file of a listing that kept changing may be
            // the wrong one; a checkpoint names its file.
            if self.stable || matches!(start, Start::At(_)) {
                self.place(start, &files)?;
            }
        }
        loop {
            match self.pos.clone() {
                Pos::Start(_) => break,
                Pos::After { .. } if !self.stable => break,
                Pos::After { id } => match next_after(&files, &id) {
                    Some((f, nid)) => {
                        self.pos = Pos::In {
                            id: nid,
                            offset: 0,
                            path: f.path.clone(),
                        }
                    }
                    None => break,
                },
                Pos::In { id, offset, path } => {
                    let Some(i) = files.iter().position(|(_, fid)| *fid == id) else {
                        if !relisted {
                            // Perhaps renamed between the listing and now.
                            relisted = true;
                            files = self.list(&mut batch.errors)?;
                            continue;
                        }
                        if !self.stable {
                            break;
                        }
                        if self.missing != Some(id) {
                            // A rename racing with two listings in a row
                            // (fast rotation): a gap only if the file is
                            // still missing at the next poll.
                            self.missing = Some(id);
                            break;
                        }
                        self.missing = None;
                        self.gaps += 1;
                        batch.gaps.push(Gap {
                            file_id: id,
                            path: (!path.as_os_str().is_empty()).then_some(path),
                            offset,
                        });
                        self.pos = Pos::After { id };
                        continue;
                    };
                    self.missing = None;
                    let file = files[i].0.clone();
                    match self.read_file(&file, id, offset, &mut batch)? {
                        Outcome::Full => break,
                        Outcome::Vanished if !relisted => {
                            relisted = true;
                            files = self.list(&mut batch.errors)?;
                        }
                        Outcome::Vanished => files.retain(|(_, fid)| *fid != id),
                        Outcome::End if file.state == FileState::Rotated && !self.stable => break,
                        Outcome::End if file.state == FileState::Rotated => {
                            match files.get(i + 1) {
                                Some((next, nid)) => {
                                    self.pos = Pos::In {
                                        id: *nid,
                                        offset: 0,
                                        path: next.path.clone(),
                                    }
                                }
                                None => break,
                            }
                        }
                        Outcome::End => break,
                    }
                }
            }
        }
        batch.position = self.checkpoint();
        Ok(batch)
    }

    /// Places an unplaced follower.
    fn place(&mut self, start: Start, files: &[(LogFile, FileId)]) -> Result<(), ReadError> {
        self.pos = match start {
            Start::At(cp) => Pos::In {
                id: cp.file_id,
                offset: cp.offset,
                path: PathBuf::new(),
            },
            Start::Beginning => match files.first() {
                Some((f, id)) => Pos::In {
                    id: *id,
                    offset: 0,
                    path: f.path.clone(),
                },
                None => return Ok(()),
            },
            // Everything that appears later is new: read it all.
            Start::End if files.is_empty() => Pos::Start(Start::Beginning),
            Start::End => match files.last() {
                Some((f, id)) => {
                    let mut r = decrypt::open_at(f, 0, self.identities.as_ref(), self.opts)?;
                    while r.next_line().is_some() {}
                    Pos::In {
                        id: *id,
                        offset: r.resume_offset(),
                        path: f.path.clone(),
                    }
                }
                None => return Ok(()),
            },
        };
        Ok(())
    }

    /// Reads `file` (identity `id`) from `offset` into `batch`, moving the
    /// position line by line.
    fn read_file(
        &mut self,
        file: &LogFile,
        id: FileId,
        offset: u64,
        batch: &mut FollowBatch,
    ) -> Result<Outcome, ReadError> {
        let opened = if file.encrypted {
            // Final and identified by its content: no check needed.
            decrypt::open_at(file, offset, self.identities.as_ref(), self.opts)
        } else {
            LineReader::open_checked(file, offset, self.opts, Some(id))
        };
        let mut r = match opened {
            Ok(r) => r,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Replaced) => {
                return Ok(Outcome::Vanished);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::BadOffset { .. } | ErrorKind::Gzip(_) | ErrorKind::Decrypt(_)
                ) =>
            {
                // Not the file the checkpoint was taken in, a corrupt
                // gzip, or a file the keys do not open: report it and go
                // on with the next file.
                batch.errors.push(e);
                self.pos = Pos::After { id };
                return Ok(Outcome::End);
            }
            Err(e) => return Err(e),
        };
        let active = file.state == FileState::Active;
        let set = |pos: &mut Pos, offset: u64| {
            *pos = Pos::In {
                id,
                offset,
                path: file.path.clone(),
            }
        };
        set(&mut self.pos, offset);
        let mut nul_bytes = 0;
        let mut last_ok = offset;
        loop {
            if batch.len() >= self.max_lines || batch.bytes() >= self.max_bytes {
                return Ok(Outcome::Full);
            }
            let item = r.next_line().map(|x| x.map(|_| ()));
            let seen_nul = r.skipped().nul_bytes != nul_bytes;
            nul_bytes = r.skipped().nul_bytes;
            let seen_nul_before = seen_nul && active;
            match item {
                None => break,
                Some(Ok(())) => {
                    let Some(line) = r.last_line() else { break };
                    if seen_nul_before && self.nul_wait != Some((id, last_ok)) {
                        self.nul_wait = Some((id, last_ok));
                        return Ok(Outcome::End);
                    }
                    let cp = Checkpoint {
                        file_id: id,
                        offset: line.next,
                    };
                    batch.push(line.bytes, line.number, cp, &file.path);
                    last_ok = line.next;
                    set(&mut self.pos, line.next);
                }
                Some(Err(e)) => {
                    let cut = matches!(e.kind(), ErrorKind::CutLine { .. });
                    if cut && active && self.nul_wait != Some((id, last_ok)) {
                        self.nul_wait = Some((id, last_ok));
                        return Ok(Outcome::End);
                    }
                    let fatal = r.is_done();
                    batch.errors.push(e);
                    if fatal {
                        // A read error (truncated gzip): nothing more to get here.
                        if active {
                            return Ok(Outcome::End);
                        }
                        self.pos = Pos::After { id };
                        return Ok(Outcome::End);
                    }
                }
            }
        }
        // Past skipped damage, up to the last newline.
        set(&mut self.pos, r.resume_offset());
        if !active {
            if let Some(t) = r.tail().filter(|t| t.partial_bytes > 0) {
                batch.errors.push(
                    ReadError::new(
                        ErrorKind::CutLine {
                            bytes: t.partial_bytes,
                        },
                        &file.path,
                    )
                    .at_offset(t.offset),
                );
            }
        }
        Ok(Outcome::End)
    }

    /// The destination's files that have a first line, with their identity,
    /// oldest first, each identity once.
    fn list(&mut self, errors: &mut Vec<ReadError>) -> Result<Vec<(LogFile, FileId)>, ReadError> {
        self.stable = true;
        // A rotation between the listing and the reading of first lines
        // could hide a file (listed as `app.log`, identified as the next
        // one): the listing counts only if the names did not change while
        // the files were identified.
        let mut listed = files::list_unordered(&self.dir, &self.stem)?;
        for _ in 0..10 {
            let mut errs = Vec::new();
            let out = self.identify(&listed, &mut errs);
            let again = files::list_unordered(&self.dir, &self.stem)?;
            if again == listed {
                errors.append(&mut errs);
                return Ok(out);
            }
            listed = again;
        }
        // Still changing: good enough to read on in the current file, not
        // to decide which file comes next.
        self.stable = false;
        Ok(self.identify(&listed, errors))
    }

    /// The identities of `files` (those with a first line), each once.
    fn identify(
        &mut self,
        files: &[LogFile],
        errors: &mut Vec<ReadError>,
    ) -> Vec<(LogFile, FileId)> {
        let mut out: Vec<(LogFile, FileId)> = Vec::with_capacity(files.len());
        let mut keep = HashMap::new();
        for f in files {
            if f.encrypted && self.identities.is_none() {
                if self.unreadable.insert(f.path.clone()) {
                    errors.push(ReadError::new(ErrorKind::Encrypted, &f.path));
                }
                continue;
            }
            let Ok(meta) = std::fs::metadata(&f.path) else {
                continue;
            };
            let key = (meta.ino(), meta.len());
            let cached = self
                .ids
                .get(&f.path)
                .filter(|(ino, len, _)| (*ino, *len) == key)
                .map(|c| c.2);
            let id = match cached {
                Some(id) => id,
                None => match FileId::of_decrypted(f, self.identities.as_ref()) {
                    Ok(Some(id)) => id,
                    Ok(None) => continue,
                    Err(e) if matches!(e.kind(), ErrorKind::NotFound) => continue,
                    Err(e) => {
                        // Reported once per file, not at every poll.
                        if self.unreadable.insert(f.path.clone()) {
                            errors.push(e);
                        }
                        continue;
                    }
                },
            };
            if f.state == FileState::Rotated {
                keep.insert(f.path.clone(), (key.0, key.1, id));
            }
            if !out.iter().any(|(_, o)| *o == id) {
                out.push((f.clone(), id));
            }
        }
        self.ids = keep;
        // Ordered as `files::order_files` orders them, with the first
        // line's `ts` known for every file.
        out.sort_by(|(a, ia), (b, ib)| {
            files::order_key(a, Some(ia.first_ts())).cmp(&files::order_key(b, Some(ib.first_ts())))
        });
        out
    }
}

/// The file after `id`: the next in the list if `id` is listed, else the
/// first whose first line is later than `id`'s.
fn next_after<'a>(files: &'a [(LogFile, FileId)], id: &FileId) -> Option<(&'a LogFile, FileId)> {
    match files.iter().position(|(_, f)| f == id) {
        Some(i) => files.get(i + 1),
        None => files.iter().find(|(_, f)| f.first_ts() > id.first_ts()),
    }
    .map(|(f, id)| (f, *id))
}
