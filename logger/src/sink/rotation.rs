//! The active file of one destination, its rotation by size and by time,
//! and the names of rotated files.
//!
//! # Naming
//!
//! - The active file is `<dir>/<name>.log`.
//! - On rotation it is renamed, once, to
//!   `<dir>/<name>.<YYYYMMDD>T<HHMMSS>.<mmm>.log`: the rotation instant (the
//!   timestamp of the record that triggered it) in the configured
//!   [`TimeZone`], to the millisecond. If that name (or its `.gz`) exists,
//!   `_0001`, `_0002`, ... (four digits) is added before `.log`.
//! - A rotated file is never renamed again. Housekeeping may replace it by
//!   `<rotated>.gz` (written as `<rotated>.gz.tmp`, then renamed), and
//!   that (or the plain file) by `<...>.age` (through `<...>.age.tmp`).
//!
//! Names sort chronologically in plain byte order (`ls`, `sort`, a glob):
//! within one millisecond `.000.log` comes first, then `.000_0001.log`,
//! `.000_0002.log`, ... (`'.'` sorts before `'_'`, and the suffix has a
//! fixed width). Names of earlier versions, `.000-1.log`, `.000-2.log`,
//! ... (which sorted before `.000.log`), are still recognised by backup
//! count and retention; [`parse_rotated`] gives the key that sorts both.
//!
//! # Rotation
//!
//! Before a line is written, the file rotates when the line would take a
//! non-empty file past `max_bytes` (a line is never split, so a single line
//! larger than the limit gets a file of its own), or when the line's
//! timestamp is at or after the end of the current period. Periods are
//! hours, days, or multiples of an interval counted from local midnight, in
//! the configured time zone; an `Every` period that does not divide the day
//! ends at midnight. An empty file is not rotated.
//!
//! # Opening and recovery
//!
//! Opening repairs a file left by a crash (see [`AppendFile::open`]). With
//! time rotation, a non-empty file last written in an earlier period is
//! rotated right away (named by its mtime), so a period's file holds only
//! that period. A retention sweep over earlier runs' rotated files is then
//! queued to the housekeeper.
//!
//! After an I/O error the file is closed and appends fail fast; at most once
//! per second an append reopens `<name>.log` (repairing it), so logging
//! resumes when disk space or the directory comes back.
//!
//! # Other processes
//!
//! Before each batch is written, the file is checked (`fstat`) for what
//! another process may have done: truncated (`truncate -s 0`, logrotate's
//! `copytruncate`), writing goes on from its new end; unlinked (also what
//! a replacement by `mv` does to it), the batch goes into a newly created
//! `<name>.log` instead. Once per second of record time the active file is
//! also checked to still be the one at `<dir>/<name>.log` (a rename away,
//! a hard-linked replacement); if not, it is reopened. Each such change is
//! counted (`metrics().files_changed_externally`), said on stderr, and
//! said again in a `WARN` record of the logger's own (target `logger`)
//! written into the file once it works again, see [`RotatingFile::take_notices`].

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::append_file::{AppendFile, PUBLISH_AT, Unwritten};
use super::housekeeping::{Housekeeper, HousekeeperHandle};
use super::permissions;
use crate::civil_time::{civil, civil_from_days, utc_offset_secs};
use crate::config::{RotationConfig, TimeRotation, TimeZone};
use crate::fault::{self, report_io_error};
use crate::metrics::{COUNTERS, Counters};

/// Nanoseconds per second.
const NS: u64 = 1_000_000_000;
/// Nanoseconds per day.
const DAY_NS: i128 = 86_400 * NS as i128;
/// Least time between two recovery attempts after an error.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Record time between two checks that the active file is still in place.
const CHECK_EVERY_NS: u64 = NS;
/// Most collision suffixes tried for one rotated name.
const MAX_SUFFIX: u32 = 9999;

/// Where [`RotatingFile::append_with`] left the line it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placed {
    /// In the file's batch buffer, from this offset to its end (see
    /// [`RotatingFile::buffered`]).
    Buffered(usize),
    /// In the `spill` buffer passed in (appended from there).
    Spilled,
    /// Nowhere: the writer gave up (returned false) and what it wrote was
    /// taken back.
    Refused,
}

/// Lines written one after another straight into a file's batch buffer
/// ([`RotatingFile::direct`]): for each, what [`RotatingFile::append_with`]
/// does for a line it places there (the same checks: no in-place check,
/// rotation, reservation or write-out due), with the file's state read
/// once, and the lines and bytes counted once, when it is dropped. A line
/// that needs more is left to `append_with`.
pub(crate) struct DirectAppend<'f> {
    /// The file's batch buffer (see [`AppendFile::direct_buffer`]).
    buf: &'f mut Vec<u8>,
    unchecked_lines: &'f mut u64,
    /// Records stamped from `quiet_from` on, up to `quiet_len` ns later,
    /// are within [`CHECK_EVERY_NS`] of the last check (either way) and
    /// before the end of the period.
    quiet_from: u64,
    quiet_len: u64,
    /// The file's length (written and pending bytes), and what it was
    /// when these appends began.
    len: u64,
    len_before: u64,
    /// A line ending up to here needs neither a reservation nor a size
    /// rotation; past it, `reserved_end` and `max_bytes` say which.
    quiet_end: u64,
    reserved_end: u64,
    max_bytes: Option<u64>,
    /// Lines taken so far.
    lines: u64,
}

impl DirectAppend<'_> {
    /// Appends the line `write` appends to the batch buffer (one whole
    /// line, ending in `'\n'`) for a record of time `ts_ns`: `Some(true)`
    /// when it is in, `Some(false)` when `write` gave up (what it wrote is
    /// taken back), `None` when the line needs more than the copy (taken
    /// back too: [`RotatingFile::append_with`] does that).
    #[inline]
    pub(crate) fn append(
        &mut self,
        ts_ns: u64,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> Option<bool> {
        if ts_ns.wrapping_sub(self.quiet_from) >= self.quiet_len {
            return None;
        }
        let buf = &mut *self.buf;
        let start = buf.len();
        if start >= PUBLISH_AT {
            return None;
        }
        if !write(buf) {
            buf.truncate(start);
            return Some(false);
        }
        let len = (buf.len() - start) as u64;
        let used = self.len + len;
        if used > self.quiet_end {
            let size_due = self.max_bytes.is_some_and(|max| used > len && used > max);
            if size_due || used > self.reserved_end {
                buf.truncate(start);
                return None;
            }
        }
        self.len = used;
        self.lines += 1;
        Some(true)
    }
}

impl Drop for DirectAppend<'_> {
    fn drop(&mut self) {
        *self.unchecked_lines += self.lines;
        let bytes = self.len - self.len_before;
        if bytes > 0 {
            Counters::add(&COUNTERS.bytes_written, bytes);
        }
    }
}

