//! OpenTelemetry: records exported as OTLP logs over HTTP (`POST
//! /v1/logs`), in protobuf (default) or JSON, so that an OpenTelemetry
//! Collector, Vector or a Grafana stack takes them.
//!
//! ```toml
//! [otlp]
//! endpoint = "http://127.0.0.1:4318/v1/logs"
//! encoding = "protobuf"          # or "json" (OTLP/HTTP JSON)
//! headers = { "x-api-key" = "..." }
//! gzip = true
//! ```
//!
//! Mapping (OTLP logs data model):
//!
//! | record | OTLP |
//! | --- | --- |
//! | `ts` | `time_unix_nano`; `observed_time_unix_nano` is the export time |
//! | `level` | `severity_text` as written; `severity_number` TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, CRITICAL 21 (FATAL) |
//! | `msg` | `body` (a string) |
//! | `service`, `host`, `pid` | resource attributes `service.name`, `host.name`, `process.pid` (one `ResourceLogs` per service, host and pid) |
//! | `kind`, `target` | attributes `log.kind`, `log.target` |
//! | `module`, `file`, `line`, `function` | `code.namespace`, `code.filepath`, `code.lineno`, `code.function` |
//! | `thread`, `tid` | `thread.name`, `thread.id` |
//! | `correlation_id` | attribute `correlation_id`; and `trace_id` when it is 32 hex digits (a W3C trace id), or an integer (its 8 bytes, big-endian, in the low half) |
//! | `fields.k`, `context.k` | attributes `k` and `context.k`, typed (int, double, bool, string; objects as key-value lists, arrays as arrays) |
//!
//! The messages are the official ones (`opentelemetry/proto/logs/v1`,
//! `collector/logs/v1`, `common/v1`, `resource/v1`), field numbers as in
//! the `.proto` files, encoded with `prost`; the tests decode what is sent
//! with the `opentelemetry-proto` crate.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::destination::{Batch, Delivery, Destination, Rejected};
use super::error::ShipError;
use super::http::{Outcome, Poster};
use super::options::{Options, RetryLimit, raw_options};
use super::tls::TlsOptions;
use crate::timestamp::Timestamp;

