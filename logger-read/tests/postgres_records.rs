//! What lands in the tables, record by record: the seeds' queries run
//! unchanged, rows the server rejects go to the dead-letter file, a crash
//! tail and a line completed later, seed 004's layout, retention.

mod pg;

use std::io::Write;
use std::time::{Duration, Instant};

use pg::*;

/// Waits until `query` returns `want` (or fails after 60 s), shipping.
fn wait(client: &mut postgres::Client, query: &str, want: i64) {
    let got = wait_for_count(client, query, want, Duration::from_secs(60));
    assert_eq!(got, want, "{query}");
}

/// The seed-003 queries' workload, logged by the real logger in a child.
#[test]
fn seed_producer() {
    if !is_child() {
        return;
    }
    use logger::{perf, trade};
    let dir = std::path::PathBuf::from(std::env::var("PRODUCE_DIR").unwrap());
    let guard = logger::builder()
        .dir(&dir)
        .create_dir(true)
        .level(log::LevelFilter::Debug)
        .install()
        .unwrap();
    for corr in ["trade_12345", "trade-12345"] {
        let _c = logger::correlation(corr);
        log::info!(target: "execution::orders", symbol = "AAPL"; "Order placed");
        trade!(target: "execution::orders", symbol = "AAPL", side = Side::Buy, qty = 100u64, price = 150.25, order_id = "ORD123", venue = "XNAS"; "Trade executed");
        log::info!(target: "execution::positions", "Position updated");
    }
    {
        let _c = logger::correlation("trade-777");
        trade!(target: "execution::orders", symbol = "MSFT", side = Side::Sell, qty = 5u64, price = 409.8; "Trade executed");
        log::warn!(target: "risk::limits", "near limit");
    }
    for i in 0..30u64 {
        perf!(target: "strategy::signals", "calculate_indicators", 1_000_000 + i * 1_000);
        perf!(target: "execution::orders", "send_order", 50_000 + i * 10);
    }
    for i in 0..4 {
        log::error!(target: "data_ingestion::fetch", attempt = i; "Failed to connect to API");
    }
    log::error!(target: "risk::limits", "limit breached");
    logger::flush().unwrap();
    drop(guard);
}

