//! One pass over the records, accumulating everything `stats`, `plot` and
//! `report` show: per-operation latency histograms (HDR, 3 significant
//! digits), trade totals, records and errors by service and level, the
//! logger's own warnings, and bounded time series.
//!
//! Of perf and trade records only the `fields` object is read: found from
//! the line's end ([`logger_read::RecordView::fields`]), then walked once,
//! decoding only the members needed here; every other record is counted
//! from the scanner alone.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use hdrhistogram::Histogram;
use logger_read::RawJson;

use super::timeline::{Mergeable, Timeline};
use crate::filter::{Level, Record};
use crate::flags::GroupBy;

/// Time-series buckets kept per chart (the width doubles to stay under).
const MAX_BUCKETS: usize = 400;

/// An HDR histogram of nanoseconds (1 ns to ~1 hour auto-resized, 3 significant digits).
#[derive(Debug, Clone)]
pub struct Hist(pub Histogram<u64>);

impl Default for Hist {
    fn default() -> Hist {
        let mut h = Histogram::new(3).expect("3 significant digits is a valid histogram");
        h.auto(true);
        Hist(h)
    }
}

impl Mergeable for Hist {
    fn merge(&mut self, other: Self) {
        // Both auto-resize, so adding cannot fail on range.
        let _ = self.0.add(&other.0);
    }
}

/// Latency and outcomes of one operation (in one group).
#[derive(Debug, Default, Clone)]
pub struct OpStats {
    /// `elapsed_ns` values.
    pub hist: Hist,
    /// Records per `outcome` other than `ok` (`err`, `panic`, `cancelled`).
    pub failures: BTreeMap<String, u64>,
    /// Records without an `elapsed_ns` number (counted, not in the histogram).
    pub no_elapsed: u64,
}

/// Totals of trades under one key (a symbol, side or venue).
#[derive(Debug, Default, Clone, Copy)]
pub struct TradeAgg {
    /// Trade records.
    pub count: u64,
    /// Sum of `qty`.
    pub qty: f64,
    /// Sum of `notional` (or `qty * price` when the record has no `notional`).
    pub notional: f64,
}

/// Records and errors (ERROR and CRITICAL) of one service.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServiceAgg {
    /// Records.
    pub records: u64,
    /// Records at ERROR or above.
    pub errors: u64,
}

/// One family of the logger's own warnings (target `logger`).
#[derive(Debug, Default, Clone, Copy)]
pub struct WarningAgg {
    /// Warning records.
    pub reports: u64,
    /// Sum of their `dropped` fields: records lost.
    pub dropped: u64,
}

/// The logger's own warnings, by family.
#[derive(Debug, Default, Clone)]
pub struct Warnings {
    /// "dropped N records from thread ...": full rings under `drop_newest`.
    pub ring_drops: WarningAgg,
    /// "rate limit: ...": call sites over their `rate:`.
    pub rate_limits: WarningAgg,
    /// "rate cap: ...": records over `max_records_per_second`.
    pub rate_caps: WarningAgg,
    /// Any other record of target `logger` at WARN or above, by message.
    pub other: BTreeMap<String, u64>,
}

/// Everything gathered by one scan.
#[derive(Debug)]
pub struct Collector {
    by: Option<GroupBy>,
    timelines: bool,
    /// Records counted.
    pub records: u64,
    /// Bytes of those records' lines.
    pub bytes: u64,
    /// Earliest and latest `ts` seen, ns since the epoch.
    pub span: Option<(i128, i128)>,
    /// Per (operation, group) with `--by`; group is "" without it; sorted
    /// by key (a vector: the few keys are found by equality faster than a
    /// map orders them).
    pub ops: Vec<((String, String), OpStats)>,
    /// Trades by symbol, side, venue.
    pub trades_by: [BTreeMap<String, TradeAgg>; 3],
    /// Records and errors per service.
    pub services: BTreeMap<String, ServiceAgg>,
    /// Records per level (`None`: a record without a known level).
    pub levels: BTreeMap<Option<Level>, u64>,
    /// Records per kind.
    pub kinds: BTreeMap<String, u64>,
    /// The logger's own warnings.
    pub warnings: Warnings,
    /// Records per time bucket.
    pub rate: Timeline<u64>,
    /// ERROR/CRITICAL records and failed operations per time bucket.
    pub errors: Timeline<u64>,
    /// Latency per operation per time bucket.
    pub latency: HashMap<String, Timeline<Hist>>,
}

