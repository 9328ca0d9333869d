//! Files written with a named formatter (text, logfmt, JSON with renamed
//! keys) beside the standard JSON lines: `cat`, `trace`, `stats` and
//! `tail` read the JSON files and skip the others with one message each,
//! naming the file and its format (never a line-by-line flood); `ship`
//! refuses such a source with one clear error.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{arg, cli, stderr, stdout};

const CHILD_VAR: &str = "LOGGER_CLI_TEST_FOREIGN_DIR";
const ORDERS: u64 = 40;

/// The child: the main file in the default JSON; errors in text (small
/// files, so that it rotates), trades in JSON with renamed keys, perf in
/// logfmt.
#[test]
fn child_foreign_writer() {
    let Some(dir) = std::env::var_os(CHILD_VAR) else {
        return;
    };
    let ecs = logger::JsonOptions::default()
        .rename("ts", "@timestamp")
        .rename("msg", "message");
    let guard = logger::builder()
        .dir(Path::new(&dir))
        .formatter("human", logger::FormatterSpec::text())
        .formatter("ecs", logger::FormatterSpec::json(ecs))
        .formatter("loki", logger::FormatterSpec::logfmt())
        .errors_file(Some(
            logger::FileSpec::new("errors")
                .level(log::LevelFilter::Error)
                .max_file_bytes(Some(2048))
                .formatter("human"),
        ))
        .trades_file(Some(logger::FileSpec::new("trades").formatter("ecs")))
        .perf_file(Some(logger::FileSpec::new("perf").formatter("loki")))
        .install()
        .expect("install");
    for i in 0..ORDERS {
        let _corr = logger::correlation(format!("ord-{i}"));
        log::info!(target: "desk::orders", order_id = i; "order placed");
        log::error!(target: "desk::risk", order_id = i; "order rejected");
        logger::trade!(symbol = "AAPL", side = "buy", qty = i, price = 1.5);
        logger::perf!("risk_check", 1_000u64 + i);
        if i % 10 == 9 {
            // Rotations in different milliseconds get different names.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    drop(guard);
}

/// Runs `cmd` to its end, killing it (and failing) past `limit`.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn write_logs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_foreign_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_VAR, dir.path())
        .env_remove("RUST_LOG")
        .env_remove("LOGGER_LEVEL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "writer child failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// The messages of `err` about skipped files: one per foreign destination,
/// each naming its file and format; nothing about single lines.
fn check_skip_messages(d: &Path, err: &str) {
    let errors_files = common::files_of(d, "errors").len();
    assert!(errors_files >= 2, "the errors file did not rotate");
    let expect = [
        (
            "errors",
            format!("{errors_files} files written in the text format"),
        ),
        (
            "trades",
            "1 file JSON with renamed keys (`@timestamp` is not a record key)".to_string(),
        ),
        ("perf", "1 file written in logfmt".to_string()),
    ];
    for (stem, says) in &expect {
        let path = d.join(format!("{stem}.log"));
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.contains(&*path.to_string_lossy()))
            .collect();
        assert_eq!(lines.len(), 1, "{stem}: {err}");
        assert!(lines[0].contains(says.as_str()), "{stem}: {err}");
        assert!(lines[0].contains("skipped"), "{err}");
    }
    assert_eq!(err.lines().count(), 3, "only the three messages: {err}");
    assert!(!err.contains("not a record:"), "{err}");
}

#[test]
fn cat_trace_stats_and_tail_skip_files_in_another_format() {
    if std::env::var_os(CHILD_VAR).is_some() {
        return;
    }
    let dir = write_logs();
    let d = dir.path();

    // cat: every record of the main file, nothing from the others.
    let out = cli(&["cat", "--output", "json", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    check_skip_messages(d, &stderr(&out));
    let records: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let from_app = common::records_of(d, "app");
    assert_eq!(records, from_app);
    assert_eq!(
        records
            .iter()
            .filter(|r| r["target"] == "desk::risk")
            .count() as u64,
        ORDERS
    );

    // trace: one order's records, from the main file.
    let out = cli(&["trace", "ord-7", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    check_skip_messages(d, &stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("order placed") && text.contains("order rejected"),
        "{text}"
    );

    // stats: counts the main file's records only.
    let out = cli(&["stats", "--json", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    check_skip_messages(d, &stderr(&out));
    let stats: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(stats["records"], from_app.len(), "{stats}");

    // tail: the last records, from the main file.
    let out = cli(&["tail", "-n", "3", "--output", "json", arg(d)]);
    assert!(out.status.success(), "{}", stderr(&out));
    check_skip_messages(d, &stderr(&out));
    let text = stdout(&out);
    let last: Vec<&str> = text.lines().collect();
    assert_eq!(last.len(), 3, "{text}");
    for l in last {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v.get("ts").is_some(), "{l}");
    }

    // A file named on its own is skipped the same way, and with nothing
    // else to read the command fails saying why.
    let out = cli(&["cat", arg(&d.join("perf.log"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("written in logfmt"), "{err}");
    assert!(
        err.contains("no log files in the standard JSON lines format"),
        "{err}"
    );
}

#[test]
fn ship_refuses_a_source_in_another_format() {
    if std::env::var_os(CHILD_VAR).is_some() {
        return;
    }
    let dir = write_logs();
    let d = dir.path();
    let sink = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let config = d.join("ship.toml");
    std::fs::write(
        &config,
        format!(
            "paths = [{:?}]\nstems = [\"perf\"]\npoll_interval_ms = 20\n\
             [net]\naddress = \"{}\"\nprotocol = \"udp\"\n",
            arg(d),
            sink.local_addr().unwrap()
        ),
    )
    .unwrap();
    let out = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_logger")).args(["ship", "--config", arg(&config)]),
        Duration::from_secs(30),
    );
    assert!(!out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let perf = d.join("perf.log");
    assert!(
        err.contains(&*perf.to_string_lossy()) && err.contains("written in logfmt"),
        "{err}"
    );
    assert!(
        err.lines().count() <= 3,
        "one clear error, not a flood: {err}"
    );
    sink.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 65536];
    assert!(sink.recv(&mut buf).is_err(), "a logfmt line was shipped");
}
