//! Shutdown: threads keep logging while the guard is dropped and after.
//! Every record is either in the file (each thread's records in order, a
//! prefix of what it logged) or dropped and counted in
//! `metrics().records_dropped`; nothing panics or hangs. After shutdown,
//! `log` records, macro records and records of new threads are dropped
//! and counted, `flush()` returns `FlushError::Stopped` at once,
//! `preallocate()` says no.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use logger::trade;

#[test]
fn records_during_and_after_shutdown_are_written_or_counted() {
    common::watchdog(Duration::from_secs(120), "shutdown");
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(64 * 1024)
        .install()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..3u64)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    log::info!(t = t, i = i; "during shutdown");
                    i += 1;
                }
                (t, i)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(150));
    drop(guard);
    // Keep logging into the stopped logger for a while.
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    let logged: HashMap<u64, u64> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    let total: u64 = logged.values().sum();

    let m = logger::metrics();
    let all = common::records(dir.path(), "app");
    // Also in the file: a warning for records dropped by threads that were
    // waiting for room (`Block`) when the logger stopped.
    let records: Vec<_> = all
        .iter()
        .filter(|r| r["msg"] == "during shutdown")
        .collect();
    let mut next: HashMap<u64, u64> = HashMap::new();
    for r in records.iter() {
        let (t, i) = (
            r["fields"]["t"].as_u64().unwrap(),
            r["fields"]["i"].as_u64().unwrap(),
        );
        let n = next.entry(t).or_insert(0);
        assert_eq!(i, *n, "thread {t}: gap or duplicate");
        *n += 1;
    }
    let written = records.len() as u64;
    assert!(written > 0);
    assert!(m.records_dropped > 0, "records after the drop are counted");
    assert_eq!(
        written + m.records_dropped,
        total,
        "every record is written or counted as dropped ({written} written, {} dropped, {total} logged)",
        m.records_dropped
    );

    // After shutdown: dropped and counted, whatever the entry point.
    let before = logger::metrics().records_dropped;
    log::info!("after shutdown");
    log::error!(k = 1; "after shutdown");
    trade!(symbol = "AAPL", side = "BUY", qty = 1, price = 1.5);
    std::thread::spawn(|| log::info!("a new thread after shutdown"))
        .join()
        .unwrap();
    assert_eq!(logger::metrics().records_dropped - before, 4);
    assert_eq!(
        logger::flush(),
        Err(logger::FlushError::Stopped),
        "flush returns at once, saying the logger is stopped"
    );
    assert!(!logger::preallocate());
    assert_eq!(common::records(dir.path(), "app").len(), all.len());
}
