//! Errors logged as values are written with their `Display`, their whole
//! `source()` chain as a JSON array and, when asked (`error_backtrace`)
//! or when `RUST_BACKTRACE` is set, a backtrace: through `log`'s
//! `err:err` capture, a `trade!`/`perf!` field, a `#[log_performance]`
//! `err` outcome, and the panic record. Each scenario runs in a child
//! process (one logger per process, its own environment).

mod common;

use std::error::Error;
use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

/// `order 42 rejected` <- `send failed` <- `connection reset by peer`.
#[derive(Debug)]
struct Layer(&'static str, Option<Box<Layer>>);

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Error for Layer {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.1.as_deref().map(|e| e as _)
    }
}

fn rejected() -> Layer {
    Layer(
        "order 42 rejected",
        Some(Box::new(Layer(
            "send failed",
            Some(Box::new(Layer("connection reset by peer", None))),
        ))),
    )
}

const SOURCES: [&str; 2] = ["send failed", "connection reset by peer"];

#[logger::log_performance(name = "submit_typed")]
fn submit_typed() -> Result<(), Layer> {
    Err(rejected())
}

#[logger::log_performance(name = "submit_boxed")]
fn submit_boxed() -> Result<(), Box<dyn Error + Send + Sync>> {
    Err(Box::new(rejected()))
}

/// The child: logs one error each way, then a panic on a named thread.
fn log_every_way(dir: &str, config: Option<&str>) {
    let mut b = logger::builder().dir(dir);
    if let Some(json) = config {
        let path = std::path::Path::new(dir).join("logger.json");
        std::fs::write(&path, json).unwrap();
        b = b.config_file(path);
    }
    let _guard = b.install().unwrap();
    let e = rejected();
    log::error!(err:err = e; "order failed");
    logger::trade!(
        symbol = "AAPL",
        side = "buy",
        qty = 1,
        price = 187.5,
        err = logger::error_chain(&e)
    );
    logger::perf!(
        "risk_check",
        Duration::from_micros(3),
        err = logger::error_chain(&e)
    );
    let _ = submit_typed();
    let _ = submit_boxed();
    let _ = std::thread::Builder::new()
        .name("gateway".into())
        .spawn(|| panic!("venue session lost"))
        .unwrap()
        .join();
    logger::flush().unwrap();
}

/// The error values written, in order: log, trade, perf, the two timed calls.
fn error_values(dir: &std::path::Path) -> (Vec<Value>, Value) {
    let app = common::records(dir, "app");
    let log = app.iter().find(|r| r["msg"] == "order failed").unwrap();
    let trade = app.iter().find(|r| r["kind"] == "trade").unwrap();
    let perf = app
        .iter()
        .find(|r| r["fields"]["operation"] == "risk_check")
        .unwrap();
    let typed = app
        .iter()
        .find(|r| r["fields"]["operation"] == "submit_typed")
        .unwrap();
    let boxed = app
        .iter()
        .find(|r| r["fields"]["operation"] == "submit_boxed")
        .unwrap();
    assert_eq!(typed["fields"]["outcome"], "err");
    let panic = app.iter().find(|r| r["target"] == "panic").unwrap();
    (
        vec![
            log["fields"]["err"].clone(),
            trade["fields"]["err"].clone(),
            perf["fields"]["err"].clone(),
            typed["fields"]["error"].clone(),
            boxed["fields"]["error"].clone(),
        ],
        panic.clone(),
    )
}

fn assert_chain(v: &Value) {
    assert_eq!(v["message"], "order 42 rejected", "{v}");
    assert_eq!(v["sources"], json!(SOURCES), "{v}");
}

/// The backtrace's frames; the first is this test's own code (the
/// logger's and the standard library's frames above it are left out).
fn frames(v: &Value) -> &Vec<Value> {
    let frames = v
        .as_array()
        .unwrap_or_else(|| panic!("backtrace is not an array: {v}"));
    let first = frames[0].as_str().unwrap();
    let (number, symbol) = first.split_once(": ").unwrap();
    assert!(number.parse::<u32>().is_ok(), "{first}");
    assert!(symbol.starts_with("error_details::"), "{v}");
    assert!(first.contains(" at "), "{first}");
    frames
}

