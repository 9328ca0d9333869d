//! Throughput: records back to back until they are all in the file.

use std::path::Path;
use std::sync::Barrier;
use std::time::Instant;

use crate::report::{Mode, Row};

/// Default number of records of a throughput run.
pub const RECORDS: u64 = 1_000_000;

/// What one throughput run does.
pub struct Spec<'a> {
    /// The logger measured.
    pub logger: &'a str,
    /// What is logged.
    pub case: &'a str,
    /// Producer threads; the records are split evenly between them.
    pub threads: usize,
    /// Records in all.
    pub records: u64,
    /// Where the logger writes; every file under it is counted.
    pub dir: &'a Path,
    /// A substring every record's line holds (and no other line).
    pub marker: &'a str,
    /// Records with the marker logged before the run (a warm-up), which
    /// the file holds too.
    pub warmup_records: u64,
}

/// Logs `spec.records` records with `call(i)` from `spec.threads` threads
/// (the calling thread when there is one; it should be pinned to CPU 0;
/// more than one are spawned, named `producer-N`, and pin themselves to
/// CPU 0, so that the logger's threads have CPU 1 to themselves), then runs
/// `finish` (which must return only when every record is in the file),
/// and times the whole. Each producer thread runs `thread_init` before the
/// clock starts and `thread_exit` after its last record (inside the timed
/// region). The lines are then counted in the files: a run that lost
/// records says so in its note.
pub fn run(
    spec: &Spec<'_>,
    thread_init: impl Fn() + Sync,
    call: impl Fn(u64) + Sync,
    thread_exit: impl Fn() + Sync,
    finish: impl FnOnce(),
) -> Row {
    let per_thread = spec.records / spec.threads as u64;
    let logged = per_thread * spec.threads as u64;
    let start;
    if spec.threads == 1 {
        thread_init();
        start = Instant::now();
        for i in 0..per_thread {
            call(i);
        }
        thread_exit();
    } else {
        let barrier = Barrier::new(spec.threads + 1);
        let (barrier, thread_init, call, thread_exit) =
            (&barrier, &thread_init, &call, &thread_exit);
        start = std::thread::scope(|s| {
            for t in 0..spec.threads as u64 {
                std::thread::Builder::new()
                    .name(format!("producer-{t}"))
                    .spawn_scoped(s, move || {
                        thread_init();
                        // Every producer on CPU 0, as the one of a
                        // 1-thread run: the logger's own threads keep CPU 1
                        // (`sys::pin_producer_and_backend`).
                        crate::sys::pin(0, 0);
                        barrier.wait();
                        for i in t * per_thread..(t + 1) * per_thread {
                            call(i);
                        }
                        thread_exit();
                    })
                    .expect("spawn a producer");
            }
            barrier.wait();
            Instant::now()
        });
    }
    finish();
    let secs = start.elapsed().as_secs_f64();
    // Before the lines are counted, so that the count's own memory is not
    // the logger's.
    let peak_rss_kib = crate::sys::peak_rss_kib();
    let (lines, bytes) = crate::sys::count_lines(spec.dir, spec.marker);
    let lines = lines.saturating_sub(spec.warmup_records);
    let mut note = format!(
        "{:.3} s, {:.0} B/line",
        secs,
        bytes as f64 / lines.max(1) as f64
    );
    if lines < logged {
        note.push_str(&format!(", LOST {} records", logged - lines));
    } else if lines > logged {
        note.push_str(&format!(", {} lines more than records", lines - logged));
    }
    Row {
        logger: spec.logger.into(),
        case: spec.case.into(),
        mode: Mode::Throughput,
        latency: None,
        throughput_rps: Some(logged as f64 / secs),
        mb_per_s: Some(bytes as f64 / secs / 1e6),
        records: Some((lines, logged)),
        peak_rss_kib,
        note,
    }
}

/// A throughput row for a run that was not made, saying why.
pub fn not_run(logger: &str, case: &str, why: &str) -> Row {
    Row {
        logger: logger.into(),
        case: case.into(),
        mode: Mode::Throughput,
        latency: None,
        throughput_rps: None,
        mb_per_s: None,
        records: None,
        peak_rss_kib: None,
        note: why.into(),
    }
}
