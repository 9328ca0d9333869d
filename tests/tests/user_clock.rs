//! A user clock (`Builder::user_clock`): records carry the simulated time
//! the application sets, durations stay real, the flusher never holds
//! records back by comparing simulated time with real time, its own records
//! carry simulated time too, and files rotate by real time.
//!
//! The tests of this binary share one logger (installed once per process)
//! and one `SimulatedClock`; they take turns with a lock, because each one
//! sets the clock. Tests that need another configuration run in a child
//! process.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use logger::{SimulatedClock, log_performance, perf, trade};
use serde_json::Value;

/// 2024-01-02T14:30:00.123456789Z
const T1: u64 = 1_704_205_800_123_456_789;
const T1_STR: &str = "2024-01-02T14:30:00.123456789Z";
/// 2019-01-01T00:00:00.000000001Z: before T1 (a replay restarted).
const T_BACK: u64 = 1_546_300_800_000_000_001;
const T_BACK_STR: &str = "2019-01-01T00:00:00.000000001Z";
/// 2100-01-01T00:00:00Z: after the real time of any run of this test.
const T_FWD: u64 = 4_102_444_800_000_000_000;
const T_FWD_STR: &str = "2100-01-01T00:00:00.000000000Z";

struct Shared {
    dir: tempfile::TempDir,
    clock: Arc<SimulatedClock>,
}

/// The logger of this binary, and a turn: tests hold the guard while they
/// set the clock and read their records.
///
/// Installed with `clock(System)` on the builder and `"clock": "system"` in
/// a configuration file: the user clock installed by code wins over both.
fn shared() -> (
    &'static Path,
    &'static SimulatedClock,
    MutexGuard<'static, ()>,
) {
    static TURN: Mutex<()> = Mutex::new(());
    static SHARED: OnceLock<Shared> = OnceLock::new();
    let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let s = SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("logger.json");
        std::fs::write(&file, r#"{"clock": "system", "level": "trace"}"#).unwrap();
        let clock = Arc::new(SimulatedClock::new(T1));
        let guard = logger::builder()
            .dir(dir.path())
            .clock(logger::ClockSource::System)
            .user_clock(clock.clone())
            .config_file(&file)
            .install()
            .unwrap();
        std::mem::forget(guard);
        Shared { dir, clock }
    });
    (s.dir.path(), &s.clock, turn)
}

/// Records of destination `name` whose `fields.test` is `test`, after a flush.
fn records(dir: &Path, name: &str, test: &str) -> Vec<Value> {
    logger::flush().unwrap();
    common::records(dir, name)
        .into_iter()
        .filter(|r| r["fields"]["test"] == test)
        .collect()
}

fn ts(r: &Value) -> &str {
    r["ts"].as_str().unwrap()
}

#[log_performance]
fn sleeps_20ms(test: &str) -> usize {
    std::thread::sleep(Duration::from_millis(20));
    test.len()
}

#[test]
fn every_kind_of_record_carries_the_simulated_time() {
    let (dir, clock, _turn) = shared();
    for (i, (ns, expected)) in [(T1, T1_STR), (T_BACK, T_BACK_STR), (T_FWD, T_FWD_STR)]
        .into_iter()
        .enumerate()
    {
        clock.set_ns(ns);
        log::info!(test = "kinds", step = i; "log record");
        trade!(
            symbol = "AAPL",
            side = "BUY",
            qty = 100u32,
            price = 187.5,
            test = "kinds",
            step = i
        );
        perf!(
            "explicit",
            Duration::from_micros(3),
            test = "kinds",
            step = i
        );
        {
            let _t = perf!("scoped", test = "kinds", step = i);
        }
        let app = records(dir, "app", "kinds");
        let step: Vec<&Value> = app.iter().filter(|r| r["fields"]["step"] == i).collect();
        assert_eq!(step.len(), 4, "{step:#?}");
        for r in &step {
            assert_eq!(ts(r), expected, "{r}");
        }
        let kinds: Vec<&str> = step.iter().map(|r| r["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["log", "trade", "perf", "perf"]);
        let trades = records(dir, "trades", "kinds");
        assert_eq!(ts(trades.last().unwrap()), expected);
    }
    // One thread's records stay in the order they were logged, although
    // the clock went back in between.
    let steps: Vec<u64> = records(dir, "app", "kinds")
        .iter()
        .map(|r| r["fields"]["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
}

#[test]
fn durations_measure_real_time_while_the_clock_stands_still() {
    let (dir, clock, _turn) = shared();
    clock.set_ns(T1);
    {
        let _t = perf!("sleep", test = "durations");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sleeps_20ms("durations"), 9);
    assert_eq!(clock.now_ns(), T1, "nothing moved the simulated clock");

    let scope = records(dir, "perf", "durations");
    assert_eq!(scope.len(), 1, "{scope:#?}");
    let perf_fn: Vec<Value> = common::records(dir, "perf")
        .into_iter()
        .filter(|r| r["fields"]["operation"] == "sleeps_20ms")
        .collect();
    assert_eq!(perf_fn.len(), 1, "{perf_fn:#?}");
    for r in [&scope[0], &perf_fn[0]] {
        let ns = r["fields"]["elapsed_ns"].as_u64().unwrap();
        assert!(
            (20_000_000..2_000_000_000).contains(&ns),
            "a 20 ms sleep measured {ns} ns: {r}"
        );
        assert_eq!(ts(r), T1_STR);
    }
}

#[test]
fn records_are_not_held_back_while_the_clock_stands_still() {
    let (dir, clock, _turn) = shared();
    // Far after real time: a watermark taken from the machine's clock
    // would hold these records until a flush.
    clock.set_ns(T_FWD);
    log::info!(test = "unheld"; "waits for no flush");
    let path = dir.join("app.log");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (lines, _) = common::read_repaired(&path, 0);
        if let Some(r) = lines.iter().find(|r| r["fields"]["test"] == "unheld") {
            assert_eq!(ts(r), T_FWD_STR);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the record was not written within 10 s without a flush"
        );
        std::thread::sleep(Duration::from_millis(2));
    }

    // The flush barrier, from several threads, the clock still standing.
    const THREADS: u64 = 4;
    const N: u64 = 500;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                for i in 0..N {
                    log::info!(test = "barrier", t = t, i = i; "same instant");
                }
                logger::flush().unwrap();
            });
        }
    });
    let got = records(dir, "app", "barrier");
    assert_eq!(got.len() as u64, THREADS * N);
    assert!(got.iter().all(|r| ts(r) == T_FWD_STR));
    for t in 0..THREADS {
        let order: Vec<u64> = got
            .iter()
            .filter(|r| r["fields"]["t"] == t)
            .map(|r| r["fields"]["i"].as_u64().unwrap())
            .collect();
        assert_eq!(order, (0..N).collect::<Vec<_>>(), "thread {t} out of order");
    }
}

