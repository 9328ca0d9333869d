//! The pattern and XML formats and `strftime` timestamps, read back from
//! the files a child process wrote (with a simulated clock, so the
//! timestamps are known); bad patterns and layouts refused at install,
//! naming the option.

mod common;

use std::path::Path;
use std::time::Duration;

/// 2026-11-21T23:59:58.999999000Z, the simulated clock's time.
const AT_NS: u64 = 1_795_305_598_999_999_000;

/// In the child: installs in `$FORMATS_DIR` with a simulated clock at
/// [`AT_NS`], the builder `configure` makes and the configuration file
/// `file` (when given), then logs a record with awkward values, a trade
/// and a record with a correlation id and a bound context.
fn child(configure: impl FnOnce(logger::Builder) -> logger::Builder, file: Option<&str>) {
    let dir = std::env::var("FORMATS_DIR").unwrap();
    let clock = std::sync::Arc::new(logger::SimulatedClock::new(AT_NS));
    let mut builder = configure(logger::builder().dir(&dir).user_clock(clock));
    if let Some(text) = file {
        let path = Path::new(&dir).join("logger.json");
        std::fs::write(&path, text).unwrap();
        builder = builder.config_file(path);
    }
    let guard = builder.install().unwrap();
    log::warn!(target: "risk", qty = 5, desk = "rates \"two\" <&>"; "limit\nbreached ]]> \u{1}");
    logger::trade!(symbol = "AAPL", side = "buy", qty = 100u32, price = 189.5);
    {
        let _c = logger::correlation("order-7");
        let _b = logger::bind!(strategy = "mm1");
        log::info!(target: "exec", venue = "XNAS"; "filled");
    }
    logger::flush().unwrap();
    drop(guard);
}

/// Runs `test` as a child with a fresh directory (and `env`), and returns
/// the directory.
fn run(test: &str, env: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![("FORMATS_DIR", dir.path().to_str().unwrap())];
    all.extend_from_slice(env);
    let out = common::run_child(common::child_command(test, &all), Duration::from_secs(30));
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    dir
}

/// The lines of `<name>.log`, each printed for the documentation.
fn lines(dir: &Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|l| {
            println!("{name}.log: {l}");
            l.to_string()
        })
        .collect()
}

fn find<'a>(lines: &'a [String], what: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no line with {what:?} in {lines:#?}"))
}

#[test]
fn the_seeds_pattern_from_the_config_file() {
    if common::is_child() {
        let file = r#"{"format": "pattern",
            "pattern": "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}:{function}:{line} | {message} {fields} [{fields.qty:>5}] {correlation_id} {context}"}"#;
        return child(|b| b, Some(file));
    }
    let dir = run("the_seeds_pattern_from_the_config_file", &[]);
    let app = lines(dir.path(), "app");
    let risk = find(&app, "| risk:");
    let (head, tail) = risk.split_at(risk.find(" | risk::").unwrap());
    assert_eq!(head, "2026-11-21 23:59:58.999 | WARN    ");
    // `log` records have no function: `{function}` is empty.
    let line: u32 = tail[" | risk::".len()..tail.find(" | limit").unwrap()]
        .parse()
        .unwrap();
    assert!(line > 0, "{risk}");
    assert!(
        tail.ends_with(r#" | limit\nbreached ]]> \u{1} qty=5 desk="rates \"two\" <&>" [    5]  "#),
        "{risk}"
    );
    let exec = find(&app, "| exec:");
    assert!(
        exec.ends_with(" | filled venue=XNAS [     ] order-7 strategy=mm1"),
        "{exec}"
    );
    let trades = lines(dir.path(), "trades");
    assert_eq!(trades.len(), 1);
    assert!(
        trades[0].starts_with("2026-11-21 23:59:58.999 | INFO     | formats:")
            && trades[0].ends_with(" qty=100 price=189.5 [  100]  "),
        "{}",
        trades[0]
    );
}

#[test]
fn a_pattern_in_local_time_and_utc() {
    if common::is_child() {
        let pattern = logger::Pattern::new(
            "{time:HH:mm:ss Z} {time:HH:mm ZZ!UTC} {level:>5.1} {message:.5}|{pid}|",
        );
        return child(
            |b| {
                b.format(logger::Format::Pattern(pattern))
                    .time_zone(logger::TimeZone::Local)
            },
            None,
        );
    }
    let dir = run("a_pattern_in_local_time_and_utc", &[("TZ", "XST-5:30")]);
    let app = lines(dir.path(), "app");
    // 23:59:58 UTC is 05:29:58 the next day at +05:30.
    let exec = find(&app, "fille");
    let pid = exec.split('|').nth(1).unwrap();
    assert!(pid.parse::<u32>().is_ok(), "{exec}");
    assert_eq!(
        exec,
        format!("05:29:58 +05:30 23:59 +0000     I fille|{pid}|")
    );
}

