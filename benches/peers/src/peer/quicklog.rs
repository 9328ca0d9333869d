//! quicklog: a single producer queue; the application calls `flush!()`,
//! here from a background thread of ours (its documented pattern).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use logger_benches::Order;

use crate::Peer;

/// quicklog with its file flusher, drained by a thread of ours.
pub struct Quicklog;

/// Stops the draining thread.
pub struct Guard {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Peer for Quicklog {
    const NAME: &'static str = "quicklog 0.1";
    const SETUP: &'static str = "init!, with_flush_into_file!, flush!() in a loop on a background thread (50 us sleep when empty); single producer only";
    // One static SPSC queue: a second producer thread would be a data race.
    const MULTI_PRODUCER: bool = false;
    type Guard = Guard;

    fn install(dir: &Path) -> Guard {
        quicklog::init!();
        let path: &'static str = Box::leak(
            dir.join("quicklog.log")
                .to_str()
                .expect("utf-8 path")
                .to_owned()
                .into_boxed_str(),
        );
        quicklog::with_flush!(quicklog_flush::file_flusher::FileFlusher::new(path));
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            loop {
                use quicklog::Log;
                match quicklog::logger().flush_one() {
                    Ok(()) => {}
                    Err(_) if s.load(Ordering::Acquire) => break,
                    Err(_) => std::thread::sleep(Duration::from_micros(50)),
                }
            }
        });
        Guard { stop, thread }
    }

    #[inline(always)]
    fn log(o: &Order) {
        let (symbol, side, qty, price, order_id) = (o.symbol, o.side, o.qty, o.price, o.order_id);
        quicklog::info!(
            "order {} {} {} {} {}",
            symbol = symbol,
            side = side,
            qty = qty,
            price = price,
            order_id = order_id
        );
    }

    fn finish(g: Guard) {
        g.stop.store(true, Ordering::Release);
        let _ = g.thread.join();
    }
}
