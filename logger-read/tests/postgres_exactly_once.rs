//! Every record in its tables exactly once: a demo-like workload logged by
//! the real logger in another process (rotating every 256 KiB, gzip'ing the
//! rotated files) while `logger-ship` is killed with SIGKILL at random
//! moments, up to 50 rounds (fewer once everything is loaded), and the
//! server crashes (`pg_ctl -m immediate`) and restarts in round 3, while a
//! backlog is certainly left (the shipper only notices a crash when it has
//! something to send).
//!
//! Every `COMMIT` is made slow (`commit_delay` = 100 ms before the WAL
//! flush, as on a busy disk), so that kills land while a `COMMIT` is in
//! flight and the next shipper reads the checkpoint before that `COMMIT`
//! completes: the case that loaded one batch twice (1 run in 21 without
//! the delay, 14 runs of 15 with it) until each batch moved the checkpoint
//! only from where it started (`postgres_late_commit.rs` holds that window
//! open deterministically).

mod pg;

use std::time::Duration;

use pg::*;

/// The producer child (does nothing when run as a test of its own).
#[test]
fn producer() {
    if is_child() {
        produce_from_env();
    }
}

#[test]
fn sigkill_rounds_and_a_server_crash_neither_lose_nor_duplicate() {
    if is_child() {
        return;
    }
    let server = PrivateServer::start_with("-c commit_delay=100000 -c commit_siblings=0");
    let url = fresh_db(&server.url, "ship_exactly_once");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let config = tmp.path().join("ship.toml");
    // Small batches, so that every round loads some and a kill can cut one.
    write_config(&config, &logs, &url, "", "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("batch_records = 2000", "batch_records = 300");
    std::fs::write(&config, text).unwrap();

    let w = Workload { n: 40_000 };
    let mut producer = spawn_producer(&logs, w.n, Some(256 << 10), None, 2_000);
    let seed = std::env::var("SHIP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("SHIP_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let rounds = 50;
    let crash_round = 3;
    let mut client = connect(&url);
    let mut loaded_per_round = Vec::new();
    let mut last = 0i64;
    for round in 0..rounds {
        let mut ship = spawn_shipper(&config);
        // Kill while it loads: once it committed something new (or after
        // 5 s, on a slow machine), then a random 0-200 ms later.
        let t = std::time::Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            let n: i64 = client
                .query_one("SELECT count(*) FROM logging.system_logs", &[])
                .map_or(last, |r| r.get(0));
            if n > last {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(rng.u64(0..200)));
        if round == crash_round {
            let loaded = loaded_per_round.last().copied().unwrap_or(0);
            assert!(
                loaded < w.records(),
                "round {round}: all {loaded} rows were loaded before the server crash, \
                 so the crash would not be noticed; lower crash_round"
            );
            server.crash_and_restart();
            std::thread::sleep(Duration::from_millis(rng.u64(200..600)));
        }
        ship.kill().unwrap(); // SIGKILL
        ship.wait().unwrap();
        if round == crash_round {
            client = connect(&url);
        }
        // After every kill: no record twice, whatever was loaded so far.
        if let Ok((all, distinct)) = seq_counts(&mut client) {
            if all != distinct {
                panic!(
                    "round {round}: a record loaded twice ({all} rows, {distinct} records)\n{}",
                    duplicates_report(&mut client, &loaded_per_round, &config)
                );
            }
            loaded_per_round.push(all);
            last = client
                .query_one("SELECT count(*) FROM logging.system_logs", &[])
                .map_or(last, |r| r.get(0));
            if all == w.records() && round > crash_round {
                break; // everything loaded: more kills would test nothing
            }
        }
    }
    eprintln!("rows loaded after each SIGKILL: {loaded_per_round:?}");
    let stderr = std::fs::read_to_string(config.with_extension("err")).unwrap_or_default();
    eprintln!("shipper stderr so far:\n{stderr}");
    // The server crash was noticed and announced as a state change.
    assert!(
        stderr.contains("WARN logger ship: destination postgres: active -> degraded ("),
        "no state change on stderr:\n{stderr}"
    );
    assert!(producer.wait().unwrap().success(), "producer failed");

    // A last run, left to finish.
    let mut ship = spawn_shipper(&config);
    let got = wait_for_count(
        &mut client,
        "SELECT count(*) FROM logging.system_logs WHERE data->'fields' ? 'seq'",
        w.records(),
        Duration::from_secs(120),
    );
    terminate(&mut ship);
    assert_eq!(
        got,
        w.records(),
        "rows after the last run; shipper stderr:\n{}",
        std::fs::read_to_string(config.with_extension("err")).unwrap_or_default()
    );
    assert_exactly_once(&mut client, &w);
    let rotated = std::fs::read_dir(&logs)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".log.gz")
        })
        .count();
    assert!(
        rotated >= 3,
        "the workload rotated and gzip'ed only {rotated} files"
    );
    let dead = tmp.path().join("dead-letter.jsonl");
    assert_eq!(
        std::fs::read_to_string(&dead).unwrap_or_default(),
        "",
        "dead letters"
    );
}

/// What tells how a record came to be loaded twice: the duplicated
/// `seq`s, the rows each transaction loaded (by `xmin`: a batch is one
/// transaction), the checkpoint row and the shipper's stderr.
fn duplicates_report(
    client: &mut postgres::Client,
    loaded_per_round: &[i64],
    config: &std::path::Path,
) -> String {
    use std::fmt::Write;
    let mut out = format!("rows after each earlier round: {loaded_per_round:?}\n");
    let seq = "(data->'fields'->>'seq')::bigint";
    let dups = client.query(
        &format!(
            "SELECT min(s), max(s), count(*) FROM (SELECT {seq} AS s FROM logging.system_logs \
             WHERE data->'fields' ? 'seq' GROUP BY 1 HAVING count(*) > 1) d"
        ),
        &[],
    );
    if let Ok(rows) = dups {
        for r in rows {
            let (a, b, n): (Option<i64>, Option<i64>, i64) = (r.get(0), r.get(1), r.get(2));
            let _ = writeln!(out, "duplicated seqs: {n}, from {a:?} to {b:?}");
        }
    }
    let txs = client.query(
        &format!(
            "SELECT xmin::text, min({seq}), max({seq}), count(*) FROM logging.system_logs \
             WHERE data->'fields' ? 'seq' GROUP BY xmin ORDER BY 2"
        ),
        &[],
    );
    if let Ok(rows) = txs {
        for r in rows {
            let (x, a, b, n): (String, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
            let _ = writeln!(out, "transaction {x}: seqs {a}..={b}, {n} rows");
        }
    }
    if let Ok(rows) = client.query(
        "SELECT xmin::text, source, file_id, file_offset FROM logging.ship_checkpoints",
        &[],
    ) {
        for r in rows {
            let (x, s, f, o): (String, String, String, i64) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            let _ = writeln!(out, "checkpoint (transaction {x}): {s} {f} {o}");
        }
    }
    let stderr = std::fs::read_to_string(config.with_extension("err")).unwrap_or_default();
    let _ = write!(out, "shipper stderr:\n{stderr}");
    out
}
