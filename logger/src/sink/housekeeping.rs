//! Housekeeping of rotated files, on a background thread of its own
//! (`logger-housekeeping`), never on the flusher.
//!
//! A sweep of one destination (`<dir>`, `<name>`) runs after each rotation
//! and once when the file is opened (over files left by earlier runs). It
//! looks only at files whose names parse as rotated files of exactly that
//! name (see [`parse_rotated`]); anything else in the directory, including
//! the active `<name>.log` and other destinations' files, is never touched.
//! The active file of every destination is also registered
//! ([`HousekeeperHandle::protect`]) and skipped by every sweep, even where
//! its name would parse as another destination's rotated file (`install()`
//! refuses such names too).
//! Newest first, each rotated file (plain `.log` or `.log.gz`) is:
//!
//! 1. deleted if `backup_count` newer ones are already kept, or if it is
//!    older than `retention_days` (its age is the rotation instant in its
//!    name; the file's mtime when that is not a valid date);
//! 2. otherwise, with `compress`, gzipped if still plain: written to
//!    `<rotated>.gz.tmp`, fsynced, renamed to `<rotated>.gz`, and only then
//!    is `<rotated>` deleted. A `.gz.tmp` left by a crash is deleted; a plain
//!    file left beside its `.gz` is compressed again.
//!
//! 3. then, with `encryption`, encrypted if not yet (the `.gz` when
//!    compressing, else the plain file): see [`super::encrypt`] for the
//!    order of writes that never leaves neither copy. A `.age.tmp` left by a
//!    crash is deleted, and the file it came from encrypted again.
//!
//! Compressed and encrypted files keep the mode of the file they came from.
//!
//! # Archive
//!
//! With `archive_after_days`, a rotated file older than that (and within
//! `backup_count` and `retention_days`) is moved into `<dir>/archive/`
//! (created with the files' mode plus `x` where it has `r`: `0750` for
//! `0640`) instead of step 2 and 3, gzipped whatever `compress` says:
//! a plain file is compressed straight into `archive/<rotated>.log.gz`
//! (through `.gz.tmp`, fsynced, renamed, the archive directory fsynced,
//! then the plain file deleted), a `.gz` or an encrypted file is renamed
//! there (a file encrypted before it was compressed stays as it is). With
//! `encryption`, the archived `.gz` is then encrypted in place. Archived
//! files count for `backup_count` and age out with `retention_days` like
//! the others; a sweep lists both directories, so a move interrupted by a
//! crash is finished by the next one.
//!
//! Destinations with `retention_days` or `archive_after_days` are swept
//! again after an hour without jobs, so rotated files age out even when
//! nothing rotates.
//!
//! Errors are counted and reported through [`report_io_error`]; the thread
//! never panics on them and goes on with the next file.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::encrypt::{Sealer, seal};
use super::rotation::{RotatedKind, parse_rotated, with_suffix};
use crate::config::RotationConfig;
use crate::fault::report_io_error;
use crate::metrics::{COUNTERS, Counters};

/// Bytes read from the rotated file per compression step.
const CHUNK: usize = 64 * 1024;
/// Idle time after which destinations with a retention limit are swept again.
const RESWEEP_EVERY: Duration = Duration::from_secs(3600);
/// The folder of archived files, inside the log directory.
pub(crate) const ARCHIVE_DIR: &str = "archive";

/// The housekeeping thread. Stop it with [`Housekeeper::shutdown`]; dropping
/// it lets the thread finish its queue and exit on its own.
pub(crate) struct Housekeeper {
    /// Sender of the queue; `None` once stopped.
    tx: Option<Sender<Msg>>,
    /// Signalled by the thread when it exits.
    done: Receiver<()>,
    /// The thread, joined by `shutdown` when it finished in time.
    thread: Option<JoinHandle<()>>,
    /// Set when `shutdown` gives up waiting: the thread stops at its next
    /// check (between files and between chunks of a compression).
    cancel: Arc<AtomicBool>,
    /// Active files of every destination: never deleted or compressed.
    active: Active,
}

