//! Other Rust loggers, measured with the harness of `logger-benches`
//! (the same method, the same record content) for the side-by-side table.
//!
//! Each peer is set up the way its documentation recommends for an
//! asynchronous / non-blocking logger writing a file, and logs the same
//! order-like record as our `trade!`: symbol and side strings, quantity
//! (u64), price (f64), order id (u64). Each peer runs in child processes
//! of its own (global loggers install once per process): one for latency,
//! one per throughput run.

use std::path::Path;
use std::time::Duration;

use logger_benches::measure::Percentiles;
use logger_benches::report::{Mode, Row};
use logger_benches::runner::Job;
use logger_benches::throughput::{self, Spec};
use logger_benches::{Order, env_usize, order, ours, sys};

pub mod peer;

/// The case name of the order record in the peers' rows.
pub const ORDER_CASE: &str = "order 5 fields";

/// A logger under test.
pub trait Peer: 'static {
    /// Its name in the tables (the crate's name and version).
    const NAME: &'static str;
    /// How it is set up, for the table's note.
    const SETUP: &'static str;
    /// Whether several threads may log at once (false: the 2-thread
    /// throughput run is skipped).
    const MULTI_PRODUCER: bool = true;
    /// What keeps it running; dropped (in [`Peer::finish`]) to stop it.
    type Guard;

    /// Installs it, writing its file(s) into `dir`.
    fn install(dir: &Path) -> Self::Guard;

    /// Logs one order record (the hot path measured).
    fn log(o: &Order);

    /// Runs on each producer thread before it logs (e.g. a per-thread
    /// logger); `t` is the thread's index.
    fn thread_init(_dir: &Path, _t: usize) {}

    /// Runs on each producer thread after its last record of a
    /// throughput run (inside the timed region).
    fn thread_exit() {}

    /// Returns when every record logged so far is in the file, then stops
    /// the logger.
    fn finish(guard: Self::Guard);
}

/// Lets the peer's backend drain between two measurements: peers have
/// no flush barrier we could share, so we wait.
fn settle() {
    std::thread::sleep(Duration::from_millis(200));
}

fn latency<P: Peer>() -> Vec<Row> {
    let dir = sys::fresh_dir(&format!("{}-latency", slug(P::NAME)));
    let guard = P::install(&dir);
    P::thread_init(&dir, 0);
    // A first record starts any thread a peer spawns lazily.
    P::log(&order(0));
    settle();
    sys::pin_producer_and_backend();
    std::thread::sleep(Duration::from_millis(10));
    let mut rows = ours::latency_case(P::NAME, ORDER_CASE, &settle, |i| P::log(&order(i)));
    for r in &mut rows {
        r.note = P::SETUP.into();
    }
    P::thread_exit();
    P::finish(guard);
    rows
}

