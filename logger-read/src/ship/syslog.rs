//! Syslog, RFC 5424, over UDP (RFC 5426), TCP (RFC 6587 octet counting),
//! TLS (RFC 5425) and the local socket (`/dev/log`).
//!
//! ```toml
//! [syslog]
//! address = "127.0.0.1:514"   # host:port, or the socket's path for "unix"
//! protocol = "udp"            # udp, tcp, tls or unix
//! facility = "local0"         # kern user mail daemon auth syslog lpr news uucp cron
//!                             # authpriv ftp local0..local7, or 0-23
//! app_name = "trading"        # default: the record's service
//! max_message_bytes = 2048    # UDP and unix: longer messages are cut, with the marker
//! ```
//!
//! One record is one message:
//!
//! ```text
//! <130>1 2026-11-29T10:00:00.123456Z vm execution 4242 log [logger@32473 target="execution::orders" level="CRITICAL" correlation_id="74999"][fields@32473 order_id="74999" reason="price outside the band"] BOMorder rejected
//! ```
//!
//! - PRI = facility * 8 + severity: CRITICAL 2 (crit), ERROR 3, WARN 4,
//!   INFO 6, DEBUG and TRACE 7.
//! - TIMESTAMP: the record's `ts` cut to microseconds (RFC 5424 allows six
//!   fraction digits); HOSTNAME `host`; APP-NAME `app_name` or `service`;
//!   PROCID `pid`; MSGID the record's `kind`.
//! - STRUCTURED-DATA: `logger@32473` (target, level, thread, correlation
//!   id) and `fields@32473` (the fields; `context@32473` for the bound
//!   context). 32473 is the enterprise number RFC 5612 reserves for
//!   documentation. Names are cut to 32 printable characters without
//!   `= ] "` and space; values escape `"`, `\` and `]` (RFC 5424 6.3.3);
//!   a nested value is its JSON text.
//! - MSG: the UTF-8 BOM and the record's `msg`.

use serde::Deserialize;
use serde_json::Value;

use super::destination::{Batch, Delivery, Destination, Rejected};
use super::error::ShipError;
use super::net::{CUT_MARKER, Conn, Endpoint, Protocol, cut_str};
use super::options::{Options, RetryLimit, raw_options};
use super::tls::TlsOptions;
use crate::level::Level;

/// The facility names of RFC 5424 (table 1), by code.
const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

/// The facility code of `name` (a name of RFC 5424's table, or 0-23).
///
/// ```
/// use logger_read::ship::syslog::facility_code;
/// assert_eq!(facility_code("local0"), Some(16));
/// assert_eq!(facility_code("user"), Some(1));
/// assert_eq!(facility_code("23"), Some(23));
/// assert_eq!(facility_code("local8"), None);
/// ```
pub fn facility_code(name: &str) -> Option<u8> {
    if let Ok(n) = name.parse::<u8>() {
        return (n < 24).then_some(n);
    }
    FACILITIES
        .iter()
        .position(|f| f.eq_ignore_ascii_case(name))
        .map(|i| i as u8)
}

/// The RFC 5424 severity of a record's `level` text (unknown levels: notice, 5).
pub fn severity(level: &str) -> u8 {
    level.parse::<Level>().map_or(5, Level::severity)
}

/// A header field: printable US-ASCII, at most `max` characters, `-` when empty.
fn header_field(out: &mut String, s: &str, max: usize) {
    let start = out.len();
    out.extend(s.chars().filter(|c| c.is_ascii_graphic()).take(max));
    if out.len() == start {
        out.push('-');
    }
}

/// An SD-NAME: 1-32 printable US-ASCII characters except `=`, space, `]`, `"`.
fn sd_name(out: &mut String, s: &str) {
    let start = out.len();
    out.extend(
        s.chars()
            .map(|c| {
                if c.is_ascii_graphic() && !matches!(c, '=' | ']' | '"') {
                    c
                } else {
                    '_'
                }
            })
            .take(32),
    );
    if out.len() == start {
        out.push('_');
    }
}

