//! Nested timed calls: the library links them (`span_id`, `children`) and
//! `logger trace` indents each call under the one it ran in.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use logger::log_performance;
use serde_json::Value;

const DIR_VAR: &str = "TRACE_TREE_DIR";

fn spin(d: Duration) {
    let t = Instant::now();
    while t.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[log_performance]
fn place(order: u64) {
    validate(order);
    route(order);
}

#[log_performance]
fn validate(_order: u64) {
    spin(Duration::from_micros(50));
}

#[log_performance]
fn route(_order: u64) {
    spin(Duration::from_micros(50));
    logger::perf!("venue_rtt", Duration::from_micros(20));
}

/// The child: one order with nested calls, one without.
#[test]
fn tree_writer() {
    let Ok(dir) = std::env::var(DIR_VAR) else {
        return;
    };
    let guard = logger::builder()
        .dir(&dir)
        .metrics_interval(Some(Duration::from_millis(10)))
        .install()
        .unwrap();
    {
        let _c = logger::correlation("ord-1");
        log::info!("order received");
        place(1);
    }
    {
        let _c = logger::correlation("ord-2");
        validate(2);
    }
    // A few `metrics` records.
    std::thread::sleep(Duration::from_millis(40));
    logger::flush().unwrap();
    drop(guard);
}

fn write(dir: &Path) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["tree_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(DIR_VAR, dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_logger"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn nested_calls_are_linked_and_indented() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let d = dir.path().to_str().unwrap();

    // The links, from the JSON lines.
    let json = cli(&["trace", "ord-1", "--output", "json", d]);
    let recs: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let op = |r: &Value| r["fields"]["operation"].as_str().unwrap_or("").to_string();
    let ops: Vec<String> = recs.iter().map(op).collect();
    // Written when each call ends: inner calls first.
    assert_eq!(
        ops,
        ["", "validate", "venue_rtt", "route", "place"],
        "{json}"
    );
    let id = |i: usize| recs[i]["fields"]["span_id"].as_u64().unwrap();
    let children = |i: usize| recs[i]["fields"]["children"].clone();
    assert_eq!(children(4), serde_json::json!([id(1), id(3)]), "{json}");
    assert_eq!(children(3), serde_json::json!([id(2)]), "{json}");
    assert!(recs[1]["fields"].get("children").is_none(), "{json}");

    // The indentation, from the text lines: two spaces a level after the
    // time since the first record.
    let text = cli(&["trace", "ord-1", d]);
    let indents: Vec<usize> = text
        .lines()
        .map(|l| {
            let after = &l[l.find("s ").unwrap() + 1..];
            after.len() - after.trim_start().len() - 1
        })
        .collect();
    assert_eq!(indents, [0, 2, 4, 2, 0], "{text}");

    // A call outside any other is not indented.
    let alone = cli(&["trace", "ord-2", d]);
    assert_eq!(alone.lines().count(), 1, "{alone}");
    assert!(alone.contains("s 20"), "{alone}");
}

#[test]
fn metrics_records_are_read_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path());
    let d = dir.path().to_str().unwrap();
    let json = cli(&["cat", "--kind", "metrics", "--output", "json", d]);
    let recs: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!recs.is_empty(), "no metrics record");
    for r in &recs {
        assert_eq!(r["kind"], "metrics", "{r}");
        assert!(r["fields"]["ring_bytes"].as_u64().unwrap() > 0, "{r}");
    }
    let text = cli(&["cat", "--kind", "metrics", d]);
    assert!(
        text.contains("logger metrics interval_ns=10000000"),
        "{text}"
    );
}
