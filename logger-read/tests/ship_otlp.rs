//! The OTLP exporter against a receiver that decodes every request with
//! the official OpenTelemetry protobuf definitions (`opentelemetry-proto`),
//! and the OTLP/HTTP JSON encoding (gzip'ed).

mod common;
mod dest;

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logger_read::ship::otlp::{Encoding, OtlpConfig};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message;

const N: u64 = 40;

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

/// Each request's content type and (un-gzip'ed) body.
type Requests = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A receiver keeping each request's content type and (un-gzip'ed) body.
fn receiver() -> (String, Requests) {
    let s = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/logs", s.server_addr().to_ip().unwrap());
    let got: Requests = Arc::default();
    let g = got.clone();
    std::thread::spawn(move || {
        for mut req in s.incoming_requests() {
            let header = |name: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default()
            };
            let (ct, gz) = (header("Content-Type"), header("Content-Encoding"));
            let mut body = Vec::new();
            req.as_reader().read_to_end(&mut body).unwrap();
            if gz == "gzip" {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .unwrap();
                body = out;
            }
            g.lock().unwrap().push((ct, body));
            let _ = req.respond(tiny_http::Response::empty(200));
        }
    });
    (url, got)
}

#[test]
fn protobuf_requests_decode_with_the_official_definitions() {
    let Some(logs) = logs("protobuf_requests_decode_with_the_official_definitions") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (url, got) = receiver();
    let mut c = dest::config(logs.path(), state.path());
    let mut o = OtlpConfig::new(&url);
    o.batch_records = Some(16);
    o.batch_timeout_ms = Some(10);
    c.otlp = Some(o);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N,
    );
    assert_eq!((m.errors, m.abandoned), (0, 0));
    let mut seen = Vec::new();
    for (ct, body) in got.lock().unwrap().iter() {
        assert_eq!(ct, "application/x-protobuf");
        let req = ExportLogsServiceRequest::decode(&body[..]).unwrap();
        for rl in &req.resource_logs {
            let res = rl.resource.as_ref().unwrap();
            let service = res
                .attributes
                .iter()
                .find(|a| a.key == "service.name")
                .unwrap();
            assert!(
                matches!(&service.value.as_ref().unwrap().value, Some(AnyValue::StringValue(s)) if s == "risk" || s == "app")
            );
            assert!(res.attributes.iter().any(|a| a.key == "process.pid"));
            for sl in &rl.scope_logs {
                assert_eq!(sl.scope.as_ref().unwrap().name, "logger");
                for r in &sl.log_records {
                    let attr = |k: &str| {
                        r.attributes
                            .iter()
                            .find(|a| a.key == k)
                            .and_then(|a| a.value.clone())
                            .and_then(|v| v.value)
                    };
                    let Some(AnyValue::IntValue(i)) = attr("i") else {
                        panic!("no i: {r:?}")
                    };
                    seen.push(i as u64);
                    assert!(r.time_unix_nano > 1_700_000_000_000_000_000);
                    assert!(r.observed_time_unix_nano >= r.time_unix_nano);
                    // correlation id i: the low 8 bytes of the trace id.
                    assert_eq!(r.trace_id[8..], (i as u64).to_be_bytes());
                    if i % 5 == 0 {
                        assert_eq!(
                            (r.severity_number, r.severity_text.as_str()),
                            (21, "CRITICAL")
                        );
                        assert_eq!(attr("venue"), Some(AnyValue::StringValue("XNAS".into())));
                        assert_eq!(
                            attr("log.target"),
                            Some(AnyValue::StringValue("risk".into()))
                        );
                    } else {
                        assert_eq!((r.severity_number, r.severity_text.as_str()), (9, "INFO"));
                        assert_eq!(attr("qty"), Some(AnyValue::IntValue(i * 10)));
                        assert_eq!(attr("px"), Some(AnyValue::DoubleValue(1.5)));
                        let Some(AnyValue::StringValue(body)) =
                            r.body.clone().and_then(|b| b.value)
                        else {
                            panic!("no body")
                        };
                        assert_eq!(body, format!("record {i}"));
                    }
                }
            }
        }
    }
    seen.sort();
    assert_eq!(seen, (0..N).collect::<Vec<_>>());
}

#[test]
fn json_encoding_gzip_and_a_level_filter() {
    let Some(logs) = logs("json_encoding_gzip_and_a_level_filter") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let (url, got) = receiver();
    let mut c = dest::config(logs.path(), state.path());
    let mut o = OtlpConfig::new(&url);
    o.encoding = Encoding::Json;
    o.gzip = true;
    o.min_level = Some("CRITICAL".into());
    c.otlp = Some(o);
    let m = dest::run_until(
        logger_read::ship::start(c).unwrap(),
        Duration::from_secs(30),
        |m| m.records_sent >= N / 5,
    );
    assert_eq!(m.records_sent, N / 5);
    let mut n = 0;
    for (ct, body) in got.lock().unwrap().iter() {
        assert_eq!(ct, "application/json");
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        for rl in v["resourceLogs"].as_array().unwrap() {
            for sl in rl["scopeLogs"].as_array().unwrap() {
                for r in sl["logRecords"].as_array().unwrap() {
                    assert_eq!(r["severityNumber"], 21);
                    assert!(r["timeUnixNano"].as_str().unwrap().parse::<u64>().is_ok());
                    assert_eq!(r["traceId"].as_str().unwrap().len(), 32);
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, N / 5);
}
