//! [`ReadError`]: what failed while finding or reading log files, with the
//! path and, when known, the line number and byte offset.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::record::RecordError;

/// What went wrong, without the location (see [`ReadError`] for that).
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An I/O error from the operating system (open, read, seek, rename...).
    Io(io::Error),
    /// The path does not exist.
    NotFound,
    /// A directory holds no file of a destination (`<stem>.log` or a rotated
    /// `<stem>.<YYYYMMDD>T<HHMMSS>.<mmm>...log[.gz]`).
    NoLogFiles,
    /// A gzip file ends before its end-of-stream marker (cut while written or
    /// copied), or its compressed data is corrupt.
    Gzip(io::Error),
    /// The file is encrypted (`.age`) and no age identity was given to read
    /// it ([`crate::decrypt::Identities`]; `logger --identity FILE`, or the
    /// shipper's `identity_file`).
    Encrypted,
    /// An encrypted file that the identities given do not open, or that is
    /// not an age file: what `age` said, and the identity files tried.
    Decrypt(String),
    /// A line longer than the configured cap; it was skipped up to its newline.
    LineTooLong {
        /// The cap in bytes ([`crate::lines::ReaderOptions::max_line_bytes`]).
        cap: usize,
    },
    /// Bytes that were cut off by a crash and followed by more data: a
    /// fragment of a line, then NUL padding, then the next line. The fragment
    /// is skipped; the line after the padding is read.
    CutLine {
        /// Bytes of the fragment(s) (NUL bytes not counted).
        bytes: u64,
    },
    /// The line is not a record (not JSON, not an object, no valid `ts`).
    Record(RecordError),
    /// A checkpoint or position refers to a byte offset past the end of the
    /// file, or not at the start of a line: the file was replaced or truncated.
    BadOffset {
        /// The offset asked for.
        offset: u64,
        /// The file's length (uncompressed) when it was checked.
        len: u64,
    },
    /// The file now at this path is not the one expected (its first line
    /// differs): it was rotated away and another took its name.
    Replaced,
    /// A checkpoint file that is not valid JSON of a [`crate::checkpoint::Checkpoint`].
    BadCheckpoint(String),
}

/// An error of the read side: what failed, the file, and where in it.
///
/// `Display` gives one line such as
/// `/var/log/app/app.log: line 12 (byte 3456): not JSON: expected value at column 1`.
///
/// # Examples
///
/// ```
/// use logger_read::{ErrorKind, discover};
/// let err = discover(&["/no/such/dir".into()]).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::NotFound));
/// assert_eq!(err.to_string(), "/no/such/dir: no such file or directory");
/// ```
#[derive(Debug)]
pub struct ReadError {
    kind: ErrorKind,
    path: Option<PathBuf>,
    line: Option<u64>,
    offset: Option<u64>,
}

impl ReadError {
    /// An error of `kind` about the file at `path`.
    pub fn new(kind: ErrorKind, path: impl Into<PathBuf>) -> Self {
        ReadError {
            kind,
            path: Some(path.into()),
            line: None,
            offset: None,
        }
    }

    /// An I/O error about `path`; `NotFound` becomes [`ErrorKind::NotFound`].
    pub fn io(err: io::Error, path: &Path) -> Self {
        let kind = if err.kind() == io::ErrorKind::NotFound {
            ErrorKind::NotFound
        } else {
            ErrorKind::Io(err)
        };
        ReadError::new(kind, path)
    }

    /// Sets the 1-based line number the error is about.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the byte offset (in the uncompressed content) the error is about.
    pub fn at_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The file (or directory) the error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line number, when known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The byte offset in the uncompressed content, when known.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::NotFound => f.write_str("no such file or directory"),
            ErrorKind::NoLogFiles => f.write_str(
                "no log files here (expected <name>.log or <name>.<YYYYMMDD>T<HHMMSS>.<mmm>.log[.gz])",
            ),
            ErrorKind::Gzip(e) => write!(f, "truncated or corrupt gzip data: {e}"),
            ErrorKind::Encrypted => f.write_str(
                "encrypted with age (.age), and no identity was given to decrypt it \
                 (logger --identity FILE or LOGGER_AGE_IDENTITY; the shipper's identity_file)",
            ),
            ErrorKind::Decrypt(why) => write!(f, "cannot decrypt: {why}"),
            ErrorKind::LineTooLong { cap } => {
                write!(f, "line longer than {cap} bytes, skipped")
            }
            ErrorKind::CutLine { bytes } => write!(
                f,
                "a cut line of {bytes} bytes followed by NUL padding (a crash), skipped"
            ),
            ErrorKind::Record(e) => write!(f, "{e}"),
            ErrorKind::BadOffset { offset, len } => write!(
                f,
                "offset {offset} is not the start of a line of this file ({len} bytes): \
                 the file was replaced or truncated"
            ),
            ErrorKind::Replaced => {
                f.write_str("replaced by another file (its first line differs)")
            }
            ErrorKind::BadCheckpoint(why) => write!(f, "invalid checkpoint file: {why}"),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{}", p.display())?;
            match (self.line, self.offset) {
                (Some(l), Some(o)) => write!(f, ": line {l} (byte {o})")?,
                (Some(l), None) => write!(f, ": line {l}")?,
                (None, Some(o)) => write!(f, ": byte {o}")?,
                (None, None) => {}
            }
            f.write_str(": ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) | ErrorKind::Gzip(e) => Some(e),
            ErrorKind::Record(e) => Some(e),
            _ => None,
        }
    }
}
