//! The active file looks like a finished log file at every instant: its
//! size is the end of the last whole line, while a process logs and after
//! every way it can end, so that `tail -F`, shippers and plain line readers
//! see exactly the records.
//!
//! For each ending (guard dropped, `std::process::exit` with the guard
//! alive, SIGTERM with `signal_handler(true)`, `abort()`, SIGKILL, a panic),
//! a child logs one record every 20 ms, acknowledging (`ACK <i>`) each one
//! whose `flush()` returned but the last three, then ends that way. Meanwhile
//! the real `tail -F` (coreutils) follows `app.log`, and a plain reader
//! reads the whole file over and over: every read must hold no NUL byte,
//! parse line by line, and be a prefix of every later read (bytes never
//! change once seen; a read racing a `write(2)` that spans pages may see
//! the first part of that batch, as with any writer, and then its rest).
//! After the end the file must end in `'\n'`, and the file, `tail -F`'s
//! output and the records must agree exactly.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records each child logs.
const RECORDS: u64 = 15;

#[test]
fn follow_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let mode = std::env::var("ENDING").unwrap();
    let guard = logger::builder()
        .dir(&dir)
        .signal_handler(mode == "sigterm")
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    for i in 0..RECORDS {
        log::info!(i = i, ending = mode.as_str(); "record for the followers");
        if i < RECORDS - 3 {
            logger::flush().unwrap();
            println!("ACK {i}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    match mode.as_str() {
        "guard" => {
            drop(guard);
            return;
        }
        "exit" => std::process::exit(0),
        // SAFETY: raising a signal on the calling thread.
        "sigterm" => unsafe {
            libc::raise(libc::SIGTERM);
        },
        "abort" => std::process::abort(),
        // SAFETY: signalling this very process.
        "sigkill" => unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        },
        "panic" => panic!("the child panics with its guard alive"),
        other => panic!("unknown ending {other}"),
    }
    // A signal is delivered at once; this only bounds a wrong ending.
    std::thread::sleep(Duration::from_secs(5));
}

/// Checks one read of a file that is being written: no NUL byte, every
/// whole line JSON. Returns the number of whole lines.
fn check_snapshot(bytes: &[u8], what: &str) -> usize {
    assert!(
        !bytes.contains(&0),
        "{what}: NUL bytes in the file ({} bytes)",
        bytes.len()
    );
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    common::parse_lines(&bytes[..whole], what).len()
}

/// Checks the file after the writer ended: whole lines only.
fn check_final(bytes: &[u8], what: &str) -> usize {
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "{what}: the file ends inside a line: {:?}",
        String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(80)..])
    );
    check_snapshot(bytes, what)
}

