//! Encryption at rest of rotated files, in the [age](https://age-encryption.org)
//! format, on the housekeeping thread.
//!
//! A rotated file (`<rotated>.log`, or `<rotated>.log.gz` when compression
//! is on: compress, then encrypt) is sealed by [`seal`]:
//!
//! 1. encrypted to `<source>.age.tmp`, created with the source's mode;
//! 2. `fsync`ed, then renamed to `<source>.age`, and the directory
//!    `fsync`ed, so the rename is on disk;
//! 3. only then is `<source>` deleted.
//!
//! A crash before step 3 leaves the source (and maybe a `.age.tmp`, which
//! the next sweep deletes, or a complete `.age` beside its source, which it
//! encrypts again over it); a crash never leaves neither. The start-up
//! sweep of each destination seals the rotated files a crash left plain.
//!
//! `age -d -i key.txt <file>.age` gives back the source file exactly.

use std::fmt;
use std::fs;
use std::io;
use std::iter;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use age::secrecy::SecretString;

use super::housekeeping::replace_transformed;

/// scrypt work factor (`N = 2^18`) of passphrase-encrypted files: what the
/// `age` command line uses. Sealing one file with a passphrase costs one
/// scrypt run of this size (about a quarter to one second of one core, and
/// 256 MiB of memory), whatever the file's size; decrypting costs the same.
pub const PASSPHRASE_WORK_FACTOR: u8 = 18;

/// How rotated files are encrypted: to age X25519 recipients (public keys,
/// `age1...`), or with a passphrase.
///
/// Built from code, or from the configuration file's `encrypt_recipients`,
/// `encrypt_recipients_file` and `encrypt_passphrase_file` keys. Keys and
/// files are read and checked by [`Builder::install`](crate::Builder::install),
/// whose error names the option (`encryption`, or the file's key).
///
/// `Debug` never shows a passphrase.
///
/// # Examples
///
/// ```no_run
/// use logger::Encryption;
/// // The public key printed by `age-keygen -o key.txt`.
/// let enc = Encryption::recipients(["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]);
/// let _guard = logger::builder().encryption(Some(enc)).install().unwrap();
/// // Rotated files become `app.<stamp>.log.age`: `age -d -i key.txt app.<stamp>.log.age`.
/// ```
#[derive(Clone)]
pub struct Encryption {
    /// Where the keys come from.
    source: Source,
    /// The checked keys, set by [`Encryption::resolve`] at install.
    sealer: Option<Arc<Sealer>>,
}

/// Where the keys come from, as configured.
#[derive(Clone, PartialEq, Eq)]
enum Source {
    /// `age1...` public keys.
    Recipients(Vec<String>),
    /// A recipients file: one `age1...` key per line, `#` comments.
    RecipientsFile(PathBuf),
    /// A passphrase.
    Passphrase(String),
    /// A file whose first line is the passphrase.
    PassphraseFile(PathBuf),
}

/// Ready-to-use keys.
pub(crate) enum Sealer {
    /// X25519 recipients (at least one).
    Recipients(Vec<age::x25519::Recipient>),
    /// A passphrase (scrypt, [`PASSPHRASE_WORK_FACTOR`]).
    Passphrase(SecretString),
}

impl Encryption {
    /// Encrypt to these X25519 recipients (`age1...` public keys, as
    /// `age-keygen` prints them); any one of their identities decrypts.
    pub fn recipients<S: Into<String>>(keys: impl IntoIterator<Item = S>) -> Self {
        Self::from_source(Source::Recipients(
            keys.into_iter().map(Into::into).collect(),
        ))
    }

    /// Encrypt to the recipients listed in a file (the format of
    /// `age -R`: one `age1...` key per line, blank lines and `#` comments
    /// allowed), read at install.
    pub fn recipients_file(path: impl Into<PathBuf>) -> Self {
        Self::from_source(Source::RecipientsFile(path.into()))
    }

    /// Encrypt with a passphrase (scrypt, work factor
    /// [`PASSPHRASE_WORK_FACTOR`]: about a second of CPU per rotated file on
    /// the housekeeping thread, and as much to decrypt). Prefer recipients
    /// for machines; a passphrase is for files a human decrypts.
    pub fn passphrase(passphrase: impl Into<String>) -> Self {
        Self::from_source(Source::Passphrase(passphrase.into()))
    }

