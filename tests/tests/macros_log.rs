//! `logger::info!` and its siblings end to end: the record next to what
//! `log::info!` writes for the same call, levels and files, targets and
//! filters, rate limits, and the flusher's fast lane.
//!
//! One global install for the whole file (see `macros_support`); each test
//! logs with its own marker field `test` and picks its records out of the
//! shared files. The fast-lane test runs in child processes of its own.

mod common;
mod macros_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use macros_support::{dir_with, only, raw_lines, records};

/// Everything at `TRACE`, but the target `muted` off.
fn installed() {
    dir_with(|b| b.filter("trace,muted=off"));
}

/// A line with its timestamp, line number and `function` (which `log`
/// records do not have) taken out: what must be equal between a
/// `log::info!` line and a `logger::info!` line of the same call.
fn shape(line: &str) -> String {
    let v: Vec<&str> = line.splitn(2, r#","level":"#).collect();
    assert!(v[0].starts_with(r#"{"ts":""#), "{line}");
    let mut s = format!("{{\"level\":{}", v[1]);
    let at = s.find(r#","line":"#).unwrap() + r#","line":"#.len();
    let end = at + s[at..].find(',').unwrap();
    s.replace_range(at..end, "0");
    if let Some(f) = s.find(r#","function":""#) {
        let close =
            f + r#","function":""#.len() + s[f + r#","function":""#.len()..].find('"').unwrap();
        s.replace_range(f..=close, "");
    }
    s
}

/// The messages of the main file's records of `test`, in file order.
fn messages(test: &str) -> Vec<String> {
    records("app", test)
        .iter()
        .map(|r| r["msg"].as_str().unwrap().to_string())
        .collect()
}

/// The one line of the main file holding `"test":"<test>"`.
fn line_of(test: &str) -> String {
    let mut lines = raw_lines("app", &format!(r#""test":"{test}""#));
    assert_eq!(lines.len(), 1, "{test}: {lines:#?}");
    lines.pop().unwrap()
}

/// Logs the same call through `log::info!` (marker `<name>-log`) and
/// `logger::info!` (marker `<name>-ours`) and returns both lines' shapes
/// with the marker made equal, and `logger`'s line itself.
macro_rules! both {
    ($name:literal; $($message:tt)*) => {
        both!(@ $name, log::info!(test = concat!($name, "-log"); $($message)*), logger::info!(test = concat!($name, "-ours"); $($message)*))
    };
    ($name:literal, $($fields_and_message:tt)*) => {
        both!(@ $name, log::info!(test = concat!($name, "-log"), $($fields_and_message)*), logger::info!(test = concat!($name, "-ours"), $($fields_and_message)*))
    };
    (@ $name:literal, $theirs:expr, $ours:expr) => {{
        $theirs;
        $ours;
        let ours = line_of(concat!($name, "-ours"));
        let theirs = line_of(concat!($name, "-log"));
        (
            shape(&ours).replace(concat!($name, "-ours"), "T"),
            shape(&theirs).replace(concat!($name, "-log"), "T"),
            ours,
        )
    }};
}

#[test]
fn the_record_is_log_infos_record_plus_function() {
    installed();
    let id = 42u64;
    let (ours, theirs, line) = both!("three"; "order {} {} at {}", id, "AAPL", 187.5);
    assert_eq!(ours, theirs);
    assert!(line.contains(r#""msg":"order 42 AAPL at 187.5""#), "{line}");
    assert!(line.contains(r#","kind":"log","#), "{line}");
    // Where `log` has no function, ours names the enclosing one, between
    // `line` and `thread`.
    let f = concat!(
        module_path!(),
        "::the_record_is_log_infos_record_plus_function"
    );
    assert!(
        line.contains(&format!(r#","function":"{f}","thread":"#)),
        "{line}"
    );

    // Key-values before the message, in call order; named and captured
    // placeholders; every value type that is `Display` too.
    let reason = "price \"band\"\n\u{e9}";
    let (ours, theirs, line) = both!("kv", order_id = id, venue = "XNAS", ok = false; "rejected: {reason} ({n}, {}, {}, {})", -7i64, 'x', true, n = u128::MAX);
    assert_eq!(ours, theirs);
    assert!(
        line.ends_with(r#","fields":{"test":"kv-ours","order_id":42,"venue":"XNAS","ok":false}}"#),
        "{line}"
    );
    let none: Option<u64> = None;
    logger::info!(test = "option"; "{} {}", Some(5u8), none);
    assert_eq!(only("app", "option")["msg"], "5 null");
    let (ours, theirs, _) = both!("static"; "connected {{braces}}");
    assert_eq!(ours, theirs);
    let (ours, theirs, _) = both!("floats"; "{} {} {} {} {} {} {}", 0.1, -2.5, 187.25, 1e-5, 123456.789, f64::NAN, f64::NEG_INFINITY);
    assert_eq!(ours, theirs);
}

/// Where `msg` differs from `log::info!`'s: an `f64` is written in ryu's
/// shortest round-trip form, which differs from `Display` for whole
/// numbers (`100.0`), very large and very small magnitudes; an `f32` is
/// widened to `f64` first.
#[test]
fn floats_in_the_message_are_ryus_shortest() {
    installed();
    let cases: [(f64, &str, &str); 4] = [
        (100.0, "100.0", "100"),
        (1e21, "1e21", "1000000000000000000000"),
        (1e-7, "1e-7", "0.0000001"),
        (1.5e300, "1.5e300", &format!("{}", 1.5e300)),
    ];
    for (i, (x, _, display)) in cases.iter().enumerate() {
        assert_eq!(format!("{x}"), *display);
        logger::info!(test = "float", i = i; "px {}", *x);
        log::info!(test = "float-log", i = i; "px {}", x);
    }
    let f = 1.1f32;
    logger::info!(test = "f32"; "{}", f);
    let want: Vec<_> = cases.iter().map(|c| format!("px {}", c.1)).collect();
    assert_eq!(messages("float"), want);
    let want: Vec<_> = cases.iter().map(|c| format!("px {}", c.2)).collect();
    assert_eq!(messages("float-log"), want);
    assert_eq!(only("app", "f32")["msg"], f64::from(f).to_string());
}

#[test]
fn each_macro_records_its_level_and_errors_go_to_the_errors_file() {
    installed();
    logger::error!(test = "lv-error"; "e {}", 1);
    logger::warn!(test = "lv-warn"; "w");
    logger::info!(test = "lv-info"; "i");
    logger::debug!(test = "lv-debug"; "d");
    logger::trace!(test = "lv-trace"; "t");
    for (test, level) in [
        ("lv-error", "ERROR"),
        ("lv-warn", "WARN"),
        ("lv-info", "INFO"),
        ("lv-debug", "DEBUG"),
        ("lv-trace", "TRACE"),
    ] {
        let r = only("app", test);
        assert_eq!(r["level"], level, "{test}");
        assert_eq!(r["kind"], "log", "{test}");
        assert_eq!(r["target"], module_path!(), "{test}");
        assert!(records("trades", test).is_empty(), "{test}");
        let in_errors = records("errors", test).len();
        assert_eq!(in_errors, usize::from(level == "ERROR"), "{test}");
    }
}

#[test]
fn targets_are_filtered_as_log_records_and_a_disabled_call_evaluates_nothing() {
    installed();
    let evaluated = AtomicU32::new(0);
    let costly = || {
        evaluated.fetch_add(1, Ordering::Relaxed);
        7u64
    };
    logger::error!(target: "muted", test = "muted-ours"; "x {}", costly());
    assert_eq!(evaluated.load(Ordering::Relaxed), 0);
    log::error!(target: "muted", test = "muted-log"; "x");
    assert!(records("app", "muted-ours").is_empty());
    assert!(records("app", "muted-log").is_empty());
    logger::info!(target: "desk::orders", test = "target"; "x {}", costly());
    assert_eq!(evaluated.load(Ordering::Relaxed), 1);
    assert_eq!(only("app", "target")["target"], "desk::orders");
}

#[test]
fn a_rate_limited_site_writes_its_limit_and_counts_the_rest() {
    installed();
    let before = logger::metrics().records_rate_limited;
    for i in 0..10u32 {
        logger::warn!(rate: "3/min", test = "rate"; "tick {}", i);
    }
    assert_eq!(messages("rate"), ["tick 0", "tick 1", "tick 2"]);
    assert!(logger::metrics().records_rate_limited >= before + 7);
}

#[test]
fn strings_past_the_stack_stage_are_recorded_whole() {
    installed();
    let long = "x".repeat(5_000);
    logger::info!(test = "long", body = long.as_str(); "len {}: {}", long.len(), long);
    let r = only("app", "long");
    assert_eq!(r["fields"]["body"], long);
    assert_eq!(r["msg"], format!("len 5000: {long}"));
}

/// 2026-11-30T11:59:59.5Z: the run crosses a second.
const START_NS: u64 = 1_796_039_999_500_000_000;

/// `logger::info!` sites go through the flusher's fast lane, and its bytes
/// are the generic path's: the same run in two children, the lane open
/// (the default) and closed (a redaction rule for a key no record has);
/// the main and errors files must be equal byte for byte (`tid`, `pid`,
/// `host` aside), and the first child must have written records by plan.
#[test]
fn the_fast_lane_writes_the_generic_paths_bytes() {
    if common::is_child() {
        return lane_child();
    }
    let run = |mode: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = common::child_command("the_fast_lane_writes_the_generic_paths_bytes", &[]);
        cmd.env("LANE_DIR", dir.path()).env("LANE_MODE", mode);
        let out = common::run_child(cmd, Duration::from_secs(60));
        assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
        (dir, out.number("by_plan"))
    };
    let (open, by_plan) = run("open");
    let (closed, closed_by_plan) = run("closed");
    assert!(by_plan >= 1_000, "the lane wrote {by_plan} records by plan");
    assert_eq!(closed_by_plan, 0, "the lane was open with a redaction rule");
    for (file, min_bytes) in [("app", 50_000), ("errors", 2_000)] {
        let read = |d: &tempfile::TempDir| {
            let files = common::files_of(d.path(), file);
            assert_eq!(files.len(), 1, "{file}: {files:?}");
            common::normalise_ids(&common::read_bytes(&files[0]))
        };
        let (got, want) = (read(&open), read(&closed));
        assert!(want.len() > min_bytes, "{file}: {} bytes", want.len());
        common::compare_lines(file, &got, &want);
    }
}

const SYMBOLS: [&str; 4] = ["AAPL", "quo\"te\\back", "ctl\n\u{1}", "\u{20ac}STOXX"];

fn lane_child() {
    let clock = Arc::new(logger::SimulatedClock::new(START_NS));
    let mut builder = logger::builder()
        .dir(std::env::var_os("LANE_DIR").unwrap())
        .user_clock(clock.clone())
        .level(log::LevelFilter::Info);
    if std::env::var("LANE_MODE").unwrap() == "closed" {
        builder = builder.redact("no_record_has_this_key", logger::RedactAction::Mask);
    }
    let guard = builder.install().unwrap();
    for i in 0..400u64 {
        clock.advance(Duration::from_nanos(1 + (i % 7) * 3_333_333));
        let sym = SYMBOLS[(i % 4) as usize];
        let px = 100.0 + i as f64 * 0.125;
        logger::info!("order {} {} at {}", i, "AAPL", 187.5);
        logger::info!("connected");
        logger::warn!(order_id = i, venue = sym; "rejected: {sym} at {px} ({}, {})", i % 3 == 0, 'q');
        logger::info!(target: "desk::fills", qty = i as i64 - 200, px; "fill {{{}}}", sym);
        if i % 50 == 0 {
            logger::error!(big = u128::MAX - u128::from(i); "limit {} breached", -px * 1e20);
        }
        logger::debug!("below the level {}", i);
    }
    logger::flush().unwrap();
    println!("by_plan={}", logger::__private::records_written_by_plan());
    drop(guard);
}
