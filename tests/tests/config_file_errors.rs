//! A configuration file whose value parses but fails the builder's range
//! check names the file and the key; a file that is not JSON names the
//! file and where the JSON breaks. (No logger is installed: every case
//! fails before anything starts.)

fn install_error(json: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trading-logger.json");
    std::fs::write(&file, json).unwrap();
    let e = logger::builder()
        .dir(dir.path())
        .config_file(&file)
        .install()
        .err()
        .unwrap_or_else(|| panic!("{json} was accepted"));
    let option = match &e {
        logger::InitError::InvalidOption { option, .. } => option.to_string(),
        other => panic!("{json}: expected InvalidOption, got {other}"),
    };
    (option, e.to_string())
}

#[test]
fn out_of_range_values_name_the_file_and_the_key() {
    for (json, key, what) in [
        (
            r#"{"ring_bytes": 1024}"#,
            "ring_bytes",
            "1024 is out of range",
        ),
        (
            r#"{"window_bytes": 1}"#,
            "window_bytes",
            "1 is out of range",
        ),
        (
            r#"{"flusher_cpu": 999}"#,
            "flusher_cpu",
            "CPU 999 does not exist",
        ),
        (
            r#"{"flush_timeout": "48h"}"#,
            "flush_timeout",
            "out of range",
        ),
        (
            r#"{"backtrace_level": "error", "level": "warn"}"#,
            "backtrace",
            "not more verbose",
        ),
    ] {
        let (option, message) = install_error(json);
        assert_eq!(option, key, "{json}: {message}");
        assert!(message.contains(what), "{json}: {message}");
        assert!(message.contains("trading-logger.json"), "{json}: {message}");
        let named = if key == "backtrace" {
            "`backtrace_level`".to_string()
        } else {
            format!("`{key}`")
        };
        assert!(message.contains(&named), "{json}: {message}");
    }
}

#[test]
fn a_file_that_is_not_json_names_the_file_and_the_place() {
    for (json, place) in [
        ("", "line 1 column 0"),
        ("{\"ring_bytes\": 4096", "line 1 column 19"),
        ("ring_bytes = 4096\n", "line 1 column 1"),
        ("{} trailing", "line 1 column 4"),
    ] {
        let (option, message) = install_error(json);
        assert_eq!(option, "config_file", "{json:?}: {message}");
        assert!(message.contains("not valid JSON"), "{json:?}: {message}");
        assert!(message.contains(place), "{json:?}: {message}");
        assert!(
            message.contains("trading-logger.json"),
            "{json:?}: {message}"
        );
        assert!(!message.contains("?:"), "{json:?}: {message}");
    }
}
