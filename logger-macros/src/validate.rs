//! Rules across arguments, each broken rule a `syn::Error` spanned at the
//! tokens that break it: required and duplicate fields, known levels,
//! thresholds with a unit, sampling rates, rate limits, `args(..)` that
//! name parameters, and functions that can be timed.

use proc_macro2::Span;
use syn::{Ident, ItemFn, LitStr, Pat};

use crate::message::{self, Checked};
use crate::parse::{EventArgs, Field, Level, LogPerformanceArgs, PerfArgs, TradeArgs};

/// Fields every `trade!` must have, in their recorded order.
pub(crate) const REQUIRED: [&str; 4] = ["symbol", "side", "qty", "price"];

/// Optional fields with a conventional name, recorded right after the
/// required ones, in this order; other fields follow in call order.
pub(crate) const WELL_KNOWN: [&str; 12] = [
    "order_id",
    "client_order_id",
    "trade_id",
    "exec_id",
    "venue",
    "account",
    "strategy",
    "commission",
    "fee",
    "currency",
    "notional",
    "liquidity",
];

/// Fields `perf!` records itself.
const PERF_OWN: [&str; 2] = ["operation", "elapsed_ns"];

/// Collects errors so that one pass reports all of them (serde's `Ctxt`).
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// Checks field names: not empty, not repeated, not in `reserved`.
fn check_fields(fields: &[Field], reserved: &[&str], who: &str, errors: &mut Errors) {
    let mut seen: Vec<String> = Vec::new();
    for f in fields {
        let name = f.key.name();
        if name.is_empty() {
            errors.push(syn::Error::new(
                f.key.span(),
                "a field name cannot be empty",
            ));
        } else if reserved.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                f.key.span(),
                format!("`{name}` is recorded by {who} itself: choose another field name"),
            ));
        } else if seen.contains(&name) {
            errors.push(syn::Error::new(
                f.key.span(),
                format!("duplicate field `{name}`"),
            ));
        }
        seen.push(name);
    }
}

/// A checked rate limit: at most `count` records per `period_ns`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rate {
    pub count: u32,
    pub period_ns: u64,
}

/// Largest count of a rate (the library's `MAX_RATE_COUNT`).
const MAX_RATE_COUNT: u64 = 1_000_000_000;

const RATE_FORM: &str = "a count of records per unit of time, e.g. \"100/s\", \"5/ms\" or \"1000/min\" (units s, ms, min; the count from 1 to 1000000000)";

/// `"100/s"` into a count and a period: a positive integer (`_`
/// separators allowed), a `/`, and a unit `s`, `ms` or `min`.
pub(crate) fn parse_rate(s: &str) -> Result<Rate, String> {
    let Some((count, unit)) = s.split_once('/') else {
        return Err(format!("expected {RATE_FORM}"));
    };
    let count = count.trim().replace('_', "");
    if count.is_empty() {
        return Err(format!("the count is missing: expected {RATE_FORM}"));
    }
    let period_ns = match unit.trim() {
        "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "min" => 60_000_000_000,
        other => return Err(format!("unknown unit `{other}`: expected {RATE_FORM}")),
    };
    let n: u64 = match count.parse() {
        Ok(n) if count.bytes().all(|b| b.is_ascii_digit()) => n,
        _ if count.bytes().all(|b| b.is_ascii_digit()) => u64::MAX,
        _ => {
            return Err(format!(
                "`{count}` is not a whole number: expected {RATE_FORM}"
            ));
        }
    };
    if n == 0 {
        return Err(format!(
            "a rate of 0 would drop every record (remove the call, or its level): expected {RATE_FORM}"
        ));
    }
    if n > MAX_RATE_COUNT {
        return Err(format!("the count is too large: expected {RATE_FORM}"));
    }
    Ok(Rate {
        count: n as u32,
        period_ns,
    })
}

/// Checks a `rate` literal; the error is spanned at it.
fn check_rate(lit: Option<&LitStr>, errors: &mut Errors) -> Option<Rate> {
    let lit = lit?;
    match parse_rate(&lit.value()) {
        Ok(r) => Some(r),
        Err(why) => {
            errors.push(syn::Error::new(
                lit.span(),
                format!("invalid rate {:?}: {why}", lit.value()),
            ));
            None
        }
    }
}

