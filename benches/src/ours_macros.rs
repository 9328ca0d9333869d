//! Our cases that use the crate's own macros: `trade!`, `perf!`,
//! `#[log_performance]` and `logger::info!` (the twins of the
//! `log::info!` cases in `ours.rs`, with the same values).

use std::time::Duration;

use logger::{log_performance, perf, trade};

use crate::order;
use crate::ours::{NAME, latency_case, throughput_run};
use crate::report::Row;
use crate::runner::Job;

/// The benchmark's order record: `trade!` with 5 fields.
macro_rules! trade_order {
    ($o:expr) => {
        trade!(
            symbol = $o.symbol,
            side = $o.side,
            qty = $o.qty,
            price = $o.price,
            order_id = $o.order_id
        )
    };
}

/// An empty function with `#[log_performance]`.
#[log_performance]
#[inline(never)]
fn timed_empty() {}

/// The same empty function without it.
#[inline(never)]
fn plain_empty() {
    std::hint::black_box(());
}

/// Latency rows of the macro cases.
pub(crate) fn latency_cases(flush: &dyn Fn()) -> Vec<Row> {
    let mut rows = Vec::new();
    rows.extend(latency_case(NAME, "trade! 5 fields", flush, |i| {
        let o = order(i);
        trade_order!(o);
    }));
    // What correlation ids cost `trade!`: the same record with an id set
    // for the whole run (the record's bytes do not change), and the guard
    // itself (two context frames), alone and around each order.
    {
        let _id = logger::correlation("trade-12345");
        rows.extend(latency_case(
            NAME,
            "trade! 5 fields, correlation id set",
            flush,
            |i| {
                let o = order(i);
                trade_order!(o);
            },
        ));
    }
    rows.extend(latency_case(
        NAME,
        "correlation guard enter+drop",
        flush,
        |i| {
            let _id = logger::correlation(std::hint::black_box(i));
        },
    ));
    rows.extend(latency_case(
        NAME,
        "correlation guard + trade! 5 fields",
        flush,
        |i| {
            let o = order(i);
            let _id = logger::correlation(o.order_id);
            trade_order!(o);
        },
    ));
    rows.extend(latency_case(NAME, "logger::info! static", flush, |_| {
        logger::info!("order accepted")
    }));
    rows.extend(latency_case(NAME, "logger::info! 3 args", flush, |i| {
        let o = order(i);
        logger::info!("order {} qty {} px {}", o.symbol, o.qty, o.price)
    }));
    rows.extend(latency_case(NAME, "logger::info! 5 kv", flush, |i| {
        let o = order(i);
        logger::info!(symbol = o.symbol, side = o.side, qty = o.qty, price = o.price, order_id = o.order_id; "order")
    }));
    rows.extend(latency_case(NAME, "perf! explicit duration", flush, |i| {
        perf!(
            "risk_check",
            Duration::from_nanos(std::hint::black_box(i) & 0xfff)
        );
    }));
    rows.extend(latency_case(NAME, "perf! scope timer", flush, |_| {
        let _t = perf!("risk_check");
    }));
    let with = latency_case(NAME, "#[log_performance] empty fn", flush, |_| {
        timed_empty()
    });
    let without = latency_case(NAME, "plain empty fn", flush, |_| plain_empty());
    for (w, wo) in with.iter().zip(&without) {
        if let (Some(a), Some(b)) = (w.latency, wo.latency) {
            let mut row = Row::latency(NAME, "#[log_performance] added", w.mode, a.minus(&b));
            row.note = "percentile by percentile: with the attribute minus without".into();
            rows.push(row);
        }
    }
    rows.extend(with);
    rows.extend(without);
    rows
}

/// Throughput jobs of the macro cases.
pub(crate) fn throughput_jobs() -> Vec<Job> {
    let trade = |i: u64| {
        let o = order(i);
        trade_order!(o);
    };
    vec![
        Job::new("logger-tp-trade-1t", NAME, move || {
            throughput_run("1M trade! 5 fields, 1 thread", 1, "\"order_id\"", trade)
        }),
        Job::new("logger-tp-trade-2t", NAME, move || {
            throughput_run("1M trade! 5 fields, 2 threads", 2, "\"order_id\"", trade)
        }),
        Job::new("logger-tp-logger-info-3args-1t", NAME, || {
            throughput_run("1M logger::info! 3 args, 1 thread", 1, " qty ", |i| {
                let o = order(i);
                logger::info!("order {} qty {} px {}", o.symbol, o.qty, o.price)
            })
        }),
    ]
}
