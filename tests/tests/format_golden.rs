//! The files' bytes for a fixed run of records, compared byte for byte with
//! a golden copy written by the formatter as it was before the flusher's
//! fragment caches (issue 16): whatever the formatter becomes, the same
//! records give the same lines.
//!
//! The child logs a long mixed run — `trade!`, `perf!`, `log` with
//! key-values and with format arguments, `critical!`, correlation ids and
//! bound context, strings needing escapes, unicode, NaN and
//! infinities, the extremes of every integer type, repeated keys, several
//! threads and services — under a simulated clock that crosses seconds,
//! a minute and a day. Threads run one after the other and flush before
//! they end, so the order of the lines is fixed too. Only what differs
//! between runs is normalised: `tid`, `pid` and `host`.
//!
//! The golden files are in `tests/tests/golden/`, written by the formatter of
//! b8a23ac with `GOLDEN_UPDATE=1 cargo test -p logger-tests --test format_golden`,
//! regenerated once for issue 15's `span_id`/`children` keys in `perf` lines (all
//! else checked equal) and once when this file's helpers moved to `common` (every
//! call site 50 lines up: the old and new files compared equal with the line
//! numbers masked, every number moved by 50). Regenerate only when the run below changes, with a
//! formatter known to be right, and say so in the commit (line numbers count).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use logger::{SimulatedClock, perf, trade};

/// 2026-11-21T23:59:58.999999000Z: the run crosses a second, a minute and
/// the day.
const START_NS: u64 = 1_795_305_598_999_999_000;
/// The destinations compared.
const FILES: [&str; 4] = ["app", "trades", "perf", "errors"];

#[test]
fn files_are_byte_for_byte_the_golden_ones() {
    if common::is_child() {
        return child();
    }
    let (dir, _out) = common::run_child_in_dir(
        "files_are_byte_for_byte_the_golden_ones",
        "GOLDEN_DIR",
        Duration::from_secs(60),
    );
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("GOLDEN_UPDATE").is_some();
    for name in FILES {
        let got =
            common::normalise_ids(&std::fs::read(dir.path().join(format!("{name}.log"))).unwrap());
        let path = golden.join(format!("format_golden.{name}.jsonl"));
        if update {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (GOLDEN_UPDATE=1 writes it)", path.display()));
        common::compare_lines(&format!("{name}.log"), &got, &want);
    }
}

fn child() {
    let dir = PathBuf::from(std::env::var_os("GOLDEN_DIR").unwrap());
    let clock = Arc::new(SimulatedClock::new(START_NS));
    let guard = logger::builder()
        .dir(&dir)
        .user_clock(clock.clone())
        .level(log::LevelFilter::Trace)
        .service("golden::execution", "execution")
        .service("golden::risk", "risk-engine\"\\")
        .install()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(50);
    let scenarios: [(&str, Scenario); 5] = [
        ("trader-1", trades),
        ("logger \"quoted\"\tthread\u{e9}", logs),
        ("perf", perfs),
        ("context", contexts),
        ("extremes", extremes),
    ];
    for (round, (name, run)) in scenarios.into_iter().enumerate() {
        let c = clock.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                run(&c);
                logger::flush().unwrap();
            })
            .unwrap()
            .join()
            .unwrap();
        // One thread without a name, between the named ones.
        if round == 2 {
            let c = clock.clone();
            std::thread::spawn(move || {
                tick(&c);
                log::info!(target: "golden::execution::unnamed", n = 1; "from an unnamed thread");
                logger::flush().unwrap();
            })
            .join()
            .unwrap();
        }
        assert!(Instant::now() < deadline, "the run took too long");
    }
    logger::flush().unwrap();
    drop(guard);
}

/// Moves the simulated clock forward by a varying step (333 ns .. 8.3 ms).
fn tick(clock: &SimulatedClock) {
    let step = 333 + (clock.now_ns() % 7) * 1_377_777;
    clock.advance(Duration::from_nanos(step));
}

const SYMBOLS: [&str; 6] = [
    "AAPL",
    "BRK.B",
    "\u{20ac}STOXX50 \u{1f680}",
    "quo\"te\\back",
    "ctl\n\t\r\u{1}\u{1f}",
    "",
];

