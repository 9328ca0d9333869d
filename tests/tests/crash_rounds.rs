//! Crash rounds: a child logs from several threads, acknowledging records
//! with `flush()`, and dies at a random moment: SIGKILL from outside,
//! `abort()`, a panic that unwinds in a worker thread (then `exit`), or a
//! panic under a "panic = abort" hook (our hook runs, then `abort()`).
//! Rounds share one directory, so every round but the first starts by
//! repairing the file the previous crash left. After each round:
//!
//! - every complete line parses (what the next start keeps is valid);
//! - each thread's records are `0, 1, 2, ...` with no gap and no duplicate;
//! - every record acknowledged by a `flush()` that returned before the
//!   crash is there (the child prints `ACK <thread> <count>` only after
//!   `flush()` returned `Ok`);
//! - after a panic, the panicking thread's records and the panic record
//!   are there (the panic hook flushed before the process went down).
//!
//! `LOGGER_CRASH_SEED` replays a run; `LOGGER_CRASH_ROUNDS` changes the
//! number of rounds (default 20).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WORKERS: u64 = 4;
/// Records the panicking thread logs right before it panics.
const PANICKER_RECORDS: u64 = 10;
const PANICKER: u64 = 99;
const MODES: [&str; 4] = ["sigkill", "abort", "panic_unwind", "panic_abort"];

fn env_u64(key: &str) -> u64 {
    std::env::var(key).unwrap().parse().unwrap()
}

