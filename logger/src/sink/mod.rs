//! Sinks: rotating log files and their housekeeping.
//!
//! - [`append_file`]: one file appended in batches of whole lines, into
//!   disk blocks reserved ahead; its size is always the end of a line.
//! - [`rotation`]: the active file of a destination, rotated by size and
//!   time under timestamped names, repaired on open, recovered after errors.
//! - [`housekeeping`]: a background thread that compresses rotated files and
//!   enforces backup count and retention.
//! - [`encrypt`]: age encryption of rotated files, on the housekeeping thread.
//! - [`permissions`]: modes of created files and directories, past the umask.

pub(crate) mod append_file;
pub(crate) mod encrypt;
pub(crate) mod housekeeping;
pub(crate) mod permissions;
pub(crate) mod rotation;

pub(crate) use housekeeping::Housekeeper;
pub(crate) use rotation::{DirectAppend, Placed, RotatingFile};
