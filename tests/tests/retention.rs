//! Retention is enforced at start-up over files left by earlier runs:
//! rotated files older than `retention_days` go, other files stay.

mod common;

use std::path::Path;

fn touch(dir: &Path, name: &str) {
    std::fs::write(dir.join(name), b"{\"msg\":\"old\"}\n").unwrap();
}

#[test]
fn deletes_old_rotated_files_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    touch(d, "app.20200101T000000.000.log");
    touch(d, "app.20200102T000000.000.log.gz");
    touch(d, "trades.20200101T000000.000.log");
    touch(d, "app.notes.txt");
    touch(d, "unrelated.log");
    let recent = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let days = now / 86_400;
        // Yesterday, in the rotated-name format.
        let (y, m, dd) = civil(days as i64 - 1);
        format!("app.{y:04}{m:02}{dd:02}T120000.000.log")
    };
    touch(d, &recent);

    let guard = logger::builder()
        .dir(d)
        .retention_days(Some(7))
        .install()
        .unwrap();
    log::info!("started");
    logger::flush().unwrap();
    drop(guard);

    assert!(!d.join("app.20200101T000000.000.log").exists());
    assert!(!d.join("app.20200102T000000.000.log.gz").exists());
    assert!(!d.join("trades.20200101T000000.000.log").exists());
    assert!(d.join(&recent).exists(), "a file within retention stays");
    assert!(
        d.join("app.notes.txt").exists(),
        "files that are not ours stay"
    );
    assert!(
        d.join("unrelated.log").exists(),
        "files that are not ours stay"
    );
}

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
