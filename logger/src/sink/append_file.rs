//! One log file, appended with `write(2)` into disk blocks reserved ahead.
//!
//! # Why not a shared mapping
//!
//! The file's size must be, at every instant, the end of the last complete
//! line written: `tail -F`, `less +F`, shippers that follow files (Vector,
//! Fluent Bit, Filebeat) and plain line readers read up to the size and
//! take whatever is there for data. Through a shared mapping the size can
//! never follow the content: a store into a page wholly past the end of
//! the file is `SIGBUS`, and (since Linux 6.11) bytes stored past the end
//! of the last page are zeroed when the size later grows. The size would
//! have to grow first and the bytes come after, so a reader woken by the
//! size change reads NUL bytes. A mapping is also at the mercy of any other
//! process that truncates the file (logrotate's `copytruncate`): the next
//! store kills the host with `SIGBUS`.
//!
//! `write(2)` puts the bytes in the page cache before it moves the size,
//! so a reader only ever sees bytes that are final, and a truncated or
//! replaced file costs an error code at worst, never a signal.
//!
//! # Reservation
//!
//! Disk blocks for the bytes about to be written are reserved first with
//! `fallocate(FALLOC_FL_KEEP_SIZE)`: the size does not change, but a later
//! write into the reserved range cannot run out of space. So a full disk is
//! met at the reservation, where nothing was written yet, and a line is
//! either wholly in the file or not at all. A window of `window_bytes` is
//! reserved at a time; when the disk has less free space than that, halves
//! of it are tried down to what the pending lines need (a page or so), so
//! a nearly full disk still takes records, and whole windows are reserved
//! again once space is back. On a file system without `fallocate` the
//! write goes ahead unreserved and a short write is cut back to the last
//! whole line.
//!
//! # Batching
//!
//! Lines are collected in a buffer and written with one `write` per
//! flusher cycle ([`AppendFile::publish`], also when the buffer passes
//! [`PUBLISH_AT`] bytes). The reserved blocks past the content are given
//! back when the file is closed.
//!
//! # Other processes
//!
//! The file is opened with `O_APPEND`. Before each write, one `fstat`
//! compares the file's size with what was written: a file truncated by
//! another process (`truncate -s 0`, `copytruncate`) is noticed, reported
//! as an [`ExternalChange`], and written on from its new end (trimmed back
//! to a whole line), never past a hole of NUL bytes. A file whose last link
//! is gone (`st_nlink == 0`: unlinked, or replaced by `mv`) is reported the
//! same way and its batch refused (`NotFound`, with the lines), so that the
//! owner ([`RotatingFile`](super::RotatingFile)) writes them into a new file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use crate::metrics::{COUNTERS, Counters};

/// Bytes read per step while scanning a file's tail at open.
const SCAN_CHUNK: usize = 64 * 1024;
/// Pending bytes past which [`AppendFile::append`] writes them out at once.
pub(crate) const PUBLISH_AT: usize = 256 * 1024;

/// An append-only log file: lines are buffered, then written in batches
/// into blocks reserved ahead.
///
/// Owns its descriptor; `Send`, used by one thread at a time.
pub(crate) struct AppendFile {
    /// The open file (read for the repair scan, `O_APPEND` for writes).
    file: File,
    /// Bytes of the file that are written (the file's size, as far as we
    /// know).
    written: u64,
    /// Lines accepted but not yet written.
    pending: Vec<u8>,
    /// Blocks are reserved up to this offset (`written` when nothing is).
    reserved_to: u64,
    /// Size of a full reservation, in bytes (a multiple of `page`).
    window: u64,
    /// The system page size.
    page: u64,
    /// `fallocate` with `FALLOC_FL_KEEP_SIZE` works on this file system.
    can_reserve: bool,
    /// Bytes were written since the last [`AppendFile::sync`].
    unsynced: bool,
    /// Set by [`AppendFile::close`]; nothing is appended afterwards.
    closed: bool,
    /// What another process did to the file, noticed at the last write.
    change: Option<ExternalChange>,
}

