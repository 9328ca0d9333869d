//! Precedence: builder < configuration file < environment. `LOGGER_CONFIG`
//! replaces the builder's `config_file`; `LOGGER_LEVEL` replaces the
//! file's `level` and `filter`. A bad file fails `install()` naming the
//! key and the file.

use std::path::Path;

fn lines(path: &Path) -> String {
    logger::flush().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    String::from_utf8(bytes[..end].to_vec()).unwrap()
}

#[test]
fn builder_then_file_then_environment() {
    let root = tempfile::tempdir().unwrap();
    let builder_dir = root.path().join("builder");
    let file_dir = root.path().join("file");
    let bad = root.path().join("bad.json");
    std::fs::write(&bad, r#"{"ring_bytes": 4096, "overflow": "drop_oldest"}"#).unwrap();
    let good = root.path().join("logger.json");
    let json = format!(
        r#"{{
            "dir": {:?},
            "create_dir": true,
            "level": "trace",
            "filter": "trace",
            "main_file": {{"name": "main"}},
            "trades_file": {{"enabled": false}},
            "idle_sleep": "50us"
        }}"#,
        file_dir.to_str().unwrap()
    );
    std::fs::write(&good, json).unwrap();

    // The builder's file is invalid: the error names the key and the file.
    // SAFETY: the only test of this binary; no other thread reads the
    // environment while it is changed.
    unsafe {
        std::env::remove_var("LOGGER_CONFIG");
        std::env::remove_var("RUST_LOG");
        std::env::remove_var("LOGGER_LEVEL");
    }
    let e = logger::builder()
        .config_file(&bad)
        .install()
        .err()
        .expect("drop_oldest is refused")
        .to_string();
    assert!(e.contains("`overflow`"), "{e}");
    assert!(e.contains("single-producer single-consumer"), "{e}");
    assert!(e.contains("bad.json"), "{e}");
    let e = logger::builder()
        .config_file(root.path().join("missing.json"))
        .install()
        .err()
        .expect("a missing file is an error")
        .to_string();
    assert!(e.contains("missing.json"), "{e}");

    // A user clock cannot come from the file: the error names the key,
    // the value, the file, and how to install one.
    let user = root.path().join("user_clock.json");
    std::fs::write(&user, r#"{"clock": "user"}"#).unwrap();
    let e = logger::builder()
        .config_file(&user)
        .install()
        .err()
        .expect("\"clock\": \"user\" is refused")
        .to_string();
    assert!(e.contains("`clock`"), "{e}");
    assert!(e.contains("\"user\" is not allowed"), "{e}");
    assert!(e.contains("Builder::user_clock"), "{e}");
    assert!(e.contains("user_clock.json"), "{e}");

    // LOGGER_CONFIG replaces the builder's (bad) file; LOGGER_LEVEL
    // replaces the file's level and filter.
    // SAFETY: as above.
    unsafe {
        std::env::set_var("LOGGER_CONFIG", &good);
        std::env::set_var("LOGGER_LEVEL", "warn");
    }
    let _guard = logger::builder()
        .dir(&builder_dir) // replaced by the file
        .create_dir(false) // replaced by the file
        .main_file(Some(logger::FileSpec::new("builder_main"))) // replaced by the file
        .compress(true) // kept: not in the file
        .config_file(&bad)
        .install()
        .unwrap();
    assert!(!builder_dir.exists());
    assert_eq!(log::max_level(), log::LevelFilter::Warn);
    log::info!("info-dropped");
    log::warn!("warn-kept");
    logger::trade!(level: warn, symbol = "A", side = "b", qty = 1, price = 2.0);
    let main = lines(&file_dir.join("main.log"));
    assert!(
        main.contains("warn-kept") && !main.contains("info-dropped"),
        "{main}"
    );
    assert!(main.contains("\"kind\":\"trade\""), "{main}");
    assert!(!file_dir.join("trades.log").exists());
    assert!(!file_dir.join("builder_main.log").exists());
}
