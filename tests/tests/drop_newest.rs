//! `DropNewest` with a tiny ring: written + dropped == created, and the
//! flusher writes a warning record saying how many were dropped.

mod common;

use std::time::Duration;

#[test]
fn drops_are_counted_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(logger::MIN_RING_BYTES)
        .overflow(logger::OverflowPolicy::DropNewest)
        .idle_sleep(Duration::from_millis(5))
        .max_file_bytes(None)
        .install()
        .unwrap();
    let n = 50_000u64;
    std::thread::Builder::new()
        .name("bursty".into())
        .spawn(move || {
            for i in 0..n {
                log::info!(i = i; "a record long enough to fill a four kilobyte ring quickly");
            }
        })
        .unwrap()
        .join()
        .unwrap();
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    assert_eq!(
        m.records_created + m.records_dropped,
        n,
        "every call is created or dropped"
    );
    assert!(
        m.records_dropped > 0,
        "a 4 KiB ring with a 5 ms flusher sleep must overflow"
    );
    let records = common::records(dir.path(), "app");
    let warnings: Vec<_> = records
        .iter()
        .filter(|r| r["target"] == "logger" && r["level"] == "WARN")
        .collect();
    let reported: u64 = warnings
        .iter()
        .map(|r| r["fields"]["dropped"].as_u64().unwrap())
        .sum();
    assert_eq!(reported, m.records_dropped, "warnings report every drop");
    assert!(
        warnings
            .iter()
            .all(|w| w["fields"]["dropped_thread"] == "bursty")
    );
    let written = records.len() as u64 - warnings.len() as u64;
    assert_eq!(
        written + m.records_dropped,
        n,
        "written + dropped == created"
    );
}