#[test]
fn xml_lines_are_well_formed_and_read_back() {
    if common::is_child() {
        return child(|b| b.format(logger::Format::Xml), None);
    }
    let dir = run("xml_lines_are_well_formed_and_read_back", &[]);
    for name in ["app", "trades", "errors", "perf"] {
        if !dir.path().join(format!("{name}.log")).exists() {
            continue;
        }
        for line in lines(dir.path(), name) {
            roxmltree::Document::parse(&line)
                .unwrap_or_else(|e| panic!("{name}.log: not XML ({e}): {line}"));
        }
    }
    let app = lines(dir.path(), "app");
    let risk = roxmltree::Document::parse(find(&app, "target=\"risk\"")).unwrap();
    let r = risk.root_element();
    assert_eq!(r.attribute("ts"), Some("2026-11-21T23:59:58.999999000Z"));
    assert_eq!(r.attribute("level"), Some("WARN"));
    assert_eq!(r.attribute("file"), Some("tests/tests/formats.rs"));
    assert!(r.attribute("pid").unwrap().parse::<u32>().is_ok());
    let elements: Vec<_> = r.descendants().filter(|n| n.is_element()).collect();
    let msg = elements.iter().find(|n| n.has_tag_name("msg")).unwrap();
    // U+0001 cannot be in XML 1.0: written as in the text format.
    assert_eq!(msg.text(), Some("limit\nbreached ]]> \\u{1}"));
    let field = |key: &str| {
        let f = elements
            .iter()
            .find(|n| n.attribute("key") == Some(key))
            .unwrap();
        (f.text().unwrap_or(""), f.attribute("type"))
    };
    assert_eq!(field("qty"), ("5", Some("int")));
    assert_eq!(field("desk"), ("rates \"two\" <&>", None));
    let exec = roxmltree::Document::parse(find(&app, "target=\"exec\"")).unwrap();
    let e = exec.root_element();
    assert_eq!(e.attribute("correlation_id"), Some("order-7"));
    let context = e.children().find(|n| n.has_tag_name("context")).unwrap();
    let strategy = context.first_element_child().unwrap();
    assert_eq!(strategy.attribute("key"), Some("strategy"));
    assert_eq!(strategy.text(), Some("mm1"));
    let trades = lines(dir.path(), "trades");
    let t = roxmltree::Document::parse(&trades[0]).unwrap();
    assert_eq!(t.root_element().attribute("kind"), Some("trade"));
    let price = t
        .descendants()
        .find(|n| n.attribute("key") == Some("price"))
        .unwrap();
    assert_eq!(
        (price.text(), price.attribute("type")),
        (Some("189.5"), Some("float"))
    );
}

#[test]
fn strftime_in_json_local_time_from_the_config_file() {
    if common::is_child() {
        let file = r#"{"json_options": {"timestamp": "%Y-%m-%d %H:%M:%S%.3f %z", "timestamp_zone": "local"}}"#;
        return child(|b| b, Some(file));
    }
    let dir = run(
        "strftime_in_json_local_time_from_the_config_file",
        &[("TZ", "XST-5:30")],
    );
    let app = lines(dir.path(), "app");
    let risk: serde_json::Value = serde_json::from_str(find(&app, "\"risk\"")).unwrap();
    assert_eq!(risk["ts"], "2026-11-22 05:29:58.999 +0530");
    assert_eq!(risk["msg"], "limit\nbreached ]]> \u{1}");
}

#[test]
fn strftime_in_text_and_logfmt_from_the_builder() {
    if common::is_child() {
        let format = match std::env::var("FORMAT").unwrap().as_str() {
            "text" => logger::Format::Text,
            _ => logger::Format::Logfmt,
        };
        let json = logger::JsonOptions {
            timestamp: logger::TimestampFormat::Strftime(logger::Strftime::new(
                "%d/%m/%Y %H:%M:%S%.6f",
            )),
            ..Default::default()
        };
        return child(|b| b.format(format).json_options(json), None);
    }
    let dir = run(
        "strftime_in_text_and_logfmt_from_the_builder",
        &[("FORMAT", "text")],
    );
    let app = lines(dir.path(), "app");
    let risk = find(&app, "risk:");
    assert!(
        risk.starts_with("21/11/2026 23:59:58.999999 | WARN  | risk:"),
        "{risk}"
    );
    let dir = run(
        "strftime_in_text_and_logfmt_from_the_builder",
        &[("FORMAT", "logfmt")],
    );
    let app = lines(dir.path(), "app");
    // The layout holds a space: the value is quoted.
    let risk = find(&app, "target=risk");
    assert!(
        risk.starts_with(r#"ts="21/11/2026 23:59:58.999999" level=warn kind=log"#),
        "{risk}"
    );
}

#[test]
fn bad_patterns_and_layouts_are_refused_at_install() {
    let dir = tempfile::tempdir().unwrap();
    let err = |builder: logger::Builder| builder.dir(dir.path()).install().err().unwrap();
    let file = dir.path().join("logger.json");
    std::fs::write(
        &file,
        r#"{"format": "pattern", "pattern": "{time} | {lvl: <8} | {message}"}"#,
    )
    .unwrap();
    let e = err(logger::builder().config_file(&file));
    match &e {
        logger::InitError::InvalidOption { option, reason } => {
            assert_eq!(*option, "pattern");
            assert!(
                reason.starts_with("unknown placeholder {lvl: <8} at byte 9 of"),
                "{reason}"
            );
            assert!(reason.contains("logger.json"), "{reason}");
        }
        other => panic!("{other}"),
    }
    let cases = [
        (
            logger::builder().format(logger::Format::Pattern(logger::Pattern::new("{level"))),
            "`format`",
            "pattern: unclosed \"{\" at byte 0",
        ),
        (
            logger::builder().format(logger::Format::Pattern(logger::Pattern::new("{level:<<x}"))),
            "`format`",
            "bad width or alignment \"<<x\" of {level}",
        ),
        (
            logger::builder().json_options(logger::JsonOptions {
                timestamp: logger::TimestampFormat::Strftime(logger::Strftime::new("%H:%M:%K")),
                ..Default::default()
            }),
            "`json_options`",
            "timestamp: unknown conversion \"%K\" at byte 6 of \"%H:%M:%K\"",
        ),
    ];
    for (builder, option, what) in cases {
        let e = err(builder).to_string();
        assert!(e.contains(option) && e.contains(what), "{e}");
    }
}