/// A checked `trade!`.
pub(crate) struct Trade {
    pub level: Level,
    /// A bare level word, warned about in the expansion.
    pub bare_level: Option<Ident>,
    pub target: Option<LitStr>,
    pub rate: Option<Rate>,
    /// Fields in call order (the order their values are evaluated).
    pub fields: Vec<Field>,
    /// Indices into `fields` in recorded order: required, well-known, others.
    pub order: Vec<usize>,
    pub message: Checked,
}

pub(crate) fn trade(a: TradeArgs) -> syn::Result<Trade> {
    let mut errors = Errors::default();
    let rate = check_rate(a.rate.as_ref(), &mut errors);
    check_fields(&a.fields, &[], "trade!", &mut errors);
    let names: Vec<String> = a.fields.iter().map(|f| f.key.name()).collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !names.iter().any(|n| n == r))
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (s, them) = if missing.len() == 1 {
            ("", "it")
        } else {
            ("s", "them")
        };
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "trade! is missing the required field{s} {list}: every trade records `symbol`, `side`, `qty` and `price`; add {them} as `key = value`"
            ),
        ));
    }
    let message = match a.message.map(message::check).transpose() {
        Ok(m) => m.unwrap_or_else(|| message::none("trade")),
        Err(e) => {
            errors.push(e);
            message::none("")
        }
    };
    let mut order = Vec::with_capacity(names.len());
    for known in REQUIRED.iter().chain(WELL_KNOWN.iter()) {
        if let Some(i) = names.iter().position(|n| n == known) {
            order.push(i);
        }
    }
    for i in 0..names.len() {
        if !order.contains(&i) {
            order.push(i);
        }
    }
    errors.finish(Trade {
        bare_level: a.level.as_ref().and_then(|l| l.bare.clone()),
        level: a.level.map_or(Level::Info, |l| l.level),
        target: a.target,
        rate,
        fields: a.fields,
        order,
        message,
    })
}

/// A checked `info!` (or `warn!`, `error!`, `debug!`, `trace!`).
pub(crate) struct Event {
    pub level: Level,
    pub target: Option<LitStr>,
    pub rate: Option<Rate>,
    /// Fields in call order, which is also their recorded order.
    pub fields: Vec<Field>,
    pub message: Checked,
}

/// Checks an event macro's arguments; `who` names it in errors
/// (`"info!"`).
pub(crate) fn event(a: EventArgs, level: Level, who: &str) -> syn::Result<Event> {
    let mut errors = Errors::default();
    let rate = check_rate(a.rate.as_ref(), &mut errors);
    check_fields(&a.fields, &[], who, &mut errors);
    let message = match message::check(a.message) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            message::none("")
        }
    };
    errors.finish(Event {
        level,
        target: a.target,
        rate,
        fields: a.fields,
        message,
    })
}

/// A checked `perf!`.
pub(crate) struct Perf {
    pub level: Level,
    pub target: Option<LitStr>,
    pub rate: Option<Rate>,
    pub name: LitStr,
    pub elapsed: Option<syn::Expr>,
    pub fields: Vec<Field>,
    pub message: Checked,
}

pub(crate) fn perf(a: PerfArgs) -> syn::Result<Perf> {
    let mut errors = Errors::default();
    let rate = check_rate(a.rate.as_ref(), &mut errors);
    if a.name.value().is_empty() {
        errors.push(syn::Error::new(
            a.name.span(),
            "the operation name cannot be empty",
        ));
    }
    check_fields(&a.fields, &PERF_OWN, "perf!", &mut errors);
    let message = match a.message.map(message::check).transpose() {
        Ok(m) => m.unwrap_or_else(|| message::none(&escape_braces(&a.name.value()))),
        Err(e) => {
            errors.push(e);
            message::none("")
        }
    };
    errors.finish(Perf {
        level: a.level.map_or(Level::Info, |l| l.level),
        target: a.target,
        rate,
        name: a.name,
        elapsed: a.elapsed,
        fields: a.fields,
        message,
    })
}

/// A name used as a message template: braces doubled.
pub(crate) fn escape_braces(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}

