//! The JSON format's options (`json_options`): keys left out and keys
//! renamed, from the builder and from the configuration file, read back
//! from the files a child process wrote; bad options rejected at install
//! naming the option.

mod common;

use std::time::Duration;

/// The keys of a raw line, in the order they appear (top level only).
fn top_keys(line: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<(usize, String)> = obj
        .keys()
        .map(|k| {
            let quoted = format!("{}:", serde_json::to_string(k).unwrap());
            (line.find(&quoted).unwrap(), k.clone())
        })
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

/// Logs the same records three times from one call site (the second and
/// third copy the cached parts), with context and fields, to `dir`.
fn log_some() {
    for i in 0..3u64 {
        let _c = logger::correlation(format!("order-{i}"));
        let _b = logger::bind!(strategy = "mm1");
        log::warn!(target: "risk", qty = i; "limit breached");
        logger::trade!(symbol = "AAPL", side = "buy", qty = i, price = 1.5);
    }
    logger::flush().unwrap();
}

#[test]
fn builder_options_leave_out_and_rename_keys() {
    if common::is_child() {
        let dir = std::env::var("JSON_DIR").unwrap();
        let json = logger::JsonOptions {
            include_module: false,
            include_location: false,
            include_pid: false,
            include_host: false,
            include_context: false,
            ..Default::default()
        }
        .rename("ts", "timestamp")
        .rename("msg", "message")
        .rename("level", "severity");
        let guard = logger::builder()
            .dir(dir)
            .json_options(json)
            .install()
            .unwrap();
        log_some();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "builder_options_leave_out_and_rename_keys",
        "JSON_DIR",
        Duration::from_secs(30),
    );
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("\"risk\"")).collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (i, line) in lines.iter().enumerate() {
        assert!(line.starts_with("{\"timestamp\":\""), "{line}");
        assert_eq!(
            top_keys(line),
            [
                "timestamp",
                "severity",
                "kind",
                "target",
                "service",
                "message",
                "function",
                "thread",
                "tid",
                "correlation_id",
                "fields"
            ]
            .into_iter()
            .filter(|k| *k != "function" || line.contains("\"function\""))
            .collect::<Vec<_>>(),
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["severity"], "WARN");
        assert_eq!(v["message"], "limit breached");
        assert_eq!(v["fields"]["qty"], i as u64);
        assert_eq!(v["correlation_id"], format!("order-{i}"));
    }
    let trades = common::records(dir.path(), "trades");
    assert_eq!(trades.len(), 3);
    for t in &trades {
        assert!(t.get("timestamp").is_some() && t.get("ts").is_none(), "{t}");
        assert!(t.get("host").is_none() && t.get("file").is_none(), "{t}");
        assert_eq!(t["fields"]["symbol"], "AAPL");
    }
}

#[test]
fn config_file_options_leave_out_and_rename_keys() {
    if common::is_child() {
        let dir = std::path::PathBuf::from(std::env::var("JSON_DIR").unwrap());
        let file = dir.join("logger.json");
        std::fs::write(
            &file,
            r#"{"json_options": {"include_thread": false, "include_tid": false,
                "include_service": false, "include_function": false,
                "rename": {"fields": "attributes", "correlation_id": "trace_id"}}}"#,
        )
        .unwrap();
        let guard = logger::builder()
            .dir(&dir)
            .config_file(&file)
            .install()
            .unwrap();
        log_some();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "config_file_options_leave_out_and_rename_keys",
        "JSON_DIR",
        Duration::from_secs(30),
    );
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("\"risk\"")).collect();
    assert_eq!(lines.len(), 3, "{text}");
    for line in lines {
        assert_eq!(
            top_keys(line),
            [
                "ts",
                "level",
                "kind",
                "target",
                "msg",
                "module",
                "file",
                "line",
                "pid",
                "host",
                "trace_id",
                "context",
                "attributes"
            ],
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["context"]["strategy"], "mm1");
    }
}

#[test]
fn bad_options_are_rejected_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    for (json, what) in [
        (
            logger::JsonOptions::default().rename("stamp", "t"),
            "unknown key \"stamp\"",
        ),
        (
            logger::JsonOptions::default().rename("msg", ""),
            "\"msg\" renamed to an empty name",
        ),
        (
            logger::JsonOptions::default()
                .rename("msg", "m")
                .rename("level", "m"),
            "keys \"level\" and \"msg\" would both be written as \"m\"",
        ),
        (
            logger::JsonOptions::default().rename("ts", "host"),
            "keys \"ts\" and \"host\" would both be written as \"host\"",
        ),
    ] {
        let e = logger::builder()
            .dir(dir.path())
            .json_options(json)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("`json_options`"), "{e}");
        assert!(e.contains(what), "{e}");
    }
    // Leaving `host` out frees its name.
    logger::builder()
        .dir(dir.path())
        .json_options(
            logger::JsonOptions {
                include_host: false,
                ..Default::default()
            }
            .rename("ts", "host"),
        )
        .validate()
        .unwrap();
}

