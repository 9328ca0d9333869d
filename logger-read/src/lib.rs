//! The read side of `logger`.
//!
//! The write side (crate `logger`) ends at its files: JSON lines in a fixed
//! key order, rotated under final timestamped names, perhaps gzip'ed, with a
//! crash tail of NUL padding or a cut last line. Everything that reads those
//! files lives here, so that the core never depends on a database client, a
//! network stack or a command-line parser, and so that the shipper, the
//! remote destinations and the `logger` command-line tool share one reader.
//!
//! # Reading
//!
//! - [`discover`] finds the destinations in directories or files
//!   ([`files`]): the active `<stem>.log`, the rotated files, gzip'ed or not,
//!   oldest first.
//! - [`LineReader`] reads the complete lines of one file in bounded memory
//!   ([`lines`]), tolerating NUL padding and a cut last line.
//! - [`RecordView`] reads a record from a line without a full JSON parse
//!   ([`record`]); [`Prefilter`] rejects lines by level, kind or correlation
//!   id from their bytes alone ([`filter`]).
//! - [`Merge`] merges several destinations by `ts` ([`merge`]).
//! - [`split_foreign`] takes out the files written in another format (a
//!   named formatter's text, logfmt or renamed keys), with one message
//!   each ([`sniff`]).
//! - [`decrypt::open_at`] reads encrypted rotated files (`.age`) given age
//!   identities ([`decrypt::Identities`]); [`Merge::identities`] and
//!   [`Follower::identities`] read them in order with the plain files.
//!
//! # Following
//!
//! - [`Follower`] follows one destination across rotation, compression and
//!   retention ([`follow`]), in batches of lines each with the
//!   [`Checkpoint`] after it; [`FileCheckpointStore`] keeps a checkpoint in
//!   a file, replaced atomically ([`checkpoint`]). Files are identified by
//!   their first line ([`FileId`], [`identity`]), not by name or inode.
//!
//! ```no_run
//! use logger_read::{discover, Level, Merge, Prefilter, RecordView};
//! let dests = discover(&["logs".into()]).unwrap();
//! let mut merged = Merge::new(dests).dedup(true).prefilter(Prefilter::new().min_level(Level::Warn));
//! while let Some(item) = merged.next_line() {
//!     let line = match item {
//!         Ok(l) => l,
//!         Err(e) => { eprintln!("{e}"); continue; }
//!     };
//!     match RecordView::parse(line.line.bytes) {
//!         Ok(r) => println!("{} {} {}", r.ts(), r.level(), r.msg().map(|m| m.to_str()).unwrap_or_default()),
//!         Err(e) => eprintln!("{}: line {}: {e}", line.file.path.display(), line.line.number),
//!     }
//! }
//! ```

pub mod checkpoint;
pub mod decrypt;
pub mod error;
pub mod files;
pub mod filter;
pub mod follow;
pub mod identity;
mod json_scan;
pub mod level;
pub mod lines;
pub mod merge;
pub mod record;
pub mod ship;
pub mod sniff;
pub mod timestamp;

pub use checkpoint::{Checkpoint, CheckpointStore, FileCheckpointStore};
pub use error::{ErrorKind, ReadError};
pub use files::{Compression, Destination, FileState, LogFile, discover};
pub use filter::Prefilter;
pub use follow::{FollowBatch, FollowedLine, Follower, Gap, Start};
pub use identity::FileId;
pub use level::Level;
pub use lines::{Line, LineReader, ReaderOptions, Tail};
pub use merge::{Merge, MergedLine};
pub use record::{JsonStr, RawJson, RecordError, RecordView};
pub use sniff::{Foreign, RECORD_KEYS, split_foreign};
pub use timestamp::Timestamp;
