//! The scan every reading command shares: find the destinations, merge
//! their lines by `ts` (dropping a record written to several destinations
//! once it was shown), let the reader's prefilter reject lines by their
//! bytes, read each remaining line with the reader's scanner, apply the
//! [`Filter`], and hand the survivors to the command.
//!
//! Problems in the input are reported on stderr as they are met (at most
//! [`MAX_REPORTED`] of each sort, then counted): read errors (an unreadable
//! file, a truncated `.gz`), lines that are not records, crash tails.
//! [`ScanOutcome::finish`] turns them into the exit code.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use logger_read::decrypt::Identities;
use logger_read::{Destination, FileState, Merge, MergedLine, Prefilter, RecordView, discover};

use crate::error::CliError;
use crate::filter::Filter;

/// Problems of one sort printed before the rest are only counted.
pub const MAX_REPORTED: u64 = 10;

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Drop a line byte-identical to one already shown with the same `ts`
    /// from another destination.
    pub dedup: bool,
    /// Show a progress bar on stderr (only if it is a terminal).
    pub progress: bool,
    /// Decrypt encrypted rotated files with these (else each is reported).
    pub identities: Option<Identities>,
}

/// What a scan met besides the records it handed out.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Lines read (after the byte prefilter).
    pub lines: u64,
    /// Records that passed the filter.
    pub matched: u64,
    /// Lines that are not records.
    pub bad_lines: u64,
    /// Read errors (files that could not be read to the end).
    pub read_errors: u64,
    /// Crash tails: files ending in NUL padding or a cut line (rotated
    /// files), cut lines anywhere.
    pub crash_tails: u64,
    /// Records dropped as copies of one already shown.
    pub duplicates: u64,
}

impl ScanOutcome {
    /// `Ok` unless the input had problems that make the exit code 1.
    ///
    /// # Errors
    ///
    /// [`CliError::Reported`] after bad lines or read errors, and after
    /// crash tails with `strict`.
    pub fn finish(&self, strict: bool) -> Result<(), CliError> {
        if self.bad_lines > 0 || self.read_errors > 0 || (strict && self.crash_tails > 0) {
            Err(CliError::Reported)
        } else {
            Ok(())
        }
    }
}

/// The destinations of `paths`, with a message naming the path on error.
///
/// # Errors
///
/// A path that does not exist or cannot be read, a directory without log files.
///
/// Files written in another format than the standard JSON lines (a named
/// formatter's text, logfmt or renamed keys) are left out, with one
/// message per destination on stderr (see [`report_foreign`]).
pub fn destinations(paths: &[PathBuf]) -> Result<Vec<Destination>, CliError> {
    let found = all_destinations(paths)?;
    let (dests, skipped) = logger_read::split_foreign(found);
    for msg in &skipped {
        report_foreign(msg);
    }
    if dests.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(CliError::Input(format!(
            "{}: no log files in the standard JSON lines format (every file was skipped)",
            shown.join(", ")
        )));
    }
    Ok(dests)
}

/// The destinations of `paths`, every file included whatever its format
/// (for `check`, which reports files in another format as problems).
///
/// # Errors
///
/// A path that does not exist or cannot be read, a directory without log files.
pub fn all_destinations(paths: &[PathBuf]) -> Result<Vec<Destination>, CliError> {
    let found = discover(paths)?;
    if found.iter().all(|d| d.files.is_empty()) {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(CliError::Input(format!(
            "{}: no log files",
            shown.join(", ")
        )));
    }
    Ok(found)
}

/// Prints `logger: <msg>` on stderr, once per process for each message
/// (a command may look for the destinations more than once).
pub fn report_foreign(msg: &str) {
    static SHOWN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if !shown.iter().any(|m| m == msg) {
        eprintln!("logger: {msg}");
        shown.push(msg.to_string());
    }
}

/// The reader's byte prefilter for the parts of `filter` it can judge.
pub fn prefilter(filter: &Filter) -> Prefilter {
    let mut p = Prefilter::new();
    if let Some(l) = filter.min_level() {
        p = p.min_level(l);
    }
    for k in filter.kinds() {
        p = p.kind(k.clone());
    }
    if let Some(c) = filter.corr() {
        p = p.correlation_id(c);
    }
    p
}

/// A progress bar on stderr (bytes read, records per second) when
/// `enabled` and stderr is a terminal; hidden otherwise.
pub fn progress_bar(enabled: bool, total_bytes: u64) -> ProgressBar {
    if !enabled || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg} ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// Sum of the on-disk sizes of the destinations' files.
pub fn total_bytes(dests: &[Destination]) -> u64 {
    dests
        .iter()
        .flat_map(|d| &d.files)
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum()
}

