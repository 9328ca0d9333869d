//! `tracing` events and spans through `logger::tracing_layer()`, read back
//! from the files: levels, typed fields, span context (outermost first),
//! correlation ids, tokio tasks moving between worker threads, a
//! third-party crate (`polling`), and `tracing` + `log` in one process
//! writing each record once (this package enables `tracing`'s
//! `log-always`, so every event below is also sent to `log`).
//!
//! One logger and one global subscriber for the whole file; each test
//! tags its records with its own `test` field and picks them out. The
//! runtime-filter test runs in a child process with its own install.

mod common;
mod macros_support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Value, json};
use tracing::Instrument;
use tracing_subscriber::prelude::*;

/// The logger (level `Trace`) and the global subscriber with our layer.
fn dir() -> &'static Path {
    static SUBSCRIBER: OnceLock<()> = OnceLock::new();
    let dir = macros_support::dir_with(|b| {
        b.filter("trace,tracing_layer::quiet=warn,polling=trace,tracing::span=trace")
    });
    SUBSCRIBER.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(logger::tracing_layer());
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    dir
}

/// Records of the main file whose `fields.test` is `test`, in file order.
fn records(test: &str) -> Vec<Value> {
    dir();
    macros_support::records("app", test)
}

/// The keys of a record's `context` in the order of its JSON line (a
/// `serde_json::Value` sorts them).
fn ctx_keys(r: &Value) -> Vec<String> {
    let ts = r["ts"].as_str().unwrap();
    let lines = macros_support::raw_lines("app", &format!("\"ts\":\"{ts}\""));
    let line = lines
        .first()
        .unwrap_or_else(|| panic!("no line with ts {ts}"));
    let Some(at) = line.find("\"context\":{") else {
        return Vec::new();
    };
    let mut rest = &line[at + "\"context\":{".len()..];
    let mut keys = Vec::new();
    while !rest.starts_with('}') {
        let mut key = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        keys.push(key.next().unwrap().unwrap());
        rest = rest[key.byte_offset()..].trim_start_matches(':');
        let mut value = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        value.next().unwrap().unwrap();
        rest = rest[value.byte_offset()..].trim_start_matches(',');
    }
    keys
}

#[tracing::instrument(skip(test), fields(correlation_id = %order_id, venue = "XNAS"))]
fn route(test: &str, order_id: &str, qty: u64) {
    tracing::info!(test, step = "route", "routing {qty}");
}

