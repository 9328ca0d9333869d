//! fast_log: a `log` backend with a channel and a background thread.

use std::path::Path;

use logger_benches::Order;

use crate::Peer;

/// fast_log writing a file.
pub struct FastLog;

impl Peer for FastLog {
    const NAME: &'static str = "fast_log 1.7";
    const SETUP: &'static str = "fast_log::Config::file, default channel";
    type Guard = ();

    fn install(dir: &Path) {
        let path = dir.join("fast_log.log");
        fast_log::init(
            fast_log::Config::new()
                .file(path.to_str().expect("utf-8 path"))
                .level(log::LevelFilter::Info),
        )
        .expect("fast_log");
    }

    #[inline(always)]
    fn log(o: &Order) {
        super::log_order!(log::info, o);
    }

    fn finish(_: ()) {
        if let Ok(wg) = fast_log::flush() {
            wg.wait();
        }
    }
}
