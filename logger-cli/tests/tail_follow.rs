//! `tail -f` over a directory while the library writes a new session into
//! it, rotating and gzip'ing as it goes: every record of the session is
//! printed once, and nothing else; `--since` starts from the beginning.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use common::{arg, lines_of};

#[test]
fn child_writer() {
    common::child_main();
}

/// The `tail -f` process, killed when the test ends (also when it fails).
struct Tail(Child);

impl Drop for Tail {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `logger tail -f ...` (its stderr shown with the test's);
/// its stdout lines arrive on the channel.
fn tail(args: &[&str]) -> (Tail, Receiver<String>) {
    tail_with_stderr(args, Stdio::inherit())
}

/// [`tail`] with its stderr going to `stderr`.
fn tail_with_stderr(args: &[&str], stderr: Stdio) -> (Tail, Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logger"))
        .arg("tail")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Tail(child), rx)
}

/// Receives a line, failing the test (instead of hanging) after 60 s.
fn recv(rx: &Receiver<String>, what: &str) -> String {
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("tail -f printed no {what}"))
}

#[test]
fn follows_a_new_session_across_rotation_and_gzip() {
    let dir = common::write_logs("one");
    let before = lines_of(dir.path(), "app");
    let (child, rx) = tail(&[
        "-f",
        "-n",
        "1",
        "--poll-ms",
        "10",
        "--output",
        "json",
        arg(dir.path()),
    ]);
    // The last record already there: the followers are placed at the end.
    assert_eq!(recv(&rx, "last record"), *before.last().unwrap());

    common::write_logs_into(dir.path(), "two");
    let after = lines_of(dir.path(), "app");
    let new: Vec<String> = after.into_iter().filter(|l| !before.contains(l)).collect();
    assert!(new.len() > 4 * common::ORDERS as usize);
    let mut printed = Vec::new();
    while printed.len() < new.len() {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => printed.push(l),
            Err(_) => {
                let missing: Vec<&String> = new.iter().filter(|l| !printed.contains(l)).collect();
                panic!(
                    "tail -f printed {} of the {} new records; the first missing:\n{}",
                    printed.len(),
                    new.len(),
                    missing.first().map_or("", |s| s.as_str())
                );
            }
        }
    }
    // Copies from trades/perf/errors.log would come after; give them time to show.
    std::thread::sleep(Duration::from_millis(300));
    drop(child);
    printed.extend(rx.try_iter());
    // Each record once (rounds over several destinations are ordered by ts
    // within a round, not across them).
    let (mut p, mut n) = (printed.clone(), new.clone());
    p.sort();
    n.sort();
    let extra: Vec<&String> = p.iter().filter(|l| !n.contains(l)).collect();
    assert_eq!(
        p.len(),
        n.len(),
        "{} printed, {} new; not new: {:?}",
        p.len(),
        n.len(),
        extra.first()
    );
    assert!(
        p == n,
        "printed other records than the new session's: {:?}",
        extra.first()
    );
}

#[test]
fn since_starts_from_the_beginning_with_the_filters() {
    let dir = common::write_logs("old");
    let (child, rx) = tail(&[
        "-f",
        "--since",
        "1h",
        "--kind",
        "trade",
        "--output",
        "json",
        arg(dir.path()),
    ]);
    let want = lines_of(dir.path(), "trades");
    let mut printed = Vec::new();
    while printed.len() < want.len() {
        printed.push(recv(&rx, "trade"));
    }
    std::thread::sleep(Duration::from_millis(300));
    drop(child);
    printed.extend(rx.try_iter());
    assert_eq!(printed, want);
}

/// `tail -f` started on a directory without log files yet waits for them,
/// as `tail -F` does, and prints the session written afterwards from its
/// first record; a path that does not exist is still an error at once.
#[test]
fn waits_for_log_files_in_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, rx) = tail_with_stderr(
        &["-f", "--poll-ms", "10", "--output", "json", arg(dir.path())],
        Stdio::piped(),
    );
    let err = child.0.stderr.take().unwrap();
    let mut said = String::new();
    BufReader::new(err).read_line(&mut said).unwrap();
    assert!(said.contains("waiting for them"), "{said}");
    common::write_logs_into(dir.path(), "late");
    let written: Vec<String> = ["app", "trades", "perf", "errors"]
        .iter()
        .flat_map(|stem| lines_of(dir.path(), stem))
        .collect();
    let first = recv(&rx, "record of the session written after it started");
    assert!(
        written.contains(&first),
        "not a record of the session: {first}"
    );
    drop(child);

    let out = Command::new(env!("CARGO_BIN_EXE_logger"))
        .args(["tail", "-f", arg(&dir.path().join("no-such-dir"))])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}
