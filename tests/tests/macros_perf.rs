//! `perf!` end to end: explicit durations and scope timers, read back from
//! the files.

mod macros_support;

use std::time::{Duration, Instant};

use logger::perf;
use macros_support::{dir, only, records};

fn spin(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn explicit_duration_every_key_of_the_record() {
    dir();
    let elapsed = Duration::from_micros(1234);
    let line = line!() + 1;
    perf!("risk_check", elapsed, test = "explicit");
    let r = only("perf", "explicit");
    assert_call_site!(
        r,
        kind = "perf",
        level = "INFO",
        msg = "risk_check",
        line = line,
        function = "explicit_duration_every_key_of_the_record"
    );
    assert_eq!(r["fields"]["operation"], "risk_check");
    assert_eq!(r["fields"]["elapsed_ns"], 1_234_000);
    // Perf records go to the main file too, not to the trades file.
    assert_eq!(records("app", "explicit").len(), 1);
    assert!(records("trades", "explicit").is_empty());
}

#[test]
fn elapsed_as_nanoseconds_and_by_reference() {
    dir();
    perf!("ns", 777u64, test = "ns");
    let d = Duration::from_nanos(5);
    perf!("ref", &d, test = "ref");
    assert_eq!(only("perf", "ns")["fields"]["elapsed_ns"], 777);
    assert_eq!(only("perf", "ref")["fields"]["elapsed_ns"], 5);
}

#[test]
fn level_target_extra_fields_and_message() {
    dir();
    let venue = "XNAS";
    perf!(debug, "route", Duration::from_nanos(10), test = "full", venue = venue, hops = 3u8; "routed via {venue} in {} hops", 3);
    perf!(log::Level::Warn, target: "latency", "slow", 5u64, test = "target",);
    let r = only("perf", "full");
    assert_eq!(r["level"], "DEBUG");
    assert_eq!(r["msg"], "routed via XNAS in 3 hops");
    assert_eq!(r["fields"]["venue"], "XNAS");
    assert_eq!(r["fields"]["hops"], 3);
    let r = only("perf", "target");
    assert_eq!(r["level"], "WARN");
    assert_eq!(r["target"], "latency");
}

#[test]
fn scope_timer_records_on_drop() {
    dir();
    {
        let _t = perf!("scoped", test = "scope");
        spin(Duration::from_millis(2));
    }
    let r = only("perf", "scope");
    let ns = r["fields"]["elapsed_ns"].as_u64().unwrap();
    assert!(
        (2_000_000..200_000_000).contains(&ns),
        "a 2 ms scope took {ns} ns"
    );
    assert_eq!(r["msg"], "scoped");
    assert_eq!(
        r["function"],
        concat!(module_path!(), "::scope_timer_records_on_drop")
    );
}

#[test]
fn scope_timer_stop_cancel_and_elapsed() {
    dir();
    let t = perf!("stopped", test = "stop");
    spin(Duration::from_micros(100));
    assert!(t.elapsed() >= Duration::from_micros(100));
    t.stop();
    assert_eq!(records("perf", "stop").len(), 1);

    let t = perf!("cancelled", test = "cancel");
    t.cancel();
    assert!(records("perf", "cancel").is_empty());
}

#[test]
fn scope_timer_values_are_taken_when_it_starts() {
    dir();
    let mut qty = 1u32;
    let name = String::from("owned");
    {
        let _t = perf!("values", test = "start_values", qty = qty, name = &name);
        qty += 1;
    }
    assert_eq!(qty, 2);
    let r = only("perf", "start_values");
    assert_eq!(r["fields"]["qty"], 1);
    assert_eq!(r["fields"]["name"], "owned");
}

#[test]
fn scope_timer_records_while_unwinding() {
    dir();
    let result = std::panic::catch_unwind(|| {
        let _t = perf!("unwinding", test = "unwind");
        panic!("boom");
    });
    assert!(result.is_err());
    assert_eq!(only("perf", "unwind")["fields"]["operation"], "unwinding");
}

#[test]
fn disabled_level_takes_no_time_and_evaluates_nothing() {
    dir();
    // Only this test's target is turned down: the binary's other tests
    // run at the same time under the same global filter.
    logger::set_filter("trace,quiet_perf=info").unwrap();
    let mut evaluated = false;
    {
        let t = perf!(
            trace,
            target: "quiet_perf",
            "off",
            test = {
                evaluated = true;
                "off"
            }
        );
        assert_eq!(t.elapsed(), Duration::ZERO);
    }
    perf!(
        trace,
        target: "quiet_perf",
        "off",
        {
            evaluated = true;
            1u64
        },
        test = "off"
    );
    logger::set_filter("trace").unwrap(); // as installed
    assert!(!evaluated);
    assert!(records("perf", "off").is_empty());
}

#[test]
fn names_with_braces_are_literal() {
    dir();
    perf!("a{b}c", 1u64, test = "braces");
    assert_eq!(only("perf", "braces")["msg"], "a{b}c");
}