/// The members of `fields` that `stats` reads, found in one pass over its
/// raw text (other members are skipped without being decoded).
#[derive(Default)]
struct SlimFields<'a> {
    operation: Option<Cow<'a, str>>,
    elapsed_ns: Option<f64>,
    outcome: Option<Cow<'a, str>>,
    symbol: Option<Cow<'a, str>>,
    side: Option<Cow<'a, str>>,
    venue: Option<Cow<'a, str>>,
    qty: Option<f64>,
    price: Option<f64>,
    notional: Option<f64>,
}

impl<'a> SlimFields<'a> {
    /// The members of the `fields` object `raw`; `None` when it is not a
    /// well-formed object.
    fn of(raw: &'a [u8]) -> Option<SlimFields<'a>> {
        let mut f = SlimFields::default();
        RawJson::from_raw(raw).members(|key, v| {
            match key {
                b"operation" => f.operation = v.as_str(),
                b"elapsed_ns" => f.elapsed_ns = v.as_f64(),
                b"outcome" => f.outcome = v.as_str(),
                b"symbol" => f.symbol = v.as_str(),
                b"side" => f.side = v.as_str(),
                b"venue" => f.venue = v.as_str(),
                b"qty" => f.qty = v.as_f64(),
                b"price" => f.price = v.as_f64(),
                b"notional" => f.notional = v.as_f64(),
                _ => {}
            }
            true
        })?;
        Some(f)
    }
}

impl Collector {
    /// An empty collector; `by` splits the latency table, `timelines`
    /// keeps the time series (for charts).
    pub fn new(by: Option<GroupBy>, timelines: bool) -> Collector {
        Collector {
            by,
            timelines,
            records: 0,
            bytes: 0,
            span: None,
            ops: Vec::new(),
            trades_by: Default::default(),
            services: BTreeMap::new(),
            levels: BTreeMap::new(),
            kinds: BTreeMap::new(),
            warnings: Warnings::default(),
            rate: Timeline::new(MAX_BUCKETS),
            errors: Timeline::new(MAX_BUCKETS),
            latency: HashMap::new(),
        }
    }

    /// Counts one record, given its view and its stored line.
    pub fn add<R: Record + ?Sized>(&mut self, r: &R, line: &[u8]) {
        self.records += 1;
        self.bytes += line.len() as u64 + 1;
        let ts = r.ts_ns();
        if let Some(t) = ts {
            self.span = Some(match self.span {
                None => (t, t),
                Some((a, b)) => (a.min(t), b.max(t)),
            });
        }
        let level = r.severity();
        *self.levels.entry(level).or_default() += 1;
        let is_error = level.is_some_and(|l| l >= Level::Error);
        let service = r.service().unwrap_or("-");
        let agg = match self.services.get_mut(service) {
            Some(a) => a,
            None => self.services.entry(service.to_string()).or_default(),
        };
        agg.records += 1;
        agg.errors += u64::from(is_error);
        let kind = r.kind().unwrap_or("-");
        match self.kinds.get_mut(kind) {
            Some(n) => *n += 1,
            None => {
                self.kinds.insert(kind.to_string(), 1);
            }
        }
        if self.timelines
            && let Some(t) = ts
        {
            *self.rate.at(t) += 1;
            if is_error {
                *self.errors.at(t) += 1;
            }
        }
        match kind {
            "perf" => self.add_perf(r, ts, service),
            "trade" => self.add_trade(r),
            _ => {}
        }
        if r.target() == Some("logger") && level.is_some_and(|l| l >= Level::Warn) {
            self.add_own_warning(r);
        }
    }

