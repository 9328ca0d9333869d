//! The cases of this workspace's logger (`logger`).
//!
//! One child process installs the logger once and runs every latency case
//! (producer on CPU 0, flusher and housekeeping on CPU 1, level `Info`);
//! each throughput run has a process of its own (for its peak RSS).

use std::fmt::Write as _;
use std::time::Duration;

use crate::measure;
use crate::report::{Mode, Row};
use crate::runner::Job;
use crate::throughput::{self, Spec};
use crate::{env_usize, order, sys};

/// The name of our logger in the tables.
pub const NAME: &str = "logger";

/// Installs the logger for a bench: files in `dir`, the flusher pinned to
/// CPU 1; `main_only` keeps the main file alone (one copy of each record,
/// as the peers write), else every default file.
fn install(dir: &std::path::Path, main_only: bool) -> logger::LoggerGuard {
    let mut b = logger::builder()
        .dir(dir)
        .flusher_cpu(Some(1))
        .level(log::LevelFilter::Info);
    // Knobs for experiments (docs/performance.md): the flusher's idle
    // sleep and the ring size.
    if let Ok(us) = std::env::var("BENCH_IDLE_SLEEP_US") {
        b = b.idle_sleep(Duration::from_micros(
            us.parse().expect("BENCH_IDLE_SLEEP_US"),
        ));
    }
    if let Ok(bytes) = std::env::var("BENCH_RING_BYTES") {
        b = b.ring_bytes(bytes.parse().expect("BENCH_RING_BYTES"));
    }
    if main_only {
        b = b.trades_file(None).perf_file(None).errors_file(None);
    }
    b.install().expect("install the logger")
}

/// Runs `call` in both latency modes, flushing the logger between them.
/// Skipped (no rows) when `BENCH_CASES` is set and `case` does not
/// contain it.
pub fn latency_case(logger: &str, case: &str, flush: &dyn Fn(), call: impl FnMut(u64)) -> Vec<Row> {
    if std::env::var("BENCH_CASES").is_ok_and(|only| !case.contains(&only)) {
        return Vec::new();
    }
    let mut call = call;
    let bursts = env_usize("BENCH_BURSTS", measure::BURSTS);
    let calls = env_usize("BENCH_CALLS", measure::CALLS);
    let b = measure::bursts(bursts, &mut call);
    flush();
    let p = measure::per_call(calls, &mut call);
    flush();
    eprintln!(
        "bench:   {logger} / {case}: burst p50 {:.1} ns p99.9 {:.1} ns; per-call p50 {:.1} ns p99.9 {:.1} ns",
        b.p50, b.p999, p.p50, p.p999
    );
    vec![
        Row::latency(logger, case, Mode::Burst, b),
        Row::latency(logger, case, Mode::PerCall, p),
    ]
}

/// The floor rows: an empty burst and an empty timed call (the timer's
/// own cost, to read beside every figure).
pub fn floor_rows() -> Vec<Row> {
    let bursts = env_usize("BENCH_BURSTS", measure::BURSTS) / 10;
    let calls = env_usize("BENCH_CALLS", measure::CALLS);
    vec![
        Row::latency(
            "(timer)",
            "empty call",
            Mode::Burst,
            measure::burst_floor(bursts.max(100)),
        ),
        Row::latency(
            "(timer)",
            "empty call",
            Mode::PerCall,
            measure::per_call_floor(calls),
        ),
    ]
}

fn flush() {
    if let Err(e) = logger::flush() {
        eprintln!("bench: flush failed: {e}");
    }
}

/// The latency job: every case on one installed logger.
fn latency() -> Vec<Row> {
    let dir = sys::fresh_dir("logger-latency");
    let guard = install(&dir, false);
    logger::preallocate();
    // Threads exist now: the producer (this thread) to CPU 0, the
    // flusher (pinned by the logger) and housekeeping to CPU 1.
    sys::pin_producer_and_backend();
    std::thread::sleep(Duration::from_millis(10));

    let mut rows = floor_rows();
    rows.extend(crate::ours_macros::latency_cases(&flush));
    rows.extend(latency_case(NAME, "log::info! static", &flush, |_| {
        log::info!("order accepted")
    }));
    rows.extend(latency_case(NAME, "log::info! 3 args", &flush, |i| {
        let o = order(i);
        log::info!("order {} qty {} px {}", o.symbol, o.qty, o.price)
    }));
    // The floor under any `log` backend for that message: the same three
    // arguments through `core::fmt` into a reused `String`, nothing else
    // (`log` hands a backend `fmt::Arguments`, never the values).
    let mut text = String::with_capacity(128);
    rows.extend(latency_case(
        "(core::fmt)",
        "3 args into a String",
        &flush,
        |i| {
            let o = order(i);
            text.clear();
            let _ = write!(text, "order {} qty {} px {}", o.symbol, o.qty, o.price);
            std::hint::black_box(&text);
        },
    ));
    rows.extend(latency_case(NAME, "log::info! 5 kv", &flush, |i| {
        let o = order(i);
        log::info!(symbol = o.symbol, side = o.side, qty = o.qty, price = o.price, order_id = o.order_id; "order")
    }));
    rows.extend(latency_case(NAME, "log::trace! disabled", &flush, |i| {
        log::trace!("never {}", std::hint::black_box(i))
    }));
    let m = logger::metrics();
    if m.records_dropped != 0 {
        eprintln!("bench: {} records dropped", m.records_dropped);
    }
    drop(guard);
    rows
}

/// One throughput run of ours: `threads` producers, `call(i)` logging
/// the i-th record, then `flush()` until every record is in the file.
pub(crate) fn throughput_run(
    case: &str,
    threads: usize,
    marker: &str,
    call: impl Fn(u64) + Sync,
) -> Vec<Row> {
    let name = format!("logger-tp-{threads}t");
    let dir = sys::fresh_dir(&name);
    let guard = install(&dir, true);
    logger::preallocate();
    // The producers on CPU 0 (with more than one, each pins itself there:
    // `throughput::run`), the flusher and housekeeping on CPU 1.
    sys::pin_producer_and_backend();
    let spec = Spec {
        logger: NAME,
        case,
        threads,
        records: env_usize("BENCH_RECORDS", throughput::RECORDS as usize) as u64,
        dir: &dir,
        marker,
        warmup_records: 0,
    };
    let row = throughput::run(
        &spec,
        || {
            logger::preallocate();
        },
        call,
        || {},
        || logger::flush().expect("flush"),
    );
    eprintln!(
        "bench:   {NAME} / {case} / {threads} thread(s): {:.2} M records/s, {}",
        row.throughput_rps.unwrap_or(0.0) / 1e6,
        row.note
    );
    drop(guard);
    vec![row]
}

/// Every job of ours.
pub fn jobs() -> Vec<Job> {
    let mut jobs = vec![Job::new("logger-latency", NAME, latency)];
    jobs.extend(crate::ours_macros::throughput_jobs());
    jobs.push(Job::new("logger-tp-info-5kv-1t", NAME, || {
        throughput_run("1M log::info! 5 kv, 1 thread", 1, "\"order_id\"", |i| {
            let o = order(i);
            log::info!(symbol = o.symbol, side = o.side, qty = o.qty, price = o.price, order_id = o.order_id; "order")
        })
    }));
    jobs.push(Job::new("logger-tp-info-3args-1t", NAME, || {
        throughput_run("1M log::info! 3 args, 1 thread", 1, " qty ", |i| {
            let o = order(i);
            log::info!("order {} qty {} px {}", o.symbol, o.qty, o.price)
        })
    }));
    jobs
}