/// A PARAM-VALUE with `"`, `\` and `]` escaped.
fn sd_value(out: &mut String, s: &str) {
    for c in s.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn sd_element(out: &mut String, id: &str, params: &[(&str, String)]) {
    if params.is_empty() {
        return;
    }
    out.push('[');
    out.push_str(id);
    for (k, v) in params {
        out.push(' ');
        sd_name(out, k);
        out.push_str("=\"");
        sd_value(out, v);
        out.push('"');
    }
    out.push(']');
}

/// How records become messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rfc5424 {
    /// Facility code (0-23).
    pub facility: u8,
    /// APP-NAME; `None`: the record's service.
    pub app_name: Option<String>,
}

impl Rfc5424 {
    /// The message of one record (the JSON line), without framing; `None`
    /// when the line is not a JSON object.
    ///
    /// ```
    /// use logger_read::ship::syslog::Rfc5424;
    /// let f = Rfc5424 { facility: 16, app_name: None };
    /// let line = br#"{"ts":"2026-11-29T10:00:00.123456789Z","level":"CRITICAL","kind":"log","target":"risk","service":"risk","msg":"halt","pid":42,"host":"vm","fields":{"venue":"X]\"N"}}"#;
    /// let m = String::from_utf8(f.message(line, None).unwrap()).unwrap();
    /// assert_eq!(m, "<130>1 2026-11-29T10:00:00.123456Z vm risk 42 log [logger@32473 target=\"risk\" level=\"CRITICAL\"][fields@32473 venue=\"X\\]\\\"N\"] \u{feff}halt");
    /// ```
    pub fn message(&self, line: &[u8], max: Option<usize>) -> Option<Vec<u8>> {
        let v: Value = serde_json::from_slice(line).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
        let pri = u16::from(self.facility) * 8 + u16::from(severity(s("level")));
        let mut out = format!("<{pri}>1 ");
        // RFC 5424 allows at most six digits of fraction.
        let ts = s("ts");
        match (ts.find('.'), ts.strip_suffix('Z')) {
            (Some(dot), Some(_)) if ts.len() > dot + 7 => {
                out.push_str(&ts[..dot + 7]);
                out.push('Z');
            }
            _ => header_field(&mut out, ts, 64),
        }
        out.push(' ');
        header_field(&mut out, s("host"), 255);
        out.push(' ');
        header_field(
            &mut out,
            self.app_name.as_deref().unwrap_or(s("service")),
            48,
        );
        out.push(' ');
        let pid = v.get("pid").map(value_text).unwrap_or_default();
        header_field(&mut out, &pid, 128);
        out.push(' ');
        header_field(&mut out, s("kind"), 32);
        out.push(' ');
        let header_len = out.len();

        let mut sd = String::new();
        let mut meta: Vec<(&str, String)> = vec![("target", s("target").to_owned())];
        meta.push(("level", s("level").to_owned()));
        if let Some(t) = v.get("thread").and_then(Value::as_str) {
            meta.push(("thread", t.to_owned()));
        }
        if let Some(c) = v.get("correlation_id") {
            meta.push(("correlation_id", value_text(c)));
        }
        sd_element(&mut sd, "logger@32473", &meta);
        for (key, id) in [("fields", "fields@32473"), ("context", "context@32473")] {
            if let Some(Value::Object(map)) = v.get(key) {
                let params: Vec<(&str, String)> = map
                    .iter()
                    .map(|(k, x)| (k.as_str(), value_text(x)))
                    .collect();
                sd_element(&mut sd, id, &params);
            }
        }
        let msg = s("msg");
        let bom = "\u{feff}";
        let full = header_len + sd.len() + 1 + bom.len() + msg.len();
        match max {
            Some(max) if full > max => {
                // Keep the header; drop the structured data if it alone
                // does not leave room; cut the message, with the marker.
                let fixed = header_len + 1 + bom.len() + CUT_MARKER.len();
                if fixed + sd.len() <= max {
                    out.push_str(&sd);
                } else {
                    out.push('-');
                }
                out.push(' ');
                out.push_str(bom);
                let room = max.saturating_sub(out.len() + CUT_MARKER.len());
                out.push_str(cut_str(msg, room));
                out.push_str(CUT_MARKER);
                if out.len() > max {
                    return None;
                }
            }
            _ => {
                if sd.is_empty() {
                    out.push('-');
                } else {
                    out.push_str(&sd);
                }
                out.push(' ');
                out.push_str(bom);
                out.push_str(msg);
            }
        }
        Some(out.into_bytes())
    }
}