    /// Encrypt with the passphrase on the first line of a file, read at
    /// install (see [`Encryption::passphrase`] for its cost).
    pub fn passphrase_file(path: impl Into<PathBuf>) -> Self {
        Self::from_source(Source::PassphraseFile(path.into()))
    }

    fn from_source(source: Source) -> Self {
        Encryption {
            source,
            sealer: None,
        }
    }

    /// Reads and checks the keys. `option` names the option in errors.
    pub(crate) fn resolve(&mut self, option: &str) -> Result<(), String> {
        let sealer = match &self.source {
            Source::Recipients(keys) => parse_recipients(keys.iter().map(|k| (k.as_str(), None)))?,
            Source::RecipientsFile(path) => {
                let text = read(path)?;
                let lines = text.lines().enumerate().filter_map(|(i, l)| {
                    let l = l.trim();
                    (!l.is_empty() && !l.starts_with('#')).then_some((l, Some((path, i + 1))))
                });
                match parse_recipients(lines)? {
                    Sealer::Recipients(r) if r.is_empty() => {
                        return Err(format!("{} holds no recipient", path.display()));
                    }
                    sealer => sealer,
                }
            }
            Source::Passphrase(p) => passphrase(p.clone(), "the passphrase")?,
            Source::PassphraseFile(path) => {
                let text = read(path)?;
                let first = text.lines().next().unwrap_or("").to_string();
                passphrase(first, &format!("the first line of {}", path.display()))?
            }
        };
        if let Sealer::Recipients(r) = &sealer {
            if r.is_empty() {
                return Err(format!(
                    "no recipient given to `{option}`: pass at least one age1... public key"
                ));
            }
        }
        self.sealer = Some(Arc::new(sealer));
        Ok(())
    }

    /// The checked keys (after install).
    pub(crate) fn sealer(&self) -> Option<&Sealer> {
        self.sealer.as_deref()
    }
}

/// The contents of a key file, or an error naming it.
fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Parses `age1...` keys; `at` is the file and line a key came from.
fn parse_recipients<'a>(
    keys: impl Iterator<Item = (&'a str, Option<(&'a PathBuf, usize)>)>,
) -> Result<Sealer, String> {
    let mut out = Vec::new();
    for (key, at) in keys {
        let key = key.trim();
        match age::x25519::Recipient::from_str(key) {
            Ok(r) => out.push(r),
            Err(e) => {
                let shown: String = key.chars().take(80).collect();
                let place = at.map_or(String::new(), |(p, n)| format!(" at {}:{n}", p.display()));
                return Err(format!(
                    "{shown:?}{place} is not an age X25519 public key (age1..., as printed by \
                     `age-keygen`): {e}"
                ));
            }
        }
    }
    Ok(Sealer::Recipients(out))
}

fn passphrase(p: String, what: &str) -> Result<Sealer, String> {
    if p.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    Ok(Sealer::Passphrase(SecretString::from(p)))
}

impl Sealer {
    /// A new encryptor (a fresh file key) for one file.
    fn encryptor(&self) -> io::Result<age::Encryptor> {
        match self {
            Sealer::Recipients(r) => {
                age::Encryptor::with_recipients(r.iter().map(|r| r as &dyn age::Recipient))
                    .map_err(|e| io::Error::other(format!("age: {e}")))
            }
            Sealer::Passphrase(p) => {
                let mut r = age::scrypt::Recipient::new(p.clone());
                r.set_work_factor(PASSPHRASE_WORK_FACTOR);
                age::Encryptor::with_recipients(iter::once(&r as &dyn age::Recipient))
                    .map_err(|e| io::Error::other(format!("age: {e}")))
            }
        }
    }
}

impl fmt::Debug for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Recipients(k) => f.debug_tuple("Encryption::recipients").field(k).finish(),
            Source::RecipientsFile(p) => f
                .debug_tuple("Encryption::recipients_file")
                .field(p)
                .finish(),
            Source::Passphrase(_) => f.write_str("Encryption::passphrase(<hidden>)"),
            Source::PassphraseFile(p) => f
                .debug_tuple("Encryption::passphrase_file")
                .field(p)
                .finish(),
        }
    }
}

