//! One record's line decoded into the columns of the tables it goes to.
//!
//! Decoding borrows from the line: strings without escapes, and the raw
//! JSON text of `correlation_id`, `context` and `fields` (copied into the
//! `data` JSONB as they are, so numbers keep their exact digits).

use std::borrow::Cow;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The keys of a record (README "Record schema") that become columns.
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    ts: Cow<'a, str>,
    #[serde(borrow)]
    level: Cow<'a, str>,
    #[serde(borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    target: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    service: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    msg: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    module: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    file: Option<Cow<'a, str>>,
    #[serde(default)]
    line: Option<i64>,
    #[serde(borrow, default)]
    function: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    thread: Option<Cow<'a, str>>,
    #[serde(default)]
    tid: Option<i64>,
    #[serde(default)]
    pid: Option<i64>,
    #[serde(borrow, default)]
    host: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    correlation_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    context: Option<&'a RawValue>,
    #[serde(borrow, default)]
    fields: Option<&'a RawValue>,
}

/// Fields of a `trade` record that have columns of their own.
#[derive(Deserialize, Default)]
struct TradeFields<'a> {
    #[serde(borrow, default)]
    symbol: Option<&'a RawValue>,
    #[serde(borrow, default)]
    side: Option<&'a RawValue>,
    #[serde(borrow, default)]
    qty: Option<&'a RawValue>,
    #[serde(borrow, default)]
    price: Option<&'a RawValue>,
    #[serde(borrow, default)]
    order_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    trade_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    venue: Option<&'a RawValue>,
}

/// Fields of a `perf` record that have columns of their own.
#[derive(Deserialize, Default)]
struct PerfFields<'a> {
    #[serde(borrow, default)]
    operation: Option<Cow<'a, str>>,
    #[serde(default)]
    elapsed_ns: Option<u64>,
    #[serde(default)]
    cpu_ns: Option<u64>,
    #[serde(borrow, default)]
    outcome: Option<Cow<'a, str>>,
    #[serde(default)]
    memory_usage_mb: Option<f64>,
}

/// Fields that fill `exception`: a string as its text; an error logged
/// as a value (`{"message", "sources", "backtrace"}`) or a backtrace array
/// as its JSON text.
#[derive(Deserialize, Default)]
struct ExceptionFields<'a> {
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
    #[serde(borrow, default)]
    backtrace: Option<&'a RawValue>,
}

/// The columns shared by `system_logs` and seed 004's `{prefix}_logs`.
#[derive(Debug)]
pub(crate) struct SystemRow<'a> {
    pub service: Cow<'a, str>,
    pub level: Cow<'a, str>,
    pub message: Cow<'a, str>,
    pub data: String,
    pub correlation_id: Option<Cow<'a, str>>,
    pub event_type: Cow<'a, str>,
    pub timestamp: SystemTime,
    pub logger_name: Cow<'a, str>,
    pub process_id: Option<i32>,
    pub thread_id: Option<i64>,
    pub thread_name: Option<Cow<'a, str>>,
    pub hostname: Option<Cow<'a, str>>,
    pub exception: Option<Cow<'a, str>>,
    pub function_name: Option<Cow<'a, str>>,
    pub module: Option<Cow<'a, str>>,
    pub filename: Option<Cow<'a, str>>,
    pub lineno: Option<i32>,
}

/// A `trading_logs` row.
#[derive(Debug)]
pub(crate) struct TradeRow<'a> {
    pub trade_id: Option<Cow<'a, str>>,
    pub symbol: Cow<'a, str>,
    pub side: Option<Cow<'a, str>>,
    pub quantity: Option<Decimal>,
    pub price: Option<Decimal>,
    pub order_id: Option<Cow<'a, str>>,
    pub venue: Option<Cow<'a, str>>,
}

/// A `performance_logs` row.
#[derive(Debug)]
pub(crate) struct PerfRow<'a> {
    pub operation: Cow<'a, str>,
    pub execution_time_ms: Decimal,
    pub memory_usage_mb: Option<Decimal>,
    pub cpu_usage_percent: Option<Decimal>,
    pub outcome: Option<Cow<'a, str>>,
}

/// A decoded record: its `system_logs` row, and its trade or perf row when
/// its kind has one.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub system: SystemRow<'a>,
    pub trade: Option<TradeRow<'a>>,
    pub perf: Option<PerfRow<'a>>,
}

