//! low_latency_log: closures queued to a pinned background thread.

use std::path::Path;

use logger_benches::Order;
use low_latency_log::{LoggerGuard, RollingCondition};

use crate::Peer;

/// low_latency_log with its backend thread pinned to CPU 1.
pub struct LowLatencyLog;

impl Peer for LowLatencyLog {
    const NAME: &'static str = "low_latency_log 0.2";
    const SETUP: &'static str = "Logger::new(daily rolling).cpu(1).init(), bounded queue";
    type Guard = LoggerGuard;

    fn install(dir: &Path) -> LoggerGuard {
        low_latency_log::Logger::new(
            RollingCondition::new().daily(),
            dir.to_str().expect("utf-8 path").to_owned(),
            "low_latency_log.log".to_owned(),
        )
        .cpu(1)
        .init()
        .expect("low_latency_log")
    }

    #[inline(always)]
    fn log(o: &Order) {
        let (symbol, side, qty, price, order_id) = (o.symbol, o.side, o.qty, o.price, o.order_id);
        low_latency_log::info!(
            "order symbol={} side={} qty={} price={} order_id={}",
            symbol,
            side,
            qty,
            price,
            order_id
        );
    }

    fn finish(guard: LoggerGuard) {
        // Dropping the guard drains the queue and stops the thread.
        drop(guard);
    }
}
