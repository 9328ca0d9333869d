//! `tail -f`: one reader `Follower` per destination (it follows its files
//! across rotation, gzip and retention by their identity), polled in turn.
//! Each round's new lines are ordered by `ts` and a record already shown
//! from another destination (a trade is in app.log and trades.log) is
//! skipped. Destinations that appear later (errors.log at the first error)
//! are picked up from their beginning.
//!
//! Latency: the directories are watched with inotify ([`DirWatch`]), so a
//! round starts as soon as a file changes and a record is printed about a
//! millisecond after its line is complete in the file (after
//! `logger::flush()` returned, or the flusher wrote it). The poll interval
//! (`--poll-ms`, default 20) bounds the wait where inotify is not to be
//! had, or misses an event.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use logger_read::{Destination, Follower, RecordView, Start, discover};

use crate::dir_watch::DirWatch;
use crate::error::CliError;
use crate::filter::Filter;
use crate::flags::TailArgs;
use crate::output::Printer;
use crate::scan::{MAX_REPORTED, ScanOptions, destinations, scan};

/// Records remembered to drop their copies from other destinations.
const RECENT: usize = 65_536;

/// How often the directories are listed again for new destinations.
const REDISCOVER: Duration = Duration::from_secs(1);

/// Lines already shown, by (ts, hash of the bytes), oldest evicted first.
struct Recent {
    set: HashSet<(i64, u64)>,
    order: VecDeque<(i64, u64)>,
}

impl Recent {
    /// Remembers a line; false if it was shown already.
    fn insert(&mut self, ts: i64, bytes: &[u8]) -> bool {
        let mut h = DefaultHasher::new();
        bytes.hash(&mut h);
        let key = (ts, h.finish());
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > RECENT
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Follows `paths` until interrupted (or stdout closes).
///
/// # Errors
///
/// No such path / no log files at the start; a closed stdout.
pub fn run(
    paths: &[PathBuf],
    filter: &Filter,
    args: &TailArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let poll = Duration::from_millis(args.poll_ms.clamp(1, 10_000));
    let start = if filter.since_ns().is_some() {
        Start::Beginning
    } else {
        Start::End
    };
    let keys = crate::keys::load(&args.keys)?;
    let follower = |d: &Destination, start: Start| {
        Follower::new(d.dir.clone(), d.stem.clone())
            .start(start)
            .poll_interval(poll)
            .identities(keys.clone())
    };
    let mut followers: HashMap<(PathBuf, String), Follower> = HashMap::new();
    // Directories without log files yet (the usual order: the follower
    // first, then the application) are waited for, as `tail -F` waits; a
    // path that does not exist is still an error (a typo, at once).
    let dests = match destinations(paths) {
        Ok(dests) => dests,
        Err(e) if paths.iter().all(|p| p.is_dir()) => {
            eprintln!("logger: {e}; waiting for them (Ctrl-C to stop)");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let dirs: Vec<&std::path::Path> = if dests.is_empty() {
        paths.iter().map(PathBuf::as_path).collect()
    } else {
        dests.iter().map(|d| d.dir.as_path()).collect()
    };
    let watch = match DirWatch::new(dirs) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("logger: {e}; polling every {} ms instead", poll.as_millis());
            None
        }
    };
    for d in dests {
        let f = follower(&d, start);
        followers.insert((d.dir, d.stem), f);
    }
    // Place every follower at the end first, then show the last records
    // (a record written in between may show twice).
    if start == Start::End && !followers.is_empty() {
        for f in followers.values_mut() {
            f.poll()?;
        }
        if args.lines > 0 {
            let mut last: VecDeque<Vec<u8>> = VecDeque::new();
            let opts = ScanOptions {
                dedup: true,
                progress: false,
                identities: keys.clone(),
            };
            scan(paths, filter, opts, |_, m| {
                if last.len() == args.lines {
                    last.pop_front();
                }
                last.push_back(m.line.bytes.to_vec());
                Ok(())
            })?;
            for l in &last {
                printer.print(l, None)?;
            }
            printer.flush()?;
        }
    }
    let mut recent = Recent {
        set: HashSet::new(),
        order: VecDeque::new(),
    };
    let mut problems = 0u64;
    let mut last_discover = Instant::now();
    loop {
        let round_started = Instant::now();
        let mut round: Vec<(i64, Vec<u8>)> = Vec::new();
        for f in followers.values_mut() {
            let batch = match f.poll() {
                Ok(b) => b,
                Err(e) => {
                    problems += 1;
                    if problems <= MAX_REPORTED {
                        eprintln!("logger: {e} (will retry)");
                    }
                    continue;
                }
            };
            for e in &batch.errors {
                problems += 1;
                if problems <= MAX_REPORTED {
                    eprintln!("logger: {e}");
                }
            }
            for g in &batch.gaps {
                eprintln!(
                    "logger: gap: {} was deleted before it was read to its end (read up to byte {})",
                    g.path
                        .as_ref()
                        .map_or_else(|| "a file".to_string(), |p| p.display().to_string()),
                    g.offset
                );
            }
            for line in batch.lines() {
                if !filter.line_may_match(line.bytes) {
                    continue;
                }
                let Ok(view) = RecordView::parse(line.bytes) else {
                    problems += 1;
                    if problems <= MAX_REPORTED {
                        eprintln!(
                            "logger: {}: not a record: {}",
                            line.path.display(),
                            String::from_utf8_lossy(line.bytes)
                        );
                    }
                    continue;
                };
                if filter.matches(&view) {
                    round.push((view.ts().as_nanos(), line.bytes.to_vec()));
                }
            }
        }
        round.sort_by_key(|(ts, _)| *ts);
        for (ts, bytes) in &round {
            if recent.insert(*ts, bytes) {
                printer.print(bytes, None)?;
            }
        }
        printer.flush()?;
        if last_discover.elapsed() >= REDISCOVER {
            last_discover = Instant::now();
            if let Ok(dests) = discover(paths) {
                for d in dests {
                    let key = (d.dir.clone(), d.stem.clone());
                    if !followers.contains_key(&key) {
                        // A new destination in another format: skipped,
                        // said once (see `scan::destinations`).
                        if let Some(format) = logger_read::sniff::foreign_format(&d) {
                            crate::scan::report_foreign(&logger_read::sniff::describe(
                                &d.dir,
                                &d.stem,
                                d.files.len(),
                                &format,
                                "skipped",
                            ));
                            continue;
                        }
                    }
                    followers
                        .entry((d.dir.clone(), d.stem.clone()))
                        .or_insert_with(|| {
                            if let Some(w) = &watch {
                                // A directory already watched: harmless.
                                let _ = w.add(&d.dir);
                            }
                            follower(&d, Start::Beginning)
                        });
                }
            }
        }
        if let Some(rest) = poll.checked_sub(round_started.elapsed()) {
            match &watch {
                Some(w) => {
                    w.wait(rest);
                }
                None => std::thread::sleep(rest),
            }
        }
    }
}
