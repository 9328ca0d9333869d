//! Reading encrypted rotated files (`.log.age`, `.log.gz.age`, written by
//! the logger's `encryption` option) given an age identity file.
//!
//! [`LineReader::open`] refuses an encrypted file
//! ([`ErrorKind::Encrypted`]); [`open`] decrypts it (then gunzips a
//! `.gz.age`) as a stream and hands it to a [`LineReader`], so every rule of
//! the line reader (NUL padding, cut lines, line cap) applies unchanged.
//! The whole file is authenticated as it is read: a modified or truncated
//! file ends in an error, never in forged lines.
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
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{ErrorKind, ReadError};
use crate::files::{Compression, LogFile};
use crate::lines::{LineReader, ReaderOptions};

/// The keys that decrypt: the identities of an age identity file, or a
/// passphrase.
pub struct Identities {
    /// What `age` decrypts with.
    keys: Vec<Box<dyn age::Identity>>,
}

impl Identities {
    /// Reads an age identity file: `AGE-SECRET-KEY-1...` lines as written
    /// by `age-keygen`, `#` comments and blank lines allowed (and the other
    /// identity kinds the `age` crate reads).
    ///
    /// # Errors
    ///
    /// The file cannot be read ([`ErrorKind::Io`], [`ErrorKind::NotFound`]),
    /// or holds a line that is not an identity ([`ErrorKind::Io`] of kind
    /// `InvalidData`, naming the file).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Identities, ReadError> {
        let path = path.as_ref();
        let file = age::IdentityFile::from_file(path.display().to_string())
            .map_err(|e| ReadError::io(e, path))?;
        let keys = file.into_identities().map_err(|e| {
            let e = io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not an age identity file: {e}"),
            );
            ReadError::io(e, path)
        })?;
        if keys.is_empty() {
            let e = io::Error::new(io::ErrorKind::InvalidData, "holds no age identity");
            return Err(ReadError::io(e, path));
        }
        Ok(Identities { keys })
    }

    /// Decrypts files encrypted with this passphrase (the logger's
    /// `Encryption::passphrase`): each file costs one scrypt run (about a
    /// second of CPU).
    pub fn passphrase(passphrase: &str) -> Identities {
        let id =
            age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
        Identities {
            keys: vec![Box::new(id)],
        }
    }
}

/// Opens an encrypted file for reading its lines from the start: age
/// decryption, then gzip for a `.gz.age`. A file that is not encrypted is
/// opened as [`LineReader::open`] would.
///
/// # Errors
///
/// The file cannot be opened ([`ErrorKind::NotFound`], [`ErrorKind::Io`]),
/// is not an age file, or none of `keys` decrypts it ([`ErrorKind::Io`] of
/// kind `InvalidData`, saying which). Errors while reading (a truncated or
/// modified file) come from the reader's `next_line`.
pub fn open(
    file: &LogFile,
    keys: &Identities,
    opts: ReaderOptions,
) -> Result<LineReader, ReadError> {
    if !file.encrypted {
        return LineReader::open_at(file, 0, opts);
    }
    let path = &file.path;
    let raw = File::open(path).map_err(|e| ReadError::io(e, path))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(256 << 10, raw))
        .map_err(|e| invalid(path, format!("not an age file: {e}")))?;
    let stream = decryptor
        .decrypt(keys.keys.iter().map(|k| k.as_ref() as &dyn age::Identity))
        .map_err(|e| invalid(path, format!("cannot decrypt: {e}")))?;
    let src: Box<dyn Read + Send> = match file.compression {
        Compression::None => Box::new(stream),
        Compression::Gzip => Box::new(MultiGzDecoder::new(BufReader::new(stream))),
    };
    Ok(LineReader::from_reader(path.clone(), src, opts))
}

fn invalid(path: &Path, msg: String) -> ReadError {
    ReadError::new(
        ErrorKind::Io(io::Error::new(io::ErrorKind::InvalidData, msg)),
        path,
    )
}
