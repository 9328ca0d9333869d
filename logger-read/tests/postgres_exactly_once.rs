//! Every record in its tables exactly once: a demo-like workload logged by
//! the real logger in another process (rotating every 256 KiB, gzip'ing the
//! rotated files) while `logger-ship` is killed with SIGKILL at random
//! moments, 50 rounds, and the server crashes (`pg_ctl -m immediate`) and
//! restarts in the middle of a round.

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
    let server = PrivateServer::start();
    let url = fresh_db(&server.url, "ship_exactly_once");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let config = tmp.path().join("ship.toml");
    write_config(&config, &logs, &url, "", "");

    let w = Workload { n: 40_000 };
    let mut producer = spawn_producer(&logs, w.n, Some(256 << 10), None, 2_000);
    let seed = std::env::var("SHIP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("SHIP_SEED={seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let rounds = 50;
    for round in 0..rounds {
        let mut ship = spawn_shipper(&config);
        std::thread::sleep(Duration::from_millis(rng.u64(30..250)));
        if round == rounds / 2 {
            server.crash_and_restart();
            std::thread::sleep(Duration::from_millis(rng.u64(200..600)));
        }
        ship.kill().unwrap(); // SIGKILL
        ship.wait().unwrap();
    }
    assert!(producer.wait().unwrap().success(), "producer failed");

    // A last run, left to finish.
    let mut ship = spawn_shipper(&config);
    let mut client = connect(&url);
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
