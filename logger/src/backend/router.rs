//! Routing: which files a record goes to, and writing it there.
//!
//! The main file takes every record at or above its level; the trades and
//! perf files take records of their kind; the errors file takes records at
//! or above its level (`Error` by default); a service's own file takes the
//! records of that service (the flusher resolves it with the `service` key,
//! as an index). Each file is written with one formatter (the default
//! one, index 0, or a named one); a record is formatted once per distinct
//! formatter among the files that take it, straight into the batch buffer
//! of the first of them (see `Router::write_with`), and copied into the
//! others. When a file fails, the record goes to stderr instead (once,
//! however many files failed).
//!
//! # Backtrace ring
//!
//! With `Builder::backtrace(level, capacity)`, records less severe than
//! the files' level (`Builder::level`) reach the flusher too. They are not
//! written: the router keeps the newest `capacity` of them, formatted, in
//! a bounded ring, and writes them, oldest first, right before the next
//! `ERROR` record it writes; then the ring starts empty again. The held
//! records keep their own (earlier) timestamps, so such a dump is the one
//! place where a file is not in timestamp order. Records still held when
//! the logger stops are discarded.

use std::collections::VecDeque;
use std::io;
use std::path::Path;

use crate::level::{Level, LevelFilter};

use crate::backend::console::Console;
use crate::config::{Config, FileSpec, MsyncPolicy};
use crate::fault;
use crate::sink::{DirectAppend, Housekeeper, Placed, RotatingFile};
use crate::view::{Kind, RecordView};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Main,
    Trades,
    Perf,
    Errors,
    /// The file of the service with this index (see `Services`).
    Service(usize),
}

struct Destination {
    route: Route,
    level: LevelFilter,
    /// Index of the formatter this file is written with (0: the default;
    /// `i + 1`: `Config::formatters[i]`).
    formatter: usize,
    file: RotatingFile,
}

/// One record's formatted lines: the line of each formatter index.
pub(crate) trait Lines {
    /// The line of formatter `formatter` (one the record was formatted with).
    fn line(&self, formatter: usize) -> &[u8];
}

/// The line of formatter `i` in element `i` (empty when no file that
/// takes the record uses it).
impl Lines for [Vec<u8>] {
    #[inline]
    fn line(&self, formatter: usize) -> &[u8] {
        &self[formatter]
    }
}

/// Where one formatter's line of the record being routed is.
#[derive(Clone, Copy)]
enum LineAt {
    /// Not formatted yet: no file of this formatter took the record so far.
    Unformatted,
    /// In the batch buffer of destination `dest` from `start` on.
    InFile { dest: usize, start: usize },
    /// In the formatter's spill buffer.
    Spilled,
}

/// Every configured file, and the rule for each.
pub(crate) struct Router {
    destinations: Vec<Destination>,
    /// Formatter indexes the files use are below this (1: the default only).
    formatters: usize,
    /// Where each formatter's line of the record being routed is
    /// (`formatters` entries), valid for the record numbered as in
    /// `routed` (older entries are `LineAt::Unformatted`).
    line_at: Vec<(u64, LineAt)>,
    /// Records routed by [`Router::write_with`] so far.
    routed: u64,
    console: Option<Console>,
    msync: MsyncPolicy,
    backtrace: Option<Backtrace>,
}

/// A line buffer larger than this is freed rather than reused.
const SPARE_KEEP_BYTES: usize = 64 << 10;

/// A record held back by the backtrace ring.
struct Held {
    kind: Kind,
    level: Level,
    service: Option<usize>,
    ts_ns: u64,
    lines: HeldLines,
}

