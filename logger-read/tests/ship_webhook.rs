//! The webhook against a real HTTP server (tiny_http): CRITICAL records
//! only by default, headers, 500 then recovery (retried, nothing lost), a
//! summary past `max_per_minute`, a 4xx answer and a receiver that hangs
//! (bounded by the timeout, then the dead-letter file). The shipper runs
//! in the logging process itself (`ship::start` after `install`).

mod common;
mod dest;

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logger_read::ship::webhook::WebhookConfig;
use serde_json::Value;

const N: u64 = 50;
const CRITICALS: u64 = N / 5;

/// A posted body and its Authorization header.
type Posted = (Option<String>, Value);

#[derive(Clone, Default)]
struct Received {
    bodies: Arc<Mutex<Vec<Posted>>>,
    answered: Arc<Mutex<u32>>,
}

/// A server answering `statuses` in turn (then 200), keeping every body
/// and its Authorization header.
fn server(statuses: Vec<u16>) -> (String, Received) {
    let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", s.server_addr().to_ip().unwrap());
    let r = Received::default();
    let rc = r.clone();
    std::thread::spawn(move || {
        for mut req in s.incoming_requests() {
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let auth = req
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.to_string());
            let mut n = rc.answered.lock().unwrap();
            let status = statuses.get(*n as usize).copied().unwrap_or(200);
            *n += 1;
            if status == 200 {
                rc.bodies
                    .lock()
                    .unwrap()
                    .push((auth, serde_json::from_str(&body).unwrap()));
            }
            let _ = req.respond(tiny_http::Response::from_string("no").with_status_code(status));
        }
    });
    (url, r)
}

/// Every record posted (singly or in `records`), and the summaries.
fn posted(r: &Received) -> (Vec<Value>, Vec<Value>) {
    let (mut records, mut summaries) = (Vec::new(), Vec::new());
    for (_, b) in r.bodies.lock().unwrap().iter() {
        if let Some(s) = b.get("summary") {
            summaries.push(s.clone());
        } else if let Some(rs) = b.get("records") {
            assert_eq!(
                b["count"].as_u64().unwrap() as usize,
                rs.as_array().unwrap().len()
            );
            records.extend(rs.as_array().unwrap().iter().cloned());
        } else {
            records.push(b.clone());
        }
    }
    (records, summaries)
}

#[test]
fn in_process_critical_alerts_survive_500_then_recovery() {
    if common::is_child() {
        let dir = tempfile::tempdir().unwrap();
        let guard = logger::builder().dir(dir.path()).install().unwrap();
        let mut c = dest::config(dir.path(), dir.path());
        let mut w = WebhookConfig::new(&std::env::var("URL").unwrap());
        w.headers
            .insert("Authorization".into(), "Bearer t0k3n".into());
        w.batch_timeout_ms = Some(10);
        c.webhook = Some(w);
        let ship = logger_read::ship::start(c).unwrap();
        for i in 0..N {
            if i % 5 == 0 {
                logger::critical!(target: "risk", i; "halt {i}");
            } else {
                log::error!(target: "app", i; "not an alert {i}");
            }
        }
        logger::flush().unwrap();
        let m = dest::run_until(ship, Duration::from_secs(60), |m| {
            m.records_sent >= CRITICALS
        });
        assert!(m.retries >= 2 && m.errors >= 2, "{m:?}");
        assert_eq!(m.abandoned, 0);
        drop(guard);
        return;
    }
    let (url, r) = server(vec![500, 500]);
    common::run_child(
        "in_process_critical_alerts_survive_500_then_recovery",
        &[("URL", url)],
    );
    let (records, summaries) = posted(&r);
    assert!(summaries.is_empty());
    let mut seen: Vec<u64> = records
        .iter()
        .inspect(|v| assert_eq!(v["level"], "CRITICAL"))
        .map(|v| v["fields"]["i"].as_u64().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, (0..N).step_by(5).collect::<Vec<_>>());
    for (auth, _) in r.bodies.lock().unwrap().iter() {
        assert_eq!(auth.as_deref(), Some("Bearer t0k3n"));
    }
}

/// The records, written by the real logger in a child process running
/// `test`; `None` in that child (after writing them).
fn logs(test: &str) -> Option<tempfile::TempDir> {
    if common::is_child() {
        dest::log_mixed(Path::new(&std::env::var("DIR").unwrap()), N, 0);
        return None;
    }
    let logs = tempfile::tempdir().unwrap();
    common::run_child(test, &[("DIR", logs.path().display().to_string())]);
    Some(logs)
}

#[test]
fn past_the_rate_a_summary_replaces_the_flood() {
    let Some(logs) = logs("past_the_rate_a_summary_replaces_the_flood") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (url, r) = server(vec![]);
    let mut c = dest::config(logs.path(), state.path());
    let mut w = WebhookConfig::new(&url);
    w.max_per_minute = Some(3);
    w.min_level = Some("INFO".into());
    w.gzip = false;
    c.webhook = Some(w);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!(m.abandoned, 0);
    let (records, summaries) = posted(&r);
    assert_eq!(records.len(), 3);
    let suppressed: u64 = summaries
        .iter()
        .map(|s| s["suppressed"].as_u64().unwrap())
        .sum();
    assert_eq!(suppressed, N - 3);
    let crit: u64 = summaries
        .iter()
        .filter_map(|s| s["levels"]["CRITICAL"].as_u64())
        .sum();
    let crit_posted = records.iter().filter(|v| v["level"] == "CRITICAL").count() as u64;
    assert_eq!(crit + crit_posted, CRITICALS);
    assert_eq!(summaries[0]["max_per_minute"], 3);
}

#[test]
fn a_refusal_and_a_hanging_receiver_end_in_the_dead_letter_file() {
    let Some(logs) = logs("a_refusal_and_a_hanging_receiver_end_in_the_dead_letter_file") else {
        return;
    };
    // 400: refused for good, at once.
    let state = tempfile::tempdir().unwrap();
    let (url, _r) = server(vec![400; 100]);
    let mut c = dest::config(logs.path(), state.path());
    c.webhook = Some(WebhookConfig::new(&url));
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.abandoned >= CRITICALS,
    );
    assert_eq!((m.records_sent, m.errors), (0, 0), "{m:?}");
    let dead = dest::dead_letters(state.path());
    assert_eq!(dead.len() as u64, CRITICALS);
    assert!(
        dead[0]["reason"].as_str().unwrap().contains("HTTP 400"),
        "{dead:?}"
    );
    assert_eq!(dead[0]["record"]["level"], "CRITICAL");

    // A receiver that accepts and never answers: each attempt ends at the timeout.
    let hang = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", hang.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let h = held.clone();
    std::thread::spawn(move || {
        for s in hang.incoming().flatten() {
            h.lock().unwrap().push(s);
        }
    });
    let state = tempfile::tempdir().unwrap();
    let mut c = dest::config(logs.path(), state.path());
    let mut w = WebhookConfig::new(&url);
    w.timeout_ms = Some(200);
    w.max_retries = Some(1);
    c.webhook = Some(w);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.abandoned >= CRITICALS,
    );
    assert!(m.errors >= 2 && m.records_sent == 0, "{m:?}");
    let dead = dest::dead_letters(state.path());
    let reason = dead[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("abandoned after 2 failed attempts"),
        "{reason}"
    );
    assert!(reason.to_lowercase().contains("timed out"), "{reason}");
}