/// The seeds' level names: `WARN` is stored as `WARNING`; `TRACE`, `DEBUG`,
/// `INFO`, `ERROR`, `CRITICAL` (and any other name) as they are.
pub(crate) fn db_level(level: Cow<'_, str>) -> Cow<'_, str> {
    if level == "WARN" {
        Cow::Borrowed("WARNING")
    } else {
        level
    }
}

/// A JSON value's text: the string itself, or the raw JSON of anything else.
fn text(v: &RawValue) -> Cow<'_, str> {
    let raw = v.get();
    if raw.starts_with('"') {
        serde_json::from_str::<Cow<'_, str>>(raw).unwrap_or(Cow::Borrowed(raw))
    } else {
        Cow::Borrowed(raw)
    }
}

/// A JSON number (or a string holding one) as an exact decimal.
fn decimal(v: &RawValue) -> Option<Decimal> {
    let t = text(v);
    Decimal::from_str(&t)
        .ok()
        .or_else(|| Decimal::from_scientific(&t).ok())
}

/// Nanoseconds since the epoch of an RFC 3339 time, as `SystemTime`.
fn parse_ts(ts: &str) -> Result<SystemTime, String> {
    let t = chrono::DateTime::parse_from_rfc3339(ts)
        .map_err(|e| format!("ts {ts:?} is not an RFC 3339 time: {e}"))?;
    let secs = t.timestamp();
    let nanos = t.timestamp_subsec_nanos();
    if secs >= 0 {
        Ok(UNIX_EPOCH + Duration::new(secs as u64, nanos))
    } else {
        Ok(UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            + Duration::from_nanos(nanos.into()))
    }
}

