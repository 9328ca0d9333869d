//! `Builder::backtrace(level, capacity)`: records below the files' level
//! but at or above the ring's level are held in memory, the newest
//! `capacity` of them, and written in order right before the next ERROR
//! record; records below the ring's level are not recorded at all.

mod common;

use log::LevelFilter;
use logger::trade;

#[test]
fn held_records_are_written_in_order_before_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = logger::builder()
        .level(LevelFilter::Info)
        .backtrace(LevelFilter::Info, 4)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(bad.contains("backtrace"), "{bad}");
    let bad = logger::builder()
        .backtrace(LevelFilter::Debug, 0)
        .validate()
        .unwrap_err()
        .to_string();
    assert!(bad.contains("capacity 0"), "{bad}");

    let guard = logger::builder()
        .dir(dir.path())
        .level(LevelFilter::Info)
        .backtrace(LevelFilter::Debug, 3)
        .install()
        .unwrap();
    assert_eq!(log::max_level(), LevelFilter::Debug);

    for i in 0..5u64 {
        log::debug!(i = i; "debug {i}");
    }
    log::info!("info 1");
    log::trace!("never recorded");
    logger::flush().unwrap();
    let app = common::records(dir.path(), "app");
    let msgs: Vec<&str> = app.iter().map(|r| r["msg"].as_str().unwrap()).collect();
    assert_eq!(msgs, ["info 1"], "debug records are held, not written");

    log::error!("error 1");
    log::debug!("debug 5");
    trade!(level: debug, symbol = "AAPL", side = "BUY", qty = 1, price = 1.5; "debug trade");
    log::trace!("never recorded");
    log::warn!("warn 1");
    log::error!("error 2");
    log::debug!("held when the logger stops");
    logger::flush().unwrap();
    drop(guard);

    let app = common::records(dir.path(), "app");
    let msgs: Vec<&str> = app.iter().map(|r| r["msg"].as_str().unwrap()).collect();
    assert_eq!(
        msgs,
        [
            "info 1",
            // The newest three debug records, oldest first, then the error.
            "debug 2",
            "debug 3",
            "debug 4",
            "error 1",
            "warn 1",
            "debug 5",
            "debug trade",
            "error 2",
        ]
    );
    let levels: Vec<&str> = app[1..4]
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["DEBUG"; 3]);
    // Held records keep their own time: older than the error they precede.
    assert!(app[1]["ts"].as_str().unwrap() < app[4]["ts"].as_str().unwrap());
    // They are routed as ever: the trade to the trades file, errors only
    // to the errors file.
    let trades = common::records(dir.path(), "trades");
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0]["msg"], "debug trade");
    let errors = common::records(dir.path(), "errors");
    let errs: Vec<&str> = errors.iter().map(|r| r["msg"].as_str().unwrap()).collect();
    assert_eq!(errs, ["error 1", "error 2"]);
    let m = logger::metrics();
    assert_eq!(m.records_dropped, 0);
}
