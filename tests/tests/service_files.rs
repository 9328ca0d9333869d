//! Services' own files and levels, and rotation and retention per file
//! (issue 15, items 1 and 2), through the public API: the six services of
//! the logging architecture (seed 003) from one configuration file, each
//! record read back from every file; per-file retention and archive of
//! earlier runs' rotated files at start-up; every error names its key.
//! Each scenario that installs the logger runs in a child process.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{child_command, is_child, records, run_child};
use logger::{FileSpec, InitError, ServiceSpec};
use serde_json::Value;

const DIR_VAR: &str = "LOGGER_TEST_SERVICE_DIR";
const LIMIT: Duration = Duration::from_secs(60);

/// The six services and levels of seed 003, as docs/configuration.md shows them.
const SIX_SERVICES: &str = r#"{
  "level": "info",
  "services": {
    "data_ingestion": {"prefixes": ["desk::data"], "level": "INFO", "file": "data_ingestion"},
    "strategy_engine": {"prefixes": ["desk::strategy"], "level": "DEBUG", "file": "strategy_engine"},
    "execution": {"prefixes": ["desk::execution"], "level": "INFO", "file": "execution"},
    "risk_management": {"prefixes": ["desk::risk"], "level": "WARNING", "file": "risk_management"},
    "analytics": {"prefixes": ["desk::analytics"], "level": "INFO", "file": "analytics"},
    "notification": {"prefixes": ["desk::notify"], "level": "INFO", "file": "notification"}
  }
}"#;

fn dir_from_env() -> std::path::PathBuf {
    std::env::var_os(DIR_VAR).expect(DIR_VAR).into()
}

/// The child of `six_services_from_the_config_file`.
#[test]
fn child_six_services() {
    if !is_child() {
        return;
    }
    let dir = dir_from_env();
    let guard = logger::builder()
        .dir(&dir)
        .config_file(dir.join("logger.json"))
        .install()
        .unwrap();
    log::info!(target: "desk::data::feed", "bars fetched");
    log::debug!(target: "desk::data::feed", "bar detail");
    log::debug!(target: "desk::strategy::mm", "signal computed");
    log::trace!(target: "desk::strategy::mm", "signal detail");
    log::info!(target: "desk::execution::orders", order_id = 42; "order created");
    logger::trade!(target: "desk::execution", symbol = "AAPL", side = "buy", qty = 100u64, price = 187.5);
    log::info!(target: "desk::risk", "limits loaded");
    log::warn!(target: "desk::risk::limits", "exposure at 95%");
    log::info!(target: "desk::analytics", "report ready");
    log::info!(target: "desk::notify", "alert sent");
    log::info!(target: "other", "no service file");
    log::debug!(target: "other", "below the global level");
    logger::flush().unwrap();
    drop(guard);
}

fn messages(dir: &Path, file: &str) -> Vec<String> {
    records(dir, file)
        .iter()
        .map(|r| {
            r["msg"]
                .as_str()
                .or(r["kind"].as_str())
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn six_services_from_the_config_file() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("logger.json"), SIX_SERVICES).unwrap();
    let out = run_child(
        child_command("child_six_services", &[(DIR_VAR, d.to_str().unwrap())]),
        LIMIT,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);

    assert_eq!(messages(d, "data_ingestion"), ["bars fetched"]);
    assert_eq!(messages(d, "strategy_engine"), ["signal computed"]);
    assert_eq!(
        messages(d, "execution"),
        ["order created", "trade"],
        "the trade record goes to its service's file too"
    );
    assert_eq!(messages(d, "risk_management"), ["exposure at 95%"]);
    assert_eq!(messages(d, "analytics"), ["report ready"]);
    assert_eq!(messages(d, "notification"), ["alert sent"]);
    for (file, service) in [
        ("data_ingestion", "data_ingestion"),
        ("strategy_engine", "strategy_engine"),
        ("execution", "execution"),
        ("risk_management", "risk_management"),
    ] {
        for r in records(d, file) {
            assert_eq!(r["service"], Value::from(service), "{file}: {r}");
        }
    }
    // The main file takes every record that passed, whatever its service.
    assert_eq!(
        messages(d, "app"),
        [
            "bars fetched",
            "signal computed",
            "order created",
            "trade",
            "exposure at 95%",
            "report ready",
            "alert sent",
            "no service file",
        ]
    );
    assert_eq!(messages(d, "trades"), ["trade"]);
    // A real line, as the README shows it.
    let line = std::fs::read_to_string(d.join("execution.log")).unwrap();
    println!("execution.log: {}", line.lines().next().unwrap());
}

/// Days since the epoch to a rotated-name stamp (`YYYYMMDDT120000.000`).
fn stamp_days_ago(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let z = now / 86_400 - days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}T120000.000")
}

