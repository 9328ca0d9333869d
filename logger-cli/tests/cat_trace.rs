//! `cat` and `trace` over directories written by the library: every record
//! once (a trade is in app.log and trades.log), in time order, through
//! rotated and gzip'ed files; each filter; two processes merged; a crash tail.

mod common;

use std::collections::BTreeMap;

use common::{arg, cli, lines_of, records_of, stderr, stdout};
use serde_json::Value;

#[test]
fn child_writer() {
    common::child_main();
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn ts_of(line: &str) -> String {
    serde_json::from_str::<Value>(line).unwrap()["ts"]
        .as_str()
        .unwrap()
        .to_string()
}

fn assert_time_order(lines: &[&str]) {
    for w in lines.windows(2) {
        assert!(
            ts_of(w[0]) <= ts_of(w[1]),
            "out of order:\n{}\n{}",
            w[0],
            w[1]
        );
    }
}

#[test]
fn cat_prints_every_record_once_in_time_order() {
    let dir = common::write_logs("t");
    let app = lines_of(dir.path(), "app");
    assert!(app.len() as u64 > 4 * common::ORDERS);

    let out = cli(&["cat", "--output", "json", arg(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let printed: Vec<&str> = text.lines().collect();
    // app.log holds every record; trades/perf/errors hold copies, shown once.
    assert_eq!(
        sorted(printed.iter().map(|s| s.to_string()).collect()),
        sorted(app.clone())
    );
    assert_time_order(&printed);

    let all = ["app", "trades", "perf", "errors"]
        .iter()
        .map(|s| lines_of(dir.path(), s).len())
        .sum::<usize>();
    let out = cli(&["cat", "--output", "json", "--no-dedup", arg(dir.path())]);
    assert_eq!(stdout(&out).lines().count(), all);

    // One file named on the command line: just that file.
    let trades = dir.path().join("trades.log");
    let out = cli(&["cat", "--output", "json", arg(&trades)]);
    let expected: Vec<String> = std::fs::read_to_string(&trades)
        .unwrap()
        .trim_end_matches('\0')
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        stdout(&out).lines().map(String::from).collect::<Vec<_>>(),
        expected
    );
}

#[test]
fn each_filter_selects_what_was_logged() {
    let dir = common::write_logs("f");
    let d = arg(dir.path());
    let recs = records_of(dir.path(), "app");
    let count = |args: &[&str]| {
        let mut a = vec!["cat", "--output", "json"];
        a.extend_from_slice(args);
        a.push(d);
        let out = cli(&a);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out).lines().count()
    };
    let expect = |f: &dyn Fn(&Value) -> bool| recs.iter().filter(|r| f(r)).count();

    assert_eq!(count(&["--level", "error"]), 4);
    assert_eq!(count(&["--level", "warn"]), 4 + 5);
    assert_eq!(count(&["--kind", "trade"]), common::ORDERS as usize);
    assert_eq!(count(&["--kind", "perf"]), 2 * common::ORDERS as usize);
    assert_eq!(count(&["--target", "risk"]), 4);
    assert_eq!(count(&["--target", "ris"]), 0);
    assert_eq!(count(&["--service", "risk-engine"]), 4);
    assert_eq!(count(&["--corr", "f-7"]), 4);
    assert_eq!(
        count(&["--grep", "^filled 500 "]),
        expect(&|r| r["msg"].as_str().unwrap().starts_with("filled 500 "))
    );
    assert_eq!(
        count(&["--kind", "trade", "--where", "fields.qty>=400"]),
        expect(&|r| r["kind"] == "trade" && r["fields"]["qty"].as_u64().unwrap() >= 400)
    );
    assert_eq!(
        count(&[
            "--where",
            "fields.side=SELL",
            "--where",
            "fields.venue=ARCX"
        ]),
        expect(&|r| r["fields"]["side"] == "SELL" && r["fields"]["venue"] == "ARCX")
    );
    assert_eq!(
        count(&["--where", "!correlation_id"]),
        expect(&|r| r.get("correlation_id").is_none())
    );
    assert_eq!(
        count(&["--where", "context.strategy=mm1", "--kind", "log"]),
        expect(&|r| r["kind"] == "log" && r.get("context").is_some())
    );
    let mid = recs[recs.len() / 2]["ts"].as_str().unwrap().to_string();
    assert_eq!(
        count(&["--since", &mid]),
        expect(&|r| r["ts"].as_str().unwrap() >= mid.as_str())
    );
    assert_eq!(
        count(&["--until", &mid]),
        expect(&|r| r["ts"].as_str().unwrap() < mid.as_str())
    );
    // Relative: everything was written within the last hour, nothing in the future.
    assert_eq!(count(&["--since", "1h"]), recs.len());
    assert_eq!(count(&["--until", "1h"]), 0);
}

#[test]
fn text_and_column_output() {
    let dir = common::write_logs("x");
    let out = cli(&["cat", "--level", "error", arg(dir.path())]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(first.contains(" ERROR risk::limits exposure limit breached order_id=49 strategy=mm1 correlation_id=x-49"), "{first}");
    assert!(!first.contains('\x1b'), "colored while piped");
    let out = cli(&[
        "cat",
        "--level",
        "error",
        "--color",
        "always",
        arg(dir.path()),
    ]);
    assert!(stdout(&out).contains("\x1b[31mERROR\x1b[0m"));

    let out = cli(&[
        "cat",
        "--kind",
        "trade",
        "--columns",
        "level,fields.symbol,fields.qty,fields.nope",
        arg(dir.path()),
    ]);
    let rows: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(rows.len(), common::ORDERS as usize);
    assert_eq!(rows[0], "INFO\tAAPL\t100\t-");
    assert_eq!(rows[1], "INFO\tMSFT\t200\t-");
}

#[test]
fn trace_shows_one_id_across_files_with_time_since_the_first() {
    let dir = common::write_logs("c");
    let want: Vec<String> = lines_of(dir.path(), "app")
        .into_iter()
        .filter(|l| l.contains("\"correlation_id\":\"c-9\""))
        .collect();
    // order placed, risk_check, send_order (err), trade
    assert_eq!(want.len(), 4);
    let out = cli(&["trace", "c-9", "--output", "json", arg(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().map(String::from).collect::<Vec<_>>(),
        want
    );

    let out = cli(&["trace", "c-9", arg(dir.path())]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("+0.000000000s "), "{}", lines[0]);
    let offsets: Vec<f64> = lines
        .iter()
        .map(|l| l[1..l.find('s').unwrap()].parse::<f64>().unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "{offsets:?}");
    assert!(
        lines[2].contains("send_order") && lines[2].contains("outcome=err"),
        "{}",
        lines[2]
    );

    let out = cli(&["trace", "c-nope", arg(dir.path())]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no record with correlation id \"c-nope\""));
}

#[test]
fn two_processes_directories_merge_by_time() {
    let a = common::write_logs("a");
    let b = common::write_logs("b");
    let out = cli(&["cat", "--output", "json", arg(a.path()), arg(b.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let printed: Vec<&str> = text.lines().collect();
    let mut want = lines_of(a.path(), "app");
    want.extend(lines_of(b.path(), "app"));
    assert_eq!(
        sorted(printed.iter().map(|s| s.to_string()).collect()),
        sorted(want)
    );
    assert_time_order(&printed);
    let pids: BTreeMap<u64, usize> = printed.iter().fold(BTreeMap::new(), |mut m, l| {
        let v: Value = serde_json::from_str(l).unwrap();
        *m.entry(v["pid"].as_u64().unwrap()).or_default() += 1;
        m
    });
    assert_eq!(pids.len(), 2, "both processes' records: {pids:?}");

    let out = cli(&[
        "trace",
        "b-3",
        "--output",
        "json",
        arg(a.path()),
        arg(b.path()),
    ]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 4);
    assert!(
        text.lines()
            .all(|l| l.contains("\"correlation_id\":\"b-3\""))
    );
}

#[test]
fn a_crash_tail_is_reported_and_strict_makes_it_an_error() {
    let dir = common::write_logs("k");
    let app = dir.path().join("app.log");
    let before = lines_of(dir.path(), "app").len();
    // What a crash leaves: a record cut mid-line, then the NUL padding of the mapped window.
    let mut bytes = std::fs::read(&app).unwrap();
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    bytes.truncate(end);
    let cut = br#"{"ts":"2026-11-21T10:30:45.1Z","level":"INFO","kind":"log","tar"#;
    bytes.extend_from_slice(cut);
    let cut = cut.len();
    bytes.extend_from_slice(&[0u8; 4096]);
    std::fs::write(&app, &bytes).unwrap();

    let out = cli(&["cat", "--output", "json", arg(dir.path())]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), before);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "app.log: crash tail: a cut last line of {cut} bytes"
        )),
        "{err}"
    );

    let out = cli(&["cat", "--strict", "--output", "json", arg(dir.path())]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), before);
}