#[test]
fn seed_queries_run_unchanged_and_answer_right() {
    if is_child() {
        return;
    }
    let url = fresh_db(&server_url(), "ship_seed_queries");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    let mut child = spawn_child("seed_producer", &[("PRODUCE_DIR", logs.to_str().unwrap())]);
    assert!(child.wait().unwrap().success());
    let ship = ship_in_process(&logs, &url, None);
    let mut c = connect(&url);
    wait(
        &mut c,
        "SELECT count(*) FROM logging.system_logs",
        2 * 3 + 2 + 60 + 5,
    );
    ship.stop().unwrap();
    // Seed 003's "Log Analysis" queries name the tables without a schema.
    c.batch_execute("SET search_path TO logging, public")
        .unwrap();

    // Find all logs related to a specific trade
    let rows = c
        .query(
            "SELECT * FROM system_logs \nWHERE correlation_id = 'trade_12345'\nORDER BY timestamp;",
            &[],
        )
        .unwrap();
    let msgs: Vec<String> = rows.iter().map(|r| r.get("message")).collect();
    assert_eq!(msgs, ["Order placed", "Trade executed", "Position updated"]);
    let levels: Vec<String> = rows.iter().map(|r| r.get("level")).collect();
    assert_eq!(levels, ["INFO", "INFO", "INFO"]);

    // Link trading logs with system logs
    let rows = c
        .query(
            "SELECT t.*, s.message, s.level\nFROM trading_logs t\nJOIN system_logs s ON t.trade_id = s.correlation_id\nWHERE t.symbol = 'AAPL';",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 6, "two AAPL trades, three system rows each");
    for r in &rows {
        let id: String = r.get("trade_id");
        assert!(id == "trade_12345" || id == "trade-12345", "{id}");
        assert_eq!(r.get::<_, String>("side"), "BUY");
        assert_eq!(
            r.get::<_, Option<String>>("order_id").as_deref(),
            Some("ORD123")
        );
    }

    // Performance analysis (seed 003, two forms)
    let rows = c
        .query(
            "SELECT service, AVG(execution_time_ms) as avg_time\nFROM performance_logs \nWHERE timestamp > NOW() - INTERVAL '1 day'\nGROUP BY service;",
            &[],
        )
        .unwrap();
    let mut avg: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get::<_, rust_decimal::Decimal>(1).round_dp(4).to_string(),
            )
        })
        .collect();
    avg.sort();
    // strategy: 1.000 .. 1.029 ms, mean 1.0145; execution: 0.050 .. 0.050 (µs resolution: 50.00..50.29 µs -> 0.050..0.050)
    assert_eq!(
        avg,
        [
            ("execution".into(), "0.0500".into()),
            ("strategy".into(), "1.0145".into())
        ]
    );
    let rows = c
        .query(
            "SELECT \n    service, \n    operation,\n    AVG(execution_time_ms) as avg_time,\n    MAX(execution_time_ms) as max_time,\n    COUNT(*) as call_count\nFROM logging.performance_logs \nWHERE timestamp > NOW() - INTERVAL '1 day'\nGROUP BY service, operation\nORDER BY avg_time DESC;",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].get::<_, String>("operation"),
        "calculate_indicators"
    );
    assert_eq!(
        rows[0]
            .get::<_, rust_decimal::Decimal>("max_time")
            .to_string(),
        "1.029"
    );
    assert_eq!(rows[0].get::<_, i64>("call_count"), 30);

    // Error analysis
    let rows = c
        .query(
            "SELECT \n    service,\n    level,\n    COUNT(*) as error_count,\n    MAX(timestamp) as last_error\nFROM logging.system_logs \nWHERE level IN ('ERROR', 'CRITICAL')\n    AND timestamp > NOW() - INTERVAL '7 days'\nGROUP BY service, level\nORDER BY error_count DESC;",
            &[],
        )
        .unwrap();
    let got: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        got,
        [
            ("data_ingestion".into(), "ERROR".into(), 4),
            ("risk".into(), "ERROR".into(), 1)
        ]
    );

    // Find logs by correlation ID
    let rows = c
        .query("SELECT * FROM logging.system_logs \nWHERE correlation_id = 'trade-12345'\nORDER BY timestamp;", &[])
        .unwrap();
    assert_eq!(rows.len(), 3);
    let warn: i64 = c
        .query_one(
            "SELECT count(*) FROM system_logs WHERE level = 'WARNING'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(warn, 1, "WARN is stored as WARNING");
}

/// Three records the server cannot store among good ones, in a child.
#[test]
fn bad_rows_producer() {
    if !is_child() {
        return;
    }
    use logger::perf;
    let dir = std::path::PathBuf::from(std::env::var("PRODUCE_DIR").unwrap());
    let guard = logger::builder()
        .dir(&dir)
        .create_dir(true)
        .install()
        .unwrap();
    for i in 0..900u64 {
        log::info!(target: "execution::orders", seq = i; "good {i}");
        match i {
            100 => {
                log::info!(target: "a_service_name_much_longer_than_the_fifty_characters_of_the_column::x", bad = 1; "too long a service")
            }
            400 => log::info!(target: "execution::orders", bad = 2; "a NUL \0 in the message"),
            700 => perf!(target: "execution::orders", "slow", 20_000_000_000_000_000u64, bad = 3),
            _ => {}
        }
    }
    logger::flush().unwrap();
    drop(guard);
}

