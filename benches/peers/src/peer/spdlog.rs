//! spdlog-rs with its asynchronous pool sink.

use std::path::Path;
use std::sync::Arc;

use logger_benches::Order;
use spdlog::sink::{AsyncPoolSink, FileSink};
use spdlog::{Logger, ThreadPool};

use crate::Peer;

/// spdlog-rs: a file sink behind an `AsyncPoolSink` on its own thread pool.
pub struct Spdlog;

impl Peer for Spdlog {
    const NAME: &'static str = "spdlog-rs 0.5";
    const SETUP: &'static str = "AsyncPoolSink (own ThreadPool, overflow Block) over FileSink";
    type Guard = ();

    fn install(dir: &Path) {
        let file = Arc::new(
            FileSink::builder()
                .path(dir.join("spdlog.log"))
                .build()
                .expect("spdlog file sink"),
        );
        let pool = Arc::new(ThreadPool::builder().build().expect("spdlog thread pool"));
        let sink = Arc::new(
            AsyncPoolSink::builder()
                .sink(file)
                .thread_pool(pool)
                .build()
                .expect("spdlog async sink"),
        );
        let logger = Arc::new(Logger::builder().sink(sink).build().expect("spdlog logger"));
        spdlog::set_default_logger(logger);
    }

    #[inline(always)]
    fn log(o: &Order) {
        super::log_order!(spdlog::info, o);
    }

    fn finish(_: ()) {
        // Replacing the default logger drops ours, its sink and its pool:
        // the pool's threads finish the queue before they are joined.
        let quiet = Arc::new(Logger::builder().build().expect("spdlog logger"));
        spdlog::set_default_logger(quiet);
    }
}