/// A checked `#[log_performance]`.
pub(crate) struct Timed {
    pub f: ItemFn,
    pub operation: String,
    pub level: Level,
    pub threshold_ns: u64,
    pub sample: Option<u32>,
    pub rate: Option<Rate>,
    pub args: Vec<Ident>,
    pub cpu: bool,
    pub mem: bool,
}

pub(crate) fn log_performance(a: LogPerformanceArgs, f: ItemFn) -> syn::Result<Timed> {
    let mut errors = Errors::default();
    if let Some(c) = &f.sig.constness {
        errors.push(syn::Error::new(
            c.span,
            "#[log_performance] cannot time a `const fn`: it may run at compile time, where there is no clock; remove `const` or the attribute",
        ));
    }
    if let syn::ReturnType::Type(_, ty) = &f.sig.output {
        if matches!(**ty, syn::Type::Never(_)) {
            errors.push(syn::Error::new_spanned(
                ty,
                "#[log_performance] cannot time a function that never returns (`-> !`)",
            ));
        }
    }
    let operation = match &a.name {
        Some(o) if o.value.value().is_empty() => {
            errors.push(syn::Error::new(o.value.span(), "`name` cannot be empty"));
            String::new()
        }
        Some(o) => o.value.value(),
        None => f.sig.ident.unraw_string(),
    };
    let level = match &a.level {
        None => Level::Info,
        Some(o) => Level::from_name(&o.value.0).unwrap_or_else(|| {
            errors.push(syn::Error::new(
                o.value.1,
                format!(
                    "unknown level `{}`: expected \"critical\", \"error\", \"warn\", \"info\", \"debug\" or \"trace\"",
                    o.value.0
                ),
            ));
            Level::Info
        }),
    };
    let threshold_ns = match &a.threshold {
        None => 0,
        Some(o) => parse_duration(&o.value.value()).unwrap_or_else(|why| {
            errors.push(syn::Error::new(
                o.value.span(),
                format!("invalid threshold {:?}: {why}", o.value.value()),
            ));
            0
        }),
    };
    let sample = match &a.sample {
        None => None,
        Some(o) => match o.value.base10_parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                errors.push(syn::Error::new(
                    o.value.span(),
                    "`sample` must be an integer from 1 to 4294967295: `sample = 10` records one call in 10",
                ));
                None
            }
        },
    };
    let rate = check_rate(a.rate.as_ref().map(|o| &o.value), &mut errors);
    let mut args = Vec::new();
    if let Some(o) = &a.args {
        let params = parameter_names(&f);
        for ident in &o.value {
            let name = ident.unraw_string();
            if !params.contains(&name) {
                errors.push(syn::Error::new(
                    ident.span(),
                    format!(
                        "`{name}` is not a parameter of `{}`: `args(..)` lists parameters to record",
                        f.sig.ident
                    ),
                ));
            } else if args.iter().any(|a: &Ident| a.unraw_string() == name) {
                errors.push(syn::Error::new(
                    ident.span(),
                    format!("`{name}` is listed twice in `args(..)`"),
                ));
            } else if [
                "operation",
                "elapsed_ns",
                "busy_ns",
                "polls",
                "cpu_ns",
                "alloc_bytes",
                "allocs",
                "outcome",
                "error",
            ]
            .contains(&name.as_str())
            {
                errors.push(syn::Error::new(
                    ident.span(),
                    format!("`{name}` is a field #[log_performance] records itself: rename the parameter to record it"),
                ));
            } else {
                args.push(ident.clone());
            }
        }
    }
    errors.finish(Timed {
        f,
        operation,
        level,
        threshold_ns,
        sample,
        rate,
        args,
        cpu: a.cpu.is_some(),
        mem: a.mem.is_some(),
    })
}

trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for Ident {
    fn unraw_string(&self) -> String {
        use syn::ext::IdentExt;
        self.unraw().to_string()
    }
}

