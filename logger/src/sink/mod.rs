//! Sinks: memory-mapped rotating files and their housekeeping.
//!
//! - [`mmap_file`]: one file appended through reserved, mapped windows.
//! - [`rotation`]: the active file of a destination, rotated by size and
//!   time under timestamped names, repaired on open, recovered after errors.
//! - [`housekeeping`]: a background thread that compresses rotated files and
//!   enforces backup count and retention.
//! - [`encrypt`]: age encryption of rotated files, on the housekeeping thread.
//! - [`permissions`]: modes of created files and directories, past the umask.

pub(crate) mod encrypt;
pub(crate) mod housekeeping;
pub(crate) mod mmap_file;
pub(crate) mod permissions;
pub(crate) mod rotation;

pub(crate) use housekeeping::Housekeeper;
pub(crate) use rotation::RotatingFile;
