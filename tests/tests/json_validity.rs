//! Property test: arbitrary messages and key-values through `log` always
//! give valid JSON lines that round-trip the message and the values.

mod common;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
enum Kv {
    Str(String),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Char(char),
}

fn kv() -> impl Strategy<Value = Kv> {
    prop_oneof![
        any::<String>().prop_map(Kv::Str),
        any::<i64>().prop_map(Kv::I64),
        any::<u64>().prop_map(Kv::U64),
        any::<f64>().prop_map(Kv::F64),
        any::<bool>().prop_map(Kv::Bool),
        any::<char>().prop_map(Kv::Char),
    ]
}

fn log_case(id: usize, msg: &str, key: &str, v: &Kv) {
    match v {
        Kv::Str(s) => log::info!(id = id, k = key, v = s.as_str(); "{msg}"),
        Kv::I64(x) => log::info!(id = id, k = key, v = *x; "{msg}"),
        Kv::U64(x) => log::info!(id = id, k = key, v = *x; "{msg}"),
        Kv::F64(x) => log::info!(id = id, k = key, v = *x; "{msg}"),
        Kv::Bool(x) => log::info!(id = id, k = key, v = *x; "{msg}"),
        Kv::Char(x) => log::info!(id = id, k = key, v = *x; "{msg}"),
    }
}

fn check(r: &serde_json::Value, msg: &str, key: &str, v: &Kv) {
    assert_eq!(r["msg"].as_str().unwrap(), msg);
    assert_eq!(r["fields"]["k"].as_str().unwrap(), key);
    let got = &r["fields"]["v"];
    match v {
        Kv::Str(s) => assert_eq!(got.as_str().unwrap(), s),
        Kv::I64(x) => assert_eq!(got.as_i64().unwrap(), *x),
        Kv::U64(x) => assert_eq!(got.as_u64().unwrap(), *x),
        Kv::F64(x) if x.is_finite() => assert_eq!(got.as_f64().unwrap(), *x),
        Kv::F64(_) => assert!(got.is_string(), "non-finite floats are strings"),
        Kv::Bool(x) => assert_eq!(got.as_bool().unwrap(), *x),
        Kv::Char(c) => assert_eq!(got.as_str().unwrap(), c.to_string()),
    }
}

#[test]
fn arbitrary_messages_and_values_are_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder().dir(dir.path()).install().unwrap();

    let mut runner = TestRunner::new(Config {
        cases: 2_000,
        ..Config::default()
    });
    let strategy = (any::<String>(), any::<String>(), kv());
    let mut cases: Vec<(String, String, Kv)> = Vec::new();
    for id in 0..2_000 {
        let tree = strategy.new_tree(&mut runner).unwrap();
        let (msg, key, v) = tree.current();
        log_case(id, &msg, &key, &v);
        cases.push((msg, key, v));
    }
    // Edge cases no generator is likely to produce.
    let huge = "\"\\\u{0}\u{1f}é😀".repeat(200_000);
    let edge = [
        (String::new(), String::new(), Kv::Str(String::new())),
        (huge.clone(), "k\"ey".into(), Kv::Str(huge)),
        ("\u{0}\n\r\t".into(), "\u{7f}".into(), Kv::F64(f64::NAN)),
    ];
    for (i, (msg, key, v)) in edge.into_iter().enumerate() {
        log_case(cases.len() + i, &msg, &key, &v);
        cases.push((msg, key, v));
    }
    logger::flush().unwrap();
    drop(guard);

    let records = common::records(dir.path(), "app");
    assert_eq!(records.len(), cases.len());
    for (r, (msg, key, v)) in records.iter().zip(&cases) {
        if msg.len() > 1 << 19 {
            // Larger than half the ring: cut, with a marker.
            assert!(r["msg"].as_str().unwrap().ends_with("…[truncated]"));
            continue;
        }
        check(r, msg, key, v);
    }
}