/// Every name a parameter binds (`self` included).
fn parameter_names(f: &ItemFn) -> Vec<String> {
    fn walk(p: &Pat, out: &mut Vec<String>) {
        match p {
            Pat::Ident(i) => {
                out.push(i.ident.unraw_string());
                if let Some((_, sub)) = &i.subpat {
                    walk(sub, out);
                }
            }
            Pat::Tuple(t) => t.elems.iter().for_each(|p| walk(p, out)),
            Pat::TupleStruct(t) => t.elems.iter().for_each(|p| walk(p, out)),
            Pat::Struct(s) => s.fields.iter().for_each(|f| walk(&f.pat, out)),
            Pat::Slice(s) => s.elems.iter().for_each(|p| walk(p, out)),
            Pat::Reference(r) => walk(&r.pat, out),
            Pat::Type(t) => walk(&t.pat, out),
            Pat::Paren(p) => walk(&p.pat, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for input in &f.sig.inputs {
        match input {
            syn::FnArg::Receiver(_) => out.push("self".into()),
            syn::FnArg::Typed(t) => walk(&t.pat, &mut out),
        }
    }
    out
}

/// `"50us"` into ns: a decimal number and a unit (`ns`, `us`/`µs`, `ms`,
/// `s`), whole nanoseconds, greater than zero.
pub(crate) fn parse_duration(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .ok_or("a unit is missing: write e.g. \"50us\" (ns, us, ms or s)")?;
    let (number, unit) = s.split_at(split);
    let number = number.replace('_', "");
    let scale: u64 = match unit.trim() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        other => return Err(format!("unknown unit `{other}`: expected ns, us, ms or s")),
    };
    if number.is_empty() {
        return Err("a number is missing: write e.g. \"50us\"".into());
    }
    let (int, frac) = number.split_once('.').unwrap_or((&number, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(format!("`{number}` is not a number"));
    }
    let int: u64 = if int.is_empty() {
        0
    } else {
        int.parse()
            .map_err(|_| format!("`{number}` is not a number"))?
    };
    let mut ns = int.checked_mul(scale).ok_or("too large")?;
    let mut place = scale;
    for d in frac.chars() {
        let d = u64::from(
            d.to_digit(10)
                .ok_or(format!("`{number}` is not a number"))?,
        );
        if place % 10 != 0 {
            if d != 0 {
                return Err("finer than a nanosecond".into());
            }
            continue;
        }
        place /= 10;
        ns = ns.checked_add(d * place).ok_or("too large")?;
    }
    if ns == 0 {
        return Err("must be greater than zero".into());
    }
    Ok(ns)
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, parse_rate};

    #[test]
    fn rates() {
        let r = parse_rate("100/s").unwrap();
        assert_eq!((r.count, r.period_ns), (100, 1_000_000_000));
        let r = parse_rate("5/ms").unwrap();
        assert_eq!((r.count, r.period_ns), (5, 1_000_000));
        let r = parse_rate(" 1_000 / min ").unwrap();
        assert_eq!((r.count, r.period_ns), (1_000, 60_000_000_000));
        assert_eq!(parse_rate("1000000000/s").unwrap().count, 1_000_000_000);
        let err = |s: &str| parse_rate(s).unwrap_err();
        assert!(err("100").starts_with("expected a count"), "{}", err("100"));
        assert!(err("100/h").contains("unknown unit `h`"));
        assert!(err("100/").contains("unknown unit ``"));
        assert!(err("/s").contains("the count is missing"));
        assert!(err("0/s").contains("a rate of 0"));
        assert!(err("-1/s").contains("`-1` is not a whole number"));
        assert!(err("1.5/s").contains("`1.5` is not a whole number"));
        assert!(err("1000000001/s").contains("too large"));
        assert!(err("99999999999999999999999/s").contains("too large"));
        assert!(err("1/s/s").contains("unknown unit `s/s`"));
        assert!(err("x/s").contains("units s, ms, min"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("50us"), Ok(50_000));
        assert_eq!(parse_duration("50µs"), Ok(50_000));
        assert_eq!(parse_duration("1.5ms"), Ok(1_500_000));
        assert_eq!(parse_duration("2s"), Ok(2_000_000_000));
        assert_eq!(parse_duration("250ns"), Ok(250));
        assert_eq!(parse_duration("1_000 ns"), Ok(1_000));
        assert_eq!(parse_duration(".5us"), Ok(500));
        assert!(parse_duration("50").unwrap_err().contains("unit"));
        assert!(
            parse_duration("50 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse_duration("0us")
                .unwrap_err()
                .contains("greater than zero")
        );
        assert!(parse_duration("1.5ns").unwrap_err().contains("finer"));
        assert!(parse_duration("us").unwrap_err().contains("missing"));
        assert!(parse_duration("1.2.3ms").is_err());
    }
}
