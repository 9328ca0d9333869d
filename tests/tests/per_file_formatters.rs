//! Formatters per destination: named formatters (`formatters`, and each
//! file's `formatter`), from the builder and from the configuration file,
//! read back from the files a child process wrote; the text format's
//! `field_separator`; bad names and options rejected at install naming
//! the key.

mod common;

use std::time::Duration;

/// One record of each kind and level, from fixed call sites, twice (the
/// second copies the formatters' cached parts).
fn log_some() {
    for i in 0..2u64 {
        let _c = logger::correlation(format!("order-{i}"));
        log::info!(target: "desk::execution", venue = "XNAS"; "routed {i}");
        log::error!(target: "risk", qty = i; "limit breached");
        logger::trade!(symbol = "AAPL", side = "buy", qty = i, price = 1.5);
        logger::perf!("match", 1200u64, venue = "XNAS");
    }
    logger::flush().unwrap();
}

/// The lines of `dir/<name>.log` holding `needle`.
fn lines_with(dir: &std::path::Path, name: &str, needle: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap();
    text.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

/// Checks the files of [`log_some`] written with: app default JSON,
/// errors text with `" :: "`, trades JSON with `@timestamp`/`message`,
/// perf logfmt, the execution service's file text with a tab.
fn check_files(dir: &std::path::Path) {
    // The main file: the default JSON, standard keys.
    let app = lines_with(dir, "app", "limit breached");
    assert_eq!(app.len(), 2);
    for line in &app {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["ts"].as_str().unwrap().ends_with('Z'), "{line}");
        assert_eq!(v["msg"], "limit breached", "{line}");
        assert_eq!(v["level"], "ERROR", "{line}");
    }
    // The errors file: text, its own separator, nothing but errors.
    let errors = std::fs::read_to_string(dir.join("errors.log")).unwrap();
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 2, "{errors}");
    for (i, line) in lines.iter().enumerate() {
        let parts: Vec<&str> = line.split(" :: ").collect();
        assert_eq!(parts.len(), 4, "{line}");
        assert_eq!(
            parts[0].len(),
            "2026-11-21 10:30:45.123456789".len(),
            "{line}"
        );
        assert_eq!(parts[1], "ERROR", "{line}");
        assert!(parts[2].starts_with("risk:"), "{line}");
        assert_eq!(
            parts[3],
            format!("limit breached qty={i} correlation_id=order-{i}"),
            "{line}"
        );
    }
    // The trades file: JSON with two keys renamed and no host.
    let trades = common::records(dir, "trades");
    assert_eq!(trades.len(), 2);
    for t in &trades {
        assert!(t["@timestamp"].as_str().is_some(), "{t}");
        assert!(t.get("ts").is_none() && t.get("host").is_none(), "{t}");
        assert_eq!(t["fields"]["symbol"], "AAPL", "{t}");
    }
    // The perf file: logfmt.
    let perf = lines_with(dir, "perf", "match");
    assert_eq!(perf.len(), 2);
    for line in &perf {
        assert!(
            line.starts_with("ts=") && line.contains(" level=info kind=perf "),
            "{line}"
        );
    }
    // The execution service's own file: text with a tab.
    let execution = lines_with(dir, "execution", "routed");
    assert_eq!(execution.len(), 2);
    for (i, line) in execution.iter().enumerate() {
        let parts: Vec<&str> = line.split('\t').collect();
        assert_eq!(parts.len(), 4, "{line:?}");
        assert_eq!(parts[1], "INFO ", "{line:?}");
        assert_eq!(
            parts[3],
            format!("routed {i} venue=XNAS correlation_id=order-{i}")
        );
    }
    // ... and the same records in the main file, in the default JSON.
    assert_eq!(lines_with(dir, "app", "\"msg\":\"routed").len(), 2);
}

