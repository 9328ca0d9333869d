//! Nothing another process does to the active file kills the host: a child
//! logs from a thread (a record every 2 ms) while another process
//! truncates its `app.log` (5 rounds of `truncate -s 0`, what logrotate's
//! `copytruncate` does), removes it (`rm`), replaces it (`mv`) or makes it
//! read-only (`chmod 0444`). The child must live on, say so (stderr, the
//! `files_changed_externally` counter, a `WARN` record in the file), and
//! write on into whole lines with no NUL byte.
//!
//! Also: a disk (a 2 MiB `tmpfs`, mounted in a private mount namespace)
//! with less free space than one window (16 MiB by default) still takes
//! records, through smaller reservations; filled up, records go to stderr;
//! once space is back (another program's file removed), the file takes
//! records again.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Runs `program args..` to completion; it must succeed.
fn run(program: &str, args: &[&str]) {
    let status = Command::new(program).args(args).status().unwrap();
    assert!(status.success(), "{program} {args:?}: {status:?}");
}

#[test]
fn child_external() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let action = std::env::var("ACTION").unwrap();
    let path = Path::new(&dir).join("app.log");
    let p = path.to_str().unwrap().to_string();
    let guard = logger::builder()
        .dir(&dir)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let logged = Arc::new(AtomicU64::new(0));
    let logger_thread = {
        let (stop, logged) = (Arc::clone(&stop), Arc::clone(&logged));
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Acquire) {
                log::info!(i = i; "record under an outside process");
                i += 1;
                logged.store(i, Ordering::Release);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(150));
    match action.as_str() {
        "truncate" => {
            for _ in 0..5 {
                run("truncate", &["-s", "0", &p]);
                std::thread::sleep(Duration::from_millis(150));
            }
        }
        "unlink" => run("rm", &[&p]),
        "replace" => {
            let other = Path::new(&dir).join("other.log");
            std::fs::write(&other, "{\"msg\":\"a line of another program\"}\n").unwrap();
            run("mv", &[other.to_str().unwrap(), &p]);
        }
        "chmod" => run("chmod", &["0444", &p]),
        other => panic!("unknown action {other}"),
    }
    // Records after the change; then the file has had time to be checked
    // by name too (once per second of record time).
    std::thread::sleep(Duration::from_millis(1_200));
    stop.store(true, Ordering::Release);
    logger_thread.join().unwrap();
    let flushed = logger::flush();
    let m = logger::metrics();
    println!("LOGGED={}", logged.load(Ordering::Acquire));
    println!("CHANGES={}", m.files_changed_externally);
    println!("IO_ERRORS={}", m.io_errors);
    println!("TO_STDERR={}", m.records_to_stderr);
    println!("FLUSH_OK={}", flushed.is_ok());
    drop(guard);
}

