//! [`FileId`]: which file this is, whatever its name, inode or compression.
//!
//! A file's first complete line never changes: the writer only appends, a
//! rotation renames the file, compression keeps its content. So a hash of
//! that line identifies the file before and after its rename and gzip, and
//! tells a new `app.log` (a new first line) from the old one, even on a
//! reused inode. The first line's `ts` is kept beside the hash: files of a
//! destination start at increasing times, so a follower that finds its
//! file deleted knows which files came after it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::decrypt::Identities;
use crate::error::ReadError;
use crate::files::{Compression, FileState, LogFile};
use crate::lines::ReaderOptions;
use crate::record::fast_ts;
use crate::timestamp::Timestamp;

/// The identity of a log file: a 64-bit FNV-1a hash of its first complete
/// line (without the newline) and that line's `ts` (0 when it has none).
///
/// Serialized as the text `<16 hex digits of the hash>@<ts in ns>`.
///
/// # Examples
///
/// ```
/// use logger_read::FileId;
/// let id = FileId::of_first_line(br#"{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO"}"#);
/// assert_eq!(id.first_ts().as_nanos(), 1_795_257_045_123_456_789);
/// let text = id.to_string();
/// assert_eq!(text.parse::<FileId>().unwrap(), id);
/// assert_ne!(FileId::of_first_line(b"{}"), id);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    first_ts: Timestamp,
    hash: u64,
}

/// FNV-1a, 64-bit: stable across builds and platforms (a checkpoint outlives
/// the process that wrote it).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl FileId {
    /// The identity of a file whose first complete line is `line`.
    pub fn of_first_line(line: &[u8]) -> FileId {
        FileId {
            first_ts: fast_ts(line).map(|(t, _)| t).unwrap_or_default(),
            hash: fnv1a64(line),
        }
    }

    /// The identity of `file`, from its first complete line; `None` while it
    /// has none (empty, or its first line not yet complete).
    ///
    /// # Errors
    ///
    /// The file cannot be opened or read (a gzip error before the first line).
    pub fn of(file: &LogFile) -> Result<Option<FileId>, ReadError> {
        Self::of_decrypted(file, None)
    }

    /// [`FileId::of`], decrypting an encrypted file with `keys`.
    ///
    /// # Errors
    ///
    /// As [`FileId::of`]; an encrypted file without keys or that the keys
    /// do not open (see [`crate::decrypt::open_at`]).
    pub fn of_decrypted(
        file: &LogFile,
        keys: Option<&Identities>,
    ) -> Result<Option<FileId>, ReadError> {
        if file.compression == Compression::None && !file.encrypted {
            match std::fs::File::open(&file.path) {
                Ok(f) => {
                    let active = file.state == FileState::Active;
                    return Self::of_open_file(&f, active)
                        .map_err(|e| ReadError::io(e, &file.path));
                }
                // Compressed since it was listed: the `.gz` says the same.
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && file.state == FileState::Rotated => {}
                Err(e) => return Err(ReadError::io(e, &file.path)),
            }
        }
        // Small blocks: only the first line is decompressed.
        let opts = ReaderOptions {
            buffer_bytes: 4096,
            ..ReaderOptions::default()
        };
        let mut r = crate::decrypt::open_at(file, 0, keys, opts)?;
        loop {
            match r
                .next_line()
                .map(|l| l.map(|l| FileId::of_first_line(l.bytes)))
            {
                None => return Ok(None),
                Some(Ok(id)) => return Ok(Some(id)),
                // A first line cut by a crash, or too long: the next one
                // is the first complete line.
                Some(Err(e)) if r.is_done() => return Err(e),
                Some(Err(_)) => continue,
            }
        }
    }

    /// The identity of the open plain file `f`, read with positioned reads
    /// (the file's cursor does not move): `None` while it has no complete
    /// first line. Checks that a file opened by name is the one expected,
    /// when a rotation may have put another file under that name.
    ///
    /// # Errors
    ///
    /// The read fails.
    ///
    /// With `being_written` (the active file), a first line holding NUL
    /// bytes is a record the writer is still copying into its mapping, seen
    /// half-way: the file has no identity yet (`None`), rather than one
    /// made from a fragment.
    pub fn of_open_file(f: &std::fs::File, being_written: bool) -> std::io::Result<Option<FileId>> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; 4096];
        let (mut len, mut line_start) = (0usize, 0usize);
        loop {
            if len == buf.len() {
                if len - line_start >= crate::lines::DEFAULT_MAX_LINE_BYTES {
                    return Ok(None);
                }
                buf.resize(len * 2, 0);
            }
            let n = f.read_at(&mut buf[len..], len as u64)?;
            if n == 0 {
                return Ok(None);
            }
            len += n;
            while let Some(k) = memchr::memchr(b'\n', &buf[line_start..len]) {
                let seg = &buf[line_start..line_start + k];
                line_start += k + 1;
                // As `LineReader` reads it: the bytes after the last NUL.
                let line = match memchr::memrchr(0, seg) {
                    Some(_) if being_written => return Ok(None),
                    Some(z) => &seg[z + 1..],
                    None => seg,
                };
                if !line.is_empty() {
                    return Ok(Some(FileId::of_first_line(line)));
                }
            }
        }
    }

    /// The `ts` of the file's first line (0 if it has none).
    pub fn first_ts(&self) -> Timestamp {
        self.first_ts
    }

    /// The hash of the first line.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}@{}", self.hash, self.first_ts.as_nanos())
    }
}

/// The error of parsing a [`FileId`] from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFileIdError(pub String);

impl fmt::Display for ParseFileIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid file id {:?} (expected <16 hex digits>@<nanoseconds>)",
            self.0
        )
    }
}

impl std::error::Error for ParseFileIdError {}

impl FromStr for FileId {
    type Err = ParseFileIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseFileIdError(s.to_string());
        let (h, t) = s.split_once('@').ok_or_else(err)?;
        if h.len() != 16 {
            return Err(err());
        }
        Ok(FileId {
            hash: u64::from_str_radix(h, 16).map_err(|_| err())?,
            first_ts: Timestamp::from_nanos(t.parse().map_err(|_| err())?),
        })
    }
}

impl Serialize for FileId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FileId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