#[test]
fn events_keep_levels_typed_fields_and_span_context_outermost_first() {
    dir();
    let t = "typed";
    let err = std::io::Error::other("venue down");
    tracing::info!(
        test = t,
        step = 1_u64,
        neg = -7_i64,
        px = 187.25_f64,
        live = true,
        sym = "AAPL",
        big = u128::MAX,
        dbg = ?vec![1, 2],
        shown = %std::net::Ipv4Addr::LOCALHOST,
        error = &err as &(dyn std::error::Error + 'static),
        "order {} of {}",
        3,
        "AAPL"
    );
    tracing::warn!(test = t, step = 2_u64, "static message");
    tracing::error!(target: "venue::gateway", test = t, step = 3_u64, "with target");
    tracing::debug!(test = t, step = 4_u64);
    tracing::trace!(test = t, step = 5_u64, message = "message as a field");
    {
        let strategy = tracing::info_span!("strategy", strategy = "mm1", account = 7_u64);
        let _s = strategy.enter();
        let leg = tracing::debug_span!("leg", leg = 2_u8, account = "A7");
        let _l = leg.enter();
        tracing::info!(test = t, step = 6_u64, "inside two spans");
    }
    tracing::info!(test = t, step = 7_u64, "after the spans");

    let r = records(t);
    assert_eq!(r.len(), 7, "{r:#?}");
    let levels: Vec<&str> = r.iter().map(|r| r["level"].as_str().unwrap()).collect();
    assert_eq!(
        levels,
        ["INFO", "WARN", "ERROR", "DEBUG", "TRACE", "INFO", "INFO"]
    );
    for rec in &r {
        assert_eq!(rec["kind"], "log", "{rec}");
        assert!(rec["file"].as_str().unwrap().ends_with("tracing_layer.rs"));
        assert!(rec["line"].as_u64().unwrap() > 0);
    }
    let f = &r[0]["fields"];
    assert_eq!(r[0]["msg"], "order 3 of AAPL");
    assert_eq!(r[0]["target"], "tracing_layer");
    assert_eq!(r[0]["module"], "tracing_layer");
    assert!(f["step"].is_u64(), "{f}");
    assert_eq!(f["neg"], -7);
    assert_eq!(f["px"], 187.25);
    assert_eq!(f["live"], true);
    assert_eq!(f["sym"], "AAPL");
    let big = format!("\"big\":{}", u128::MAX);
    assert_eq!(macros_support::raw_lines("app", &big).len(), 1);
    assert_eq!(f["dbg"], "[1, 2]");
    assert_eq!(f["shown"], "127.0.0.1");
    assert_eq!(f["error"], "venue down");
    assert!(f.get("message").is_none(), "{f}");
    assert_eq!(r[1]["msg"], "static message");
    assert_eq!(r[2]["target"], "venue::gateway");
    assert_eq!(r[2]["module"], "tracing_layer");
    assert_eq!(r[3]["msg"], "");
    assert_eq!(r[4]["msg"], "message as a field");
    // Inside two spans: outer fields first, an inner key shadows an outer
    // one in the outer one's place.
    assert_eq!(ctx_keys(&r[5]), ["strategy", "account", "leg"]);
    assert_eq!(
        r[5]["context"],
        json!({"strategy": "mm1", "account": "A7", "leg": 2})
    );
    assert!(r[5].get("correlation_id").is_none());
    for i in [0, 1, 2, 3, 4, 6] {
        assert!(r[i].get("context").is_none(), "{}", r[i]);
    }
}

#[test]
fn instrument_with_correlation_id_matches_logger_correlation() {
    dir();
    let t = "corr";
    route(t, "ord-7", 100);
    {
        let _c = logger::correlation("ord-7");
        let _b = logger::bind!(order_id = "ord-7", qty = 100_u64, venue = "XNAS");
        log::info!(test = t, step = "route"; "routing 100");
    }
    let r = records(t);
    assert_eq!(r.len(), 2, "{r:#?}");
    for key in [
        "correlation_id",
        "context",
        "msg",
        "level",
        "kind",
        "fields",
    ] {
        assert_eq!(r[0][key], r[1][key], "{key}: {:#}\n{:#}", r[0], r[1]);
    }
    assert_eq!(r[0]["correlation_id"], "ord-7");
    // `#[instrument]` records the arguments, then the extra fields.
    assert_eq!(ctx_keys(&r[0]), ["order_id", "qty", "venue"]);
    // A numeric id stays a number; an inner span's id shadows the outer.
    let outer = tracing::info_span!("outer", correlation_id = 41_u64);
    outer.in_scope(|| {
        tracing::info!(test = t, step = "outer");
        tracing::info_span!("inner", correlation_id = "child-1")
            .in_scope(|| tracing::info!(test = t, step = "inner"));
        tracing::info!(test = t, step = "outer again");
    });
    let r = records(t);
    let ids: Vec<&Value> = r[2..].iter().map(|r| &r["correlation_id"]).collect();
    assert_eq!(ids, [&json!(41), &json!("child-1"), &json!(41)]);
}

#[test]
fn a_field_recorded_later_reaches_the_next_records() {
    dir();
    let t = "record";
    let span = tracing::info_span!("order", correlation_id = tracing::field::Empty, desk = "fx");
    let _e = span.enter();
    tracing::info!(test = t, step = 1_u64);
    span.record("correlation_id", "late-1");
    tracing::info!(test = t, step = 2_u64);
    drop(_e);
    let r = records(t);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(r[0].get("correlation_id").is_none());
    assert_eq!(r[0]["context"], json!({"desk": "fx"}));
    assert_eq!(r[1]["correlation_id"], "late-1");
    assert_eq!(r[1]["context"], json!({"desk": "fx"}));
}

#[test]
fn spans_exited_out_of_order_leave_no_context_behind() {
    dir();
    let t = "order";
    let a = tracing::info_span!("a", a = 1_u64).entered();
    let b = tracing::info_span!("b", b = 2_u64).entered();
    drop(a); // the outer span exits first
    tracing::info!(test = t, step = 1_u64);
    drop(b);
    tracing::info!(test = t, step = 2_u64);
    let r = records(t);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert_eq!(r[0]["context"], json!({"a": 1, "b": 2}));
    assert!(r[1].get("context").is_none(), "{}", r[1]);
}

#[test]
fn span_frames_written_late_keep_their_place_among_context_guards() {
    dir();
    let t = "late";
    // Spans entered and left with no record inside write nothing, and
    // lend nothing to the next record.
    for i in 0..50_u64 {
        let _e = tracing::info_span!("idle", idle = i).entered();
    }
    tracing::info!(test = t, step = 0_u64);
    let outer = tracing::info_span!("outer", desk = "fx").entered();
    {
        // A frame pushed while the span's frame still waits: the span's
        // goes first.
        let _g = logger::bind!(strategy = "mm1");
        let inner = tracing::info_span!("inner", leg = 2_u64).entered();
        tracing::info!(test = t, step = 1_u64);
        drop(inner);
        tracing::info!(test = t, step = 2_u64);
    }
    tracing::info!(test = t, step = 3_u64);
    {
        let _c = logger::correlation("c-9");
        tracing::info!(test = t, step = 4_u64);
    }
    drop(outer);
    tracing::info!(test = t, step = 5_u64);
    let r = records(t);
    assert_eq!(r.len(), 6, "{r:#?}");
    assert!(r[0].get("context").is_none(), "{}", r[0]);
    assert_eq!(ctx_keys(&r[1]), ["desk", "strategy", "leg"], "{}", r[1]);
    assert_eq!(
        r[1]["context"],
        json!({"desk": "fx", "strategy": "mm1", "leg": 2})
    );
    assert_eq!(r[2]["context"], json!({"desk": "fx", "strategy": "mm1"}));
    assert_eq!(r[3]["context"], json!({"desk": "fx"}));
    assert_eq!(r[4]["context"], json!({"desk": "fx"}));
    assert_eq!(r[4]["correlation_id"], "c-9");
    assert!(r[3].get("correlation_id").is_none(), "{}", r[3]);
    assert!(r[5].get("context").is_none(), "{}", r[5]);
}

/// Displayed inside a `log` message: logs a `tracing` event inside a span
/// of its own (when `test` is set), then enters a second span and leaves
/// it entered (the test exits it after the call).
struct LogsInASpan {
    test: Option<&'static str>,
    left_entered: std::cell::RefCell<Option<tracing::span::EnteredSpan>>,
}

impl std::fmt::Display for LogsInASpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(test) = self.test {
            let _s = tracing::info_span!("in_display", venue = "XNAS").entered();
            tracing::info!(test = test, step = 1_u64, "inside Display");
        }
        let span = tracing::info_span!("still_entered", leg = 7_u64);
        *self.left_entered.borrow_mut() = Some(span.entered());
        f.write_str("shown")
    }
}

