//! log4rs: a `log` backend; its file appender writes on the caller's
//! thread (log4rs has no asynchronous appender).

use std::path::Path;

use log4rs::append::file::FileAppender;
use log4rs::config::{Appender, Config, Root};
use log4rs::encode::pattern::PatternEncoder;
use logger_benches::Order;

use crate::Peer;

/// log4rs with a file appender.
pub struct Log4rs;

impl Peer for Log4rs {
    const NAME: &'static str = "log4rs 1.4";
    const SETUP: &'static str =
        "FileAppender + PatternEncoder (synchronous: log4rs has no async appender)";
    type Guard = log4rs::Handle;

    fn install(dir: &Path) -> log4rs::Handle {
        let file = FileAppender::builder()
            .encoder(Box::new(PatternEncoder::new("{d} {l} {t} - {m}{n}")))
            .build(dir.join("log4rs.log"))
            .expect("log4rs file");
        let config = Config::builder()
            .appender(Appender::builder().build("file", Box::new(file)))
            .build(
                Root::builder()
                    .appender("file")
                    .build(log::LevelFilter::Info),
            )
            .expect("log4rs config");
        log4rs::init_config(config).expect("log4rs")
    }

    #[inline(always)]
    fn log(o: &Order) {
        super::log_order!(log::info, o);
    }

    fn finish(_: log4rs::Handle) {
        log::logger().flush();
    }
}
