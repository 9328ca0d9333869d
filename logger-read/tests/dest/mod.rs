//! Helpers of the remote destinations' tests: records written by the real
//! logger in a child process, a shipper run until its counters say the
//! records went out, and a test CA made with `rcgen`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logger_read::ship::{MetricsSnapshot, ShipConfig, ShipHandle};

/// In a child: `n` records in `dir`: every 5th `CRITICAL` (target `risk`),
/// the others `INFO` (target `app`), each with `fields.i`; record 3 (an
/// `INFO`) carries a message of `big` bytes when `big > 0`.
pub fn log_mixed(dir: &Path, n: u64, big: usize) {
    // A ring large enough for a 1 MB message (the default cuts a `log`
    // message at about a sixth of the ring).
    let guard = logger::builder()
        .dir(dir)
        .ring_bytes(8 << 20)
        .install()
        .unwrap();
    for i in 0..n {
        let _c = logger::correlation(i);
        if i % 5 == 0 {
            logger::critical!(target: "risk", i, venue = "XNAS"; "halt \"{i}\"");
        } else if i == 3 && big > 0 {
            let text = "b".repeat(big);
            log::info!(target: "app", i; "{text}");
        } else {
            log::info!(target: "app", i, qty = i * 10, px = 1.5; "record {i}");
        }
    }
    logger::flush().unwrap();
    drop(guard);
}

/// A shipper configuration for the files in `dir`, with its checkpoints
/// and dead-letter file in `state` (so that several runs do not share them).
pub fn config(dir: &Path, state: &Path) -> ShipConfig {
    let mut c = ShipConfig::new(vec![dir.to_owned()]);
    c.poll_interval_ms = 10;
    c.checkpoint_dir = Some(state.to_owned());
    c.dead_letter = Some(state.join("dead-letter.jsonl"));
    c
}

/// Waits until `done(metrics)` holds for the first destination (at most
/// `limit`: a failure names what the counters said), then stops the shipper.
pub fn run_until(
    handle: ShipHandle,
    limit: Duration,
    done: impl Fn(&MetricsSnapshot) -> bool,
) -> MetricsSnapshot {
    let start = Instant::now();
    loop {
        let m = handle.metrics()[0].clone();
        if done(&m) {
            break;
        }
        assert!(
            start.elapsed() < limit && !handle.is_finished(),
            "the shipper did not get there: {m:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut snaps = handle.stop().unwrap();
    snaps.remove(0)
}

/// The dead-letter entries of `state`.
pub fn dead_letters(state: &Path) -> Vec<serde_json::Value> {
    let p = state.join("dead-letter.jsonl");
    std::fs::read_to_string(&p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A test CA and a server certificate it signed, as PEM files in `dir`.
pub struct TestPki {
    pub ca_file: PathBuf,
    pub cert_pem: String,
    pub key_pem: String,
    ca_cert: rcgen::Certificate,
    ca_key: rcgen::KeyPair,
}

impl TestPki {
    /// A CA, and a server certificate for `names` valid from `not_before`
    /// to `not_after` (Unix seconds).
    pub fn new(dir: &Path, names: &[&str], not_before: i64, not_after: i64) -> TestPki {
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "logger test CA");
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca_cert.pem()).unwrap();
        let (cert_pem, key_pem) = Self::sign(&ca_cert, &ca_key, names, not_before, not_after);
        TestPki {
            ca_file,
            cert_pem,
            key_pem,
            ca_cert,
            ca_key,
        }
    }

    fn sign(
        ca: &rcgen::Certificate,
        ca_key: &rcgen::KeyPair,
        names: &[&str],
        not_before: i64,
        not_after: i64,
    ) -> (String, String) {
        let mut p =
            rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        p.not_before = rcgen::date_time_ymd(1970, 1, 1) + Duration::from_secs(not_before as u64);
        p.not_after = rcgen::date_time_ymd(1970, 1, 1) + Duration::from_secs(not_after as u64);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, ca, ca_key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// Another certificate signed by the same CA (a client's, for mutual TLS).
    pub fn issue(&self, names: &[&str]) -> (String, String) {
        Self::sign(
            &self.ca_cert,
            &self.ca_key,
            names,
            now() - 3600,
            now() + 86_400,
        )
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