/// Paths of the active files, shared by the handles and the thread.
type Active = Arc<Mutex<Vec<PathBuf>>>;

/// A cheap clonable handle that submits jobs to the [`Housekeeper`].
#[derive(Clone)]
pub(crate) struct HousekeeperHandle {
    /// Sender of the housekeeper's queue.
    tx: Sender<Msg>,
    /// Active files of every destination.
    active: Active,
}

/// A message to the housekeeping thread.
enum Msg {
    /// Sweep one destination.
    Sweep(Sweep),
    /// Reply once every earlier message is handled.
    #[cfg(test)]
    Barrier(Sender<()>),
    /// Exit after every earlier message is handled.
    Stop,
}

/// One destination to sweep: its directory, base name and policy.
struct Sweep {
    /// Directory of the files.
    dir: PathBuf,
    /// Base name: rotated files are `<name>.<stamp>.log[.gz]`.
    name: String,
    /// Backup count, retention, compression and time zone.
    rotation: RotationConfig,
}

impl Housekeeper {
    /// Spawns the housekeeping thread, named `logger-housekeeping`.
    pub(crate) fn start() -> io::Result<Housekeeper> {
        let (tx, rx) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let active: Active = Arc::default();
        let protected = Arc::clone(&active);
        let thread = thread::Builder::new()
            .name("logger-housekeeping".to_string())
            .spawn(move || {
                work(&rx, &flag, &protected);
                let _ = done_tx.send(());
            })?;
        Ok(Housekeeper {
            tx: Some(tx),
            done,
            thread: Some(thread),
            cancel,
            active,
        })
    }

    /// A handle to submit jobs with. Jobs submitted after shutdown are
    /// dropped (the next start-up sweep does their work).
    pub(crate) fn handle(&self) -> HousekeeperHandle {
        let tx = match &self.tx {
            Some(tx) => tx.clone(),
            // Stopped: a sender whose receiver is gone drops every job.
            None => mpsc::channel().0,
        };
        HousekeeperHandle {
            tx,
            active: Arc::clone(&self.active),
        }
    }

    /// Finishes the queued jobs, waiting at most `timeout`, then stops the
    /// thread. If the time runs out, the job in progress is abandoned at its
    /// next check (a partial `.gz.tmp` is deleted, the plain file kept) and
    /// the thread is left to exit on its own.
    pub(crate) fn shutdown(mut self, timeout: Duration) {
        let Some(tx) = self.tx.take() else { return };
        let _ = tx.send(Msg::Stop);
        match self.done.recv_timeout(timeout) {
            Err(RecvTimeoutError::Timeout) => self.cancel.store(true, Relaxed),
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                if let Some(thread) = self.thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }

    /// Waits until every job submitted so far is done (tests only).
    #[cfg(test)]
    pub(crate) fn wait_idle(&self, timeout: Duration) -> bool {
        let (ack_tx, ack) = mpsc::channel();
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send(Msg::Barrier(ack_tx)).is_ok());
        sent && ack.recv_timeout(timeout).is_ok()
    }
}

impl Drop for Housekeeper {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Msg::Stop);
        }
    }
}

impl HousekeeperHandle {
    /// Registers `path` as a destination's active file: no sweep of any
    /// destination deletes or compresses it.
    pub(crate) fn protect(&self, path: &Path) {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        if !active.iter().any(|p| p == path) {
            active.push(path.to_path_buf());
        }
    }

    /// Queues a sweep of the rotated files `<dir>/<name>.*` under `rotation`.
    /// Never blocks; does nothing once the housekeeper has stopped.
    pub(crate) fn sweep(&self, dir: &Path, name: &str, rotation: &RotationConfig) {
        let _ = self.tx.send(Msg::Sweep(Sweep {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            rotation: rotation.clone(),
        }));
    }
}

