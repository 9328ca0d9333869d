//! [`LoggerGuard`]: dropping it drains every ring and stops the logger.

use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::backend::flusher::SHUTDOWN;
use crate::lifecycle;
use crate::sink::Housekeeper;

/// Keeps the logger running; returned by [`crate::Builder::install`].
///
/// Dropping it stops the logger: records logged afterwards are dropped
/// and counted, every record logged before is written, the files are
/// truncated to their length and closed, and pending compression
/// finishes. Each wait is bounded by the flush timeout, so exit never
/// hangs. `let _ = install()` drops the guard at once: bind it to a name.
///
/// # Examples
///
/// ```no_run
/// let guard = logger::builder().dir("logs").install().unwrap();
/// log::info!("running");
/// drop(guard); // everything above is in logs/app.log now
/// ```
#[must_use = "the logger stops when this guard is dropped: bind it to a named variable \
              that lives as long as the program logs, `let _guard = logger::builder()...install()?;` \
              (never `let _ = ...`, which drops it at once)"]
pub struct LoggerGuard {
    flusher: Option<JoinHandle<()>>,
    housekeeper: Option<Housekeeper>,
    timeout: Duration,
}

impl LoggerGuard {
    pub(crate) fn new(
        flusher: JoinHandle<()>,
        housekeeper: Housekeeper,
        timeout: Duration,
    ) -> Self {
        LoggerGuard {
            flusher: Some(flusher),
            housekeeper: Some(housekeeper),
            timeout,
        }
    }
}

impl Drop for LoggerGuard {
    fn drop(&mut self) {
        lifecycle::set_state(lifecycle::STOPPED);
        SHUTDOWN.store(true, Ordering::Release);
        if let Some(handle) = self.flusher.take() {
            // `install()` bounds the timeout; an unrepresentable deadline
            // would mean "no deadline" rather than a panic.
            let deadline = Instant::now().checked_add(self.timeout);
            while !handle.is_finished() && deadline.is_none_or(|d| Instant::now() < d) {
                std::thread::sleep(Duration::from_micros(200));
            }
            if handle.is_finished() {
                let _ = handle.join();
            } else {
                eprintln!(
                    "logger: the flusher did not finish within {:?}; some records may be missing",
                    self.timeout
                );
            }
        }
        if let Some(hk) = self.housekeeper.take() {
            hk.shutdown(self.timeout);
        }
    }
}
