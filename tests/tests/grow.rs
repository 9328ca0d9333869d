//! `Grow`: a full ring chains a larger one; nothing is lost, order is kept.

mod common;

use std::time::Duration;

#[test]
fn grows_instead_of_dropping() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(logger::MIN_RING_BYTES)
        .overflow(logger::OverflowPolicy::Grow { cap_bytes: 1 << 20 })
        .idle_sleep(Duration::from_millis(20))
        .install()
        .unwrap();
    let n = 30_000u64;
    std::thread::spawn(move || {
        for i in 0..n {
            log::info!(i = i; "burst record");
        }
    })
    .join()
    .unwrap();
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    assert_eq!(m.records_dropped, 0);
    let records = common::records(dir.path(), "app");
    assert_eq!(records.len() as u64, n);
    for (k, r) in records.iter().enumerate() {
        assert_eq!(r["fields"]["i"].as_u64().unwrap(), k as u64);
    }
}
