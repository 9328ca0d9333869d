//! Rotation, gzip and file retention while shipping: a rotated file that
//! retention (`backup_count`) deletes before the shipper read it is counted
//! as a gap and reported; every record of the files still there is loaded,
//! none twice.

mod pg;

use std::time::{Duration, Instant};

use pg::*;

/// The producer child.
#[test]
fn producer() {
    if is_child() {
        produce_from_env();
    }
}

fn seqs_in_files(logs: &std::path::Path) -> std::collections::BTreeSet<i64> {
    let mut out = std::collections::BTreeSet::new();
    for d in logger_read::discover(&[logs.to_owned()]).unwrap() {
        if d.stem != "app" {
            continue;
        }
        for f in &d.files {
            let mut r = logger_read::LineReader::open(f).unwrap();
            while let Some(l) = r.next_line() {
                let v: serde_json::Value = serde_json::from_slice(l.unwrap().bytes).unwrap();
                if let Some(s) = v["fields"]["seq"].as_i64() {
                    out.insert(s);
                }
            }
        }
    }
    out
}

#[test]
fn files_deleted_before_they_were_shipped_are_counted_as_gaps() {
    if is_child() {
        return;
    }
    let url = fresh_db(&server_url(), "ship_retention_gap");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    // First part: a few files, shipped partly.
    let mut p = spawn_producer(&logs, 3_000, Some(64 << 10), Some(2), 0);
    assert!(p.wait().unwrap().success());
    let mut c = logger_read::ship::ShipConfig::postgres(vec![logs.clone()], &url);
    c.batch_records = 50;
    c.batch_timeout_ms = 50;
    c.poll_interval_ms = 20;
    c.dead_letter = Some(tmp.path().join("dead-letter.jsonl"));
    let ship = logger_read::ship::start(c.clone()).unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    while ship.metrics()[0].records_sent < 100 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(5));
    }
    let first = ship.stop().unwrap();
    assert!(first[0].records_sent >= 100, "{first:?}");
    // Meanwhile the application logs on, and retention keeps 2 rotated files:
    // the file the shipper stopped in is deleted.
    let mut p = spawn_producer(&logs, 20_000, Some(64 << 10), Some(2), 0);
    assert!(p.wait().unwrap().success());
    let remaining = seqs_in_files(&logs);
    assert!(!remaining.contains(&0), "the first file should be gone");

    let ship = logger_read::ship::start(c).unwrap();
    let mut client = connect(&url);
    let end = Instant::now() + Duration::from_secs(120);
    let loaded_seqs = |client: &mut postgres::Client| -> std::collections::BTreeSet<i64> {
        client
            .query(
                "SELECT DISTINCT (data->'fields'->>'seq')::bigint FROM logging.system_logs \
                 WHERE data->'fields' ? 'seq'",
                &[],
            )
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default()
    };
    loop {
        let m = ship.metrics()[0].clone();
        if m.gaps >= 1 && loaded_seqs(&mut client).is_superset(&remaining) {
            break;
        }
        assert!(Instant::now() < end, "not caught up: {m:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Caught up: the lag falls to zero (measured at most once a second).
    let end = Instant::now() + Duration::from_secs(10);
    while ship.metrics()[0].lag_bytes != 0 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let m = ship.stop().unwrap();
    assert_eq!((m[0].lag_bytes, m[0].lag_seconds), (0, 0.0), "{m:?}");
    assert!(m[0].gaps >= 1, "{m:?}");
    // Both producers numbered their records from 0: a seq may appear once
    // per producer, never more.
    let rows = client
        .query(
            "SELECT (data->'fields'->>'seq')::bigint AS s, count(*) FROM logging.system_logs \
             WHERE data->'fields' ? 'seq' GROUP BY s",
            &[],
        )
        .unwrap();
    let loaded: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.get(0)).collect();
    for r in &rows {
        let n: i64 = r.get(1);
        assert!(n <= 2, "seq {} loaded {n} times", r.get::<_, i64>(0));
    }
    let missing: Vec<_> = remaining.difference(&loaded).take(5).collect();
    assert!(
        missing.is_empty(),
        "records still in the files but not loaded: {missing:?}"
    );
    let (total, distinct): (i64, i64) = {
        let r = client
            .query_one(
                "SELECT count(*), count(DISTINCT (data->>'ts', data->'fields'->>'seq')) FROM logging.system_logs",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(total, distinct, "a record loaded twice");
}
