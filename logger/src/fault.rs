//! What the logger does with its own failures: count them, say so on
//! stderr (rate-limited), and never panic or block the host application.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::metrics::{COUNTERS, Counters};

/// Second of the last stderr report; at most one report per second.
static LAST_REPORT_SEC: AtomicU64 = AtomicU64::new(0);
/// Errors met since the last report, said in the next one.
static SUPPRESSED: AtomicU64 = AtomicU64::new(0);

/// Counts an I/O error and reports it on stderr, at most once a second.
pub(crate) fn report_io_error(what: &str, err: &io::Error) {
    Counters::add(&COUNTERS.io_errors, 1);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let last = LAST_REPORT_SEC.load(Relaxed);
    if now <= last
        || LAST_REPORT_SEC
            .compare_exchange(last, now, Relaxed, Relaxed)
            .is_err()
    {
        SUPPRESSED.fetch_add(1, Relaxed);
        return;
    }
    let suppressed = SUPPRESSED.swap(0, Relaxed);
    let mut stderr = io::stderr().lock();
    let _ = if suppressed > 0 {
        writeln!(
            stderr,
            "logger: I/O error: {what}: {err} ({suppressed} more since the last report); \
             records go to stderr until the file recovers"
        )
    } else {
        writeln!(
            stderr,
            "logger: I/O error: {what}: {err}; records go to stderr until the file recovers"
        )
    };
}

/// Says on stderr what another process did to a log file (not an I/O
/// error: the caller counts it in `files_changed_externally`).
pub(crate) fn report_file_change(what: &str) {
    let _ = writeln!(io::stderr().lock(), "logger: {what}");
}

/// Records that did not reach their file so far: sent to stderr, or
/// copied into a file then found deleted (a running total, for `flush()`).
pub(crate) fn records_not_in_file() -> u64 {
    COUNTERS.records_to_stderr.load(Relaxed) + COUNTERS.lines_lost.load(Relaxed)
}

/// Counts `n` lines copied into a file that was then found deleted.
pub(crate) fn count_lost_lines(n: u64) {
    if n > 0 {
        Counters::add(&COUNTERS.lines_lost, n);
    }
}

/// Writes a formatted record to stderr because its file failed.
pub(crate) fn fallback_to_stderr(line: &[u8]) {
    Counters::add(&COUNTERS.records_to_stderr, 1);
    let _ = io::stderr().lock().write_all(line);
}
