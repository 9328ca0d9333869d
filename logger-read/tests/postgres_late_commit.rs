//! A shipper killed while its `COMMIT` is in flight, and a new shipper
//! that reads the checkpoint before that `COMMIT` completes: the batch is
//! still loaded once.
//!
//! The server commits a transaction whose client is gone if the `COMMIT`
//! message reached it, and makes it visible only when the commit is done
//! (the WAL flushed; with a synchronous standby, acknowledged). Meanwhile
//! a new shipper reads the old checkpoint and loads the same batch again.
//! This is what made `postgres_exactly_once` load one batch twice now and
//! then, when a SIGKILL landed during a commit that the loaded machine was
//! slow to flush. Here the window is held open on purpose: the killed
//! shipper's connection asks for a synchronous standby that does not exist
//! (`synchronous_standby_names = 'nobody'`, `synchronous_commit = on` for
//! that connection alone), so its `COMMIT` waits until the test cancels
//! the wait (`pg_cancel_backend`), which completes the commit.

mod pg;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use pg::*;

/// Appends records `from..to` (each with its `seq`) to `path`.
fn append_records(path: &Path, from: u64, to: u64) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let mut text = String::new();
    for i in from..to {
        // Increasing times, one microsecond apart, a day ago.
        let ts = ts_days_ago(1, 1_000_000_000 - i * 1_000);
        text.push_str(&record_line(
            &ts,
            "INFO",
            "log",
            "app::orders",
            &format!("order {i} placed"),
            None,
            &format!("{{\"seq\":{i}}}"),
        ));
    }
    f.write_all(text.as_bytes()).unwrap();
}

/// Polls `query` (returning one `pid`, or no row) until it finds one.
fn wait_for_backend(client: &mut postgres::Client, query: &str, what: &str) -> i32 {
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(r) = client.query_opt(query, &[]).unwrap() {
            return r.get(0);
        }
        assert!(Instant::now() < end, "no {what} after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_commit_finishing_after_the_next_shipper_read_the_checkpoint_is_not_loaded_twice() {
    let server = PrivateServer::start();
    let url = fresh_db(&server.url, "ship_late_commit");
    let mut admin = connect(&server.url);
    // Every commit that asks for a synchronous standby waits for one that
    // never comes (until its wait is cancelled).
    admin
        .batch_execute("ALTER SYSTEM SET synchronous_standby_names = 'nobody'")
        .unwrap();
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let app = logs.join("app.log");
    let config = |name: &str, synchronous_commit: &str| {
        let path = tmp.path().join(name);
        let url = format!("{url}?options=-c%20synchronous_commit%3D{synchronous_commit}");
        write_config(&path, &logs, &url, "", "");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("batch_records = 2000", "batch_records = 300");
        std::fs::write(&path, text).unwrap();
        path
    };
    // Commits that do not wait for a standby, and commits that do.
    let quick = config("quick.toml", "local");
    let waiting = config("waiting.toml", "on");
    let mut db = connect(&url);
    let in_db = "FROM pg_stat_activity WHERE datname = 'ship_late_commit' \
                 AND application_name = 'logger-ship'";

    // 1. A first batch, committed: the checkpoint row exists.
    append_records(&app, 0, 300);
    let mut first = spawn_shipper(&quick);
    let got = wait_for_count(
        &mut db,
        "SELECT count(*) FROM logging.system_logs",
        300,
        Duration::from_secs(60),
    );
    terminate(&mut first);
    assert_eq!(got, 300, "first batch");

    // 2. The next batch's COMMIT is sent and waits; the shipper is killed.
    append_records(&app, 300, 600);
    let mut killed = spawn_shipper(&waiting);
    let late = wait_for_backend(
        &mut db,
        &format!("SELECT pid {in_db} AND wait_event = 'SyncRep'"),
        "COMMIT waiting for the standby",
    );
    killed.kill().unwrap(); // SIGKILL
    killed.wait().unwrap();
    assert_eq!(
        seq_counts(&mut db).unwrap(),
        (300, 300),
        "the waiting COMMIT is not visible"
    );

    // 3. A new shipper reads the checkpoint of step 1 and reads the batch
    //    of step 2 again; it waits for the row the late COMMIT holds.
    let mut next = spawn_shipper(&quick);
    wait_for_backend(
        &mut db,
        &format!("SELECT pid {in_db} AND pid <> {late} AND wait_event_type = 'Lock'"),
        "new shipper waiting for the checkpoint row",
    );

    // 4. The late COMMIT completes; then more records come.
    let cancelled: bool = db
        .query_one("SELECT pg_cancel_backend($1)", &[&late])
        .unwrap()
        .get(0);
    assert!(cancelled, "pg_cancel_backend({late})");
    append_records(&app, 600, 900);
    let end = Instant::now() + Duration::from_secs(60);
    while seq_counts(&mut db).unwrap().1 < 900 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    terminate(&mut next);
    let stderr = std::fs::read_to_string(quick.with_extension("err")).unwrap_or_default();
    let (rows, distinct) = seq_counts(&mut db).unwrap();
    assert_eq!(distinct, 900, "records loaded; shipper stderr:\n{stderr}");
    assert_eq!(
        rows, 900,
        "rows for 900 records: a batch loaded twice; shipper stderr:\n{stderr}"
    );
    // The new shipper found the checkpoint moved, said so, and read on
    // from it.
    assert!(
        stderr.contains("not the checkpoint this batch starts at")
            && stderr.contains("another transaction moved it"),
        "{stderr}"
    );
}
