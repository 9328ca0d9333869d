//! The flusher's fast lane (macro call sites' records written by plan,
//! straight from the ring's bytes) writes the bytes of the generic path.
//!
//! The same run of records goes through two child processes under one
//! simulated clock: one with the lane open (the default: JSON only, no
//! console, no redaction), one with it closed by a redaction rule for a key
//! no record has. Every file must be the same byte for byte (`tid` and
//! `pid` aside), and the first child must have written records by plan,
//! the second none. The run mixes what the lane takes (`trade!` sites with
//! every value type, strings needing escapes, a service with its own file,
//! levels held by the backtrace ring and written before an `ERROR`, two
//! threads of one name, `log` records with key-values, repeated keys and
//! messages that change now and then) with what it leaves to the generic
//! path (message arguments, bound context, `perf!`).

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use logger::{FileSpec, RedactAction, ServiceSpec, SimulatedClock, perf, trade};

/// 2026-11-21T23:59:59.5Z: the run crosses a second and the day.
const START_NS: u64 = 1_795_305_599_500_000_000;

#[test]
fn the_lane_writes_the_generic_paths_bytes() {
    if common::is_child() {
        return child();
    }
    let run = |mode: &str| {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = common::child_command("the_lane_writes_the_generic_paths_bytes", &[]);
        cmd.env("LANE_DIR", dir.path()).env("LANE_MODE", mode);
        let out = common::run_child(cmd, Duration::from_secs(60));
        let by_plan: u64 = out.number("by_plan");
        (dir, by_plan)
    };
    let (open, open_by_plan) = run("open");
    let (closed, closed_by_plan) = run("closed");
    assert!(
        open_by_plan >= 1_000,
        "the lane wrote {open_by_plan} records by plan: it was not taken"
    );
    assert_eq!(closed_by_plan, 0, "the lane was open with a redaction rule");
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".log"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(open.path()), names(closed.path()));
    assert!(names(open.path()).len() >= 4, "{:?}", names(open.path()));
    for name in names(open.path()) {
        let got = common::normalise_ids(&std::fs::read(open.path().join(&name)).unwrap());
        let want = common::normalise_ids(&std::fs::read(closed.path().join(&name)).unwrap());
        assert!(!want.is_empty(), "{name} is empty");
        common::compare_lines(&name, &got, &want);
    }
}

fn child() {
    let dir = std::env::var_os("LANE_DIR").unwrap();
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let mut builder = logger::builder()
        .dir(&dir)
        .user_clock(clock.clone())
        .level(log::LevelFilter::Info)
        .backtrace(log::LevelFilter::Debug, 16)
        .service("desk::risk", "risk \"engine\"")
        .service_spec(
            ServiceSpec::new("execution")
                .prefix("desk::execution")
                .file(FileSpec::new("execution")),
        );
    if std::env::var("LANE_MODE").unwrap() == "closed" {
        builder = builder.redact("no_record_has_this_key", RedactAction::Mask);
    }
    let guard = builder.install().unwrap();
    let threads = [Some("exec \"1\"\t\u{e9}"), None, Some("exec \"1\"\t\u{e9}")];
    for name in threads {
        let c = clock.clone();
        let body = move || {
            run(&c);
            logger::flush().unwrap();
        };
        match name {
            Some(name) => std::thread::Builder::new()
                .name(name.to_string())
                .spawn(body)
                .unwrap(),
            None => std::thread::spawn(body),
        }
        .join()
        .unwrap();
    }
    logger::flush().unwrap();
    println!("by_plan={}", logger::__private::records_written_by_plan());
    drop(guard);
}

const SYMBOLS: [&str; 5] = ["AAPL", "quo\"te\\back", "ctl\n\u{1}", "\u{20ac}STOXX", ""];

fn run(clock: &SimulatedClock) {
    for i in 0..300u64 {
        clock.advance(Duration::from_nanos(1 + (i % 7) * 3_333_333));
        let symbol = SYMBOLS[(i % 5) as usize];
        let price = 100.0 + i as f64 * 0.125 - (i % 3) as f64 * 1e-9;
        trade!(
            symbol = symbol,
            side = if i % 2 == 0 { "buy" } else { "sell" },
            qty = i as i64 - 150,
            price = price,
            order_id = u64::MAX - i
        );
        trade!(target: "desk::execution::fills", symbol = symbol, side = "sell", qty = i, price = 1.5, filled = i % 3 == 0, venue = 'X'; "fill");
        trade!(target: "desk::risk", symbol = "", side = "", qty = 0u8, price = -price * 1e12, big = u128::MAX - u128::from(i), small = i128::MIN, odd = f64::NAN, inf = f64::INFINITY; "exposure");
        // Below the files' level: held by the backtrace ring, written
        // before the next `ERROR`.
        trade!(level: debug, symbol = symbol, side = "buy", qty = i, price = 2.0, step = i; "held");
        if i % 37 == 0 {
            trade!(level: error, symbol = symbol, side = "buy", qty = i, price = 3.25, reason = "limit \"hit\""; "rejected");
        }
        // `log` records: a plan per site while its message and keys stay.
        log::info!(symbol = symbol, qty = i, price = price; "order");
        log::info!(target: "desk::execution::orders", dup = 1, dup = i, s = symbol; "sent");
        if i % 3 == 0 {
            log::warn!(symbol = symbol; "order {} sent", i % 2);
        } else {
            log::warn!(symbol = symbol, n = i; "another site");
        }
        // A message that stays, then changes once: the plan is dropped.
        log::error!(code = i; "{}", if i == 150 { "changed" } else { "kept" });
        // The generic path's: message arguments, bound context, perf.
        if i % 5 == 0 {
            trade!(symbol = symbol, side = "buy", qty = i, price = 0.5; "partial fill {} of {}", i, symbol);
            let _b = logger::bind!(strategy = "mm1", account = i);
            trade!(symbol = symbol, side = "buy", qty = i, price = 0.25);
            perf!("risk_check", Duration::from_nanos(i * 977), stage = "pre");
            log::info!(qty = i; "a log record");
        }
    }
}