    fn add_perf<R: Record + ?Sized>(&mut self, r: &R, ts: Option<i128>, service: &str) {
        let raw = r.raw_json("fields");
        let f = raw.as_deref().and_then(SlimFields::of).unwrap_or_default();
        let op = f.operation.as_deref().unwrap_or("-");
        let group = match self.by {
            None => String::new(),
            Some(GroupBy::Service) => service.to_string(),
            Some(GroupBy::Function) => r
                .raw_json("function")
                .and_then(|b| serde_json::from_slice::<String>(&b).ok())
                .unwrap_or_else(|| "-".to_string()),
            Some(GroupBy::Hour) => ts.map_or("-".into(), |t| bucket_label(t, 13)),
            Some(GroupBy::Minute) => ts.map_or("-".into(), |t| bucket_label(t, 16)),
        };
        let failed = f.outcome.as_deref().is_some_and(|o| o != "ok");
        let st = op_stats(&mut self.ops, op, group);
        if let Some(o) = f.outcome.as_deref()
            && o != "ok"
        {
            *st.failures.entry(o.to_string()).or_default() += 1;
        }
        let elapsed = f
            .elapsed_ns
            .filter(|e| e.is_finite() && *e >= 0.0)
            .map(|e| e as u64);
        match elapsed {
            Some(e) => {
                let _ = st.hist.0.record(e.max(1));
            }
            None => st.no_elapsed += 1,
        }
        if self.timelines
            && let Some(t) = ts
        {
            if failed && r.severity().is_none_or(|l| l < Level::Error) {
                *self.errors.at(t) += 1;
            }
            if let Some(e) = elapsed {
                let tl = self
                    .latency
                    .entry(op.to_string())
                    .or_insert_with(|| Timeline::new(MAX_BUCKETS / 2));
                let _ = tl.at(t).0.record(e.max(1));
            }
        }
    }

    fn add_trade<R: Record + ?Sized>(&mut self, r: &R) {
        let raw = r.raw_json("fields");
        let Some(f) = raw.as_deref().and_then(SlimFields::of) else {
            return;
        };
        let qty = f.qty.unwrap_or(0.0);
        let notional = f.notional.unwrap_or(qty * f.price.unwrap_or(0.0));
        for (i, key) in [&f.symbol, &f.side, &f.venue].into_iter().enumerate() {
            let key = key.as_deref().unwrap_or("-");
            let by = &mut self.trades_by[i];
            let a = match by.get_mut(key) {
                Some(a) => a,
                None => by.entry(key.to_string()).or_default(),
            };
            a.count += 1;
            a.qty += qty;
            a.notional += notional;
        }
    }

    fn add_own_warning<R: Record + ?Sized>(&mut self, r: &R) {
        let msg = r.msg().unwrap_or_default();
        let dropped = r
            .raw_json("fields.dropped")
            .and_then(|b| serde_json::from_slice::<f64>(&b).ok())
            .unwrap_or(0.0) as u64;
        let agg = if msg.starts_with("dropped ") {
            &mut self.warnings.ring_drops
        } else if msg.starts_with("rate limit:") {
            &mut self.warnings.rate_limits
        } else if msg.starts_with("rate cap:") {
            &mut self.warnings.rate_caps
        } else {
            *self.warnings.other.entry(msg.to_string()).or_default() += 1;
            return;
        };
        agg.reports += 1;
        agg.dropped += dropped;
    }

    /// The operation with the most perf records, if any.
    pub fn busiest_op(&self) -> Option<String> {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for ((op, _), s) in &self.ops {
            *counts.entry(op).or_default() += s.hist.0.len() + s.no_elapsed;
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(op, _)| op.to_string())
    }
}

/// The stats of (`op`, `group`) in `ops`, added in key order if new; found
/// by comparing for equality, without allocating.
fn op_stats<'a>(
    ops: &'a mut Vec<((String, String), OpStats)>,
    op: &str,
    group: String,
) -> &'a mut OpStats {
    // Short keys compared inline: a `memcmp` call per key cost 10% of `stats`.
    let same =
        |a: &str, b: &str| a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y);
    let i = match ops
        .iter()
        .position(|((o, g), _)| same(o, op) && same(g, &group))
    {
        Some(i) => i,
        None => {
            let key = (op.to_string(), group);
            let i = ops.partition_point(|(k, _)| *k < key);
            ops.insert(i, (key, OpStats::default()));
            i
        }
    };
    &mut ops[i].1
}

