//! Waking `tail -f` as soon as a followed directory changes, with Linux
//! inotify: one watch per directory reports a file written (`write(2)` by
//! the flusher), created, closed, renamed in or out, or deleted. The
//! follower then polls at once instead of at its next tick, so a record is
//! printed within about a millisecond of `logger::flush()` rather than up to
//! a poll interval later. Where inotify cannot be had (the per-user limit
//! on instances or watches, a file system without events), [`DirWatch::new`]
//! says so and the caller keeps polling; the poll also stays on as a
//! fallback with a watch, for events a file system does not report.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// What wakes a watch: any change of a file's content or of the names.
const EVENTS: u32 = libc::IN_MODIFY
    | libc::IN_CLOSE_WRITE
    | libc::IN_CREATE
    | libc::IN_MOVED_TO
    | libc::IN_MOVED_FROM
    | libc::IN_DELETE;

/// An inotify instance watching some directories.
#[derive(Debug)]
pub struct DirWatch {
    fd: OwnedFd,
}

impl DirWatch {
    /// An instance watching `dirs`.
    ///
    /// # Errors
    ///
    /// The instance or a watch cannot be created (the message says which
    /// directory and why): the caller then polls.
    pub fn new<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Result<DirWatch, String> {
        // SAFETY: inotify_init1 takes flags only and returns a new fd or -1.
        let raw = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if raw < 0 {
            return Err(format!("inotify: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: `raw` is a valid fd just returned to us and owned by no one else.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let w = DirWatch { fd };
        for d in dirs {
            w.add(d)?;
        }
        Ok(w)
    }

    /// Watches one more directory (watching one twice is harmless).
    ///
    /// # Errors
    ///
    /// The directory cannot be watched: the message names it.
    pub fn add(&self, dir: &Path) -> Result<(), String> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let c = CString::new(dir.as_os_str().as_bytes())
            .map_err(|_| format!("{}: a NUL byte in the path", dir.display()))?;
        // SAFETY: the fd is our inotify instance and `c` a NUL-terminated path
        // that outlives the call.
        let wd = unsafe { libc::inotify_add_watch(self.fd.as_raw_fd(), c.as_ptr(), EVENTS) };
        if wd < 0 {
            return Err(format!(
                "{}: inotify: {}",
                dir.display(),
                std::io::Error::last_os_error()
            ));
        }
        Ok(())
    }

    /// Waits until a watched directory changes or `timeout` passes, then
    /// drains the pending events. Returns whether something changed.
    pub fn wait(&self, timeout: Duration) -> bool {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd, its count 1; poll only writes `revents`.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n <= 0 {
            return false;
        }
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: reads at most `buf.len()` bytes into `buf`, which we own;
            // the fd is non-blocking, so this returns -1 (EAGAIN) once drained.
            let got =
                unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if got <= 0 {
                break;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_on_a_write_and_times_out_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let w = DirWatch::new([dir.path()]).unwrap();
        assert!(!w.wait(Duration::from_millis(10)), "nothing happened yet");
        std::fs::write(dir.path().join("app.log"), b"{}\n").unwrap();
        assert!(w.wait(Duration::from_secs(5)));
        // Drained: no event left.
        assert!(!w.wait(Duration::from_millis(10)));
        let missing = dir.path().join("missing");
        let e = w.add(&missing).unwrap_err();
        assert!(e.contains("missing"), "{e}");
    }
}
