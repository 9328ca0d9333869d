//! File and directory modes: every file the logger creates (active,
//! rotated, `.gz`, `.age`, `.gz.age`) and the directory it creates get the
//! configured modes under umask 022 and 077; an existing looser file is
//! reported once; a symlinked log file is refused, a symlinked directory
//! followed. Each scenario installs the logger in a child process.

mod common;
mod security_support;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::Duration;

use security_support::{keygen, mode, names, set_umask};

const LIMIT: Duration = Duration::from_secs(60);

/// Child: under `LOGGER_TEST_UMASK`, logs enough to rotate a few times, in
/// the form `LOGGER_TEST_FORM` (`plain`, `gz`, `age`, `gz.age`), into
/// `LOGGER_TEST_DIR` (created, with its parent).
#[test]
fn child_writes_every_kind_of_file() {
    if !common::is_child() {
        return;
    }
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    set_umask(u32::from_str_radix(&env("LOGGER_TEST_UMASK"), 8).unwrap());
    let form = env("LOGGER_TEST_FORM");
    let mut b = logger::builder()
        .dir(env("LOGGER_TEST_DIR"))
        .create_dir(true)
        .max_file_bytes(Some(64 * 1024))
        .compress(form.starts_with("gz"));
    if form.ends_with("age") {
        b = b.encryption(Some(logger::Encryption::recipients([env(
            "LOGGER_TEST_RECIPIENT",
        )])));
    }
    if !env("LOGGER_TEST_CONFIG").is_empty() {
        b = b.config_file(env("LOGGER_TEST_CONFIG"));
    }
    let guard = b.install().unwrap();
    for i in 0..3000u64 {
        log::info!(i = i; "a record long enough to fill a small file after a few hundred of them");
    }
    logger::flush().unwrap();
    drop(guard);
}

fn run(dir: &Path, umask: &str, form: &str, recipient: &str, config: &str) -> common::ChildOutput {
    let out = common::run_child(
        common::child_command(
            "child_writes_every_kind_of_file",
            &[
                ("LOGGER_TEST_DIR", dir.to_str().unwrap()),
                ("LOGGER_TEST_UMASK", umask),
                ("LOGGER_TEST_FORM", form),
                ("LOGGER_TEST_RECIPIENT", recipient),
                ("LOGGER_TEST_CONFIG", config),
            ],
        ),
        LIMIT,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    out
}

/// The rotated files of `app` in `dir` and the ending they all share.
fn rotated_endings(dir: &Path) -> Vec<String> {
    let mut endings: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.starts_with("app.2"))
        .map(|n| n[n.find(".log").unwrap()..].to_string())
        .collect();
    endings.dedup();
    endings
}

#[test]
fn modes_under_umask_022_and_077() {
    if common::is_child() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = keygen(keys.path());
    for umask in ["022", "077"] {
        for (form, ending) in [
            ("plain", ".log"),
            ("gz", ".log.gz"),
            ("age", ".log.age"),
            ("gz.age", ".log.gz.age"),
        ] {
            let root = tempfile::tempdir().unwrap();
            let dir = root.path().join("created/logs");
            run(&dir, umask, form, &recipient, "");
            let what = format!("umask {umask}, form {form}");
            assert_eq!(rotated_endings(&dir), [ending], "{what}: {:?}", names(&dir));
            for d in [root.path().join("created"), dir.clone()] {
                assert_eq!(mode(&d), 0o750, "{what}: {}", d.display());
            }
            let files = names(&dir);
            for f in ["app.log", "trades.log", "perf.log", "errors.log"] {
                assert!(files.iter().any(|n| n == f), "{what}: {f} missing");
            }
            for f in &files {
                assert_eq!(mode(&dir.join(f)), 0o640, "{what}: {f}");
            }
        }
    }
}

#[test]
fn configured_modes_from_the_config_file() {
    if common::is_child() {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let (_, recipient) = keygen(keys.path());
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("logger.json");
    std::fs::write(&config, r#"{"file_mode": "0600", "dir_mode": "0700"}"#).unwrap();
    let dir = root.path().join("logs");
    run(&dir, "022", "gz.age", &recipient, config.to_str().unwrap());
    assert_eq!(mode(&dir), 0o700);
    let files = names(&dir);
    assert!(
        files.iter().any(|f| f.ends_with(".log.gz.age")),
        "{files:?}"
    );
    for f in &files {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
}

#[test]
fn an_existing_looser_file_is_reported_once_and_left_as_it_is() {
    if common::is_child() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let app = dir.join("app.log");
    std::fs::write(&app, b"{\"earlier\":1}\n").unwrap();
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o664)).unwrap();
    let out = run(&dir, "022", "plain", "", "");
    let reports: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("looser than the configured"))
        .collect();
    assert_eq!(reports.len(), 1, "{}", out.stderr);
    assert!(
        reports[0].contains("app.log") && reports[0].contains("0664"),
        "{}",
        reports[0]
    );
    // The file that held the earlier line was rotated with its own mode;
    // every file created since has the configured one.
    for f in names(&dir) {
        let p = dir.join(&f);
        let earlier = std::fs::read(&p).unwrap().starts_with(b"{\"earlier\":1}\n");
        assert_eq!(mode(&p), if earlier { 0o664 } else { 0o640 }, "{f}");
    }
}

/// Child: installs into `LOGGER_TEST_DIR`, prints `RESULT=ok` or the error.
#[test]
fn child_installs_once() {
    if !common::is_child() {
        return;
    }
    match logger::builder()
        .dir(std::env::var("LOGGER_TEST_DIR").unwrap())
        .install()
    {
        Ok(guard) => {
            log::info!("through the link");
            logger::flush().unwrap();
            drop(guard);
            println!("RESULT=ok");
        }
        Err(e) => println!("RESULT={e}"),
    }
}

fn install_in(dir: &Path) -> String {
    let out = common::run_child(
        common::child_command(
            "child_installs_once",
            &[("LOGGER_TEST_DIR", dir.to_str().unwrap())],
        ),
        LIMIT,
    );
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    out.value("RESULT")
}

#[test]
fn a_symlinked_log_file_is_refused_and_a_symlinked_directory_followed() {
    if common::is_child() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("logs");
    std::fs::create_dir(&dir).unwrap();
    let victim = root.path().join("victim");
    std::fs::write(&victim, b"not a log\n").unwrap();
    symlink(&victim, dir.join("app.log")).unwrap();
    let result = install_in(&dir);
    assert!(
        result.contains("symbolic link") && result.contains("app.log"),
        "{result}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"not a log\n");

    let real = root.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = root.path().join("link");
    symlink(&real, &link).unwrap();
    assert_eq!(install_in(&link), "ok");
    let text = std::fs::read_to_string(real.join("app.log")).unwrap();
    assert!(text.contains("through the link"), "{text}");
}
