//! The global cap `max_records_per_second`, enforced on the flusher per
//! UTC second of record time: records over it are discarded, counted in
//! `metrics().records_over_cap` and summarised in a `WARN` record per
//! second; `ERROR` records always pass; the logger's own records are never
//! capped. Invalid values fail `install()` naming the option.

mod common;

use std::time::Instant;

use serde_json::Value;

const CAP: u64 = 100;

#[test]
fn records_over_the_cap_are_counted_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .max_records_per_second(Some(CAP))
        .install()
        .unwrap();
    const INFOS: u64 = 2_000;
    const ERRORS: u64 = 20;
    let start = Instant::now();
    for i in 0..INFOS {
        log::info!(target: "cap::info", i = i; "info {i}");
        if i.is_multiple_of(INFOS / ERRORS) {
            log::error!(target: "cap::error", i = i; "error {i}");
        }
    }
    // Seconds of record time the loop touched (whole UTC seconds).
    let seconds = start.elapsed().as_secs() + 2;
    logger::flush().unwrap();
    let m = logger::metrics();
    drop(guard);

    let records = common::records(dir.path(), "app");
    let count = |target: &str| records.iter().filter(|r| r["target"] == target).count() as u64;
    let infos = count("cap::info");
    assert!(
        (CAP..=CAP * seconds).contains(&infos),
        "{infos} info records kept, cap {CAP}/s over at most {seconds} s"
    );
    assert_eq!(count("cap::error"), ERRORS, "errors are never capped");
    assert_eq!(m.records_over_cap, INFOS - infos);
    assert_eq!(m.records_rate_limited, 0);

    let summaries: Vec<&Value> = records
        .iter()
        .filter(|r| r["target"] == "logger" && r["level"] == "WARN")
        .collect();
    assert!(!summaries.is_empty(), "no summary of the discarded records");
    let reported: u64 = summaries
        .iter()
        .map(|s| s["fields"]["dropped"].as_u64().unwrap())
        .sum();
    assert_eq!(reported, m.records_over_cap);
    let s = summaries[0];
    assert_eq!(s["fields"]["max_records_per_second"], CAP);
    let second = s["fields"]["second"].as_str().unwrap();
    assert!(
        second.len() == 20
            && second.ends_with('Z')
            && s["ts"].as_str().unwrap()[..19] >= second[..19],
        "{s}"
    );
    assert_eq!(
        s["msg"],
        format!(
            "rate cap: {} records dropped in the second from {second} \
             (max_records_per_second {CAP}; ERROR records are never dropped)",
            s["fields"]["dropped"]
        )
    );
    // Created records are written or over the cap; the logger's own
    // records (the summaries) are written on top.
    assert_eq!(
        m.records_created + summaries.len() as u64,
        m.records_written + m.records_over_cap
    );
    assert_eq!(m.records_written, infos + ERRORS + summaries.len() as u64);
}

#[test]
fn a_cap_of_zero_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = logger::builder()
        .dir(dir.path())
        .max_records_per_second(Some(0))
        .install()
        .err()
        .expect("a cap of 0 is refused")
        .to_string();
    assert!(e.contains("`max_records_per_second`"), "{e}");
    assert!(e.contains("must be a positive integer"), "{e}");

    let file = dir.path().join("logger.json");
    for (value, shown) in [
        ("0", "0"),
        ("-3", "-3"),
        ("\"100\"", "\"100\""),
        ("2.5", "2.5"),
    ] {
        std::fs::write(&file, format!(r#"{{"max_records_per_second": {value}}}"#)).unwrap();
        let e = logger::builder()
            .dir(dir.path())
            .config_file(&file)
            .install()
            .err()
            .expect("refused")
            .to_string();
        assert!(e.contains("`max_records_per_second`"), "{e}");
        assert!(e.contains(&format!("{shown} is not allowed")), "{e}");
        assert!(e.contains("must be a positive integer"), "{e}");
        assert!(e.contains("logger.json"), "{e}");
    }
}
