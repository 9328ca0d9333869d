//! PROVISIONAL (helper read-pg): the `Checkpoint`, `CheckpointStore` and
//! `FileCheckpointStore` of READER_API.md, only so that `ship` compiles
//! before read-core's `checkpoint.rs` lands; read-core's file replaces this
//! one at the merge.

use std::io::Write;
use std::path::PathBuf;

pub use crate::identity::FileId;

/// Where to resume: the file and the byte offset of the next full line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The file.
    pub file_id: FileId,
    /// Byte offset of the next full line to read.
    pub offset: u64,
}

/// Where a checkpoint is kept.
pub trait CheckpointStore {
    /// The saved checkpoint, if any.
    ///
    /// # Errors
    /// The store cannot be read.
    fn load(&self) -> std::io::Result<Option<Checkpoint>>;
    /// Saves `c` durably.
    ///
    /// # Errors
    /// The store cannot be written.
    fn save(&self, c: &Checkpoint) -> std::io::Result<()>;
}

/// A JSON file written atomically (temporary file, fsync, rename).
#[derive(Clone, Debug)]
pub struct FileCheckpointStore {
    path: PathBuf,
}

impl FileCheckpointStore {
    /// A store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl CheckpointStore for FileCheckpointStore {
    fn load(&self) -> std::io::Result<Option<Checkpoint>> {
        match std::fs::read(&self.path) {
            Ok(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, c: &Checkpoint) -> std::io::Result<()> {
        let tmp = self.path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec(c).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }
}