/// The held copy of a record's lines: one line, or every formatter's line
/// one after the other with their ends in `ends`.
#[derive(Default)]
struct HeldLines {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Lines for HeldLines {
    fn line(&self, formatter: usize) -> &[u8] {
        if self.ends.is_empty() {
            return &self.bytes;
        }
        let start = formatter.checked_sub(1).map_or(0, |i| self.ends[i]);
        &self.bytes[start..self.ends[formatter]]
    }
}

/// The backtrace ring: the newest records below the files' level.
struct Backtrace {
    /// Records less severe than this are held, not written.
    files_level: LevelFilter,
    capacity: usize,
    held: VecDeque<Held>,
    /// Line buffers of written-out records, reused for the next ones.
    spare: Vec<HeldLines>,
}

impl Backtrace {
    /// Keeps a copy of the lines of formatters `0..formatters` (one line
    /// when there is one formatter), evicting the oldest record when full.
    fn hold<L: Lines + ?Sized>(
        &mut self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
        lines: &L,
        formatters: usize,
        ts_ns: u64,
    ) {
        let mut buf = if self.held.len() >= self.capacity {
            self.held.pop_front().map(|h| h.lines).unwrap_or_default()
        } else {
            self.spare.pop().unwrap_or_default()
        };
        buf.bytes.clear();
        buf.ends.clear();
        if formatters == 1 {
            buf.bytes.extend_from_slice(lines.line(0));
        } else {
            for i in 0..formatters {
                buf.bytes.extend_from_slice(lines.line(i));
                buf.ends.push(buf.bytes.len());
            }
        }
        self.held.push_back(Held {
            kind,
            level,
            service,
            ts_ns,
            lines: buf,
        });
    }
}

impl Router {
    /// Opens every configured file.
    pub(crate) fn open(config: &Config, housekeeper: &Housekeeper) -> io::Result<Router> {
        let fixed = [
            (Route::Main, &config.main),
            (Route::Trades, &config.trades),
            (Route::Perf, &config.perf),
            (Route::Errors, &config.errors),
        ];
        let service_files = config.service_specs.iter().filter_map(|s| s.file.as_ref());
        let specs: Vec<(Route, &FileSpec)> = fixed
            .into_iter()
            .filter_map(|(route, spec)| Some((route, spec.as_ref()?)))
            .chain(
                service_files
                    .enumerate()
                    .map(|(i, f)| (Route::Service(i), f)),
            )
            .collect();
        // Every active file is protected from every destination's
        // housekeeping before the first start-up sweep is queued.
        let handle = housekeeper.handle();
        for (_, spec) in &specs {
            handle.protect(&config.dir.join(format!("{}.log", spec.name)));
        }
        let formatter_of = |spec: &FileSpec| {
            spec.formatter.as_ref().map_or(0, |name| {
                // Checked at install: every name used is defined.
                config
                    .formatters
                    .iter()
                    .position(|(n, _)| n == name)
                    .map_or(0, |i| i + 1)
            })
        };
        let mut destinations = Vec::new();
        for (route, spec) in specs {
            let file = RotatingFile::open(
                &config.dir,
                &spec.name,
                &config.rotation.with_overrides(&spec.rotation),
                config.window_bytes,
                housekeeper,
            )
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot open {}: {e}",
                        config.dir.join(format!("{}.log", spec.name)).display()
                    ),
                )
            })?;
            destinations.push(Destination {
                route,
                level: spec.level,
                formatter: formatter_of(spec),
                file,
            });
        }
        let backtrace = (config.backtrace_level != log::LevelFilter::Off).then(|| Backtrace {
            files_level: config.level,
            capacity: config.backtrace_capacity.max(1),
            held: VecDeque::new(),
            spare: Vec::new(),
        });
        let console = config.console.map(|level| {
            Console::stderr(
                level.into(),
                config.console_color,
                console_formatter(config),
            )
        });
        let formatters = destinations.iter().map(|d| d.formatter + 1).max();
        let formatters = formatters.unwrap_or(1);
        Ok(Router {
            destinations,
            formatters,
            line_at: vec![(0, LineAt::Unformatted); formatters],
            routed: 0,
            console,
            msync: config.msync,
            backtrace,
        })
    }

    /// Routes one record from a logging thread: held by the backtrace ring
    /// when it is below the files' level, else written (after the ring's
    /// records when it is an `ERROR`). `service`: the index of its
    /// service's own file, if any; `format` and `spill`: as in
    /// [`Router::write_with`]. Returns how many records were written: 0
    /// when held; `None` when `format` refused the record (nothing of it
    /// written or held; with a backtrace ring, see
    /// [`Router::has_backtrace`]).
    #[inline]
    pub(crate) fn write_record<F: FnMut(usize, &mut Vec<u8>) -> bool>(
        &mut self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
        format: &mut F,
        spill: &mut [Vec<u8>],
        ts_ns: u64,
    ) -> Option<usize> {
        let Some(bt) = self.backtrace.as_ref() else {
            return self
                .write_with(kind, level, service, format, spill, ts_ns)
                .then_some(1);
        };
        if !bt.files_level.admits(level) {
            return self
                .hold(kind, level, service, format, spill, ts_ns)
                .then_some(0);
        }
        let mut written = 1;
        let dump = level <= Level::Error && !bt.held.is_empty();
        if let Some(bt) = self.backtrace.as_mut().filter(|_| dump) {
            let mut held = std::mem::take(&mut bt.held);
            for h in &held {
                self.write(h.kind, h.level, h.service, &h.lines, h.ts_ns);
            }
            written += held.len();
            if let Some(bt) = self.backtrace.as_mut() {
                bt.spare.extend(
                    held.drain(..)
                        .map(|h| h.lines)
                        .filter(|l| l.bytes.capacity() <= SPARE_KEEP_BYTES),
                );
                bt.spare.truncate(bt.capacity);
                // Keep the deque's allocation for the next records.
                bt.held = held;
            }
        }
        self.write_with(kind, level, service, format, spill, ts_ns)
            .then_some(written)
    }

    /// Whether a backtrace ring holds records below the files' level: a
    /// writer that may refuse a record must then check it before
    /// [`Router::write_record`], which writes the ring's records out
    /// before an `ERROR` record's own.
    pub(crate) fn has_backtrace(&self) -> bool {
        self.backtrace.is_some()
    }

    /// The one file that takes every record of this kind, level and
    /// service when exactly one does and writing there is all
    /// [`Router::write_record`] would do (no backtrace ring, no `msync` at
    /// this level): its index for [`Router::write_sole`]. The answer holds
    /// for the router's life (its files and their rules are fixed when it
    /// opens), so the fast lane keeps it in its plans.
    pub(crate) fn sole_file(
        &self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
    ) -> Option<usize> {
        if self.backtrace.is_some() {
            return None;
        }
        if let MsyncPolicy::Level(at) = self.msync {
            if level <= Level::from(at) {
                return None;
            }
        }
        let mut takers = self
            .destinations
            .iter()
            .enumerate()
            .filter(|(_, d)| d.takes(kind, level, service));
        match (takers.next(), takers.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// [`Router::write_record`] for a record that only file `file` takes
    /// (from [`Router::sole_file`] for its kind, level and service):
    /// formats it straight into that file's batch buffer (or `spill`),
    /// with the same error handling. `format` may give up (return false:
    /// a malformed record found while writing it); what it wrote is then
    /// taken back and false returned. True: the record was written (or
    /// went to stderr, the file failing).
    #[inline]
    pub(crate) fn write_sole<F: FnMut(usize, &mut Vec<u8>) -> bool>(
        &mut self,
        file: usize,
        format: &mut F,
        spill: &mut [Vec<u8>],
        ts_ns: u64,
    ) -> bool {
        let d = &mut self.destinations[file];
        let f = d.formatter;
        let spill = &mut spill[f];
        match d.file.append_with(ts_ns, |out| format(f, out), spill) {
            // Nothing of the record happened: as in `write_with`, which
            // returns before counting the file's lost lines.
            Ok(Placed::Refused) => return false,
            Ok(_) => {}
            Err(e) => {
                fault::report_io_error(&path_of(d.file.path()), &e);
                fault::fallback_to_stderr(spill);
            }
        }
        fault::count_lost_lines(d.file.take_lost_lines());
        true
    }

    /// Direct appends to file `file` (see [`RotatingFile::direct`]), for
    /// a run of records that only it takes, as [`Router::write_sole`]
    /// writes them; `None` when the file is closed or failed (then
    /// `write_sole` does what must be done).
    #[inline]
    pub(crate) fn direct(&mut self, file: usize) -> Option<DirectAppend<'_>> {
        self.destinations.get_mut(file)?.file.direct()
    }

    /// Formats a record below the files' level with each formatter a file
    /// that takes it uses (every formatter's line, when only the default
    /// one is used) into `spill`, and keeps a copy in the backtrace ring.
    /// False (nothing held) when `format` refuses it.
    #[cold]
    fn hold<F: FnMut(usize, &mut Vec<u8>) -> bool>(
        &mut self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
        format: &mut F,
        spill: &mut [Vec<u8>],
        ts_ns: u64,
    ) -> bool {
        let mask = match self.formatters {
            1 => 1,
            _ => self.formatters_for(kind, level, service),
        };
        let lines = &mut spill[..self.formatters];
        for (i, line) in lines.iter_mut().enumerate() {
            line.clear();
            if mask & (1 << i) != 0 && !format(i, line) {
                return false;
            }
        }
        if let Some(bt) = self.backtrace.as_mut() {
            bt.hold(kind, level, service, &*lines, self.formatters, ts_ns);
        }
        true
    }

    /// The formatters of the files that take a record (bit `i`: formatter
    /// `i`), as [`Router::write`] chooses them.
    fn formatters_for(&self, kind: Kind, level: Level, service: Option<usize>) -> u64 {
        self.destinations
            .iter()
            .filter(|d| d.takes(kind, level, service))
            .fold(0, |mask, d| mask | 1 << d.formatter)
    }

    /// Formats `view` for the console, if there is one and it takes the
    /// level (written at the next [`Router::flush_console`]).
    pub(crate) fn console(&mut self, view: &RecordView<'_>) {
        if let Some(c) = self.console.as_mut() {
            c.record(view);
        }
    }

    /// Whether records are also formatted for the console.
    pub(crate) fn has_console(&self) -> bool {
        self.console.is_some()
    }

    /// Writes the console's pending lines to stderr.
    pub(crate) fn flush_console(&mut self) {
        if let Some(c) = self.console.as_mut() {
            c.flush();
        }
    }

    /// Capacity of every file's batch buffer, in bytes.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.destinations
            .iter()
            .map(|d| d.file.buffer_bytes())
            .sum()
    }

    /// Formats one record for every file that takes it and writes it
    /// there (`service`: as in [`Router::write_record`]). `format(i, out)`
    /// appends the record's line by formatter `i` to `out`; it runs once
    /// per formatter the files that take the record use, straight into the
    /// batch buffer of the first such file when nothing but the copy is due
    /// there (see `RotatingFile::append_with`), else into `spill[i]`; the
    /// other files of the same formatter copy that line. `spill` has an
    /// element for every formatter.
    ///
    /// `format` may refuse a record by returning false on its first call
    /// (the fast lane, which has one formatter, finding a malformed value
    /// while writing): what it wrote is taken back, nothing of the record
    /// is written, and false is returned. True otherwise.
    #[inline]
    pub(crate) fn write_with<F: FnMut(usize, &mut Vec<u8>) -> bool>(
        &mut self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
        format: &mut F,
        spill: &mut [Vec<u8>],
        ts_ns: u64,
    ) -> bool {
        let Router {
            destinations,
            line_at,
            routed,
            ..
        } = self;
        // Entries of earlier records read as unformatted.
        *routed += 1;
        let now = *routed;
        let at = |entry: (u64, LineAt)| match entry {
            (n, at) if n == now => at,
            _ => LineAt::Unformatted,
        };
        let mut failed = None;
        for i in 0..destinations.len() {
            let (before, rest) = destinations.split_at_mut(i);
            let d = &mut rest[0];
            if !d.takes(kind, level, service) {
                continue;
            }
            let f = d.formatter;
            let result = match at(line_at[f]) {
                LineAt::Unformatted => {
                    let r = d
                        .file
                        .append_with(ts_ns, |out| format(f, out), &mut spill[f]);
                    if let Ok(Placed::Refused) = r {
                        // Only a record's first formatting may refuse
                        // (see above): nothing of it is written.
                        return false;
                    }
                    let placed = match r {
                        Ok(Placed::Buffered(start)) => LineAt::InFile { dest: i, start },
                        _ => LineAt::Spilled,
                    };
                    line_at[f] = (now, placed);
                    r.map(drop)
                }
                LineAt::InFile { dest, start } => {
                    d.file.append(before[dest].file.buffered(start), ts_ns)
                }
                LineAt::Spilled => d.file.append(&spill[f], ts_ns),
            };
            if let Err(e) = result {
                fault::report_io_error(&path_of(d.file.path()), &e);
                failed = failed.or(Some(f));
            }
            fault::count_lost_lines(d.file.take_lost_lines());
        }
        if let Some(f) = failed {
            let line = match at(line_at[f]) {
                LineAt::InFile { dest, start } => destinations[dest].file.buffered(start),
                _ => &spill[f],
            };
            fault::fallback_to_stderr(line);
        }
        if let MsyncPolicy::Level(at) = self.msync {
            if level <= Level::from(at) {
                self.sync();
            }
        }
        true
    }

    /// Copies one formatted record into every file that takes it
    /// (`service`: as in [`Router::write_record`]): the backtrace ring's
    /// records.
    fn write<L: Lines + ?Sized>(
        &mut self,
        kind: Kind,
        level: Level,
        service: Option<usize>,
        lines: &L,
        ts_ns: u64,
    ) {
        let mut failed = None;
        for d in &mut self.destinations {
            if !d.takes(kind, level, service) {
                continue;
            }
            if let Err(e) = d.file.append(lines.line(d.formatter), ts_ns) {
                fault::report_io_error(&path_of(d.file.path()), &e);
                failed = failed.or(Some(d.formatter));
            }
            fault::count_lost_lines(d.file.take_lost_lines());
        }
        if let Some(formatter) = failed {
            fault::fallback_to_stderr(lines.line(formatter));
        }
        if let MsyncPolicy::Level(at) = self.msync {
            if level <= Level::from(at) {
                self.sync();
            }
        }
    }

    /// Writes the lines each file took since the last call (the end of a
    /// flusher cycle): from here on they are in the files, and the files'
    /// sizes end with them.
    pub(crate) fn publish(&mut self) {
        for d in &mut self.destinations {
            d.file.publish();
        }
    }

    /// What other processes did to the files since the last call, one
    /// sentence each (for the flusher's `WARN` records).
    pub(crate) fn take_notices(&mut self) -> Vec<String> {
        self.destinations
            .iter_mut()
            .flat_map(|d| d.file.take_notices())
            .collect()
    }

    /// Checks now that every file is still where it was opened (see
    /// `RotatingFile::check_now`), counting the lines lost with a deleted one.
    pub(crate) fn check_files_in_place(&mut self) {
        for d in &mut self.destinations {
            if let Err(e) = d.file.check_now() {
                fault::report_io_error(&path_of(d.file.path()), &e);
            }
            fault::count_lost_lines(d.file.take_lost_lines());
        }
    }

    /// Writes out and `fdatasync`s every file.
    pub(crate) fn sync(&mut self) {
        for d in &mut self.destinations {
            if let Err(e) = d.file.sync() {
                fault::report_io_error(&path_of(d.file.path()), &e);
            }
        }
    }

    /// Writes out and closes every file.
    pub(crate) fn close(&mut self) {
        self.flush_console();
        for d in &mut self.destinations {
            if let Err(e) = d.file.close() {
                fault::report_io_error(&path_of(d.file.path()), &e);
            }
        }
    }
}

impl Destination {
    /// Whether this file takes a record.
    #[inline]
    fn takes(&self, kind: Kind, level: Level, service: Option<usize>) -> bool {
        self.level.admits(level)
            && match self.route {
                Route::Main | Route::Errors => true,
                Route::Trades => kind == Kind::Trade,
                Route::Perf => kind == Kind::Perf,
                Route::Service(i) => service == Some(i),
            }
    }
}

/// The console's formatter: its named one, else the text format in the
/// builder's time zone.
fn console_formatter(config: &Config) -> Box<dyn crate::format::Formatter> {
    let named = config.console_formatter.as_ref().and_then(|name| {
        let (_, spec) = config.formatters.iter().find(|(n, _)| n == name)?;
        Some(spec.clone())
    });
    let spec =
        named.unwrap_or_else(|| crate::FormatterSpec::text().time_zone(config.rotation.time_zone));
    let shared = crate::format::Shared {
        pid: std::process::id(),
        host: &crate::backend::flusher::hostname(),
        time_zone: config.rotation.time_zone,
    };
    crate::format::build(&spec, &shared)
}

fn path_of(p: &Path) -> String {
    format!("writing {}", p.display())
}