fn throughput<P: Peer>(threads: usize) -> Vec<Row> {
    if threads > 1 && !P::MULTI_PRODUCER {
        let mut row = logger_benches::throughput::not_run(
            P::NAME,
            &case_name(threads),
            "not run: a single-producer logger",
        );
        row.note.push_str(&format!("; {}", P::SETUP));
        return vec![row];
    }
    let dir = sys::fresh_dir(&format!("{}-tp-{threads}t", slug(P::NAME)));
    let guard = P::install(&dir);
    if threads == 1 {
        P::thread_init(&dir, 0);
        P::log(&order(1 << 40));
        settle();
    }
    // The producers on CPU 0 (with more than one, each pins itself there
    // after its `thread_init`: `throughput::run`), the peer's own threads
    // on CPU 1. With more than one, this thread is unpinned again, so that
    // threads a peer starts in `thread_init` (ring-log's, one per
    // producer) do not inherit CPU 0.
    sys::pin_producer_and_backend();
    if threads > 1 {
        sys::unpin(0);
    }
    let warm = u64::from(threads == 1);
    let spec = Spec {
        logger: P::NAME,
        case: &case_name(threads),
        threads,
        records: env_usize("BENCH_RECORDS", throughput::RECORDS as usize) as u64,
        dir: &dir,
        marker: "order_id",
        warmup_records: warm,
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut row = throughput::run(
        &spec,
        || {
            if threads > 1 {
                let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                P::thread_init(&dir, t);
            }
        },
        |i| P::log(&order(i)),
        P::thread_exit,
        || P::finish(guard),
    );
    row.note = format!("{}; {}", row.note, P::SETUP);
    eprintln!(
        "bench:   {} / {threads} thread(s): {:.2} M records/s, {}",
        P::NAME,
        row.throughput_rps.unwrap_or(0.0) / 1e6,
        row.note
    );
    vec![row]
}

fn case_name(threads: usize) -> String {
    let s = if threads == 1 { "" } else { "s" };
    format!("1M {ORDER_CASE}, {threads} thread{s}")
}

/// A file-name-safe form of a logger's name.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The three jobs of one peer: latency, throughput from 1 and 2 threads.
pub fn jobs_of<P: Peer>() -> Vec<Job> {
    let s = slug(P::NAME);
    vec![
        Job::new(&format!("{s}-latency"), P::NAME, latency::<P>),
        Job::new(&format!("{s}-tp-1t"), P::NAME, || throughput::<P>(1)),
        Job::new(&format!("{s}-tp-2t"), P::NAME, || throughput::<P>(2)),
    ]
}

/// Our reference row for `mode`: `trade!` when the macros are measured,
/// else `log::info!` with the same five fields as key-values.
fn ours_ref(rows: &[Row], mode: Mode, throughput_threads: usize) -> Option<&Row> {
    let wanted: &[&str] = match (mode, throughput_threads) {
        (Mode::Throughput, 1) => &[
            "1M trade! 5 fields, 1 thread",
            "1M log::info! 5 kv, 1 thread",
        ],
        (Mode::Throughput, _) => &["1M trade! 5 fields, 2 threads"],
        _ => &["trade! 5 fields", "log::info! 5 kv"],
    };
    wanted.iter().find_map(|case| {
        rows.iter()
            .find(|r| r.logger == ours::NAME && r.mode == mode && r.case == *case)
    })
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() && b.is_finite() {
        format!("{:.1}x", a / b)
    } else {
        "-".into()
    }
}

/// A Markdown table of each peer against ours: the peer's latency over
/// ours (how many times slower it is) at p50 and p99.9 in both modes, and
/// our throughput over the peer's.
pub fn summary(rows: &[Row]) -> String {
    let mut out = String::from(
        "Peers against ours (peer / ours for latency, ours / peer for throughput):\n\n",
    );
    let b = ours_ref(rows, Mode::Burst, 0);
    let p = ours_ref(rows, Mode::PerCall, 0);
    let t1 = ours_ref(rows, Mode::Throughput, 1);
    let t2 = ours_ref(rows, Mode::Throughput, 2);
    let name = |r: Option<&Row>| r.map_or("-".to_string(), |r| r.case.clone());
    out.push_str(&format!(
        "ours: `{}` (latency), `{}` / `{}` (throughput)\n\n",
        name(b),
        name(t1),
        name(t2)
    ));
    out.push_str("| peer | burst p50 | burst p99.9 | per-call p50 | per-call p99.9 | throughput 1 thread | throughput 2 threads |\n");
    out.push_str("|---|--:|--:|--:|--:|--:|--:|\n");
    let mut peers: Vec<&str> = Vec::new();
    for r in rows {
        // "(timer)", "(core::fmt)": floors, not peers.
        if r.logger != ours::NAME
            && !r.logger.starts_with('(')
            && !peers.contains(&r.logger.as_str())
        {
            peers.push(&r.logger);
        }
    }
    let lat = |peer: &str, mode: Mode, ours: Option<&Row>, pick: fn(&Percentiles) -> f64| {
        let theirs = rows
            .iter()
            .find(|r| r.logger == peer && r.mode == mode && r.case == ORDER_CASE)
            .and_then(|r| r.latency);
        match (theirs, ours.and_then(|o| o.latency)) {
            (Some(t), Some(o)) => ratio(pick(&t), pick(&o)),
            _ => "-".into(),
        }
    };
    let tp = |peer: &str, threads: usize, ours: Option<&Row>| {
        let suffix = if threads == 1 {
            ", 1 thread"
        } else {
            ", 2 threads"
        };
        let theirs = rows
            .iter()
            .find(|r| r.logger == peer && r.mode == Mode::Throughput && r.case.ends_with(suffix))
            .and_then(|r| r.throughput_rps);
        match (theirs, ours.and_then(|o| o.throughput_rps)) {
            (Some(t), Some(o)) => ratio(o, t),
            _ => "-".into(),
        }
    };
    for peer in peers {
        out.push_str(&format!(
            "| {peer} | {} | {} | {} | {} | {} | {} |\n",
            lat(peer, Mode::Burst, b, |p| p.p50),
            lat(peer, Mode::Burst, b, |p| p.p999),
            lat(peer, Mode::PerCall, p, |p| p.p50),
            lat(peer, Mode::PerCall, p, |p| p.p999),
            tp(peer, 1, t1),
            tp(peer, 2, t2),
        ));
    }
    out
}
