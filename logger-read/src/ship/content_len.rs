//! The length of a log file's plain content: the unit of the shipper's lag
//! (`lag_bytes`), the same unit as a checkpoint's offset and as the bytes
//! the shipper counts when it reads and delivers lines.
//!
//! A plain file is its length (an active file without the zero padding at
//! its end). A gzip'ed file is its uncompressed length, read from the gzip
//! trailer's ISIZE field (the last 4 bytes: the length modulo 2^32), so
//! nothing is decompressed; an encrypted one is decrypted with the source's
//! keys, only as far as its last chunk. A rotated file never changes, so
//! its figure is cached while its length and modification time stay.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::decrypt::{self, Identities, PlainLen};
use crate::error::ErrorKind;
use crate::files::{Compression, FileState, LogFile};

/// Plain-content lengths of the files of one source, cached per rotated
/// file.
#[derive(Default)]
pub(crate) struct ContentLens {
    keys: Option<Identities>,
    cache: HashMap<PathBuf, Cached>,
}

struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    plain: PlainLen,
}

impl ContentLens {
    /// Lengths of encrypted files are found with `keys` (without them an
    /// encrypted file is unreadable and counts as `None`).
    pub(crate) fn new(keys: Option<Identities>) -> Self {
        Self {
            keys,
            cache: HashMap::new(),
        }
    }

    /// The length of `file`'s plain content, at least `at_least` (the
    /// offset already read in it: a gzip stream's ISIZE is modulo 2^32, see
    /// [`gzip_len`]). `None` when the file is gone (renamed or compressed
    /// since it was listed) or encrypted with no keys given; 0 for a file
    /// the reader will skip as damaged (a `.gz` too short for its trailer,
    /// an age file the keys do not open).
    pub(crate) fn of(&mut self, file: &LogFile, at_least: u64) -> Option<u64> {
        let plain = if file.state == FileState::Active {
            PlainLen::Plain(active_len(&file.path)?)
        } else {
            self.rotated(file)?
        };
        Some(match plain {
            PlainLen::Plain(n) => n,
            PlainLen::GzipIsize(isize) => gzip_len(isize, at_least),
        })
    }

    /// Forgets the files not in `present` (removed, renamed, compressed).
    pub(crate) fn retain(&mut self, present: &[LogFile]) {
        self.cache
            .retain(|p, _| present.iter().any(|f| f.path == *p));
    }

    fn rotated(&mut self, file: &LogFile) -> Option<PlainLen> {
        let meta = std::fs::metadata(&file.path).ok()?;
        let (len, modified) = (meta.len(), meta.modified().ok());
        if let Some(c) = self.cache.get(&file.path) {
            if c.len == len && c.modified == modified {
                return Some(c.plain);
            }
        }
        let plain = match (file.encrypted, file.compression) {
            (false, Compression::None) => PlainLen::Plain(len),
            (false, Compression::Gzip) => match gzip_isize(&file.path) {
                Ok(isize) => PlainLen::GzipIsize(isize),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
                // Too short for a trailer: the reader skips it as damaged.
                Err(_) => PlainLen::Plain(0),
            },
            (true, _) => match decrypt::plain_len(file, self.keys.as_ref()?) {
                Ok(plain) => plain,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound) => return None,
                // Keys that do not open it, not an age file, a plaintext
                // too short for a trailer: the reader skips it, nothing of
                // it is left to deliver.
                Err(_) => PlainLen::Plain(0),
            },
        };
        self.cache.insert(
            file.path.clone(),
            Cached {
                len,
                modified,
                plain,
            },
        );
        Some(plain)
    }
}

/// The uncompressed length of a gzip stream whose trailer says `isize`
/// (the length modulo 2^32), of which `at_least` bytes were already read:
/// the smallest `isize + k * 2^32` that is at least `at_least`. Exact up to
/// 4 GiB; past it, short by a multiple of 4 GiB until the reader's offset
/// reaches its last 4 GiB.
///
/// ```text
/// gzip_len(1000, 0)            == 1000
/// gzip_len(1000, 5 << 30)      == 1000 + (2 << 32)   (5 GiB read: 8 GiB + 1000)
/// ```
pub(crate) fn gzip_len(isize: u32, at_least: u64) -> u64 {
    let isize = u64::from(isize);
    if at_least <= isize {
        return isize;
    }
    let wraps = (at_least - isize).div_ceil(1 << 32);
    isize + (wraps << 32)
}

/// The ISIZE field of the gzip file at `path`: its last 4 bytes, little
/// endian (of the last member when there are several).
///
/// # Errors
/// The file cannot be read, or is shorter than a gzip header and trailer
/// (18 bytes): `InvalidData`.
fn gzip_isize(path: &Path) -> io::Result<u32> {
    let mut f = File::open(path)?;
    if f.metadata()?.len() < 18 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "shorter than a gzip header and trailer",
        ));
    }
    let mut trailer = [0u8; 4];
    f.seek(SeekFrom::End(-4))?;
    f.read_exact(&mut trailer)?;
    Ok(u32::from_le_bytes(trailer))
}