/// The active file of one destination: appends, rotates, recovers.
///
/// Used by the flusher thread only; `Send`.
pub(crate) struct RotatingFile {
    /// Directory of the files.
    dir: PathBuf,
    /// Base name of the files.
    name: String,
    /// `<dir>/<name>.log`.
    path: PathBuf,
    /// Size and time limits, time zone, retention.
    rotation: RotationConfig,
    /// Bytes of disk blocks reserved ahead at a time.
    window_bytes: usize,
    /// The open file; `None` after an I/O error until recovered.
    file: Option<AppendFile>,
    /// UTC ns at which the current period ends (`u64::MAX`: never).
    period_end_ns: u64,
    /// Where rotated files are sent for compression and retention.
    housekeeper: HousekeeperHandle,
    /// After an I/O error: no reopen attempt before this instant.
    retry_at: Option<Instant>,
    /// After a failed rotation: no new attempt before this instant.
    rotate_retry_at: Option<Instant>,
    /// Record time of the last check that the file is still in place.
    last_check_ns: u64,
    /// Lines appended since the file was last found in place.
    unchecked_lines: u64,
    /// Lines appended to a file then found deleted, not yet taken by
    /// [`RotatingFile::take_lost_lines`].
    lost_lines: u64,
    /// Set by [`RotatingFile::close`].
    closed: bool,
    /// Millisecond and collision suffix of the last rotated name: the next
    /// name never sorts before it, even when the housekeeper has deleted
    /// that file (a freed name must not be reused by a newer file).
    last_rotated: Option<(u64, u32)>,
    /// What other processes did to the file, for the flusher's `WARN`
    /// records (see [`RotatingFile::take_notices`]).
    notices: Vec<String>,
}

impl RotatingFile {
    /// Opens (creating if needed) `<dir>/<name>.log`, repairing a file left
    /// by a crash, and queues a retention sweep over rotated files of
    /// earlier runs to the housekeeper.
    ///
    /// # Errors
    ///
    /// The file cannot be opened, read or truncated.
    pub(crate) fn open(
        dir: &Path,
        name: &str,
        rotation: &RotationConfig,
        window_bytes: usize,
        housekeeper: &Housekeeper,
    ) -> io::Result<RotatingFile> {
        let handle = housekeeper.handle();
        handle.protect(&dir.join(format!("{name}.log")));
        Self::open_at(dir, name, rotation, window_bytes, handle, system_now_ns())
    }

    /// [`RotatingFile::open`] with `now_ns` as the current time.
    fn open_at(
        dir: &Path,
        name: &str,
        rotation: &RotationConfig,
        window_bytes: usize,
        housekeeper: HousekeeperHandle,
        now_ns: u64,
    ) -> io::Result<RotatingFile> {
        let path = dir.join(format!("{name}.log"));
        // Before the repair, which may truncate and so touch the mtime.
        let mtime_ns = fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .map(system_time_ns);
        let file = permissions::open_log(&path, window_bytes, rotation.file_mode)?;
        let mut this = RotatingFile {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            path,
            rotation: rotation.clone(),
            window_bytes,
            file: Some(file),
            period_end_ns: period_end_ns(rotation.time, rotation.time_zone, now_ns),
            housekeeper,
            retry_at: None,
            rotate_retry_at: None,
            last_check_ns: now_ns,
            unchecked_lines: 0,
            lost_lines: 0,
            closed: false,
            last_rotated: None,
            notices: Vec::new(),
        };
        // With time rotation, a file last written in an ended period is
        // rotated now, named by its mtime.
        let stale =
            mtime_ns.filter(|&t| period_end_ns(rotation.time, rotation.time_zone, t) <= now_ns);
        if let Some(mtime_ns) = stale {
            match this.rotate(mtime_ns) {
                Ok(()) => {}
                Err(e) if this.file.is_none() => return Err(e),
                Err(e) => report_io_error(&format!("rotating {}", this.path.display()), &e),
            }
        }
        this.housekeeper
            .sweep(&this.dir, &this.name, &this.rotation);
        Ok(this)
    }

    /// Appends one whole line (ending in `'\n'`), rotating first if it is
    /// due. `ts_ns` is the record's UTC time in ns since the epoch, used as
    /// "now" for time rotation and for naming the rotated file.
    ///
    /// # Errors
    ///
    /// The line could not be written (no space, file or directory gone,
    /// or still waiting to retry after such an error); it is not in the file.
    pub(crate) fn append(&mut self, line: &[u8], ts_ns: u64) -> io::Result<()> {
        if self.closed {
            return Err(io::Error::other(format!(
                "{} is closed",
                self.path.display()
            )));
        }
        self.ensure_open()?;
        // A second of record time either way (a clock step back included;
        // a late record a little behind does not trigger it).
        if ts_ns.abs_diff(self.last_check_ns) >= CHECK_EVERY_NS {
            self.last_check_ns = ts_ns;
            self.check_in_place()?;
        }
        let time_due = ts_ns >= self.period_end_ns;
        if (time_due || self.size_due(line.len())) && self.may_rotate() {
            match self.rotate(ts_ns) {
                Ok(()) => {
                    self.rotate_retry_at = None;
                    if time_due {
                        let (time, tz) = (self.rotation.time, self.rotation.time_zone);
                        self.period_end_ns = period_end_ns(time, tz, ts_ns);
                    }
                }
                Err(e) => {
                    self.rotate_retry_at = Some(Instant::now() + RETRY_EVERY);
                    if self.file.is_none() {
                        self.suspend();
                        return Err(e);
                    }
                    // The line still goes to the active file.
                    report_io_error(&format!("rotating {}", self.path.display()), &e);
                }
            }
        }
        let Some(file) = self.file.as_mut() else {
            return Err(self.unavailable());
        };
        let result = match file.append(line) {
            Err(u) if u.error.kind() == io::ErrorKind::NotFound && !u.lines.is_empty() => {
                // The buffer was refused for an unlinked file: it goes into
                // a new one, and so does this line.
                self.after_write(Err(u));
                let Some(file) = self.file.as_mut() else {
                    return Err(self.unavailable());
                };
                file.append(line)
            }
            other => other,
        };
        match result {
            Ok(()) => {
                self.unchecked_lines += 1;
                Counters::add(&COUNTERS.bytes_written, line.len() as u64);
                Ok(())
            }
            Err(u) => {
                let error = io::Error::new(u.error.kind(), u.error.to_string());
                self.write_failed(u);
                Err(error)
            }
        }
    }

    /// [`RotatingFile::append`] of the line `write` appends to a buffer
    /// (one whole line, ending in `'\n'`), written straight into the
    /// file's batch buffer when nothing but the copy is due (no rotation,
    /// no in-place check, no reservation, no write-out): the same bytes in
    /// the same files, without copying the line. Otherwise `write` writes
    /// into `spill` (its content replaced) and the line is appended from
    /// there, so a line never straddles a rotation. When `write` returns
    /// false, what it wrote is taken back and nothing is appended
    /// ([`Placed::Refused`]).
    ///
    /// # Errors
    ///
    /// As [`RotatingFile::append`]; the line is then in `spill`.
    #[inline]
    pub(crate) fn append_with(
        &mut self,
        ts_ns: u64,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
        spill: &mut Vec<u8>,
    ) -> io::Result<Placed> {
        let quiet = !self.closed
            && ts_ns.abs_diff(self.last_check_ns) < CHECK_EVERY_NS
            && ts_ns < self.period_end_ns;
        let direct = match self.file.as_mut() {
            Some(file) if quiet => file.direct_buffer(),
            _ => None,
        };
        let Some(buf) = direct else {
            spill.clear();
            if !write(spill) {
                return Ok(Placed::Refused);
            }
            return self.append(spill, ts_ns).map(|()| Placed::Spilled);
        };
        let start = buf.len();
        if !write(buf) {
            buf.truncate(start);
            return Ok(Placed::Refused);
        }
        let len = (buf.len() - start) as u64;
        if let Some(file) = self.file.as_mut() {
            let used = file.len();
            let size_due = self
                .rotation
                .max_bytes
                .is_some_and(|max| used > len && used > max);
            if !size_due && file.within_reserved() {
                self.unchecked_lines += 1;
                Counters::add(&COUNTERS.bytes_written, len);
                return Ok(Placed::Buffered(start));
            }
            file.take_back(start, spill);
        }
        self.append(spill, ts_ns).map(|()| Placed::Spilled)
    }