/// With a clock advanced by a driver while other threads log, each
/// thread's timestamps never go back in its file order.
#[test]
fn a_driver_advancing_the_clock_for_several_threads() {
    let (dir, clock, _turn) = shared();
    clock.set_ns(T1);
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                clock.advance_ns(1_000);
                std::thread::yield_now();
            }
        });
        let loggers: Vec<_> = (0..2u64)
            .map(|t| {
                s.spawn(move || {
                    for i in 0..2_000u64 {
                        log::info!(test = "driver", t = t, i = i; "tick");
                    }
                })
            })
            .collect();
        for l in loggers {
            l.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let got = records(dir, "app", "driver");
    assert_eq!(got.len(), 4_000);
    for t in 0..2u64 {
        let mine: Vec<&Value> = got.iter().filter(|r| r["fields"]["t"] == t).collect();
        let order: Vec<u64> = mine
            .iter()
            .map(|r| r["fields"]["i"].as_u64().unwrap())
            .collect();
        assert_eq!(order, (0..2_000).collect::<Vec<_>>());
        // RFC 3339 with a fixed width: string order is time order.
        assert!(mine.windows(2).all(|w| ts(w[0]) <= ts(w[1])));
        assert!(ts(mine[0]) >= "2024-01-02T14:30:00.123456789Z");
    }
}

/// The flusher's own records (here the drop warnings of `DropNewest`)
/// carry the simulated time, so they sort with the records around them.
#[test]
fn drop_warnings_carry_the_simulated_time() {
    if common::is_child() {
        let dir = std::env::var("USER_CLOCK_DIR").unwrap();
        let clock = Arc::new(SimulatedClock::new(T_BACK));
        let guard = logger::builder()
            .dir(dir)
            .user_clock(clock)
            .ring_bytes(logger::MIN_RING_BYTES)
            .overflow(logger::OverflowPolicy::DropNewest)
            .idle_sleep(Duration::from_millis(5))
            .install()
            .unwrap();
        std::thread::Builder::new()
            .name("bursty".into())
            .spawn(|| {
                for i in 0..50_000u64 {
                    log::info!(i = i; "a record long enough to fill a four kilobyte ring quickly");
                }
            })
            .unwrap()
            .join()
            .unwrap();
        logger::flush().unwrap();
        println!("DROPPED={}", logger::metrics().records_dropped);
        drop(guard);
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "drop_warnings_carry_the_simulated_time",
        "USER_CLOCK_DIR",
        Duration::from_secs(60),
    );
    let dropped = out.number("DROPPED");
    assert!(
        dropped > 0,
        "a 4 KiB ring with a 5 ms flusher sleep must overflow"
    );
    let records = common::records(dir.path(), "app");
    let warnings: Vec<&Value> = records.iter().filter(|r| r["target"] == "logger").collect();
    assert!(!warnings.is_empty());
    let reported: u64 = warnings
        .iter()
        .map(|r| r["fields"]["dropped"].as_u64().unwrap())
        .sum();
    assert_eq!(reported, dropped);
    assert!(records.iter().all(|r| ts(r) == T_BACK_STR), "{warnings:#?}");
}

/// Rotation, rotated names and retention follow real time: a replay of
/// 2019 with `retention_days(1)` keeps its files, named by today's date.
#[test]
fn files_rotate_by_real_time() {
    const N: u64 = 2_000;
    if common::is_child() {
        let dir = std::env::var("USER_CLOCK_DIR").unwrap();
        let clock = Arc::new(SimulatedClock::new(T_BACK));
        let guard = logger::builder()
            .dir(dir)
            .user_clock(clock)
            .max_file_bytes(Some(32 << 10))
            .retention_days(Some(1))
            .install()
            .unwrap();
        for i in 0..N {
            log::info!(i = i; "replayed event");
        }
        logger::flush().unwrap();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "files_rotate_by_real_time",
        "USER_CLOCK_DIR",
        Duration::from_secs(60),
    );
    let files = common::files_of(dir.path(), "app");
    assert!(
        files.len() > 2,
        "32 KiB files must rotate, and retention must keep them: {files:?}"
    );
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with("app.2019"),
            "named by simulated time: {name}"
        );
    }
    let records = common::records(dir.path(), "app");
    let order: Vec<u64> = records
        .iter()
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect();
    assert_eq!(
        order,
        (0..N).collect::<Vec<_>>(),
        "retention deleted records"
    );
    assert!(records.iter().all(|r| ts(r) == T_BACK_STR));
}
