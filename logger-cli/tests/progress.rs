//! The progress bar of long scans: drawn on stderr when it is a terminal
//! (a pseudo-terminal made by util-linux `script`), never when stderr is
//! piped, and not with `--no-progress`.

mod common;

use std::process::Command;

use common::{arg, lines_of, stderr};

#[test]
fn child_writer() {
    common::child_main();
}

/// Runs `logger ARGS` on a pseudo-terminal; returns what it printed there.
fn on_terminal(args: &[&str]) -> String {
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_logger"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("util-linux `script` runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_bar_on_a_terminal_never_when_piped() {
    let dir = common::write_logs("bar");
    // One file of more than 16,384 lines (the bar moves every 16,384).
    let lines = lines_of(dir.path(), "app");
    let big = tempfile::tempdir().unwrap();
    let mut text = String::new();
    while text.lines().count() < 40_000 {
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
    }
    std::fs::write(big.path().join("app.log"), text).unwrap();
    let d = arg(big.path());

    let shown = on_terminal(&["stats", d]);
    assert!(
        shown.contains(" records ("),
        "no bar on a terminal: {shown}"
    );
    assert!(shown.contains("Latency per operation"), "{shown}");
    let quiet = on_terminal(&["stats", "--no-progress", d]);
    assert!(!quiet.contains(" records ("), "{quiet}");

    let piped = common::cli(&["stats", d]);
    assert!(piped.status.success());
    assert!(
        stderr(&piped).is_empty(),
        "a bar on a pipe: {}",
        stderr(&piped)
    );
}
