//! [`Merge`]: the lines of several destinations in `ts` order.
//!
//! Each source is one destination's files read one after the other (oldest
//! first). Sources are merged side by side by `ts`; lines of one source keep
//! their order, and lines with equal `ts` come in source order. A line
//! without a readable `ts` keeps its place in its source (it takes the `ts`
//! of the line before it). Optionally a line byte-identical to one already
//! emitted from another source with the same `ts` is dropped: a trade record
//! is written to both `app.log` and `trades.log`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::path::PathBuf;

use crate::decrypt::{self, Identities};
use crate::error::ReadError;
use crate::files::{Destination, LogFile};
use crate::filter::Prefilter;
use crate::lines::{Line, LineReader, ReaderOptions, SkipCounts, Tail};
use crate::record::{RecordView, fast_ts};
use crate::timestamp::Timestamp;

/// One destination's files, read in order.
struct Source {
    files: Vec<LogFile>,
    /// Index in `files` of the file being read.
    index: usize,
    reader: Option<LineReader>,
    last_ts: Timestamp,
}

/// A line handed out by [`Merge::next_line`].
#[derive(Debug)]
pub struct MergedLine<'a> {
    /// Index of its destination in the list given to [`Merge::new`].
    pub source: usize,
    /// The file it is in.
    pub file: &'a LogFile,
    /// The line, its offsets and number in that file.
    pub line: Line<'a>,
    /// Its `ts` (or the previous line's, for a line without one).
    pub ts: Timestamp,
}

/// The lines of several destinations merged by `ts`. See the module docs.
///
/// # Examples
///
/// ```no_run
/// use logger_read::{discover, Level, Merge, Prefilter};
/// let dests = discover(&["logs/a".into(), "logs/b".into()]).unwrap();
/// let mut m = Merge::new(dests)
///     .dedup(true)
///     .prefilter(Prefilter::new().min_level(Level::Error));
/// while let Some(item) = m.next_line() {
///     match item {
///         Ok(l) => println!("{}", String::from_utf8_lossy(l.line.bytes)),
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// for (path, tail) in m.tails() {
///     eprintln!("{}: {} bytes of a cut line", path.display(), tail.partial_bytes);
/// }
/// ```
pub struct Merge {
    sources: Vec<Source>,
    heap: BinaryHeap<Reverse<(Timestamp, usize)>>,
    started: bool,
    /// The source whose current line was handed out last; it moves on at
    /// the next call.
    emitted: Option<usize>,
    errors: VecDeque<ReadError>,
    dedup: bool,
    /// Lines emitted with `recent_ts`, with their source, for `dedup`.
    recent: Vec<(usize, Vec<u8>)>,
    recent_ts: Timestamp,
    duplicates: u64,
    prefilter: Prefilter,
    opts: ReaderOptions,
    identities: Option<Identities>,
    tails: Vec<(PathBuf, Tail)>,
    skipped: SkipCounts,
}

impl Merge {
    /// Merges `destinations` (each one source).
    pub fn new(destinations: Vec<Destination>) -> Merge {
        Merge {
            sources: destinations
                .into_iter()
                .map(|d| Source {
                    files: d.files,
                    index: 0,
                    reader: None,
                    last_ts: Timestamp::default(),
                })
                .collect(),
            heap: BinaryHeap::new(),
            started: false,
            emitted: None,
            errors: VecDeque::new(),
            dedup: false,
            recent: Vec::new(),
            recent_ts: Timestamp::default(),
            duplicates: 0,
            prefilter: Prefilter::new(),
            opts: ReaderOptions::default(),
            identities: None,
            tails: Vec::new(),
            skipped: SkipCounts::default(),
        }
    }

    /// Drops a line byte-identical to one already emitted from another
    /// source with the same `ts` (default: off).
    pub fn dedup(mut self, on: bool) -> Self {
        self.dedup = on;
        self
    }

    /// Skips lines that `filter` rejects by its byte scan
    /// ([`Prefilter::might_match`]) before their `ts` is read. Lines it cannot
    /// judge are handed out; check them with [`Prefilter::matches_view`].
    pub fn prefilter(mut self, filter: Prefilter) -> Self {
        self.prefilter = filter;
        self
    }