fn warn(what: &str, count: u64, msg: impl FnOnce() -> String) {
    if count <= MAX_REPORTED {
        eprintln!("logger: {}", msg());
    }
    if count == MAX_REPORTED + 1 {
        eprintln!("logger: more {what} follow; only their count is reported at the end");
    }
}

/// Scans `paths` and calls `each` with every record that passes `filter`,
/// in `ts` order, with its merged line (file, offsets, line number).
///
/// # Errors
///
/// No such path / no log files (before reading); the error `each` returns
/// (a closed stdout).
pub fn scan(
    paths: &[PathBuf],
    filter: &Filter,
    opts: ScanOptions,
    mut each: impl FnMut(&RecordView<'_>, &MergedLine<'_>) -> io::Result<()>,
) -> Result<ScanOutcome, CliError> {
    let dests = destinations(paths)?;
    let bar = progress_bar(opts.progress, total_bytes(&dests));
    // Copies exist only across destinations: with one, dedup would only
    // cost a copy of every line.
    let dedup = opts.dedup && dests.len() > 1;
    let mut merge = Merge::new(dests)
        .dedup(dedup)
        .prefilter(prefilter(filter))
        .identities(opts.identities);
    let mut out = ScanOutcome::default();
    // Progress: bytes of finished files plus the offset in the current one, per source.
    let mut done_bytes: Vec<u64> = Vec::new();
    let mut current: Vec<(PathBuf, u64)> = Vec::new();
    while let Some(item) = merge.next_line() {
        let m = match item {
            Ok(m) => m,
            Err(e) => {
                if matches!(e.kind(), logger_read::ErrorKind::CutLine { .. }) {
                    out.crash_tails += 1;
                    warn("crash tails", out.crash_tails, || {
                        format!("{e} (crash tail: skipped)")
                    });
                } else {
                    out.read_errors += 1;
                    warn("read errors", out.read_errors, || e.to_string());
                }
                continue;
            }
        };
        out.lines += 1;
        if out.lines & 0x3fff == 0 && !bar.is_hidden() {
            if done_bytes.len() <= m.source {
                done_bytes.resize(m.source + 1, 0);
                current.resize(m.source + 1, (PathBuf::new(), 0));
            }
            let cur = &mut current[m.source];
            if cur.0 != m.file.path {
                done_bytes[m.source] += cur.1;
                *cur = (m.file.path.clone(), 0);
            }
            cur.1 = m.line.next;
            bar.set_position(
                done_bytes.iter().sum::<u64>() + current.iter().map(|c| c.1).sum::<u64>(),
            );
            bar.set_message(format!("{} records", out.lines));
        }
        if !filter.line_may_match(m.line.bytes) {
            continue;
        }
        let view = match RecordView::parse(m.line.bytes) {
            Ok(v) => v,
            Err(e) => {
                out.bad_lines += 1;
                warn("lines that are not records", out.bad_lines, || {
                    format!(
                        "{}: line {}: not a record: {e}",
                        m.file.path.display(),
                        m.line.number
                    )
                });
                continue;
            }
        };
        if filter.matches(&view) {
            out.matched += 1;
            each(&view, &m)?;
        }
    }
    bar.finish_and_clear();
    out.duplicates = merge.duplicates();
    report_tails(&merge, &mut out);
    report_counts(&out);
    Ok(out)
}

/// Reports files that end in a crash tail: NUL padding after the last line
/// of a rotated file, or a cut last line anywhere. The active file of a
/// running logger always ends in the NUL padding of its reserved window,
/// so padding alone there is normal and not reported.
fn report_tails(merge: &Merge, out: &mut ScanOutcome) {
    for (path, tail) in merge.tails() {
        let rotated = logger_read::LogFile::from_path(path).state == FileState::Rotated;
        if tail.partial_bytes > 0 || (rotated && tail.nul_bytes > 0) {
            out.crash_tails += 1;
            warn("crash tails", out.crash_tails, || {
                describe_tail(path, tail.partial_bytes, tail.nul_bytes)
            });
        }
    }
}

/// `app.log: crash tail: a cut last line of 45 bytes, 4096 NUL bytes of padding`.
pub fn describe_tail(path: &Path, partial: u64, nul: u64) -> String {
    let mut parts = Vec::new();
    if partial > 0 {
        parts.push(format!(
            "a cut last line of {partial} bytes (no newline; not shown)"
        ));
    }
    if nul > 0 {
        parts.push(format!("{nul} NUL bytes of padding"));
    }
    format!("{}: crash tail: {}", path.display(), parts.join(", "))
}

fn report_counts(out: &ScanOutcome) {
    for (n, what) in [
        (out.bad_lines, "lines that are not records"),
        (out.read_errors, "read errors"),
        (out.crash_tails, "crash tails"),
    ] {
        if n > MAX_REPORTED {
            eprintln!("logger: {n} {what} in all");
        }
    }
}
