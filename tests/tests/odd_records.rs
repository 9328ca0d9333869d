//! Huge and odd records, each handled by its documented rule (`docs/reliability.md`,
//! "Huge and odd records"), and never a hang, a panic or an invalid JSON line:
//!
//! - a message or a string value larger than the ring: cut on a char
//!   boundary, ending in `…[truncated]`; the other fields kept;
//! - hundreds of fields: all kept, in order; more than 65,535: the first
//!   65,535 kept (a child with a large ring);
//! - a record that cannot fit even with its strings cut (huge key or
//!   target, thousands of fields in a small ring): dropped, counted, and
//!   reported by a WARN record;
//! - empty messages, keys and values; NUL and control characters: escaped;
//! - a `Display` that fails: what it wrote before failing is kept;
//! - invalid UTF-8 cannot come in through `log` or the macros (Rust
//!   strings are UTF-8), and cutting never splits a character: every file
//!   is read back as UTF-8 (`common::parse_lines`) and as JSON.

mod common;

use std::fmt;
use std::time::Duration;

use log::kv::{self, Key, Source, VisitSource};
use logger::trade;

const RING: usize = 16 * 1024;
const MARKER: &str = "…[truncated]";

/// `n` key-values `k0 = 0, k1 = 1, ...` (or with very long keys), then
/// `case = <case>`: a `log::kv::Source` written by hand.
struct ManyFields {
    keys: Vec<String>,
    case: &'static str,
}

impl ManyFields {
    fn new(n: usize, key_len: usize, case: &'static str) -> Self {
        let keys = (0..n)
            .map(|i| {
                if key_len > 0 {
                    format!("{i}{}", "k".repeat(key_len))
                } else {
                    format!("k{i}")
                }
            })
            .collect();
        ManyFields { keys, case }
    }
}

impl Source for ManyFields {
    fn visit<'kvs>(&'kvs self, visitor: &mut dyn VisitSource<'kvs>) -> Result<(), kv::Error> {
        for (i, key) in self.keys.iter().enumerate() {
            visitor.visit_pair(Key::from(key.as_str()), kv::Value::from(i as u64))?;
        }
        if !self.case.is_empty() {
            visitor.visit_pair(Key::from("case"), kv::Value::from(self.case))?;
        }
        Ok(())
    }
}

/// Logs one record with the given key-values through `log`'s API.
fn log_with(source: &dyn Source, msg: fmt::Arguments<'_>, target: &str) {
    log::logger().log(
        &log::Record::builder()
            .args(msg)
            .level(log::Level::Info)
            .target(target)
            .module_path_static(Some(module_path!()))
            .file_static(Some(file!()))
            .line(Some(line!()))
            .key_values(source)
            .build(),
    );
}

/// Writes `text`, then fails.
struct Failing(&'static str);

impl fmt::Display for Failing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
        Err(fmt::Error)
    }
}

fn field<'a>(r: &'a serde_json::Value, k: &str) -> &'a serde_json::Value {
    &r["fields"][k]
}

fn find<'a>(records: &'a [serde_json::Value], case: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["fields"]["case"] == case)
        .unwrap_or_else(|| panic!("no record for case {case}"))
}

