//! Reading encrypted rotated files (`.log.age`, `.log.gz.age`, written by
//! the logger's `encryption` option) given age identities.
//!
//! [`open_at`] is the one opener of the read side: a plain or gzip'ed file
//! is opened as [`LineReader::open_at`] opens it; an encrypted file is
//! decrypted (then gunzipped for a `.gz.age`) as a stream and handed to a
//! [`LineReader`], so every rule of the line reader (NUL padding, cut
//! lines, line cap) applies unchanged. Without identities an encrypted
//! file is [`ErrorKind::Encrypted`]; with identities none of which opens
//! it, [`ErrorKind::Decrypt`]. The whole file is authenticated as it is
//! read: a modified or truncated file ends in an error, never in forged
//! lines. [`crate::Merge`] and [`crate::Follower`] read encrypted files
//! this way once given [`Identities`].
//!
//! # Examples
//!
//! ```no_run
//! use logger_read::decrypt::{self, Identities};
//! use logger_read::{LogFile, ReaderOptions};
//!
//! let keys = Identities::from_file("key.txt").unwrap(); // from `age-keygen -o key.txt`
//! let file = LogFile::from_path("logs/app.20261121T103045.123.log.gz.age".as_ref());
//! let mut lines = decrypt::open(&file, &keys, ReaderOptions::default()).unwrap();
//! while let Some(line) = lines.next_line() {
//!     println!("{}", String::from_utf8_lossy(line.unwrap().bytes));
//! }
//! ```

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use age::secrecy::SecretString;
use flate2::read::MultiGzDecoder;

use crate::error::{ErrorKind, ReadError};
use crate::files::{Compression, FileState, LogFile};
use crate::lines::{LineReader, ReaderOptions};

/// One key that decrypts.
enum Key {
    /// An X25519 identity (`AGE-SECRET-KEY-1...`, from `age-keygen`).
    X25519(age::x25519::Identity),
    /// A passphrase (the logger's `Encryption::passphrase`).
    Passphrase(SecretString),
}

/// The keys that decrypt: the X25519 identities of age identity files, or
/// a passphrase. Cheap to clone (shared), and `Send + Sync`, so that one
/// set serves every reader of a [`crate::Merge`] or [`crate::Follower`].
#[derive(Clone)]
pub struct Identities {
    keys: Arc<Vec<Key>>,
    /// The files they came from, for messages.
    sources: Arc<Vec<PathBuf>>,
}

impl std::fmt::Debug for Identities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys themselves.
        f.debug_struct("Identities")
            .field("keys", &self.keys.len())
            .field("sources", &self.sources)
            .finish()
    }
}