    /// [`RotatingFile::append_with`] for a run of lines, with the file's
    /// state read once: see [`DirectAppend`]. `None` when the file is
    /// closed or unavailable (`append_with` handles those).
    #[inline]
    pub(crate) fn direct(&mut self) -> Option<DirectAppend<'_>> {
        if self.closed {
            return None;
        }
        let file = self.file.as_mut()?;
        let len = file.len();
        let reserved_end = file.reserved_end();
        let buf = file.direct_buffer()?;
        let max_bytes = self.rotation.max_bytes;
        // `append_with`'s `ts_ns.abs_diff(last_check_ns) < CHECK_EVERY_NS
        // && ts_ns < period_end_ns` as one range (a record stamped
        // `u64::MAX` may fall outside it: `append_with` then takes it).
        let quiet_from = self.last_check_ns.saturating_sub(CHECK_EVERY_NS - 1);
        let quiet_until =
            (self.last_check_ns.saturating_add(CHECK_EVERY_NS)).min(self.period_end_ns);
        Some(DirectAppend {
            buf,
            unchecked_lines: &mut self.unchecked_lines,
            quiet_from,
            quiet_len: quiet_until.saturating_sub(quiet_from),
            len,
            len_before: len,
            quiet_end: reserved_end.min(max_bytes.unwrap_or(u64::MAX)),
            reserved_end,
            max_bytes,
            lines: 0,
        })
    }

    /// The bytes of the batch buffer from `start` on: the line
    /// [`RotatingFile::append_with`] placed there ([`Placed::Buffered`]),
    /// until the next append or publish.
    #[inline]
    pub(crate) fn buffered(&self, start: usize) -> &[u8] {
        self.file.as_ref().map_or(&[], |f| f.buffered(start))
    }

    /// Writes the lines appended since the last call into the file (one
    /// `write`), after checking what other processes did to it: the end of
    /// every flusher cycle. Lines that cannot be written go to stderr (the
    /// error counted and reported); lines meant for a file that was
    /// unlinked go into a new `<name>.log`.
    pub(crate) fn publish(&mut self) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let result = file.publish();
        self.after_write(result);
    }

    /// Capacity of the file's batch buffer, in bytes (0 while closed).
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.file.as_ref().map_or(0, AppendFile::buffer_bytes)
    }

    /// Writes out the pending lines and flushes the file to disk
    /// (`fdatasync`).
    ///
    /// # Errors
    ///
    /// The error of `fdatasync`; lines that could not be written went to
    /// stderr (their error counted and reported).
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let result = file.sync();
        match result {
            Err(u) if u.lines.is_empty() && u.error.kind() != io::ErrorKind::NotFound => {
                Err(u.error)
            }
            other => {
                self.after_write(other);
                Ok(())
            }
        }
    }

    /// Writes out the pending lines and closes the file, giving back the
    /// disk blocks reserved past its end. Idempotent; run on drop
    /// (ignoring errors). Appends fail afterwards.
    ///
    /// # Errors
    ///
    /// The error of the last write; its lines went to stderr.
    pub(crate) fn close(&mut self) -> io::Result<()> {
        self.closed = true;
        let Some(mut file) = self.file.take() else {
            return Ok(());
        };
        let result = file.close();
        if let Some(change) = file.take_change() {
            self.note_change(&change.to_string());
        }
        result.map_err(|u| {
            let error = io::Error::new(u.error.kind(), u.error.to_string());
            fallback_lines(&u.lines);
            error
        })
    }

    /// Takes the notices of what other processes did to the file (one
    /// sentence each, naming the file), for `WARN` records.
    pub(crate) fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Handles the outcome of a write of pending lines: a change another
    /// process made is noted; lines refused because the file was unlinked
    /// go into a new file; other failures close the file for a retry later.
    fn after_write(&mut self, result: Result<(), Unwritten>) {
        if let Some(change) = self.file.as_mut().and_then(AppendFile::take_change) {
            self.note_change(&change.to_string());
        }
        let Err(u) = result else { return };
        if u.error.kind() == io::ErrorKind::NotFound && self.file.is_some() {
            // Unlinked under us: the lines go to a new `<name>.log`, and
            // those already written into the unlinked file are lost.
            let pending = u.lines.iter().filter(|&&b| b == b'\n').count() as u64;
            self.lost_lines += std::mem::take(&mut self.unchecked_lines).saturating_sub(pending);
            self.unchecked_lines = pending;
            self.file = None;
            self.retry_at = None;
            match self.ensure_open() {
                Ok(()) => {
                    let Some(file) = self.file.as_mut() else {
                        return;
                    };
                    if let Err(refused) = file.append(&u.lines) {
                        // Not taken: nothing of them is in the new file.
                        fallback_lines(&u.lines);
                        self.write_failed(refused);
                    } else if let Err(unwritten) = file.publish() {
                        self.write_failed(unwritten);
                    }
                }
                Err(e) => {
                    report_io_error(&format!("reopening {}", self.path.display()), &e);
                    fallback_lines(&u.lines);
                }
            }
            return;
        }
        self.write_failed(u);
    }

    /// After a failed write: reports the error, sends the lines to stderr,
    /// and closes the file until the next retry.
    fn write_failed(&mut self, u: Unwritten) {
        if !u.lines.is_empty() {
            report_io_error(&format!("writing {}", self.path.display()), &u.error);
            fallback_lines(&u.lines);
        }
        if let Some(mut file) = self.file.take() {
            // Whatever is still pending goes the same way.
            if let Err(rest) = file.close() {
                fallback_lines(&rest.lines);
            }
        }
        self.suspend();
    }

    /// Counts, reports on stderr and keeps for a `WARN` record a change
    /// another process made to the file.
    fn note_change(&mut self, what: &str) {
        Counters::add(&COUNTERS.files_changed_externally, 1);
        let msg = format!("log file {}: {what}", self.path.display());
        fault::report_file_change(&msg);
        self.notices.push(msg);
    }

    /// The active file's path, `<dir>/<name>.log`.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Whether `len` more bytes would take the non-empty file past the limit.
    fn size_due(&self, len: usize) -> bool {
        let used = self.file.as_ref().map_or(0, AppendFile::len);
        self.rotation
            .max_bytes
            .is_some_and(|max| used > 0 && used.saturating_add(len as u64) > max)
    }

    /// Whether a rotation may be tried (not backing off after a failure).
    fn may_rotate(&self) -> bool {
        self.rotate_retry_at.is_none_or(|t| Instant::now() >= t)
    }

    /// Renames the active file to its rotated name (if it is not empty),
    /// queues housekeeping, and opens a new active file. On a failed rename
    /// the old file is reopened and stays active.
    fn rotate(&mut self, ts_ns: u64) -> io::Result<()> {
        let Some(mut old) = self.file.take() else {
            return Err(self.unavailable());
        };
        if old.len() == 0 {
            self.file = Some(old);
            return Ok(());
        }
        let closed = old.close();
        if let Some(change) = old.take_change() {
            self.note_change(&change.to_string());
        }
        if let Err(u) = closed {
            report_io_error(&format!("writing {}", self.path.display()), &u.error);
            fallback_lines(&u.lines);
        }
        drop(old);
        let tz = self.rotation.time_zone;
        let (mut ms, mut first_seq) = (ts_ns / 1_000_000, 0);
        if let Some((last_ms, last_seq)) = self.last_rotated {
            if ms <= last_ms {
                (ms, first_seq) = (last_ms, last_seq + 1);
            }
        }
        let renamed = free_rotated_path(&self.dir, &self.name, tz, ms * 1_000_000, first_seq)
            .and_then(|(to, seq)| {
                fs::rename(&self.path, &to)?;
                self.last_rotated = Some((ms, seq));
                Ok(())
            });
        if renamed.is_ok() {
            // Those lines are in the rotated file now.
            self.unchecked_lines = 0;
            Counters::add(&COUNTERS.rotations, 1);
            self.housekeeper
                .sweep(&self.dir, &self.name, &self.rotation);
        }
        match permissions::open_log(&self.path, self.window_bytes, self.rotation.file_mode) {
            Ok(file) => {
                self.file = Some(file);
                renamed
            }
            Err(e) => {
                if let Err(re) = renamed {
                    report_io_error(&format!("rotating {}", self.path.display()), &re);
                }
                Err(e)
            }
        }
    }

    /// Reopens the file after an error, at most once per [`RETRY_EVERY`].
    #[inline]
    fn ensure_open(&mut self) -> io::Result<()> {
        if self.file.is_some() {
            return Ok(());
        }
        self.reopen()
    }

    /// [`RotatingFile::ensure_open`] without an open file: reopens it, at
    /// most once per [`RETRY_EVERY`].
    #[cold]
    fn reopen(&mut self) -> io::Result<()> {
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return Err(self.unavailable());
        }
        match permissions::open_log(&self.path, self.window_bytes, self.rotation.file_mode) {
            Ok(file) => {
                self.file = Some(file);
                self.retry_at = None;
                Ok(())
            }
            Err(e) => {
                self.suspend();
                Err(e)
            }
        }
    }

    /// [`RotatingFile::check_in_place`] now, whatever the record time (at
    /// each `flush()`, so that it never confirms lines of a deleted file).
    pub(crate) fn check_now(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.check_in_place()
    }

    /// Lines appended to a file that was then found deleted (unlinked, or
    /// its directory removed) since the last call: they are gone.
    pub(crate) fn take_lost_lines(&mut self) -> u64 {
        std::mem::take(&mut self.lost_lines)
    }

    /// Reopens `<dir>/<name>.log` if the open file is no longer it (deleted,
    /// its directory removed, or replaced by another file). The lines
    /// appended since the last check are lost when the file is deleted
    /// (no link left); a file moved away keeps them.
    fn check_in_place(&mut self) -> io::Result<()> {
        let Some(ours) = self.file.as_ref().and_then(|f| f.file().metadata().ok()) else {
            return Ok(());
        };
        let in_place = match fs::metadata(&self.path) {
            Ok(m) => m.dev() == ours.dev() && m.ino() == ours.ino(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(_) => return Ok(()),
        };
        let unchecked = std::mem::take(&mut self.unchecked_lines);
        if in_place {
            return Ok(());
        }
        if ours.nlink() == 0 {
            self.lost_lines += unchecked;
        }
        self.note_change("renamed, removed or replaced by another process; reopened");
        // Lines still pending belong to the file they were meant for.
        if let Some(mut old) = self.file.take() {
            if let Err(u) = old.close() {
                report_io_error(&format!("writing {}", self.path.display()), &u.error);
                fallback_lines(&u.lines);
            }
        }
        self.retry_at = None;
        self.ensure_open()
    }

    /// Starts the back-off after an I/O error.
    fn suspend(&mut self) {
        self.retry_at = Some(Instant::now() + RETRY_EVERY);
    }

    /// The error of an append while the file is unavailable.
    fn unavailable(&self) -> io::Error {
        io::Error::other(format!(
            "{} is unavailable after an I/O error (retrying at most once per second)",
            self.path.display()
        ))
    }
}

