//! The log directory fails at runtime (the full disk is `full_disk.rs`):
//!
//! - removed while the logger writes into it: no panic; application
//!   threads logging at full speed under `DropNewest` never hang;
//!   `flush()` returns an error instead of hanging; the errors are counted
//!   and reported; records go to stderr; logging to the file resumes once
//!   the directory exists again;
//! - made read-only (a read-only bind mount in a private mount namespace
//!   when running as root, since root ignores permission bits; `chmod`
//!   otherwise): the same, and every record is in a file, on stderr, or
//!   counted as dropped.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn base_builder(dir: &str) -> logger::Builder {
    logger::builder()
        .dir(dir)
        .window_bytes(64 * 1024)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .overflow(logger::OverflowPolicy::DropNewest)
        .ring_bytes(64 * 1024)
        .flush_timeout(Duration::from_secs(2))
}

/// Logs `phase` records until `flush()` reports an I/O error (or 4 s).
/// Prints FLUSH_ERR and FLUSH_TIMEOUTS; returns how many were logged.
fn log_until_flush_fails(phase: &str) -> u64 {
    let start = Instant::now();
    let (mut n, mut timeouts, mut failed) = (0u64, 0u64, false);
    while start.elapsed() < Duration::from_secs(4) {
        for _ in 0..20 {
            log::info!(phase = phase, i = n; "probe");
            n += 1;
        }
        match logger::flush() {
            Err(logger::FlushError::Io { .. }) => {
                failed = true;
                break;
            }
            Err(_) => timeouts += 1,
            Ok(()) => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("FLUSH_ERR={failed}");
    println!("FLUSH_TIMEOUTS={timeouts}");
    n
}

/// Two threads log as fast as they can for `d` under `DropNewest`: they
/// must come back. Returns how many records they logged.
fn burst(d: Duration) -> u64 {
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let count = std::sync::Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (stop, count) = (stop.clone(), count.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    log::info!(phase = "burst", t = t, i = i; "full speed");
                    i += 1;
                }
                count.fetch_add(i, Ordering::Relaxed);
            })
        })
        .collect();
    std::thread::sleep(d);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    println!("BURST_JOINED=true");
    count.load(Ordering::Relaxed)
}

#[test]
fn child_dir_removed() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let guard = base_builder(&dir).install().unwrap();
    for i in 0..100u64 {
        log::info!(phase = "before", i = i; "before");
    }
    println!("BEFORE_FLUSH_OK={}", logger::flush().is_ok());

    std::fs::remove_dir_all(&dir).unwrap();
    // The file is checked to still be in place once a second (of record
    // time): log across more than that.
    for i in 0..30u64 {
        log::info!(phase = "gone", i = i; "directory removed");
        std::thread::sleep(Duration::from_millis(50));
    }
    let burst = burst(Duration::from_millis(300));
    println!("BURST={burst}");
    log_until_flush_fails("gone");
    let m = logger::metrics();
    println!("IO_ERRORS={}", m.io_errors);
    println!("TO_STDERR={}", m.records_to_stderr);

    // The directory comes back: the file is reopened within a second.
    std::fs::create_dir(&dir).unwrap();
    std::thread::sleep(Duration::from_millis(1_100));
    for i in 0..10u64 {
        log::info!(phase = "back", i = i; "directory is back");
        std::thread::sleep(Duration::from_millis(150));
    }
    println!("FLUSH_AFTER_OK={}", logger::flush().is_ok());
    drop(guard);
}

/// What a child that met an I/O fault reports, whatever the fault: the
/// flush before it succeeded, no `DropNewest` thread hung, `flush()`
/// reported the errors without timing out, and they were counted.
fn assert_fault_survived(out: &common::ChildOutput) {
    assert_eq!(out.value("BEFORE_FLUSH_OK"), "true");
    assert_eq!(
        out.value("BURST_JOINED"),
        "true",
        "a DropNewest thread hung"
    );
    assert_eq!(
        out.value("FLUSH_ERR"),
        "true",
        "flush() did not report the I/O errors"
    );
    assert_eq!(out.number("FLUSH_TIMEOUTS"), 0, "flush() timed out");
    assert!(out.number("IO_ERRORS") > 0);
}

#[test]
fn runtime_directory_removal_is_survived_and_recovered() {
    if common::is_child() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let out = common::run_child(
        common::child_command("child_dir_removed", &[("LOGGER_TEST_DIR", &d)]),
        Duration::from_secs(60),
    );
    println!("child said:\n{}", out.stdout);
    assert!(
        out.status.success(),
        "child died: {:?}\n{}",
        out.status,
        out.stderr
    );
    assert_fault_survived(&out);
    assert!(out.number("TO_STDERR") > 0, "records fall back to stderr");
    assert!(out.stderr.contains("logger: I/O error"), "{}", out.stderr);
    let gone_on_stderr = out
        .stderr
        .lines()
        .filter(|l| l.contains("\"phase\":\"gone\""))
        .count();
    assert!(
        gone_on_stderr > 0,
        "records logged while the directory is gone are on stderr"
    );

    let records = common::records(&dir, "app");
    let back = records
        .iter()
        .filter(|r| r["fields"]["phase"] == "back")
        .count();
    assert!(
        back > 0,
        "logging to the file resumes when the directory is back"
    );
    assert_eq!(out.value("FLUSH_AFTER_OK"), "true");
}

