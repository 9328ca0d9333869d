//! Errors of installing and flushing.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why [`crate::Builder::install`] failed. Nothing was installed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// A logger is already installed in this process (ours or another
    /// `log` backend); `log` allows one per process.
    AlreadyInstalled,
    /// An option has a value that cannot work.
    InvalidOption {
        /// The builder method / configuration key.
        option: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The log directory does not exist.
    DirMissing(PathBuf),
    /// The log directory exists but is not a directory or is not writable.
    DirNotWritable(PathBuf, io::Error),
    /// Opening a file or starting a thread failed.
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::AlreadyInstalled => f.write_str(
                "a logger is already installed in this process (the `log` facade takes one per process)",
            ),
            InitError::InvalidOption { option, reason } => {
                write!(f, "invalid option `{option}`: {reason}")
            }
            InitError::DirMissing(p) => write!(
                f,
                "log directory {} does not exist (create it, or call `.create_dir(true)`)",
                p.display()
            ),
            InitError::DirNotWritable(p, e) => {
                write!(f, "log directory {} is not writable: {e}", p.display())
            }
            InitError::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::DirNotWritable(_, e) | InitError::Io { source: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// Why [`crate::flush`] could not confirm that every record is in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlushError {
    /// The flusher did not finish within the configured flush timeout.
    Timeout,
    /// This many records did not reach their file (they went to stderr,
    /// or into a file that was then deleted), and no earlier call reported
    /// them: see [`crate::flush`] for the exact rule.
    Io {
        /// Records not in their file, not reported before.
        errors: u64,
    },
    /// The logger is stopped: its [`crate::LoggerGuard`] was dropped, its
    /// flusher thread ended, or this process is a fork of the one that
    /// installed it. Records logged since are dropped and counted in
    /// [`crate::metrics`]`().records_dropped`, never written, so there is
    /// nothing to wait for and no file to confirm.
    Stopped,
}

impl fmt::Display for FlushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlushError::Timeout => {
                f.write_str("flush timed out: the flusher did not catch up in time")
            }
            FlushError::Io { errors } => write!(
                f,
                "{errors} records did not reach their file (I/O errors: they went to stderr, \
                 or into a file that was then deleted)"
            ),
            FlushError::Stopped => f.write_str(
                "the logger is stopped (its guard was dropped, its flusher thread ended, or this \
                 process is a fork of the one that installed it): records logged since are \
                 dropped and counted in metrics().records_dropped, not written",
            ),
        }
    }
}

impl std::error::Error for FlushError {}
