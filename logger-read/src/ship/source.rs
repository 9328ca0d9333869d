//! The shipper's view of one source: read-core's [`Follower`] of a
//! directory and stem, plus the bytes of plain content it has not read yet
//! (the unread part of the shipper's lag).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::content_len::ContentLens;
use super::error::ShipError;
use crate::checkpoint::Checkpoint;
use crate::decrypt::Identities;
use crate::files;
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
    read_at_measure: u64,
    lens: ContentLens,
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
            read_at_measure: 0,
            lens: ContentLens::default(),
        }
    }

    /// Decrypts encrypted rotated files with `keys` (see
    /// [`Follower::identities`]).
    pub(crate) fn with_identities(mut self, keys: Option<Identities>) -> Self {
        self.lens = ContentLens::new(keys.clone());
        self.follower = self.follower.identities(keys);
        self
    }

    /// What is there now, up to one batch, without waiting.
    pub(crate) fn poll(&mut self) -> Result<FollowBatch, String> {
        self.follower.poll().map_err(|e| e.to_string())
    }

    /// Bytes of plain content after the follower's position: the rest of
    /// its file and every later file, all counted uncompressed (a gzip'ed
    /// file by its trailer's length, see [`ContentLens`]; an active file's
    /// zero padding does not count), the unit of a checkpoint's offset.
    ///
    /// `read` is the caller's count of the bytes of the lines the follower
    /// handed out. The files are measured at most every 100 ms; in between,
    /// the figure is the last measurement minus what was read since, so it
    /// falls with every line read rather than by steps. While the
    /// position's file cannot be found (renamed or compressed between two
    /// looks) the last measurement stands.
    pub(crate) fn unread_bytes(&mut self, read: u64) -> u64 {
        if self
            .unread_at
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.measure(read);
        }
        self.unread
            .saturating_sub(read.saturating_sub(self.read_at_measure))
    }

    /// Measures the files now (see [`Self::unread_bytes`]).
    fn measure(&mut self, read: u64) {
        self.unread_at = Some(Instant::now());
        let measured = match self.follower.checkpoint() {
            Some(at) => self.measure_after(&at),
            // Not started yet: from the end there is nothing to read.
            None if self.at_end => Some(0),
            None => self.measure_all(),
        };
        if let Some(m) = measured {
            self.unread = m;
            self.read_at_measure = read;
        }
    }

    fn measure_all(&mut self) -> Option<u64> {
        let dest = files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        self.lens.retain(&dest.files);
        dest.files.iter().map(|f| self.lens.of(f, 0)).sum()
    }

    fn measure_after(&mut self, at: &Checkpoint) -> Option<u64> {
        let dest = files::destination(&self.spec.dir, &self.spec.stem).ok()?;
        self.lens.retain(&dest.files);
        let mut after = None::<u64>;
        for f in &dest.files {
            match &mut after {
                Some(n) => *n += self.lens.of(f, 0)?,
                None if FileId::of(f).ok().flatten() == Some(at.file_id) => {
                    let len = self.lens.of(f, at.offset)?;
                    after = Some(len.saturating_sub(at.offset));
                }
                None => {}
            }
        }
        after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `lines` records starting at second `from` of the day, as bytes.
    fn records(from: u32, lines: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for i in from..from + lines {
            writeln!(
                out,
                r#"{{"ts":"2026-11-21T{:02}:{:02}:{:02}.000000000Z","level":"INFO","kind":"log","target":"app","msg":"order {i} placed"}}"#,
                i / 3600,
                i / 60 % 60,
                i % 60
            )
            .unwrap();
        }
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    /// Two rotated `.gz` files, a rotated plain file and the active file:
    /// read a few lines at a time, the unread figure is at every step the
    /// plain bytes not read yet (so it falls with each line and ends at 0),
    /// in the middle of a `.gz` file too, whether freshly measured or
    /// carried over from the last measurement.
    #[test]
    fn unread_bytes_count_gz_files_uncompressed_and_fall_to_0() {
        let dir = tempfile::tempdir().unwrap();
        let contents = [
            (
                "app.20261121T010000.000.log.gz",
                records(3_600, 1_500),
                true,
            ),
            (
                "app.20261121T020000.000.log.gz",
                records(7_200, 1_200),
                true,
            ),
            ("app.20261121T030000.000.log", records(10_800, 300), false),
            ("app.log", records(14_400, 200), false),
        ];
        let mut gz_ranges = Vec::new();
        let mut total = 0u64;
        for (name, plain, gz) in &contents {
            let bytes = if *gz { gzip(plain) } else { plain.clone() };
            if *gz {
                assert!(bytes.len() * 4 < plain.len(), "not compressible enough");
                gz_ranges.push(total..total + plain.len() as u64);
            }
            std::fs::write(dir.path().join(name), bytes).unwrap();
            total += plain.len() as u64;
        }
        let spec = SourceSpec {
            dir: dir.path().to_owned(),
            stem: "app".into(),
        };
        let mut source = Source::open(&spec, None, false, Duration::from_millis(10), 37);
        assert_eq!(source.unread_bytes(0), total, "before the first line");
        let mut read = 0u64;
        let mut last = total;
        let mut inside_gz = 0;
        let mut steps = 0;
        loop {
            let fb = source.poll().unwrap();
            assert!(
                fb.errors.is_empty() && fb.gaps.is_empty(),
                "{:?}",
                fb.errors
            );
            if fb.is_empty() {
                break;
            }
            read += fb.lines().map(|l| l.bytes.len() as u64 + 1).sum::<u64>();
            let carried = source.unread_bytes(read);
            assert_eq!(carried, total - read, "carried over, {read} bytes read");
            assert!(carried <= last, "rose from {last} to {carried}");
            last = carried;
            // Every third step, measure the files again.
            if steps % 3 == 0 {
                source.measure(read);
                assert_eq!(
                    source.unread_bytes(read),
                    total - read,
                    "measured, {read} read"
                );
            }
            if gz_ranges.iter().any(|r| r.start < read && read < r.end) {
                inside_gz += 1;
            }
            steps += 1;
        }
        assert_eq!(read, total);
        source.measure(read);
        assert_eq!(source.unread_bytes(read), 0);
        assert!(inside_gz > 50, "only {inside_gz} steps inside a .gz file");
    }
}
