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

/// No duration option can overflow a deadline later (a `flush_timeout` of
/// `Duration::MAX` once made dropping the guard panic): each is refused at
/// install, naming the option and the allowed range.
#[test]
fn duration_options_out_of_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let day = logger::MAX_DURATION_OPTION;
    let bad = [
        (
            logger::builder().flush_timeout(Duration::MAX),
            "flush_timeout",
        ),
        (
            logger::builder().flush_timeout(day + Duration::from_nanos(1)),
            "flush_timeout",
        ),
        (
            logger::builder().max_merge_delay(Duration::MAX),
            "max_merge_delay",
        ),
        (
            logger::builder().msync(logger::MsyncPolicy::Interval(Duration::MAX)),
            "msync",
        ),
        (
            logger::builder().msync(logger::MsyncPolicy::Interval(Duration::ZERO)),
            "msync",
        ),
        (logger::builder().idle_sleep(Duration::MAX), "idle_sleep"),
        (
            // Was silently clamped to one day.
            logger::builder()
                .rotation_time(logger::TimeRotation::Every(Duration::from_secs(2 * 86_400))),
            "rotation_time",
        ),
        (
            logger::builder().rotation_time(logger::TimeRotation::Every(Duration::MAX)),
            "rotation_time",
        ),
    ];
    for (b, option) in bad {
        let e = b.dir(dir.path()).install().err().unwrap();
        match &e {
            logger::InitError::InvalidOption { option: o, reason } => {
                assert_eq!(*o, option, "{e}");
                assert!(reason.contains("out of range"), "{e}");
            }
            other => panic!("expected InvalidOption({option}), got {other}"),
        }
    }
    // The largest accepted values pass the checks.
    let ok = logger::builder()
        .dir(dir.path())
        .flush_timeout(day)
        .max_merge_delay(day)
        .msync(logger::MsyncPolicy::Interval(day))
        .rotation_time(logger::TimeRotation::Every(Duration::from_secs(86_400)));
    ok.validate().unwrap();
}