#[test]
fn each_file_is_written_with_its_formatter_from_the_builder() {
    if common::is_child() {
        let dir = std::env::var("FMT_DIR").unwrap();
        let ecs = logger::JsonOptions {
            include_host: false,
            ..Default::default()
        }
        .rename("ts", "@timestamp")
        .rename("msg", "message");
        let guard = logger::builder()
            .dir(dir)
            .formatter(
                "human",
                logger::FormatterSpec::text().field_separator(" :: "),
            )
            .formatter("ecs", logger::FormatterSpec::json(ecs))
            .formatter("loki", logger::FormatterSpec::logfmt())
            .formatter("tabs", logger::FormatterSpec::text().field_separator("\t"))
            .errors_file(Some(
                logger::FileSpec::new("errors")
                    .level(log::LevelFilter::Error)
                    .formatter("human"),
            ))
            .trades_file(Some(logger::FileSpec::new("trades").formatter("ecs")))
            .perf_file(Some(logger::FileSpec::new("perf").formatter("loki")))
            .service_spec(
                logger::ServiceSpec::new("execution")
                    .prefix("desk::execution")
                    .file(logger::FileSpec::new("execution").formatter("tabs")),
            )
            .install()
            .unwrap();
        log_some();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "each_file_is_written_with_its_formatter_from_the_builder",
        "FMT_DIR",
        Duration::from_secs(30),
    );
    check_files(dir.path());
}

const CONFIG: &str = r#"{
    "formatters": {
        "human": {"format": "text", "field_separator": " :: "},
        "ecs": {"format": "json", "json_options": {
            "include_host": false, "rename": {"ts": "@timestamp", "msg": "message"}}},
        "loki": {"format": "logfmt"},
        "tabs": {"format": "text", "field_separator": "\t", "time_zone": "utc"}
    },
    "errors_file": {"formatter": "human"},
    "trades_file": {"formatter": "ecs"},
    "perf_file": {"formatter": "loki"},
    "services": {"execution": {"prefixes": ["desk::execution"],
                               "file": {"name": "execution", "formatter": "tabs"}}}
}"#;

#[test]
fn each_file_is_written_with_its_formatter_from_the_config_file() {
    if common::is_child() {
        let dir = std::path::PathBuf::from(std::env::var("FMT_DIR").unwrap());
        let file = dir.join("logger.json");
        std::fs::write(&file, CONFIG).unwrap();
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
        "each_file_is_written_with_its_formatter_from_the_config_file",
        "FMT_DIR",
        Duration::from_secs(30),
    );
    check_files(dir.path());
}

