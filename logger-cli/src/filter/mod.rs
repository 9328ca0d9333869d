//! The filter language shared by `cat`, `tail`, `trace`, `stats`, `plot`
//! and `report`: `--level`, `--kind`, `--target`, `--service`, `--corr`,
//! `--since`/`--until`, `--grep`, `--where`.
//!
//! A [`Filter`] is built once from [`FilterArgs`] (every argument is checked
//! there, so bad input fails before any file is read) and then asked about
//! each record through the [`Record`] trait, cheapest tests first: the
//! ones the reader's scanner answers without parsing the line (level, kind,
//! time, target, service, correlation id), then the message regex, then
//! `--where`, which may parse the line.

pub mod time_arg;
pub mod where_expr;

use std::borrow::Cow;

use memchr::memmem;
use regex::Regex;
use serde_json::Value;

use crate::flags::FilterArgs;
use where_expr::Predicate;

pub use logger_read::Level;

/// What the filter needs to know about one record. Implemented for the
/// reader's record view (cheap accessors from its scanner) and, in tests,
/// for a parsed `serde_json::Value`.
pub trait Record {
    /// `ts` in ns since the Unix epoch; `None` if missing or unreadable.
    fn ts_ns(&self) -> Option<i128>;
    /// `level`; `None` if missing or not a known level.
    fn severity(&self) -> Option<Level>;
    /// `kind`.
    fn kind(&self) -> Option<&str>;
    /// `target`.
    fn target(&self) -> Option<&str>;
    /// `service`.
    fn service(&self) -> Option<&str>;
    /// `msg`, unescaped.
    fn msg(&self) -> Option<Cow<'_, str>>;
    /// `correlation_id`: a string's value, or a number's text.
    fn correlation_id(&self) -> Option<Cow<'_, str>>;
    /// The value at a dotted path (`fields.qty`, `thread`).
    fn get(&self, path: &str) -> Option<Value>;
    /// The JSON text at a dotted path, as written (cheaper than [`get`](Record::get)
    /// when only part of it is decoded).
    fn raw_json(&self, path: &str) -> Option<Cow<'_, [u8]>>;
}

/// A checked set of record conditions (all must hold).
#[derive(Debug, Default)]
pub struct Filter {
    min_level: Option<Level>,
    kinds: Vec<String>,
    targets: Vec<String>,
    services: Vec<String>,
    corr: Option<String>,
    corr_finder: Option<memmem::Finder<'static>>,
    since_ns: Option<i128>,
    until_ns: Option<i128>,
    grep: Option<Regex>,
    wheres: Vec<Predicate>,
}

impl Filter {
    /// Checks every argument and builds the filter; relative times count
    /// back from `now_ns`.
    ///
    /// # Errors
    ///
    /// A message naming the option and the value that is wrong.
    pub fn new(args: &FilterArgs, now_ns: i128) -> Result<Filter, String> {
        let min_level = match &args.level {
            None => None,
            Some(l) => Some(l.parse::<Level>().map_err(|_| {
                format!(
                    "--level {l:?}: unknown level; use trace, debug, info, warn, error or critical"
                )
            })?),
        };
        for k in &args.kind {
            if k.is_empty() {
                return Err("--kind: empty kind".into());
            }
        }
        for t in &args.target {
            if t.is_empty() || t.split("::").any(str::is_empty) {
                return Err(format!(
                    "--target {t:?}: not a target path (names joined by ::, like execution::orders)"
                ));
            }
        }
        let since_ns = match &args.since {
            Some(s) => Some(time_arg::parse_time("--since", s, now_ns)?),
            None => None,
        };
        let until_ns = match &args.until {
            Some(s) => Some(time_arg::parse_time("--until", s, now_ns)?),
            None => None,
        };
        if let (Some(a), Some(b)) = (since_ns, until_ns)
            && a >= b
        {
            return Err(format!(
                "--since {} is not before --until {}: no record can match",
                time_arg::format_ns(a),
                time_arg::format_ns(b)
            ));
        }
        let grep = match &args.grep {
            Some(g) => Some(
                Regex::new(g)
                    .map_err(|e| format!("--grep {g:?}: invalid regular expression: {e}"))?,
            ),
            None => None,
        };
        let wheres = args
            .where_
            .iter()
            .map(|w| Predicate::parse(w))
            .collect::<Result<Vec<_>, _>>()?;
        let corr = args.corr.clone();
        if corr.as_deref() == Some("") {
            return Err("--corr: empty correlation id".into());
        }
        Ok(Filter {
            min_level,
            kinds: args.kind.clone(),
            targets: args.target.clone(),
            services: args.service.clone(),
            corr_finder: corr
                .as_ref()
                .map(|c| memmem::Finder::new(c.as_bytes()).into_owned()),
            corr,
            since_ns,
            until_ns,
            grep,
            wheres,
        })
    }

