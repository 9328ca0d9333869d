//! One file appended through memory-mapped windows.
//!
//! The file is written by copying bytes into a shared mapping. Before a
//! window is mapped, its disk blocks are reserved with `fallocate` (or
//! `posix_fallocate` where the file system lacks it), so a store into the
//! mapping never needs a block the disk cannot give: a full disk makes the
//! reservation fail with `ENOSPC`, an ordinary [`io::Error`], instead of
//! turning a later store into `SIGBUS`. The file is never grown by
//! `ftruncate` alone.
//!
//! The file is longer than its content while a window is mapped (the rest of
//! the window reads as NUL bytes); [`MappedFile::close`] truncates it to the
//! logical length. A file left by a crash still ends in that padding, and
//! possibly in a partial line: [`MappedFile::open`] trims both before
//! appending (see [`logical_len`]).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use memmap2::{MmapMut, MmapOptions};

use crate::metrics::{COUNTERS, Counters};

/// Bytes read per step while scanning a file's tail at open.
const SCAN_CHUNK: usize = 64 * 1024;

/// An append-only file written through reserved, memory-mapped windows.
///
/// Owns its descriptor; `Send`, used by one thread at a time.
pub(crate) struct MappedFile {
    /// The open file (read + write: a shared writable mapping needs both).
    file: File,
    /// Logical length: bytes of content, excluding the reserved padding.
    len: u64,
    /// The current window, if one is mapped.
    map: Option<MmapMut>,
    /// File offset of the first byte of `map` (a multiple of `page`).
    map_off: u64,
    /// Size of a window in bytes (a multiple of `page`).
    window: u64,
    /// The system page size.
    page: u64,
    /// Content before this offset has been flushed by [`MappedFile::sync`].
    synced_to: u64,
    /// Unsynced bytes lie in windows already unmapped: `sync` must `fdatasync`.
    unsynced_unmapped: bool,
    /// Set by [`MappedFile::close`]; nothing is appended afterwards.
    closed: bool,
}