impl Drop for RotatingFile {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Sends whole lines that could not be written to stderr, one record each.
fn fallback_lines(lines: &[u8]) {
    for line in lines.split_inclusive(|&b| b == b'\n') {
        fault::fallback_to_stderr(line);
    }
}

/// The UTC instant (ns) at which the rotation period holding `ts_ns` ends,
/// or `u64::MAX` without time rotation. Always after `ts_ns`. `Every`
/// intervals are taken between one second and one day.
pub(crate) fn period_end_ns(time: TimeRotation, tz: TimeZone, ts_ns: u64) -> u64 {
    let period: i128 = match time {
        TimeRotation::Never => return u64::MAX,
        TimeRotation::Hourly => 3600 * i128::from(NS),
        TimeRotation::Daily => DAY_NS,
        TimeRotation::Every(d) => d.as_nanos().clamp(u128::from(NS), DAY_NS as u128) as i128,
    };
    let ts = i128::from(ts_ns);
    let offset = |utc_ns: i128| -> i128 {
        let secs = utc_ns.div_euclid(i128::from(NS)) as i64;
        i128::from(utc_offset_secs(tz, secs)) * i128::from(NS)
    };
    let off = offset(ts);
    let local = ts + off;
    let midnight = local.div_euclid(DAY_NS) * DAY_NS;
    let next = midnight + ((local - midnight) / period + 1) * period;
    let end_local = next.min(midnight + DAY_NS);
    // The offset in force at the boundary may differ (daylight saving).
    let mut end = end_local - offset(end_local - off);
    if end <= ts {
        end = end_local - off;
    }
    if end <= ts {
        end = ts + period;
    }
    u64::try_from(end).unwrap_or(u64::MAX)
}

/// `<name>.<YYYYMMDD>T<HHMMSS>.<mmm>[_<seq, 4 digits>].log` for the
/// instant `ts_ns` in `tz`.
pub(crate) fn rotated_file_name(name: &str, tz: TimeZone, ts_ns: u64, seq: u32) -> String {
    rotated_name_with(name, tz, ts_ns, seq, |seq| format!("_{seq:04}"))
}

/// The name earlier versions gave: `-<seq>` as the collision suffix.
fn legacy_rotated_file_name(name: &str, tz: TimeZone, ts_ns: u64, seq: u32) -> String {
    rotated_name_with(name, tz, ts_ns, seq, |seq| format!("-{seq}"))
}

/// A rotated name with the collision suffix `suffix(seq)` (none for 0).
fn rotated_name_with(
    name: &str,
    tz: TimeZone,
    ts_ns: u64,
    seq: u32,
    suffix: impl Fn(u32) -> String,
) -> String {
    let t = civil(tz, (ts_ns / NS) as i64);
    let ms = ts_ns / 1_000_000 % 1000;
    let suffix = if seq == 0 { String::new() } else { suffix(seq) };
    format!(
        "{name}.{:04}{:02}{:02}T{:02}{:02}{:02}.{ms:03}{suffix}.log",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// The first rotated name for `ts_ns`, from suffix `first_seq` on, that is
/// free, as a plain file and as a `.gz`; and its suffix.
fn free_rotated_path(
    dir: &Path,
    name: &str,
    tz: TimeZone,
    ts_ns: u64,
    first_seq: u32,
) -> io::Result<(PathBuf, u32)> {
    for seq in first_seq..=MAX_SUFFIX {
        let path = dir.join(rotated_file_name(name, tz, ts_ns, seq));
        // The same key under an earlier version's name is taken too, and
        // so is each form a rotated file takes later (.gz, .age, .gz.age).
        let legacy = dir.join(legacy_rotated_file_name(name, tz, ts_ns, seq));
        let taken = |p: &Path| -> io::Result<bool> {
            [".gz", ".age", ".gz.age"]
                .iter()
                .try_fold(exists(p)?, |t, s| Ok(t || exists(&with_suffix(p, s))?))
        };
        if !taken(&path)? && (seq == 0 || !taken(&legacy)?) {
            return Ok((path, seq));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free rotated name for {name} at {ts_ns} ns"),
    ))
}

/// Whether anything (even a dangling symlink) is at `path`.
fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The forms of a rotated file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RotatedKind {
    /// `<rotated>.log`.
    Plain,
    /// `<rotated>.log.gz`.
    Gz,
    /// `<rotated>.log.age` or `<rotated>.log.gz.age`: encrypted.
    Sealed,
    /// `<rotated>.log.gz.tmp`, `<rotated>.log[.gz].age.tmp`: a compression
    /// or encryption in progress or interrupted.
    Partial,
}

/// A file name parsed as a rotated file of one destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RotatedName<'a> {
    /// `YYYYMMDDTHHMMSS.mmm`, the rotation instant in the configured zone.
    pub stamp: &'a str,
    /// Collision suffix (0 when there is none).
    pub seq: u32,
    /// Plain, compressed or partial.
    pub kind: RotatedKind,
}

/// The endings of a rotated file's forms.
const FORMS: [(&str, RotatedKind); 7] = [
    (".log.gz.tmp", RotatedKind::Partial),
    (".log.age.tmp", RotatedKind::Partial),
    (".log.gz.age.tmp", RotatedKind::Partial),
    (".log.age", RotatedKind::Sealed),
    (".log.gz.age", RotatedKind::Sealed),
    (".log.gz", RotatedKind::Gz),
    (".log", RotatedKind::Plain),
];

/// Parses `file_name` as a rotated file of destination `name`: exactly
/// `<name>.<YYYYMMDD>T<HHMMSS>.<mmm>[_<seq>|-<seq>].log[.gz][.age][.tmp]`
/// (`.tmp` only after `.gz` or `.age`), where `_<seq>` has four digits
/// (`0001` to `9999`) and `-<seq>` (earlier versions) has no leading zero.
/// Anything else (the active file, other destinations, other files) is
/// `None`, and so never touched by housekeeping.
pub(crate) fn parse_rotated<'a>(name: &str, file_name: &'a str) -> Option<RotatedName<'a>> {
    let rest = file_name.strip_prefix(name)?.strip_prefix('.')?;
    let (rest, kind) = FORMS
        .iter()
        .find_map(|&(suffix, kind)| Some((rest.strip_suffix(suffix)?, kind)))?;
    let (stamp, seq) = match rest.split_once(['-', '_']) {
        Some((stamp, seq)) => (stamp, seq),
        None => (rest, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let b = stamp.as_bytes();
    let stamp_ok = b.len() == 19
        && b[8] == b'T'
        && b[15] == b'.'
        && digits(&stamp[..8])
        && digits(&stamp[9..15])
        && digits(&stamp[16..]);
    if !stamp_ok {
        return None;
    }
    let seq = if rest.contains('_') {
        // `_0001` to `_9999`: four digits, not `_0000`.
        if !digits(seq) || seq.len() != 4 || seq == "0000" {
            return None;
        }
        seq.parse().ok()?
    } else if rest.contains('-') {
        // Earlier versions: `-1`, `-2`, ...: no sign, no leading zero.
        if !digits(seq) || seq.starts_with('0') || seq.len() > 9 {
            return None;
        }
        seq.parse().ok()?
    } else {
        0
    };
    Some(RotatedName { stamp, seq, kind })
}

impl RotatedName<'_> {
    /// The rotation instant in ms since the epoch (UTC), reading the stamp
    /// in `tz`; `None` if the stamp is not a valid date and time.
    pub(crate) fn utc_ms(&self, tz: TimeZone) -> Option<i64> {
        let n = |r: std::ops::Range<usize>| self.stamp.get(r)?.parse::<u32>().ok();
        let (year, month, day) = (n(0..4)?, n(4..6)?, n(6..8)?);
        let (hour, minute, second, ms) = (n(9..11)?, n(11..13)?, n(13..15)?, n(16..19)?);
        if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        if day == 0 || civil_from_days(days) != (i64::from(year), month, day) {
            return None;
        }
        let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        let off = utc_offset_secs(tz, local - utc_offset_secs(tz, local));
        Some((local - off) * 1000 + i64::from(ms))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A `SystemTime` in ns since the epoch (0 before it).
fn system_time_ns(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The system clock in ns since the epoch.
fn system_now_ns() -> u64 {
    system_time_ns(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::COUNTERS;
    use flate2::read::GzDecoder;
    use std::io::Read;
    use std::sync::atomic::Ordering::Relaxed;

    const WAIT: Duration = Duration::from_secs(30);
    const MS: u64 = 1_000_000;
    /// 2025-11-21T10:30:45.500Z.
    const T0: u64 = 1_763_721_045_500_000_000;

    fn config(max_bytes: Option<u64>, time: TimeRotation) -> RotationConfig {
        RotationConfig {
            max_bytes,
            time,
            time_zone: TimeZone::Utc,
            backup_count: None,
            retention_days: None,
            compress: false,
            ..RotationConfig::default()
        }
    }

    fn open(dir: &Path, rotation: &RotationConfig, hk: &Housekeeper) -> RotatingFile {
        RotatingFile::open(dir, "app", rotation, 4096, hk).unwrap()
    }

    /// Every entry name in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    /// The rotated files of `app` in rotation order, with their
    /// (decompressed) contents.
    fn rotated(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<((String, u32), String)> = names(dir)
            .into_iter()
            .filter(|n| dir.join(n).is_file())
            .filter_map(|n| {
                let p = parse_rotated("app", &n)?;
                Some(((p.stamp.to_string(), p.seq), n))
            })
            .collect();
        v.sort();
        v.into_iter()
            .map(|(_, n)| {
                let raw = fs::read(dir.join(&n)).unwrap();
                let bytes = if n.ends_with(".gz") {
                    let mut out = Vec::new();
                    GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
                    out
                } else {
                    raw
                };
                (n, bytes)
            })
            .collect()
    }

    fn active(dir: &Path) -> Vec<u8> {
        fs::read(dir.join("app.log")).unwrap()
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(
            rotated_file_name("app", TimeZone::Utc, T0, 0),
            "app.20251121T103045.500.log"
        );
        assert_eq!(
            rotated_file_name("app", TimeZone::Utc, T0, 3),
            "app.20251121T103045.500_0003.log"
        );
        let p = parse_rotated("app", "app.20251121T103045.500.log").unwrap();
        assert_eq!(
            (p.stamp, p.seq, p.kind),
            ("20251121T103045.500", 0, RotatedKind::Plain)
        );
        assert_eq!(p.utc_ms(TimeZone::Utc), Some((T0 / MS) as i64));
        let p = parse_rotated("app", "app.20251121T103045.500_0012.log.gz").unwrap();
        assert_eq!((p.seq, p.kind), (12, RotatedKind::Gz));
        // Earlier versions' suffix.
        let p = parse_rotated("app", "app.20251121T103045.500-12.log.gz").unwrap();
        assert_eq!((p.seq, p.kind), (12, RotatedKind::Gz));
        let p = parse_rotated("app", "app.20251121T103045.500.log.gz.tmp").unwrap();
        assert_eq!(p.kind, RotatedKind::Partial);
        for other in [
            "app.log",
            "app.trades.20251121T103045.500.log",
            "trades.20251121T103045.500.log",
            "ap.20251121T103045.500.log",
            "app.20251121T103045.500-0.log",
            "app.20251121T103045.500-01.log",
            "app.20251121T103045.500-.log",
            "app.20251121T103045.500_.log",
            "app.20251121T103045.500_0000.log",
            "app.20251121T103045.500_1.log",
            "app.20251121T103045.500_00001.log",
            "app.20251121T103045.500_-001.log",
            "app.20251121T103045.50.log",
            "app.20251121-103045.500.log",
            "app.20251121T103045.500.log.bak",
            "app.20251121T103045.500.txt",
            "app.2.log",
        ] {
            assert_eq!(parse_rotated("app", other), None, "{other}");
        }
        // Not a date: no name-based age (housekeeping falls back to mtime).
        for bad in [
            "20251321T000000.000",
            "20250230T000000.000",
            "20250101T240000.000",
        ] {
            let name = format!("app.{bad}.log");
            assert_eq!(
                parse_rotated("app", &name).unwrap().utc_ms(TimeZone::Utc),
                None,
                "{bad}"
            );
        }
    }

    #[test]
    fn period_ends() {
        let s = |secs: u64| secs * NS;
        let utc = TimeZone::Utc;
        let every = |secs: u64| TimeRotation::Every(Duration::from_secs(secs));
        assert_eq!(period_end_ns(TimeRotation::Never, utc, T0), u64::MAX);
        assert_eq!(period_end_ns(every(1), utc, T0), s(1_763_721_046));
        assert_eq!(
            period_end_ns(TimeRotation::Hourly, utc, T0),
            s(1_763_722_800)
        );
        assert_eq!(
            period_end_ns(TimeRotation::Daily, utc, T0),
            s(1_763_769_600)
        );
        // Multiples of the interval since midnight (1_763_683_200).
        assert_eq!(
            period_end_ns(every(7), utc, T0),
            s(1_763_683_200 + 5407 * 7)
        );
        assert_eq!(
            period_end_ns(every(5 * 3600), utc, T0),
            s(1_763_683_200 + 15 * 3600)
        );
        // A period that does not divide the day ends at midnight.
        let at_22h = s(1_763_683_200 + 22 * 3600);
        assert_eq!(
            period_end_ns(every(7 * 3600), utc, at_22h),
            s(1_763_769_600)
        );
        // At a boundary, the next period.
        assert_eq!(
            period_end_ns(TimeRotation::Hourly, utc, s(1_763_722_800)),
            s(1_763_726_400)
        );
        // Sub-second intervals are taken as one second.
        let tiny = TimeRotation::Every(Duration::from_millis(1));
        assert_eq!(period_end_ns(tiny, utc, T0), s(1_763_721_046));
        // Local time: some boundary within the next hour.
        let end = period_end_ns(TimeRotation::Hourly, TimeZone::Local, T0);
        assert!(end > T0 && end - T0 <= 3600 * NS);
    }

    #[test]
    fn crash_repair_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut content = b"a\nb\npart".to_vec();
        content.extend(std::iter::repeat_n(0u8, 8000));
        fs::write(dir.path().join("app.log"), &content).unwrap();
        let hk = Housekeeper::start().unwrap();
        let mut f = open(dir.path(), &config(None, TimeRotation::Never), &hk);
        assert_eq!(f.path(), dir.path().join("app.log"));
        f.append(b"c\n", T0).unwrap();
        f.close().unwrap();
        f.close().unwrap();
        assert!(f.append(b"after close\n", T0).is_err());
        hk.shutdown(WAIT);
        assert_eq!(active(dir.path()), b"a\nb\nc\n");
    }

    #[test]
    fn size_rotation_never_splits_lines() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let rotations_before = COUNTERS.rotations.load(Relaxed);
        let bytes_before = COUNTERS.bytes_written.load(Relaxed);
        let mut f = open(dir.path(), &config(Some(100), TimeRotation::Never), &hk);
        let mut all = Vec::new();
        for i in 0..60u64 {
            let line = if i == 30 {
                format!("{}\n", "L".repeat(150))
            } else {
                format!("line {i} {}\n", "x".repeat((i % 37) as usize))
            };
            f.append(line.as_bytes(), T0 + i * MS).unwrap();
            all.extend_from_slice(line.as_bytes());
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        let files = rotated(dir.path());
        assert!(files.len() >= 10, "{} rotated files", files.len());
        let mut joined = Vec::new();
        for (name, bytes) in &files {
            assert!(bytes.ends_with(b"\n"), "{name}");
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            assert!(
                bytes.len() <= 100 || lines == 1,
                "{name}: {} bytes",
                bytes.len()
            );
            joined.extend_from_slice(bytes);
        }
        joined.extend_from_slice(&active(dir.path()));
        assert_eq!(joined, all);
        assert!(COUNTERS.rotations.load(Relaxed) >= rotations_before + files.len() as u64);
        assert!(COUNTERS.bytes_written.load(Relaxed) >= bytes_before + all.len() as u64);
    }

    /// `append_with`: lines written straight into the batch buffer stay
    /// there, and the line that rotates the file (by size or by time, or
    /// that needs blocks reserved) goes through `spill` into the new file:
    /// the same files, line for line, as `append` makes; a line its writer
    /// refuses (before each one here) leaves nothing, either way.
    #[test]
    fn lines_written_in_place_never_straddle_a_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let every = TimeRotation::Every(Duration::from_secs(1));
        let mut f = open(dir.path(), &config(Some(300), every), &hk);
        let base = (system_now_ns() / NS + 10) * NS;
        let (mut all, mut spill) = (Vec::new(), Vec::new());
        let (mut buffered, mut spilled) = (0, 0);
        for i in 0..200u64 {
            let line = if i == 90 {
                format!("{}\n", "L".repeat(400))
            } else {
                format!("line {i} {}\n", "x".repeat((i % 37) as usize))
            };
            // Ten records a second: the time rotation comes every tenth.
            let ts = base + i * 100 * MS;
            let write = |out: &mut Vec<u8>| {
                out.extend_from_slice(line.as_bytes());
                true
            };
            // A writer that gives up half-way leaves nothing behind.
            let refuse = |out: &mut Vec<u8>| {
                out.extend_from_slice(b"half a li");
                false
            };
            assert_eq!(
                f.append_with(ts, refuse, &mut spill).unwrap(),
                Placed::Refused
            );
            match f.append_with(ts, write, &mut spill).unwrap() {
                Placed::Buffered(start) => {
                    assert_eq!(f.buffered(start), line.as_bytes(), "line {i}");
                    buffered += 1;
                }
                Placed::Spilled => {
                    assert_eq!(spill, line.as_bytes(), "line {i}");
                    spilled += 1;
                }
                Placed::Refused => panic!("line {i} refused"),
            }
            all.extend_from_slice(line.as_bytes());
            if i % 7 == 0 {
                f.publish();
            }
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        assert!(
            buffered > 100 && spilled >= 20,
            "{buffered} in place, {spilled} spilled"
        );
        let files = rotated(dir.path());
        assert!(files.len() >= 20, "{} rotated files", files.len());
        let mut joined = Vec::new();
        for (name, bytes) in &files {
            assert!(bytes.ends_with(b"\n"), "{name}");
            let lines = bytes.iter().filter(|&&b| b == b'\n').count();
            assert!(
                bytes.len() <= 300 || lines == 1,
                "{name}: {} bytes",
                bytes.len()
            );
            joined.extend_from_slice(bytes);
        }
        joined.extend_from_slice(&active(dir.path()));
        assert_eq!(joined, all);
    }

    /// Lines written through `direct` (runs of five, as the fast lane
    /// writes a run; a line it leaves goes through `append_with`) make the
    /// same files, and the same count of lines to check, as `append_with`
    /// alone: across size and time rotations and reservations.
    #[test]
    fn direct_appends_place_lines_as_append_with_does() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let hk = Housekeeper::start().unwrap();
        let every = TimeRotation::Every(Duration::from_secs(1));
        let mut fa = open(a.path(), &config(Some(300), every), &hk);
        let mut fb = open(b.path(), &config(Some(300), every), &hk);
        let base = (system_now_ns() / NS + 10) * NS;
        let mut spill = Vec::new();
        let (mut direct_lines, mut left) = (0, 0);
        for run in 0..40u64 {
            let lines: Vec<(u64, String)> = (run * 5..run * 5 + 5)
                .map(|i| {
                    let line = if i == 90 {
                        format!("{}\n", "L".repeat(400))
                    } else {
                        format!("line {i} {}\n", "x".repeat((i % 37) as usize))
                    };
                    // Ten lines a second, and a jump of three seconds.
                    let jump = if i >= 120 { 3 * NS } else { 0 };
                    (base + i * 100 * MS + jump, line)
                })
                .collect();
            fn write(line: &str) -> impl FnOnce(&mut Vec<u8>) -> bool + '_ {
                move |out| {
                    out.extend_from_slice(line.as_bytes());
                    true
                }
            }
            for (ts, line) in &lines {
                fa.append_with(*ts, write(line), &mut spill).unwrap();
            }
            let mut k = 0;
            while k < lines.len() {
                if let Some(mut d) = fb.direct() {
                    let refuse = |out: &mut Vec<u8>| {
                        out.extend_from_slice(b"half a li");
                        false
                    };
                    assert_ne!(d.append(lines[k].0, refuse), Some(true));
                    for (ts, line) in &lines[k..] {
                        match d.append(*ts, write(line)) {
                            Some(true) => k += 1,
                            Some(false) => panic!("{line:?} refused"),
                            None => break,
                        }
                        direct_lines += 1;
                    }
                }
                if let Some((ts, line)) = lines.get(k) {
                    fb.append_with(*ts, write(line), &mut spill).unwrap();
                    k += 1;
                    left += 1;
                }
            }
            if run % 3 == 0 {
                fa.publish();
                fb.publish();
            }
        }
        assert_eq!(fa.unchecked_lines, fb.unchecked_lines);
        fa.close().unwrap();
        fb.close().unwrap();
        hk.shutdown(WAIT);
        assert!(
            direct_lines > 100 && left >= 20,
            "{direct_lines} direct, {left} left to append_with"
        );
        let contents = |dir: &Path| {
            let mut files: Vec<Vec<u8>> = rotated(dir).into_iter().map(|(_, b)| b).collect();
            files.push(active(dir));
            files
        };
        let files = contents(a.path());
        assert!(files.len() >= 20, "{} files", files.len());
        assert_eq!(files, contents(b.path()));
    }

    #[test]
    fn backup_count_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let rotation = RotationConfig {
            backup_count: Some(3),
            ..config(Some(64), TimeRotation::Never)
        };
        let mut f = open(dir.path(), &rotation, &hk);
        let mut lines = Vec::new();
        for i in 0..40u64 {
            let line = format!("record number {i:04}\n");
            f.append(line.as_bytes(), T0 + i * MS).unwrap();
            lines.push(line);
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        let files = rotated(dir.path());
        assert_eq!(files.len(), 3);
        let mut joined: Vec<u8> = files.into_iter().flat_map(|(_, b)| b).collect();
        joined.extend_from_slice(&active(dir.path()));
        assert!(lines.concat().as_bytes().ends_with(&joined));
        assert!(String::from_utf8(joined).unwrap().contains("0039"));
    }

    #[test]
    fn collision_suffix() {
        let dir = tempfile::tempdir().unwrap();
        let base = rotated_file_name("app", TimeZone::Utc, T0, 0);
        // Taken by a compressed file: the plain name is not free either.
        fs::write(dir.path().join(format!("{base}.gz")), b"older").unwrap();
        let hk = Housekeeper::start().unwrap();
        let mut f = open(dir.path(), &config(Some(10), TimeRotation::Never), &hk);
        for line in [b"aaaaaaaa\n", b"bbbbbbbb\n", b"cccccccc\n", b"dddddddd\n"] {
            f.append(line, T0).unwrap();
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        let stem = base.strip_suffix(".log").unwrap();
        for (seq, want) in [(1, b"aaaaaaaa\n"), (2, b"bbbbbbbb\n"), (3, b"cccccccc\n")] {
            assert_eq!(
                fs::read(dir.path().join(format!("{stem}_{seq:04}.log"))).unwrap(),
                want
            );
        }
        // Byte order is rotation order.
        let mut sorted = names(dir.path());
        sorted.retain(|n| n.starts_with(stem));
        let mut by_key = sorted.clone();
        by_key.sort_by_key(|n| parse_rotated("app", n).map(|p| (p.stamp.to_string(), p.seq)));
        assert_eq!(sorted, by_key);
        assert_eq!(
            fs::read(dir.path().join(format!("{base}.gz"))).unwrap(),
            b"older"
        );
        assert_eq!(active(dir.path()), b"dddddddd\n");
    }

    #[test]
    fn time_rotation_every_second() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let every = TimeRotation::Every(Duration::from_secs(1));
        let mut f = open(dir.path(), &config(None, every), &hk);
        // Synthetic record times, ahead of the clock.
        let base = (system_now_ns() / NS + 10) * NS;
        f.append(b"a\n", base + 100 * MS).unwrap();
        f.append(b"b\n", base + 900 * MS).unwrap();
        f.append(b"c\n", base + NS).unwrap();
        f.append(b"d\n", base + 1500 * MS).unwrap();
        f.append(b"e\n", base + 3200 * MS).unwrap();
        f.close().unwrap();
        hk.shutdown(WAIT);
        let name = |ts| rotated_file_name("app", TimeZone::Utc, ts, 0);
        let want = vec![
            (name(base + NS), b"a\nb\n".to_vec()),
            (name(base + 3200 * MS), b"c\nd\n".to_vec()),
        ];
        assert_eq!(rotated(dir.path()), want);
        assert_eq!(active(dir.path()), b"e\n");
    }

    #[test]
    fn time_rotation_daily_with_size() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let mut f = open(dir.path(), &config(Some(1000), TimeRotation::Daily), &hk);
        // Midnight UTC, two days ahead of the clock.
        let day = (system_now_ns() / NS / 86_400 + 2) * 86_400 * NS;
        f.append(b"a\n", day - 7200 * NS).unwrap();
        f.append(b"b\n", day - MS).unwrap();
        f.append(b"c\n", day).unwrap();
        f.append(b"d\n", day + 86_400 * NS - 1).unwrap();
        f.append(b"e\n", day + 86_400 * NS).unwrap();
        f.close().unwrap();
        hk.shutdown(WAIT);
        let files = rotated(dir.path());
        assert_eq!(files.len(), 2);
        assert!(files[0].0.ends_with("T000000.000.log"), "{}", files[0].0);
        assert_eq!(
            files[0],
            (
                rotated_file_name("app", TimeZone::Utc, day, 0),
                b"a\nb\n".to_vec()
            )
        );
        let next = day + 86_400 * NS;
        assert_eq!(
            files[1],
            (
                rotated_file_name("app", TimeZone::Utc, next, 0),
                b"c\nd\n".to_vec()
            )
        );
        assert_eq!(active(dir.path()), b"e\n");
    }

    #[test]
    fn stale_file_of_an_earlier_period_is_rotated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        fs::write(&path, b"yesterday\n").unwrap();
        let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 86_400);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
        let mtime_ns = system_time_ns(fs::metadata(&path).unwrap().modified().unwrap());
        let hk = Housekeeper::start().unwrap();
        let mut f = open(dir.path(), &config(None, TimeRotation::Daily), &hk);
        f.append(b"today\n", system_now_ns()).unwrap();
        f.close().unwrap();
        hk.shutdown(WAIT);
        let want = rotated_file_name("app", TimeZone::Utc, mtime_ns, 0);
        assert_eq!(rotated(dir.path()), vec![(want, b"yesterday\n".to_vec())]);
        assert_eq!(active(dir.path()), b"today\n");
    }

    /// Files of other destinations and strangers, with their contents.
    fn strangers(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let files: Vec<(String, Vec<u8>)> = [
            "app.trades.20000101T000000.000.log",
            "trades.20000101T000000.000.log",
            "trades.20000101T000000.000.log.gz",
            "xapp.20000101T000000.000.log",
            "app.log.bak",
            "app.2.log",
            "app.20000101T000000.000.txt",
            "app.20000101T000000.000.log.old",
            "app.20000101T000000.000-0.log",
            "app.20000101T000000.00.log",
            "notes.txt",
        ]
        .iter()
        .map(|n| (n.to_string(), format!("content of {n}\n").into_bytes()))
        .collect();
        for (n, bytes) in &files {
            fs::write(dir.join(n), bytes).unwrap();
        }
        // A directory whose name parses as a rotated file.
        fs::create_dir(dir.join("app.20000101T000000.001.log")).unwrap();
        files
    }

    fn assert_untouched(dir: &Path, files: &[(String, Vec<u8>)]) {
        for (n, bytes) in files {
            assert_eq!(&fs::read(dir.join(n)).unwrap(), bytes, "{n}");
        }
        assert!(dir.join("app.20000101T000000.001.log").is_dir());
    }

    #[test]
    fn retention_at_start_up_by_name_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let others = strangers(d);
        let old = [
            "app.20000101T000000.000.log",
            "app.20000102T000000.000-1.log.gz",
        ];
        for n in old {
            fs::write(d.join(n), b"old\n").unwrap();
        }
        let recent = rotated_file_name("app", TimeZone::Utc, system_now_ns() - 3600 * NS, 0);
        fs::write(d.join(&recent), b"recent\n").unwrap();
        let rotation = RotationConfig {
            retention_days: Some(7),
            ..config(None, TimeRotation::Never)
        };
        let hk = Housekeeper::start().unwrap();
        let f = open(d, &rotation, &hk);
        hk.shutdown(WAIT);
        drop(f);
        for n in old {
            assert!(!d.join(n).exists(), "{n} kept");
        }
        assert_eq!(fs::read(d.join(&recent)).unwrap(), b"recent\n");
        assert_untouched(d, &others);
    }

    #[test]
    fn gzip_round_trip_and_strangers_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let others = strangers(d);
        let rotation = RotationConfig {
            compress: true,
            retention_days: Some(1),
            ..config(Some(300), TimeRotation::Never)
        };
        let hk = Housekeeper::start().unwrap();
        let mut f = open(d, &rotation, &hk);
        let mut all = Vec::new();
        let t = system_now_ns();
        for i in 0..200u64 {
            let line = format!("{{\"seq\":{i},\"msg\":\"quote \\\"{i}\\\"\"}}\n");
            f.append(line.as_bytes(), t + i * MS).unwrap();
            all.extend_from_slice(line.as_bytes());
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        let files = rotated(d);
        assert!(files.len() > 10);
        assert!(
            files.iter().all(|(n, _)| n.ends_with(".log.gz")),
            "{files:?}"
        );
        assert!(!names(d).iter().any(|n| n.ends_with(".tmp")));
        let mut joined: Vec<u8> = files.into_iter().flat_map(|(_, b)| b).collect();
        joined.extend_from_slice(&active(d));
        assert_eq!(joined, all);
        assert_untouched(d, &others);
    }

    #[test]
    fn backup_count_zero_deletes_only_own_rotated_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let others = strangers(d);
        let rotation = RotationConfig {
            backup_count: Some(0),
            compress: true,
            ..config(Some(50), TimeRotation::Never)
        };
        let hk = Housekeeper::start().unwrap();
        let mut f = open(d, &rotation, &hk);
        for i in 0..20u64 {
            f.append(format!("line {i:02} of the test\n").as_bytes(), T0 + i * MS)
                .unwrap();
        }
        f.close().unwrap();
        hk.shutdown(WAIT);
        assert_eq!(rotated(d), vec![]);
        assert_eq!(active(d), b"line 18 of the test\nline 19 of the test\n");
        assert_untouched(d, &others);
    }

    #[test]
    fn recovers_when_the_directory_comes_back() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        fs::create_dir(&dir).unwrap();
        let hk = Housekeeper::start().unwrap();
        let mut f = open(&dir, &config(None, TimeRotation::Never), &hk);
        let t = system_now_ns();
        f.append(b"one\n", t).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        // One second of record time later the file is found gone; the
        // directory too, so the append fails.
        assert!(f.append(b"lost\n", t + NS).is_err());
        fs::create_dir(&dir).unwrap();
        // Backing off: no reopen attempt yet.
        assert!(f.append(b"early\n", t + NS + 1).is_err());
        std::thread::sleep(RETRY_EVERY + Duration::from_millis(100));
        f.append(b"two\n", t + NS + 2).unwrap();
        f.close().unwrap();
        hk.shutdown(WAIT);
        assert_eq!(fs::read(dir.join("app.log")).unwrap(), b"two\n");
    }

    #[test]
    fn reopens_a_replaced_active_file() {
        let dir = tempfile::tempdir().unwrap();
        let hk = Housekeeper::start().unwrap();
        let mut f = open(dir.path(), &config(None, TimeRotation::Never), &hk);
        f.append(b"one\n", T0).unwrap();
        // An outside tool moves the file away.
        fs::rename(dir.path().join("app.log"), dir.path().join("moved.txt")).unwrap();
        f.append(b"two\n", T0 + NS).unwrap();
        f.sync().unwrap();
        f.close().unwrap();
        hk.shutdown(WAIT);
        assert_eq!(fs::read(dir.path().join("moved.txt")).unwrap(), b"one\n");
        assert_eq!(active(dir.path()), b"two\n");
    }

    #[test]
    fn is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<RotatingFile>();
        assert_send::<Housekeeper>();
        assert_send::<HousekeeperHandle>();
    }
}
