//! One module per peer logger, each in its recommended asynchronous /
//! non-blocking setup writing a file.

pub mod fast_log;
pub mod flexi_logger;
pub mod ftlog;
pub mod log4rs;
pub mod logforth;
pub mod low_latency_log;
pub mod quicklog;
pub mod ring_log;
pub mod slog;
pub mod spdlog;
pub mod tracing;
