//! `logger ship`: argument errors, and shipping a directory written by the
//! library into a real PostgreSQL server (`scripts/test-all.sh` starts one
//! and sets `LOGGER_TEST_PG_URL`), stopped by SIGTERM after every record
//! is in its table exactly once.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, cli, records_of, stderr};

#[test]
fn child_writer() {
    common::child_main();
}

#[test]
fn ship_without_a_destination_names_the_options() {
    let out = cli(&["ship"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--config") && err.contains("--postgres"),
        "{err}"
    );
    let out = cli(&["ship", "--postgres", "postgres://u@127.0.0.1/x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("directories"), "{}", stderr(&out));
}

#[test]
fn ship_check_against_a_closed_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(&[
        "ship",
        "--check",
        "--postgres",
        "postgres://u:pw@127.0.0.1:1/x?connect_timeout=2",
        arg(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("127.0.0.1"), "{}", stderr(&out));
}

/// `--check` refuses what the shipper itself would refuse at start: a
/// `paths` entry that is neither a directory nor a log file, even when
/// every destination answers (a TCP listener held by the test).
#[test]
fn ship_check_names_a_path_that_does_not_exist() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-logs");
    let config = dir.path().join("ship.toml");
    let toml = format!(
        "paths = [{:?}]\n[net]\naddress = \"127.0.0.1:{port}\"\nprotocol = \"tcp\"\n",
        missing.display().to_string()
    );
    std::fs::write(&config, toml).unwrap();
    let out = cli(&["ship", "--check", "--config", arg(&config)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "paths: {} is neither a directory nor a log file",
            missing.display()
        )),
        "{}",
        stderr(&out)
    );
    // The same configuration with the directory in place passes.
    std::fs::create_dir(&missing).unwrap();
    let out = cli(&["ship", "--check", "--config", arg(&config)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    drop(listener);
}

/// `psql URL -tAc SQL`, its output trimmed.
fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql (Debian package postgresql-client; run scripts/test-all.sh)");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn ship_loads_every_record_once_and_stops_on_sigterm() {
    let admin = std::env::var("LOGGER_TEST_PG_URL").expect(
        "LOGGER_TEST_PG_URL is not set: this test needs the PostgreSQL server that \
         scripts/test-all.sh starts (run the tests with scripts/test-all.sh)",
    );
    let db = format!("cli_ship_{}", std::process::id());
    psql(&admin, &format!("DROP DATABASE IF EXISTS {db}"));
    psql(&admin, &format!("CREATE DATABASE {db}"));
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => panic!("LOGGER_TEST_PG_URL {admin:?} has no database path"),
    };
    let dir = common::write_logs("ship");
    let expected = records_of(dir.path(), "app").len();
    assert!(expected > 500, "{expected}");

    let ship = Command::new(env!("CARGO_BIN_EXE_logger"))
        .args([
            "ship",
            "--postgres",
            &url,
            "--batch-records",
            "500",
            arg(dir.path()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let count = || -> usize {
        let n = Command::new("psql")
            .args([&url, "-tAc", "SELECT count(*) FROM logging.system_logs"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        n.and_then(|s| s.parse().ok()).unwrap_or(0)
    };
    let mut loaded = 0;
    while Instant::now() < deadline {
        loaded = count();
        if loaded >= expected {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-TERM", &ship.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = ship.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "logger ship: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(loaded, expected, "rows loaded before SIGTERM");
    assert_eq!(
        count(),
        expected,
        "rows after SIGTERM: nothing loaded twice"
    );
    let sent: u64 = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|m| m["records_sent"].as_u64())
        .sum();
    assert_eq!(sent, expected as u64, "{stdout}");
    let trades: usize = psql(&url, "SELECT count(*) FROM logging.trading_logs")
        .parse()
        .unwrap();
    assert_eq!(trades as u64, common::ORDERS);
    psql(&admin, &format!("DROP DATABASE {db} WITH (FORCE)"));
}
