//! `TracingLayer::span_perf(true)`: each span's close writes a `perf`
//! record (operation = span name, `elapsed_ns`, `busy_ns`, `polls`), read
//! back from the files. One logger and one global subscriber for this
//! binary; each test uses span names of its own.

mod macros_support;

use std::sync::OnceLock;

use serde_json::Value;
use tracing::Instrument;
use tracing_subscriber::prelude::*;

fn install() {
    static SUBSCRIBER: OnceLock<()> = OnceLock::new();
    macros_support::dir_with(|b| b.filter("trace,tracing_span_perf::quiet=warn"));
    SUBSCRIBER.get_or_init(|| {
        let layer = logger::tracing_layer().span_perf(true);
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
            .unwrap();
    });
}

fn field(r: &Value, key: &str) -> u64 {
    r["fields"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key}: {r}"))
}

#[test]
fn a_span_closed_writes_one_perf_record_with_its_enters() {
    install();
    let line = line!() + 1;
    let span = tracing::info_span!("book_build", levels = 10_u64);
    for _ in 0..3 {
        let _e = span.enter();
        std::hint::black_box((0..1000_u64).sum::<u64>());
    }
    drop(span);
    let r = macros_support::operation("perf", "book_build");
    assert_eq!(r.len(), 1, "{r:#?}");
    let r = &r[0];
    assert_eq!(r["kind"], "perf");
    assert_eq!(r["level"], "INFO");
    assert_eq!(r["msg"], "book_build");
    assert_eq!(r["target"], "tracing_span_perf");
    assert_eq!(r["line"], line);
    assert!(
        r["file"]
            .as_str()
            .unwrap()
            .ends_with("tracing_span_perf.rs"),
        "{r}"
    );
    assert_eq!(field(r, "polls"), 3, "{r}");
    assert!(field(r, "busy_ns") <= field(r, "elapsed_ns"), "{r}");
    // The main file has it too, as every perf record.
    assert_eq!(macros_support::operation("app", "book_build").len(), 1);
}

#[test]
fn an_instrumented_future_counts_its_polls() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(
        async {
            for _ in 0..4 {
                tokio::task::yield_now().await;
            }
        }
        .instrument(tracing::debug_span!("venue_ack")),
    );
    drop(rt);
    let r = macros_support::operation("perf", "venue_ack");
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0]["level"], "DEBUG");
    // Every enter: one poll per yield, the one that completes, and the
    // enter in which `Instrumented` drops the finished future.
    assert_eq!(field(&r[0], "polls"), 6, "{}", r[0]);
}

#[test]
fn a_span_the_filter_directives_leave_out_writes_no_perf_record() {
    install();
    drop(tracing::info_span!(target: "tracing_span_perf::quiet", "muted").entered());
    drop(tracing::warn_span!(target: "tracing_span_perf::quiet", "loud").entered());
    assert!(macros_support::operation("perf", "muted").is_empty());
    assert_eq!(macros_support::operation("perf", "loud").len(), 1);
}
