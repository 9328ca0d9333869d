//! Correlation ids, bound context and the `service` field, end to end.
//!
//! One global install for the whole file; each test tags its records
//! with its own `test` field (or target) and picks them out of the files.
//! The overflow test runs in a child process with its own configuration.

mod common;
mod macros_support;

use std::path::Path;
use std::time::Duration;

use logger::{Context, WithCorrelation, log_performance, perf, trade};
use serde_json::Value;

fn dir() -> &'static Path {
    macros_support::dir_with(|b| {
        b.service("correlation::desk", "execution")
            .service("correlation::desk::risk", "risk_management")
    })
}

/// Every record of `<file>.log` whose `fields.test` is `test`, in order.
fn records(file: &str, test: &str) -> Vec<Value> {
    let dir = dir();
    logger::flush().unwrap();
    common::records(dir, file)
        .into_iter()
        .filter(|r| r["fields"]["test"] == test)
        .collect()
}

fn correlation_of(r: &Value) -> Value {
    r.get("correlation_id").cloned().unwrap_or(Value::Null)
}

#[log_performance(args(test))]
fn timed_step(test: &str) -> u64 {
    std::hint::black_box(test.len() as u64)
}

#[test]
fn nested_guards_reach_every_record_kind_and_restore_the_outer_id() {
    dir();
    let t = "nested";
    log::info!(test = t, step = 0; "before");
    {
        let _outer = logger::correlation("trade-12345");
        log::info!(test = t, step = 1; "order placed");
        trade!(
            test = t,
            step = 2,
            symbol = "AAPL",
            side = "buy",
            qty = 100_u64,
            price = 1.5
        );
        perf!("risk_check", Duration::from_micros(3), test = t, step = 3);
        timed_step(t);
        {
            let _inner = logger::correlation(77_u64);
            log::info!(test = t, step = 4; "child order");
        }
        log::warn!(test = t, step = 5; "position updated");
    }
    log::info!(test = t, step = 6; "after");

    let main = records("app", t);
    let steps: Vec<(i64, Value)> = main
        .iter()
        .filter(|r| r["fields"]["step"].is_i64())
        .map(|r| (r["fields"]["step"].as_i64().unwrap(), correlation_of(r)))
        .collect();
    let want = [
        (0, Value::Null),
        (1, "trade-12345".into()),
        (2, "trade-12345".into()),
        (3, "trade-12345".into()),
        (4, 77.into()),
        (5, "trade-12345".into()),
        (6, Value::Null),
    ];
    assert_eq!(steps, want);
    // The `#[log_performance]` record has no `test` field of its own.
    let perf = common::records(dir(), "perf");
    let timed: Vec<_> = perf
        .iter()
        .filter(|r| r["fields"]["operation"] == "timed_step" && r["fields"]["test"] == t)
        .collect();
    assert_eq!(timed.len(), 1, "{perf:#?}");
    assert_eq!(timed[0]["correlation_id"], "trade-12345");
    // The trades file has the same trade record with the id.
    assert_eq!(correlation_of(&records("trades", t)[0]), "trade-12345");
}

#[test]
fn bound_context_nests_and_shadows() {
    dir();
    let t = "bind";
    let account = String::from("A7");
    {
        let _g = logger::bind!(strategy = "mm1", account = account);
        log::info!(test = t, step = 1; "quote");
        {
            let _g2 = logger::bind!(strategy = "mm2", leg = 2_u8);
            let _id = logger::correlation("t-9");
            trade!(
                test = t,
                step = 2,
                symbol = "MSFT",
                side = "sell",
                qty = 1_u64,
                price = 2.5
            );
        }
        log::info!(test = t, step = 3; "quote");
    }
    log::info!(test = t, step = 4; "no context");
    let r = records("app", t);
    assert_eq!(r.len(), 4, "{r:#?}");
    assert_eq!(
        r[0]["context"],
        serde_json::json!({"strategy": "mm1", "account": "A7"})
    );
    assert!(r[0].get("correlation_id").is_none());
    assert_eq!(
        r[1]["context"],
        serde_json::json!({"strategy": "mm2", "account": "A7", "leg": 2})
    );
    assert_eq!(r[1]["correlation_id"], "t-9");
    assert_eq!(
        r[2]["context"],
        serde_json::json!({"strategy": "mm1", "account": "A7"})
    );
    assert!(r[3].get("context").is_none() && r[3].get("correlation_id").is_none());
}