/// The thread's loop: handle messages in order until `Stop` or cancel.
/// While idle, re-sweeps every destination with a retention limit once per
/// [`RESWEEP_EVERY`], so files age out even when nothing rotates.
fn work(rx: &Receiver<Msg>, cancel: &AtomicBool, active: &Mutex<Vec<PathBuf>>) {
    let mut aging: Vec<Sweep> = Vec::new();
    loop {
        match rx.recv_timeout(RESWEEP_EVERY) {
            Ok(Msg::Sweep(job)) => {
                sweep(&job, cancel, active);
                aging.retain(|j| (&j.dir, &j.name) != (&job.dir, &job.name));
                let r = &job.rotation;
                if r.retention_days.is_some() || r.archive_after_days.is_some() {
                    aging.push(job);
                }
            }
            #[cfg(test)]
            Ok(Msg::Barrier(ack)) => {
                let _ = ack.send(());
            }
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                aging.iter().for_each(|job| sweep(job, cancel, active))
            }
        }
        if cancel.load(Relaxed) {
            return;
        }
    }
}

/// One rotated file, plain, compressed or both (a crash between the rename
/// of the `.gz` and the deletion of the plain file).
#[derive(Default)]
struct Backup {
    /// `<name>.<stamp>.log`, if present.
    plain: Option<PathBuf>,
    /// `<name>.<stamp>.log.gz`, if present.
    gz: Option<PathBuf>,
    /// `<name>.<stamp>.log.age` and `.log.gz.age`, if present.
    sealed: Vec<PathBuf>,
    /// Its files in `archive/`, whatever their form.
    archived: Vec<(PathBuf, RotatedKind)>,
    /// Rotation instant from the name, in ms since the epoch (UTC).
    name_ms: Option<i64>,
}

/// Enforces count and age, then compresses the survivors, newest first.
fn sweep(job: &Sweep, cancel: &AtomicBool, active: &Mutex<Vec<PathBuf>>) {
    let backups = match list(job, active) {
        Ok(b) => b,
        Err(e) => {
            report_io_error(&format!("housekeeping: listing {}", job.dir.display()), &e);
            return;
        }
    };
    let days_ago = |days: u32| now_ms().saturating_sub(i64::from(days) * 86_400_000);
    let cutoff_ms = job.rotation.retention_days.map(days_ago);
    let archive_ms = job.rotation.archive_after_days.map(days_ago);
    for (kept, backup) in backups.values().rev().enumerate() {
        if cancel.load(Relaxed) {
            return;
        }
        let over_count = job.rotation.backup_count.is_some_and(|n| kept >= n);
        let expired = cutoff_ms.is_some_and(|cut| age_ms(backup).is_some_and(|t| t < cut));
        let archive_due = archive_ms.is_some_and(|cut| age_ms(backup).is_some_and(|t| t <= cut));
        if over_count || expired {
            let archived = backup.archived.iter().map(|(p, _)| p);
            for path in backup
                .plain
                .iter()
                .chain(&backup.gz)
                .chain(&backup.sealed)
                .chain(archived)
            {
                if let Err(e) = fs::remove_file(path) {
                    report_io_error(&format!("housekeeping: deleting {}", path.display()), &e);
                }
            }
        } else if archive_due {
            archive(backup, job, cancel);
        } else {
            if let (true, Some(plain)) = (job.rotation.compress, &backup.plain) {
                let result = compress(plain, cancel);
                if let (Err(e), false) = (result, cancel.load(Relaxed)) {
                    let what = format!("housekeeping: compressing {}", plain.display());
                    report_io_error(&what, &e);
                }
            }
            if let Some(sealer) = job.rotation.encryption.as_ref().and_then(|e| e.sealer()) {
                seal_backup(backup, job.rotation.compress, sealer, cancel);
            }
        }
    }
}