#[test]
fn rows_the_server_rejects_go_to_the_dead_letter_file_and_the_rest_loads() {
    if is_child() {
        return;
    }
    let url = fresh_db(&server_url(), "ship_dead_letter");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    let mut child = spawn_child(
        "bad_rows_producer",
        &[("PRODUCE_DIR", logs.to_str().unwrap())],
    );
    assert!(child.wait().unwrap().success());
    let ship = ship_in_process(&logs, &url, None);
    let mut c = connect(&url);
    wait(
        &mut c,
        "SELECT count(*) FROM logging.system_logs WHERE data->'fields' ? 'seq'",
        900,
    );
    let end = Instant::now() + Duration::from_secs(30);
    while ship.metrics()[0].abandoned < 3 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let m = ship.stop().unwrap();
    assert_eq!(m[0].abandoned, 3, "{m:?}");
    let bad: i64 = c
        .query_one(
            "SELECT count(*) FROM logging.system_logs WHERE data->'fields' ? 'bad'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(bad, 0);
    let distinct: i64 = c
        .query_one(
            "SELECT count(DISTINCT data->'fields'->>'seq') FROM logging.system_logs",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(distinct, 900);
    let text = std::fs::read_to_string(tmp.path().join("dead-letter.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 3, "{text}");
    let reasons: Vec<(u64, String)> = entries
        .iter()
        .map(|e| {
            (
                e["record"]["fields"]["bad"].as_u64().unwrap(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(reasons[0].0, 1);
    assert!(
        reasons[0]
            .1
            .contains("value too long for type character varying(50)"),
        "{reasons:?}"
    );
    assert_eq!(reasons[1].0, 2);
    assert!(reasons[1].1.contains("0x00"), "{reasons:?}");
    assert_eq!(reasons[2].0, 3);
    assert!(
        reasons[2].1.contains("numeric field overflow"),
        "{reasons:?}"
    );
    for e in &entries {
        assert_eq!(e["destination"], "postgres");
        assert!(e["offset"].as_u64().is_some());
    }
}

#[test]
fn a_line_completed_later_loads_once_and_a_crash_tail_is_skipped() {
    let url = fresh_db(&server_url(), "ship_crash_tail");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let now = ts_days_ago(0, 0);
    let lines: Vec<String> = (0..5)
        .map(|i| {
            record_line(
                &now,
                "INFO",
                "log",
                "app::x",
                &format!("line {i}"),
                None,
                &format!("{{\"seq\":{i}}}"),
            )
        })
        .collect();
    let cut = lines[3].len() / 2;
    // Three records, a line that is not a record, half of the fourth.
    let mut f = std::fs::File::create(logs.join("app.log")).unwrap();
    f.write_all(lines[0].as_bytes()).unwrap();
    f.write_all(b"{\"not\":\"a record\"}\n").unwrap();
    f.write_all(lines[1].as_bytes()).unwrap();
    f.write_all(lines[2].as_bytes()).unwrap();
    f.write_all(&lines[3].as_bytes()[..cut]).unwrap();
    f.flush().unwrap();
    let ship = ship_in_process(&logs, &url, None);
    let mut c = connect(&url);
    wait(&mut c, "SELECT count(*) FROM logging.system_logs", 3);
    std::thread::sleep(Duration::from_millis(300));
    let n: i64 = c
        .query_one("SELECT count(*) FROM logging.system_logs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 3, "the cut line must wait");
    // The writer finishes the line.
    f.write_all(&lines[3].as_bytes()[cut..]).unwrap();
    f.flush().unwrap();
    wait(&mut c, "SELECT count(*) FROM logging.system_logs", 4);
    // A crash: half a record, then the zero padding of the writer's window.
    f.write_all(&lines[4].as_bytes()[..cut]).unwrap();
    f.write_all(&[0u8; 4096]).unwrap();
    f.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let m = ship.stop().unwrap();
    let seqs: Vec<String> = c
        .query(
            "SELECT data->'fields'->>'seq' FROM logging.system_logs ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seqs, ["0", "1", "2", "3"]);
    assert_eq!(m[0].abandoned, 1, "the line that is not a record: {m:?}");
    assert_eq!(m[0].records_sent, 4, "{m:?}");
    let dead = std::fs::read_to_string(tmp.path().join("dead-letter.jsonl")).unwrap();
    let e: serde_json::Value = serde_json::from_str(dead.lines().next().unwrap()).unwrap();
    assert!(
        e["reason"].as_str().unwrap().contains("not a record"),
        "{dead}"
    );
    assert_eq!(e["offset"].as_u64(), Some(lines[0].len() as u64), "{dead}");
    assert_eq!(e["record"]["not"], "a record");
}

#[test]
fn seed004_layout_one_table_with_its_five_indexes() {
    let url = fresh_db(&server_url(), "ship_seed004");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let now = ts_days_ago(0, 0);
    let mut text = String::new();
    for (i, level) in ["DEBUG", "INFO", "WARN", "ERROR", "TRACE"]
        .iter()
        .enumerate()
    {
        text.push_str(&record_line(
            &now,
            level,
            "log",
            "auth::login",
            &format!("m{i}"),
            None,
            "{\"user_id\":123}",
        ));
    }
    std::fs::write(logs.join("app.log"), text).unwrap();
    let ship = ship_in_process(&logs, &url, Some("myopenaiapi"));
    let mut c = connect(&url);
    wait(&mut c, "SELECT count(*) FROM public.myopenaiapi_logs", 5);
    ship.stop().unwrap();
    let levels: Vec<String> = c
        .query("SELECT level FROM myopenaiapi_logs ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(levels, ["DEBUG", "INFO", "WARNING", "ERROR", "TRACE"]);
    let r = c
        .query_one("SELECT logger_name, process_id, thread_id, hostname, extra_data->'fields'->>'user_id' FROM myopenaiapi_logs LIMIT 1", &[])
        .unwrap();
    assert_eq!(r.get::<_, String>(0), "auth::login");
    assert_eq!(r.get::<_, i32>(1), 10);
    assert_eq!(r.get::<_, i64>(2), 11);
    assert_eq!(r.get::<_, String>(3), "vm");
    assert_eq!(r.get::<_, String>(4), "123");
    let mut idx: Vec<String> = c
        .query("SELECT indexname FROM pg_indexes WHERE tablename = 'myopenaiapi_logs' AND indexname LIKE 'idx_%'", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    idx.sort();
    assert_eq!(
        idx,
        [
            "idx_myopenaiapi_logs_composite",
            "idx_myopenaiapi_logs_hostname",
            "idx_myopenaiapi_logs_level",
            "idx_myopenaiapi_logs_logger",
            "idx_myopenaiapi_logs_timestamp"
        ]
    );
    let seed003: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'logging'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(seed003, 0, "seed 004's layout creates no logging schema");
}

#[test]
fn retention_archives_and_deletes_by_table_and_logs_its_counts() {
    let url = fresh_db(&server_url(), "ship_retention");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let mut text = String::new();
    let trade = "{\"symbol\":\"AAPL\",\"side\":\"BUY\",\"qty\":1,\"price\":2.5}";
    let perf = "{\"operation\":\"op\",\"elapsed_ns\":1000}";
    for (days, level, kind, fields) in [
        (1, "INFO", "log", ""),
        (40, "INFO", "log", ""),
        (40, "ERROR", "log", ""),
        (100, "ERROR", "log", ""),
        (100, "DEBUG", "log", ""),
        (40, "INFO", "trade", trade),
        (100, "INFO", "trade", trade),
        (20, "INFO", "perf", perf),
        (40, "INFO", "perf", perf),
    ] {
        text.push_str(&record_line(
            &ts_days_ago(days, 0),
            level,
            kind,
            "app::x",
            &format!("{days}d {level} {kind}"),
            None,
            fields,
        ));
    }
    std::fs::write(logs.join("app.log"), text).unwrap();
    let ship = ship_in_process(&logs, &url, None);
    let mut c = connect(&url);
    wait(&mut c, "SELECT count(*) FROM logging.system_logs", 9);
    ship.stop().unwrap();

    let mut pg = logger_read::ship::postgres::PostgresDestination::new(
        logger_read::ship::postgres::PostgresConfig::new(&url),
    )
    .unwrap();
    let r = pg.run_retention(std::time::SystemTime::now()).unwrap();
    // system: 40d INFO, 40d trade, 40d perf, 100d DEBUG, 100d trade archived (30 d), 100d ERROR (90 d);
    // then archived rows older than 90 d deleted: the three 100 d ones.
    assert_eq!(r.archived, 6, "{r:?}");
    assert_eq!(r.deleted_archived, 3, "{r:?}");
    assert_eq!(r.deleted_trading, 1, "{r:?}");
    assert_eq!(r.deleted_performance, 1, "{r:?}");
    let left: Vec<String> = c
        .query(
            "SELECT message FROM logging.system_logs WHERE event_type <> 'retention' ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, ["1d INFO log", "40d ERROR log", "20d INFO perf"]);
    let archived: Vec<String> = c
        .query(
            "SELECT message FROM logging.archived_system_logs ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        archived,
        ["40d INFO log", "40d INFO trade", "40d INFO perf"]
    );
    let logged: String = c
        .query_one(
            "SELECT message FROM logging.system_logs WHERE event_type = 'retention'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        logged,
        "retention: archived 6 system_logs rows, deleted 3 archived, 1 trading, 1 performance rows"
    );
    // A second run finds nothing to do.
    let r = pg.run_retention(std::time::SystemTime::now()).unwrap();
    assert_eq!(r, logger_read::ship::postgres::RetentionReport::default());
}
