//! The text format: `ts | LEVEL | target:line | message key=value`.

#[test]
fn text_lines_have_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .format(logger::Format::Text)
        .install()
        .unwrap();
    log::warn!(target: "risk", limit = 5, desk = "rates two"; "limit\nbreached");
    logger::flush().unwrap();
    drop(guard);
    let text = std::fs::read_to_string(dir.path().join("app.log")).unwrap();
    let line = text.lines().next().unwrap();
    let parts: Vec<&str> = line.splitn(4, " | ").collect();
    assert_eq!(parts.len(), 4, "{line}");
    assert_eq!(
        parts[0].len(),
        "2026-11-21 10:30:45.123456789".len(),
        "{line}"
    );
    assert_eq!(parts[1].trim(), "WARN");
    assert!(parts[2].starts_with("risk:"), "{line}");
    assert_eq!(parts[3], "limit\\nbreached limit=5 desk=\"rates two\"");
    assert_eq!(text.lines().count(), 1, "one record, one line");
}