/// The `[syslog]` section.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
    /// `host:port`, or the socket's path for `unix`.
    pub address: String,
    /// `udp` (default), `tcp`, `tls` or `unix`.
    #[serde(default = "default_protocol")]
    pub protocol: Protocol,
    /// Facility name or code (default `user`).
    #[serde(default)]
    pub facility: Option<String>,
    /// APP-NAME (default: the record's service).
    #[serde(default)]
    pub app_name: Option<String>,
    /// Largest message over UDP and the local socket (default 2048, RFC
    /// 5426's recommendation; at most 65507).
    #[serde(default)]
    pub max_message_bytes: Option<usize>,
    /// TLS settings (protocol `tls`).
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
    /// Records per batch (default 500).
    #[serde(default)]
    pub batch_records: Option<usize>,
    /// Batch age limit (ms, default 1000).
    #[serde(default)]
    pub batch_timeout_ms: Option<u64>,
    /// Failed attempts of one batch before the dead-letter file (default 10).
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Connect and write timeout (ms, default 5000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn default_protocol() -> Protocol {
    Protocol::Udp
}

impl SyslogConfig {
    /// A configuration with defaults.
    pub fn new(address: &str, protocol: Protocol) -> Self {
        Self {
            address: address.to_owned(),
            protocol,
            facility: None,
            app_name: None,
            max_message_bytes: None,
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
        raw_options!(self).validate("syslog", None, 500)
    }

    fn format(&self) -> Result<Rfc5424, ShipError> {
        let facility = match &self.facility {
            None => 1,
            Some(f) => facility_code(f).ok_or_else(|| {
                ShipError::fatal(
                    "config",
                    format!(
                        "syslog.facility {f:?}: use one of {} or 0-23",
                        FACILITIES.join(", ")
                    ),
                )
            })?,
        };
        if let Some(a) = &self.app_name {
            if a.is_empty() || a.len() > 48 || !a.chars().all(|c| c.is_ascii_graphic()) {
                return Err(ShipError::fatal(
                    "config",
                    format!("syslog.app_name {a:?}: 1-48 printable ASCII characters, no space"),
                ));
            }
        }
        Ok(Rfc5424 {
            facility,
            app_name: self.app_name.clone(),
        })
    }

    /// Checks every value.
    ///
    /// # Errors
    /// `Fatal` naming the key.
    pub fn validate(&self) -> Result<(), ShipError> {
        self.options()?;
        self.format()?;
        if matches!(self.max_message_bytes, Some(n) if !(480..=65_507).contains(&n)) {
            return Err(ShipError::fatal(
                "config",
                "syslog.max_message_bytes: must be 480 (RFC 5426's minimum) to 65507",
            ));
        }
        let timeout = self.options()?.timeout;
        Endpoint::new(
            "syslog",
            "syslog",
            &self.address,
            self.protocol,
            self.tls.as_ref(),
            timeout,
        )?;
        Ok(())
    }
}

/// RFC 5424 messages to a syslog receiver.
#[derive(Debug)]
pub struct SyslogDestination {
    endpoint: Endpoint,
    format: Rfc5424,
    max_message: usize,
    conn: Option<Conn>,
    retry: RetryLimit,
    buf: Vec<u8>,
}

impl SyslogDestination {
    /// A destination for `config` (connected at the first batch).
    ///
    /// # Errors
    /// `Fatal` for an invalid configuration.
    pub fn new(config: &SyslogConfig) -> Result<Self, ShipError> {
        config.validate()?;
        let options = config.options()?;
        Ok(Self {
            endpoint: Endpoint::new(
                "syslog",
                "syslog",
                &config.address,
                config.protocol,
                config.tls.as_ref(),
                options.timeout,
            )?,
            format: config.format()?,
            max_message: config.max_message_bytes.unwrap_or(2048),
            conn: None,
            retry: RetryLimit::new(options.max_retries),
            buf: Vec::new(),
        })
    }

    fn try_deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        if self.conn.is_none() {
            self.conn = Some(self.endpoint.connect()?);
        }
        let datagrams = matches!(self.endpoint.protocol(), Protocol::Udp | Protocol::Unix);
        let mut delivery = Delivery::default();
        self.buf.clear();
        for (i, line) in batch.lines().enumerate() {
            let max = datagrams.then_some(self.max_message);
            let Some(msg) = self.format.message(line, max) else {
                delivery.rejected.push(Rejected {
                    index: i,
                    reason: "not a JSON record, or its header alone is longer than \
                             max_message_bytes"
                        .into(),
                });
                continue;
            };
            if datagrams {
                let conn = self.conn.as_mut().expect("connected above");
                conn.send(&msg).map_err(|e| {
                    ShipError::unavailable(
                        "syslog",
                        format!("sending to {}: {e}", self.endpoint.address()),
                    )
                })?;
            } else {
                // RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG.
                self.buf.extend_from_slice(msg.len().to_string().as_bytes());
                self.buf.push(b' ');
                self.buf.extend_from_slice(&msg);
            }
        }
        if !datagrams {
            let conn = self.conn.as_mut().expect("connected above");
            conn.send(&self.buf)
                .and_then(|()| conn.flush())
                .map_err(|e| {
                    ShipError::unavailable(
                        "syslog",
                        format!("writing to {}: {e}", self.endpoint.address()),
                    )
                })?;
        }
        Ok(delivery)
    }
}

impl Destination for SyslogDestination {
    fn name(&self) -> &str {
        "syslog"
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
            Err(e) => {
                self.conn = None;
                Err(self.retry.failed(batch, e))
            }
        }
    }

    fn check(&mut self) -> Result<(), ShipError> {
        self.endpoint.connect().map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Rfc5424 {
        Rfc5424 {
            facility: 1,
            app_name: Some("app".into()),
        }
    }

    #[test]
    fn severity_follows_rfc5424() {
        let pri = |level: &str| {
            let line = format!(
                r#"{{"ts":"2026-11-29T10:00:00Z","level":"{level}","kind":"log","target":"t","msg":"m"}}"#
            );
            let m = String::from_utf8(f().message(line.as_bytes(), None).unwrap()).unwrap();
            m[1..m.find('>').unwrap()].parse::<u16>().unwrap()
        };
        assert_eq!(pri("CRITICAL"), 8 + 2);
        assert_eq!(pri("ERROR"), 8 + 3);
        assert_eq!(pri("WARN"), 8 + 4);
        assert_eq!(pri("INFO"), 8 + 6);
        assert_eq!(pri("DEBUG"), 8 + 7);
        assert_eq!(pri("TRACE"), 8 + 7);
    }

    #[test]
    fn names_and_values_are_escaped_and_long_messages_cut() {
        let line = serde_json::to_vec(&serde_json::json!({
            "ts": "2026-11-29T10:00:00.5Z", "level": "INFO", "kind": "trade", "target": "t",
            "msg": "ü".repeat(3_000),
            "fields": {"a b=c]\"d": "v\\]\"", "n": 5, "o": {"x": [1]}}
        }))
        .unwrap();
        let m = String::from_utf8(f().message(&line, None).unwrap()).unwrap();
        assert!(
            m.starts_with("<14>1 2026-11-29T10:00:00.5Z - app - trade "),
            "{m}"
        );
        assert!(
            m.contains(r#"[fields@32473 a_b_c__d="v\\\]\"" n="5" o="{\"x\":[1\]}"]"#),
            "{m}"
        );
        let cut = f().message(&line, Some(1_000)).unwrap();
        assert!(cut.len() <= 1_000);
        let cut = String::from_utf8(cut).unwrap();
        assert!(
            cut.ends_with(CUT_MARKER) && cut.contains("[fields@32473"),
            "{cut}"
        );
        let tiny = String::from_utf8(f().message(&line, Some(150)).unwrap()).unwrap();
        assert!(tiny.len() <= 150 && tiny.contains(" - \u{feff}"), "{tiny}");
    }

    #[test]
    fn bad_options_name_their_key() {
        let mut c = SyslogConfig::new("127.0.0.1:514", Protocol::Udp);
        c.facility = Some("local9".into());
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("syslog.facility")
        );
        let mut c = SyslogConfig::new("127.0.0.1:514", Protocol::Udp);
        c.max_message_bytes = Some(100);
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("syslog.max_message_bytes")
        );
        let c = SyslogConfig::new("127.0.0.1:99999", Protocol::Tcp);
        assert!(
            SyslogDestination::new(&c)
                .unwrap_err()
                .to_string()
                .contains("syslog.address")
        );
    }
}