    /// How files are read (block size, line cap).
    pub fn reader_options(mut self, opts: ReaderOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Decrypts encrypted rotated files (`.log.age`, `.log.gz.age`) with
    /// `keys`, so that they merge in time order with the plain files.
    /// Without keys (the default) each encrypted file is an
    /// [`crate::ErrorKind::Encrypted`] error naming it, and the other files
    /// are read.
    pub fn identities(mut self, keys: Option<Identities>) -> Self {
        self.identities = keys;
        self
    }

    /// Lines dropped as duplicates so far.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The tails (bytes after the last newline) of the files read so far.
    pub fn tails(&self) -> &[(PathBuf, Tail)] {
        &self.tails
    }

    /// NUL bytes, cut lines and over-long lines skipped so far, over all files.
    pub fn skipped(&self) -> SkipCounts {
        let mut s = self.skipped;
        for r in self.sources.iter().filter_map(|s| s.reader.as_ref()) {
            let k = r.skipped();
            s.nul_bytes += k.nul_bytes;
            s.cut_lines += k.cut_lines;
            s.too_long += k.too_long;
        }
        s
    }

    /// The next line in `ts` order, an error met on the way (reading goes
    /// on after it), or `None` when every source is done.
    pub fn next_line(&mut self) -> Option<Result<MergedLine<'_>, ReadError>> {
        if !self.started {
            self.started = true;
            for i in 0..self.sources.len() {
                self.advance(i);
            }
        }
        loop {
            if let Some(i) = self.emitted.take() {
                self.advance(i);
            }
            if let Some(e) = self.errors.pop_front() {
                return Some(Err(e));
            }
            let Reverse((ts, i)) = self.heap.pop()?;
            if self.dedup && self.is_duplicate(ts, i) {
                self.duplicates += 1;
                self.advance(i);
                continue;
            }
            self.emitted = Some(i);
            let src = &self.sources[i];
            let line = src.reader.as_ref()?.last_line()?;
            return Some(Ok(MergedLine {
                source: i,
                file: &src.files[src.index],
                line,
                ts,
            }));
        }
    }

    /// Whether source `i`'s current line was emitted from another source
    /// with the same `ts`; remembers it otherwise.
    fn is_duplicate(&mut self, ts: Timestamp, i: usize) -> bool {
        let Some(bytes) = self.sources[i].reader.as_ref().and_then(|r| r.last_line()) else {
            return false;
        };
        let bytes = bytes.bytes;
        if ts != self.recent_ts {
            self.recent.clear();
            self.recent_ts = ts;
        }
        if self.recent.iter().any(|(s, b)| *s != i && b == bytes) {
            return true;
        }
        self.recent.push((i, bytes.to_vec()));
        false
    }

    /// Moves source `i` to its next line (accepted by the prefilter) and
    /// queues it; queues errors met on the way.
    fn advance(&mut self, i: usize) {
        let src = &mut self.sources[i];
        loop {
            if src.reader.is_none() {
                let Some(file) = src.files.get(src.index) else {
                    return;
                };
                match decrypt::open_at(file, 0, self.identities.as_ref(), self.opts) {
                    Ok(r) => src.reader = Some(r),
                    Err(e) => {
                        self.errors.push_back(e);
                        src.index += 1;
                        continue;
                    }
                }
            }
            let Some(reader) = src.reader.as_mut() else {
                return;
            };
            match reader.next_line() {
                Some(Ok(line)) => {
                    if !self.prefilter.is_empty() && !self.prefilter.might_match(line.bytes) {
                        continue;
                    }
                    let ts = fast_ts(line.bytes)
                        .map(|(t, _)| t)
                        .or_else(|| RecordView::parse(line.bytes).ok().map(|r| r.ts()))
                        .unwrap_or(src.last_ts);
                    src.last_ts = ts;
                    self.heap.push(Reverse((ts, i)));
                    return;
                }
                Some(Err(e)) => self.errors.push_back(e),
                None => {
                    if let Some(t) = reader.tail() {
                        self.tails.push((reader.path().to_path_buf(), t));
                    }
                    let k = reader.skipped();
                    self.skipped.nul_bytes += k.nul_bytes;
                    self.skipped.cut_lines += k.cut_lines;
                    self.skipped.too_long += k.too_long;
                    src.reader = None;
                    src.index += 1;
                }
            }
        }
    }
}