/// Runs the child with `action`; returns its output and `app.log`'s records.
fn run_action(action: &str) -> (common::ChildOutput, Vec<serde_json::Value>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let out = common::run_child(
        common::child_command(
            "child_external",
            &[
                ("LOGGER_TEST_DIR", dir.path().to_str().unwrap()),
                ("ACTION", action),
            ],
        ),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{action}: the host died: {:?}\n{}\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    let bytes = std::fs::read(dir.path().join("app.log")).unwrap();
    assert!(!bytes.contains(&0), "{action}: NUL bytes in app.log");
    let records = common::parse_lines(&bytes, action);
    (out, records, bytes)
}

/// The `i` of our records, in file order.
fn indices(records: &[serde_json::Value]) -> Vec<u64> {
    records
        .iter()
        .filter(|r| r["msg"] == "record under an outside process")
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect()
}

/// Checks that `ids` is a run of consecutive records ending with the last
/// one logged.
fn assert_tail_run(ids: &[u64], logged: u64, what: &str) {
    assert!(!ids.is_empty(), "{what}: no record after the change");
    let first = ids[0];
    assert_eq!(
        ids,
        (first..logged).collect::<Vec<_>>(),
        "{what}: records after the change"
    );
}

/// Checks the notice: counted, on stderr, and as a `WARN` record.
fn assert_noticed(out: &common::ChildOutput, records: &[serde_json::Value], what: &str) {
    assert!(out.number("CHANGES") >= 1, "{what}: not counted");
    assert!(
        out.stderr.contains("logger: log file"),
        "{what}: not said on stderr:\n{}",
        out.stderr
    );
    assert!(
        records.iter().any(|r| r["level"] == "WARN"
            && r["target"] == "logger"
            && r["msg"].as_str().unwrap().contains("app.log")),
        "{what}: no WARN record in the file"
    );
}

#[test]
fn truncation_by_another_process_is_survived_several_rounds() {
    if common::is_child() {
        return;
    }
    let (out, records, _) = run_action("truncate");
    assert_eq!(out.number("CHANGES"), 5, "one notice per truncation");
    assert_noticed(&out, &records, "truncate");
    assert!(
        records.iter().any(|r| r["msg"]
            .as_str()
            .unwrap()
            .contains("resized by another process")),
        "the WARN record says what happened"
    );
    assert_tail_run(&indices(&records), out.number("LOGGED"), "truncate");
    assert_eq!(out.number("IO_ERRORS"), 0);
    assert_eq!(out.value("FLUSH_OK"), "true");
}

#[test]
fn unlinked_active_file_is_recreated() {
    if common::is_child() {
        return;
    }
    let (out, records, _) = run_action("unlink");
    assert_noticed(&out, &records, "unlink");
    assert_tail_run(&indices(&records), out.number("LOGGED"), "unlink");
    assert_eq!(out.number("TO_STDERR"), 0);
}

#[test]
fn replaced_active_file_is_written_on() {
    if common::is_child() {
        return;
    }
    let (out, records, _) = run_action("replace");
    assert_noticed(&out, &records, "replace");
    assert_eq!(records[0]["msg"], "a line of another program");
    assert_tail_run(&indices(&records), out.number("LOGGED"), "replace");
}

#[test]
fn read_only_active_file_is_survived() {
    if common::is_child() {
        return;
    }
    let (out, records, _) = run_action("chmod");
    // The open descriptor stays writable: nothing is lost.
    assert_eq!(
        indices(&records),
        (0..out.number("LOGGED")).collect::<Vec<_>>()
    );
    assert_eq!(out.value("FLUSH_OK"), "true");
}

#[test]
fn child_small_disk() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    // Another program's file leaves 512 KiB of the 2 MiB disk free: far
    // less than the default window (16 MiB).
    let filler = Path::new(&dir).join("filler");
    std::fs::write(&filler, vec![b'x'; 1536 * 1024]).unwrap();
    let guard = logger::builder()
        .dir(&dir)
        .flush_timeout(Duration::from_secs(50))
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    for i in 0..100u64 {
        log::info!(i = i, phase = "small"; "a disk smaller than a window");
    }
    println!("SMALL_FLUSH_OK={}", logger::flush().is_ok());
    // About 1 MiB more than the disk has.
    for i in 0..2_000u64 {
        log::info!(i = i, phase = "full", pad = "p".repeat(300).as_str(); "the disk is full");
    }
    let full = logger::flush();
    println!(
        "FULL_FLUSH_IO_ERR={}",
        matches!(full, Err(logger::FlushError::Io { .. }))
    );
    // Space comes back.
    std::fs::remove_file(&filler).unwrap();
    std::thread::sleep(Duration::from_millis(1_100));
    for i in 0..10u64 {
        log::info!(i = i, phase = "back"; "space is back");
        std::thread::sleep(Duration::from_millis(150));
    }
    println!("BACK_FLUSH_OK={}", logger::flush().is_ok());
    drop(guard);
    // The tmpfs goes with this process's mount namespace: count here.
    let bytes = std::fs::read(Path::new(&dir).join("app.log")).unwrap();
    assert!(!bytes.contains(&0), "NUL bytes in app.log");
    let records = common::parse_lines(&bytes, "app.log on the small disk");
    for phase in ["small", "full", "back"] {
        let n = records
            .iter()
            .filter(|r| r["fields"]["phase"] == phase)
            .count();
        println!("IN_FILE_{phase}={n}");
    }
}

#[test]
fn disk_with_less_than_a_window_free_takes_records_and_recovers() {
    if common::is_child() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut cmd = common::child_command("child_small_disk", &[("LOGGER_TEST_DIR", &d)]);
    let target = std::ffi::CString::new(d.clone()).unwrap();
    // SAFETY: runs in the forked child before exec: unshare and mount are
    // plain system calls on pointers that live through the call. The child
    // gets its own mount namespace: the tmpfs vanishes with it.
    unsafe {
        cmd.pre_exec(move || {
            if libc::unshare(libc::CLONE_NEWNS) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let flags = libc::MS_REC | libc::MS_PRIVATE;
            let none = std::ptr::null();
            if libc::mount(none, c"/".as_ptr(), none, flags, std::ptr::null()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let opts = c"size=2m";
            if libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                opts.as_ptr().cast(),
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = common::try_run_child(cmd, Duration::from_secs(60)).unwrap_or_else(|e| {
        panic!("mounting a tmpfs in a private mount namespace needs root (scripts/test-all.sh runs as root): {e}")
    });
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.value("SMALL_FLUSH_OK"), "true", "{}", out.stderr);
    assert_eq!(out.value("FULL_FLUSH_IO_ERR"), "true");
    assert_eq!(out.value("BACK_FLUSH_OK"), "true", "{}", out.stderr);
    let on_stderr = |phase: &str| {
        out.stderr
            .lines()
            .filter(|l| l.contains(&format!("\"phase\":\"{phase}\"")))
            .count() as u64
    };
    assert_eq!(out.number("IN_FILE_small"), 100, "{}", out.stderr);
    assert_eq!(out.number("IN_FILE_back"), 10, "{}", out.stderr);
    assert!(on_stderr("full") > 0, "a full disk sends records to stderr");
    assert_eq!(
        out.number("IN_FILE_full") + on_stderr("full"),
        2_000,
        "every record of the full disk is in the file or on stderr"
    );
}