/// Decodes one line (without its newline).
///
/// # Errors
/// Why the line cannot become a row: not JSON, no `ts` or `level`, a `ts`
/// that is not RFC 3339, a `trade` without `symbol`.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded<'_>, String> {
    let line: Line<'_> = serde_json::from_slice(bytes).map_err(|e| format!("not a record: {e}"))?;
    let timestamp = parse_ts(&line.ts)?;
    let kind = line.kind.unwrap_or(Cow::Borrowed("log"));
    let target = line.target.unwrap_or(Cow::Borrowed(""));
    let service = match line.service {
        Some(s) => s,
        None => match &target {
            Cow::Borrowed(t) => Cow::Borrowed(t.split("::").next().unwrap_or("")),
            Cow::Owned(t) => Cow::Owned(t.split("::").next().unwrap_or("").to_owned()),
        },
    };
    let fields_raw = line.fields.map(RawValue::get);
    let mut data = String::with_capacity(32 + fields_raw.map_or(0, str::len));
    data.push_str("{\"ts\":\"");
    data.push_str(&line.ts);
    data.push('"');
    if let Some(c) = line.context {
        data.push_str(",\"context\":");
        data.push_str(c.get());
    }
    if let Some(f) = fields_raw {
        data.push_str(",\"fields\":");
        data.push_str(f);
    }
    data.push('}');
    let exception = match fields_raw {
        Some(f) if f.contains("\"error\"") || f.contains("\"backtrace\"") => {
            let e: ExceptionFields<'_> = serde_json::from_str(f).unwrap_or_default();
            e.backtrace.or(e.error).map(text)
        }
        _ => None,
    };
    let correlation_id = line.correlation_id.map(text);
    let trade = if kind == "trade" {
        let f: TradeFields<'_> = fields_raw
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| format!("trade fields: {e}"))?
            .unwrap_or_default();
        let symbol = f.symbol.map(text).ok_or("a trade record without symbol")?;
        Some(TradeRow {
            trade_id: f.trade_id.map(text).or_else(|| correlation_id.clone()),
            symbol,
            side: f.side.map(text),
            quantity: f.qty.and_then(decimal),
            price: f.price.and_then(decimal),
            order_id: f.order_id.map(text),
            venue: f.venue.map(text),
        })
    } else {
        None
    };
    let perf = if kind == "perf" {
        let f: PerfFields<'_> = fields_raw
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| format!("perf fields: {e}"))?
            .unwrap_or_default();
        let elapsed = f.elapsed_ns.unwrap_or(0);
        // Microsecond resolution: DECIMAL(10,3) milliseconds.
        let ms = Decimal::new((elapsed / 1_000) as i64, 3);
        let cpu = f.cpu_ns.filter(|_| elapsed > 0).map(|c| {
            Decimal::from_f64_retain(c as f64 * 100.0 / elapsed as f64)
                .unwrap_or_default()
                .round_dp(2)
        });
        Some(PerfRow {
            operation: f
                .operation
                .or_else(|| line.msg.clone())
                .unwrap_or(Cow::Borrowed("")),
            execution_time_ms: ms,
            memory_usage_mb: f
                .memory_usage_mb
                .and_then(Decimal::from_f64_retain)
                .map(|d| d.round_dp(3)),
            cpu_usage_percent: cpu,
            outcome: f.outcome,
        })
    } else {
        None
    };
    Ok(Decoded {
        system: SystemRow {
            service,
            level: db_level(line.level),
            message: line.msg.unwrap_or(Cow::Borrowed("")),
            data,
            correlation_id,
            event_type: kind,
            timestamp,
            logger_name: target,
            process_id: line.pid.and_then(|p| i32::try_from(p).ok()),
            thread_id: line.tid,
            thread_name: line.thread,
            hostname: line.host,
            exception,
            function_name: line.function,
            module: line.module,
            filename: line.file,
            lineno: line.line.and_then(|l| i32::try_from(l).ok()),
        },
        trade,
        perf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trade_record_gets_all_three_rows_right() {
        let l = br#"{"ts":"2026-11-21T08:43:26.566258606Z","level":"WARN","kind":"trade","target":"exec::orders","service":"execution","msg":"filled","module":"m","file":"f.rs","line":203,"thread":"main","tid":27020,"pid":27020,"host":"vm","correlation_id":1003,"context":{"strategy":"mm1"},"fields":{"symbol":"MSFT","side":"BUY","qty":300,"price":409.8,"order_id":1003,"venue":"XNAS"}}"#;
        let d = decode(l).unwrap();
        assert_eq!(d.system.level, "WARNING");
        assert_eq!(d.system.service, "execution");
        assert_eq!(d.system.correlation_id.as_deref(), Some("1003"));
        assert_eq!(d.system.event_type, "trade");
        assert!(d.system.data.starts_with(r#"{"ts":"2026-11-21T08:43:26.566258606Z","context":{"strategy":"mm1"},"fields":{"symbol""#));
        serde_json::from_str::<serde_json::Value>(&d.system.data).unwrap();
        let t = d.trade.unwrap();
        assert_eq!(t.symbol, "MSFT");
        assert_eq!(t.trade_id.as_deref(), Some("1003"));
        assert_eq!(t.price, Some(Decimal::from_str("409.8").unwrap()));
        assert_eq!(t.quantity, Some(Decimal::from(300)));
        let since = d.system.timestamp.duration_since(UNIX_EPOCH).unwrap();
        assert_eq!(since.subsec_nanos(), 566_258_606);
    }

    #[test]
    fn perf_record_in_milliseconds_with_cpu_share() {
        let l = br#"{"ts":"2026-11-21T08:43:26Z","level":"INFO","kind":"perf","target":"t","msg":"x","fields":{"operation":"send_order","elapsed_ns":4317,"cpu_ns":2093,"outcome":"err","error":"over the limit"}}"#;
        let d = decode(l).unwrap();
        let p = d.perf.unwrap();
        assert_eq!(p.operation, "send_order");
        assert_eq!(p.execution_time_ms.to_string(), "0.004");
        assert_eq!(p.cpu_usage_percent.unwrap().to_string(), "48.48");
        assert_eq!(d.system.exception.as_deref(), Some("over the limit"));
        assert_eq!(d.system.service, "t");
    }

    #[test]
    fn an_error_value_and_a_metrics_record_become_rows() {
        let l = br#"{"ts":"2026-11-21T08:43:26Z","level":"ERROR","kind":"log","target":"t","msg":"x","fields":{"err":1,"error":{"message":"rejected","sources":["reset"]}}}"#;
        let d = decode(l).unwrap();
        assert_eq!(
            d.system.exception.as_deref(),
            Some(r#"{"message":"rejected","sources":["reset"]}"#)
        );
        let l = br#"{"ts":"2026-11-21T08:43:26Z","level":"INFO","kind":"metrics","target":"logger","msg":"metrics","fields":{"ring_bytes":1048576,"compression_ratio":null}}"#;
        let d = decode(l).unwrap();
        assert!(d.trade.is_none() && d.perf.is_none());
        assert_eq!(d.system.event_type, "metrics");
        assert!(d.system.data.contains("\"ring_bytes\":1048576"));
    }

    #[test]
    fn bad_lines_say_why() {
        assert!(decode(b"{\"level\":\"INFO\"}").unwrap_err().contains("ts"));
        assert!(
            decode(b"\x00\x00garbage")
                .unwrap_err()
                .contains("not a record")
        );
        assert!(
            decode(br#"{"ts":"yesterday","level":"INFO"}"#)
                .unwrap_err()
                .contains("RFC 3339")
        );
        assert!(decode(br#"{"ts":"2026-11-21T08:43:26Z","level":"INFO","kind":"trade","fields":{"qty":1}}"#).unwrap_err().contains("symbol"));
    }
}
