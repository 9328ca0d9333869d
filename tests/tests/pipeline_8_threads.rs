//! 8 threads x 100,000 records under `Block`: every record present exactly
//! once, each thread's records in order, the file in timestamp order.

mod common;

use std::collections::HashMap;

const THREADS: u64 = 8;
const PER_THREAD: u64 = 100_000;

#[test]
fn eight_threads_every_record_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(64 << 10)
        .max_file_bytes(None)
        // Order is guaranteed unless a thread stays descheduled mid-record
        // longer than this; 8 producers on a loaded 2-core CI machine once
        // exceeded the default 50 ms (a line 3.5 ms out of order).
        .max_merge_delay(std::time::Duration::from_secs(5))
        .install()
        .unwrap();
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::Builder::new()
                .name(format!("producer-{t}"))
                .spawn(move || {
                    for seq in 0..PER_THREAD {
                        log::info!(t = t, seq = seq; "record {seq} of thread {t}");
                    }
                })
                .unwrap()
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    let records = common::records(dir.path(), "app");
    assert_eq!(records.len() as u64, THREADS * PER_THREAD, "record count");
    let mut next: HashMap<u64, u64> = HashMap::new();
    let mut last_ts = String::new();
    for (i, r) in records.iter().enumerate() {
        let t = r["fields"]["t"].as_u64().unwrap();
        let seq = r["fields"]["seq"].as_u64().unwrap();
        let expected = next.entry(t).or_insert(0);
        assert_eq!(
            seq, *expected,
            "thread {t}: record {seq} out of order or duplicated at line {i}"
        );
        *expected += 1;
        assert_eq!(r["thread"], format!("producer-{t}"));
        assert_eq!(r["msg"], format!("record {seq} of thread {t}"));
        let ts = r["ts"].as_str().unwrap().to_string();
        assert!(ts >= last_ts, "line {i}: timestamp {ts} before {last_ts}");
        last_ts = ts;
    }
    assert!(next.values().all(|&n| n == PER_THREAD));
    assert_eq!(m.records_dropped, 0);
    assert_eq!(m.late_records, 0, "records written out of timestamp order");
    assert!(m.records_written >= THREADS * PER_THREAD);
}
