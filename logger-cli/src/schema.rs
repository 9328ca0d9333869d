//! The record schema of README "Record schema", checked line by line for
//! `logger check`: a JSON object, only known keys, in the documented
//! order, the required ones present, each of its type.

use serde_json::Value;

use crate::filter::Level;
use crate::filter::time_arg::parse_time;
use crate::filter::where_expr::TOP_LEVEL_KEYS;
use crate::ordered::Ordered;

/// Keys every record has.
const REQUIRED: [&str; 12] = [
    "ts", "level", "kind", "target", "msg", "module", "file", "line", "thread", "tid", "pid",
    "host",
];

/// Checks one line; returns its `ts` in ns since the epoch and its `pid`.
///
/// # Errors
///
/// What is wrong, naming the key: not JSON, an unknown or misplaced key, a
/// missing required key, a value of the wrong type.
pub fn check_line(line: &[u8]) -> Result<(i128, u64), String> {
    let Ordered::<Value>(members) =
        serde_json::from_slice(line).map_err(|e: serde_json::Error| {
            match logger_read::record::other_format(line) {
                Some(hint) => format!("not a JSON object ({e}; {hint})"),
                None => format!("not a JSON object ({e})"),
            }
        })?;
    let mut last_pos: Option<usize> = None;
    let mut ts = None;
    for (k, v) in &members {
        let Some(pos) = TOP_LEVEL_KEYS.iter().position(|x| x == k) else {
            return Err(format!("unknown key {k:?}"));
        };
        if let Some(p) = last_pos
            && pos <= p
        {
            return Err(format!(
                "key {k:?} after {:?}: keys must come in the schema's order ({})",
                TOP_LEVEL_KEYS[p],
                TOP_LEVEL_KEYS.join(", ")
            ));
        }
        last_pos = Some(pos);
        let ok = match k.as_str() {
            "ts" => match v.as_str().map(|s| parse_time("ts", s, 0)) {
                Some(Ok(t)) if v.as_str().is_some_and(|s| s.ends_with('Z')) => {
                    ts = Some(t);
                    true
                }
                _ => false,
            },
            "level" => v
                .as_str()
                .and_then(|s| s.parse::<Level>().ok())
                .is_some_and(|l| v.as_str() == Some(l.as_str())),
            "line" | "tid" | "pid" => v.is_u64(),
            "correlation_id" => v.is_string() || v.is_number(),
            "context" | "fields" => v.is_object(),
            _ => v.is_string(),
        };
        if !ok {
            return Err(format!("key {k:?}: {}: {v}", expected(k)));
        }
    }
    for r in REQUIRED {
        if !members.iter().any(|(k, _)| k == r) {
            return Err(format!("missing key {r:?}"));
        }
    }
    let pid = members
        .iter()
        .find(|(k, _)| k == "pid")
        .and_then(|(_, v)| v.as_u64())
        .unwrap_or(0);
    ts.map(|t| (t, pid))
        .ok_or_else(|| "missing key \"ts\"".to_string())
}

fn expected(key: &str) -> &'static str {
    match key {
        "ts" => "expected an RFC 3339 UTC time like \"2026-11-21T10:30:45.123456789Z\"",
        "level" => "expected one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL",
        "line" | "tid" | "pid" => "expected a non-negative integer",
        "correlation_id" => "expected a string or a number",
        "context" | "fields" => "expected an object",
        _ => "expected a string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"ts":"2026-11-21T11:07:51.545259128Z","level":"WARN","kind":"log","target":"execution::orders","service":"execution","msg":"order rejected","module":"demo","file":"examples/examples/demo.rs","line":172,"thread":"strategy-0","tid":10287,"pid":10278,"host":"vm","correlation_id":74999,"context":{"strategy":"mm1"},"fields":{"order_id":74999}}"#;

    #[test]
    fn the_readme_example_passes() {
        assert!(check_line(GOOD.as_bytes()).is_ok());
    }

    #[test]
    fn each_violation_is_named() {
        let bad =
            |from: &str, to: &str| check_line(GOOD.replacen(from, to, 1).as_bytes()).unwrap_err();
        assert!(bad("\"level\":\"WARN\"", "\"level\":\"LOUD\"").contains("key \"level\""));
        assert!(
            bad("\"line\":172", "\"line\":\"172\"")
                .contains("key \"line\": expected a non-negative integer")
        );
        assert!(bad(",\"host\":\"vm\"", "").contains("missing key \"host\""));
        assert!(bad("\"service\"", "\"servise\"").contains("unknown key \"servise\""));
        assert!(bad("Z\",\"level\"", "+01:00\",\"level\"").contains("key \"ts\""));
        let moved = GOOD.replacen(",\"kind\":\"log\"", "", 1).replacen(
            "\"host\":\"vm\"",
            "\"host\":\"vm\",\"kind\":\"log\"",
            1,
        );
        assert!(
            check_line(moved.as_bytes())
                .unwrap_err()
                .contains("schema's order")
        );
        assert!(
            check_line(b"[1,2]")
                .unwrap_err()
                .starts_with("not a JSON object")
        );
        assert!(
            check_line(b"2026-11-21 | WARN | text")
                .unwrap_err()
                .starts_with("not a JSON object")
        );
    }
}