#[test]
fn bad_config_file_options_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (json, what) in [
        (
            r#"{"json_options": {"include_modul": false}}"#,
            "include_modul",
        ),
        (
            r#"{"json_options": {"rename": {"msg": 3}}}"#,
            "rename of \"msg\"",
        ),
        (
            r#"{"json_options": {"rename": {"msg": "level"}}}"#,
            "would both be written as \"level\"",
        ),
    ] {
        let file = dir.path().join("logger.json");
        std::fs::write(&file, json).unwrap();
        let e = logger::builder()
            .dir(dir.path())
            .config_file(&file)
            .install()
            .err()
            .unwrap_or_else(|| panic!("{json} was accepted"))
            .to_string();
        assert!(e.contains("json_options"), "{json}: {e}");
        assert!(e.contains(what), "{json}: {e}");
    }
}

/// 2026-11-21T23:59:58.999999000Z, the simulated clock's time in the
/// timestamp tests.
const AT_NS: u64 = 1_795_305_598_999_999_000;

/// Installs with `json` and a simulated clock at [`AT_NS`], or with the
/// configuration file `file` when it is given, and logs one record.
fn log_at(dir: &str, json: logger::JsonOptions, file: Option<&str>) {
    let clock = std::sync::Arc::new(logger::SimulatedClock::new(AT_NS));
    let mut builder = logger::builder()
        .dir(dir)
        .user_clock(clock)
        .json_options(json);
    if let Some(text) = file {
        let path = std::path::Path::new(dir).join("logger.json");
        std::fs::write(&path, text).unwrap();
        builder = builder.config_file(path);
    }
    let guard = builder.install().unwrap();
    log::info!(target: "clock", "at");
    logger::flush().unwrap();
    drop(guard);
}

fn clock_record(dir: &std::path::Path) -> (serde_json::Value, String) {
    let text = std::fs::read_to_string(dir.join("app.log")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("\"clock\""))
        .unwrap_or_else(|| panic!("no record of target clock in\n{text}"));
    (serde_json::from_str(line).unwrap(), line.to_string())
}

#[test]
fn epoch_nanoseconds_are_a_number() {
    if common::is_child() {
        let json = logger::JsonOptions {
            timestamp: logger::TimestampFormat::EpochNanos,
            ..Default::default()
        };
        return log_at(&std::env::var("JSON_DIR").unwrap(), json, None);
    }
    let (dir, _) = common::run_child_in_dir(
        "epoch_nanoseconds_are_a_number",
        "JSON_DIR",
        Duration::from_secs(30),
    );
    let (v, line) = clock_record(dir.path());
    assert_eq!(v["ts"].as_u64(), Some(AT_NS), "{line}");
    assert!(
        line.starts_with("{\"ts\":1795305598999999000,\"level\":"),
        "{line}"
    );
}

#[test]
fn microseconds_in_utc_from_the_builder() {
    if common::is_child() {
        let json = logger::JsonOptions {
            timestamp: logger::TimestampFormat::Rfc3339Micros,
            ..Default::default()
        }
        .rename("ts", "time");
        return log_at(&std::env::var("JSON_DIR").unwrap(), json, None);
    }
    let (dir, _) = common::run_child_in_dir(
        "microseconds_in_utc_from_the_builder",
        "JSON_DIR",
        Duration::from_secs(30),
    );
    let (v, line) = clock_record(dir.path());
    assert_eq!(v["time"], "2026-11-21T23:59:58.999999Z", "{line}");
}

#[test]
fn milliseconds_in_local_time_from_the_config_file() {
    if common::is_child() {
        let file = r#"{"json_options": {"timestamp": "rfc3339_ms", "timestamp_zone": "local"}}"#;
        let dir = std::env::var("JSON_DIR").unwrap();
        return log_at(&dir, logger::JsonOptions::default(), Some(file));
    }
    let dir = tempfile::tempdir().unwrap();
    // A POSIX zone five and a half hours east of UTC, no tzdata needed.
    let env = [
        ("JSON_DIR", dir.path().to_str().unwrap()),
        ("TZ", "XST-5:30"),
    ];
    let out = common::run_child(
        common::child_command("milliseconds_in_local_time_from_the_config_file", &env),
        Duration::from_secs(30),
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let (v, line) = clock_record(dir.path());
    // 23:59:58.999999 UTC is 05:29:58.999 the next day at +05:30.
    assert_eq!(v["ts"], "2026-11-22T05:29:58.999+05:30", "{line}");
}

#[test]
fn bad_timestamp_options_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let e = logger::builder()
        .dir(dir.path())
        .json_options(logger::JsonOptions {
            timestamp: logger::TimestampFormat::EpochNanos,
            timestamp_zone: logger::TimeZone::Local,
            ..Default::default()
        })
        .validate()
        .unwrap_err()
        .to_string();
    assert!(e.contains("`json_options`") && e.contains("no zone"), "{e}");
    for (json, what) in [
        (
            r#"{"json_options": {"timestamp": "iso"}}"#,
            "unknown timestamp format \"iso\"",
        ),
        (
            r#"{"json_options": {"timestamp_zone": "mars"}}"#,
            "unknown timestamp_zone \"mars\"",
        ),
    ] {
        let file = dir.path().join("logger.json");
        std::fs::write(&file, json).unwrap();
        let e = logger::builder()
            .dir(dir.path())
            .config_file(&file)
            .install()
            .err()
            .unwrap_or_else(|| panic!("{json} was accepted"))
            .to_string();
        assert!(
            e.contains("json_options") && e.contains(what),
            "{json}: {e}"
        );
    }
}
