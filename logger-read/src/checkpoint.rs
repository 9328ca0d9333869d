//! PROVISIONAL (helper read-pg): the `Checkpoint` of READER_API.md, only so
//! that `ship` compiles before read-core's `checkpoint.rs` lands; read-core's
//! file replaces this one at the merge.

/// A file's identity (provisional: read-core's `identity::FileId` replaces it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FileId(pub u64);

/// Where to resume: the file and the byte offset of the next full line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The file.
    pub file_id: FileId,
    /// Byte offset of the next full line to read.
    pub offset: u64,
}
