//! tracing + tracing-subscriber (JSON) + tracing-appender `non_blocking`.

use std::path::Path;

use logger_benches::Order;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

use crate::Peer;

/// tracing with a JSON subscriber writing through `non_blocking`.
pub struct Tracing;

fn install(dir: &Path) -> WorkerGuard {
    let file = tracing_appender::rolling::never(dir, "tracing.log");
    // Not lossy: a full channel blocks, so the record count can be checked.
    let (writer, guard) = NonBlockingBuilder::default().lossy(false).finish(file);
    tracing_subscriber::fmt()
        .json()
        .with_writer(writer)
        .with_max_level(tracing::Level::INFO)
        .init();
    guard
}

#[inline(always)]
fn log_order(o: &Order) {
    tracing::info!(
        symbol = o.symbol,
        side = o.side,
        qty = o.qty,
        price = o.price,
        order_id = o.order_id,
        "order"
    );
}

/// [`Tracing`], each event inside the same two entered spans as
/// `logger tracing layer` (the JSON lines carry the span fields).
pub struct TracingSpans;

impl Peer for TracingSpans {
    const NAME: &'static str = "tracing-appender 0.2, 2 spans";
    const SETUP: &'static str =
        "tracing-subscriber json, tracing-appender non_blocking (lossy=false) to a file; inside 2 spans";
    type Guard = WorkerGuard;

    fn install(dir: &Path) -> WorkerGuard {
        install(dir)
    }

    fn thread_init(_dir: &Path, _t: usize) {
        crate::peer::logger_tracing::enter_two_spans();
    }

    #[inline(always)]
    fn log(o: &Order) {
        log_order(o);
    }

    fn thread_exit() {
        crate::peer::logger_tracing::exit_two_spans();
    }

    fn finish(guard: WorkerGuard) {
        drop(guard);
    }
}

impl Peer for Tracing {
    const NAME: &'static str = "tracing-appender 0.2";
    const SETUP: &'static str =
        "tracing-subscriber json, tracing-appender non_blocking (lossy=false) to a file";
    type Guard = WorkerGuard;

    fn install(dir: &Path) -> WorkerGuard {
        install(dir)
    }

    #[inline(always)]
    fn log(o: &Order) {
        log_order(o);
    }

    fn finish(guard: WorkerGuard) {
        // Dropping the guard drains the channel into the file.
        drop(guard);
    }
}