/// The official OTLP messages this exporter sends (a subset of fields:
/// what a log record needs), as `prost` structs.
pub mod proto {
    /// `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExportLogsServiceRequest {
        /// `resource_logs = 1`.
        #[prost(message, repeated, tag = "1")]
        pub resource_logs: Vec<ResourceLogs>,
    }
    /// `opentelemetry.proto.logs.v1.ResourceLogs`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ResourceLogs {
        /// `resource = 1`.
        #[prost(message, optional, tag = "1")]
        pub resource: Option<Resource>,
        /// `scope_logs = 2`.
        #[prost(message, repeated, tag = "2")]
        pub scope_logs: Vec<ScopeLogs>,
    }
    /// `opentelemetry.proto.resource.v1.Resource`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Resource {
        /// `attributes = 1`.
        #[prost(message, repeated, tag = "1")]
        pub attributes: Vec<KeyValue>,
    }
    /// `opentelemetry.proto.logs.v1.ScopeLogs`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ScopeLogs {
        /// `scope = 1`.
        #[prost(message, optional, tag = "1")]
        pub scope: Option<InstrumentationScope>,
        /// `log_records = 2`.
        #[prost(message, repeated, tag = "2")]
        pub log_records: Vec<LogRecord>,
    }
    /// `opentelemetry.proto.common.v1.InstrumentationScope`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct InstrumentationScope {
        /// `name = 1`.
        #[prost(string, tag = "1")]
        pub name: String,
        /// `version = 2`.
        #[prost(string, tag = "2")]
        pub version: String,
    }
    /// `opentelemetry.proto.logs.v1.LogRecord`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct LogRecord {
        /// `fixed64 time_unix_nano = 1`.
        #[prost(fixed64, tag = "1")]
        pub time_unix_nano: u64,
        /// `fixed64 observed_time_unix_nano = 11`.
        #[prost(fixed64, tag = "11")]
        pub observed_time_unix_nano: u64,
        /// `SeverityNumber severity_number = 2` (an enum: its number).
        #[prost(int32, tag = "2")]
        pub severity_number: i32,
        /// `severity_text = 3`.
        #[prost(string, tag = "3")]
        pub severity_text: String,
        /// `body = 5`.
        #[prost(message, optional, tag = "5")]
        pub body: Option<AnyValue>,
        /// `attributes = 6`.
        #[prost(message, repeated, tag = "6")]
        pub attributes: Vec<KeyValue>,
        /// `bytes trace_id = 9` (16 bytes or empty).
        #[prost(bytes = "vec", tag = "9")]
        pub trace_id: Vec<u8>,
    }
    /// `opentelemetry.proto.common.v1.KeyValue`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct KeyValue {
        /// `key = 1`.
        #[prost(string, tag = "1")]
        pub key: String,
        /// `value = 2`.
        #[prost(message, optional, tag = "2")]
        pub value: Option<AnyValue>,
    }
    /// `opentelemetry.proto.common.v1.AnyValue`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct AnyValue {
        /// The `value` oneof.
        #[prost(oneof = "Value", tags = "1, 2, 3, 4, 5, 6")]
        pub value: Option<Value>,
    }
    /// `AnyValue.value`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// `string_value = 1`.
        #[prost(string, tag = "1")]
        StringValue(String),
        /// `bool_value = 2`.
        #[prost(bool, tag = "2")]
        BoolValue(bool),
        /// `int_value = 3`.
        #[prost(int64, tag = "3")]
        IntValue(i64),
        /// `double_value = 4`.
        #[prost(double, tag = "4")]
        DoubleValue(f64),
        /// `array_value = 5`.
        #[prost(message, tag = "5")]
        ArrayValue(ArrayValue),
        /// `kvlist_value = 6`.
        #[prost(message, tag = "6")]
        KvlistValue(KeyValueList),
    }
    /// `opentelemetry.proto.common.v1.ArrayValue`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ArrayValue {
        /// `values = 1`.
        #[prost(message, repeated, tag = "1")]
        pub values: Vec<AnyValue>,
    }
    /// `opentelemetry.proto.common.v1.KeyValueList`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct KeyValueList {
        /// `values = 1`.
        #[prost(message, repeated, tag = "1")]
        pub values: Vec<KeyValue>,
    }
}

use proto::{AnyValue, KeyValue, LogRecord};

/// The OTLP severity number of a level (logs data model, "Severity fields").
///
/// ```
/// use logger_read::ship::otlp::severity_number;
/// assert_eq!(severity_number("CRITICAL"), 21); // FATAL
/// assert_eq!(severity_number("ERROR"), 17);
/// assert_eq!(severity_number("INFO"), 9);
/// assert_eq!(severity_number("NOTICE"), 0); // unspecified
/// ```
pub fn severity_number(level: &str) -> i32 {
    match level {
        "TRACE" => 1,
        "DEBUG" => 5,
        "INFO" => 9,
        "WARN" => 13,
        "ERROR" => 17,
        "CRITICAL" => 21,
        _ => 0,
    }
}

fn any(v: &Value) -> Option<AnyValue> {
    use proto::Value as P;
    let value = match v {
        Value::Null => return None,
        Value::Bool(b) => P::BoolValue(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => P::IntValue(i),
            // u64 past i64 and floats.
            None => P::DoubleValue(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => P::StringValue(s.clone()),
        Value::Array(a) => P::ArrayValue(proto::ArrayValue {
            values: a.iter().filter_map(any).collect(),
        }),
        Value::Object(m) => P::KvlistValue(proto::KeyValueList {
            values: m.iter().filter_map(|(k, x)| kv(k, x)).collect(),
        }),
    };
    Some(AnyValue { value: Some(value) })
}

fn kv(key: &str, v: &Value) -> Option<KeyValue> {
    Some(KeyValue {
        key: key.to_owned(),
        value: Some(any(v)?),
    })
}

fn string_kv(key: &str, v: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(proto::Value::StringValue(v.to_owned())),
        }),
    }
}

