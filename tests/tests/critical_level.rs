//! The `CRITICAL` level end to end: `logger::critical!` (the grammar of
//! `log::error!`), `trade!(level: critical, ..)`, `perf!(critical, ..)` and
//! `#[log_performance(level = "critical")]` write `"level":"CRITICAL"`,
//! routed like `ERROR` (main and errors files), never capped by
//! `max_records_per_second`; an `ERROR` record logged while a
//! `critical!` call runs keeps its level.

mod common;

use logger::{log_performance, perf, trade};
use serde_json::Value;

const CAP: u64 = 5;
const CRITICALS: u64 = 40;

#[log_performance(level = "critical")]
fn kill_switch() -> u32 {
    7
}

fn inner_error() -> u64 {
    log::error!(target: "nested", "inner error");
    3
}

#[test]
fn critical_records_are_written_routed_like_errors_and_never_capped() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_records_per_second(Some(CAP))
        .install()
        .unwrap();
    for i in 0..CRITICALS {
        log::info!(target: "flood", i; "info {i}");
        logger::critical!(target: "risk", i, venue = "XNAS"; "halt {}", i);
    }
    log::error!(target: "plain", "plain error");
    logger::critical!(target: "outer", qty = inner_error(); "outer critical");
    trade!(level: critical, target: "fills", symbol = "AAPL", side = "buy", qty = 1u64, price = 2.5);
    perf!(critical, target: "lat", "risk_check", 1_500u64);
    assert_eq!(kill_switch(), 7);
    logger::flush().unwrap();
    let over_cap = logger::metrics().records_over_cap;
    drop(guard);

    let app = common::records(dir.path(), "app");
    let errors = common::records(dir.path(), "errors");
    let level_of = |records: &[Value], target: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r["target"] == target)
            .map(|r| r["level"].as_str().unwrap().to_string())
            .collect()
    };

    // Every critical record is there, in both files, whatever the cap.
    for records in [&app, &errors] {
        let risk: Vec<&Value> = records.iter().filter(|r| r["target"] == "risk").collect();
        assert_eq!(risk.len() as u64, CRITICALS);
        for (i, r) in risk.iter().enumerate() {
            assert_eq!(r["level"], "CRITICAL");
            assert_eq!(r["msg"], format!("halt {i}"));
            assert_eq!(r["fields"]["i"], i as u64);
            assert_eq!(r["fields"]["venue"], "XNAS");
        }
        assert_eq!(level_of(records, "plain"), ["ERROR"]);
        assert_eq!(level_of(records, "nested"), ["ERROR"]);
        assert_eq!(level_of(records, "outer"), ["CRITICAL"]);
        assert_eq!(level_of(records, "fills"), ["CRITICAL"]);
        assert_eq!(level_of(records, "lat"), ["CRITICAL"]);
    }
    let timed: Vec<&Value> = app
        .iter()
        .filter(|r| r["kind"] == "perf" && r["msg"] == "kill_switch")
        .collect();
    assert_eq!(timed.len(), 1);
    assert_eq!(timed[0]["level"], "CRITICAL");
    assert!(errors.iter().any(|r| r["msg"] == "kill_switch"));

    // The cap took infos only.
    let infos = app.iter().filter(|r| r["target"] == "flood").count() as u64;
    assert!(
        infos < CRITICALS,
        "{infos} infos kept under a cap of {CAP}/s"
    );
    assert_eq!(over_cap, CRITICALS - infos);

    // The errors file holds nothing below ERROR but the cap's summaries.
    for r in &errors {
        assert!(
            r["level"] == "ERROR" || r["level"] == "CRITICAL",
            "errors file: {r}"
        );
    }
    let trades = common::records(dir.path(), "trades");
    assert_eq!(level_of(&trades, "fills"), ["CRITICAL"]);
    let perf = common::records(dir.path(), "perf");
    assert_eq!(level_of(&perf, "lat"), ["CRITICAL"]);
}
