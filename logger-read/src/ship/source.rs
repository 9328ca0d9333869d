//! The shipper's view of one source: read-core's [`Follower`] of a
//! directory and stem, plus the bytes of the files it has not read yet
//! (the unread part of the shipper's lag).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::ShipError;
use crate::checkpoint::Checkpoint;
use crate::decrypt::Identities;
use crate::files::{self, FileState};
use crate::follow::{FollowBatch, Follower, Start};
use crate::identity::FileId;

/// One followed source: a directory and a file stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSpec {
    /// The directory of the files.
    pub dir: PathBuf,
    /// The stem (`app` for `app.log` and its rotated files).
    pub stem: String,
}

impl SourceSpec {
    /// The sources of `paths`: a directory gives one per stem in `stems`, a
    /// file the destination it belongs to.
    ///
    /// # Errors
    /// `Fatal` naming a path that is neither a directory nor a log file.
    pub fn from_paths(paths: &[PathBuf], stems: &[String]) -> Result<Vec<Self>, ShipError> {
        let mut v = Vec::new();
        for p in paths {
            if p.is_dir() {
                for s in stems {
                    v.push(Self {
                        dir: p.clone(),
                        stem: s.clone(),
                    });
                }
            } else if let Some((stem, _)) = p.is_file().then(|| files::parse_name(p)).flatten() {
                v.push(Self {
                    dir: p.parent().unwrap_or(Path::new(".")).to_owned(),
                    stem,
                });
            } else {
                return Err(ShipError::fatal(
                    "config",
                    format!(
                        "paths: {} is neither a directory nor a log file (<stem>.log)",
                        p.display()
                    ),
                ));
            }
        }
        Ok(v)
    }
}

/// The follower of one source.
pub(crate) struct Source {
    spec: SourceSpec,
    follower: Follower,
    at_end: bool,
    unread: u64,
    unread_at: Option<Instant>,
}

impl Source {
    /// Follows `spec` from `from` (else from the beginning, or the end).
    pub(crate) fn open(
        spec: &SourceSpec,
        from: Option<Checkpoint>,
        at_end: bool,
        poll: Duration,
        max_lines: usize,
    ) -> Self {
        let start = match from {
            Some(c) => Start::At(c),
            None if at_end => Start::End,
            None => Start::Beginning,
        };
        Self {
            spec: spec.clone(),
            follower: Follower::new(&spec.dir, &spec.stem)
                .start(start)
                .poll_interval(poll)
                .max_batch(max_lines, 16 << 20),
            at_end: from.is_none() && at_end,
            unread: 0,
            unread_at: None,
        }
    }

    /// Decrypts encrypted rotated files with `keys` (see
    /// [`Follower::identities`]).
    pub(crate) fn with_identities(mut self, keys: Option<Identities>) -> Self {
        self.follower = self.follower.identities(keys);
        self
    }

    /// What is there now, up to one batch, without waiting.
    pub(crate) fn poll(&mut self) -> Result<FollowBatch, String> {
        self.follower.poll().map_err(|e| e.to_string())
    }

    /// Bytes of the files after the follower's position (recomputed at
    /// most every 100 ms): the rest of its file and every later file (a
    /// gzip'ed file counts its compressed size; an active file's zero
    /// padding does not count). While the position's file cannot be found
    /// (renamed or compressed between two looks) the last figure stands.
    pub(crate) fn unread_bytes(&mut self) -> u64 {
        if self
            .unread_at
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return self.unread;
        }
        self.unread_at = Some(Instant::now());
        let measured = match self.follower.checkpoint() {
            Some(at) => self.measure_after(&at),
            // Not started yet: from the end there is nothing to read.
            None if self.at_end => Some(0),
            None => self.measure_all(),
        };
        self.unread = measured.unwrap_or(self.unread);
        self.unread
    }

    fn measure_all(&self) -> Option<u64> {
        let dest = files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        dest.files
            .iter()
            .map(|f| content_len(&f.path, f.state == FileState::Active))
            .sum()
    }

    fn measure_after(&self, at: &Checkpoint) -> Option<u64> {
        let dest = files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        let mut after = None::<u64>;
        for f in &dest.files {
            let len = content_len(&f.path, f.state == FileState::Active)?;
            match &mut after {
                Some(n) => *n += len,
                None if FileId::of(f).ok().flatten() == Some(at.file_id) => {
                    after = Some(len.saturating_sub(at.offset));
                }
                None => {}
            }
        }
        after
    }
}

/// A file's length without the zero padding at its end (active files only).
fn content_len(path: &Path, active: bool) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).ok()?;
    let mut len = f.metadata().ok()?.len();
    if !active {
        return Some(len);
    }
    let mut buf = vec![0u8; 64 << 10];
    while len > 0 {
        let n = (len as usize).min(buf.len());
        f.seek(SeekFrom::Start(len - n as u64)).ok()?;
        f.read_exact(&mut buf[..n]).ok()?;
        match buf[..n].iter().rposition(|&b| b != 0) {
            Some(p) => return Some(len - n as u64 + p as u64 + 1),
            None => len -= n as u64,
        }
    }
    Some(0)
}