/// Runs one ending; returns the records of the file.
fn run_ending(ending: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // `tail -F` waits for the file to appear and follows it by name.
    let mut tail = Command::new("tail")
        .args(["-F", "-n", "+1", "-s", "0.05"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("coreutils `tail` (scripts/test-all.sh installs coreutils)");
    let mut tail_out = tail.stdout.take().unwrap();
    let followed = Arc::new(Mutex::new(Vec::new()));
    let tail_reader = {
        let followed = Arc::clone(&followed);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = tail_out.read(&mut buf) {
                followed.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };

    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (done, path) = (Arc::clone(&done), path.clone());
        std::thread::spawn(move || {
            let (mut reads, mut mid_line) = (0u64, 0u64);
            let mut last: Vec<u8> = Vec::new();
            while !done.load(Ordering::Acquire) {
                if let Ok(bytes) = std::fs::read(&path) {
                    check_snapshot(&bytes, "a read during logging");
                    assert!(
                        bytes.starts_with(&last),
                        "bytes changed or went missing: a read of {} bytes after one of {}",
                        bytes.len(),
                        last.len()
                    );
                    mid_line += u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
                    last = bytes;
                    reads += 1;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            (reads, mid_line, last)
        })
    };

    let out = common::run_child(
        common::child_command(
            "follow_child",
            &[
                ("LOGGER_TEST_DIR", dir.path().to_str().unwrap()),
                ("ENDING", ending),
            ],
        ),
        Duration::from_secs(60),
    );
    done.store(true, Ordering::Release);
    let (reads, mid_line, last) = reader.join().unwrap();
    assert!(reads > 10, "{ending}: the reader read {reads} times");
    println!("{ending}: {reads} reads, {mid_line} of them ended inside a batch being written");

    let bytes = std::fs::read(&path).unwrap();
    let n = check_final(&bytes, &format!("{ending}: the file after the end"));
    assert!(
        bytes.starts_with(&last) && n > 0,
        "{ending}: the last read during logging is not a prefix of the file"
    );
    let records = common::parse_lines(&bytes, ending);
    let logged: Vec<u64> = records
        .iter()
        .filter(|r| r["msg"] == "record for the followers")
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect();
    let acked = out.stdout.lines().filter(|l| l.contains("ACK ")).count() as u64;
    assert_eq!(
        acked,
        RECORDS - 3,
        "{ending}: {}\n{}",
        out.stdout,
        out.stderr
    );
    // In order, no gap, no duplicate; at least every acknowledged one.
    assert_eq!(
        logged,
        (0..logged.len() as u64).collect::<Vec<_>>(),
        "{ending}"
    );
    assert!(logged.len() as u64 >= acked, "{ending}: {logged:?}");
    if matches!(ending, "guard" | "sigterm" | "panic") {
        assert_eq!(logged.len() as u64, RECORDS, "{ending}: every record");
    }

    // `tail -F` printed exactly the file (waiting, bounded, for it to
    // catch up; it polls every 50 ms besides inotify).
    for _ in 0..200 {
        if followed.lock().unwrap().len() >= bytes.len() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = tail.kill();
    let _ = tail.wait();
    tail_reader.join().unwrap();
    let followed = followed.lock().unwrap().clone();
    assert_eq!(
        String::from_utf8_lossy(&followed),
        String::from_utf8_lossy(&bytes),
        "{ending}: tail -F printed something else than the file ({n} records)"
    );
    assert_ending(ending, &out, &records, dir.path());
}

/// What each ending itself leaves.
fn assert_ending(
    ending: &str,
    out: &common::ChildOutput,
    records: &[serde_json::Value],
    dir: &Path,
) {
    use std::os::unix::process::ExitStatusExt;
    let status = out.status;
    match ending {
        "guard" | "exit" => assert!(status.success(), "{ending}: {status:?}"),
        "sigterm" => {
            assert_eq!(status.signal(), Some(libc::SIGTERM), "{ending}");
            assert!(records.iter().any(|r| r["target"] == "signal"));
        }
        "abort" => assert_eq!(status.signal(), Some(libc::SIGABRT), "{ending}"),
        "sigkill" => assert_eq!(status.signal(), Some(libc::SIGKILL), "{ending}"),
        "panic" => {
            assert!(!status.success(), "{ending}");
            assert!(records.iter().any(|r| r["target"] == "panic"));
        }
        _ => unreachable!(),
    }
    // Nothing else in the directory: no leftover of any kind.
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["app.log"], "{ending}");
}

#[test]
fn tail_and_line_readers_see_whole_lines_guard_dropped() {
    if !common::is_child() {
        run_ending("guard");
    }
}

#[test]
fn tail_and_line_readers_see_whole_lines_after_process_exit() {
    if !common::is_child() {
        run_ending("exit");
    }
}

#[test]
fn tail_and_line_readers_see_whole_lines_after_sigterm() {
    if !common::is_child() {
        run_ending("sigterm");
    }
}

#[test]
fn tail_and_line_readers_see_whole_lines_after_abort() {
    if !common::is_child() {
        run_ending("abort");
    }
}

#[test]
fn tail_and_line_readers_see_whole_lines_after_sigkill() {
    if !common::is_child() {
        run_ending("sigkill");
    }
}

#[test]
fn tail_and_line_readers_see_whole_lines_after_panic() {
    if !common::is_child() {
        run_ending("panic");
    }
}
