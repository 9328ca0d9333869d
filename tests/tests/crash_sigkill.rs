//! A child logs, calls `flush()`, logs more, and is killed with SIGKILL:
//! every record logged before `flush()` is in the file, every line parses
//! once the next start has repaired the tail, and nothing is duplicated.

mod common;

use std::io::{BufRead, BufReader};
use std::time::Duration;

const BEFORE: u64 = 20_000;

/// The child: log, flush, announce, keep logging until killed.
#[test]
fn child_logs_until_killed() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let _guard = logger::builder()
        .dir(dir)
        .window_bytes(64 * 1024)
        .install()
        .unwrap();
    for i in 0..BEFORE {
        log::info!(i = i, phase = "before"; "acknowledged record {i}");
    }
    logger::flush().unwrap();
    println!("FLUSHED");
    let mut i = BEFORE;
    loop {
        log::info!(i = i, phase = "after"; "unacknowledged record {i}");
        i += 1;
        if i.is_multiple_of(1000) {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

#[test]
fn sigkill_keeps_every_flushed_record() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let mut child = common::spawn_child("child_logs_until_killed", &[("LOGGER_TEST_DIR", &d)]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "child exited before flushing"
        );
        if line.contains("FLUSHED") {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(30));
    // SAFETY: plain FFI call with a pid we own.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let status = child.wait().unwrap();
    assert!(!status.success());

    // The crashed file: zero padding past the last record, maybe a partial line.
    let raw = std::fs::read(dir.path().join("app.log")).unwrap();
    let end = raw.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let text = String::from_utf8_lossy(&raw[..end]);
    let complete: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    let mut seen = 0u64;
    for l in &complete {
        let v: serde_json::Value = serde_json::from_str(l.trim_end()).unwrap();
        assert_eq!(v["fields"]["i"].as_u64().unwrap(), seen, "duplicate or gap");
        seen += 1;
    }
    assert!(
        seen >= BEFORE,
        "only {seen} of the {BEFORE} flushed records survived"
    );

    // The next start repairs the tail: every line parses, new records follow.
    let guard = logger::builder().dir(dir.path()).install().unwrap();
    log::info!(i = seen, phase = "restart"; "after restart");
    logger::flush().unwrap();
    drop(guard);
    let records = common::records(dir.path(), "app");
    assert_eq!(records.len() as u64, seen + 1);
    assert_eq!(records.last().unwrap()["fields"]["phase"], "restart");
}