    /// Adds a correlation id condition (used by `trace`).
    pub fn with_corr(mut self, id: &str) -> Filter {
        self.corr_finder = Some(memmem::Finder::new(id.as_bytes()).into_owned());
        self.corr = Some(id.to_string());
        self
    }

    /// The `--level` bound.
    pub fn min_level(&self) -> Option<Level> {
        self.min_level
    }

    /// The `--kind` values.
    pub fn kinds(&self) -> &[String] {
        &self.kinds
    }

    /// The `--corr` id (or trace's id).
    pub fn corr(&self) -> Option<&str> {
        self.corr.as_deref()
    }

    /// The `--since` bound, ns since the epoch.
    pub fn since_ns(&self) -> Option<i128> {
        self.since_ns
    }

    /// A test on the raw line that every selected record passes: false
    /// means the line cannot match (a correlation id absent from the line's
    /// bytes), true means "look closer". Costs one substring search.
    #[inline]
    pub fn line_may_match(&self, line: &[u8]) -> bool {
        match &self.corr_finder {
            Some(f) => f.find(line).is_some(),
            None => true,
        }
    }

    /// Whether `r` satisfies every condition.
    pub fn matches<R: Record + ?Sized>(&self, r: &R) -> bool {
        if let Some(min) = self.min_level
            && r.severity().is_none_or(|l| l < min)
        {
            return false;
        }
        if !self.kinds.is_empty() && !r.kind().is_some_and(|k| self.kinds.iter().any(|x| x == k)) {
            return false;
        }
        if self.since_ns.is_some() || self.until_ns.is_some() {
            let Some(ts) = r.ts_ns() else { return false };
            if self.since_ns.is_some_and(|s| ts < s) || self.until_ns.is_some_and(|u| ts >= u) {
                return false;
            }
        }
        if !self.targets.is_empty()
            && !r
                .target()
                .is_some_and(|t| self.targets.iter().any(|p| target_under(t, p)))
        {
            return false;
        }
        if !self.services.is_empty()
            && !r
                .service()
                .is_some_and(|s| self.services.iter().any(|x| x == s))
        {
            return false;
        }
        if let Some(c) = &self.corr
            && r.correlation_id().is_none_or(|id| id != c.as_str())
        {
            return false;
        }
        if let Some(g) = &self.grep
            && !r.msg().is_some_and(|m| g.is_match(&m))
        {
            return false;
        }
        self.wheres.iter().all(|w| w.eval(r.get(w.path()).as_ref()))
    }
}

/// The prefix rule of the filter directives: `target` is `prefix` or lies
/// below it at a `::` boundary.
pub fn target_under(target: &str, prefix: &str) -> bool {
    target
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
}

