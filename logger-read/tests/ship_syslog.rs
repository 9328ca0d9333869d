//! The syslog destination against a real rsyslogd (started here with its
//! own configuration on loopback ports and a local socket): RFC 5424 over
//! UDP, TCP (octet counting) and the local socket; severity from the
//! level; fields as structured data that rsyslog parses; a 1 MB record cut
//! to the datagram limit with the marker, never sent as garbage; and
//! RFC 5425 (TLS) into rsyslog's GnuTLS listener with a CA made here, a
//! server whose certificate another CA signed refused.

mod common;
mod dest;

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use logger_read::ship::net::Protocol;
use logger_read::ship::syslog::SyslogConfig;
use logger_read::ship::tls::TlsOptions;

const N: u64 = 60;
const BIG: usize = 1 << 20;

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port();
    // A port free for UDP too.
    drop(l);
    UdpSocket::bind(("127.0.0.1", p))
        .map(|_| p)
        .unwrap_or_else(|_| free_port())
}

struct Rsyslog {
    child: Child,
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TEMPLATE: &str = r#"template(name="t" type="string" string="%inputname%|%PRI%|%HOSTNAME%|%APP-NAME%|%PROCID%|%MSGID%|%STRUCTURED-DATA%|%msg%\n")"#;

/// Runs rsyslogd with configuration `conf` (written to `dir`) until dropped;
/// waits until TCP port `tcp` accepts connections.
fn start_rsyslogd(dir: &Path, conf: &str, tcp: u16) -> Rsyslog {
    let bin = std::env::var("LOGGER_TEST_RSYSLOGD").unwrap_or_else(|_| {
        panic!("LOGGER_TEST_RSYSLOGD is not set: run the tests with scripts/test-all.sh (it installs rsyslog)")
    });
    let path = dir.join("rsyslog.conf");
    std::fs::write(&path, conf).unwrap();
    let mut child = Command::new(bin)
        .args(["-n", "-f"])
        .arg(&path)
        .arg("-i")
        .arg(dir.join("rsyslog.pid"))
        .spawn()
        .expect("cannot start rsyslogd");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", tcp)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "rsyslogd exited ({status}) with {}: is rsyslog-gnutls installed? (scripts/test-all.sh installs it)",
                path.display()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "rsyslogd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Rsyslog { child }
}

/// Starts rsyslogd with UDP `udp`, TCP `tcp` and a local socket at
/// `sock`, writing every message to `out` as `input|pri|host|app|procid|msgid|sd|msg`.
fn rsyslog(dir: &Path, udp: u16, tcp: u16, sock: &Path, out: &Path) -> Rsyslog {
    let bin = std::env::var("LOGGER_TEST_RSYSLOGD").unwrap_or_else(|_| {
        panic!("LOGGER_TEST_RSYSLOGD is not set: run the tests with scripts/test-all.sh (it installs rsyslog)")
    });
    let conf = dir.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            r#"global(workDirectory="{work}" maxMessageSize="2m")
module(load="imudp")
module(load="imtcp" MaxFrameSize="4000000")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="{udp}")
input(type="imtcp" address="127.0.0.1" port="{tcp}")
input(type="imuxsock" Socket="{sock}" UseSpecialParser="off")
template(name="t" type="string" string="%inputname%|%PRI%|%HOSTNAME%|%APP-NAME%|%PROCID%|%MSGID%|%STRUCTURED-DATA%|%msg%\n")
*.* action(type="omfile" file="{out}" template="t")
"#,
            work = dir.display(),
            sock = sock.display(),
            out = out.display(),
        ),
    )
    .unwrap();
    let child = Command::new(bin)
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslog.pid"))
        .spawn()
        .expect("cannot start rsyslogd");
    let r = Rsyslog { child };
    let start = Instant::now();
    while !(sock.exists() && std::net::TcpStream::connect(("127.0.0.1", tcp)).is_ok()) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "rsyslogd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    r
}

fn lines_of(out: &Path, input: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with(input))
        .map(|l| l.splitn(8, '|').map(str::to_owned).collect())
        .collect()
}