/// An active file's length without the zero padding at its end.
fn active_len(path: &Path) -> Option<u64> {
    let mut f = File::open(path).ok()?;
    let mut len = f.metadata().ok()?.len();
    let mut buf = vec![0u8; 64 << 10];
    while len > 0 {
        let n = (len as usize).min(buf.len());
        f.seek(SeekFrom::Start(len - n as u64)).ok()?;
        f.read_exact(&mut buf[..n]).ok()?;
        match buf[..n].iter().rposition(|&b| b != 0) {
            Some(p) => return Some(len - n as u64 + p as u64 + 1),
            None => len -= n as u64,
        }
    }
    Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `n` JSON lines of a file's content.
    fn lines(n: usize) -> Vec<u8> {
        let mut content = Vec::new();
        for i in 0..n {
            writeln!(
                content,
                r#"{{"ts":"2026-11-21T10:30:45.{i:06}Z","msg":"m {i}"}}"#
            )
            .unwrap();
        }
        content
    }

    #[test]
    fn isize_is_widened_past_4_gib_to_cover_what_was_read() {
        assert_eq!(gzip_len(1000, 0), 1000);
        assert_eq!(gzip_len(1000, 1000), 1000);
        // 1 GiB + 1000 read of a file whose ISIZE wrapped once.
        assert_eq!(gzip_len(1000, (1 << 30) + 1000), (1 << 32) + 1000);
        assert_eq!(gzip_len(1000, 5 << 30), (2 << 32) + 1000);
        assert_eq!(gzip_len(u32::MAX, 1 << 32), u64::from(u32::MAX) + (1 << 32));
    }

    #[test]
    fn a_gzip_file_counts_its_uncompressed_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.20261121T103045.123.log.gz");
        let content = lines(5_000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&content).unwrap();
        let gz = gz.finish().unwrap();
        assert!(
            gz.len() * 4 < content.len(),
            "the test needs a compressible file"
        );
        std::fs::write(&path, &gz).unwrap();
        let file = LogFile::from_path(&path);
        let mut lens = ContentLens::new(None);
        assert_eq!(lens.of(&file, 0), Some(content.len() as u64));
        // Cached, then forgotten once the file is gone from the listing.
        assert_eq!(lens.cache.len(), 1);
        lens.retain(&[]);
        assert!(lens.cache.is_empty());
        // A file too short to hold a trailer has nothing to deliver.
        std::fs::write(&path, b"\x1f\x8b").unwrap();
        assert_eq!(lens.of(&file, 0), Some(0));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(lens.of(&file, 0), None, "gone");
    }

    /// `.log.age` and `.log.gz.age` files count their plain content too,
    /// found with the keys (more than one age chunk of 64 KiB, so the seek
    /// to the last chunk is exercised); without keys they are unreadable.
    #[test]
    fn encrypted_files_count_their_plain_content() {
        use age::secrecy::ExposeSecret;
        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let key = dir.path().join("key.txt");
        std::fs::write(&key, format!("{}\n", id.to_string().expose_secret())).unwrap();
        let keys = Identities::from_file(&key).unwrap();
        let content = lines(20_000);
        assert!(content.len() > 3 << 16);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        gz.write_all(&content).unwrap();
        let gz = gz.finish().unwrap();
        assert!(gz.len() > 3 << 16, "the gzip spans several age chunks");
        let encrypt = |name: &str, plain: &[u8]| {
            let path = dir.path().join(name);
            let recipient = id.to_public();
            let enc =
                age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                    .unwrap();
            let mut w = enc.wrap_output(File::create(&path).unwrap()).unwrap();
            w.write_all(plain).unwrap();
            w.finish().unwrap();
            LogFile::from_path(&path)
        };
        let plain = encrypt("app.20261121T103045.123.log.age", &content);
        let gzipped = encrypt("app.20261121T113045.123.log.gz.age", &gz);
        let mut lens = ContentLens::new(Some(keys));
        assert_eq!(lens.of(&plain, 0), Some(content.len() as u64));
        assert_eq!(lens.of(&gzipped, 0), Some(content.len() as u64));
        assert_eq!(ContentLens::new(None).of(&gzipped, 0), None);
        let other = age::x25519::Identity::generate();
        std::fs::write(&key, format!("{}\n", other.to_string().expose_secret())).unwrap();
        let wrong = Identities::from_file(&key).unwrap();
        assert_eq!(ContentLens::new(Some(wrong)).of(&gzipped, 0), Some(0));
    }
}
