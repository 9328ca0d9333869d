//! Per-call-site rate limits (`trade!(rate: "100/s", ..)`, `perf!(rate:
//! ..)`, `#[log_performance(rate = ..)]`): at most the limit per window,
//! the drops counted in `metrics().records_rate_limited` (not in
//! `records_created`) and reported in `WARN` records naming the call site.
//!
//! Windows are aligned on multiples of the period, so a loop that ran for
//! `d` touched at most `d / period + 2` windows: the bounds below are
//! computed from the time each loop actually took, never from an
//! assumption about the machine's speed.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use logger::{log_performance, perf, trade};
use serde_json::Value;

/// The logger of this binary (installed once) and a lock that runs the
/// tests one at a time: they compare global metrics before and after.
fn setup() -> (&'static Path, MutexGuard<'static, ()>) {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static SERIAL: Mutex<()> = Mutex::new(());
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let guard = logger::builder()
            .dir(dir.path())
            .level(log::LevelFilter::Trace)
            .install()
            .unwrap();
        std::mem::forget(guard);
        dir
    });
    (dir.path(), serial)
}

/// Every record of `app.log` so far (after a flush).
fn all(dir: &Path) -> Vec<Value> {
    logger::flush().unwrap();
    read(dir)
}

/// Every record of `app.log` so far, without flushing.
fn read(dir: &Path) -> Vec<Value> {
    let bytes = std::fs::read(dir.join("app.log")).unwrap_or_default();
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let end = bytes[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    std::str::from_utf8(&bytes[..end])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

fn with_target<'a>(records: &'a [Value], target: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["target"] == target).collect()
}

/// The rate-limit warnings about call sites of `target`.
fn warnings<'a>(records: &'a [Value], target: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| {
            r["target"] == "logger"
                && r["level"] == "WARN"
                && r["fields"]["callsite_target"] == target
        })
        .collect()
}

fn reported(warnings: &[&Value]) -> u64 {
    warnings
        .iter()
        .map(|w| w["fields"]["dropped"].as_u64().unwrap())
        .sum()
}

/// Windows of `period` a loop that ran for `elapsed` may have touched.
fn windows(elapsed: Duration, period: Duration) -> u64 {
    (elapsed.as_nanos() / period.as_nanos()) as u64 + 2
}

#[test]
fn a_limited_call_site_writes_at_most_its_limit_per_window() {
    let (dir, _serial) = setup();
    const CALLS: u64 = 10_000;
    let before = logger::metrics();
    let start = Instant::now();
    for i in 0..CALLS {
        trade!(rate: "100/s", target: "rl::single", symbol = "AAPL", side = "buy", qty = i, price = 1.5);
        trade!(target: "rl::unlimited", symbol = "AAPL", side = "buy", qty = i, price = 1.5);
    }
    let elapsed = start.elapsed();
    let records = all(dir);
    let after = logger::metrics();

    let written = with_target(&records, "rl::single").len() as u64;
    let max = 100 * windows(elapsed, Duration::from_secs(1));
    assert!(
        (100..=max).contains(&written),
        "{written} records of a 100/s call site in {elapsed:?} (at most {max})"
    );
    assert_eq!(
        with_target(&records, "rl::unlimited").len() as u64,
        CALLS,
        "a call site without a rate loses nothing"
    );
    assert_eq!(
        after.records_rate_limited - before.records_rate_limited,
        CALLS - written
    );
    assert_eq!(
        after.records_created - before.records_created,
        written + CALLS,
        "rate-limited records never reach a ring"
    );

    let w = warnings(&records, "rl::single");
    assert!(!w.is_empty(), "no rate-limit warning");
    assert_eq!(reported(&w), CALLS - written, "{w:#?}");
    let first = w[0];
    let line = first["fields"]["callsite_line"].as_u64().unwrap();
    let dropped = first["fields"]["dropped"].as_u64().unwrap();
    assert_eq!(
        first["msg"],
        format!(
            "rate limit: {dropped} records dropped at tests/tests/rate_limit.rs:{line} (trade!, limit 100/s)"
        )
    );
    assert_eq!(first["fields"]["limit"], "100/s");
    assert_eq!(first["fields"]["callsite_macro"], "trade!");
    assert_eq!(
        first["fields"]["callsite_file"],
        "tests/tests/rate_limit.rs"
    );
    let limited_line = with_target(&records, "rl::single")[0]["line"].as_u64();
    assert_eq!(Some(line), limited_line, "the warning names the call site");
    assert!(warnings(&records, "rl::unlimited").is_empty());

    // Nothing new: no new warning at the next flush.
    let again = all(dir);
    assert_eq!(warnings(&again, "rl::single").len(), w.len());
}