/// A parsed JSON record, for tests and for records read with serde_json.
impl Record for Value {
    fn ts_ns(&self) -> Option<i128> {
        let ts = self.get("ts")?.as_str()?;
        time_arg::parse_time("ts", ts, 0).ok()
    }
    fn severity(&self) -> Option<Level> {
        self.get("level")?.as_str()?.parse().ok()
    }
    fn kind(&self) -> Option<&str> {
        self.get("kind")?.as_str()
    }
    fn target(&self) -> Option<&str> {
        self.get("target")?.as_str()
    }
    fn service(&self) -> Option<&str> {
        self.get("service")?.as_str()
    }
    fn msg(&self) -> Option<Cow<'_, str>> {
        self.get("msg")?.as_str().map(Cow::Borrowed)
    }
    fn correlation_id(&self) -> Option<Cow<'_, str>> {
        match self.get("correlation_id")? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            other => Some(Cow::Owned(other.to_string())),
        }
    }
    fn get(&self, path: &str) -> Option<Value> {
        let mut v = self;
        for part in path.split('.') {
            v = v.get(part)?;
        }
        Some(v.clone())
    }
    fn raw_json(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        Record::get(self, path)
            .and_then(|v| serde_json::to_vec(&v).ok())
            .map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: i128 = 1_900_000_000_000_000_000;

    fn filter(f: impl FnOnce(&mut FilterArgs)) -> Filter {
        let mut a = FilterArgs::default();
        f(&mut a);
        Filter::new(&a, NOW).unwrap()
    }

    fn rec() -> Value {
        json!({"ts":"2026-11-21T10:30:45.123456789Z","level":"WARN","kind":"trade",
               "target":"execution::orders","service":"execution","msg":"partial fill 100 of 300",
               "correlation_id":74999,"context":{"strategy":"mm1"},
               "fields":{"symbol":"AAPL","qty":300,"price":189.5}})
    }

    #[test]
    fn each_condition_selects_and_rejects() {
        let r = rec();
        assert!(filter(|_| {}).matches(&r));
        assert!(filter(|a| a.level = Some("warn".into())).matches(&r));
        assert!(filter(|a| a.level = Some("INFO".into())).matches(&r));
        assert!(!filter(|a| a.level = Some("error".into())).matches(&r));
        assert!(filter(|a| a.kind = vec!["perf".into(), "trade".into()]).matches(&r));
        assert!(!filter(|a| a.kind = vec!["log".into()]).matches(&r));
        assert!(filter(|a| a.target = vec!["execution".into()]).matches(&r));
        assert!(filter(|a| a.target = vec!["execution::orders".into()]).matches(&r));
        assert!(!filter(|a| a.target = vec!["exec".into()]).matches(&r));
        assert!(!filter(|a| a.target = vec!["execution::orders::book".into()]).matches(&r));
        assert!(filter(|a| a.service = vec!["execution".into()]).matches(&r));
        assert!(!filter(|a| a.service = vec!["risk".into()]).matches(&r));
        assert!(filter(|a| a.corr = Some("74999".into())).matches(&r));
        assert!(!filter(|a| a.corr = Some("7499".into())).matches(&r));
        assert!(filter(|a| a.grep = Some(r"fill \d+ of".into())).matches(&r));
        assert!(!filter(|a| a.grep = Some("^fill".into())).matches(&r));
        assert!(filter(|a| a.since = Some("2026-11-21T10:30:45Z".into())).matches(&r));
        assert!(!filter(|a| a.since = Some("2026-11-21T10:30:46Z".into())).matches(&r));
        assert!(filter(|a| a.until = Some("2026-11-21T10:30:46Z".into())).matches(&r));
        assert!(!filter(|a| a.until = Some("2026-11-21T10:30:45.123456789Z".into())).matches(&r));
        assert!(
            filter(|a| a.where_ = vec!["fields.qty>=300".into(), "context.strategy=mm1".into()])
                .matches(&r)
        );
        assert!(
            !filter(|a| a.where_ = vec!["fields.qty>=300".into(), "!context".into()]).matches(&r)
        );
    }

    #[test]
    fn a_relative_since_counts_back_from_now() {
        let mut r = rec();
        r["ts"] = json!(time_arg::format_ns(NOW - 60_000_000_000));
        assert!(filter(|a| a.since = Some("2m".into())).matches(&r));
        assert!(!filter(|a| a.since = Some("30s".into())).matches(&r));
    }

    #[test]
    fn bad_arguments_name_the_option() {
        let err = |f: fn(&mut FilterArgs)| {
            let mut a = FilterArgs::default();
            f(&mut a);
            Filter::new(&a, NOW).unwrap_err()
        };
        assert!(err(|a| a.level = Some("loud".into())).contains("--level \"loud\""));
        assert!(
            err(|a| a.grep = Some("(".into())).contains("--grep \"(\": invalid regular expression")
        );
        assert!(err(|a| a.since = Some("soon".into())).contains("--since \"soon\""));
        assert!(err(|a| a.where_ = vec!["bogus=1".into()]).contains("unknown field \"bogus\""));
        assert!(err(|a| a.target = vec!["a::".into()]).contains("--target \"a::\""));
        assert!(
            err(|a| {
                a.since = Some("1m".into());
                a.until = Some("2m".into());
            })
            .contains("is not before --until")
        );
    }

    #[test]
    fn line_prefilter_only_rejects_lines_without_the_id() {
        let f = filter(|a| a.corr = Some("trade-42".into()));
        assert!(f.line_may_match(br#"{"correlation_id":"trade-42"}"#));
        assert!(!f.line_may_match(br#"{"correlation_id":"trade-41"}"#));
        assert!(filter(|_| {}).line_may_match(b"anything"));
    }
}
