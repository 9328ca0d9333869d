//! slog + slog-json behind slog-async.

use std::path::Path;
use std::sync::OnceLock;

use logger_benches::Order;
use slog::Drain;
use slog_async::{AsyncGuard, OverflowStrategy};

use crate::Peer;

static LOGGER: OnceLock<slog::Logger> = OnceLock::new();

/// slog with an async drain over a JSON drain writing a file.
pub struct Slog;

impl Peer for Slog {
    const NAME: &'static str = "slog-async 2.8";
    const SETUP: &'static str =
        "slog-json drain (BufWriter<File>) behind slog_async::Async (overflow Block)";
    type Guard = AsyncGuard;

    fn install(dir: &Path) -> AsyncGuard {
        // slog-json writes each record in many small pieces: unbuffered,
        // that is a dozen write(2) per record (70 us each on this VM).
        let file = std::io::BufWriter::new(
            std::fs::File::create(dir.join("slog.log")).expect("slog file"),
        );
        let json = slog_json::Json::new(file).add_default_keys().build().fuse();
        let (drain, guard) = slog_async::Async::new(json)
            .chan_size(100_000)
            .overflow_strategy(OverflowStrategy::Block)
            .build_with_guard();
        let _ = LOGGER.set(slog::Logger::root(drain.fuse(), slog::o!()));
        guard
    }

    #[inline(always)]
    fn log(o: &Order) {
        let log = LOGGER.get().expect("installed");
        slog::info!(log, "order"; "symbol" => o.symbol, "side" => o.side, "qty" => o.qty, "price" => o.price, "order_id" => o.order_id);
    }

    fn finish(guard: AsyncGuard) {
        // Dropping the guard drains the channel and joins the thread.
        drop(guard);
    }
}
