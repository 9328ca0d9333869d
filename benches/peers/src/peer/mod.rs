//! One module per peer logger, each in its recommended asynchronous /
//! non-blocking setup writing a file.

/// The order record as one format string, through a `log`-style macro
/// (`log::info`, `spdlog::info`): the same text for every peer that has no
/// structured fields.
macro_rules! log_order {
    ($($mac:ident)::+, $o:expr) => {{
        let o = $o;
        $($mac)::+!(
            "order symbol={} side={} qty={} price={} order_id={}",
            o.symbol,
            o.side,
            o.qty,
            o.price,
            o.order_id
        )
    }};
}
pub(crate) use log_order;

pub mod fast_log;
pub mod flexi_logger;
pub mod ftlog;
pub mod log4rs;
pub mod logforth;
pub mod logger_tracing;
pub mod low_latency_log;
pub mod quicklog;
pub mod ring_log;
pub mod slog;
pub mod spdlog;
pub mod tracing;
