//! Ours through the `log` facade and through the `tracing` layer, as
//! peers, so that both run in one bench with `tracing-appender`
//! (`benches/tracing_layer.rs`).

use std::cell::RefCell;
use std::path::Path;

use logger_benches::Order;
use tracing_subscriber::prelude::*;

use crate::Peer;

fn install_ours(dir: &Path) -> logger::LoggerGuard {
    logger::builder().dir(dir).install().expect("install logger")
}

fn finish_ours(guard: logger::LoggerGuard) {
    logger::flush().expect("flush");
    drop(guard);
}

thread_local! {
    /// The two spans each producer thread logs inside.
    static SPANS: RefCell<Vec<tracing::span::EnteredSpan>> = const { RefCell::new(Vec::new()) };
}

/// Enters the two spans of the "inside 2 spans" cases on this thread:
/// `strategy` (two fields) and, inside it, `order` (a correlation id and
/// one field).
pub fn enter_two_spans() {
    SPANS.with(|s| {
        let mut s = s.borrow_mut();
        s.push(tracing::info_span!("strategy", strategy = "mm1", account = 7_u64).entered());
        s.push(tracing::info_span!("order", correlation_id = 42_u64, leg = 1_u64).entered());
    });
}

/// Exits them (innermost first).
pub fn exit_two_spans() {
    SPANS.with(|s| {
        let mut s = s.borrow_mut();
        while s.pop().is_some() {}
    });
}

/// `log::info!` with the five fields as key-values, into our logger.
pub struct LoggerLog;

impl Peer for LoggerLog {
    const NAME: &'static str = "logger log::info!";
    const SETUP: &'static str = "our logger, default files; log::info! with 5 key-values";
    type Guard = logger::LoggerGuard;

    fn install(dir: &Path) -> Self::Guard {
        install_ours(dir)
    }

    #[inline(always)]
    fn log(o: &Order) {
        log::info!(
            symbol = o.symbol,
            side = o.side,
            qty = o.qty,
            price = o.price,
            order_id = o.order_id;
            "order"
        );
    }

    fn finish(guard: Self::Guard) {
        finish_ours(guard);
    }
}

/// `tracing::info!` with the five fields, inside two entered spans,
/// through `logger::tracing_layer()` into our logger.
pub struct LoggerTracing;

impl Peer for LoggerTracing {
    const NAME: &'static str = "logger tracing layer";
    const SETUP: &'static str =
        "our logger, default files; registry + logger::tracing_layer(); tracing::info! with 5 fields inside 2 spans";
    type Guard = logger::LoggerGuard;

    fn install(dir: &Path) -> Self::Guard {
        let guard = install_ours(dir);
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(logger::tracing_layer()),
        )
        .expect("set the tracing subscriber");
        guard
    }

    fn thread_init(_dir: &Path, _t: usize) {
        enter_two_spans();
    }

    #[inline(always)]
    fn log(o: &Order) {
        tracing::info!(
            symbol = o.symbol,
            side = o.side,
            qty = o.qty,
            price = o.price,
            order_id = o.order_id,
            "order"
        );
    }

    fn thread_exit() {
        exit_two_spans();
    }

    fn finish(guard: Self::Guard) {
        finish_ours(guard);
    }
}
