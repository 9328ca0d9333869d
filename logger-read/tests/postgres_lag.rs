//! `lag_bytes` while the application logs a burst: sampled all along, it
//! never says more than what is still to ship (the bytes written since the
//! shipper started, minus those of the records it had committed), and it
//! falls to 0 once everything is loaded. Over rotated `.gz` files it counts
//! plain bytes: exactly those of the records not committed yet, falling
//! with every batch.

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

/// Byte length (with its newline) of every line of the `app` files, in order.
fn line_lengths(logs: &std::path::Path) -> Vec<u64> {
    let mut out = Vec::new();
    for d in logger_read::discover(&[logs.to_owned()]).unwrap() {
        if d.stem != "app" {
            continue;
        }
        for f in &d.files {
            let mut r = logger_read::LineReader::open(f).unwrap();
            while let Some(l) = r.next_line() {
                out.push(l.unwrap().bytes.len() as u64 + 1);
            }
        }
    }
    out
}

#[test]
fn lag_bytes_during_a_burst_is_at_most_what_is_left_to_ship() {
    if is_child() {
        return;
    }
    const BATCH: u64 = 500;
    let url = fresh_db(&server_url(), "ship_lag");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    // Records already there: shipping starts after them (`start = "end"`),
    // so they never count as lag.
    assert!(
        spawn_producer(&logs, 20_000, None, None, 0)
            .wait()
            .unwrap()
            .success()
    );
    let old_lines = line_lengths(&logs).len();
    let mut c = logger_read::ship::ShipConfig::postgres(vec![logs.clone()], &url);
    c.start = logger_read::ship::StartAt::End;
    c.batch_records = BATCH as usize;
    c.batch_timeout_ms = 50;
    c.poll_interval_ms = 20;
    c.dead_letter = Some(tmp.path().join("dead-letter.jsonl"));
    let ship = logger_read::ship::start(c).unwrap();
    // Before the burst, it finds the end of the files and commits that
    // position (an empty batch with its checkpoint).
    let mut client = connect(&url);
    let t = Instant::now();
    loop {
        let n: Option<i64> = client
            .query_one("SELECT count(*) FROM logging.ship_checkpoints", &[])
            .ok()
            .map(|r| r.get(0));
        if n == Some(1) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no checkpoint committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let mut burst = spawn_producer(&logs, 20_000, None, None, 0);
    let mut samples = Vec::new();
    let end = Instant::now() + Duration::from_secs(120);
    let mut produced = false;
    loop {
        let m = ship.metrics()[0].clone();
        samples.push((m.records_sent, m.lag_bytes));
        produced = produced || burst.try_wait().unwrap().is_some();
        if produced && m.records_sent > 0 && m.lag_bytes == 0 {
            break;
        }
        assert!(Instant::now() < end, "not caught up: {m:?}");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(burst.wait().unwrap().success());
    let m = ship.stop().unwrap();

    let all = line_lengths(&logs);
    let new = &all[old_lines..];
    assert_eq!(m[0].records_sent, new.len() as u64, "{m:?}");
    let total: u64 = new.iter().sum();
    // Bytes of the first k new records (they are committed in file order).
    let mut prefix = vec![0u64];
    for l in new {
        prefix.push(prefix.last().unwrap() + l);
    }
    // A figure may be a few batches old when it is read (it is set by the
    // reading thread after each look at the files).
    let longest = new.iter().max().copied().unwrap_or(0);
    let slack = 3 * BATCH * longest + (1 << 20);
    for &(sent, lag) in &samples {
        let left = total - prefix[sent as usize];
        assert!(
            lag <= left + slack,
            "lag_bytes {lag} with {sent} records committed: only {left} bytes were left to ship \
             ({total} written since the start, slack {slack})"
        );
    }
    let loaded: i64 = client
        .query_one("SELECT count(*) FROM logging.system_logs", &[])
        .unwrap()
        .get(0);
    assert_eq!(loaded as usize, new.len());
}

/// The figures `stop()` returns count the batch it delivered on the way
/// out: a batch still filling (its timeout far away) when `stop` came is
/// committed, and the final `lag_bytes` is 0, not the bytes of that batch
/// (they were reported while it was in flight).
#[test]
fn the_final_figures_count_the_batch_delivered_at_stop() {
    if is_child() {
        return;
    }
    let url = fresh_db(&server_url(), "ship_lag_at_stop");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    assert!(
        spawn_producer(&logs, 2_000, None, None, 0)
            .wait()
            .unwrap()
            .success()
    );
    let lines = line_lengths(&logs).len() as u64;
    let mut c = logger_read::ship::ShipConfig::postgres(vec![logs.clone()], &url);
    // One batch for everything, due only at stop.
    c.batch_records = 1_000_000;
    c.batch_timeout_ms = 600_000;
    c.poll_interval_ms = 20;
    c.dead_letter = Some(tmp.path().join("dead-letter.jsonl"));
    let ship = logger_read::ship::start(c).unwrap();
    // Time for the reader to read the few hundred KB into its batch.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(ship.metrics()[0].records_sent, 0, "a batch went out early");
    let m = ship.stop().unwrap();
    assert_eq!(
        m[0].records_sent, lines,
        "the batch read before stop was not all delivered (was the reader \
         that slow?): {m:?}"
    );
    assert_eq!((m[0].lag_bytes, m[0].lag_seconds), (0, 0.0), "{m:?}");
}

/// Per file of the `app` stem, in order: whether it is gzip'ed, and the
/// byte length (with its newline) of each of its lines.
fn files_and_line_lengths(logs: &std::path::Path) -> Vec<(bool, Vec<u64>)> {
    let d = logger_read::discover(&[logs.to_owned()]).unwrap();
    let d = d.iter().find(|d| d.stem == "app").expect("app files");
    d.files
        .iter()
        .map(|f| {
            let mut r = logger_read::LineReader::open(f).unwrap();
            let mut lens = Vec::new();
            while let Some(l) = r.next_line() {
                lens.push(l.unwrap().bytes.len() as u64 + 1);
            }
            (f.compression == logger_read::Compression::Gzip, lens)
        })
        .collect()
}

/// Shipping a set of files most of which are rotated `.gz` ones: every
/// figure sampled along the way is exactly the plain bytes of the records
/// not committed yet at some batch boundary (never the compressed size of
/// a `.gz` minus a plain offset), the figures never rise, some are taken
/// while the reader is in the middle of a `.gz` file, and the last is 0.
#[test]
fn lag_bytes_over_rotated_gz_files_is_the_plain_bytes_left_and_falls_to_0() {
    if is_child() {
        return;
    }
    const BATCH: usize = 100;
    let url = fresh_db(&server_url(), "ship_lag_gz");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    assert!(
        spawn_producer(&logs, 8_000, Some(256 << 10), None, 0)
            .wait()
            .unwrap()
            .success()
    );
    let files = files_and_line_lengths(&logs);
    let gz_files = files.iter().filter(|(gz, _)| *gz).count();
    assert!(
        gz_files >= 3,
        "want rotated .gz files, got {gz_files} of {}",
        files.len()
    );
    // The plain-byte ranges of the .gz files in the whole, and the bytes of
    // the first k records.
    let mut gz_ranges = Vec::new();
    let mut prefix = vec![0u64];
    for (gz, lens) in &files {
        let start = *prefix.last().unwrap();
        for l in lens {
            prefix.push(prefix.last().unwrap() + l);
        }
        if *gz {
            gz_ranges.push(start..*prefix.last().unwrap());
        }
    }
    let (records, total) = (prefix.len() - 1, *prefix.last().unwrap());

    let mut c = logger_read::ship::ShipConfig::postgres(vec![logs.clone()], &url);
    c.batch_records = BATCH;
    c.batch_timeout_ms = 50;
    c.poll_interval_ms = 20;
    c.dead_letter = Some(tmp.path().join("dead-letter.jsonl"));
    let ship = logger_read::ship::start(c).unwrap();
    let mut samples = Vec::new();
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        // The lag first: `records_sent` read after it is at least the
        // count the lag was computed from.
        let lag = ship.metrics()[0].lag_bytes;
        let sent = ship.metrics()[0].records_sent;
        samples.push((lag, sent));
        if sent == records as u64 && lag == 0 {
            break;
        }
        assert!(
            Instant::now() < end,
            "not caught up: lag {lag}, {sent} sent"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let m = ship.stop().unwrap();
    assert_eq!(m[0].records_sent, records as u64, "{m:?}");
    assert_eq!(m[0].lag_bytes, 0, "{m:?}");

    // Leading zeros: not measured yet.
    let measured: Vec<(u64, u64)> = samples.into_iter().skip_while(|s| s.0 == 0).collect();
    assert!(!measured.is_empty());
    let mut inside_gz = 0;
    for w in measured.windows(2) {
        assert!(
            w[1].0 <= w[0].0,
            "lag_bytes rose from {} to {}",
            w[0].0,
            w[1].0
        );
    }
    for &(lag, sent) in &measured {
        // Committed at a batch boundary k <= sent: lag == total - prefix[k].
        let k = prefix.partition_point(|&p| p < total - lag);
        assert!(
            k <= sent as usize && prefix.get(k) == Some(&(total - lag)),
            "lag_bytes {lag} with {sent} records committed is not the plain bytes of the \
             records left after any batch committed (of {total} in all)"
        );
        if gz_ranges
            .iter()
            .any(|r| r.start < total - lag && total - lag < r.end)
        {
            inside_gz += 1;
        }
    }
    assert!(
        inside_gz >= 2,
        "only {inside_gz} figures were taken in the middle of a .gz file"
    );
}
