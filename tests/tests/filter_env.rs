//! `LOGGER_LEVEL` replaces the builder's filter (and wins over `RUST_LOG`);
//! an invalid value (an unknown level, a bare word like a level's typo)
//! fails `install()` naming the variable.

use log::LevelFilter;

mod loud {
    pub fn trace(i: u64) {
        log::trace!(test = "env", i = i; "loud trace");
    }
}

fn lines(dir: &std::path::Path) -> Vec<serde_json::Value> {
    logger::flush().unwrap();
    let bytes = std::fs::read(dir.join("app.log")).unwrap();
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    std::str::from_utf8(&bytes[..end])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["fields"]["test"] == "env")
        .collect()
}

#[test]
fn env_overrides_the_builder() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary; no other thread reads the
    // environment while it is changed.
    unsafe {
        std::env::set_var("RUST_LOG", "trace");
        std::env::set_var("LOGGER_LEVEL", "info,loud=shout");
    }
    let e = logger::builder()
        .dir(dir.path())
        .filter("off")
        .install()
        .err()
        .expect("an invalid LOGGER_LEVEL fails install()")
        .to_string();
    assert!(
        e.contains("`LOGGER_LEVEL`") && e.contains("\"shout\""),
        "{e}"
    );

    // A typo of a level is not taken for a target named `infoo`.
    // SAFETY: as above.
    unsafe { std::env::set_var("LOGGER_LEVEL", "infoo") };
    let e = logger::builder()
        .dir(dir.path())
        .install()
        .err()
        .expect("LOGGER_LEVEL=infoo fails install()")
        .to_string();
    assert!(
        e.contains("`LOGGER_LEVEL`")
            && e.contains("\"infoo\"")
            && e.contains("did you mean `info`?"),
        "{e}"
    );

    // SAFETY: as above.
    unsafe { std::env::set_var("LOGGER_LEVEL", "warn,filter_env::loud=trace") };
    let _guard = logger::builder()
        .dir(dir.path())
        .filter("off") // replaced by LOGGER_LEVEL
        .install()
        .unwrap();
    assert_eq!(log::max_level(), LevelFilter::Trace);
    log::info!(test = "env", i = 0; "below warn: dropped");
    log::warn!(test = "env", i = 1; "kept");
    loud::trace(2);
    log::debug!(target: "filter_env::loudness", test = "env", i = 3; "not a child of loud");
    log::trace!(target: "filter_env::loud::deep", test = "env", i = 4; "a child of loud");
    let seen: Vec<u64> = lines(dir.path())
        .iter()
        .map(|r| r["fields"]["i"].as_u64().unwrap())
        .collect();
    assert_eq!(seen, [1, 2, 4]);
}