/// The first `len` characters of the RFC 3339 time: 13 gives the hour
/// (`2026-11-21T10`), 16 the minute (`2026-11-21T10:30`).
fn bucket_label(ts_ns: i128, len: usize) -> String {
    let mut s = crate::filter::time_arg::format_ns(ts_ns);
    s.truncate(len);
    s
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn add(c: &mut Collector, v: Value) {
        let line = serde_json::to_vec(&v).unwrap();
        c.add(&v, &line);
    }

    #[test]
    fn perf_trade_and_own_warning_records_are_tallied() {
        let mut c = Collector::new(Some(GroupBy::Service), true);
        for (i, e) in [100u64, 200, 300, 400, 10_000].into_iter().enumerate() {
            let outcome = if i == 4 { "err" } else { "ok" };
            add(
                &mut c,
                json!({"ts":"2026-11-21T10:30:45Z","level":"INFO","kind":"perf","service":"risk",
                "target":"risk","fields":{"operation":"risk_check","elapsed_ns":e,"outcome":outcome}}),
            );
        }
        add(
            &mut c,
            json!({"ts":"2026-11-21T10:30:46Z","level":"INFO","kind":"trade","service":"exec","target":"exec",
            "fields":{"symbol":"AAPL","side":"BUY","qty":100,"price":2.5,"venue":"XNAS"}}),
        );
        add(
            &mut c,
            json!({"ts":"2026-11-21T10:30:47Z","level":"INFO","kind":"trade","service":"exec","target":"exec",
            "fields":{"symbol":"AAPL","side":"SELL","qty":50,"price":3.0,"notional":160.0}}),
        );
        add(
            &mut c,
            json!({"ts":"2026-11-21T10:30:48Z","level":"WARN","kind":"log","service":"logger","target":"logger",
            "msg":"dropped 7 records from thread t (tid 1): its ring was full","fields":{"dropped":7}}),
        );
        add(
            &mut c,
            json!({"ts":"2026-11-21T10:30:49Z","level":"ERROR","kind":"log","service":"exec","target":"exec","msg":"x"}),
        );

        assert_eq!(c.records, 9);
        assert_eq!(c.ops.len(), 1);
        let ((op, group), s) = &c.ops[0];
        assert_eq!((op.as_str(), group.as_str()), ("risk_check", "risk"));
        assert_eq!(s.hist.0.len(), 5);
        assert_eq!(s.hist.0.min(), 100);
        assert_eq!(s.hist.0.value_at_quantile(0.5), 300);
        assert!(s.hist.0.max() >= 10_000 && s.hist.0.max() <= 10_010);
        assert_eq!(s.failures.get("err"), Some(&1));
        let aapl = c.trades_by[0]["AAPL"];
        assert_eq!((aapl.count, aapl.qty, aapl.notional), (2, 150.0, 410.0));
        assert_eq!(c.trades_by[2]["-"].count, 1);
        assert_eq!(
            (c.warnings.ring_drops.reports, c.warnings.ring_drops.dropped),
            (1, 7)
        );
        assert_eq!(c.services["exec"].errors, 1);
        assert_eq!(c.levels[&Some(Level::Info)], 7);
        assert_eq!(c.busiest_op().as_deref(), Some("risk_check"));
        // one failed operation and one ERROR record over time
        assert_eq!(c.errors.iter().map(|(_, n)| *n).sum::<u64>(), 2);
        assert_eq!(c.rate.iter().map(|(_, n)| *n).sum::<u64>(), 9);
    }
}
