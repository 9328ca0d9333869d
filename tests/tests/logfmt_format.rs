//! The logfmt format (`format: "logfmt"`): every part of a line a
//! `key=value` pair, read back from the files a child process wrote and
//! split by a logfmt reader written here from the format's rules.

mod common;

use std::time::Duration;

/// The pairs of a logfmt line: keys end at `=`; a value is bare (up to a
/// space) or quoted (up to the next unescaped `"`, with `\"` and `\\`
/// unescaped). Panics naming the line when it breaks these rules.
fn pairs(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|&c| c != '=').collect();
        assert!(
            !key.is_empty() && !key.contains([' ', '"']),
            "bad key {key:?} in {line}"
        );
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some('"') => value.push('"'),
                        Some('\\') => value.push('\\'),
                        Some(c) => {
                            value.push('\\');
                            value.push(c);
                        }
                        None => panic!("unterminated escape in {line}"),
                    },
                    Some('"') => break,
                    Some(c) => value.push(c),
                    None => panic!("unterminated quote in {line}"),
                }
            }
            match chars.next() {
                None | Some(' ') => {}
                Some(c) => panic!("{c:?} after a quoted value in {line}"),
            }
        } else {
            value = chars.by_ref().take_while(|&c| c != ' ').collect();
        }
        out.push((key, value));
    }
    out
}

#[test]
fn logfmt_lines_are_key_value_pairs() {
    if common::is_child() {
        let dir = std::path::PathBuf::from(std::env::var("LOGFMT_DIR").unwrap());
        let file = dir.join("logger.json");
        std::fs::write(&file, r#"{"format": "logfmt"}"#).unwrap();
        let guard = logger::builder()
            .dir(&dir)
            .config_file(&file)
            .install()
            .unwrap();
        let _c = logger::correlation("order 7");
        let _b = logger::bind!(strategy = "mm1");
        log::warn!(target: "risk", limit = 5, desk = "rates \"two\"", ratio = 0.25; "limit\nbreached");
        logger::trade!(symbol = "AAPL", side = "buy", qty = 100u32, price = 189.5);
        logger::flush().unwrap();
        drop(guard);
        return;
    }
    let (dir, _) = common::run_child_in_dir(
        "logfmt_lines_are_key_value_pairs",
        "LOGFMT_DIR",
        Duration::from_secs(30),
    );
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("target=risk"))
        .unwrap_or_else(|| panic!("no risk record in\n{text}"));
    let got = pairs(line);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ts",
            "level",
            "kind",
            "target",
            "service",
            "msg",
            "limit",
            "desk",
            "ratio",
            "strategy",
            "correlation_id",
            "file",
            "line",
            "thread",
            "tid"
        ],
        "{line}"
    );
    let value = |k: &str| got.iter().find(|(key, _)| key == k).unwrap().1.as_str();
    let ts = value("ts");
    assert!(
        ts.len() == "2026-11-21T10:30:45.123456789Z".len() && ts.ends_with('Z'),
        "{line}"
    );
    assert_eq!(value("level"), "warn");
    assert_eq!(value("msg"), "limit\\nbreached");
    assert_eq!(value("desk"), "rates \"two\"");
    assert_eq!(value("limit"), "5");
    assert_eq!(value("ratio"), "0.25");
    assert_eq!(value("strategy"), "mm1");
    assert_eq!(value("correlation_id"), "order 7");
    assert_eq!(value("file"), "tests/tests/logfmt_format.rs");
    let trades = std::fs::read_to_string(dir.path().join("trades.log")).unwrap();
    let trade = pairs(trades.lines().next().unwrap());
    let t = |k: &str| trade.iter().find(|(key, _)| key == k).unwrap().1.as_str();
    assert_eq!(t("kind"), "trade");
    assert_eq!(t("symbol"), "AAPL");
    assert_eq!(t("qty"), "100");
    assert_eq!(t("price"), "189.5");
}