impl MappedFile {
    /// Opens (creating if needed) the file at `path` for appending through
    /// windows of `window_bytes` (rounded up to whole pages).
    ///
    /// A file left by a crash is repaired first: trailing NUL padding and a
    /// partial last line are cut off (see [`logical_len`]). No window is
    /// reserved until the first append.
    pub(crate) fn open(path: &Path, window_bytes: usize) -> io::Result<MappedFile> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let size = file.metadata()?.len();
        let len = logical_len(&file, size)?;
        if len != size {
            file.set_len(len)?;
        }
        let page = page_size();
        let window = (window_bytes.max(1) as u64).div_ceil(page) * page;
        Counters::add(&COUNTERS.files_open, 1);
        Ok(MappedFile {
            file,
            len,
            map: None,
            map_off: 0,
            window,
            page,
            synced_to: len,
            unsynced_unmapped: false,
            closed: false,
        })
    }

    /// Logical length of the file: the bytes appended so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The open file, for `fstat`.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Appends `data` as a whole: either every byte lands in the file or
    /// none does (the logical length is unchanged on error).
    ///
    /// # Errors
    ///
    /// A failed reservation (`ENOSPC`, `EDQUOT`, ...) or mapping, or an
    /// append after [`close`](Self::close).
    pub(crate) fn append(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if self.closed {
            return Err(io::Error::other("append to a closed log file"));
        }
        let end = self
            .len
            .checked_add(data.len() as u64)
            .ok_or_else(|| io::Error::other("log file offset overflow"))?;
        let mapped_end = self
            .map
            .as_ref()
            .map_or(0, |m| self.map_off + m.len() as u64);
        if end > mapped_end {
            self.map_window(end)?;
        }
        let Some(map) = self.map.as_mut() else {
            return Err(io::Error::other("log file window is not mapped"));
        };
        let start = (self.len - self.map_off) as usize;
        map[start..start + data.len()].copy_from_slice(data);
        self.len = end;
        Ok(())
    }

    /// Reserves and maps a window that starts at the page holding the
    /// current end and covers at least up to `end`: one window, or more
    /// for a record larger than a window.
    fn map_window(&mut self, end: u64) -> io::Result<()> {
        let map_off = self.len / self.page * self.page;
        let map_len = (end - map_off).div_ceil(self.page).max(1) * self.page;
        let map_len = map_len.max(self.window);
        let map_len_usize = usize::try_from(map_len)
            .map_err(|_| io::Error::other("log window larger than the address space"))?;
        reserve(&self.file, map_off, map_len)?;
        // SAFETY: memmap2 requires that the mapped file range is not
        // truncated or resized by anyone else while mapped. This file is
        // the logger's own output: this process changes its length only
        // through `reserve` (growth, which never invalidates a mapping) and
        // `set_len` in `close` / `open`, and `close` drops the mapping
        // before truncating. `reserve` just allocated real blocks for
        // `[map_off, map_off + map_len)` and extended the file size to
        // cover it, so every byte of the mapping is inside the file and
        // backed by disk: no store can fault with SIGBUS. `map_off` is a
        // multiple of the page size. Other processes only read the file.
        let map = unsafe {
            MmapOptions::new()
                .offset(map_off)
                .len(map_len_usize)
                .map_mut(&self.file)?
        };
        if self.synced_to < map_off {
            self.unsynced_unmapped = true;
        }
        self.map = Some(map);
        self.map_off = map_off;
        Ok(())
    }

    /// Flushes to disk (`msync`) what was appended since the last call.
    ///
    /// # Errors
    ///
    /// The error of `msync` or `fdatasync`.
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        if self.synced_to >= self.len {
            return Ok(());
        }
        if let Some(map) = &self.map {
            let from = self.synced_to.max(self.map_off);
            if from < self.len {
                let off = (from - self.map_off) as usize;
                map.flush_range(off, (self.len - from) as usize)?;
            }
        }
        if self.unsynced_unmapped {
            // Part of the range was written through windows since unmapped;
            // their dirty pages are still in the page cache.
            self.file.sync_data()?;
            self.unsynced_unmapped = false;
        }
        self.synced_to = self.len;
        Ok(())
    }

    /// Unmaps the window and truncates the file to its logical length.
    /// Idempotent; also run (ignoring errors) on drop.
    ///
    /// # Errors
    ///
    /// The error of `ftruncate`; the file is closed anyway.
    pub(crate) fn close(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.map = None;
        COUNTERS.files_open.fetch_sub(1, Relaxed);
        self.file.set_len(self.len)
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// The length of the content of `file` (of `size` bytes) once the leftovers
/// of a crash are cut off: trailing NUL bytes (the unused part of a reserved
/// window), then a partial last line (anything after the last `'\n'`).
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

/// Reserves real disk blocks for `[off, off + len)`, extending the file
/// size to cover it: `fallocate(fd, 0, ..)`, or `posix_fallocate` when the
/// file system does not support `fallocate`.
fn reserve(file: &File, off: u64, len: u64) -> io::Result<()> {
    let too_big = || io::Error::other("log window offset out of range");
    let off = libc::off_t::try_from(off).map_err(|_| too_big())?;
    let len = libc::off_t::try_from(len).map_err(|_| too_big())?;
    let fd = file.as_raw_fd();
    // A signal may interrupt a large reservation; retry a few times only.
    for _ in 0..8 {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: `fd` is an open descriptor owned by `file`, which
            // outlives the call; `fallocate` takes no pointers.
            let rc = unsafe { libc::fallocate(fd, 0, off, len) };
            if rc == 0 {
                return Ok(());
            }
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EOPNOTSUPP) => {}
                _ => return Err(err),
            }
        }
        // SAFETY: as above: a valid descriptor and no pointers.
        let rc = unsafe { libc::posix_fallocate(fd, off, len) };
        match rc {
            0 => return Ok(()),
            libc::EINTR => continue,
            errno => return Err(io::Error::from_raw_os_error(errno)),
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

    fn file_size(path: &Path) -> u64 {
        fs::metadata(path).unwrap().len()
    }

    #[test]
    fn appends_across_windows_and_reads_back_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut f = MappedFile::open(&path, 4096).unwrap();
        let mut expected = Vec::new();
        for i in 0..2000u32 {
            let line = format!("line {i} {}\n", "x".repeat((i % 97) as usize));
            f.append(line.as_bytes()).unwrap();
            expected.extend_from_slice(line.as_bytes());
        }
        // While open, the file is padded to the reserved window.
        assert!(file_size(&path) >= expected.len() as u64);
        f.sync().unwrap();
        f.close().unwrap();
        f.close().unwrap();
        assert_eq!(fs::read(&path).unwrap(), expected);
    }

    #[test]
    fn record_larger_than_a_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut f = MappedFile::open(&path, 4096).unwrap();
        let big: Vec<u8> = (0..50_000u32)
            .map(|i| b'a' + (i % 26) as u8)
            .chain([b'\n'])
            .collect();
        f.append(b"first\n").unwrap();
        f.append(&big).unwrap();
        f.append(b"last\n").unwrap();
        f.sync().unwrap();
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
        let mut f = MappedFile::open(&path, 4096).unwrap();
        assert_eq!(f.len(), 4);
        f.append(b"c\n").unwrap();
        f.close().unwrap();
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
    fn reopen_appends_after_existing_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("re.log");
        let mut f = MappedFile::open(&path, 4096).unwrap();
        f.append(b"one\n").unwrap();
        drop(f);
        let mut f = MappedFile::open(&path, 4096).unwrap();
        f.append(b"two\n").unwrap();
        drop(f);
        assert_eq!(fs::read(&path).unwrap(), b"one\ntwo\n");
    }

    #[test]
    fn is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<MappedFile>();
    }
}
