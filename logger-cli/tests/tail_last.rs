//! `tail` without `-f`: the last N records of every destination merged by
//! time (a record in several destinations once), through rotated and
//! gzip'ed files, with the filters, and all records after `--since`.

mod common;

use common::{arg, cli, lines_of, stderr, stdout};

#[test]
fn child_writer() {
    common::child_main();
}

fn printed(args: &[&str]) -> Vec<String> {
    let out = cli(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out).lines().map(String::from).collect()
}

#[test]
fn tail_n_prints_the_last_records_in_time_order() {
    let dir = common::write_logs("last");
    let d = arg(dir.path());
    // app.log (rotated, gzip'ed, active) holds every record, in time order.
    let app = lines_of(dir.path(), "app");
    assert!(app.len() > 100);
    let last = |n: usize| app[app.len() - n..].to_vec();

    assert_eq!(
        printed(&["tail", "--output", "json", d]),
        last(10),
        "default 10"
    );
    assert_eq!(
        printed(&["tail", "-n", "37", "--output", "json", d]),
        last(37)
    );
    assert!(printed(&["tail", "-n", "0", "--output", "json", d]).is_empty());
    let all = printed(&["tail", "-n", "1000000", "--output", "json", d]);
    assert_eq!(all, app, "more than there are: all of them");

    // With a filter: the last N of the records it selects.
    let errors: Vec<String> = app
        .iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .cloned()
        .collect();
    assert!(errors.len() >= 3);
    assert_eq!(
        printed(&["tail", "-n", "2", "--level", "error", "--output", "json", d]),
        errors[errors.len() - 2..]
    );

    // --since: every record from then on, not just the last N.
    let v: serde_json::Value = serde_json::from_str(&app[app.len() - 50]).unwrap();
    let since = v["ts"].as_str().unwrap();
    let from = app.iter().position(|l| l.contains(since)).unwrap();
    assert_eq!(
        printed(&["tail", "-n", "3", "--since", since, "--output", "json", d]),
        app[from..]
    );

    // Text output: one line per record, the last one's message in it.
    let text = printed(&["tail", "-n", "1", d]);
    assert_eq!(text.len(), 1);
    assert!(text[0].contains("session finished"), "{text:?}");
}