/// `log` messages formatted in their ring slot whose `Display` logs
/// inside a span, or not, and leaves another span entered: the inner
/// record has its span's context, each outer one the span entered when
/// it was pushed, as when the message is formatted before the record is
/// pushed.
#[test]
fn a_display_impl_that_enters_spans_gives_each_record_its_context() {
    dir();
    let t = "display_spans";
    for (test, msg) in [(Some(t), "logs"), (None, "quiet")] {
        let shown = LogsInASpan {
            test,
            left_entered: std::cell::RefCell::new(None),
        };
        log::info!("{msg} {} display_spans", shown);
        drop(shown.left_entered.take());
        let outer = macros_support::raw_lines("app", &format!("{msg} shown display_spans"));
        assert_eq!(outer.len(), 1, "{outer:#?}");
        let outer: Value = serde_json::from_str(&outer[0]).unwrap();
        assert_eq!(outer["context"], json!({"leg": 7}), "{outer}");
    }
    tracing::info!(test = t, step = 2_u64, "after");
    let inner = records(t);
    assert_eq!(inner.len(), 2, "{inner:#?}");
    assert_eq!(
        inner[0]["context"],
        json!({"venue": "XNAS"}),
        "{}",
        inner[0]
    );
    assert!(inner[1].get("context").is_none(), "{}", inner[1]);
}

