//! `critical` as a level: the builder's level, a file's level and a
//! runtime filter take `CRITICAL` records and nothing else.

mod common;

use logger::{FileSpec, LevelFilter, trade};

fn targets(dir: &std::path::Path, file: &str) -> Vec<String> {
    common::records(dir, file)
        .iter()
        .filter(|r| r["target"] != "logger")
        .map(|r| {
            format!(
                "{} {}",
                r["level"].as_str().unwrap(),
                r["target"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_critical_level_takes_only_critical_records() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .level(log::LevelFilter::Info)
        .errors_file(Some(FileSpec::new("pager").level(LevelFilter::Critical)))
        .install()
        .unwrap();
    log::error!(target: "a", "error before");
    logger::critical!(target: "b", "critical before");
    logger::set_filter("critical").unwrap();
    assert_eq!(log::max_level(), log::LevelFilter::Error);
    log::error!(target: "c", "error after");
    log::warn!(target: "c", "warn after");
    trade!(level: error, target: "c", symbol = "X", side = "buy", qty = 1u64, price = 1.0);
    logger::critical!(target: "d", "critical after");
    trade!(level: critical, target: "d", symbol = "X", side = "sell", qty = 2u64, price = 1.0);
    assert!(!log::log_enabled!(log::Level::Warn));
    logger::set_filter("d=critical,off").unwrap();
    logger::critical!(target: "e", "critical, target off");
    logger::critical!(target: "d", "critical again");
    logger::flush().unwrap();
    drop(guard);

    assert_eq!(
        targets(dir.path(), "app"),
        [
            "ERROR a",
            "CRITICAL b",
            "CRITICAL d",
            "CRITICAL d",
            "CRITICAL d"
        ]
    );
    assert_eq!(
        targets(dir.path(), "pager"),
        ["CRITICAL b", "CRITICAL d", "CRITICAL d", "CRITICAL d"]
    );
}