/// The child of `per_file_retention_and_archive_at_start_up`.
#[test]
fn child_retention() {
    if !is_child() {
        return;
    }
    let dir = dir_from_env();
    let guard = logger::builder()
        .dir(&dir)
        .retention_days(Some(30))
        .archive_after_days(Some(7))
        .trades_file(Some(FileSpec::new("trades").retention_days(Some(90))))
        .errors_file(Some(
            FileSpec::new("errors")
                .level(log::LevelFilter::Error)
                .retention_days(Some(90)),
        ))
        .service_spec(
            ServiceSpec::new("execution").file(
                FileSpec::new("execution")
                    .retention_days(Some(5))
                    .archive_after_days(None),
            ),
        )
        .install()
        .unwrap();
    log::info!(target: "execution", "started");
    logger::flush().unwrap();
    // Dropping the guard lets the housekeeper finish its start-up sweeps.
    drop(guard);
}

#[test]
fn per_file_retention_and_archive_at_start_up() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = |file: &str, days: i64| format!("{file}.{}.log", stamp_days_ago(days));
    let files = [
        // (file, age in days, where it must end: "gone", "dir" or "archive")
        ("app", 40, "gone"),       // past the global 30 days
        ("app", 10, "archive"),    // past the global archive age
        ("app", 1, "dir"),         // recent
        ("trades", 40, "archive"), // trades keep 90 days
        ("trades", 100, "gone"),
        ("errors", 60, "archive"), // errors keep 90 days
        ("perf", 31, "gone"),      // perf: the global 30
        ("execution", 10, "gone"), // its own 5 days
        ("execution", 3, "dir"),   // and no archive
    ];
    for (file, days, _) in files {
        std::fs::write(
            d.join(name(file, days)),
            format!("{{\"msg\":\"{file} {days}\"}}\n"),
        )
        .unwrap();
    }
    let out = run_child(
        child_command("child_retention", &[(DIR_VAR, d.to_str().unwrap())]),
        LIMIT,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let archive = d.join("archive");
    for (file, days, place) in files {
        let n = name(file, days);
        let (in_dir, in_archive) = (
            d.join(&n).exists(),
            archive.join(format!("{n}.gz")).exists(),
        );
        let is = match (in_dir, in_archive) {
            (false, false) => "gone",
            (true, false) => "dir",
            (false, true) => "archive",
            (true, true) => "both",
        };
        assert_eq!(is, place, "{n}");
        if place == "archive" {
            let gz = std::fs::File::open(archive.join(format!("{n}.gz"))).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text)
                .unwrap();
            assert_eq!(text, format!("{{\"msg\":\"{file} {days}\"}}\n"), "{n}");
        }
    }
    // The service's file: the earlier run's rotated file, and this run's record.
    assert_eq!(messages(d, "execution"), ["execution 3", "started"]);
}

/// `install()`'s error for `builder`, which must fail before installing.
fn install_error(builder: logger::Builder) -> (&'static str, String) {
    match builder.install() {
        Err(InitError::InvalidOption { option, reason }) => (option, reason),
        Err(other) => panic!("expected InvalidOption, got {other}"),
        Ok(_) => panic!("installed: expected an error"),
    }
}

fn file_error(dir: &Path, json: &str) -> (&'static str, String) {
    let path = dir.join("logger.json");
    std::fs::write(&path, json).unwrap();
    install_error(logger::builder().dir(dir).config_file(&path))
}

