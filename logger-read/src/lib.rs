//! The read side of `logger`.
//!
//! The write side (crate `logger`) ends at its files: JSON lines in a fixed
//! key order, rotated under final timestamped names, perhaps gzip'ed, with a
//! crash tail of NUL padding or a cut last line. Everything that reads those
//! files lives here, so that the core never depends on a database client, a
//! network stack or a command-line parser, and so that the shipper, the
//! remote destinations and the `logger` command-line tool share one reader.

pub mod checkpoint;
pub mod ship;