/// Something another process did to the open file, noticed before a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExternalChange {
    /// The size went from `expected` (what this process wrote) to `found`;
    /// writing goes on at `resumed_at` (`found` cut back to a whole line).
    Resized {
        /// Bytes this process had written.
        expected: u64,
        /// The size found.
        found: u64,
        /// Where the next line goes.
        resumed_at: u64,
    },
    /// The file has no name left (`st_nlink == 0`).
    Unlinked,
}

impl std::fmt::Display for ExternalChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExternalChange::Resized {
                expected,
                found,
                resumed_at,
            } => write!(
                f,
                "resized by another process from {expected} to {found} bytes \
                 (truncated, e.g. by copytruncate); writing on at byte {resumed_at}"
            ),
            ExternalChange::Unlinked => write!(f, "removed by another process"),
        }
    }
}

/// The bytes a failed write left unwritten, with its error.
pub(crate) struct Unwritten {
    /// Why they were not written.
    pub error: io::Error,
    /// Whole lines, not in the file.
    pub lines: Vec<u8>,
}

impl AppendFile {
    /// Opens (creating if needed) the file at `path`, reserving blocks
    /// `window_bytes` (rounded up to whole pages) at a time.
    ///
    /// A file left by a crash (or by the memory-mapped writer of earlier
    /// versions) is repaired first: trailing NUL padding and a partial
    /// last line are cut off (see [`logical_len`]). Nothing is reserved
    /// until the first append.
    pub(crate) fn open(path: &Path, window_bytes: usize) -> io::Result<AppendFile> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let size = file.metadata()?.len();
        let len = logical_len(&file, size)?;
        // Also gives back blocks a crash left reserved past the end
        // (`ftruncate` frees them even when the size does not change).
        file.set_len(len)?;
        let page = page_size();
        let window = (window_bytes.max(1) as u64).div_ceil(page) * page;
        Counters::add(&COUNTERS.files_open, 1);
        Ok(AppendFile {
            file,
            written: len,
            pending: Vec::new(),
            reserved_to: len,
            window,
            page,
            can_reserve: true,
            unsynced: false,
            closed: false,
            change: None,
        })
    }

    /// Logical length: bytes written plus bytes pending.
    pub(crate) fn len(&self) -> u64 {
        self.written + self.pending.len() as u64
    }

    /// The open file, for `fstat`.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Takes what another process was last found to have done to the file.
    pub(crate) fn take_change(&mut self) -> Option<ExternalChange> {
        self.change.take()
    }

    /// Accepts `line` (whole lines) as a whole: blocks for it are reserved,
    /// then it waits in the buffer for [`publish`](Self::publish). When the
    /// buffer holds [`PUBLISH_AT`] bytes or more, it is written out first.
    ///
    /// # Errors
    ///
    /// `line` was not taken: the reservation failed (`ENOSPC`, `EDQUOT`,
    /// ...; then `lines` is empty), the file is closed, or writing out the
    /// buffer failed (then `lines` holds the buffered lines that are not in
    /// the file either).
    #[inline]
    pub(crate) fn append(&mut self, line: &[u8]) -> Result<(), Unwritten> {
        if line.is_empty() {
            return Ok(());
        }
        let refused = |error| Unwritten {
            error,
            lines: Vec::new(),
        };
        if self.closed {
            return Err(refused(io::Error::other("append to a closed log file")));
        }
        if self.pending.len() >= PUBLISH_AT {
            self.publish()?;
        }
        let end = self
            .len()
            .checked_add(line.len() as u64)
            .ok_or_else(|| refused(io::Error::other("log file offset overflow")))?;
        self.reserve_to(end).map_err(refused)?;
        self.pending.extend_from_slice(line);
        Ok(())
    }

    /// The batch buffer, for a line written straight into it, when
    /// [`append`](Self::append) would have nothing to do but copy a line
    /// in: the file is open and the buffer below [`PUBLISH_AT`]. A line
    /// written there is taken once [`within_reserved`](Self::within_reserved)
    /// holds; otherwise [`take_back`](Self::take_back) must remove it.
    #[inline]
    pub(crate) fn direct_buffer(&mut self) -> Option<&mut Vec<u8>> {
        (!self.closed && self.pending.len() < PUBLISH_AT).then_some(&mut self.pending)
    }

    /// Whether every buffered byte lies within the blocks reserved so far
    /// (or the file system cannot reserve): a line written into
    /// [`direct_buffer`](Self::direct_buffer) needs no reservation.
    #[inline]
    pub(crate) fn within_reserved(&self) -> bool {
        self.len() <= self.reserved_to || !self.can_reserve
    }

    /// Where a line may end without another reservation (see
    /// [`within_reserved`](Self::within_reserved)): `u64::MAX` when the
    /// file system cannot reserve.
    #[inline]
    pub(crate) fn reserved_end(&self) -> u64 {
        if self.can_reserve {
            self.reserved_to
        } else {
            u64::MAX
        }
    }

    /// Moves the buffered bytes from `start` on (a line written into
    /// [`direct_buffer`](Self::direct_buffer) that must go through
    /// [`append`](Self::append) instead) into `out`, replacing its content.
    #[cold]
    pub(crate) fn take_back(&mut self, start: usize, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&self.pending[start..]);
        self.pending.truncate(start);
    }

    /// The buffered bytes from `start` on (a line written with
    /// [`direct_buffer`](Self::direct_buffer) or [`append`](Self::append)
    /// and not yet published).
    #[inline]
    pub(crate) fn buffered(&self, start: usize) -> &[u8] {
        self.pending.get(start..).unwrap_or_default()
    }

    /// Capacity of the batch buffer, in bytes.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.pending.capacity()
    }

    /// Writes the buffered lines to the file with one `write`, after
    /// checking (`fstat`) that no other process truncated or removed it.
    ///
    /// # Errors
    ///
    /// The lines that are not in the file, with the error (`EIO`, a lost
    /// reservation on a file truncated by another process and a full disk,
    /// ...). A partial write is cut back, so the file ends in a whole line.
    pub(crate) fn publish(&mut self) -> Result<(), Unwritten> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if let Err(error) = self.check_size() {
            return Err(self.unwritten(error, 0));
        }
        let mut done = 0;
        while done < self.pending.len() {
            Counters::add(&COUNTERS.write_calls, 1);
            match (&self.file).write(&self.pending[done..]) {
                Ok(0) => {
                    let error = io::Error::new(io::ErrorKind::WriteZero, "write returned 0");
                    return Err(self.cut_back(error, done));
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.cut_back(e, done)),
            }
        }
        self.written += done as u64;
        self.reserved_to = self.reserved_to.max(self.written);
        self.unsynced = true;
        self.pending.clear();
        if self.pending.capacity() > 4 * PUBLISH_AT {
            self.pending.shrink_to(PUBLISH_AT);
        }
        Ok(())
    }

    /// Writes out the buffer, then flushes the file's written bytes to disk
    /// (`fdatasync`).
    ///
    /// # Errors
    ///
    /// The lines not written, or (with no lines) the error of `fdatasync`.
    pub(crate) fn sync(&mut self) -> Result<(), Unwritten> {
        self.publish()?;
        if self.unsynced {
            Counters::add(&COUNTERS.sync_calls, 1);
            self.file.sync_data().map_err(|error| Unwritten {
                error,
                lines: Vec::new(),
            })?;
            self.unsynced = false;
        }
        Ok(())
    }

    /// Writes out the buffer, gives back the blocks reserved past the end,
    /// and closes. Idempotent; also run (ignoring errors) on drop.
    ///
    /// # Errors
    ///
    /// The lines that could not be written; the file is closed anyway.
    pub(crate) fn close(&mut self) -> Result<(), Unwritten> {
        if self.closed {
            return Ok(());
        }
        let result = self.publish();
        self.closed = true;
        if self.reserved_to > self.written && self.check_size().is_ok() {
            // Gives back the blocks past the end (a punched hole would
            // not: ext4 ignores holes past the size).
            let _ = self.file.set_len(self.written);
            self.reserved_to = self.written;
        }
        COUNTERS.files_open.fetch_sub(1, Relaxed);
        result
    }

    /// Compares the file's size and links with what was written; on a
    /// change, records it and resumes from the file's real end.
    fn check_size(&mut self) -> io::Result<()> {
        let meta = self.file.metadata()?;
        if meta.nlink() == 0 {
            self.change = Some(ExternalChange::Unlinked);
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "removed by another process",
            ));
        }
        let found = meta.len();
        if found == self.written {
            return Ok(());
        }
        // Cut back to a whole line: a reader must not see ours glued to a
        // partial one.
        let resumed_at = logical_len(&self.file, found)?;
        if resumed_at != found {
            self.file.set_len(resumed_at)?;
        }
        self.change = Some(ExternalChange::Resized {
            expected: self.written,
            found,
            resumed_at,
        });
        self.written = resumed_at;
        // Blocks past the old end may be gone with the truncation.
        self.reserved_to = resumed_at;
        let end = self.len();
        self.reserve_to(end)
    }

    /// The lines from `done` on as unwritten, clearing the buffer.
    fn unwritten(&mut self, error: io::Error, done: usize) -> Unwritten {
        let lines = self.pending.split_off(done);
        self.pending.clear();
        Unwritten { error, lines }
    }

    /// After a write that stopped at `done` bytes: cuts the file back to
    /// the end of the last whole line of those bytes and returns the rest.
    fn cut_back(&mut self, error: io::Error, done: usize) -> Unwritten {
        let whole = self.pending[..done]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if done > whole {
            // Our partial line sits at the end of the file; cut it off.
            let end = self.written + done as u64;
            let cut = end - (done - whole) as u64;
            // If this fails too, the size check before the next write
            // finds the partial line and trims it.
            let _ = self.file.set_len(cut);
        }
        self.written += whole as u64;
        self.reserved_to = self.reserved_to.max(self.written);
        self.unsynced |= whole > 0;
        self.unwritten(error, whole)
    }

    /// Reserves blocks so that the file can grow to `end` without needing
    /// new ones: a window ahead, or less on a disk without that much room.
    #[inline]
    fn reserve_to(&mut self, end: u64) -> io::Result<()> {
        if end <= self.reserved_to || !self.can_reserve {
            return Ok(());
        }
        self.reserve_window(end)
    }

    /// [`AppendFile::reserve_to`] past the blocks reserved so far (once a
    /// window).
    #[cold]
    fn reserve_window(&mut self, end: u64) -> io::Result<()> {
        let from = self.reserved_to / self.page * self.page;
        let need = (end - from).div_ceil(self.page) * self.page;
        let mut len = need.max(self.window);
        loop {
            match reserve(&self.file, from, len) {
                Ok(()) => {
                    self.reserved_to = from + len;
                    return Ok(());
                }
                Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {
                    // Unreserved writes; a short one is cut back.
                    self.can_reserve = false;
                    return Ok(());
                }
                Err(e) if len > need && is_no_space(&e) => {
                    len = (len / 2 / self.page * self.page).max(need);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for AppendFile {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// `ENOSPC` or `EDQUOT`.
fn is_no_space(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The length of the content of `file` (of `size` bytes) once the leftovers
/// of a crash are cut off: trailing NUL bytes (the unused part of a window
/// of the memory-mapped writer of earlier versions, or a hole another
/// process made), then a partial last line (anything after the last
/// `'\n'`).
pub(crate) fn logical_len(file: &File, size: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; SCAN_CHUNK];
    // Last byte that is not NUL, scanning backwards.
    let Some(last) = scan_back(file, size, &mut buf, |b| b != 0)? else {
        return Ok(0);
    };
    if read_byte(file, last)? == b'\n' {
        return Ok(last + 1);
    }
    let cut = scan_back(file, last, &mut buf, |b| b == b'\n')?;
    Ok(cut.map_or(0, |pos| pos + 1))
}

/// Offset of the last byte before `end` for which `hit` holds.
fn scan_back(
    file: &File,
    mut end: u64,
    buf: &mut [u8],
    hit: impl Fn(u8) -> bool,
) -> io::Result<Option<u64>> {
    while end > 0 {
        let n = (buf.len() as u64).min(end) as usize;
        let start = end - n as u64;
        file.read_exact_at(&mut buf[..n], start)?;
        if let Some(i) = buf[..n].iter().rposition(|&b| hit(b)) {
            return Ok(Some(start + i as u64));
        }
        end = start;
    }
    Ok(None)
}

/// The byte at `off`.
fn read_byte(file: &File, off: u64) -> io::Result<u8> {
    let mut b = [0u8; 1];
    file.read_exact_at(&mut b, off)?;
    Ok(b[0])
}

/// `(off, len)` as `off_t`s, or an error when out of range.
fn off_t_pair(off: u64, len: u64) -> io::Result<(libc::off_t, libc::off_t)> {
    let too_big = || io::Error::other("log file offset out of range");
    let off = libc::off_t::try_from(off).map_err(|_| too_big())?;
    let len = libc::off_t::try_from(len).map_err(|_| too_big())?;
    off.checked_add(len).ok_or_else(too_big)?;
    Ok((off, len))
}

/// Reserves real disk blocks for `[off, off + len)` without changing the
/// file's size: `fallocate(FALLOC_FL_KEEP_SIZE)`. `EOPNOTSUPP` where the
/// file system cannot.
fn reserve(file: &File, off: u64, len: u64) -> io::Result<()> {
    let (off, len) = off_t_pair(off, len)?;
    let fd = file.as_raw_fd();
    // A signal may interrupt a large reservation; retry a few times only.
    for _ in 0..8 {
        // SAFETY: `fd` is an open descriptor owned by `file`, which
        // outlives the call; `fallocate` takes no pointers.
        let rc = unsafe { libc::fallocate(fd, libc::FALLOC_FL_KEEP_SIZE, off, len) };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
    Err(io::Error::from_raw_os_error(libc::EINTR))
}

/// The system page size (4096 when it cannot be read).
fn page_size() -> u64 {
    // SAFETY: `sysconf` reads a system constant; no pointers, no state.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(n).ok().filter(|&p| p > 0).unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::MetadataExt;

    fn file_size(path: &Path) -> u64 {
        fs::metadata(path).unwrap().len()
    }

    fn ok<T, E>(r: Result<T, E>) -> T {
        match r {
            Ok(v) => v,
            Err(_) => panic!("unexpected error"),
        }
    }

    #[test]
    fn size_is_the_last_whole_line_after_every_publish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut f = AppendFile::open(&path, 4096).unwrap();
        let mut expected = Vec::new();
        for i in 0..2000u32 {
            let line = format!("line {i} {}\n", "x".repeat((i % 97) as usize));
            ok(f.append(line.as_bytes()));
            expected.extend_from_slice(line.as_bytes());
            if i % 7 == 0 {
                ok(f.publish());
                assert_eq!(file_size(&path), expected.len() as u64);
                assert_eq!(fs::read(&path).unwrap(), expected);
            }
        }
        ok(f.sync());
        assert_eq!(fs::read(&path).unwrap(), expected);
        ok(f.close());
        ok(f.close());
        assert_eq!(fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn blocks_are_reserved_ahead_and_given_back_at_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.log");
        let mut f = AppendFile::open(&path, 1 << 20).unwrap();
        ok(f.append(b"one\n"));
        ok(f.publish());
        let m = fs::metadata(&path).unwrap();
        assert_eq!(m.len(), 4);
        if f.can_reserve {
            // A window's blocks, past the 4-byte size.
            assert!(m.blocks() * 512 >= 1 << 20, "{} blocks", m.blocks());
        }
        ok(f.close());
        let m = fs::metadata(&path).unwrap();
        assert!(m.blocks() * 512 < 1 << 20, "{} blocks", m.blocks());
    }

    #[test]
    fn record_larger_than_a_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut f = AppendFile::open(&path, 4096).unwrap();
        let big: Vec<u8> = (0..50_000u32)
            .map(|i| b'a' + (i % 26) as u8)
            .chain([b'\n'])
            .collect();
        ok(f.append(b"first\n"));
        ok(f.append(&big));
        ok(f.append(b"last\n"));
        drop(f);
        let mut expected = b"first\n".to_vec();
        expected.extend_from_slice(&big);
        expected.extend_from_slice(b"last\n");
        assert_eq!(fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn repairs_crash_padding_and_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crash.log");
        let mut content = b"a\nb\npart".to_vec();
        content.extend(std::iter::repeat_n(0u8, 8000));
        fs::write(&path, &content).unwrap();
        let mut f = AppendFile::open(&path, 4096).unwrap();
        assert_eq!(f.len(), 4);
        ok(f.append(b"c\n"));
        ok(f.close());
        assert_eq!(fs::read(&path).unwrap(), b"a\nb\nc\n");
    }

    #[test]
    fn repair_cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.log");
        let cases: &[(&[u8], u64)] = &[
            (b"", 0),
            (b"\0\0\0", 0),
            (b"no newline", 0),
            (b"one\n", 4),
            (b"one\n\0\0", 4),
            (b"one\ntwo\0", 4),
        ];
        for &(bytes, want) in cases {
            fs::write(&path, bytes).unwrap();
            let f = File::open(&path).unwrap();
            assert_eq!(
                logical_len(&f, bytes.len() as u64).unwrap(),
                want,
                "{bytes:?}"
            );
        }
        // Padding longer than one scan chunk.
        let mut long = b"x\n".to_vec();
        long.extend(std::iter::repeat_n(0u8, 3 * SCAN_CHUNK + 5));
        fs::write(&path, &long).unwrap();
        let f = File::open(&path).unwrap();
        assert_eq!(logical_len(&f, long.len() as u64).unwrap(), 2);
    }

    #[test]
    fn truncation_by_another_process_resumes_at_the_new_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.log");
        let mut f = AppendFile::open(&path, 4096).unwrap();
        ok(f.append(b"one\ntwo\n"));
        ok(f.publish());
        // copytruncate: copied elsewhere, then cut to 0.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        ok(f.append(b"three\n"));
        ok(f.publish());
        assert_eq!(fs::read(&path).unwrap(), b"three\n");
        assert_eq!(
            f.take_change(),
            Some(ExternalChange::Resized {
                expected: 8,
                found: 0,
                resumed_at: 0
            })
        );
        assert_eq!(f.take_change(), None);
        // Cut in the middle of a line: resumed after the last whole one.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(3)
            .unwrap();
        ok(f.append(b"four\n"));
        ok(f.close());
        assert_eq!(fs::read(&path).unwrap(), b"four\n");
    }

    #[test]
    fn unlink_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.log");
        let mut f = AppendFile::open(&path, 4096).unwrap();
        ok(f.append(b"one\n"));
        ok(f.publish());
        fs::remove_file(&path).unwrap();
        ok(f.append(b"two\n"));
        let Err(refused) = f.publish() else {
            panic!("a batch for an unlinked file was written")
        };
        assert_eq!(refused.error.kind(), io::ErrorKind::NotFound);
        assert_eq!(refused.lines, b"two\n");
        assert_eq!(f.take_change(), Some(ExternalChange::Unlinked));
    }

    #[test]
    fn reopen_appends_after_existing_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("re.log");
        let mut f = AppendFile::open(&path, 4096).unwrap();
        ok(f.append(b"one\n"));
        drop(f);
        let mut f = AppendFile::open(&path, 4096).unwrap();
        ok(f.append(b"two\n"));
        drop(f);
        assert_eq!(fs::read(&path).unwrap(), b"one\ntwo\n");
    }

    #[test]
    fn is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<AppendFile>();
    }
}