/// The rotated files of the job's destination, oldest first (by the
/// rotation instant in the name, then the collision suffix). Deletes the
/// `.gz.tmp` files left by an interrupted compression on the way.
fn list(job: &Sweep, active: &Mutex<Vec<PathBuf>>) -> io::Result<BTreeMap<(String, u32), Backup>> {
    let active = active
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut backups: BTreeMap<(String, u32), Backup> = BTreeMap::new();
    let archive = job.dir.join(ARCHIVE_DIR);
    let archived = match fs::read_dir(&archive) {
        Ok(entries) => Some(entries),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let entries = fs::read_dir(&job.dir)?.map(|e| (false, e));
    for (in_archive, entry) in entries.chain(archived.into_iter().flatten().map(|e| (true, e))) {
        // An entry that cannot be read is skipped, not guessed at.
        let Ok(entry) = entry else { continue };
        let file_name = entry.file_name();
        let Some(parsed) = file_name.to_str().and_then(|f| parse_rotated(&job.name, f)) else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if active.contains(&path) {
            // Another destination's active file.
            continue;
        }
        if parsed.kind == RotatedKind::Partial {
            if let Err(e) = fs::remove_file(&path) {
                report_io_error(&format!("housekeeping: deleting {}", path.display()), &e);
            }
            continue;
        }
        let backup = backups
            .entry((parsed.stamp.to_string(), parsed.seq))
            .or_default();
        backup.name_ms = parsed.utc_ms(job.rotation.time_zone);
        if in_archive {
            backup.archived.push((path, parsed.kind));
            continue;
        }
        match parsed.kind {
            RotatedKind::Plain => backup.plain = Some(path),
            RotatedKind::Sealed => backup.sealed.push(path),
            _ => backup.gz = Some(path),
        }
    }
    Ok(backups)
}

/// Encrypts what is left unencrypted of a backup (after compression when
/// `compress`: the `.gz`, never the plain file still waiting for it).
fn seal_backup(backup: &Backup, compress: bool, sealer: &Sealer, cancel: &AtomicBool) {
    let plain = backup.plain.as_ref().filter(|_| !compress);
    let gz = match (&backup.gz, &backup.plain) {
        (Some(gz), _) => Some(gz.clone()),
        (None, Some(plain)) if compress => Some(with_suffix(plain, ".gz")),
        _ => None,
    };
    for source in plain.into_iter().chain(gz.as_ref()) {
        if cancel.load(Relaxed) || !source.is_file() {
            continue;
        }
        if let (Err(e), false) = (seal(source, sealer, cancel), cancel.load(Relaxed)) {
            report_io_error(
                &format!("housekeeping: encrypting {}", source.display()),
                &e,
            );
        }
    }
}

/// Moves a backup into `archive/`, gzipped, then encrypts what is there
/// with `encryption` (see the module documentation).
fn archive(backup: &Backup, job: &Sweep, cancel: &AtomicBool) {
    let dir = job.dir.join(ARCHIVE_DIR);
    let mode = job.rotation.file_mode;
    if let Err(e) = super::permissions::create_dir_all(&dir, mode | ((mode & 0o444) >> 2)) {
        report_io_error(&format!("housekeeping: creating {}", dir.display()), &e);
        return;
    }
    let into = |p: &Path| dir.join(p.file_name().unwrap_or_default());
    let mut archived: Vec<(PathBuf, RotatedKind)> = backup.archived.clone();
    let mut moved = |from: &Path, kind: RotatedKind, result: io::Result<PathBuf>| match result {
        Ok(to) => archived.push((to, kind)),
        Err(e) if !cancel.load(Relaxed) => {
            let what = format!("housekeeping: archiving {}", from.display());
            report_io_error(&what, &e);
        }
        Err(_) => {}
    };
    if let Some(plain) = &backup.plain {
        // Compressed again even beside its `.gz`: only the plain file is
        // sure to be whole (see `compress`).
        let gz = with_suffix(&into(plain), ".gz");
        let result = gzip_to(plain, &gz, cancel).map(|()| gz);
        let done = result.is_ok();
        moved(plain, RotatedKind::Gz, result);
        if let (true, Some(stale)) = (done, &backup.gz) {
            if let Err(e) = fs::remove_file(stale) {
                report_io_error(&format!("housekeeping: deleting {}", stale.display()), &e);
            }
        }
    } else if let Some(gz) = &backup.gz {
        moved(gz, RotatedKind::Gz, rename_into(gz, &into(gz)));
    }
    for sealed in &backup.sealed {
        moved(
            sealed,
            RotatedKind::Sealed,
            rename_into(sealed, &into(sealed)),
        );
    }
    let Some(sealer) = job.rotation.encryption.as_ref().and_then(|e| e.sealer()) else {
        return;
    };
    for (gz, _) in archived.iter().filter(|(_, k)| *k == RotatedKind::Gz) {
        if cancel.load(Relaxed) || !gz.is_file() {
            continue;
        }
        if let (Err(e), false) = (seal(gz, sealer, cancel), cancel.load(Relaxed)) {
            report_io_error(&format!("housekeeping: encrypting {}", gz.display()), &e);
        }
    }
}

/// Renames `from` to `to` (in `archive/`, the same file system), then
/// fsyncs the archive directory; returns `to`.
fn rename_into(from: &Path, to: &Path) -> io::Result<PathBuf> {
    fs::rename(from, to)?;
    if let Some(dir) = to.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(to.to_path_buf())
}

/// Age reference of a backup: the instant in its name, else its mtime.
fn age_ms(backup: &Backup) -> Option<i64> {
    backup.name_ms.or_else(|| {
        let path = backup
            .plain
            .iter()
            .chain(&backup.gz)
            .chain(&backup.sealed)
            .chain(backup.archived.iter().map(|(p, _)| p))
            .next()?;
        let mtime = fs::metadata(path).ok()?.modified().ok()?;
        Some(mtime.duration_since(UNIX_EPOCH).ok()?.as_millis() as i64)
    })
}

/// Now, in ms since the epoch.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Gzips `plain` into `<plain>.gz` (through `<plain>.gz.tmp`, fsynced and
/// renamed), then deletes `plain`. The `.gz` keeps the plain file's mtime.
/// On error or cancel, the temporary file is deleted and `plain` kept.
fn compress(plain: &Path, cancel: &AtomicBool) -> io::Result<()> {
    gzip_to(plain, &with_suffix(plain, ".gz"), cancel)
}

/// Gzips `plain` into `gz` (through `<gz>.tmp`), then deletes `plain`:
/// see [`transform_to`].
fn gzip_to(plain: &Path, gz: &Path, cancel: &AtomicBool) -> io::Result<()> {
    // Fast compression: this thread shares the machine with the trading
    // process, and log lines compress well even at level 1.
    let before = std::fs::metadata(plain).map_or(0, |m| m.len());
    let mut after = 0;
    transform_to(
        plain,
        gz,
        cancel,
        |out| Ok(GzEncoder::new(out, Compression::fast())),
        |gz| {
            let file = gz.finish()?;
            after = file.metadata().map_or(0, |m| m.len());
            Ok(file)
        },
    )?;
    Counters::add(&COUNTERS.compressed_in, before);
    Counters::add(&COUNTERS.compressed_out, after);
    Ok(())
}

/// Replaces `source` by `<source><suffix>`, the bytes of `source` streamed
/// through the writer `wrap` makes (and `finish` closes): written to
/// `<source><suffix>.tmp`, which gets the source's permission bits (created
/// with them, never wider, then set exactly, whatever the umask) and mtime,
/// is `fsync`ed, renamed, the directory `fsync`ed, then `source` deleted.
/// On error or cancel, the temporary file is deleted and `source` kept.
pub(super) fn replace_transformed<W: Write>(
    source: &Path,
    suffix: &str,
    cancel: &AtomicBool,
    wrap: impl FnOnce(File) -> io::Result<W>,
    finish: impl FnOnce(W) -> io::Result<File>,
) -> io::Result<()> {
    transform_to(source, &with_suffix(source, suffix), cancel, wrap, finish)
}

/// [`replace_transformed`] into any `dest` (in the same directory or in
/// `archive/`): written to `<dest>.tmp`, renamed to `dest`, the
/// directory of `dest` fsynced, then `source` deleted.
fn transform_to<W: Write>(
    source: &Path,
    dest: &Path,
    cancel: &AtomicBool,
    wrap: impl FnOnce(File) -> io::Result<W>,
    finish: impl FnOnce(W) -> io::Result<File>,
) -> io::Result<()> {
    let tmp = with_suffix(dest, ".tmp");
    let result = write_transformed(source, &tmp, cancel, wrap, finish).and_then(|()| {
        fs::rename(&tmp, dest)?;
        if let Some(dir) = dest.parent() {
            // Make the rename durable before the only other copy goes.
            File::open(dir)?.sync_all()?;
        }
        fs::remove_file(source)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes `source` through the writer `wrap` makes to `tmp` and fsyncs it.
fn write_transformed<W: Write>(
    source: &Path,
    tmp: &Path,
    cancel: &AtomicBool,
    wrap: impl FnOnce(File) -> io::Result<W>,
    finish: impl FnOnce(W) -> io::Result<File>,
) -> io::Result<()> {
    let mut src = File::open(source)?;
    let meta = src.metadata()?;
    let mtime = meta.modified().ok();
    let out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(meta.permissions().mode() & 0o7777)
        .open(tmp)?;
    out.set_permissions(meta.permissions())?;
    let mut writer = wrap(out)?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        if cancel.load(Relaxed) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "housekeeping cancelled",
            ));
        }
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        writer.write_all(&buf[..n])?;
    }
    let out = finish(writer)?;
    if let Some(t) = mtime {
        let _ = out.set_modified(t);
    }
    out.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;

    fn config(compress: bool) -> RotationConfig {
        RotationConfig {
            compress,
            ..RotationConfig::default()
        }
    }

    #[test]
    fn gzip_round_trip_deletes_plain_and_temp() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("app.20250101T000000.000.log");
        let bytes: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        fs::write(&plain, &bytes).unwrap();
        // A temporary file left by an earlier, interrupted compression.
        fs::write(
            dir.path().join("app.20240101T000000.000.log.gz.tmp"),
            b"junk",
        )
        .unwrap();
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(dir.path(), "app", &config(true));
        assert!(hk.wait_idle(Duration::from_secs(30)));
        hk.shutdown(Duration::from_secs(30));
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["app.20250101T000000.000.log.gz"]);
        let gz = File::open(dir.path().join(&names[0])).unwrap();
        let mut out = Vec::new();
        GzDecoder::new(gz).read_to_end(&mut out).unwrap();
        assert_eq!(out, bytes);
    }

    #[test]
    fn gz_keeps_the_mode_of_the_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        for (n, mode) in [
            ("app.20250101T000000.000.log", 0o600),
            ("app.20250102T000000.000.log", 0o640),
        ] {
            let plain = dir.path().join(n);
            fs::write(&plain, b"secret\n").unwrap();
            fs::set_permissions(&plain, fs::Permissions::from_mode(mode)).unwrap();
        }
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(dir.path(), "app", &config(true));
        hk.shutdown(Duration::from_secs(30));
        for (n, mode) in [
            ("app.20250101T000000.000.log.gz", 0o600),
            ("app.20250102T000000.000.log.gz", 0o640),
        ] {
            let m = fs::metadata(dir.path().join(n)).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, mode, "{n}");
        }
    }

    #[test]
    fn another_destinations_active_file_is_never_touched() {
        // An errors file named like a rotated file of `app`, and retention
        // that would delete it.
        let dir = tempfile::tempdir().unwrap();
        let errors = dir.path().join("app.20200301T000000.000.log");
        fs::write(&errors, b"{\"level\":\"ERROR\"}\n").unwrap();
        let old = dir.path().join("app.20200302T000000.000.log");
        fs::write(&old, b"old\n").unwrap();
        let hk = Housekeeper::start().unwrap();
        let handle = hk.handle();
        handle.protect(&errors);
        let rotation = RotationConfig {
            retention_days: Some(1),
            ..config(true)
        };
        handle.sweep(dir.path(), "app", &rotation);
        hk.shutdown(Duration::from_secs(30));
        assert_eq!(fs::read(&errors).unwrap(), b"{\"level\":\"ERROR\"}\n");
        assert!(
            !old.exists(),
            "a real rotated file past retention is deleted"
        );
    }

    #[test]
    fn plain_left_beside_its_gz_is_compressed_again() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("app.20250101T000000.000.log");
        fs::write(&plain, b"whole\n").unwrap();
        fs::write(with_suffix(&plain, ".gz"), b"stale").unwrap();
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(dir.path(), "app", &config(true));
        hk.shutdown(Duration::from_secs(30));
        assert!(!plain.exists());
        let mut out = Vec::new();
        GzDecoder::new(File::open(with_suffix(&plain, ".gz")).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"whole\n");
    }

    #[test]
    fn backup_count_counts_plain_and_gz_alike() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "app.20250101T000000.000.log.gz",
            "app.20250102T000000.000.log",
            "app.20250102T000000.000-1.log.gz",
            "app.20250102T000000.000-2.log",
            "app.20250103T000000.000.log",
        ];
        for n in names {
            fs::write(dir.path().join(n), b"x\n").unwrap();
        }
        let hk = Housekeeper::start().unwrap();
        let rotation = RotationConfig {
            backup_count: Some(3),
            ..config(false)
        };
        hk.handle().sweep(dir.path(), "app", &rotation);
        hk.shutdown(Duration::from_secs(30));
        for (i, n) in names.iter().enumerate() {
            assert_eq!(dir.path().join(n).exists(), i >= 2, "{n}");
        }
    }

    #[test]
    fn shutdown_after_drop_of_handles_and_submit_after_shutdown() {
        let hk = Housekeeper::start().unwrap();
        let handle = hk.handle();
        hk.shutdown(Duration::from_secs(5));
        // Dropped silently.
        handle.sweep(Path::new("/nonexistent"), "app", &config(false));
    }

    #[test]
    fn missing_directory_is_reported_not_fatal() {
        let hk = Housekeeper::start().unwrap();
        hk.handle()
            .sweep(Path::new("/nonexistent/dir"), "app", &config(true));
        assert!(hk.wait_idle(Duration::from_secs(5)));
        hk.shutdown(Duration::from_secs(5));
    }

    fn gunzip(path: &Path) -> Vec<u8> {
        let mut out = Vec::new();
        GzDecoder::new(File::open(path).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// A rotated name of `name` stamped now.
    fn fresh(name: &str) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        super::super::rotation::rotated_file_name(
            name,
            crate::config::TimeZone::Utc,
            now.as_nanos() as u64,
            0,
        )
    }

    #[test]
    fn archive_moves_old_rotated_files_gzipped_and_leaves_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let recent = fresh("app");
        fs::write(d.join("app.20200101T000000.000.log"), b"plain old\n").unwrap();
        fs::set_permissions(
            d.join("app.20200101T000000.000.log"),
            fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(b"gz old\n").unwrap();
        fs::write(
            d.join("app.20200102T000000.000.log.gz"),
            gz.finish().unwrap(),
        )
        .unwrap();
        fs::write(d.join(&recent), b"recent\n").unwrap();
        fs::write(d.join("trades.20200101T000000.000.log"), b"other\n").unwrap();
        fs::write(d.join("app.log"), b"active\n").unwrap();
        let rotation = RotationConfig {
            archive_after_days: Some(7),
            ..config(false)
        };
        let hk = Housekeeper::start().unwrap();
        hk.handle().protect(&d.join("app.log"));
        hk.handle().sweep(d, "app", &rotation);
        hk.shutdown(Duration::from_secs(30));
        let mut expected = vec![
            "app.log".to_string(),
            "archive".into(),
            "trades.20200101T000000.000.log".into(),
            recent.clone(),
        ];
        expected.sort();
        assert_eq!(names_in(d), expected);
        let a = d.join(ARCHIVE_DIR);
        assert_eq!(
            names_in(&a),
            [
                "app.20200101T000000.000.log.gz",
                "app.20200102T000000.000.log.gz"
            ]
        );
        assert_eq!(
            gunzip(&a.join("app.20200101T000000.000.log.gz")),
            b"plain old\n"
        );
        assert_eq!(
            gunzip(&a.join("app.20200102T000000.000.log.gz")),
            b"gz old\n"
        );
        // The archived file keeps its mode; the folder gets x where r is.
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&a.join("app.20200101T000000.000.log.gz")), 0o600);
        assert_eq!(mode(&a), 0o750);
        assert_eq!(fs::read(d.join(&recent)).unwrap(), b"recent\n");
    }

    #[test]
    fn archive_at_zero_days_takes_every_rotated_file_and_retention_deletes_archived_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = d.join(ARCHIVE_DIR);
        fs::create_dir(&a).unwrap();
        let recent = fresh("errors");
        // Archived long ago (past retention), a crash's leftovers (a
        // partial .gz.tmp; a plain file whose archived .gz was renamed but
        // which was not deleted yet), and a file rotated now.
        fs::write(a.join("errors.20200101T000000.000.log.gz"), b"expired").unwrap();
        fs::write(a.join(format!("{recent}.gz.tmp")), b"junk").unwrap();
        fs::write(a.join(format!("{recent}.gz")), b"stale").unwrap();
        fs::write(d.join(&recent), b"whole\n").unwrap();
        let rotation = RotationConfig {
            archive_after_days: Some(0),
            retention_days: Some(30),
            ..config(false)
        };
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(d, "errors", &rotation);
        hk.shutdown(Duration::from_secs(30));
        assert_eq!(names_in(d), ["archive"]);
        assert_eq!(names_in(&a), [format!("{recent}.gz")]);
        assert_eq!(gunzip(&a.join(format!("{recent}.gz"))), b"whole\n");
    }

    #[test]
    fn backup_count_counts_archived_files_too() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = d.join(ARCHIVE_DIR);
        fs::create_dir(&a).unwrap();
        fs::write(a.join("perf.20200101T000000.000.log.gz"), b"1").unwrap();
        fs::write(a.join("perf.20200102T000000.000.log.gz"), b"2").unwrap();
        let recent = fresh("perf");
        fs::write(d.join(&recent), b"3\n").unwrap();
        let rotation = RotationConfig {
            archive_after_days: Some(7),
            backup_count: Some(2),
            ..config(true)
        };
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(d, "perf", &rotation);
        hk.shutdown(Duration::from_secs(30));
        assert_eq!(names_in(&a), ["perf.20200102T000000.000.log.gz"]);
        assert_eq!(names_in(d), ["archive".to_string(), format!("{recent}.gz")]);
    }

    #[test]
    fn archived_files_are_encrypted_with_encryption_on() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let id = age::x25519::Identity::generate();
        let mut enc = crate::Encryption::recipients([id.to_public().to_string()]);
        enc.resolve("encryption").unwrap();
        fs::write(d.join("app.20200101T000000.000.log"), b"secret\n").unwrap();
        let rotation = RotationConfig {
            archive_after_days: Some(1),
            encryption: Some(enc),
            ..config(false)
        };
        let hk = Housekeeper::start().unwrap();
        hk.handle().sweep(d, "app", &rotation);
        hk.shutdown(Duration::from_secs(30));
        let a = d.join(ARCHIVE_DIR);
        assert_eq!(names_in(&a), ["app.20200101T000000.000.log.gz.age"]);
        let sealed = File::open(a.join("app.20200101T000000.000.log.gz.age")).unwrap();
        let decryptor = age::Decryptor::new(sealed).unwrap();
        let mut r = decryptor
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .unwrap();
        let mut gz = Vec::new();
        r.read_to_end(&mut gz).unwrap();
        let mut out = Vec::new();
        GzDecoder::new(&gz[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"secret\n");
    }
}
