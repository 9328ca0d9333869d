//! PROVISIONAL adapter between the shipper and read-core's `Follower`
//! (READER_API.md, `follow.rs`): rewritten on top of it when it lands.
//! Until then `Source::open` fails with a message saying so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::ShipError;
use crate::checkpoint::Checkpoint;

/// One followed source: a directory and a file stem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSpec {
    /// The directory of the files.
    pub dir: PathBuf,
    /// The stem (`app` for `app.log` and its rotated files).
    pub stem: String,
}

impl SourceSpec {
    /// The sources of `paths`: a directory gives one per stem, a file its own.
    ///
    /// # Errors
    /// `Fatal` naming a path that does not exist.
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
            } else if p.is_file() {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let stem = name.split('.').next().unwrap_or(name).to_owned();
                v.push(Self {
                    dir: p.parent().unwrap_or(Path::new(".")).to_owned(),
                    stem,
                });
            } else {
                return Err(ShipError::fatal(
                    "config",
                    format!("paths: {} is neither a directory nor a file", p.display()),
                ));
            }
        }
        Ok(v)
    }
}

/// What following produced.
pub(crate) enum Event<'a> {
    /// A complete line, where it starts and the checkpoint after it.
    Line {
        bytes: &'a [u8],
        at: Checkpoint,
        after: Checkpoint,
    },
    /// A file deleted before it was fully read.
    Gap { what: String },
}

/// The follower of one source.
pub(crate) struct Source;

impl Source {
    pub(crate) fn open(
        spec: &SourceSpec,
        _from: Option<Checkpoint>,
        _at_end: bool,
        _poll: Duration,
    ) -> Result<Self, String> {
        Err(format!(
            "{}/{}: following files needs read-core's follow.rs, not merged yet",
            spec.dir.display(),
            spec.stem
        ))
    }

    pub(crate) fn poll(&mut self, _f: impl FnMut(Event<'_>)) -> Result<(), String> {
        Ok(())
    }

    pub(crate) fn lag_bytes(&self) -> u64 {
        0
    }
}
