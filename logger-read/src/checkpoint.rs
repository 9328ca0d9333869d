//! [`Checkpoint`]: where a consumer is in a destination, and
//! [`CheckpointStore`]s that keep it across restarts.
//!
//! A checkpoint is the identity of a file ([`FileId`]) and the byte offset of
//! the next complete line to read in its uncompressed content. It survives
//! the file's rotation (rename) and compression, since neither changes the
//! file's first line nor its content. Where a checkpoint is saved decides the
//! delivery guarantee: in the same database transaction as the records,
//! exactly once; after a receiver acknowledged, at least once (a crash
//! between the acknowledgement and the save sends the batch again).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, ReadError};
use crate::identity::FileId;

/// A position in a destination: the file, and the byte offset of the next
/// complete line to read in it (uncompressed).
///
/// Serializes as `{"file_id":"<hash>@<ns>","offset":1234}`.
///
/// # Examples
///
/// ```
/// use logger_read::{Checkpoint, FileId};
/// let cp = Checkpoint { file_id: FileId::of_first_line(b"{}"), offset: 1234 };
/// let json = serde_json::to_string(&cp).unwrap();
/// assert_eq!(serde_json::from_str::<Checkpoint>(&json).unwrap(), cp);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The file.
    pub file_id: FileId,
    /// Byte offset of the next complete line to read (just after a newline,
    /// or 0).
    pub offset: u64,
}

/// Somewhere a checkpoint is kept between runs.
pub trait CheckpointStore {
    /// The saved checkpoint, or `None` if none was saved yet.
    ///
    /// # Errors
    ///
    /// The store cannot be read, or holds something that is not a checkpoint.
    fn load(&mut self) -> Result<Option<Checkpoint>, ReadError>;

    /// Saves `checkpoint`, durably, replacing the previous one.
    ///
    /// # Errors
    ///
    /// The store cannot be written.
    fn save(&mut self, checkpoint: &Checkpoint) -> Result<(), ReadError>;
}

/// A checkpoint in a JSON file, replaced atomically: written to a temporary
/// file beside it, fsynced, renamed over it, and the directory fsynced. A
/// crash leaves either the old or the new checkpoint, never a torn one.
///
/// # Examples
///
/// ```no_run
/// use logger_read::{Checkpoint, CheckpointStore, FileCheckpointStore, FileId};
/// let mut store = FileCheckpointStore::new("/var/lib/ship/app.checkpoint");
/// let cp = Checkpoint { file_id: FileId::of_first_line(b"{}"), offset: 0 };
/// store.save(&cp).unwrap();
/// assert_eq!(store.load().unwrap(), Some(cp));
/// ```
#[derive(Clone, Debug)]
pub struct FileCheckpointStore {
    path: PathBuf,
}

impl FileCheckpointStore {
    /// A store at `path` (its directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileCheckpointStore { path: path.into() }
    }

    /// Where the checkpoint is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl CheckpointStore for FileCheckpointStore {
    fn load(&mut self) -> Result<Option<Checkpoint>, ReadError> {
        let text = match fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ReadError::io(e, &self.path)),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| ReadError::new(ErrorKind::BadCheckpoint(e.to_string()), &self.path))
    }

    fn save(&mut self, checkpoint: &Checkpoint) -> Result<(), ReadError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            serde_json::to_writer(&mut f, checkpoint)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            File::open(&dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            ReadError::io(e, &self.path)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_names_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        let mut store = FileCheckpointStore::new(&path);
        assert_eq!(store.load().unwrap(), None);
        let cp = Checkpoint {
            file_id: FileId::of_first_line(b"x"),
            offset: 7,
        };
        store.save(&cp).unwrap();
        store.save(&Checkpoint { offset: 9, ..cp }).unwrap();
        assert_eq!(store.load().unwrap().unwrap().offset, 9);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        fs::write(&path, b"{\"file_id\":\"nope\",\"offset\":1}").unwrap();
        let e = store.load().unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "{}: invalid checkpoint file: invalid file id",
                path.display()
            )),
            "{e}"
        );
        let e = FileCheckpointStore::new(dir.path().join("no/such/cp.json"))
            .save(&cp)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no/such/cp.json"), "{e}");
    }
}