/// Makes `dir` read-only for this process (see the module docs); returns
/// how, or why it cannot.
fn make_read_only(dir: &Path) -> Result<&'static str, String> {
    let c = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
    // SAFETY: plain FFI calls with a valid NUL-terminated path.
    unsafe {
        if libc::geteuid() == 0 {
            if libc::mount(
                c.as_ptr(),
                c.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            ) != 0
            {
                return Err(format!("bind mount: {}", std::io::Error::last_os_error()));
            }
            let flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY;
            if libc::mount(
                std::ptr::null(),
                c.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            ) != 0
            {
                return Err(format!(
                    "read-only remount: {}",
                    std::io::Error::last_os_error()
                ));
            }
            Ok("read-only bind mount")
        } else {
            if libc::chmod(c.as_ptr(), 0o555) != 0 {
                return Err(format!("chmod: {}", std::io::Error::last_os_error()));
            }
            Ok("chmod 555")
        }
    }
}

fn make_writable(dir: &Path) {
    let c = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
    // SAFETY: plain FFI calls with a valid NUL-terminated path.
    unsafe {
        if libc::geteuid() == 0 {
            assert_eq!(
                libc::umount(c.as_ptr()),
                0,
                "{}",
                std::io::Error::last_os_error()
            );
        } else {
            assert_eq!(libc::chmod(c.as_ptr(), 0o755), 0);
        }
    }
}

#[test]
fn child_dir_read_only() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let path = Path::new(&dir);
    let guard = base_builder(&dir)
        .max_file_bytes(Some(16 * 1024))
        .idle_sleep(Duration::from_millis(10))
        .install()
        .unwrap();
    for i in 0..200u64 {
        log::info!(phase = "rw", i = i; "writable");
    }
    println!("BEFORE_FLUSH_OK={}", logger::flush().is_ok());

    match make_read_only(path) {
        Ok(how) => println!("READ_ONLY_BY={how}"),
        Err(why) => {
            println!("SKIP=cannot make the directory read-only here: {why}");
            return;
        }
    }
    if std::fs::write(path.join("probe"), b"x").is_ok() {
        println!("SKIP=the directory is still writable after making it read-only");
        return;
    }
    let ro = log_until_flush_fails("ro");
    println!("RO_LOGGED={ro}");
    let dropped_before = logger::metrics().records_dropped;
    let burst = burst(Duration::from_millis(200));
    println!("BURST={burst}");
    println!(
        "BURST_DROPPED={}",
        logger::metrics().records_dropped - dropped_before
    );
    let m = logger::metrics();
    println!("IO_ERRORS={}", m.io_errors);
    println!("ROTATIONS_RO={}", m.rotations);
    // The burst's records that went to stderr are reported by the next
    // flush, this one (`logger::flush`: each failure once).
    println!("FLUSH_RO={:?}", logger::flush());

    make_writable(path);
    std::thread::sleep(Duration::from_millis(1_100));
    for i in 0..400u64 {
        log::info!(phase = "back", i = i; "writable again");
        if i % 100 == 0 {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    println!("FLUSH_AFTER_OK={}", logger::flush().is_ok());
    let m = logger::metrics();
    println!("ROTATIONS_BACK={}", m.rotations);
    drop(guard);
}

#[test]
fn runtime_read_only_directory_is_survived_and_recovered() {
    if common::is_child() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut cmd = common::child_command("child_dir_read_only", &[("LOGGER_TEST_DIR", &d)]);
    // SAFETY: geteuid is async-signal-safe.
    if unsafe { libc::geteuid() } == 0 {
        // SAFETY: runs in the forked child before exec; unshare and mount
        // are plain system calls. The child gets its own mount namespace,
        // with no propagation back: its mounts vanish with it.
        unsafe {
            cmd.pre_exec(|| {
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let root = c"/";
                let flags = libc::MS_REC | libc::MS_PRIVATE;
                if libc::mount(
                    std::ptr::null(),
                    root.as_ptr(),
                    std::ptr::null(),
                    flags,
                    std::ptr::null(),
                ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let out = match common::try_run_child(cmd, Duration::from_secs(60)) {
        Ok(out) => out,
        Err(e) => {
            println!("SKIP: cannot start a child in a private mount namespace: {e}");
            return;
        }
    };
    println!("child said:\n{}", out.stdout);
    assert!(
        out.status.success(),
        "child died: {:?}\n{}",
        out.status,
        out.stderr
    );
    if let Some(why) = out
        .stdout
        .lines()
        .find_map(|l| l.split_once("SKIP=").map(|(_, w)| w))
    {
        println!("SKIP: {why}");
        return;
    }
    println!("read-only by {}", out.value("READ_ONLY_BY"));
    assert_fault_survived(&out);
    assert!(out.stderr.contains("logger: I/O error"), "{}", out.stderr);
    assert_eq!(out.value("FLUSH_AFTER_OK"), "true");
    assert!(
        out.number("ROTATIONS_BACK") > out.number("ROTATIONS_RO"),
        "rotation resumes once the directory is writable"
    );

    // Every record is in a file, or on stderr, or counted as dropped (only
    // the full-speed burst can fill a ring).
    let records = common::records(&dir, "app");
    let in_files = |phase: &str| {
        records
            .iter()
            .filter(|r| r["fields"]["phase"] == phase)
            .count() as u64
    };
    let on_stderr = |phase: &str| {
        let key = format!("\"phase\":\"{phase}\"");
        out.stderr.lines().filter(|l| l.contains(&key)).count() as u64
    };
    assert_eq!(in_files("rw"), 200);
    assert_eq!(in_files("back"), 400);
    assert_eq!(in_files("ro") + on_stderr("ro"), out.number("RO_LOGGED"));
    assert_eq!(
        in_files("burst") + on_stderr("burst") + out.number("BURST_DROPPED"),
        out.number("BURST"),
        "file + stderr + counted drops account for every burst record"
    );
}
