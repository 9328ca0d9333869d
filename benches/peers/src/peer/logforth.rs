//! logforth with its asynchronous appender over a JSON file appender.

use std::path::Path;

use logforth::append::asynchronous::AsyncBuilder;
use logforth::append::file::FileBuilder;
use logforth::layout::JsonLayout;
use logforth::record::{Level, LevelFilter};
use logger_benches::Order;

use crate::Peer;

/// logforth: `Async` appender (overflow block) over a file with a JSON layout.
pub struct Logforth;

impl Peer for Logforth {
    const NAME: &'static str = "logforth 0.30";
    const SETUP: &'static str = "Async appender (overflow block) over File with JsonLayout";
    type Guard = ();

    fn install(dir: &Path) {
        let file = FileBuilder::new(dir, "logforth")
            .layout(JsonLayout::default())
            .build()
            .expect("logforth file");
        let appender = AsyncBuilder::new("logforth-async")
            .overflow_block()
            .append(file)
            .build();
        logforth::starter_log::builder()
            .dispatch(|d| {
                d.filter(LevelFilter::MoreSevereEqual(Level::Info))
                    .append(appender)
            })
            .apply();
        log::set_max_level(log::LevelFilter::Info);
    }

    #[inline(always)]
    fn log(o: &Order) {
        log::info!(symbol = o.symbol, side = o.side, qty = o.qty, price = o.price, order_id = o.order_id; "order");
    }

    fn finish(_: ()) {
        log::logger().flush();
    }
}
