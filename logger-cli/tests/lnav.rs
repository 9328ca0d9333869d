//! The lnav format file (`logger-cli/lnav/logger_json.json`): installed
//! into a fresh lnav home and queried over a directory written by the
//! library (rotated, gzip'ed and active files): levels, kinds, fields and
//! correlation ids come out as logged.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::records_of;

#[test]
fn child_writer() {
    common::child_main();
}

fn format_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lnav/logger_json.json")
}

/// Runs lnav with `home` as its home (its own format directory).
fn lnav(home: &Path, args: &[&str]) -> String {
    let out = Command::new("lnav")
        .args(args)
        .env("HOME", home)
        .env("TERM", "dumb")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run lnav ({e}): run the tests with scripts/test-all.sh, which installs it (scripts/services/lnav.sh)")
        });
    assert!(
        out.status.success(),
        "lnav {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Rows of lnav's table output, split on runs of spaces, header dropped.
fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

#[test]
fn lnav_reads_levels_fields_and_ids_with_the_format_file() {
    let dir = common::write_logs("l");
    let home = tempfile::tempdir().unwrap();
    lnav(home.path(), &["-i", format_file().to_str().unwrap()]);
    assert!(
        home.path()
            .join(".lnav/formats/installed/logger_json.json")
            .exists()
    );

    let app: Vec<String> = common::files_of(dir.path(), "app")
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    assert!(app.iter().any(|p| p.ends_with(".gz")));
    let query = |sql: &str| {
        let mut args = vec!["-n".to_string(), "-c".to_string(), format!(";{sql}")];
        args.extend(app.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rows(&lnav(home.path(), &args))
    };
    let recs = records_of(dir.path(), "app");

    // Levels: lnav's names for ours.
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for r in &recs {
        let l = match r["level"].as_str().unwrap() {
            "WARN" => "warning".to_string(),
            other => other.to_ascii_lowercase(),
        };
        *want.entry(l).or_default() += 1;
    }
    let got: BTreeMap<String, u64> =
        query("SELECT log_level, count(*) FROM logger_json GROUP BY log_level")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].parse().unwrap()))
            .collect();
    assert_eq!(got, want);

    // Fields as JSON: the trades' total quantity.
    let qty: u64 = recs
        .iter()
        .filter(|r| r["kind"] == "trade")
        .map(|r| r["fields"]["qty"].as_u64().unwrap())
        .sum();
    let got = query(
        "SELECT count(*), sum(json_extract(fields, '$.qty')) FROM logger_json WHERE kind = 'trade'",
    );
    assert_eq!(got[0], vec![common::ORDERS.to_string(), qty.to_string()]);

    // A correlation id and a target, as columns.
    let got = query("SELECT count(*) FROM logger_json WHERE correlation_id = 'l-9'");
    assert_eq!(got[0][0], "4");
    let got = query("SELECT target, log_body FROM logger_json WHERE log_level = 'error' LIMIT 1");
    assert_eq!(got[0].join(" "), "risk::limits exposure limit breached");
}