/// The trace id a correlation id maps to: 32 hex digits as is, an
/// integer in the low 8 bytes; else none.
///
/// ```
/// use logger_read::ship::otlp::trace_id;
/// assert_eq!(trace_id(&serde_json::json!(1)), [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]);
/// assert_eq!(trace_id(&serde_json::json!("4bf92f3577b34da6a3ce929d0e0e4736"))[0], 0x4b);
/// assert!(trace_id(&serde_json::json!("order-7")).is_empty());
/// ```
pub fn trace_id(c: &Value) -> Vec<u8> {
    match c {
        Value::Number(n) => match n.as_u64() {
            Some(u) => {
                let mut id = vec![0; 8];
                id.extend_from_slice(&u.to_be_bytes());
                id
            }
            None => Vec::new(),
        },
        Value::String(s) if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) => (0..16)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
            .collect(),
        _ => Vec::new(),
    }
}

/// Resource of a record: (service, host, pid).
type ResourceKey = (String, String, Option<i64>);

/// One record as an OTLP log record, and its resource; `None` when the
/// line is not a JSON object with a valid `ts`.
pub fn log_record(line: &[u8], observed_ns: u64) -> Option<(ResourceKey, LogRecord)> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let ts = Timestamp::parse(s("ts")?)?;
    let mut attributes = Vec::new();
    for (key, name) in [
        ("kind", "log.kind"),
        ("target", "log.target"),
        ("module", "code.namespace"),
        ("file", "code.filepath"),
        ("function", "code.function"),
        ("thread", "thread.name"),
    ] {
        if let Some(x) = s(key) {
            attributes.push(string_kv(name, x));
        }
    }
    for (key, name) in [("line", "code.lineno"), ("tid", "thread.id")] {
        if let Some(x) = v.get(key).and_then(|x| kv(name, x)) {
            attributes.push(x);
        }
    }
    let mut trace = Vec::new();
    if let Some(c) = v.get("correlation_id") {
        trace = trace_id(c);
        attributes.extend(kv("correlation_id", c));
    }
    if let Some(Value::Object(m)) = v.get("fields") {
        attributes.extend(m.iter().filter_map(|(k, x)| kv(k, x)));
    }
    if let Some(Value::Object(m)) = v.get("context") {
        attributes.extend(m.iter().filter_map(|(k, x)| kv(&format!("context.{k}"), x)));
    }
    let level = s("level").unwrap_or("");
    let record = LogRecord {
        time_unix_nano: u64::try_from(ts.as_nanos()).unwrap_or(0),
        observed_time_unix_nano: observed_ns,
        severity_number: severity_number(level),
        severity_text: level.to_owned(),
        body: Some(AnyValue {
            value: Some(proto::Value::StringValue(s("msg").unwrap_or("").to_owned())),
        }),
        attributes,
        trace_id: trace,
    };
    let key = (
        s("service").unwrap_or("").to_owned(),
        s("host").unwrap_or("").to_owned(),
        v.get("pid").and_then(Value::as_i64),
    );
    Some((key, record))
}

