//! What depends on a terminal (a pseudo-terminal made by util-linux
//! `script`): the progress bar of long scans, drawn on stderr when it is a
//! terminal, never when stderr is piped, and not with `--no-progress`;
//! colors by level on a terminal, none with `NO_COLOR` set.

mod common;

use std::process::Command;

use common::{arg, lines_of, stderr};

#[test]
fn child_writer() {
    common::child_main();
}

/// Runs `logger ARGS` on a pseudo-terminal; returns what it printed there.
fn on_terminal(args: &[&str]) -> String {
    on_terminal_with(args, &[])
}

/// [`on_terminal`] with more environment variables.
fn on_terminal_with(args: &[&str], env: &[(&str, &str)]) -> String {
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_logger"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
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

#[test]
fn colors_on_a_terminal_unless_no_color() {
    let dir = common::write_logs("color");
    let d = arg(dir.path());
    let colored = on_terminal(&["cat", "--level", "warn", d]);
    assert!(colored.contains("WARN"), "{colored}");
    assert!(
        colored.contains("\x1b["),
        "no color on a terminal: {colored}"
    );
    let plain = on_terminal_with(&["cat", "--level", "warn", d], &[("NO_COLOR", "1")]);
    assert!(plain.contains("WARN"), "{plain}");
    assert!(!plain.contains("\x1b["), "colored with NO_COLOR: {plain}");
}
