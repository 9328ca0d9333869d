//! `logger check`: every line parses and follows the record schema;
//! timestamps never go back within a file or across a rotation; crash
//! tails; gaps in rotation. A summary, and exit code 1 on any problem.
//!
//! A gap in rotation: a file is renamed at rotation to the timestamp of
//! the record that triggered it, which is the first record of the next
//! file. So the next file must start at that millisecond (read in UTC, or
//! shifted by a whole number of quarter hours for a local time zone). The
//! one exception is a file rotated at start-up (named by its mtime): then
//! the next file's first record comes from a new process. So when the
//! next file starts at another millisecond and its first record has the
//! same `pid` as the previous file's last, a file between them is missing.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

use logger_read::decrypt::{self, Identities};
use logger_read::{ErrorKind, FileId, FileState, LogFile, ReaderOptions};
use serde::Serialize;
use time::PrimitiveDateTime;
use time::macros::format_description;

use crate::error::CliError;
use crate::filter::time_arg::format_ns;
use crate::flags::{CheckArgs, paths_or_default};
use crate::scan::{all_destinations, describe_tail, progress_bar, total_bytes};
use crate::schema::check_line;

/// What `check` found.
#[derive(Debug, Default, Serialize)]
pub struct CheckSummary {
    /// Destinations checked.
    pub destinations: usize,
    /// Files checked.
    pub files: usize,
    /// Lines read.
    pub lines: u64,
    /// Lines that are not records of the schema.
    pub schema_errors: u64,
    /// Lines whose `ts` is before the previous line's in the same file.
    pub out_of_order: u64,
    /// Files ending in a crash tail (a cut line; NUL padding of a rotated file), and cut lines inside files.
    pub crash_tails: u64,
    /// Files that could not be read to the end (I/O error, truncated gzip, encrypted).
    pub read_errors: u64,
    /// Rotations whose next file is not the one that followed (a missing
    /// file), or whose next file starts before the previous one ends.
    pub rotation_gaps: u64,
    /// The same file present twice (same first line).
    pub duplicate_files: u64,
    /// Files written in another format than the standard JSON lines (a
    /// named formatter's text, logfmt or renamed keys): not checked.
    pub other_format_files: u64,
    /// The problems, in the order found (at most `--max-problems`).
    pub problems: Vec<String>,
}

impl CheckSummary {
    fn total(&self) -> u64 {
        self.schema_errors
            + self.out_of_order
            + self.crash_tails
            + self.read_errors
            + self.rotation_gaps
            + self.duplicate_files
            + self.other_format_files
    }
}

/// First and last `ts` of a file, with the `pid` of its first and last record.
struct FileSpan {
    first: Option<(i128, u64)>,
    last: Option<(i128, u64)>,
}

struct Checker {
    summary: CheckSummary,
    max: usize,
    json: bool,
    keys: Option<Identities>,
    out: Stdout,
}

/// Stdout that stops printing once its reader is gone (`logger check |
/// head`) or a write fails: the check itself goes on, so the exit code
/// still says whether problems were found. A failure other than a closed
/// pipe is kept, and returned at the end.
struct Stdout {
    closed: bool,
    error: Option<io::Error>,
}

impl Stdout {
    fn line(&mut self, text: &str) {
        if self.closed {
            return;
        }
        let mut out = io::stdout().lock();
        if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
            self.closed = true;
            if e.kind() != io::ErrorKind::BrokenPipe {
                self.error = Some(e);
            }
        }
    }
}

impl Checker {
    fn problem(&mut self, msg: String) {
        if self.summary.problems.len() < self.max {
            if !self.json {
                self.out.line(&msg);
            }
            self.summary.problems.push(msg);
        }
    }

    fn check_file(&mut self, f: &LogFile, bar: &indicatif::ProgressBar) -> FileSpan {
        let mut span = FileSpan {
            first: None,
            last: None,
        };
        let path = f.path.display().to_string();
        let mut reader = match decrypt::open_at(f, 0, self.keys.as_ref(), ReaderOptions::default())
        {
            Ok(r) => r,
            Err(e) => {
                self.summary.read_errors += 1;
                self.problem(e.to_string());
                return span;
            }
        };
        let mut last: Option<(i128, u64)> = None;
        loop {
            let (number, result) = match reader.next_line() {
                None => break,
                Some(Err(e)) => {
                    if matches!(e.kind(), ErrorKind::CutLine { .. }) {
                        self.summary.crash_tails += 1;
                        self.problem(format!("{e} (crash tail inside the file)"));
                    } else {
                        self.summary.read_errors += 1;
                        self.problem(e.to_string());
                    }
                    continue;
                }
                Some(Ok(line)) => {
                    self.summary.lines += 1;
                    (line.number, check_line(line.bytes))
                }
            };
            match result {
                Err(why) => {
                    self.summary.schema_errors += 1;
                    self.problem(format!("{path}: line {number}: {why}"));
                }
                Ok((ts, pid)) => {
                    if let Some((prev, prev_line)) = last
                        && ts < prev
                    {
                        self.summary.out_of_order += 1;
                        self.problem(format!(
                            "{path}: line {number}: ts {} is before line {prev_line}'s {}",
                            format_ns(ts),
                            format_ns(prev)
                        ));
                    }
                    last = Some((ts, number));
                    span.first.get_or_insert((ts, pid));
                    span.last = Some(
                        span.last
                            .map_or((ts, pid), |l| if ts >= l.0 { (ts, pid) } else { l }),
                    );
                }
            }
        }
        if let Some(t) = reader.tail()
            && (t.partial_bytes > 0 || (f.state == FileState::Rotated && t.nul_bytes > 0))
        {
            self.summary.crash_tails += 1;
            self.problem(describe_tail(&f.path, t.partial_bytes, t.nul_bytes));
        }
        bar.inc(std::fs::metadata(&f.path).map_or(0, |m| m.len()));
        span
    }

