//! The shipper's view of one source: read-core's [`Follower`] of a
//! directory and stem, plus the lag in bytes (how much of the files lies
//! after the delivered checkpoint).

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
    lag: u64,
    lag_at: Option<Instant>,
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
            lag: 0,
            lag_at: None,
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

    /// Bytes of the files after `delivered` (recomputed at most once a
    /// second): the rest of its file and every later file (a gzip'ed file
    /// counts its compressed size; an active file's zero padding does not count).
    pub(crate) fn lag_bytes(&mut self, delivered: Option<&Checkpoint>) -> u64 {
        if self
            .lag_at
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return self.lag;
        }
        self.lag_at = Some(Instant::now());
        // Before the first delivery, from where the follower started (the
        // end of the files with `start = "end"`), not from their beginning.
        let from = delivered.copied().or_else(|| self.follower.checkpoint());
        self.lag = self.measure_lag(from.as_ref()).unwrap_or(self.lag);
        self.lag
    }

    fn measure_lag(&self, delivered: Option<&Checkpoint>) -> Option<u64> {
        let dest = files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        let (mut all, mut after_cp) = (0u64, 0u64);
        let mut found = false;
        for f in &dest.files {
            let len = content_len(&f.path, f.state == FileState::Active)?;
            all += len;
            if found {
                after_cp += len;
            } else if let Some(cp) = delivered {
                if FileId::of(f).ok().flatten() == Some(cp.file_id) {
                    after_cp += len.saturating_sub(cp.offset);
                    found = true;
                }
            }
        }
        // The checkpoint's file gone (deleted before it was read to its
        // end), or no checkpoint: every file is still to be shipped.
        Some(if found { after_cp } else { all })
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
