//! `flush()` never returns `Ok` while a record logged before it is not in
//! its file, whenever that record failed (the rule is in `logger::flush`'s
//! documentation): each child process below breaks the file in a
//! different way, checks what `flush()` says, and prints what it logged;
//! the parent reads the files back.
//!
//! - a real full disk: a 256 KiB `tmpfs` (in a private mount namespace,
//!   as root; `RLIMIT_FSIZE` otherwise), filled by another file after
//!   install; the failures happen before `flush()` is called;
//! - the directory removed at runtime, between a flush that said `Ok` and
//!   the next one, with nothing logged between the pause and the call;
//! - a relative `dir("logs")`, then `chdir` into a directory without
//!   `logs/`: the directory was resolved at install, every record is in
//!   the first one and `flush()` rightly says `Ok`.

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::Duration;

fn builder(dir: &str) -> logger::Builder {
    logger::builder()
        .dir(dir)
        .window_bytes(4096)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .flush_timeout(Duration::from_secs(5))
}

/// Fills the file system holding `dir` with a file of zeros until a write
/// fails: ENOSPC on the tmpfs, EFBIG under `RLIMIT_FSIZE`.
fn fill(dir: &str) -> u64 {
    let mut f = std::fs::File::create(Path::new(dir).join("filler")).unwrap();
    let chunk = [0u8; 4096];
    let mut n = 0u64;
    while f.write_all(&chunk).is_ok() {
        n += chunk.len() as u64;
        if n > 64 << 20 {
            panic!("{dir}: 64 MiB written and the disk is not full");
        }
    }
    let _ = f.sync_all();
    n
}

#[test]
fn child_full_disk() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    if std::env::var_os("LOGGER_TEST_FSIZE").is_some() {
        let lim = libc::rlimit {
            rlim_cur: 128 * 1024,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: plain FFI calls with valid arguments.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &lim), 0);
        }
    }
    let _guard = builder(&dir).install().unwrap();
    log::info!(i = 0; "before the disk is full");
    assert_eq!(logger::flush(), Ok(()));
    println!("FILLED={}", fill(&dir));
    // Far more than the 4 KiB window already reserved can take.
    for i in 1..=200u64 {
        log::info!(i = i, pad = "p".repeat(100).as_str(); "on a full disk");
    }
    // Every failure happens during this pause, before the call.
    std::thread::sleep(Duration::from_millis(300));
    let first = logger::flush();
    let m = logger::metrics();
    println!("FIRST={first:?}");
    println!("TO_STDERR={}", m.records_to_stderr);
    // Nothing new: those failures were reported once.
    println!("SECOND={:?}", logger::flush());
}

