//! Modes of the files and directories the logger creates, whatever the
//! process umask.
//!
//! - A log file the logger creates gets [`RotationConfig::file_mode`]
//!   (default [`DEFAULT_FILE_MODE`], `0640`): it is created with that mode,
//!   then `fchmod`ed to it, since `open(2)` masks the mode with the umask.
//!   A rotated file keeps it (a rename keeps the inode); a compressed or
//!   encrypted file derived from it gets its source file's mode
//!   (`housekeeping::replace_transformed`).
//! - A directory created by `create_dir(true)` gets
//!   [`RotationConfig::dir_mode`] (default [`DEFAULT_DIR_MODE`], `0750`);
//!   so do its missing parents.
//! - An existing log file whose mode grants a permission the configured
//!   mode does not (e.g. `0644` against `0640`) is left as it is (the
//!   operator may have reasons) and reported once per path on stderr.
//! - Symbolic links: the log directory may be one (followed, like any path
//!   to a directory); a log file may not: the active file is opened with
//!   `O_NOFOLLOW`, so a symlink planted at `<dir>/<name>.log` (say, to a
//!   file the process may write but the attacker may not) makes the open
//!   fail with `ELOOP` instead of writing through it.
//!
//! [`RotationConfig::file_mode`]: crate::RotationConfig::file_mode
//! [`RotationConfig::dir_mode`]: crate::RotationConfig::dir_mode
//! [`DEFAULT_FILE_MODE`]: crate::DEFAULT_FILE_MODE
//! [`DEFAULT_DIR_MODE`]: crate::DEFAULT_DIR_MODE

use std::collections::HashSet;
use std::fs::{self, DirBuilder, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::append_file::AppendFile;

/// Paths already reported as looser than configured (once per path).
static REPORTED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// Makes sure the log file at `path` exists with the right mode before it
/// is mapped: creates it with `mode` (then `fchmod`, past the umask), or,
/// when it exists, reports once if its mode is looser than `mode`.
///
/// # Errors
///
/// `path` is a symbolic link (`ELOOP`), or the file cannot be created,
/// opened or `fchmod`ed.
pub(crate) fn prepare_file(path: &Path, mode: u32) -> io::Result<()> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    match created {
        Ok(file) => file.set_permissions(fs::Permissions::from_mode(mode)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // O_NONBLOCK: a FIFO planted there must not hang the flusher.
            let file = OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(path)
                .map_err(|e| refuse_symlink(path, e))?;
            let meta = file.metadata()?;
            if !meta.is_file() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a regular file", path.display()),
                ));
            }
            report_if_looser(path, meta.permissions().mode(), mode);
            Ok(())
        }
        Err(e) => Err(refuse_symlink(path, e)),
    }
}

/// [`prepare_file`], then [`AppendFile::open`] (which refuses a symlink too).
pub(crate) fn open_log(path: &Path, window_bytes: usize, mode: u32) -> io::Result<AppendFile> {
    prepare_file(path, mode)?;
    AppendFile::open(path, window_bytes).map_err(|e| refuse_symlink(path, e))
}

/// `ELOOP` from an `O_NOFOLLOW` open, said in words.
fn refuse_symlink(path: &Path, e: io::Error) -> io::Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        io::Error::new(
            e.kind(),
            format!(
                "{} is a symbolic link: log files are never written through one \
                 (remove it, or point `dir` at the link's directory)",
                path.display()
            ),
        )
    } else {
        e
    }
}

/// Reports on stderr, once per path, a mode granting more than `wanted`.
fn report_if_looser(path: &Path, actual: u32, wanted: u32) {
    let extra = actual & 0o7777 & !wanted;
    if extra == 0 {
        return;
    }
    let mut reported = REPORTED.lock().unwrap_or_else(|p| p.into_inner());
    if reported
        .get_or_insert_with(HashSet::new)
        .insert(path.to_path_buf())
    {
        eprintln!(
            "logger: {} has mode {:04o}, looser than the configured {wanted:04o} \
             (left as it is; `chmod {wanted:o}` it to tighten)",
            path.display(),
            actual & 0o7777,
        );
    }
}

/// Creates `dir` and its missing parents with `mode`, past the umask.
///
/// # Errors
///
/// A component cannot be created or `chmod`ed.
pub(crate) fn create_dir_all(dir: &Path, mode: u32) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(p) = at {
        if p.as_os_str().is_empty() || fs::metadata(p).is_ok() {
            break;
        }
        missing.push(p);
        at = p.parent();
    }
    for p in missing.into_iter().rev() {
        match DirBuilder::new().mode(mode).create(p) {
            Ok(()) => fs::set_permissions(p, fs::Permissions::from_mode(mode))?,
            // Created meanwhile by someone else: theirs, left as it is.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Checks a configured mode: permission bits only, and the owner can do
/// what the logger needs (`rw` on files, `rwx` on directories).
pub(crate) fn check_mode(mode: u32, owner_needs: u32) -> Result<(), String> {
    if mode & !0o777 != 0 {
        return Err(format!(
            "{mode:#o} has bits beyond the permission bits 0777 (no setuid, setgid or sticky bit)"
        ));
    }
    if mode & owner_needs != owner_needs {
        return Err(format!(
            "{mode:04o} does not give the owner {owner_needs:04o}, which the logger needs"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode_of(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn created_file_gets_the_mode_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        // The umask of the test process (022 or stricter) strips group
        // write from open(2)'s mode; fchmod restores it.
        let p = dir.path().join("a.log");
        prepare_file(&p, 0o660).unwrap();
        assert_eq!(mode_of(&p), 0o660);
        // Existing: left as it is.
        fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
        prepare_file(&p, 0o640).unwrap();
        assert_eq!(mode_of(&p), 0o666);
    }

    #[test]
    fn a_symlinked_log_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        fs::write(&target, b"keep\n").unwrap();
        let link = dir.path().join("app.log");
        symlink(&target, &link).unwrap();
        let e = prepare_file(&link, 0o640).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(fs::read(&target).unwrap(), b"keep\n");
        // A dangling one too: O_CREAT|O_EXCL never follows it (EEXIST),
        // and the O_NOFOLLOW open then fails with ELOOP.
        fs::remove_file(&target).unwrap();
        assert!(prepare_file(&link, 0o640).is_err());
        assert!(!target.exists());
        // A FIFO is refused without blocking.
        let fifo = dir.path().join("errors.log");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = prepare_file(&fifo, 0o640).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn created_directories_get_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        let before = mode_of(dir.path());
        create_dir_all(&deep, 0o710).unwrap();
        for p in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode_of(&dir.path().join(p)), 0o710, "{p}");
        }
        assert_eq!(
            mode_of(dir.path()),
            before,
            "an existing parent is untouched"
        );
    }

    #[test]
    fn modes_are_checked() {
        assert!(check_mode(0o640, 0o600).is_ok());
        assert!(check_mode(0o4640, 0o600).unwrap_err().contains("setuid"));
        assert!(check_mode(0o440, 0o600).unwrap_err().contains("owner"));
        assert!(check_mode(0o650, 0o700).unwrap_err().contains("owner"));
    }
}