#[test]
fn each_thread_keeps_its_own_id() {
    dir();
    let t = "threads";
    const PER_THREAD: u64 = 2_000;
    let workers: Vec<_> = (0..4u64)
        .map(|w| {
            std::thread::spawn(move || {
                let id = format!("order-{w}");
                for i in 0..PER_THREAD {
                    // A new guard every 100 records: frames and records interleave.
                    let _g = (i % 100 != 99).then(|| logger::correlation(id.as_str()));
                    trade!(
                        test = t,
                        worker = w,
                        i = i,
                        symbol = "ES",
                        side = "buy",
                        qty = i,
                        price = 1.0
                    );
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let r = records("trades", t);
    assert_eq!(r.len() as u64, 4 * PER_THREAD);
    for rec in &r {
        let w = rec["fields"]["worker"].as_u64().unwrap();
        let i = rec["fields"]["i"].as_u64().unwrap();
        let want = if i % 100 == 99 {
            Value::Null
        } else {
            format!("order-{w}").into()
        };
        assert_eq!(correlation_of(rec), want, "{rec}");
    }
}

#[test]
fn an_owned_context_enters_on_another_thread() {
    dir();
    let t = "owned";
    let ctx = Context::new().correlation("trade-1").with("desk", "fx");
    std::thread::spawn(move || {
        let _g = ctx.enter();
        log::info!(test = t; "hedge");
    })
    .join()
    .unwrap();
    let r = &records("app", t)[0];
    assert_eq!(r["correlation_id"], "trade-1");
    assert_eq!(r["context"], serde_json::json!({"desk": "fx"}));
}

async fn order_flow(test: &'static str, task: u64) {
    for step in 0..5u64 {
        log::info!(test = test, task = task, step = step; "step");
        // Let the task move between the runtime's worker threads.
        tokio::time::sleep(Duration::from_millis(1 + (task + step) % 3)).await;
    }
    traced_await(test, task).await;
}

#[log_performance(args(test, task))]
async fn traced_await(test: &str, task: u64) {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let _ = (test, task);
}

#[test]
fn futures_carry_their_id_across_awaits_and_worker_threads() {
    dir();
    let t = "async";
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut handles = Vec::new();
        for task in 0..24u64 {
            let fut = order_flow(t, task);
            handles.push(if task % 4 == 3 {
                // No adapter: must carry no id, whatever thread runs it.
                tokio::spawn(fut)
            } else {
                tokio::spawn(fut.with_correlation(format!("task-{task}").as_str()))
            });
        }
        for h in handles {
            h.await.unwrap();
        }
    });
    drop(rt);
    let r: Vec<_> = records("app", t)
        .into_iter()
        .filter(|r| r["kind"] == "log")
        .collect();
    assert_eq!(r.len(), 24 * 5);
    let mut threads = std::collections::BTreeSet::new();
    for rec in &r {
        let task = rec["fields"]["task"].as_u64().unwrap();
        threads.insert(rec["tid"].as_u64().unwrap());
        let want = if task % 4 == 3 {
            Value::Null
        } else {
            format!("task-{task}").into()
        };
        assert_eq!(correlation_of(rec), want, "{rec}");
    }
    assert!(
        threads.len() > 1,
        "all tasks ran on one thread: {threads:?}"
    );
    let perf: Vec<_> = common::records(dir(), "perf")
        .into_iter()
        .filter(|r| r["fields"]["operation"] == "traced_await" && r["fields"]["test"] == t)
        .collect();
    assert_eq!(perf.len(), 24);
    for rec in &perf {
        let task = rec["fields"]["task"].as_u64().unwrap();
        if task % 4 != 3 {
            assert_eq!(correlation_of(rec), format!("task-{task}").as_str());
        }
    }
}

#[test]
fn service_comes_from_the_prefix_map_or_the_first_segment() {
    dir();
    let t = "service";
    log::info!(target: "correlation::desk::orders", test = t, n = 1; "routed");
    log::info!(target: "correlation::desk::risk::limits", test = t, n = 2; "checked");
    log::info!(test = t, n = 3; "plain");
    trade!(target: "strategy::mm", test = t, n = 4, symbol = "X", side = "buy", qty = 1_u64, price = 1.0);
    let r = records("app", t);
    let services: Vec<&str> = r.iter().map(|r| r["service"].as_str().unwrap()).collect();
    assert_eq!(
        services,
        ["execution", "risk_management", "correlation", "strategy"]
    );
}

/// Child: a tiny ring under `DropNewest`, filled while guards come and
/// go. Records are dropped; context frames never are, so every record
/// that was written carries the id its thread had when it logged it.
#[test]
fn frames_are_never_dropped_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("CORRELATION_DIR").unwrap();
    let _guard = logger::builder()
        .dir(&dir)
        .ring_bytes(logger::MIN_RING_BYTES)
        .overflow(logger::OverflowPolicy::DropNewest)
        .idle_sleep(Duration::from_millis(5))
        .install()
        .unwrap();
    let before = logger::metrics();
    let mut logged = 0u64;
    for round in 0..2_000u64 {
        let _g = logger::correlation(round);
        for i in 0..20u64 {
            trade!(
                round = round,
                i = i,
                symbol = "0123456789abcdef0123456789abcdef",
                side = "buy",
                qty = i,
                price = 1.0
            );
            logged += 1;
        }
    }
    logger::flush().unwrap();
    let m = logger::metrics();
    println!("LOGGED={logged}");
    println!("CREATED={}", m.records_created - before.records_created);
    println!("DROPPED={}", m.records_dropped - before.records_dropped);
}

#[test]
fn frames_are_never_dropped_under_drop_newest() {
    if common::is_child() {
        return;
    }
    let (tmp, out) = common::run_child_in_dir(
        "frames_are_never_dropped_child",
        "CORRELATION_DIR",
        Duration::from_secs(120),
    );
    let logged = out.number("LOGGED");
    let created = out.number("CREATED");
    let dropped = out.number("DROPPED");
    // Frames are not records: they count in neither figure.
    assert_eq!(created + dropped, logged);
    assert!(
        dropped > 0,
        "the ring never filled: the test proves nothing"
    );
    let trades = common::records(tmp.path(), "trades");
    assert_eq!(trades.len() as u64, created);
    for r in &trades {
        assert_eq!(r["correlation_id"], r["fields"]["round"], "{r}");
    }
}
