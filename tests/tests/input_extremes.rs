//! No input value may stall, panic or silently alter a record (each case
//! in a child process, since each installs the logger):
//!
//! - a user clock at `u64::MAX` (`SimulatedClock::advance(Duration::MAX)`
//!   saturates there): that record is written, and so are the thread's
//!   later records, at once;
//! - a `log` key of 65,536 bytes or more: cut on a char boundary, marked
//!   `…[truncated]` and counted in `Metrics::keys_cut`; 65,535 bytes pass whole;
//! - a `kv::Source` that yields the same key twice: the later one is
//!   renamed `key#2` (then `#3`, ...), so a JSON reader sees every value;
//! - 200,000 filter directives (each path twice): install parses them in
//!   linear time, and the last directive for a path wins.

mod common;

use std::sync::Arc;
use std::time::Duration;

use log::kv::{self, Key, Source, Value, VisitSource};
use serde_json::Value as Json;

fn builder(dir: &str) -> logger::Builder {
    logger::builder()
        .dir(dir)
        .window_bytes(1 << 20)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
}

/// Key-values given as a list, repeats included: `log`'s macros cannot
/// repeat a key, but any `kv::Source` may.
struct Pairs(Vec<(String, u64)>);

impl Source for Pairs {
    fn visit<'kvs>(&'kvs self, visitor: &mut dyn VisitSource<'kvs>) -> Result<(), kv::Error> {
        for (k, v) in &self.0 {
            visitor.visit_pair(Key::from_str(k), Value::from(*v))?;
        }
        Ok(())
    }
}

fn log_pairs(msg: &str, pairs: Vec<(String, u64)>) {
    let kvs = Pairs(pairs);
    log::logger().log(
        &log::Record::builder()
            .level(log::Level::Info)
            .target("input_extremes")
            .args(format_args!("{msg}"))
            .key_values(&kvs)
            .build(),
    );
}

#[test]
fn child_user_clock_at_u64_max() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let clock = Arc::new(logger::SimulatedClock::new(1_000));
    let _guard = builder(&dir).user_clock(clock.clone()).install().unwrap();
    log::info!(i = 0u64; "before");
    clock.advance(Duration::MAX);
    println!("CLOCK={}", clock.now_ns());
    log::info!(i = 1u64; "at the end of time");
    clock.set_ns(2_000);
    log::info!(i = 2u64; "back again");
    // No flush: the flusher writes them on its own, or they are stuck.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while logger::metrics().records_written < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("WRITTEN={}", logger::metrics().records_written);
    println!("FLUSH={:?}", logger::flush());
}

#[test]
fn user_clock_at_u64_max() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_user_clock_at_u64_max",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.number("CLOCK"), u64::MAX);
    assert_eq!(out.number("WRITTEN"), 3, "{}", out.stdout);
    assert_eq!(out.value("FLUSH"), "Ok(())");
    let records = common::records(dir.path(), "app");
    let got: Vec<(u64, &str)> = records
        .iter()
        .map(|r| {
            (
                r["fields"]["i"].as_u64().unwrap(),
                r["ts"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, "1970-01-01T00:00:00.000001000Z"),
            (1, "2554-07-21T23:34:33.709551615Z"),
            (2, "1970-01-01T00:00:00.000002000Z"),
        ]
    );
}

#[test]
fn child_long_and_repeated_keys() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let _guard = builder(&dir).install().unwrap();
    // 'é' is two bytes: 70,000 bytes, no char boundary at 65,535 - 14.
    let long = "é".repeat(35_000);
    let fits = "k".repeat(65_535);
    log_pairs("long", vec![(long, 1), ("after".into(), 2)]);
    log_pairs("fits", vec![(fits, 3)]);
    log_pairs(
        "repeated",
        vec![
            ("dup".into(), 3),
            ("x".into(), 0),
            ("dup".into(), 4),
            ("dup#2".into(), 5),
            ("dup".into(), 6),
        ],
    );
    println!("FLUSH={:?}", logger::flush());
    println!("KEYS_CUT={}", logger::metrics().keys_cut);
}

#[test]
fn long_and_repeated_keys() {
    if common::is_child() {
        return;
    }
    let (dir, out) = common::run_child_in_dir(
        "child_long_and_repeated_keys",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.value("FLUSH"), "Ok(())");
    assert_eq!(out.number("KEYS_CUT"), 1);
    let records = common::records(dir.path(), "app");
    let by_msg = |m: &str| -> &serde_json::Map<String, Json> {
        records
            .iter()
            .find(|r| r["msg"] == m)
            .unwrap_or_else(|| panic!("no record {m:?}"))["fields"]
            .as_object()
            .unwrap()
    };

    let long = by_msg("long");
    let (key, value) = long.iter().find(|(k, _)| k.as_str() != "after").unwrap();
    assert!(key.len() <= 65_535, "{}", key.len());
    assert!(key.ends_with("…[truncated]"), "no marker");
    let kept = key.strip_suffix("…[truncated]").unwrap();
    assert!(kept.chars().all(|c| c == 'é') && kept.len() > 65_000);
    assert_eq!(value, 1);
    assert_eq!(long["after"], 2);

    let fits = by_msg("fits");
    assert_eq!(fits.keys().next().unwrap().len(), 65_535);

    // Every value, each under its own name, in call order.
    let raw = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    let line = raw.lines().find(|l| l.contains("\"repeated\"")).unwrap();
    assert!(
        line.contains(r#""fields":{"dup":3,"x":0,"dup#3":4,"dup#2":5,"dup#4":6}"#),
        "{line}"
    );
}

#[test]
fn child_many_filter_directives() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    // 200,000 directives over 100,000 paths: each path twice, `warn` then
    // `error`; the later one wins.
    let mut spec = String::from("info");
    for round in ["warn", "error"] {
        for i in 0..100_000 {
            spec.push_str(&format!(",svc{i}::m={round}"));
        }
    }
    let _guard = builder(&dir).filter(spec).install().unwrap();
    log::warn!(target: "svc99999::m", "filtered out: error wins");
    log::error!(target: "svc99999::m", "kept");
    log::info!(target: "other", "default level");
    println!("FLUSH={:?}", logger::flush());
}

#[test]
fn many_filter_directives() {
    if common::is_child() {
        return;
    }
    // The quadratic duplicate check took about 70 s here (debug build) for
    // 100,000 directives, so some minutes for these 200,000; the child's
    // limit is there to catch that, far above the linear parse (under a
    // second of CPU).
    let (dir, out) = common::run_child_in_dir(
        "child_many_filter_directives",
        "LOGGER_TEST_DIR",
        Duration::from_secs(90),
    );
    assert_eq!(out.value("FLUSH"), "Ok(())");
    let msgs: Vec<String> = common::records(dir.path(), "app")
        .iter()
        .map(|r| r["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(msgs, ["kept", "default level"]);
}
