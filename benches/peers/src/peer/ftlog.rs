//! ftlog: a `log` backend with a background thread.

use std::path::Path;

use ftlog::LoggerGuard;
use ftlog::appender::FileAppender;
use logger_benches::Order;

use crate::Peer;

/// ftlog with its file appender.
pub struct Ftlog;

impl Peer for Ftlog {
    const NAME: &'static str = "ftlog 0.2";
    const SETUP: &'static str = "ftlog builder, FileAppender, bounded channel blocking when full";
    type Guard = LoggerGuard;

    fn install(dir: &Path) -> LoggerGuard {
        ftlog::builder()
            .max_log_level(log::LevelFilter::Info)
            // Block when full, so the record count can be checked.
            .bounded(100_000, true)
            .root(FileAppender::new(dir.join("ftlog.log")))
            .try_init()
            .expect("ftlog")
    }

    #[inline(always)]
    fn log(o: &Order) {
        super::log_order!(log::info, o);
    }

    fn finish(guard: LoggerGuard) {
        log::logger().flush();
        drop(guard);
    }
}