impl PartialEq for Encryption {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for Encryption {}

/// Encrypts `source` to `<source>.age` (through `<source>.age.tmp`,
/// `fsync`ed, renamed, directory `fsync`ed), then deletes `source`.
/// The result keeps the source's mode and mtime. On error or cancel, the
/// temporary file is deleted and `source` kept.
pub(crate) fn seal(source: &Path, sealer: &Sealer, cancel: &AtomicBool) -> io::Result<()> {
    let (started, cpu_started) = (Instant::now(), thread_cpu_ns());
    let bytes = fs::metadata(source)?.len();
    let result = replace_transformed(
        source,
        ".age",
        cancel,
        |out| sealer.encryptor()?.wrap_output(out),
        |writer| writer.finish(),
    );
    if result.is_ok() {
        SEALED_FILES.fetch_add(1, Relaxed);
        SEALED_BYTES.fetch_add(bytes, Relaxed);
        let ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        SEALED_NS.fetch_add(ns, Relaxed);
        SEALED_CPU_NS.fetch_add(thread_cpu_ns().saturating_sub(cpu_started), Relaxed);
    }
    result
}

/// CPU time of the calling thread, in ns (0 if the clock is unavailable).
fn thread_cpu_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; the call only writes it.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return 0;
    }
    (t.tv_sec as u64).saturating_mul(1_000_000_000) + t.tv_nsec as u64
}

/// Files encrypted by this process (see [`encryption_stats`]).
static SEALED_FILES: AtomicU64 = AtomicU64::new(0);
/// Their bytes before encryption.
static SEALED_BYTES: AtomicU64 = AtomicU64::new(0);
/// Time the housekeeping thread spent encrypting them, in ns.
static SEALED_NS: AtomicU64 = AtomicU64::new(0);
/// CPU time of the housekeeping thread spent on it, in ns.
static SEALED_CPU_NS: AtomicU64 = AtomicU64::new(0);

/// What the housekeeping thread has encrypted since the process started.
///
/// # Examples
///
/// ```
/// let s = logger::encryption_stats();
/// // Nothing encrypted yet in this process.
/// assert_eq!((s.files, s.plaintext_bytes), (0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncryptionStats {
    /// Rotated files encrypted (each now `<file>.age`).
    pub files: u64,
    /// Their size before encryption (after compression when it is on), in bytes.
    pub plaintext_bytes: u64,
    /// Wall time spent encrypting them, from opening the source to deleting
    /// it (read, encrypt, write, both `fsync`s, rename); `plaintext_bytes`
    /// over it is the housekeeping thread's encryption throughput.
    pub busy: Duration,
    /// CPU time of the housekeeping thread during `busy` (less than `busy`
    /// by the waits for the disk and for a CPU on a busy machine).
    pub cpu: Duration,
}

