//! `Builder::signal_handler(true)`: a child logs without flushing, then
//! dies of a signal (SIGTERM it raises, SIGINT sent by the parent, a real
//! SIGSEGV in a worker thread, `abort()`). The flusher is made slow (it
//! sleeps half a second when idle), so without the handler the records
//! would still be in the rings when the process dies. Each time: the
//! process dies of that very signal, every record is in the file, and so
//! is a record naming the signal. A handler the application installed
//! before the logger still runs (after the flush), and an ignored signal
//! stays ignored.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

const RECORDS: u64 = 2_000;
const THREADS: u64 = 2;

extern "C" fn app_handler(_sig: libc::c_int) {
    let msg = b"APP_HANDLER_RAN\n";
    // SAFETY: write and _exit are async-signal-safe; the buffer is valid.
    unsafe {
        libc::write(1, msg.as_ptr().cast(), msg.len());
        libc::_exit(7);
    }
}

/// The child: log from two threads, never flush, then die as asked.
#[test]
fn signal_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let mode = std::env::var("SIG_MODE").unwrap();
    // SAFETY: installing plain handlers / dispositions before any thread
    // of ours exists.
    unsafe {
        match mode.as_str() {
            "term_chained" => {
                libc::signal(
                    libc::SIGTERM,
                    app_handler as extern "C" fn(libc::c_int) as libc::sighandler_t,
                );
            }
            "int_ignored" => {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
            }
            _ => {}
        }
    }
    let guard = logger::builder()
        .dir(dir)
        .signal_handler(true)
        .idle_sleep(Duration::from_millis(500))
        .install()
        .unwrap();
    // Let the flusher go to sleep.
    std::thread::sleep(Duration::from_millis(50));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..RECORDS / THREADS {
                    log::info!(t = t, i = i; "before the signal");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    // SAFETY: raise/abort/a deliberate fault: the point of this child.
    unsafe {
        match mode.as_str() {
            "term" | "term_chained" => {
                libc::raise(libc::SIGTERM);
            }
            "int_from_parent" => {
                println!("SIG_READY");
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            "segv" => {
                let _ = std::thread::spawn(|| {
                    let p = std::hint::black_box(std::ptr::null_mut::<u64>());
                    p.write_volatile(1);
                })
                .join();
            }
            "abort" => std::process::abort(),
            "int_ignored" => {
                libc::raise(libc::SIGINT);
                println!("STILL_ALIVE");
                logger::flush().unwrap();
                drop(guard);
                return;
            }
            other => panic!("unknown mode {other}"),
        }
    }
    std::thread::sleep(Duration::from_secs(10));
    println!("SURVIVED");
}

/// Runs the child in `mode`, returns its output and the records of `app`.
fn run(
    mode: &str,
) -> (
    common::ChildOutput,
    Vec<serde_json::Value>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let cmd = common::child_command(
        "signal_child",
        &[("LOGGER_TEST_DIR", &d), ("SIG_MODE", mode)],
    );
    let out = if mode == "int_from_parent" {
        // Send SIGINT once the child has logged.
        let mut cmd = cmd;
        let mut child = cmd.spawn().unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
            s
        });
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
            assert!(n > 0, "child ended before it was ready");
            text.push_str(&line);
            if line.contains("SIG_READY") {
                break;
            }
        }
        // SAFETY: plain FFI call with a pid we own.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let status = child.wait().unwrap();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        common::ChildOutput {
            status,
            stdout: text,
            stderr: err.join().unwrap(),
        }
    } else {
        common::run_child(cmd, Duration::from_secs(60))
    };
    let (records, _) = common::read_repaired(&dir.path().join("app.log"), 0);
    (out, records, dir)
}

fn check_all_logged(mode: &str, out: &common::ChildOutput, records: &[serde_json::Value]) {
    let logged = records
        .iter()
        .filter(|r| r["msg"] == "before the signal")
        .count() as u64;
    assert_eq!(
        logged, RECORDS,
        "{mode}: records logged before the signal are missing\nstderr:\n{}",
        out.stderr
    );
    assert!(!out.stdout.contains("SURVIVED"), "{mode}: {}", out.stdout);
}

fn signal_record<'a>(records: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["target"] == "signal")
        .unwrap_or_else(|| panic!("no signal record for {name}"))
}

#[test]
fn sigterm_flushes_then_dies_of_sigterm() {
    if common::is_child() {
        return;
    }
    let (out, records, _dir) = run("term");
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{:?}", out.status);
    check_all_logged("term", &out, &records);
    let r = signal_record(&records, "SIGTERM");
    assert_eq!(r["level"], "WARN");
    assert_eq!(r["fields"]["signal"], "SIGTERM");
    assert_eq!(r["fields"]["signo"], libc::SIGTERM);
}

#[test]
fn sigint_from_outside_flushes_then_dies_of_sigint() {
    if common::is_child() {
        return;
    }
    let (out, records, _dir) = run("int_from_parent");
    assert_eq!(out.status.signal(), Some(libc::SIGINT), "{:?}", out.status);
    check_all_logged("int_from_parent", &out, &records);
    assert_eq!(
        signal_record(&records, "SIGINT")["fields"]["signal"],
        "SIGINT"
    );
}

#[test]
fn segfault_in_a_thread_flushes_then_dies_of_sigsegv() {
    if common::is_child() {
        return;
    }
    let (out, records, dir) = run("segv");
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{:?}", out.status);
    check_all_logged("segv", &out, &records);
    let r = signal_record(&records, "SIGSEGV");
    assert_eq!(r["level"], "ERROR");
    let (errors, _) = common::read_repaired(&dir.path().join("errors.log"), 0);
    assert!(errors.iter().any(|e| e["fields"]["signal"] == "SIGSEGV"));
}

#[test]
fn abort_flushes_then_dies_of_sigabrt() {
    if common::is_child() {
        return;
    }
    let (out, records, _dir) = run("abort");
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
    check_all_logged("abort", &out, &records);
    assert_eq!(
        signal_record(&records, "SIGABRT")["fields"]["signal"],
        "SIGABRT"
    );
}

#[test]
fn an_application_handler_still_runs_after_the_flush() {
    if common::is_child() {
        return;
    }
    let (out, records, _dir) = run("term_chained");
    assert_eq!(
        out.status.code(),
        Some(7),
        "{:?}\n{}",
        out.status,
        out.stderr
    );
    assert!(out.stdout.contains("APP_HANDLER_RAN"));
    check_all_logged("term_chained", &out, &records);
}

#[test]
fn an_ignored_signal_stays_ignored() {
    if common::is_child() {
        return;
    }
    let (out, records, _dir) = run("int_ignored");
    assert!(out.status.success(), "{:?}\n{}", out.status, out.stderr);
    assert!(out.stdout.contains("STILL_ALIVE"));
    assert!(records.iter().all(|r| r["target"] != "signal"));
    assert_eq!(
        records
            .iter()
            .filter(|r| r["msg"] == "before the signal")
            .count() as u64,
        RECORDS
    );
}
