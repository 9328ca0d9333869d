//! The statistics as data (serialized for `stats --json`, laid out as
//! text tables by `stats`, as HTML tables by `report`).

use serde::Serialize;

use super::collect::Collector;
use crate::filter::time_arg::format_ns;

/// Everything `stats` prints.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Records read (after the filter).
    pub records: u64,
    /// Bytes of their lines.
    pub bytes: u64,
    /// `ts` of the first record (RFC 3339).
    pub first_ts: Option<String>,
    /// `ts` of the last record.
    pub last_ts: Option<String>,
    /// Per operation (and group with `--by`), from perf records.
    pub operations: Vec<OpRow>,
    /// Trades by symbol.
    pub trades_by_symbol: Vec<TradeRow>,
    /// Trades by side.
    pub trades_by_side: Vec<TradeRow>,
    /// Trades by venue.
    pub trades_by_venue: Vec<TradeRow>,
    /// Records and errors per service.
    pub services: Vec<ServiceRow>,
    /// Records per level.
    pub levels: Vec<LevelRow>,
    /// Records per kind.
    pub kinds: Vec<KindRow>,
    /// The logger's own warnings.
    pub logger_warnings: Vec<WarningRow>,
}

/// One operation's latency (ns) and failures.
#[derive(Debug, Serialize)]
pub struct OpRow {
    /// `fields.operation`.
    pub operation: String,
    /// The `--by` group (hour, minute, service or function); absent without `--by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Records.
    pub count: u64,
    /// Records whose `outcome` is not `ok`.
    pub errors: u64,
    /// Those records per outcome, like `err=3 panic=1`.
    pub errors_by_outcome: std::collections::BTreeMap<String, u64>,
    /// Minimum `elapsed_ns`.
    pub min_ns: u64,
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// 99.9th percentile.
    pub p999_ns: u64,
    /// Maximum.
    pub max_ns: u64,
}

/// Trades under one key.
#[derive(Debug, Serialize)]
pub struct TradeRow {
    /// The symbol, side or venue (`-` when the record has none).
    pub key: String,
    /// Trade records.
    pub count: u64,
    /// Sum of quantities.
    pub qty: f64,
    /// Sum of notionals (`notional`, else `qty * price`).
    pub notional: f64,
}

/// One service.
#[derive(Debug, Serialize)]
pub struct ServiceRow {
    /// The service.
    pub service: String,
    /// Records.
    pub records: u64,
    /// Records at ERROR or above.
    pub errors: u64,
}

/// One level.
#[derive(Debug, Serialize)]
pub struct LevelRow {
    /// `ERROR`, ..., or `?` for a record without a known level.
    pub level: String,
    /// Records.
    pub records: u64,
}

/// One kind.
#[derive(Debug, Serialize)]
pub struct KindRow {
    /// `log`, `trade`, `perf`, ...
    pub kind: String,
    /// Records.
    pub records: u64,
}

/// One family of the logger's own warnings.
#[derive(Debug, Serialize)]
pub struct WarningRow {
    /// `ring drops`, `rate limits`, `rate caps`, or the message of another warning.
    pub warning: String,
    /// Warning records.
    pub reports: u64,
    /// Records they say were lost.
    pub dropped: u64,
}