#[test]
fn rfc5424_over_udp_tcp_and_the_local_socket_reaches_rsyslog() {
    if common::is_child() {
        dest::log_mixed(Path::new(&std::env::var("DIR").unwrap()), N, BIG);
        return;
    }
    let logs = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    common::run_child(
        "rfc5424_over_udp_tcp_and_the_local_socket_reaches_rsyslog",
        &[("DIR", logs.path().display().to_string())],
    );
    let (udp, tcp) = (free_port(), free_port());
    let sock = state.path().join("log.sock");
    let out = state.path().join("received.txt");
    let _rsyslog = rsyslog(state.path(), udp, tcp, &sock, &out);

    for (address, protocol, input) in [
        (format!("127.0.0.1:{udp}"), Protocol::Udp, "imudp"),
        (format!("127.0.0.1:{tcp}"), Protocol::Tcp, "imtcp"),
        (sock.display().to_string(), Protocol::Unix, "imuxsock"),
    ] {
        let run = state.path().join(input);
        std::fs::create_dir_all(&run).unwrap();
        let mut c = dest::config(logs.path(), &run);
        let mut s = SyslogConfig::new(&address, protocol);
        s.facility = Some("local0".into());
        s.app_name = Some("trading".into());
        s.batch_records = Some(16);
        s.batch_timeout_ms = Some(20);
        c.syslog = Some(s);
        let m = dest::run_until(
            logger_read::ship::start(c).unwrap(),
            Duration::from_secs(30),
            |m| m.records_sent >= N,
        );
        assert_eq!(
            (m.records_sent, m.abandoned, m.errors),
            (N, 0, 0),
            "{input}: {m:?}"
        );

        // rsyslog writes asynchronously: wait for every message.
        let start = Instant::now();
        let got = loop {
            let got = lines_of(&out, input);
            // The 1 MB message may be in the file only in part so far.
            let whole = std::fs::read(&out).unwrap_or_default().ends_with(b"\n");
            if (got.len() as u64 >= N && whole) || start.elapsed() > Duration::from_secs(20) {
                break got;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(got.len() as u64, N, "{input}: {got:?}");
        let criticals: Vec<&Vec<String>> = got
            .iter()
            .filter(|f| f[6].contains("level=\"CRITICAL\""))
            .collect();
        assert_eq!(criticals.len() as u64, N / 5, "{input}");
        for f in &criticals {
            assert_eq!(f[1], "130", "{input}: local0 (16) * 8 + crit (2): {f:?}");
            assert_eq!(f[3], "trading");
            assert_eq!(f[5], "log");
            assert!(f[6].contains("[logger@32473 target=\"risk\""), "{f:?}");
            assert!(f[6].contains("[fields@32473 i=\""), "{f:?}");
            assert!(f[6].contains("venue=\"XNAS\""), "{f:?}");
            assert!(f[7].contains("halt \""), "{f:?}");
        }
        assert!(
            got.iter().all(|f| f[4].parse::<u32>().is_ok()),
            "PROCID is the pid: {got:?}"
        );
        let big: Vec<&Vec<String>> = got.iter().filter(|f| f[7].contains("bbbb")).collect();
        assert_eq!(big.len(), 1, "{input}");
        let msg = &big[0][7];
        if input == "imtcp" {
            // A stream carries the whole record.
            assert!(msg.len() >= BIG, "{input}: {}", msg.len());
        } else {
            assert!(
                msg.len() < 2048 && msg.ends_with("…[truncated]"),
                "{input}: {}",
                msg.len()
            );
        }
        let infos = got.iter().filter(|f| f[1] == "134").count() as u64;
        assert_eq!(infos, N - N / 5, "{input}: local0 * 8 + info (6)");
    }
}

/// Starts rsyslogd with one TLS listener (imtcp over the GnuTLS driver,
/// certificate and key signed by `pki`'s CA) on `port`, writing every
/// message to `out` as the template `t` says.
fn rsyslog_tls(dir: &Path, port: u16, pki: &dest::TestPki, out: &Path) -> Rsyslog {
    let (cert, key) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert, &pki.cert_pem).unwrap();
    std::fs::write(&key, &pki.key_pem).unwrap();
    let conf = format!(
        r#"global(workDirectory="{work}" maxMessageSize="64k"
       DefaultNetstreamDriver="gtls"
       DefaultNetstreamDriverCAFile="{ca}"
       DefaultNetstreamDriverCertFile="{cert}"
       DefaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" address="127.0.0.1" port="{port}")
{TEMPLATE}
*.* action(type="omfile" file="{out}" template="t")
"#,
        work = dir.display(),
        ca = pki.ca_file.display(),
        cert = cert.display(),
        key = key.display(),
        out = out.display(),
    );
    start_rsyslogd(dir, &conf, port)
}

#[test]
fn rfc5425_over_tls_reaches_rsyslog_and_a_wrong_ca_is_refused() {
    const TEST: &str = "rfc5425_over_tls_reaches_rsyslog_and_a_wrong_ca_is_refused";
    if common::is_child() {
        dest::log_mixed(Path::new(&std::env::var("DIR").unwrap()), N, 0);
        return;
    }
    let logs = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    common::run_child(TEST, &[("DIR", logs.path().display().to_string())]);
    let pki_dir = state.path().join("pki");
    let other_dir = state.path().join("other-ca");
    std::fs::create_dir_all(&pki_dir).unwrap();
    std::fs::create_dir_all(&other_dir).unwrap();
    let pki = dest::TestPki::new(
        &pki_dir,
        &["localhost"],
        dest::now() - 60,
        dest::now() + 3600,
    );
    let other = dest::TestPki::new(
        &other_dir,
        &["localhost"],
        dest::now() - 60,
        dest::now() + 3600,
    );
    let port = free_port();
    let out = state.path().join("received.txt");
    let _rsyslog = rsyslog_tls(state.path(), port, &pki, &out);
    let run = |name: &str, ca: &Path| {
        let dir = state.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = dest::config(logs.path(), &dir);
        let mut s = SyslogConfig::new(&format!("localhost:{port}"), Protocol::Tls);
        s.app_name = Some("trading".into());
        s.batch_records = Some(16);
        s.batch_timeout_ms = Some(20);
        s.max_retries = Some(1);
        s.tls = Some(TlsOptions {
            ca_file: Some(ca.to_owned()),
            ..TlsOptions::default()
        });
        c.syslog = Some(s);
        (c, dir)
    };

    // A CA that did not sign rsyslog's certificate: refused at the
    // handshake, counted, the records in the dead-letter file, none sent.
    let (c, dir) = run("wrong-ca", &other.ca_file);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.abandoned >= N,
    );
    assert_eq!(m.records_sent, 0, "{m:?}");
    assert!(m.errors >= 1, "{m:?}");
    let dead = dest::dead_letters(&dir);
    assert_eq!(dead.len() as u64, N);
    let reason = dead[0]["reason"].as_str().unwrap();
    assert!(reason.contains("TLS handshake with localhost"), "{reason}");
    assert!(reason.contains("invalid peer certificate"), "{reason}");

    // The right CA: every record arrives, framed and parsed by rsyslog.
    let (c, _dir) = run("right-ca", &pki.ca_file);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!((m.records_sent, m.abandoned, m.errors), (N, 0, 0), "{m:?}");
    let start = Instant::now();
    let got = loop {
        let got = lines_of(&out, "imtcp");
        if got.len() as u64 >= N || start.elapsed() > Duration::from_secs(20) {
            break got;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Nothing from the refused run reached rsyslog: exactly N messages.
    assert_eq!(got.len() as u64, N, "{got:?}");
    let criticals = got.iter().filter(|f| f[6].contains("level=\"CRITICAL\""));
    assert_eq!(criticals.clone().count() as u64, N / 5);
    for f in criticals {
        assert_eq!(f[1], "10", "user (1) * 8 + crit (2): {f:?}");
        assert_eq!(f[3], "trading");
        assert!(f[7].contains("halt \""), "{f:?}");
    }
    let mut seen: Vec<u64> = got
        .iter()
        .filter_map(|f| {
            let at = f[6].find("[fields@32473 i=\"")? + 17;
            f[6][at..].split('"').next()?.parse().ok()
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..N).collect::<Vec<_>>());
}
