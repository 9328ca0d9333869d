//! `check` over a directory written by the library (clean: exit 0), then
//! with each problem put in: a line off the schema, a timestamp going back,
//! a crash tail, a rotated file deleted, a rotated file copied under
//! another name; and a record that is the first line of two destinations'
//! files, which is no copy.

mod common;

use std::io::Write;

use common::{arg, cli, files_of, stderr, stdout};

#[test]
fn child_writer() {
    common::child_main();
}

fn check(dir: &std::path::Path) -> (Option<i32>, String) {
    let out = cli(&["check", arg(dir)]);
    (
        out.status.code(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn a_clean_directory_passes() {
    let dir = common::write_logs("ok");
    let (code, text) = check(dir.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 schema errors, 0 out of order, 0 crash tails, 0 read errors, 0 rotation gaps, 0 duplicate files"), "{text}");
    assert!(text.trim_end().ends_with("OK"));
    let out = cli(&["check", "--json", arg(dir.path())]);
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["destinations"], 4);
    assert!(s["lines"].as_u64().unwrap() > 1000);
}

#[test]
fn each_problem_is_found_and_named() {
    let dir = common::write_logs("bad");
    let errors = dir.path().join("errors.log");
    let text = std::fs::read_to_string(&errors).unwrap();
    let text = text.trim_end_matches('\0');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    // Line 2 gets an unknown key; line 4 goes back in time before line 3.
    let l2 = lines[1].replacen("\"kind\":", "\"kinds\":", 1);
    let l4 = lines[3].replacen("\"ts\":\"2", "\"ts\":\"1", 1);
    let mut f = std::fs::File::create(&errors).unwrap();
    writeln!(f, "{}\n{}\n{}\n{}", lines[0], l2, lines[2], l4).unwrap();
    // A crash tail on the active trades file.
    let mut t = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("trades.log"))
        .unwrap();
    t.write_all(b"{\"ts\":\"2026").unwrap();

    // A rotated app file deleted: the first of a millisecond, so that the
    // file before it was named for another millisecond.
    let app = files_of(dir.path(), "app");
    let rotated: Vec<String> = app[..app.len() - 1]
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let ms = |n: &str| n[4..23].to_string();
    let victim = (1..rotated.len())
        .find(|&i| ms(&rotated[i]) != ms(&rotated[i - 1]))
        .expect("rotations in two milliseconds");
    std::fs::remove_file(&app[victim]).unwrap();

    // A rotated perf file copied under another rotated name.
    let perf = files_of(dir.path(), "perf");
    let name = perf[0].to_string_lossy().into_owned();
    let base = &name[..name.find(".log").unwrap()];
    let copy = format!("{}-77.log.gz", base.split('-').next().unwrap());
    std::fs::copy(&perf[0], &copy).unwrap();

    let (code, text) = check(dir.path());
    assert_eq!(code, Some(1), "{text}");
    let e = errors.display().to_string();
    for want in [
        format!("{e}: line 2: unknown key \"kinds\""),
        format!("{e}: line 4: ts 1"),
        "trades.log: crash tail: a cut last line of 11 bytes".to_string(),
        format!("{}: rotated by a record at", rotated[victim - 1]),
        "a file between them is missing".to_string(),
        "(same first line)".to_string(),
        "1 schema errors, 1 out of order, 1 crash tails, 0 read errors, 1 rotation gaps, 1 duplicate files".to_string(),
        "PROBLEMS FOUND".to_string(),
    ] {
        assert!(text.contains(&want), "{want:?} missing from:\n{text}");
    }
}

/// A record written to two destinations (a trade goes to `app` and to
/// `trades`) may be the first line of a file of each: not a duplicate.
#[test]
fn a_record_first_in_two_destinations_is_not_a_duplicate() {
    let src = common::write_logs("first");
    let trades = std::fs::read_to_string(src.path().join("trades.log")).unwrap();
    let first = trades.lines().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["app.log", "trades.log"] {
        std::fs::write(dir.path().join(name), format!("{first}\n")).unwrap();
    }
    let (code, text) = check(dir.path());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("2 destinations"), "{text}");
    assert!(text.contains(" 0 duplicate files"), "{text}");
}
