//! Re-entrancy: logging from inside a `Display` impl of a logged value
//! (a message argument, a `log` key-value, a macro `display` value, and
//! five levels deep), a `Display` that panics while the logger formats
//! it, and an application panic hook that logs. Never a deadlock or a
//! panic of the logger's own; every record is written.

mod common;

use std::fmt;
use std::time::Duration;

use logger::trade;

/// Logs a record of its own whenever it is displayed.
struct Noisy(&'static str);

impl fmt::Display for Noisy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        log::info!(inner = self.0; "logged from inside Display of {}", self.0);
        f.write_str(self.0)
    }
}

/// Displaying `Deep(n)` logs `Deep(n - 1)`, down to 0.
struct Deep(u32);

impl fmt::Display for Deep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 0 {
            log::info!(depth = self.0 - 1; "deep {}", Deep(self.0 - 1));
        }
        write!(f, "level{}", self.0)
    }
}

/// Logs a record, flushes, and notes whether that record is then in the
/// main file: what a `Display` impl logs is in the ring at once, also
/// while the record it belongs to is formatted in its ring slot.
struct LogsAndFlushes<'a>(&'a std::path::Path, &'a std::cell::Cell<bool>);

impl fmt::Display for LogsAndFlushes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        log::warn!("logged and flushed from inside Display");
        logger::flush().unwrap();
        let file = std::fs::read_to_string(self.0.join("app.log")).unwrap_or_default();
        self.1
            .set(file.contains("logged and flushed from inside Display"));
        f.write_str("flushed")
    }
}

/// Panics when displayed.
struct Panicky;

impl fmt::Display for Panicky {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("half written")?;
        panic!("Display panicked");
    }
}

fn msgs(records: &[serde_json::Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["msg"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn logging_from_display_impls_and_panic_hooks() {
    common::watchdog(Duration::from_secs(120), "re-entrancy");
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder().dir(dir.path()).install().unwrap();

    log::info!("outer {}", Noisy("msg-arg"));
    log::info!(v = log::kv::Value::from_display(&Noisy("kv")); "outer kv");
    trade!(
        symbol = logger::display(&Noisy("trade")),
        side = "BUY",
        qty = 1,
        price = 1.5
    );
    log::info!(depth = 5; "deep {}", Deep(5));
    let seen = std::cell::Cell::new(false);
    log::info!("outer {}", LogsAndFlushes(dir.path(), &seen));
    assert!(
        seen.get(),
        "a record logged inside Display was not in the file after flush()"
    );

    // A Display that panics inside `log::info!`: the panic reaches the
    // caller (as `log` documents), our hook records it on the way, and
    // the logger keeps working.
    let caught = std::panic::catch_unwind(|| log::info!("{}", Panicky));
    assert!(caught.is_err());
    let caught = std::panic::catch_unwind(|| {
        trade!(
            symbol = logger::display(&Panicky),
            side = "BUY",
            qty = 1,
            price = 1.5
        )
    });
    assert!(caught.is_err());
    log::info!("after the panics");

    // An application hook chained after ours, that logs.
    let ours = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log::warn!(target: "app_hook", "application hook saw: {}", info);
        ours(info);
    }));
    let joined = std::thread::Builder::new()
        .name("hooked".into())
        .spawn(|| panic!("panic under an application hook"))
        .unwrap()
        .join();
    assert!(joined.is_err());
    let _ = std::panic::take_hook();

    logger::flush().unwrap();
    drop(guard);
    let records = common::records(dir.path(), "app");
    let m = msgs(&records);
    let has = |s: &str| m.iter().any(|x| x == s);

    assert!(has("outer msg-arg"), "{m:?}");
    assert!(has("logged from inside Display of msg-arg"));
    assert!(has("outer kv"));
    assert!(has("logged from inside Display of kv"));
    let kv = records.iter().find(|r| r["msg"] == "outer kv").unwrap();
    assert_eq!(kv["fields"]["v"], "kv");
    assert!(has("logged from inside Display of trade"));
    let trades = common::records(dir.path(), "trades");
    assert_eq!(trades[0]["fields"]["symbol"], "trade");
    for d in 0..5 {
        assert!(has(&format!("deep level{d}")), "deep {d}: {m:?}");
    }
    assert!(has("deep level5"));
    let flushed = m
        .iter()
        .position(|x| x == "logged and flushed from inside Display");
    let outer = m.iter().position(|x| x == "outer flushed");
    assert!(flushed.is_some() && flushed < outer, "{m:?}");
    // The inner record is complete before the outer one is pushed.
    let inner = m
        .iter()
        .position(|x| x == "logged from inside Display of msg-arg");
    let outer = m.iter().position(|x| x == "outer msg-arg");
    assert!(inner < outer);

    assert!(has("after the panics"));
    let errors = common::records(dir.path(), "errors");
    let panics: Vec<&str> = errors
        .iter()
        .filter(|r| r["target"] == "panic")
        .map(|r| r["msg"].as_str().unwrap())
        .collect();
    assert_eq!(panics.len(), 3, "{panics:?}");
    assert_eq!(
        panics
            .iter()
            .filter(|p| p.contains("Display panicked"))
            .count(),
        2
    );
    assert!(panics[2].contains("panic under an application hook"));
    let hook = records.iter().find(|r| r["target"] == "app_hook").unwrap();
    assert!(
        hook["msg"]
            .as_str()
            .unwrap()
            .contains("panic under an application hook")
    );
}