#[test]
fn spans_write_no_perf_record_unless_asked() {
    dir();
    drop(tracing::info_span!("unasked", qty = 1_u64).entered());
    assert!(macros_support::operation("app", "unasked").is_empty());
    assert!(macros_support::operation("perf", "unasked").is_empty());
}

#[tracing::instrument(skip(test))]
async fn hedge(test: &'static str, task: u64, leg: u64) {
    for step in 0..3_u64 {
        tracing::info!(test, task, leg, step, "hedging");
        tokio::task::yield_now().await;
    }
}

#[test]
fn nested_spans_follow_tokio_tasks_across_worker_threads() {
    dir();
    let t = "tokio";
    const TASKS: u64 = 24;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .unwrap();
    let outer = tracing::info_span!("session", desk = "fx");
    rt.block_on(
        async {
            let mut handles = Vec::new();
            for task in 0..TASKS {
                // Made here (its parent is `session`, entered on the
                // thread running `block_on`), polled on the workers.
                let span = tracing::info_span!("order", correlation_id = task, task);
                handles.push(tokio::spawn(
                    async move {
                        for leg in 0..2 {
                            tracing::info!(test = t, task, leg, "leg start");
                            hedge(t, task, leg).await;
                            tokio::task::yield_now().await;
                        }
                    }
                    .instrument(span),
                ));
            }
            for h in handles {
                h.await.unwrap();
            }
            tracing::info!(test = t, task = u64::MAX, "all done");
        }
        .instrument(outer),
    );
    drop(rt);

    let r = records(t);
    assert_eq!(r.len() as u64, TASKS * 2 * 4 + 1, "{r:#?}");
    let mut tids = HashSet::new();
    for rec in &r {
        let task = rec["fields"]["task"].as_u64().unwrap();
        tids.insert(rec["tid"].as_u64().unwrap());
        if task == u64::MAX {
            assert_eq!(rec["context"], json!({"desk": "fx"}));
            assert!(rec.get("correlation_id").is_none());
            continue;
        }
        assert_eq!(rec["correlation_id"], task, "{rec}");
        if rec["msg"] == "hedging" {
            assert_eq!(ctx_keys(rec), ["desk", "task", "leg"], "{rec}");
            assert_eq!(rec["context"]["task"], task);
            assert_eq!(rec["context"]["leg"], rec["fields"]["leg"]);
        } else {
            assert_eq!(ctx_keys(rec), ["desk", "task"], "{rec}");
        }
    }
    assert!(tids.len() >= 2, "records from {} thread(s)", tids.len());
}

