//! flexi_logger in its asynchronous write mode.

use std::path::Path;

use flexi_logger::{FileSpec, LoggerHandle, WriteMode};
use logger_benches::Order;

use crate::Peer;

/// flexi_logger writing a file with `WriteMode::Async`.
pub struct FlexiLogger;

impl Peer for FlexiLogger {
    const NAME: &'static str = "flexi_logger 0.31";
    const SETUP: &'static str = "log_to_file, WriteMode::Async";
    type Guard = LoggerHandle;

    fn install(dir: &Path) -> LoggerHandle {
        flexi_logger::Logger::try_with_str("info")
            .expect("flexi_logger spec")
            .log_to_file(FileSpec::default().directory(dir).basename("flexi"))
            .write_mode(WriteMode::Async)
            .start()
            .expect("flexi_logger")
    }

    #[inline(always)]
    fn log(o: &Order) {
        super::log_order!(log::info, o);
    }

    fn finish(handle: LoggerHandle) {
        handle.flush();
        handle.shutdown();
    }
}