fn run(test: &str, env: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::child_command(test, &[("ERROR_DIR", dir.path().to_str().unwrap())]);
    cmd.env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = common::run_child(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    dir
}

fn child_dir() -> Option<String> {
    common::is_child().then(|| std::env::var("ERROR_DIR").unwrap())
}

#[test]
fn chain_child_plain() {
    if let Some(dir) = child_dir() {
        log_every_way(&dir, None);
    }
}

#[test]
fn chain_child_asked_in_the_config_file() {
    if let Some(dir) = child_dir() {
        log_every_way(&dir, Some(r#"{"error_backtrace": true}"#));
    }
}

#[test]
fn every_error_value_is_its_display_and_source_chain() {
    if common::is_child() {
        return;
    }
    let dir = run("chain_child_plain", &[]);
    let (values, panic) = error_values(dir.path());
    for v in &values {
        assert_chain(v);
        assert!(v.get("backtrace").is_none(), "not asked: {v}");
    }
    assert!(panic["fields"].get("backtrace").is_none(), "{panic}");
    assert!(
        panic["msg"]
            .as_str()
            .unwrap()
            .contains("venue session lost")
    );
    // The same `error` key in the errors file, with the same object.
    let errors = common::records(dir.path(), "errors");
    let logged = errors.iter().find(|r| r["msg"] == "order failed").unwrap();
    assert_chain(&logged["fields"]["err"]);
}

#[test]
fn a_backtrace_when_the_config_file_asks() {
    if common::is_child() {
        return;
    }
    let dir = run("chain_child_asked_in_the_config_file", &[]);
    let (values, panic) = error_values(dir.path());
    for v in &values {
        assert_chain(v);
        frames(&v["backtrace"]);
    }
    let frames = frames(&panic["fields"]["backtrace"]);
    assert!(
        frames[0]
            .as_str()
            .unwrap()
            .contains("log_every_way::{{closure}}"),
        "the panicking closure first: {frames:?}"
    );
}

#[test]
fn a_backtrace_when_rust_backtrace_is_set() {
    if common::is_child() {
        return;
    }
    let dir = run("chain_child_plain", &[("RUST_BACKTRACE", "1")]);
    let (values, panic) = error_values(dir.path());
    for v in &values {
        assert_chain(v);
        frames(&v["backtrace"]);
    }
    frames(&panic["fields"]["backtrace"]);
}

#[test]
fn an_error_longer_than_the_ring_is_a_cut_string() {
    if let Some(dir) = child_dir() {
        let _guard = logger::builder()
            .dir(&dir)
            .ring_bytes(logger::MIN_RING_BYTES)
            .install()
            .unwrap();
        let long: &'static str = Box::leak("x".repeat(64 << 10).into_boxed_str());
        let e = Layer(long, Some(Box::new(Layer("\"quoted\" cause", None))));
        log::error!(err:err = e; "huge");
        logger::trade!(
            symbol = "AAPL",
            side = "buy",
            qty = 1,
            price = 1.0,
            err = logger::error_chain(&e)
        );
        logger::flush().unwrap();
        return;
    }
    let dir = run("an_error_longer_than_the_ring_is_a_cut_string", &[]);
    // Every line parsed (common::records panics otherwise).
    let app = common::records(dir.path(), "app");
    for r in app
        .iter()
        .filter(|r| r["msg"] == "huge" || r["kind"] == "trade")
    {
        let s = r["fields"]["err"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(s.starts_with("{\"message\":\"xxx"), "{s:.40}");
        assert!(s.ends_with("…[truncated]"), "{}", &s[s.len() - 40..]);
    }
    assert_eq!(app.len(), 2, "{app:?}");
}

#[test]
fn the_config_key_must_be_a_boolean() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logger.json");
    std::fs::write(&file, r#"{"error_backtrace": "yes"}"#).unwrap();
    let e = logger::builder()
        .dir(dir.path())
        .config_file(&file)
        .install()
        .err()
        .expect("a string was accepted");
    let text = e.to_string();
    assert!(text.contains("error_backtrace"), "{text}");
    assert!(text.contains("logger.json"), "{text}");
}
