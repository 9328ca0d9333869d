//! ring-log: a logger object per thread (it is not `Sync`), each with its
//! own SPSC channel, background thread and file.

use std::cell::RefCell;
use std::path::Path;

use logger_benches::Order;
use ring_log::{Logger, LoggerFileOptions};

use crate::Peer;

thread_local! {
    static LOGGER: RefCell<Option<Logger>> = const { RefCell::new(None) };
}

/// ring-log writing a file per producer thread.
pub struct RingLog;

impl Peer for RingLog {
    const NAME: &'static str = "ring-log 0.2";
    const SETUP: &'static str =
        "Logger::builder(file).with_time(true), one per thread (not Sync); unbounded SPSC channel";
    type Guard = ();

    fn install(_dir: &Path) {}

    fn thread_init(dir: &Path, t: usize) {
        let path: &'static str = Box::leak(
            dir.join(format!("ring-log-{t}.log"))
                .to_str()
                .expect("utf-8 path")
                .to_owned()
                .into_boxed_str(),
        );
        let logger = Logger::builder(Some(LoggerFileOptions {
            path,
            append_mode: false,
        }))
        .with_time(true);
        LOGGER.with(|l| *l.borrow_mut() = Some(logger));
    }

    #[inline(always)]
    fn log(o: &Order) {
        let (symbol, side, qty, price, order_id) = (o.symbol, o.side, o.qty, o.price, o.order_id);
        LOGGER.with(|l| {
            if let Some(l) = &*l.borrow() {
                l.info(move || {
                    format!("order symbol={symbol} side={side} qty={qty} price={price} order_id={order_id}")
                });
            }
        });
    }

    fn thread_exit() {
        // Waits until this thread's records are written.
        LOGGER.with(|l| {
            if let Some(l) = l.borrow_mut().take() {
                l.shutdown();
            }
        });
    }

    fn finish(_: ()) {}
}