/// Totals of the encryption of rotated files in this process (all zero
/// without [`Builder::encryption`](crate::Builder::encryption)).
pub fn encryption_stats() -> EncryptionStats {
    EncryptionStats {
        files: SEALED_FILES.load(Relaxed),
        plaintext_bytes: SEALED_BYTES.load(Relaxed),
        busy: Duration::from_nanos(SEALED_NS.load(Relaxed)),
        cpu: Duration::from_nanos(SEALED_CPU_NS.load(Relaxed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::rotation::with_suffix;
    use age::secrecy::ExposeSecret;
    use std::fs::File;
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;

    fn decrypt(path: &Path, id: &age::x25519::Identity) -> Vec<u8> {
        let d = age::Decryptor::new(File::open(path).unwrap()).unwrap();
        let mut r = d.decrypt(iter::once(id as &dyn age::Identity)).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn seal_round_trip_keeps_mode_and_removes_source() {
        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let mut enc = Encryption::recipients([id.to_public().to_string()]);
        enc.resolve("encryption").unwrap();
        let src = dir.path().join("app.20250101T000000.000.log");
        let bytes: Vec<u8> = (0..50_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        fs::write(&src, &bytes).unwrap();
        fs::set_permissions(&src, fs::Permissions::from_mode(0o604)).unwrap();
        seal(&src, enc.sealer().unwrap(), &AtomicBool::new(false)).unwrap();
        assert!(!src.exists());
        assert!(!with_suffix(&src, ".age.tmp").exists());
        let sealed = with_suffix(&src, ".age");
        let mode = fs::metadata(&sealed).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o604);
        assert_eq!(decrypt(&sealed, &id), bytes);
    }

    #[test]
    fn sweeps_compress_then_encrypt_clean_up_and_count_sealed_files() {
        use crate::config::RotationConfig;
        use crate::sink::Housekeeper;
        use std::time::Duration;

        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let mut enc = Encryption::recipients([id.to_public().to_string()]);
        enc.resolve("encryption").unwrap();
        let p = |n: &str| dir.path().join(n);
        // Oldest first: an old sealed file (over the count), a crash's
        // leftovers (a .gz beside its .gz.age, a partial .age.tmp beside
        // its plain file), and a fresh plain rotated file.
        fs::write(p("app.20250101T000000.000.log.gz.age"), b"old").unwrap();
        fs::write(p("app.20250102T000000.000.log.gz"), b"stale").unwrap();
        fs::write(p("app.20250102T000000.000.log.gz.age"), b"maybe partial").unwrap();
        fs::write(p("app.20250103T000000.000.log"), b"third\n").unwrap();
        fs::write(p("app.20250103T000000.000.log.gz.age.tmp"), b"junk").unwrap();
        fs::write(p("app.20250104T000000.000.log"), b"fourth\n").unwrap();
        let rotation = RotationConfig {
            compress: true,
            backup_count: Some(3),
            encryption: Some(enc),
            ..RotationConfig::default()
        };
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(dir.path(), "app", &rotation);
        hk.shutdown(Duration::from_secs(30));
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "app.20250102T000000.000.log.gz.age",
                "app.20250103T000000.000.log.gz.age",
                "app.20250104T000000.000.log.gz.age",
            ]
        );
        let gunzip = |b: Vec<u8>| {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&b[..])
                .read_to_end(&mut out)
                .map(|_| out)
        };
        // The .gz left beside its .gz.age was encrypted again over it.
        let second = decrypt(&p("app.20250102T000000.000.log.gz.age"), &id);
        assert_eq!(second, b"stale");
        for (name, text) in [("20250103", "third\n"), ("20250104", "fourth\n")] {
            let sealed = p(&format!("app.{name}T000000.000.log.gz.age"));
            assert_eq!(gunzip(decrypt(&sealed, &id)).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn cancel_keeps_the_source_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let mut enc = Encryption::recipients([id.to_public().to_string()]);
        enc.resolve("encryption").unwrap();
        let src = dir.path().join("app.20250101T000000.000.log");
        fs::write(&src, b"line\n").unwrap();
        assert!(seal(&src, enc.sealer().unwrap(), &AtomicBool::new(true)).is_err());
        assert_eq!(fs::read(&src).unwrap(), b"line\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn bad_keys_are_named() {
        let e = Encryption::recipients(["age1nope"])
            .resolve("encryption")
            .unwrap_err();
        assert!(
            e.contains("\"age1nope\"") && e.contains("age-keygen"),
            "{e}"
        );
        let e = Encryption::recipients(Vec::<String>::new())
            .resolve("encryption")
            .unwrap_err();
        assert!(e.contains("no recipient"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("recipients.txt");
        let good = age::x25519::Identity::generate().to_public().to_string();
        fs::write(&f, format!("# ops\n{good}\n\nnot-a-key\n")).unwrap();
        let e = Encryption::recipients_file(&f)
            .resolve("encryption")
            .unwrap_err();
        assert!(e.contains("recipients.txt:4"), "{e}");
        let e = Encryption::recipients_file(dir.path().join("missing"))
            .resolve("encryption")
            .unwrap_err();
        assert!(e.contains("cannot read") && e.contains("missing"), "{e}");
        let e = Encryption::passphrase(" ")
            .resolve("encryption")
            .unwrap_err();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn debug_hides_the_passphrase() {
        let mut enc = Encryption::passphrase("hunter2");
        assert!(!format!("{enc:?}").contains("hunter2"));
        enc.resolve("encryption").unwrap();
        match enc.sealer() {
            Some(Sealer::Passphrase(p)) => assert_eq!(p.expose_secret(), "hunter2"),
            _ => panic!("a passphrase sealer"),
        }
    }
}