#[test]
fn every_error_names_its_key() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (json, option, says) in [
        (
            r#"{"services": {"execution": {"level": "loud"}}}"#,
            "services",
            "execution.level: \"loud\" is not allowed",
        ),
        (
            r#"{"services": {"execution": {"lvl": "info"}}}"#,
            "services",
            "execution.lvl: unknown field `lvl` (did you mean `level`?), expected one of \
             `prefixes`, `level`, `file`",
        ),
        (
            r#"{"services": {"execution": {"file": {"rotation_time": "weekly"}}}}"#,
            "services",
            "execution.file.rotation_time: \"weekly\" is not allowed",
        ),
        (
            r#"{"services": {"execution": {"file": 3}}}"#,
            "services",
            "execution.file: 3 is not allowed",
        ),
        (
            r#"{"services": {"execution": {"file": "trades"}}}"#,
            "services",
            "file name \"trades\" is used by two destinations",
        ),
        (
            r#"{"services": {"execution": {"file": {"retention_days": 0}}}}"#,
            "services",
            "file \"execution\": retention_days: 0 days",
        ),
        (
            r#"{"services": {"exec ution": {"level": "info"}}}"#,
            "services",
            "\"exec ution\" is not a target path",
        ),
        (
            r#"{"services": {"execution": {"prefixes": ["desk::execution"]}}}"#,
            "services",
            "has neither a level nor a file",
        ),
        (
            r#"{"errors_file": {"retention_days": 90, "archive_after_days": 90}}"#,
            "errors_file",
            "file \"errors\": archive_after_days: 90 days is not less than retention_days (90)",
        ),
        (
            r#"{"trades_file": {"rotation_time": "fortnightly"}}"#,
            "trades_file",
            "rotation_time: \"fortnightly\" is not allowed",
        ),
        (
            r#"{"perf_file": {"enabled": false, "compress": true}}"#,
            "perf_file",
            "\"enabled\": false with a name, level or rotation key",
        ),
        (
            r#"{"retention_days": 30, "archive_after_days": 30}"#,
            "archive_after_days",
            "30 days is not less than retention_days (30)",
        ),
        (
            r#"{"backtrace_level": "debug", "backtrace_capacity": 8,
                "services": {"execution": {"level": "info"}}}"#,
            "services",
            "cannot be combined with the backtrace ring",
        ),
    ] {
        let (o, reason) = file_error(d, json);
        assert_eq!(o, option, "{json}: {reason}");
        assert!(reason.contains(says), "{json}: {reason}");
        assert!(reason.contains("logger.json"), "names the file: {reason}");
    }
    let (o, reason) = install_error(
        logger::builder()
            .dir(d)
            .trades_file(Some(FileSpec::new("trades").max_file_bytes(Some(0)))),
    );
    assert_eq!(o, "trades_file");
    assert!(
        reason.contains("max_file_bytes: 0 is not a size"),
        "{reason}"
    );
    let (o, reason) = install_error(
        logger::builder()
            .dir(d)
            .service_spec(ServiceSpec::new("app").file(FileSpec::new("app"))),
    );
    assert_eq!(o, "services");
    assert!(reason.contains("used by two destinations"), "{reason}");
}

/// The child of `set_filter_keeps_the_services_levels`.
#[test]
fn child_set_filter() {
    if !is_child() {
        return;
    }
    let guard = logger::builder()
        .dir(dir_from_env())
        .service_spec(
            ServiceSpec::new("risk")
                .prefix("desk::risk")
                .level(log::LevelFilter::Warn),
        )
        .install()
        .unwrap();
    let round = |n: u32| {
        log::info!(target: "desk::risk", "risk info {n}");
        log::debug!(target: "desk::other", "other debug {n}");
    };
    round(1);
    logger::set_filter("debug").unwrap();
    round(2);
    logger::set_filter("debug,desk::risk=info").unwrap();
    round(3);
    logger::flush().unwrap();
    drop(guard);
}

#[test]
fn set_filter_keeps_the_services_levels() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run_child(
        child_command("child_set_filter", &[(DIR_VAR, d.to_str().unwrap())]),
        LIMIT,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    // Round 1: the global info drops the debug record, the service's warn
    // its info one; round 2: `debug` has no directive for desk::risk, so
    // the service's level stays; round 3: a directive for it wins.
    assert_eq!(
        messages(d, "app"),
        ["other debug 2", "risk info 3", "other debug 3"]
    );
}