impl Summary {
    /// The summary of a finished scan.
    pub fn of(c: &Collector) -> Summary {
        let operations = c
            .ops
            .iter()
            .map(|((op, group), s)| {
                let h = &s.hist.0;
                let q = |x: f64| {
                    if h.is_empty() {
                        0
                    } else {
                        h.value_at_quantile(x)
                    }
                };
                OpRow {
                    operation: op.clone(),
                    group: (!group.is_empty()).then(|| group.clone()),
                    count: h.len() + s.no_elapsed,
                    errors: s.failures.values().sum(),
                    errors_by_outcome: s.failures.clone(),
                    min_ns: if h.is_empty() { 0 } else { h.min() },
                    p50_ns: q(0.5),
                    p90_ns: q(0.9),
                    p99_ns: q(0.99),
                    p999_ns: q(0.999),
                    max_ns: if h.is_empty() { 0 } else { h.max() },
                }
            })
            .collect();
        let trades = |i: usize| {
            let mut rows: Vec<TradeRow> = c.trades_by[i]
                .iter()
                .map(|(k, a)| TradeRow {
                    key: k.clone(),
                    count: a.count,
                    qty: a.qty,
                    notional: a.notional,
                })
                .collect();
            rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            rows
        };
        let w = &c.warnings;
        let mut logger_warnings = Vec::new();
        for (name, a) in [
            ("ring drops", w.ring_drops),
            ("rate limits", w.rate_limits),
            ("rate caps", w.rate_caps),
        ] {
            if a.reports > 0 {
                logger_warnings.push(WarningRow {
                    warning: name.to_string(),
                    reports: a.reports,
                    dropped: a.dropped,
                });
            }
        }
        for (msg, n) in &w.other {
            logger_warnings.push(WarningRow {
                warning: msg.clone(),
                reports: *n,
                dropped: 0,
            });
        }
        Summary {
            records: c.records,
            bytes: c.bytes,
            first_ts: c.span.map(|(a, _)| format_ns(a)),
            last_ts: c.span.map(|(_, b)| format_ns(b)),
            operations,
            trades_by_symbol: trades(0),
            trades_by_side: trades(1),
            trades_by_venue: trades(2),
            services: c
                .services
                .iter()
                .map(|(s, a)| ServiceRow {
                    service: s.clone(),
                    records: a.records,
                    errors: a.errors,
                })
                .collect(),
            levels: c
                .levels
                .iter()
                .rev()
                .map(|(l, n)| LevelRow {
                    level: l.map_or("?", |l| l.as_str()).to_string(),
                    records: *n,
                })
                .collect(),
            kinds: c
                .kinds
                .iter()
                .map(|(k, n)| KindRow {
                    kind: k.clone(),
                    records: *n,
                })
                .collect(),
            logger_warnings,
        }
    }
}

/// A table as rows of cells, the first row the header.
pub type Table = Vec<Vec<String>>;

/// `1234567` ns as `1.23ms`: three significant digits and a unit.
pub fn human_ns(ns: u64) -> String {
    let (v, unit) = match ns {
        0..1_000 => return format!("{ns}ns"),
        1_000..1_000_000 => (ns as f64 / 1e3, "µs"),
        1_000_000..1_000_000_000 => (ns as f64 / 1e6, "ms"),
        _ => (ns as f64 / 1e9, "s"),
    };
    if v >= 100.0 {
        format!("{v:.0}{unit}")
    } else if v >= 10.0 {
        format!("{v:.1}{unit}")
    } else {
        format!("{v:.2}{unit}")
    }
}

/// A number with thousands separators and at most two decimals.
pub fn human_num(x: f64) -> String {
    let neg = x < 0.0;
    let s = if x.fract() == 0.0 {
        format!("{:.0}", x.abs())
    } else {
        format!("{:.2}", x.abs())
    };
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if neg { format!("-{out}") } else { out }
}

