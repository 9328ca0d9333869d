//! Bad configuration gives a clear error naming the problem: an unreachable
//! server, a wrong password, a missing privilege, an invalid table prefix,
//! an unknown option in the configuration file.

mod pg;

use logger_read::ship::{self, ShipConfig};
use pg::*;

fn config(url: &str) -> ShipConfig {
    ShipConfig::postgres(vec![std::env::temp_dir()], url)
}

#[test]
fn unreachable_server_names_host_port_and_cause() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = ship::check(&config(&format!("postgres://u:pw@127.0.0.1:{port}/db"))).unwrap_err();
    let m = e.to_string();
    assert!(e.is_retryable(), "an unreachable server is retried: {m}");
    assert!(
        m.contains(&format!("connecting to 127.0.0.1:{port}/db as u")),
        "{m}"
    );
    assert!(m.to_lowercase().contains("refused"), "{m}");
}

#[test]
fn wrong_password_is_fatal_and_says_so() {
    let url = server_url();
    let bad = url.replacen(":logger-test", ":wrong-logger-test", 1);
    let bad = if bad == url {
        url.replace("@", "x@")
    } else {
        bad
    };
    let e = ship::check(&config(&bad)).unwrap_err();
    let m = e.to_string();
    assert!(!e.is_retryable(), "{m}");
    assert!(
        m.contains("password authentication failed for user \"postgres\""),
        "{m}"
    );
    assert!(
        !m.contains("wrong-logger-test"),
        "the password leaked into the message: {m}"
    );
}

#[test]
fn missing_create_privilege_names_the_object_and_the_privilege() {
    let admin_url = fresh_db(&server_url(), "ship_noperm");
    let mut admin = connect(&admin_url);
    admin
        .batch_execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ship_noperm') \
             THEN CREATE ROLE ship_noperm LOGIN PASSWORD 'pw'; END IF; END $$;",
        )
        .unwrap();
    let url = admin_url.replacen(
        &admin_url[admin_url.find("://").unwrap() + 3..admin_url.find('@').unwrap()],
        "ship_noperm:pw",
        1,
    );
    let e = ship::check(&config(&url)).unwrap_err();
    let m = e.to_string();
    assert!(!e.is_retryable(), "{m}");
    assert!(m.contains("creating schema logging"), "{m}");
    assert!(
        m.contains("permission denied for database ship_noperm"),
        "{m}"
    );
    assert!(m.contains("SQLSTATE 42501"), "{m}");

    // With the schema there but no CREATE on it, the table is named.
    admin
        .batch_execute("CREATE SCHEMA logging; GRANT USAGE ON SCHEMA logging TO ship_noperm;")
        .unwrap();
    let m = ship::check(&config(&url)).unwrap_err().to_string();
    assert!(
        m.contains("creating table logging.system_logs (needs CREATE on schema logging)"),
        "{m}"
    );
    assert!(m.contains("permission denied for schema logging"), "{m}");

    // Tables created by an administrator: the role needs no CREATE at all.
    ship::check(&config(&admin_url)).unwrap();
    ship::check(&config(&url)).unwrap();
}

#[test]
fn invalid_table_prefix_and_unknown_options_name_the_option() {
    let text = format!(
        "paths = [\"/tmp\"]\n[postgres]\nurl = {:?}\ntable_prefix = \"trading-app\"\n",
        server_url()
    );
    let e = ShipConfig::from_toml(&text, "ship.toml".as_ref())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ship.toml") && e.contains("invalid table prefix \"trading-app\""),
        "{e}"
    );

    let e = ShipConfig::from_toml(
        "paths = [\"/tmp\"]\n\n[postgres]\nurl = \"x\"\nretension = 3\n",
        "ship.toml".as_ref(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("ship.toml, line 5") && e.contains("retension"),
        "{e}"
    );

    // The binary says the same and exits 2.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ship.toml");
    std::fs::write(&path, &text).unwrap();
    let out = ship_command().arg("--check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid table prefix \"trading-app\""),
        "{err}"
    );
}