#[test]
fn full_disk() {
    if common::is_child() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap().to_string();
    let mut cmd = common::child_command("child_full_disk", &[("LOGGER_TEST_DIR", &d)]);
    // SAFETY: geteuid is async-signal-safe.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let target = std::ffi::CString::new(d.clone()).unwrap();
        // SAFETY: runs in the forked child before exec; unshare and mount
        // are plain system calls on NUL-terminated strings that outlive
        // them. The child gets its own mount namespace, with no
        // propagation back: the tmpfs vanishes with it.
        unsafe {
            cmd.pre_exec(move || {
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let flags = libc::MS_REC | libc::MS_PRIVATE;
                let rc = libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    flags,
                    std::ptr::null(),
                );
                if rc != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let rc = libc::mount(
                    c"tmpfs".as_ptr(),
                    target.as_ptr(),
                    c"tmpfs".as_ptr(),
                    0,
                    c"size=256k".as_ptr().cast(),
                );
                if rc != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    } else {
        cmd.env("LOGGER_TEST_FSIZE", "1");
    }
    let out = common::run_child(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let to_stderr = out.number("TO_STDERR");
    assert!(
        to_stderr > 0,
        "the full disk made no record fail ({}):\n{}",
        if root { "tmpfs" } else { "RLIMIT_FSIZE" },
        out.stdout
    );
    assert_eq!(
        out.value("FIRST"),
        format!("Err(Io {{ errors: {to_stderr} }})"),
        "the records that failed before flush() was called:\n{}",
        out.stdout
    );
    assert_eq!(out.value("SECOND"), "Ok(())", "{}", out.stdout);
    if !root {
        // The records that failed are on the child's stderr; the others,
        // in the file (the tmpfs is gone with the child's namespace).
        let records = common::records(tmp.path(), "app");
        assert_eq!(records.len() as u64 + to_stderr, 201, "{}", out.stdout);
    }
}

#[test]
fn child_dir_removed() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let logs = Path::new(&dir).join("logs");
    std::fs::create_dir(&logs).unwrap();
    let _guard = builder(logs.to_str().unwrap()).install().unwrap();
    log::info!(i = 0; "before");
    println!("BEFORE={:?}", logger::flush());
    std::fs::remove_dir_all(&logs).unwrap();
    for i in 1..=30u64 {
        log::info!(i = i; "into a removed directory");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let after = logger::flush();
    let m = logger::metrics();
    println!("AFTER={after:?}");
    println!("LOST={}", m.lines_lost);
    println!("TO_STDERR={}", m.records_to_stderr);
    println!("AGAIN={:?}", logger::flush());
}

#[test]
fn dir_removed() {
    if common::is_child() {
        return;
    }
    let (_tmp, out) = common::run_child_in_dir(
        "child_dir_removed",
        "LOGGER_TEST_DIR",
        Duration::from_secs(60),
    );
    assert_eq!(out.value("BEFORE"), "Ok(())", "{}", out.stdout);
    // Each of the 30 records is either in the removed file (lost, noticed
    // by the check of the file's place) or on stderr.
    let lost = out.number("LOST");
    let to_stderr = out.number("TO_STDERR");
    // The logger's own WARN record saying the file was removed may go to
    // stderr as well: it is not in its file either, and is counted too.
    let missing = lost + to_stderr;
    assert!((30..=31).contains(&missing), "{}", out.stdout);
    assert_eq!(
        out.value("AFTER"),
        format!("Err(Io {{ errors: {missing} }})"),
        "{}",
        out.stdout
    );
    assert_eq!(out.value("AGAIN"), "Ok(())", "{}", out.stdout);
}

#[test]
fn child_chdir_after_relative_dir() {
    if !common::is_child() {
        return;
    }
    let first = std::env::var("LOGGER_TEST_DIR").unwrap();
    let other = Path::new(&first).join("elsewhere");
    std::fs::create_dir_all(Path::new(&first).join("logs")).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    if std::env::var_os("LOGGER_TEST_OTHER_LOGS").is_some() {
        std::fs::create_dir_all(other.join("logs")).unwrap();
    }
    std::env::set_current_dir(&first).unwrap();
    let _guard = builder("logs").install().unwrap();
    log::info!(i = 0; "from the first directory");
    std::env::set_current_dir(&other).unwrap();
    // Over more than a second: the file's place is checked once a second.
    for i in 1..40u64 {
        log::info!(i = i; "after chdir");
        std::thread::sleep(Duration::from_millis(40));
    }
    println!("FLUSH={:?}", logger::flush());
    println!("TO_STDERR={}", logger::metrics().records_to_stderr);
}

fn chdir_case(other_logs: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let mut env = vec![("LOGGER_TEST_DIR", d)];
    if other_logs {
        env.push(("LOGGER_TEST_OTHER_LOGS", "1"));
    }
    let cmd = common::child_command("child_chdir_after_relative_dir", &env);
    let out = common::run_child(cmd, Duration::from_secs(60));
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.value("FLUSH"), "Ok(())", "{}", out.stdout);
    assert_eq!(out.number("TO_STDERR"), 0, "{}", out.stdout);
    let records = common::records(&tmp.path().join("logs"), "app");
    let seq: Vec<u64> = records
        .iter()
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect();
    assert_eq!(seq, (0..40).collect::<Vec<_>>());
    let stray = tmp.path().join("elsewhere/logs/app.log");
    assert!(!stray.exists(), "{} was written", stray.display());
}

/// `dir("logs")` then `chdir` into a directory without `logs/`.
#[test]
fn chdir_into_a_directory_without_logs() {
    if common::is_child() {
        return;
    }
    chdir_case(false);
}

/// `dir("logs")` then `chdir` into a directory that has a `logs/` too.
#[test]
fn chdir_into_a_directory_with_its_own_logs() {
    if common::is_child() {
        return;
    }
    chdir_case(true);
}