#[test]
fn huge_and_odd_records_follow_their_rules() {
    if common::is_child() {
        return;
    }
    common::watchdog(Duration::from_secs(120), "odd records");
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(RING)
        .install()
        .unwrap();

    let huge_msg = "é😀x".repeat(40_000); // 280 KB, 17x the ring
    let huge_val = "v".repeat(3 * RING);
    log::info!(case = "huge message", small = "kept"; "{huge_msg}");
    log::info!(case = "huge value", big = huge_val.as_str(), small = "kept"; "m");
    log::info!(case = "both huge", a = huge_val.as_str(), b = huge_msg.as_str(); "{huge_msg}");
    trade!(
        symbol = huge_val.as_str(),
        side = "BUY",
        qty = 1,
        price = 2.5,
        case = "huge trade"
    );
    log_with(
        &ManyFields::new(300, 0, "300 fields"),
        format_args!("three hundred fields"),
        "odd",
    );
    log::info!(case = "empty"; "");
    log_with(&[("", ""), ("case", "empty key")], format_args!(""), "odd");
    log::info!(case = "nul", v = "\0a\0", "k\0ey" = 1; "a\0b\u{1}\u{7f}\n\r\t\"\\");
    log::info!(case = "failing display", v = kv::Value::from_display(&Failing("part of v")); "{}", Failing("part of msg"));
    // Without key-values: formatted straight into the ring slot, moved
    // to the scratch buffer when longer than the slot, and cut as above.
    log::info!("in place {} {}", 42, "ok");
    log::info!("{}|{}", "y".repeat(600), 7);
    log::info!("{huge_msg}");
    log::info!("{}", Failing("part of a plain msg"));
    // Records that cannot fit even with their strings cut.
    let dropped_before = logger::metrics().records_dropped;
    log_with(
        &ManyFields::new(1, 3 * RING, "huge key"),
        format_args!("huge key"),
        "odd",
    );
    let huge_target = "t".repeat(3 * RING);
    log_with(
        &[("case", "huge target")],
        format_args!("huge target"),
        &huge_target,
    );
    log_with(
        &ManyFields::new(5_000, 0, "5000 fields"),
        format_args!("five thousand fields"),
        "odd",
    );
    log::info!(case = "after"; "the logger goes on");
    logger::flush().unwrap();
    let dropped = logger::metrics().records_dropped - dropped_before;
    drop(guard);

    // Every line of every file is UTF-8 and JSON.
    let records = common::records(dir.path(), "app");
    common::records(dir.path(), "trades");

    let r = find(&records, "huge message");
    let msg = r["msg"].as_str().unwrap();
    assert!(msg.ends_with(MARKER), "cut with the marker");
    assert!(msg.len() < RING / 2);
    assert!(huge_msg.starts_with(&msg[..msg.len() - MARKER.len()]));
    assert_eq!(field(r, "small"), "kept");

    let plain = |msg: &dyn Fn(&str) -> bool| {
        let r = records
            .iter()
            .find(|r| r.get("fields").is_none() && msg(r["msg"].as_str().unwrap()))
            .unwrap_or_else(|| {
                let plain: Vec<String> = records
                    .iter()
                    .filter(|r| r.get("fields").is_none())
                    .map(|r| r["msg"].as_str().unwrap().chars().take(40).collect())
                    .collect();
                panic!("no such record among those without fields: {plain:?}")
            });
        r["msg"].as_str().unwrap().to_string()
    };
    plain(&|m| m == "in place 42 ok");
    plain(&|m| m == format!("{}|7", "y".repeat(600)));
    let msg = plain(&|m| m.starts_with("é😀x") && m.ends_with(MARKER));
    assert!(msg.len() < RING / 2);
    assert!(huge_msg.starts_with(&msg[..msg.len() - MARKER.len()]));
    plain(&|m| m == "part of a plain msg");

    let r = find(&records, "huge value");
    let big = field(r, "big").as_str().unwrap();
    // Cut to fit, with the marker.
    assert!(big.ends_with(MARKER), "cut with the marker");
    assert!(big.len() < RING / 2, "{} bytes", big.len());
    assert!(huge_val.starts_with(&big[..big.len() - MARKER.len()]));
    assert_eq!(field(r, "small"), "kept");
    assert_eq!(r["msg"], "m");

    let r = find(&records, "both huge");
    assert!(r["msg"].as_str().unwrap().ends_with(MARKER));
    for v in [field(r, "a"), field(r, "b")] {
        assert!(v.as_str().unwrap().len() < RING / 4, "{v}");
    }

    let trades = common::records(dir.path(), "trades");
    let t = &trades[0];
    let symbol = field(t, "symbol").as_str().unwrap();
    assert!(symbol.ends_with(MARKER) && symbol.len() < RING / 2);
    assert_eq!(field(t, "case"), "huge trade");

    let r = records
        .iter()
        .find(|r| r["msg"] == "three hundred fields")
        .unwrap();
    let fields = r["fields"].as_object().unwrap();
    assert_eq!(fields.len(), 301);
    for i in 0..300u64 {
        assert_eq!(fields[&format!("k{i}")], i);
    }
    // In call order in the line (the parsed map sorts its keys).
    let raw = String::from_utf8(std::fs::read(dir.path().join("app.log")).unwrap()).unwrap();
    let line = raw
        .lines()
        .find(|l| l.contains("three hundred fields"))
        .unwrap();
    let at: Vec<usize> = (0..300)
        .map(|i| line.find(&format!("\"k{i}\":")).unwrap())
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "fields keep their order"
    );

    assert_eq!(find(&records, "empty")["msg"], "");
    let r = find(&records, "empty key");
    assert_eq!(field(r, ""), "");
    assert_eq!(r["msg"], "");

    let r = find(&records, "nul");
    assert_eq!(r["msg"], "a\0b\u{1}\u{7f}\n\r\t\"\\");
    assert_eq!(field(r, "v"), "\0a\0");
    assert_eq!(field(r, "k\0ey"), 1);

    let r = find(&records, "failing display");
    assert_eq!(r["msg"], "part of msg");
    assert_eq!(field(r, "v"), "part of v");

    // Too large for the ring whatever is cut: dropped, counted, reported.
    for case in ["huge key", "huge target", "5000 fields"] {
        assert!(
            records.iter().all(|r| r["fields"]["case"] != case),
            "{case} was expected to be dropped"
        );
    }
    assert_eq!(dropped, 3, "each dropped record is counted");
    // Reported by WARN records (one per flusher cycle that saw drops).
    let reported: u64 = records
        .iter()
        .filter(|r| r["target"] == "logger" && r["level"] == "WARN")
        .map(|r| field(r, "dropped").as_u64().unwrap())
        .sum();
    assert_eq!(reported, 3, "warning records report the drops");
    find(&records, "after");
}

