//! Result rows, the table on stdout and the JSON file.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::measure::Percentiles;

/// How a row was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Quill's method: per-call average of bursts of 20.
    Burst,
    /// Every call timed on its own, timer included.
    PerCall,
    /// Records back to back until in the file.
    Throughput,
}

impl Mode {
    /// The name used in the table and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Burst => "burst",
            Mode::PerCall => "per-call",
            Mode::Throughput => "throughput",
        }
    }
}

/// One result: a latency distribution or a throughput figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The logger (`logger` is ours).
    pub logger: String,
    /// What was logged (without the mode).
    pub case: String,
    /// How it was measured.
    pub mode: Mode,
    /// Latency percentiles (latency modes).
    pub latency: Option<Percentiles>,
    /// Records per second (throughput mode).
    pub throughput_rps: Option<f64>,
    /// Megabytes (10^6) of log lines per second (throughput mode).
    pub mb_per_s: Option<f64>,
    /// Records found in the file / records logged (throughput mode).
    pub records: Option<(u64, u64)>,
    /// Peak RSS of the process in KiB (throughput mode).
    pub peak_rss_kib: Option<u64>,
    /// Anything worth knowing about the row.
    pub note: String,
}

impl Row {
    /// A latency row.
    pub fn latency(logger: &str, case: &str, mode: Mode, p: Percentiles) -> Row {
        Row {
            logger: logger.into(),
            case: case.into(),
            mode,
            latency: Some(p),
            throughput_rps: None,
            mb_per_s: None,
            records: None,
            peak_rss_kib: None,
            note: String::new(),
        }
    }

    /// The key of the row in the JSON: `case` with the mode appended, so
    /// that `(logger, case)` is unique.
    pub fn full_case(&self) -> String {
        format!("{} [{}]", self.case, self.mode.name())
    }

    /// The row as a JSON object. The fields named by issue 4 come first;
    /// `mode`, `mb_per_s`, `records_in_file`, `records_logged`,
    /// `peak_rss_kib` and `note` are extra.
    pub fn to_json(&self) -> Value {
        let p = self.latency;
        let f = |g: fn(&Percentiles) -> f64| p.as_ref().map(|p| (g(p) * 10.0).round() / 10.0);
        json!({
            "logger": self.logger,
            "case": self.full_case(),
            "p50_ns": f(|p| p.p50),
            "p75_ns": f(|p| p.p75),
            "p90_ns": f(|p| p.p90),
            "p99_ns": f(|p| p.p99),
            "p999_ns": f(|p| p.p999),
            "max_ns": f(|p| p.max),
            "throughput_rps": self.throughput_rps.map(f64::round),
            "mode": self.mode.name(),
            "mb_per_s": self.mb_per_s.map(|v| (v * 10.0).round() / 10.0),
            "records_in_file": self.records.map(|r| r.0),
            "records_logged": self.records.map(|r| r.1),
            "peak_rss_kib": self.peak_rss_kib,
            "note": self.note,
        })
    }

    /// Parses a row written by [`Row::to_json`].
    pub fn from_json(v: &Value) -> Option<Row> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| v.get(k).and_then(Value::as_f64);
        let mode = match v.get("mode")?.as_str()? {
            "burst" => Mode::Burst,
            "per-call" => Mode::PerCall,
            _ => Mode::Throughput,
        };
        let full = s("case")?;
        let case = full
            .strip_suffix(&format!(" [{}]", mode.name()))
            .unwrap_or(&full)
            .to_owned();
        let latency = n("p50_ns").map(|p50| Percentiles {
            p50,
            p75: n("p75_ns").unwrap_or(f64::NAN),
            p90: n("p90_ns").unwrap_or(f64::NAN),
            p99: n("p99_ns").unwrap_or(f64::NAN),
            p999: n("p999_ns").unwrap_or(f64::NAN),
            max: n("max_ns").unwrap_or(f64::NAN),
        });
        let records = match (n("records_in_file"), n("records_logged")) {
            (Some(a), Some(b)) => Some((a as u64, b as u64)),
            _ => None,
        };
        Some(Row {
            logger: s("logger")?,
            case,
            mode,
            latency,
            throughput_rps: n("throughput_rps"),
            mb_per_s: n("mb_per_s"),
            records,
            peak_rss_kib: v.get("peak_rss_kib").and_then(Value::as_u64),
            note: s("note").unwrap_or_default(),
        })
    }
}

/// The workspace's `target` directory (`CARGO_TARGET_DIR` when set at run
/// time, else `target/` at the root of the main workspace).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target"),
    }
}

/// Where the JSON results go: `<target>/bench-results/<name>.json`.
pub fn results_path(name: &str) -> PathBuf {
    target_dir()
        .join("bench-results")
        .join(format!("{name}.json"))
}

/// Writes `rows` as a JSON array to `path`.
pub fn write_json(path: &std::path::Path, rows: &[Row]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let all: Vec<Value> = rows.iter().map(Row::to_json).collect();
    let text = serde_json::to_string_pretty(&all).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}

fn ns(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.abs() >= 100_000.0 {
        format!("{:.0}us", v / 1000.0)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The rows as a Markdown table (it reads fine on a terminal too).
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(
        "| logger | case | mode | p50 ns | p75 ns | p90 ns | p99 ns | p99.9 ns | max ns | records/s | MB/s | in file / logged | peak RSS MiB | note |\n",
    );
    out.push_str("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for r in rows {
        let lat = match r.latency {
            Some(p) => [p.p50, p.p75, p.p90, p.p99, p.p999, p.max].map(ns),
            None => std::array::from_fn(|_| String::new()),
        };
        let rps = r
            .throughput_rps
            .map(|v| format!("{:.2}M", v / 1e6))
            .unwrap_or_default();
        let mbs = r.mb_per_s.map(|v| format!("{v:.0}")).unwrap_or_default();
        let recs = r
            .records
            .map(|(a, b)| format!("{a} / {b}"))
            .unwrap_or_default();
        let rss = r
            .peak_rss_kib
            .map(|k| format!("{:.0}", k as f64 / 1024.0))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.logger,
            r.case,
            r.mode.name(),
            lat[0],
            lat[1],
            lat[2],
            lat[3],
            lat[4],
            lat[5],
            rps,
            mbs,
            recs,
            rss,
            r.note
        ));
    }
    out
}