/// The backtrace ring holds a record's line of every formatter: the
/// debug records it writes before an error reach the main file in JSON
/// and the `debug` file in text.
#[test]
fn the_backtrace_ring_keeps_each_formatters_line() {
    if common::is_child() {
        let dir = std::env::var("FMT_DIR").unwrap();
        let guard = logger::builder()
            .dir(dir)
            .level(log::LevelFilter::Info)
            .backtrace(log::LevelFilter::Debug, 8)
            .formatter("human", logger::FormatterSpec::text())
            .errors_file(Some(logger::FileSpec::new("debug").formatter("human")))
            .install()
            .unwrap();
        for i in 0..3 {
            log::debug!(target: "bt", "step {i}");
        }
        log::error!(target: "bt", "failed");
        logger::flush().unwrap();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "the_backtrace_ring_keeps_each_formatters_line",
        "FMT_DIR",
        Duration::from_secs(30),
    );
    let app: Vec<String> = common::records(dir.path(), "app")
        .iter()
        .filter(|r| r["target"] == "bt")
        .map(|r| r["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(app, ["step 0", "step 1", "step 2", "failed"]);
    let debug = lines_with(dir.path(), "debug", "| bt:");
    assert_eq!(debug.len(), 4, "{debug:?}");
    for (line, msg) in debug.iter().zip(["step 0", "step 1", "step 2", "failed"]) {
        assert!(line.ends_with(&format!(" | {msg}")), "{line}");
    }
    assert!(debug[0].contains(" | DEBUG | "), "{}", debug[0]);
    assert!(debug[3].contains(" | ERROR | "), "{}", debug[3]);
}

/// The console in a named formatter (logfmt) instead of the text format.
#[test]
fn the_console_uses_its_named_formatter() {
    if common::is_child() {
        let dir = std::env::var("FMT_DIR").unwrap();
        let guard = logger::builder()
            .dir(dir)
            .console(Some(log::LevelFilter::Warn))
            .console_color(logger::ConsoleColor::Never)
            .formatter("loki", logger::FormatterSpec::logfmt())
            .console_formatter("loki")
            .install()
            .unwrap();
        log::warn!(target: "console_fmt", "disk at 91%");
        drop(guard);
        return;
    }
    let (_dir, out) = common::run_child_in_dir(
        "the_console_uses_its_named_formatter",
        "FMT_DIR",
        Duration::from_secs(30),
    );
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("console_fmt"))
        .unwrap_or_else(|| panic!("no console line in {:?}", out.stderr));
    assert!(
        line.starts_with("ts=") && line.contains(" level=warn kind=log target=console_fmt "),
        "{line}"
    );
    assert!(line.contains(" msg=\"disk at 91%\" "), "{line}");
}

/// The error of installing with `config` (no logger starts).
fn install_error(config: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logger.json");
    std::fs::write(&file, config).unwrap();
    let e = logger::builder()
        .dir(dir.path())
        .config_file(&file)
        .install()
        .err()
        .unwrap_or_else(|| panic!("{config} was accepted"));
    match &e {
        logger::InitError::InvalidOption { option, .. } => (option.to_string(), e.to_string()),
        other => panic!("{config}: expected InvalidOption, got {other}"),
    }
}

#[test]
fn bad_formatters_are_refused_at_install_naming_the_key() {
    let cases = [
        (
            r#"{"main_file": {"formatter": "nope"}}"#,
            "main_file",
            "formatter \"nope\" is not defined",
        ),
        (
            r#"{"formatters": {"human": {"format": "text"}}}"#,
            "formatters",
            "\"human\" is not used",
        ),
        (
            r#"{"formatters": {"h": {"format": "text", "field_separator": "\n"}},
                "main_file": {"formatter": "h"}}"#,
            "formatters",
            "\"h\": field_separator: \"\\n\" holds the control character",
        ),
        (
            r#"{"formatters": {"h": {"format": "text", "field_separator": " "}},
                "main_file": {"formatter": "h"}}"#,
            "formatters",
            "only spaces",
        ),
        (
            r#"{"formatters": {"h": {"format": "logfmt", "field_separator": ";"}},
                "main_file": {"formatter": "h"}}"#,
            "formatters",
            "\"h\": field_separator: is only used by the text format, not by logfmt",
        ),
        (
            r#"{"formatters": {"h": {"format": "text", "json_options": {"include_host": false}}},
                "main_file": {"formatter": "h"}}"#,
            "formatters",
            "\"h\".json_options: is only used by the json format",
        ),
        (
            r#"{"formatters": {"j": {"format": "json", "json_options": {"rename": {"stamp": "x"}}}},
                "main_file": {"formatter": "j"}}"#,
            "formatters",
            "unknown key \"stamp\" to rename",
        ),
        (
            r#"{"formatters": {"j": {"format": "yaml"}}, "main_file": {"formatter": "j"}}"#,
            "formatters",
            "\"j\".format: \"yaml\" is not allowed",
        ),
        (
            r#"{"formatters": {"j": {"format": "json", "separator": ";"}},
                "main_file": {"formatter": "j"}}"#,
            "formatters",
            "unknown field `separator`",
        ),
        (
            r#"{"formatters": {"j": {"format": "json"}}, "console_formatter": "j"}"#,
            "console_formatter",
            "there is no console",
        ),
    ];
    for (config, key, what) in cases {
        let (option, message) = install_error(config);
        assert_eq!(option, key, "{config}: {message}");
        assert!(message.contains(what), "{config}: {message}");
        assert!(message.contains("logger.json"), "{config}: {message}");
    }
}

#[test]
fn bad_formatters_are_refused_by_the_builder() {
    let e = logger::builder()
        .formatter("h", logger::FormatterSpec::text().field_separator("a=b"))
        .main_file(Some(logger::FileSpec::new("app").formatter("h")))
        .validate()
        .unwrap_err();
    assert!(
        e.to_string().contains("formatters") && e.to_string().contains("\"a=b\" holds '='"),
        "{e}"
    );
    let e = logger::builder()
        .main_file(Some(logger::FileSpec::new("app").formatter("ecs")))
        .validate()
        .unwrap_err();
    assert!(
        e.to_string().contains("the named formatters are none"),
        "{e}"
    );
}
