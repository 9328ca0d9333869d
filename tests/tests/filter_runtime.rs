//! `logger::set_filter` at runtime is seen by call sites that are already
//! hot (their cached interest is reset): `log::debug!`, `trade!`, `perf!`
//! and `#[log_performance]`, in a module of their own so that directives
//! can name it.

mod macros_support;

use log::LevelFilter;
use macros_support::{all, dir};

mod hot {
    use logger::{log_performance, perf, trade};

    pub fn log_debug(i: u64) {
        log::debug!(test = "runtime", i = i; "log");
    }

    pub fn log_info(i: u64) {
        log::info!(test = "runtime_info", i = i; "log");
    }

    pub fn trade_debug(i: u64) {
        trade!(
            level: debug,
            test = "runtime",
            i,
            symbol = "A",
            side = "b",
            qty = 1,
            price = 2.0
        );
    }

    pub fn perf_debug(i: u64) {
        perf!(debug, "runtime_perf", 5u64, test = "runtime", i = i);
    }

    #[log_performance(name = "runtime_timed", level = "debug", args(i))]
    pub fn timed(i: u64) -> u64 {
        i
    }

    /// Each call site, once per `i` in `range`.
    pub fn run(range: std::ops::Range<u64>) {
        for i in range {
            log_debug(i);
            log_info(i);
            trade_debug(i);
            perf_debug(i);
            assert_eq!(timed(i), i);
        }
    }
}

/// The values of `fields.i` of the records of `file` matching `pick`.
fn seen(file: &str, pick: impl Fn(&serde_json::Value) -> bool) -> Vec<u64> {
    all(file)
        .iter()
        .filter(|r| pick(r))
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect()
}

#[test]
fn set_filter_reaches_hot_call_sites() {
    dir(); // installed at Trace, no directives
    logger::set_filter("info").unwrap();
    assert_eq!(log::max_level(), LevelFilter::Info);
    hot::run(0..100); // every call site is now hot, debug disabled

    logger::set_filter("info,filter_runtime::hot=debug").unwrap();
    assert_eq!(log::max_level(), LevelFilter::Debug);
    hot::run(100..200);

    logger::set_filter("trace,filter_runtime::hot=off").unwrap();
    hot::run(200..300);

    logger::set_filter("debug,filter_runtime::hot=info,filter_runtime::hotter=trace").unwrap();
    hot::run(300..400);

    let debug_window: Vec<u64> = (100..200).collect();
    let is =
        |key: &'static str, v: &'static str| move |r: &serde_json::Value| r["fields"][key] == v;
    assert_eq!(
        seen("app", |r| r["kind"] == "log"
            && r["fields"]["test"] == "runtime"),
        debug_window
    );
    assert_eq!(seen("trades", is("test", "runtime")), debug_window);
    assert_eq!(seen("perf", is("operation", "runtime_perf")), debug_window);
    assert_eq!(seen("perf", is("operation", "runtime_timed")), debug_window);
    // Info records: on but under `hot=off`.
    let info: Vec<u64> = (0..200).chain(300..400).collect();
    assert_eq!(seen("app", is("test", "runtime_info")), info);
}

#[test]
fn bad_spec_is_rejected_with_an_error_naming_it() {
    dir();
    let e = logger::set_filter("info,a=loud").unwrap_err().to_string();
    assert!(e.contains("`filter`") && e.contains("\"loud\""), "{e}");
    assert!(
        e.contains("off, critical, error, warn, info, debug, trace"),
        "{e}"
    );
}