    fn check_rotation(&mut self, a: &LogFile, a_span: &FileSpan, b: &LogFile, b_span: &FileSpan) {
        let (Some((a_last, a_pid)), Some((b_first, b_pid))) = (a_span.last, b_span.first) else {
            return;
        };
        if b_first < a_last {
            self.summary.rotation_gaps += 1;
            self.problem(format!(
                "{}: starts at {}, before the end of {} at {}: files out of order",
                b.path.display(),
                format_ns(b_first),
                a.path.display(),
                format_ns(a_last)
            ));
            return;
        }
        let Some(stamp_ns) = a.stamp.as_ref().and_then(|(s, _)| stamp_ns(s)) else {
            return;
        };
        const MS: i128 = 1_000_000;
        const QUARTER_HOUR: i128 = 15 * 60 * 1000 * MS;
        let d = b_first.div_euclid(MS) * MS - stamp_ns;
        let same_instant = d.rem_euclid(QUARTER_HOUR) == 0 && d.abs() <= 14 * 4 * QUARTER_HOUR;
        if !same_instant && a_pid == b_pid {
            self.summary.rotation_gaps += 1;
            self.problem(format!(
                "{}: rotated by a record at {} but the next file {} starts at {}: a file between them is missing",
                a.path.display(),
                a.stamp.as_ref().map_or("?", |(s, _)| s.as_str()),
                b.path.display(),
                format_ns(b_first)
            ));
        }
    }
}

/// `20261121T103045.123` read as UTC, in ns since the epoch.
fn stamp_ns(s: &str) -> Option<i128> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:3]");
    let t = PrimitiveDateTime::parse(s, fmt).ok()?;
    Some(t.assume_utc().unix_timestamp_nanos())
}

/// Runs `check`.
///
/// # Errors
///
/// No such path / no log files; [`CliError::Reported`] when problems were found.
pub fn run(args: &CheckArgs) -> Result<(), CliError> {
    let dests = all_destinations(&paths_or_default(&args.paths))?;
    let bar = progress_bar(!args.no_progress, total_bytes(&dests));
    let mut c = Checker {
        summary: CheckSummary {
            destinations: dests.len(),
            ..CheckSummary::default()
        },
        max: args.max_problems,
        json: args.json,
        keys: crate::keys::load(&args.keys)?,
        out: Stdout {
            closed: false,
            error: None,
        },
    };
    for d in &dests {
        // Per destination: a record written to two destinations (a trade
        // goes to `app` and `trades`) may be the first line of a file of
        // each, which is no copy.
        let mut seen: HashMap<FileId, PathBuf> = HashMap::new();
        let mut prev: Option<(&LogFile, FileSpan)> = None;
        for f in &d.files {
            c.summary.files += 1;
            if let Some(format) = logger_read::sniff::file_format(f) {
                c.summary.other_format_files += 1;
                c.problem(format!(
                    "{}: {format}, not the standard JSON lines: not checked \
                     (see \"Files in another format\" in docs/configuration.md)",
                    f.path.display()
                ));
                continue;
            }
            if let Ok(Some(id)) = FileId::of_decrypted(f, c.keys.as_ref()) {
                if let Some(other) = seen.get(&id) {
                    c.summary.duplicate_files += 1;
                    let msg = format!(
                        "{}: the same file as {} (same first line): a copy of a rotated file",
                        f.path.display(),
                        other.display()
                    );
                    c.problem(msg);
                    continue;
                }
                seen.insert(id, f.path.clone());
            }
            let span = c.check_file(f, &bar);
            if let Some((pf, ps)) = &prev {
                c.check_rotation(pf, ps, f, &span);
            }
            if span.first.is_some() {
                prev = Some((f, span));
            }
        }
    }
    bar.finish_and_clear();
    let s = &c.summary;
    let out = &mut c.out;
    if args.json {
        out.line(&serde_json::to_string_pretty(s).unwrap_or_default());
    } else {
        let hidden = s.total().saturating_sub(s.problems.len() as u64);
        if hidden > 0 {
            out.line(&format!(
                "... and {hidden} more problems (raise --max-problems to see them)"
            ));
        }
        out.line(&format!(
            "{} destinations, {} files, {} lines: {} schema errors, {} out of order, {} crash tails, \
             {} read errors, {} rotation gaps, {} duplicate files, {} files in another format",
            s.destinations,
            s.files,
            s.lines,
            s.schema_errors,
            s.out_of_order,
            s.crash_tails,
            s.read_errors,
            s.rotation_gaps,
            s.duplicate_files,
            s.other_format_files
        ));
        out.line(if s.total() == 0 {
            "OK"
        } else {
            "PROBLEMS FOUND"
        });
    }
    if let Some(e) = out.error.take() {
        return Err(CliError::Output(e));
    }
    if s.total() == 0 {
        Ok(())
    } else {
        Err(CliError::Reported)
    }
}