impl Identities {
    /// Reads an age identity file: `AGE-SECRET-KEY-1...` lines as written
    /// by `age-keygen` (what `age -d -i FILE` takes), `#` comments and
    /// blank lines allowed.
    ///
    /// # Errors
    ///
    /// The file cannot be read ([`ErrorKind::Io`], [`ErrorKind::NotFound`]),
    /// holds a line that is not an X25519 identity (named by its number,
    /// never by its text), or holds none ([`ErrorKind::Io`] of kind
    /// `InvalidData`); each names the file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Identities, ReadError> {
        Self::from_files(&[path.as_ref().to_path_buf()])
    }

    /// The identities of several identity files (as `age -d -i A -i B`):
    /// a file decrypts if any of them opens it.
    ///
    /// # Errors
    ///
    /// As [`Identities::from_file`], for the first file that fails; no
    /// file at all is an error too.
    pub fn from_files(paths: &[PathBuf]) -> Result<Identities, ReadError> {
        let mut keys = Vec::new();
        for path in paths {
            let n = keys.len();
            let text = std::fs::read_to_string(path).map_err(|e| ReadError::io(e, path))?;
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match line.parse::<age::x25519::Identity>() {
                    Ok(id) => keys.push(Key::X25519(id)),
                    Err(_) => {
                        let why = format!(
                            "line {}: not an age identity (expected AGE-SECRET-KEY-1..., \
                             as written by age-keygen)",
                            i + 1
                        );
                        return Err(invalid(path, why));
                    }
                }
            }
            if keys.len() == n {
                return Err(invalid(path, "holds no age identity".into()));
            }
        }
        if keys.is_empty() {
            let e = io::Error::new(io::ErrorKind::InvalidInput, "no age identity file given");
            return Err(ReadError::new(ErrorKind::Io(e), "identity files"));
        }
        Ok(Identities {
            keys: Arc::new(keys),
            sources: Arc::new(paths.to_vec()),
        })
    }

    /// Decrypts files encrypted with this passphrase (the logger's
    /// `Encryption::passphrase`): each file costs one scrypt run (about a
    /// second of CPU).
    pub fn passphrase(passphrase: &str) -> Identities {
        Identities {
            keys: Arc::new(vec![Key::Passphrase(SecretString::from(
                passphrase.to_owned(),
            ))]),
            sources: Arc::new(Vec::new()),
        }
    }

    /// The identity files these keys were read from (empty for a passphrase).
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// Decrypts the age stream `raw` of the file at `path`.
    fn decrypt<R: io::BufRead>(
        &self,
        raw: R,
        path: &Path,
    ) -> Result<age::stream::StreamReader<R>, ReadError> {
        let decryptor = age::Decryptor::new_buffered(raw)
            .map_err(|e| decrypt_error(path, format!("not an age file: {e}")))?;
        let scrypt: Vec<age::scrypt::Identity> = self
            .keys
            .iter()
            .filter_map(|k| match k {
                Key::Passphrase(p) => Some(age::scrypt::Identity::new(p.clone())),
                Key::X25519(_) => None,
            })
            .collect();
        let ids = self
            .keys
            .iter()
            .filter_map(|k| match k {
                Key::X25519(id) => Some(id as &dyn age::Identity),
                Key::Passphrase(_) => None,
            })
            .chain(scrypt.iter().map(|id| id as &dyn age::Identity));
        decryptor.decrypt(ids).map_err(|e| {
            let given = if self.sources.is_empty() {
                "the passphrase given".to_string()
            } else {
                let names: Vec<String> = self
                    .sources
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                format!("the identities of {}", names.join(", "))
            };
            decrypt_error(path, format!("{e} (tried {given})"))
        })
    }
}

/// Opens an encrypted (or plain) file for reading its lines from the start
/// with `keys`: [`open_at`] at offset 0.
///
/// # Errors
///
/// As [`open_at`].
pub fn open(
    file: &LogFile,
    keys: &Identities,
    opts: ReaderOptions,
) -> Result<LineReader, ReadError> {
    open_at(file, 0, Some(keys), opts)
}