fn trades(clock: &SimulatedClock) {
    for i in 0..400u64 {
        tick(clock);
        let symbol = SYMBOLS[(i % 6) as usize];
        let side = if i % 3 == 0 { "buy" } else { "sell" };
        let price = 100.0 + i as f64 * 0.125 - (i % 5) as f64 * 1e-7;
        trade!(
            symbol = symbol,
            side = side,
            qty = i * 1_000_003,
            price = price,
            order_id = u64::MAX - i
        );
        if i % 10 == 0 {
            trade!(level: warn, target: "golden::execution::fills", symbol = symbol, side = side, qty = i as i64 - 200, price = -price; "partial fill {} of {} at {}", i, symbol, price);
        }
        if i % 50 == 0 {
            trade!(level: error, symbol = symbol, side = 'x', qty = u128::MAX - u128::from(i), price = f64::NAN, venue = i128::MIN, ok = false; "rejected: {symbol}");
        }
    }
}

fn logs(clock: &SimulatedClock) {
    for i in 0..300u64 {
        tick(clock);
        let s = SYMBOLS[(i % 6) as usize];
        match i % 6 {
            0 => log::info!("order {} {} at {}", i, s, 187.5 + i as f64),
            1 => {
                log::info!(symbol = s, side = "buy", qty = i, price = 187.5, order_id = i; "order")
            }
            2 => {
                log::warn!(target: "golden::risk::limits", used = i as f64 / 3.0, limit = 1e300, neg = -0.0; "limit {s} near")
            }
            3 => {
                log::debug!(target: "golden::execution", empty = "", dup = 1, dup = 2, dup = "three"; "{}", "x".repeat(i as usize * 7))
            }
            4 => {
                log::trace!(big = u64::MAX, small = i64::MIN, t = true, f = false; "trace \u{2028} {i:>8}|{i:<8}|{i:08.3}", i = i as f64)
            }
            _ => {
                log::error!(inf = f64::INFINITY, ninf = f64::NEG_INFINITY, nan = f64::NAN, sub = 5e-324; "error {s}")
            }
        }
        if i % 40 == 0 {
            logger::critical!(target: "golden::execution", code = i; "halt {}", i);
        }
    }
}

fn perfs(clock: &SimulatedClock) {
    for i in 0..200u64 {
        tick(clock);
        perf!("risk_check", Duration::from_nanos(i * 977), stage = "pre");
        if i % 4 == 0 {
            perf!(log::Level::Warn, target: "golden::risk", "route", i * 13 + 1, venue = SYMBOLS[(i % 6) as usize], hops = 3u8; "routed in {} hops", 3);
        }
    }
}

fn contexts(clock: &SimulatedClock) {
    for i in 0..120u64 {
        tick(clock);
        let _c = logger::correlation(format!("trade-{i}\"x"));
        log::info!(step = i; "with a correlation id");
        {
            let _b = logger::bind!(
                strategy = "mm1",
                account = i,
                desk = SYMBOLS[(i % 6) as usize]
            );
            trade!(symbol = "AAPL", side = "buy", qty = i, price = 1.5);
            {
                let _n = logger::correlation(i);
                perf!("inner", Duration::from_micros(i), depth = 2u8);
            }
            log::warn!("bound {}", i);
        }
    }
}

fn extremes(clock: &SimulatedClock) {
    let long = "0123456789abcdef\"\\".repeat(300);
    let bytes = [b'a', 0xff, b'b', 0xc3, 0x28, 0xe2, 0x82];
    let shown = format!("{:?}", &bytes[..]);
    for i in 0..40u64 {
        tick(clock);
        trade!(symbol = long.as_str(), side = "b", qty = i, price = f64::MAX, order_id = 0u64; "{}", long);
        trade!(symbol = "Z", side = '\u{0}', qty = u8::MAX, price = f32::MIN_POSITIVE, none = None::<u64>, some = Some(-1i8), unit = (); "bytes {}", shown.as_str());
        log::info!(ch = '"', u = 1u8, m = -1i8, s = "\u{7f}\u{80}\u{ffff}"; "bytes {:?}", &bytes[..]);
        log::info!(target: "", "empty target");
    }
}

/// One thread's share of the run (defined last: the lines of the call
/// sites above are in the golden files).
type Scenario = fn(&SimulatedClock);