#[test]
fn a_third_party_crate_events_land_with_their_span_context() {
    dir();
    let poller = polling::Poller::new().unwrap();
    let mut events = polling::Events::new();
    poller.notify().unwrap();
    poller
        .wait(&mut events, Some(std::time::Duration::from_millis(10)))
        .unwrap();
    logger::flush().unwrap();
    let all = macros_support::all("app");
    let ours: Vec<&Value> = all
        .iter()
        .filter(|r| {
            r["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("polling"))
        })
        .collect();
    let new = ours
        .iter()
        .find(|r| r["msg"] == "new")
        .unwrap_or_else(|| panic!("no `new` event of polling: {ours:#?}"));
    assert_eq!(new["level"], "TRACE");
    assert_eq!(new["kind"], "log");
    assert!(new["fields"]["epoll_fd"].is_string(), "{new}");
    let waited = ours
        .iter()
        .find(|r| r["msg"] == "new events")
        .unwrap_or_else(|| panic!("no `new events` event of polling: {ours:#?}"));
    // Inside polling's `wait` span: its fields are the context.
    assert!(waited["context"]["epoll_fd"].is_string(), "{waited}");
    assert!(waited["context"]["deadline"].is_string(), "{waited}");
    assert!(waited["fields"]["res"].is_string(), "{waited}");
}

#[test]
fn log_and_tracing_in_one_process_write_each_record_once() {
    dir();
    let t = "once";
    let span = tracing::info_span!("dedupe", round = 1_u64);
    for i in 0..50_u64 {
        let _e = span.enter();
        tracing::info!(test = t, i, source = "tracing", "tracing {i}");
        log::info!(test = t, i, source = "log"; "log {i}");
        tracing::info!(test = t, i, source = "tracing", "static");
        log::info!(test = t, i, source = "log"; "static");
    }
    // `log-always` sends every event to `log` too; `LogTracer` sends `log`
    // records to `tracing`: neither copy may be written.
    tracing_log::format_trace(
        &log::Record::builder()
            .args(format_args!("through LogTracer"))
            .level(log::Level::Info)
            .target("tracing_layer")
            .build(),
    )
    .unwrap();
    let r = records(t);
    let mut seen = HashSet::new();
    for rec in &r {
        let key = (
            rec["fields"]["source"].as_str().unwrap().to_string(),
            rec["fields"]["i"].as_u64().unwrap(),
            rec["msg"].as_str().unwrap().to_string(),
        );
        assert!(seen.insert(key.clone()), "written twice: {key:?}");
        // `log` records inside a span carry its context too.
        assert_eq!(rec["context"], json!({"round": 1}), "{rec}");
    }
    assert_eq!(r.len(), 200, "{r:#?}");
    let all = macros_support::all("app");
    let spans: Vec<&Value> = all
        .iter()
        .filter(|r| {
            r["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("tracing::span"))
                || r["msg"] == "through LogTracer"
        })
        .collect();
    assert!(spans.is_empty(), "{spans:#?}");
}

#[test]
fn the_filter_directives_and_set_filter_apply_to_tracing_events() {
    if common::is_child() {
        let dir = std::env::var("TRACING_FILTER_DIR").unwrap();
        let guard = logger::builder()
            .dir(&dir)
            .filter("info,tracing_layer::noisy=warn")
            .install()
            .unwrap();
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(logger::tracing_layer()),
        )
        .unwrap();
        let emit = |round: u64| {
            tracing::debug!(round, "debug default");
            tracing::info!(round, "info default");
            tracing::info!(target: "tracing_layer::noisy", round, "info noisy");
            tracing::warn!(target: "tracing_layer::noisy", round, "warn noisy");
            tracing::trace!(target: "tracing_layer::deep::x", round, "trace deep");
        };
        emit(1);
        logger::set_filter("warn,tracing_layer::deep=trace").unwrap();
        emit(2);
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "the_filter_directives_and_set_filter_apply_to_tracing_events",
        "TRACING_FILTER_DIR",
        std::time::Duration::from_secs(60),
    );
    let got: Vec<(u64, String)> = common::records(dir.path(), "app")
        .iter()
        .filter_map(|r| {
            Some((
                r["fields"]["round"].as_u64()?,
                r["msg"].as_str()?.to_string(),
            ))
        })
        .collect();
    let want: Vec<(u64, String)> = [
        (1, "info default"),
        (1, "warn noisy"),
        (2, "warn noisy"),
        (2, "trace deep"),
    ]
    .iter()
    .map(|&(n, m)| (n, m.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn spans_made_and_closed_in_a_loop_never_lend_their_context_to_the_next() {
    dir();
    let t = "reuse";
    for i in 0..300_u64 {
        // Each span closes at the end of the iteration and the next one
        // takes its storage slot (under a new id): the thread's cache of
        // entered spans must hand out the new fields every time.
        let span = tracing::info_span!("order", correlation_id = i, parity = i % 2);
        let _e = span.enter();
        tracing::info!(test = t, i);
    }
    let r = records(t);
    assert_eq!(r.len(), 300, "{r:#?}");
    for rec in &r {
        let i = rec["fields"]["i"].as_u64().unwrap();
        assert_eq!(rec["correlation_id"], i, "{rec}");
        assert_eq!(rec["context"], json!({"parity": i % 2}), "{rec}");
    }
}