/// The child: workers log and acknowledge until the process dies.
#[test]
fn crash_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let mode = std::env::var("CRASH_MODE").unwrap();
    let round = env_u64("CRASH_ROUND");
    let after = Duration::from_millis(env_u64("CRASH_AFTER_MS"));
    let guard = logger::builder()
        .dir(dir)
        .window_bytes(64 * 1024)
        .max_file_bytes(None)
        .trades_file(None)
        .perf_file(None)
        // A slow flusher: unflushed records wait longer in the rings, so
        // a missing flush is more likely to show.
        .idle_sleep(Duration::from_millis(2))
        .install()
        .unwrap();
    if mode == "panic_abort" {
        // What `panic = "abort"` does: the hooks run, then the process aborts.
        let ours = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            ours(info);
            std::process::abort();
        }));
    }
    println!("CRASH_READY");
    for t in 0..WORKERS {
        std::thread::Builder::new()
            .name(format!("worker-{t}"))
            .spawn(move || {
                let mut i = 0u64;
                let mut batch = 1 + (t * 7 + round) % 16;
                loop {
                    for _ in 0..batch {
                        log::info!(round = round, t = t, i = i; "crash round {round} thread {t} record {i}");
                        i += 1;
                    }
                    if logger::flush().is_ok() {
                        println!("ACK {t} {i}");
                    }
                    batch = 1 + (batch * 5 + 3) % 16;
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
            .unwrap();
    }
    std::thread::sleep(after);
    match mode.as_str() {
        "abort" => std::process::abort(),
        "panic_unwind" | "panic_abort" => {
            let panicker = std::thread::Builder::new()
                .name("panicker".into())
                .spawn(move || {
                    for i in 0..PANICKER_RECORDS {
                        log::info!(round = round, t = PANICKER, i = i; "about to panic {i}");
                    }
                    println!("PANICKER {PANICKER_RECORDS}");
                    panic!("crash round {round}: injected panic");
                })
                .unwrap();
            assert!(panicker.join().is_err());
            // Unwound; the process now ends without dropping the guard
            // (no drain, no truncation): a crash for the logger.
            std::mem::forget(guard);
            std::process::exit(42);
        }
        _ => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
    }
}

/// One round's child output.
struct Round {
    acked: HashMap<u64, u64>,
    panicker: Option<u64>,
    status: std::process::ExitStatus,
    stderr: String,
}

fn run_round(dir: &str, mode: &str, round: u64, after_ms: u64) -> Round {
    let r = round.to_string();
    let a = after_ms.to_string();
    let mut cmd = common::child_command(
        "crash_child",
        &[
            ("LOGGER_TEST_DIR", dir),
            ("CRASH_MODE", mode),
            ("CRASH_ROUND", &r),
            ("CRASH_AFTER_MS", &a),
        ],
    );
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let mut lines = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    if mode == "sigkill" {
        loop {
            let line = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => line,
                Err(e) => {
                    // Leave no child running behind a failed test.
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("round {round}: the child never became ready ({e})");
                }
            };
            // libtest may print "test crash_child ... " before it.
            let ready = line.contains("CRASH_READY");
            lines.push(line);
            if ready {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(after_ms));
        // SAFETY: plain FFI call with a pid we own.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    }
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("round {round} ({mode}): the child did not die");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    let stderr = err_reader.join().unwrap();

    let mut acked = HashMap::new();
    let mut panicker = None;
    for l in &lines {
        let l = ["ACK ", "PANICKER "]
            .iter()
            .find_map(|k| l.find(k).map(|at| &l[at..]))
            .unwrap_or("");
        let mut w = l.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("ACK"), Some(t), Some(n)) => {
                let (t, n): (u64, u64) = (t.parse().unwrap(), n.parse().unwrap());
                let e = acked.entry(t).or_insert(0);
                *e = (*e).max(n);
            }
            (Some("PANICKER"), Some(n), None) => panicker = Some(n.parse().unwrap()),
            _ => {}
        }
    }
    Round {
        acked,
        panicker,
        status,
        stderr,
    }
}

#[test]
fn crash_rounds_keep_every_acknowledged_record() {
    if common::is_child() {
        return;
    }
    let rounds: u64 = std::env::var("LOGGER_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut rng = common::Rng::from_env("LOGGER_CRASH_SEED");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let app = dir.path().join("app.log");
    let errors = dir.path().join("errors.log");
    let (mut app_at, mut errors_at) = (0usize, 0usize);
    let mut total = 0u64;
    let mut total_acked = 0u64;
    let started = Instant::now();

    for round in 0..rounds {
        let mode = MODES[(round % 4) as usize];
        let after_ms = rng.range(20, 300);
        let r = run_round(&d, mode, round, after_ms);
        let what = format!("round {round} ({mode} after {after_ms} ms)");

        let expected_signal = match mode {
            "sigkill" => Some(libc::SIGKILL),
            "abort" | "panic_abort" => Some(libc::SIGABRT),
            _ => None,
        };
        assert_eq!(
            r.status.signal(),
            expected_signal,
            "{what}: {:?}\n{}",
            r.status,
            r.stderr
        );
        if mode == "panic_unwind" {
            assert_eq!(r.status.code(), Some(42), "{what}: {}", r.stderr);
        }

        // Everything the previous crash left was repaired by this round's
        // start, and this round's lines follow it.
        let (records, end) = common::read_repaired(&app, app_at);
        app_at = end;
        let mut per_thread: HashMap<u64, u64> = HashMap::new();
        for rec in &records {
            if rec["target"] == "panic" {
                continue; // the panic record: checked below, in errors.log
            }
            let f = &rec["fields"];
            assert_eq!(
                f["round"].as_u64(),
                Some(round),
                "{what}: a record of another round (duplicated or left unrepaired): {rec}"
            );
            let (t, i) = (f["t"].as_u64().unwrap(), f["i"].as_u64().unwrap());
            let next = per_thread.entry(t).or_insert(0);
            assert_eq!(i, *next, "{what}: thread {t}: gap or duplicate at {rec}");
            *next += 1;
        }
        total += records.len() as u64;
        for (t, &n) in &r.acked {
            let got = per_thread.get(t).copied().unwrap_or(0);
            assert!(
                got >= n,
                "{what}: thread {t}: {n} records acknowledged by flush(), only {got} in the file"
            );
            total_acked += n;
        }

        if mode.starts_with("panic") {
            let logged = r.panicker.expect("the panicker ran");
            let got = per_thread.get(&PANICKER).copied().unwrap_or(0);
            assert_eq!(
                got, logged,
                "{what}: the panic hook did not flush what the panicking thread logged"
            );
            let (errs, end) = common::read_repaired(&errors, errors_at);
            errors_at = end;
            let msg = format!("crash round {round}: injected panic");
            assert!(
                errs.iter().any(|e| e["target"] == "panic"
                    && e["thread"] == "panicker"
                    && e["msg"].as_str().unwrap().contains(&msg)),
                "{what}: no panic record in errors.log: {errs:?}"
            );
        }
    }
    println!(
        "{rounds} rounds in {:?}: {total} records in the file, {total_acked} acknowledged",
        started.elapsed()
    );
    assert!(total_acked > 0, "no round acknowledged anything");

    // A normal start repairs the last crash; every line of every file is
    // then valid JSON (the strict reader) and nothing was added or lost.
    let guard = logger::builder().dir(dir.path()).install().unwrap();
    log::info!(round = rounds; "after the crash rounds");
    logger::flush().unwrap();
    drop(guard);
    let all = common::records(dir.path(), "app");
    assert_eq!(all.len() as u64, total + 1);
    common::records(dir.path(), "errors");
}