/// The request for `records`, grouped by resource in first-seen order.
pub fn request(
    records: Vec<(ResourceKey, LogRecord)>,
    service_name: Option<&str>,
) -> proto::ExportLogsServiceRequest {
    let mut groups: Vec<(ResourceKey, Vec<LogRecord>)> = Vec::new();
    for (key, r) in records {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    proto::ExportLogsServiceRequest {
        resource_logs: groups
            .into_iter()
            .map(|((service, host, pid), log_records)| {
                let mut attributes = vec![string_kv(
                    "service.name",
                    service_name.unwrap_or(if service.is_empty() {
                        "unknown_service"
                    } else {
                        &service
                    }),
                )];
                if !host.is_empty() {
                    attributes.push(string_kv("host.name", &host));
                }
                if let Some(pid) = pid {
                    attributes.push(KeyValue {
                        key: "process.pid".into(),
                        value: Some(AnyValue {
                            value: Some(proto::Value::IntValue(pid)),
                        }),
                    });
                }
                proto::ResourceLogs {
                    resource: Some(proto::Resource { attributes }),
                    scope_logs: vec![proto::ScopeLogs {
                        scope: Some(proto::InstrumentationScope {
                            name: "logger".into(),
                            version: env!("CARGO_PKG_VERSION").into(),
                        }),
                        log_records,
                    }],
                }
            })
            .collect(),
    }
}

/// OTLP/HTTP JSON of an `AnyValue` (proto3 JSON mapping: 64-bit integers
/// as strings, camelCase names).
fn any_json(a: &AnyValue) -> Value {
    use proto::Value as P;
    match &a.value {
        Some(P::StringValue(s)) => json!({"stringValue": s}),
        Some(P::BoolValue(b)) => json!({"boolValue": b}),
        Some(P::IntValue(i)) => json!({"intValue": i.to_string()}),
        Some(P::DoubleValue(d)) => json!({"doubleValue": d}),
        Some(P::ArrayValue(v)) => {
            json!({"arrayValue": {"values": v.values.iter().map(any_json).collect::<Vec<_>>()}})
        }
        Some(P::KvlistValue(v)) => json!({"kvlistValue": {"values": kvs_json(&v.values)}}),
        None => json!({}),
    }
}

fn kvs_json(kvs: &[KeyValue]) -> Vec<Value> {
    kvs.iter()
        .map(|k| {
            let mut m = Map::new();
            m.insert("key".into(), Value::from(k.key.clone()));
            if let Some(v) = &k.value {
                m.insert("value".into(), any_json(v));
            }
            Value::Object(m)
        })
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The OTLP/HTTP JSON encoding of `req` (trace ids in hex, as the spec says).
pub fn to_json(req: &proto::ExportLogsServiceRequest) -> Value {
    json!({
        "resourceLogs": req.resource_logs.iter().map(|rl| json!({
            "resource": {"attributes": kvs_json(rl.resource.as_ref().map_or(&[][..], |r| &r.attributes))},
            "scopeLogs": rl.scope_logs.iter().map(|sl| json!({
                "scope": sl.scope.as_ref().map(|s| json!({"name": s.name, "version": s.version})),
                "logRecords": sl.log_records.iter().map(|r| {
                    let mut m = Map::new();
                    m.insert("timeUnixNano".into(), Value::from(r.time_unix_nano.to_string()));
                    m.insert("observedTimeUnixNano".into(), Value::from(r.observed_time_unix_nano.to_string()));
                    m.insert("severityNumber".into(), Value::from(r.severity_number));
                    m.insert("severityText".into(), Value::from(r.severity_text.clone()));
                    if let Some(b) = &r.body {
                        m.insert("body".into(), any_json(b));
                    }
                    m.insert("attributes".into(), Value::from(kvs_json(&r.attributes)));
                    if !r.trace_id.is_empty() {
                        m.insert("traceId".into(), Value::from(hex(&r.trace_id)));
                    }
                    Value::Object(m)
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// How requests are encoded.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `application/x-protobuf` (default).
    #[default]
    Protobuf,
    /// `application/json`.
    Json,
}

/// The `[otlp]` section.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OtlpConfig {
    /// The logs endpoint, `http(s)://host:4318/v1/logs`.
    pub endpoint: String,
    /// `protobuf` (default) or `json`.
    #[serde(default)]
    pub encoding: Encoding,
    /// Extra headers (authentication).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Gzip the body (default false).
    #[serde(default)]
    pub gzip: bool,
    /// `service.name` of every record (default: each record's `service`).
    #[serde(default)]
    pub service_name: Option<String>,
    /// TLS settings for https.
    #[serde(default)]
    pub tls: Option<TlsOptions>,
    /// On or off (default on).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Minimum level (default: every level).
    #[serde(default)]
    pub min_level: Option<String>,
    /// Kinds (default: every kind).
    #[serde(default)]
    pub kinds: Option<Vec<String>>,
    /// Records per request (default 512).
    #[serde(default)]
    pub batch_records: Option<usize>,
    /// Batch age limit (ms, default 1000).
    #[serde(default)]
    pub batch_timeout_ms: Option<u64>,
    /// Failed attempts of one batch before the dead-letter file (default 10).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Connect and response timeout (ms, default 5000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl OtlpConfig {
    /// A configuration with defaults.
    pub fn new(endpoint: &str) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            encoding: Encoding::Protobuf,
            headers: BTreeMap::new(),
            gzip: false,
            service_name: None,
            tls: None,
            enabled: None,
            min_level: None,
            kinds: None,
            batch_records: None,
            batch_timeout_ms: None,
            max_retries: None,
            timeout_ms: None,
        }
    }

    /// The common options, checked.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn options(&self) -> Result<Options, ShipError> {
        raw_options!(self).validate("otlp", None, 512)
    }

    /// Checks every value.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn validate(&self) -> Result<(), ShipError> {
        OtlpDestination::new(self).map(drop)
    }
}

/// The OTLP/HTTP logs exporter.
#[derive(Debug)]
pub struct OtlpDestination {
    poster: Poster,
    encoding: Encoding,
    service_name: Option<String>,
    retry: RetryLimit,
}

impl OtlpDestination {
    /// An exporter for `config`.
    ///
    /// # Errors
    /// `Fatal` naming the key of an invalid value.
    pub fn new(config: &OtlpConfig) -> Result<Self, ShipError> {
        let options = config.options()?;
        Ok(Self {
            poster: Poster::new(
                "otlp",
                "otlp",
                &config.endpoint,
                &config.headers,
                config.gzip,
                config.tls.as_ref(),
                options.timeout,
            )?,
            encoding: config.encoding,
            service_name: config.service_name.clone(),
            retry: RetryLimit::new(options.max_retries),
        })
    }

    fn try_deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut delivery = Delivery::default();
        let mut records = Vec::with_capacity(batch.len());
        for (i, line) in batch.lines().enumerate() {
            match log_record(line, now) {
                Some(r) => records.push(r),
                None => delivery.rejected.push(Rejected {
                    index: i,
                    reason: "not a JSON record with a valid ts".into(),
                }),
            }
        }
        if records.is_empty() {
            return Ok(delivery);
        }
        let req = request(records, self.service_name.as_deref());
        let (content_type, body) = match self.encoding {
            Encoding::Protobuf => (
                "application/x-protobuf",
                prost::Message::encode_to_vec(&req),
            ),
            Encoding::Json => (
                "application/json",
                serde_json::to_vec(&to_json(&req)).unwrap_or_default(),
            ),
        };
        if let Outcome::Refused(why) = self.poster.post(content_type, &body)? {
            return Ok(Delivery {
                rejected: (0..batch.len())
                    .map(|index| Rejected {
                        index,
                        reason: why.clone(),
                    })
                    .collect(),
            });
        }
        Ok(delivery)
    }
}

impl Destination for OtlpDestination {
    fn name(&self) -> &str {
        "otlp"
    }

    fn deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        if let Some(given_up) = self.retry.exhausted(batch) {
            return Ok(given_up);
        }
        match self.try_deliver(batch) {
            Ok(d) => {
                self.retry.succeeded();
                Ok(d)
            }
            Err(e) => Err(self.retry.failed(batch, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_maps_to_the_logs_data_model() {
        let line = br#"{"ts":"2026-11-29T10:00:00.000000007Z","level":"CRITICAL","kind":"trade","target":"fills","service":"execution","msg":"filled","line":12,"thread":"main","tid":5,"pid":42,"host":"vm","correlation_id":7,"context":{"strategy":"mm1"},"fields":{"qty":100,"px":1.5,"ok":true,"sym":"AAPL","big":18446744073709551615}}"#;
        let (key, r) = log_record(line, 9).unwrap();
        assert_eq!(key, ("execution".into(), "vm".into(), Some(42)));
        assert_eq!(r.time_unix_nano, 1_795_946_400_000_000_007);
        assert_eq!(
            (r.severity_number, r.severity_text.as_str()),
            (21, "CRITICAL")
        );
        assert_eq!(r.trace_id[15], 7);
        let attr = |k: &str| {
            r.attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.clone())
                .and_then(|v| v.value)
        };
        assert_eq!(attr("qty"), Some(proto::Value::IntValue(100)));
        assert_eq!(attr("px"), Some(proto::Value::DoubleValue(1.5)));
        assert_eq!(attr("ok"), Some(proto::Value::BoolValue(true)));
        assert_eq!(
            attr("context.strategy"),
            Some(proto::Value::StringValue("mm1".into()))
        );
        assert_eq!(attr("code.lineno"), Some(proto::Value::IntValue(12)));
        assert_eq!(
            attr("big"),
            Some(proto::Value::DoubleValue(18446744073709551615.0))
        );
        let j = to_json(&request(vec![(key, r)], None));
        let rec = &j["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
        assert_eq!(rec["timeUnixNano"], "1795946400000000007");
        assert_eq!(rec["traceId"], "00000000000000000000000000000007");
        assert_eq!(
            j["resourceLogs"][0]["resource"]["attributes"][0]["value"]["stringValue"],
            "execution"
        );
    }
}