impl Summary {
    /// The tables, each with a title: what `stats` prints and `report` shows.
    pub fn tables(&self) -> Vec<(String, Table)> {
        let mut out = Vec::new();
        let grouped = self.operations.iter().any(|o| o.group.is_some());
        let mut ops: Table = vec![
            ["operation"]
                .into_iter()
                .chain(grouped.then_some("group"))
                .chain([
                    "count", "errors", "min", "p50", "p90", "p99", "p99.9", "max",
                ])
                .map(String::from)
                .collect(),
        ];
        for o in &self.operations {
            let errors = if o.errors_by_outcome.is_empty() {
                "0".to_string()
            } else {
                o.errors_by_outcome
                    .iter()
                    .map(|(k, n)| format!("{k}={n}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let mut row = vec![o.operation.clone()];
            if grouped {
                row.push(o.group.clone().unwrap_or_default());
            }
            row.extend([human_num(o.count as f64), errors]);
            row.extend([o.min_ns, o.p50_ns, o.p90_ns, o.p99_ns, o.p999_ns, o.max_ns].map(human_ns));
            ops.push(row);
        }
        if ops.len() > 1 {
            out.push(("Latency per operation (perf records)".to_string(), ops));
        }
        for (title, rows) in [
            ("Trades by symbol", &self.trades_by_symbol),
            ("Trades by side", &self.trades_by_side),
            ("Trades by venue", &self.trades_by_venue),
        ] {
            if rows.is_empty() {
                continue;
            }
            let mut t: Table = vec![
                ["key", "trades", "quantity", "notional"]
                    .map(String::from)
                    .to_vec(),
            ];
            t[0][0] = title.rsplit(' ').next().unwrap_or("key").to_string();
            for r in rows {
                t.push(vec![
                    r.key.clone(),
                    human_num(r.count as f64),
                    human_num(r.qty),
                    human_num(r.notional),
                ]);
            }
            out.push((title.to_string(), t));
        }
        let mut s: Table = vec![["service", "records", "errors"].map(String::from).to_vec()];
        for r in &self.services {
            s.push(vec![
                r.service.clone(),
                human_num(r.records as f64),
                human_num(r.errors as f64),
            ]);
        }
        out.push(("Records by service".to_string(), s));
        let mut l: Table = vec![["level", "records"].map(String::from).to_vec()];
        for r in &self.levels {
            l.push(vec![r.level.clone(), human_num(r.records as f64)]);
        }
        out.push(("Records by level".to_string(), l));
        let mut k: Table = vec![["kind", "records"].map(String::from).to_vec()];
        for r in &self.kinds {
            k.push(vec![r.kind.clone(), human_num(r.records as f64)]);
        }
        out.push(("Records by kind".to_string(), k));
        let mut w: Table = vec![
            ["warning", "reports", "records lost"]
                .map(String::from)
                .to_vec(),
        ];
        for r in &self.logger_warnings {
            w.push(vec![
                r.warning.clone(),
                human_num(r.reports as f64),
                human_num(r.dropped as f64),
            ]);
        }
        if w.len() == 1 {
            w.push(vec!["none".to_string(), "0".to_string(), "0".to_string()]);
        }
        out.push(("The logger's own warnings".to_string(), w));
        out
    }

    /// The summary as aligned text tables.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{} records, {} bytes, {} .. {}\n",
            human_num(self.records as f64),
            human_num(self.bytes as f64),
            self.first_ts.as_deref().unwrap_or("-"),
            self.last_ts.as_deref().unwrap_or("-")
        );
        for (title, t) in self.tables() {
            s.push('\n');
            s.push_str(&title);
            s.push('\n');
            let widths: Vec<usize> = (0..t[0].len())
                .map(|c| {
                    t.iter()
                        .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in &t {
                let mut line = String::new();
                for (c, cell) in row.iter().enumerate() {
                    let pad = widths[c] - cell.chars().count();
                    if c == 0 {
                        line.push_str("  ");
                        line.push_str(cell);
                        line.push_str(&" ".repeat(pad));
                    } else {
                        line.push_str("  ");
                        line.push_str(&" ".repeat(pad));
                        line.push_str(cell);
                    }
                }
                s.push_str(line.trim_end());
                s.push('\n');
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_ns(999), "999ns");
        assert_eq!(human_ns(1_234), "1.23µs");
        assert_eq!(human_ns(12_345_678), "12.3ms");
        assert_eq!(human_ns(2_000_000_000), "2.00s");
        assert_eq!(human_num(1_234_567.0), "1,234,567");
        assert_eq!(human_num(-1234.5), "-1,234.50");
        assert_eq!(human_num(12.0), "12");
    }
}