#[test]
fn threads_share_a_call_site_limit() {
    let (dir, _serial) = setup();
    const THREADS: u64 = 4;
    const CALLS: u64 = 5_000;
    let start_line = std::sync::Barrier::new(THREADS as usize);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let start_line = &start_line;
            s.spawn(move || {
                logger::preallocate();
                start_line.wait();
                for i in 0..CALLS {
                    trade!(rate: "50/s", target: "rl::shared", symbol = "MSFT", side = "sell", qty = i, price = 2.5, thread = t);
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let records = all(dir);
    let limited = with_target(&records, "rl::shared");
    let written = limited.len() as u64;
    let max = 50 * windows(elapsed, Duration::from_secs(1));
    assert!(
        (50..=max).contains(&written),
        "{written} records of a 50/s call site from {THREADS} threads in {elapsed:?} (at most {max})"
    );
    assert_eq!(
        reported(&warnings(&records, "rl::shared")),
        THREADS * CALLS - written
    );
}

#[log_performance(rate = "10/s")]
fn limited_fn(x: u64) -> Result<u64, String> {
    if x.is_multiple_of(2) {
        Ok(x)
    } else {
        Err(format!("odd {x}"))
    }
}

#[test]
fn perf_and_log_performance_limits() {
    let (dir, _serial) = setup();
    const CALLS: u64 = 1_000;
    let before = logger::metrics();
    let start = Instant::now();
    for i in 0..CALLS {
        perf!(rate: "20/s", target: "rl::perf", "op", i);
        let _t = perf!(rate: "5/s", target: "rl::timer", "scope", i = i);
        // Every call still runs and returns its value.
        assert_eq!(limited_fn(i).is_ok(), i.is_multiple_of(2));
    }
    let elapsed = start.elapsed();
    let records = all(dir);
    let after = logger::metrics();
    let windows = windows(elapsed, Duration::from_secs(1));

    let mut total_written = 0;
    for (target, limit) in [("rl::perf", 20), ("rl::timer", 5)] {
        let written = with_target(&records, target).len() as u64;
        assert!(
            (limit..=limit * windows).contains(&written),
            "{target}: {written} records in {elapsed:?}"
        );
        let w = warnings(&records, target);
        assert_eq!(reported(&w), CALLS - written, "{target}");
        assert_eq!(w[0]["fields"]["callsite_macro"], "perf!");
        total_written += written;
    }
    // `#[log_performance]` records have the module path as target.
    let module = module_path!();
    let timed: Vec<_> = records
        .iter()
        .filter(|r| r["kind"] == "perf" && r["fields"]["operation"] == "limited_fn")
        .collect();
    let written = timed.len() as u64;
    assert!(
        (10..=10 * windows).contains(&written),
        "{written} records of limited_fn"
    );
    assert!(timed.iter().any(|r| r["fields"]["outcome"] == "err"));
    let w: Vec<_> = warnings(&records, module)
        .into_iter()
        .filter(|w| w["fields"]["callsite_macro"] == "#[log_performance]")
        .collect();
    assert_eq!(reported(&w), CALLS - written);
    assert_eq!(w[0]["fields"]["limit"], "10/s");
    total_written += written;

    assert_eq!(
        after.records_rate_limited - before.records_rate_limited,
        3 * CALLS - total_written
    );
}

/// Without a flush, the flusher reports drops within about a second.
#[test]
fn drops_are_reported_without_a_flush() {
    let (dir, _serial) = setup();
    logger::flush().unwrap();
    let start = Instant::now();
    for i in 0..100u64 {
        trade!(rate: "1/min", target: "rl::periodic", symbol = "X", side = "buy", qty = i, price = 1.0);
    }
    let max = windows(start.elapsed(), Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let records = read(dir);
        let w = warnings(&records, "rl::periodic");
        let written = with_target(&records, "rl::periodic").len() as u64;
        // A report may land before every admitted record or every drop
        // is in: wait until the two account for all 100 calls.
        if !w.is_empty() && reported(&w) + written == 100 {
            assert!((1..=max).contains(&written), "{written}");
            assert_eq!(w[0]["fields"]["limit"], "1/min");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "10 s after the drops without a flush: {written} written, warnings {w:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
