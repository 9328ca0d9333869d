//! No destination may treat another destination's active file as its own
//! rotated file: `install()` refuses a file name whose `<name>.log` has the
//! form of a rotated file of another destination (which its backup count
//! and retention would delete or compress), naming the option and why.
//! (The housekeeping side, which skips every active file whatever its
//! name, is `sink::housekeeping::tests::another_destinations_active_file_is_never_touched`.)

use logger::FileSpec;

#[test]
fn a_name_shaped_like_another_destinations_rotated_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // The errors file would be app's rotated file of 2020-03-01.
        (
            logger::builder()
                .main_file(Some(FileSpec::new("app")))
                .errors_file(Some(FileSpec::new("app.20200301T000000.000")))
                .retention_days(Some(1)),
            "errors_file",
        ),
        // A collision suffix, in this version's form and the earlier one.
        (
            logger::builder().trades_file(Some(FileSpec::new("app.20200301T000000.000_0001"))),
            "trades_file",
        ),
        (
            logger::builder().perf_file(Some(FileSpec::new("app.20200301T000000.000-1"))),
            "perf_file",
        ),
        // The other way round: the main file would be the errors file's.
        (
            logger::builder()
                .main_file(Some(FileSpec::new("errors.20251121T103045.500")))
                .errors_file(Some(FileSpec::new("errors"))),
            "errors_file",
        ),
    ];
    for (builder, option) in cases {
        let e = builder.dir(dir.path()).install().err().unwrap();
        let msg = e.to_string();
        assert!(msg.contains(option), "{msg}");
        assert!(msg.contains("rotated file"), "{msg}");
        assert!(msg.contains("choose a name"), "{msg}");
    }
    // Nothing was created, nothing installed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Names that merely share a prefix are fine.
    for name in ["app.trades", "app.2020", "app-20200301T000000.000", "apps"] {
        let b = logger::builder()
            .dir(dir.path())
            .main_file(Some(FileSpec::new("app")))
            .trades_file(Some(FileSpec::new(name)));
        assert!(b.validate().is_ok(), "{name}");
    }
}