/// The child: a ring large enough for 70,000 fields.
#[test]
fn child_seventy_thousand_fields() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = logger::builder()
        .dir(dir)
        .ring_bytes(8 << 20)
        .install()
        .unwrap();
    log_with(
        &ManyFields::new(70_000, 0, ""),
        format_args!("seventy thousand fields"),
        "odd",
    );
    logger::flush().unwrap();
    drop(guard);
}

#[test]
fn more_than_65535_fields_keep_the_first_65535() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let out = common::run_child(
        common::child_command("child_seventy_thousand_fields", &[("LOGGER_TEST_DIR", &d)]),
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
    let records = common::records(dir.path(), "app");
    assert_eq!(records.len(), 1);
    let fields = records[0]["fields"].as_object().unwrap();
    assert_eq!(fields.len(), 65_535);
    assert_eq!(fields["k65534"], 65_534);
    assert!(fields.get("k65535").is_none());
}

/// `concat!` of 4 copies, nested: a long string literal.
macro_rules! x4 {
    ($s:expr) => {
        concat!($s, $s, $s, $s)
    };
}

/// The child: a `&str` value and a message without arguments (copied as
/// is, not formatted), both larger than the ring.
#[test]
fn child_str_value_and_static_message() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = logger::builder()
        .dir(dir)
        .ring_bytes(RING)
        .install()
        .unwrap();
    let huge = "v".repeat(3 * RING);
    log::info!(v = huge.as_str(); "str value");
    // 4^6 copies of 8 bytes: 32 KiB, a literal.
    log::info!(x4!(x4!(x4!(x4!(x4!(x4!("é😀x-")))))));
    logger::flush().unwrap();
    drop(guard);
}

/// The documented rule: *every* string cut to fit ends in the marker.
///
/// (A `&str` key-value and a message without arguments were once cut
/// without it; this test found that.)
#[test]
fn str_values_and_static_messages_are_cut_with_the_marker() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let out = common::run_child(
        common::child_command(
            "child_str_value_and_static_message",
            &[("LOGGER_TEST_DIR", &d)],
        ),
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
    let records = common::records(dir.path(), "app");
    let v = records[0]["fields"]["v"].as_str().unwrap();
    assert!(v.ends_with(MARKER), "&str value cut without the marker");
    let msg = records[1]["msg"].as_str().unwrap();
    assert!(msg.len() < RING / 2, "static message not cut");
    assert!(
        msg.ends_with(MARKER),
        "static message cut without the marker"
    );
}