/// Opens `file` to read from byte `offset` of its plain content (0, or
/// just after a newline): a plain or gzip'ed file as
/// [`LineReader::open_at`] does, an encrypted one by decrypting it with
/// `keys`. A rotated file that was compressed or encrypted since it was
/// listed is read under its new name.
///
/// # Errors
///
/// As [`LineReader::open_at`]; an encrypted file without `keys`
/// ([`ErrorKind::Encrypted`]); a file that is not an age file, or that
/// none of `keys` opens ([`ErrorKind::Decrypt`], naming the identity
/// files tried). Errors while reading (a truncated or modified file) come
/// from the reader's `next_line`.
pub fn open_at(
    file: &LogFile,
    offset: u64,
    keys: Option<&Identities>,
    opts: ReaderOptions,
) -> Result<LineReader, ReadError> {
    if !file.encrypted {
        return match LineReader::open_at(file, offset, opts) {
            Err(e)
                if matches!(e.kind(), ErrorKind::NotFound)
                    && file.state == FileState::Rotated
                    && keys.is_some() =>
            {
                // Encrypted since it was listed: read the `.age` it became.
                for name in successors(file) {
                    if let Ok(r) = open_at(&LogFile::from_path(&name), offset, keys, opts) {
                        return Ok(r);
                    }
                }
                Err(e)
            }
            other => other,
        };
    }
    let path = &file.path;
    let Some(keys) = keys else {
        return Err(ReadError::new(ErrorKind::Encrypted, path));
    };
    let raw = File::open(path).map_err(|e| ReadError::io(e, path))?;
    let stream = keys.decrypt(BufReader::with_capacity(256 << 10, raw), path)?;
    let mut src: Box<dyn Read + Send> = match file.compression {
        Compression::None => Box::new(stream),
        Compression::Gzip => Box::new(MultiGzDecoder::new(BufReader::new(stream))),
    };
    if offset > 0 {
        // Skip to the byte before `offset`, which must end a line.
        let skipped = io::copy(&mut (&mut src).take(offset - 1), &mut io::sink())
            .map_err(|e| ReadError::io(e, path))?;
        let mut prev = [0u8; 1];
        let n = if skipped == offset - 1 {
            src.read(&mut prev).map_err(|e| ReadError::io(e, path))?
        } else {
            0
        };
        if n == 0 || prev[0] != b'\n' {
            let len = skipped + n as u64;
            return Err(ReadError::new(ErrorKind::BadOffset { offset, len }, path));
        }
    }
    Ok(LineReader::from_reader_at(path.clone(), src, offset, opts))
}

/// The length of the plain content of the encrypted file `file`, decrypted
/// with `keys`: the plaintext's length (age's stream is seekable, so only
/// its last chunk is decrypted), or for a `.log.gz.age` the gzip trailer's
/// ISIZE (the uncompressed length modulo 2^32) at the end of the plaintext.
/// A passphrase costs one scrypt per call: callers cache the result.
///
/// # Errors
///
/// As [`open_at`] for a file the keys do not open; an I/O error naming the
/// file when the plaintext is shorter than a gzip trailer.
pub(crate) fn plain_len(file: &LogFile, keys: &Identities) -> Result<PlainLen, ReadError> {
    use std::io::{Seek, SeekFrom};
    let path = &file.path;
    let raw = File::open(path).map_err(|e| ReadError::io(e, path))?;
    let mut stream = keys.decrypt(BufReader::with_capacity(64 << 10, raw), path)?;
    let end = stream
        .seek(SeekFrom::End(0))
        .map_err(|e| ReadError::io(e, path))?;
    if file.compression == Compression::None {
        return Ok(PlainLen::Plain(end));
    }
    let mut trailer = [0u8; 4];
    stream
        .seek(SeekFrom::End(-4))
        .and_then(|_| stream.read_exact(&mut trailer))
        .map_err(|e| ReadError::io(e, path))?;
    Ok(PlainLen::GzipIsize(u32::from_le_bytes(trailer)))
}

/// What [`plain_len`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlainLen {
    /// The exact length of a plain file's content.
    Plain(u64),
    /// A gzip stream's ISIZE: its uncompressed length modulo 2^32.
    GzipIsize(u32),
}

/// The names a rotated file not yet encrypted may have taken since:
/// `x.log` -> `x.log.age`, `x.log.gz.age`; `x.log.gz` -> `x.log.gz.age`.
fn successors(file: &LogFile) -> Vec<PathBuf> {
    let p = file.path.display();
    match file.compression {
        Compression::None => vec![
            PathBuf::from(format!("{p}.age")),
            PathBuf::from(format!("{p}.gz.age")),
        ],
        Compression::Gzip => vec![PathBuf::from(format!("{p}.age"))],
    }
}

fn invalid(path: &Path, msg: String) -> ReadError {
    ReadError::new(
        ErrorKind::Io(io::Error::new(io::ErrorKind::InvalidData, msg)),
        path,
    )
}

fn decrypt_error(path: &Path, msg: String) -> ReadError {
    ReadError::new(ErrorKind::Decrypt(msg), path)
}
