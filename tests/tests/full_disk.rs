//! A disk that fills up, simulated with `RLIMIT_FSIZE` in a child process:
//! no panic, no SIGBUS, no hang; errors are counted; `flush()` reports
//! them; records fall back to stderr; and logging to the file resumes when
//! space comes back.

mod common;

use std::io::Read;
use std::time::Duration;

const LIMIT: u64 = 256 * 1024;

fn set_fsize_limit(bytes: u64) {
    let lim = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain FFI calls with valid arguments.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
    }
}

#[test]
fn child_fills_the_disk() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    set_fsize_limit(LIMIT);
    let guard = logger::builder()
        .dir(&dir)
        .window_bytes(64 * 1024)
        .overflow(logger::OverflowPolicy::DropNewest)
        .max_file_bytes(None)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    // Well past the limit: 4,000 records of ~300 bytes.
    for i in 0..4_000u64 {
        log::info!(i = i, phase = "full", pad = "p".repeat(150).as_str(); "filling the disk");
    }
    let flushed = logger::flush();
    let m = logger::metrics();
    println!("FLUSH_ERR={}", flushed.is_err());
    println!("IO_ERRORS={}", m.io_errors);
    println!("TO_STDERR={}", m.records_to_stderr);
    println!("DROPPED={}", m.records_dropped);

    // Space comes back.
    set_fsize_limit(libc::RLIM_INFINITY);
    std::thread::sleep(Duration::from_millis(1_100));
    for i in 0..10u64 {
        log::info!(i = i, phase = "recovered"; "space is back");
        std::thread::sleep(Duration::from_millis(150));
    }
    println!("FLUSH_AFTER_OK={}", logger::flush().is_ok());
    drop(guard);
}

#[test]
fn full_disk_is_survived_and_recovered() {
    if common::is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "child_fills_the_disk",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("LOGGER_TEST_CHILD", "1")
    .env("LOGGER_TEST_DIR", &d)
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stderr = String::new();
    let mut stdout = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "child died: {status:?}\n{stdout}\n{stderr}"
    );

    let value = |key: &str| -> String {
        stdout
            .lines()
            .find_map(|l| l.split_once(&format!("{key}=")).map(|(_, v)| v))
            .unwrap_or_else(|| panic!("{key} missing in child output:\n{stdout}"))
            .to_string()
    };
    assert_eq!(value("FLUSH_ERR"), "true", "flush reports the I/O errors");
    assert!(value("IO_ERRORS").parse::<u64>().unwrap() > 0);
    let to_stderr: u64 = value("TO_STDERR").parse().unwrap();
    assert!(to_stderr > 0, "records fall back to stderr");
    assert!(
        stderr.contains("logger: I/O error"),
        "the error is reported on stderr"
    );
    assert!(
        stderr.contains("\"phase\":\"full\""),
        "records are on stderr"
    );

    // Nothing accepted was lost: every record is in the file or on stderr,
    // or was dropped by the overflow policy and counted.
    let dropped: u64 = value("DROPPED").parse().unwrap();
    let records = common::records(dir.path(), "app");
    let full_in_file = records
        .iter()
        .filter(|r| r["fields"]["phase"] == "full")
        .count() as u64;
    let full_on_stderr = stderr
        .lines()
        .filter(|l| l.contains("\"phase\":\"full\""))
        .count() as u64;
    assert_eq!(
        full_in_file + full_on_stderr + dropped,
        4_000,
        "file + stderr + counted drops account for every record"
    );
    let recovered = records
        .iter()
        .filter(|r| r["fields"]["phase"] == "recovered")
        .count();
    assert!(
        recovered > 0,
        "logging to the file resumes when space comes back"
    );
    assert_eq!(value("FLUSH_AFTER_OK"), "true");
}
