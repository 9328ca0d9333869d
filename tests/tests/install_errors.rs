//! `install()` refuses bad input with an error that names the problem, and
//! a second install in the same process.

use std::time::Duration;

#[test]
fn install_errors_name_the_problem() {
    let missing = std::env::temp_dir().join("logger-test-no-such-dir/sub");
    let e = logger::builder().dir(&missing).install().err().unwrap();
    assert!(matches!(e, logger::InitError::DirMissing(_)), "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let bad = [
        (logger::builder().ring_bytes(10), "ring_bytes"),
        (logger::builder().max_file_bytes(Some(0)), "max_file_bytes"),
        (logger::builder().retention_days(Some(0)), "retention_days"),
        (logger::builder().idle_sleep(Duration::ZERO), "idle_sleep"),
        (logger::builder().flusher_cpu(Some(4096)), "flusher_cpu"),
        (
            logger::builder().rotation_time(logger::TimeRotation::Every(Duration::from_millis(10))),
            "rotation_time",
        ),
        (
            logger::builder().trades_file(Some(logger::FileSpec::new("app"))),
            "trades_file",
        ),
        (
            logger::builder().main_file(Some(logger::FileSpec::new("../escape"))),
            "main_file",
        ),
        (logger::builder().filter("info,a=loud"), "filter"),
        (logger::builder().filter("a=warn=info"), "filter"),
        (
            logger::builder()
                .filter("info,a=debug")
                .backtrace(log::LevelFilter::Debug, 16),
            "filter",
        ),
    ];
    for (b, option) in bad {
        let e = b.dir(dir.path()).install().err().unwrap();
        match &e {
            logger::InitError::InvalidOption { option: o, .. } => assert_eq!(*o, option, "{e}"),
            other => panic!("expected InvalidOption({option}), got {other}"),
        }
        assert!(e.to_string().contains(option), "{e}");
    }
    let e = "drop_oldest".parse::<logger::OverflowPolicy>().unwrap_err();
    assert!(
        e.to_string().contains("single-producer single-consumer"),
        "{e}"
    );

    // Nothing was installed by the failures above.
    let guard = logger::builder().dir(dir.path()).install().unwrap();
    let again = logger::builder().dir(dir.path()).install().err().unwrap();
    assert!(
        matches!(again, logger::InitError::AlreadyInstalled),
        "{again}"
    );
    drop(guard);
}

#[cfg(unix)]
#[test]
fn unwritable_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root writes anywhere; use a path under a file instead.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"").unwrap();
        let e = logger::builder().dir(&file).install().err().unwrap();
        assert!(matches!(e, logger::InitError::DirNotWritable(..)), "{e}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).unwrap();
    let e = logger::builder().dir(dir.path()).install().err().unwrap();
    assert!(matches!(e, logger::InitError::DirNotWritable(..)), "{e}");
}
