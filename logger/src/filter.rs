//! Filter directives in `env_logger`'s syntax, and the per-call-site
//! interest cache that keeps the macros' level check to one relaxed load.
//!
//! A spec is a comma-separated list of directives:
//!
//! - `LEVEL` (`off`, `critical`, `error`, `warn`, `info`, `debug`, `trace`,
//!   any case):
//!   the default level, for targets no other directive matches;
//! - `path=LEVEL`: records whose target is `path` or starts with `path::`;
//! - `path` alone: every level of that path, except a word that resembles
//!   a level name (one edit from it, or its first three letters or more:
//!   `infoo`, `eror`, `crit`), which is refused as a likely typo, with the
//!   level it resembles; `infoo=trace` names such a target.
//!
//! The longest matching path wins; a later directive for the same path (or
//! a later bare level) replaces an earlier one. Blank directives (`a,,b`,
//! a trailing comma) are ignored. Without a bare level, the default is the
//! builder's `level` (default `Info`).
//!
//! Each macro call site owns a `static` [`Interest`]: 0 until computed,
//! then the most verbose level it records, plus one. The first check after
//! install or after [`set_filter`] computes it under a lock (the cold path)
//! and registers the cell (when another thread holds the lock, it answers
//! from the current filter without caching, rather than wait); [`set_filter`] swaps the filter and resets every
//! registered cell to 0, so call sites that are already hot see the change.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
use std::sync::{Mutex, TryLockError};

use crate::error::InitError;
use crate::level::{ALLOWED_LEVELS, LEVEL_NAMES, Level, LevelFilter};

/// A parsed filter: a default level and per-target directives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Filter {
    /// The bare level of the spec, if it had one.
    default: Option<LevelFilter>,
    /// Longest path first; one entry per path.
    directives: Vec<(String, LevelFilter)>,
}

/// Why a filter spec does not parse: the directive and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FilterError(String);

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `p` is a target path a directive can name (`a::b_c`).
pub(crate) fn valid_path(p: &str) -> bool {
    !p.is_empty()
        && p.split("::").all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        })
}

/// The level name a bare word that is not one resembles, if any: a
/// likely typo rather than a target. It resembles a name when it is within
/// one edit of it (two for `critical` and `warning`), an edit being an
/// inserted, deleted or replaced character or two adjacent ones swapped
/// (`infoo`, `inf`, `ifno`, `warp`, `eror`, `critcal`), or when it is the
/// name's first three letters or more (`err`, `crit`, `deb`). A path with
/// `::` never resembles one.
pub(crate) fn resembled_level(word: &str) -> Option<&'static str> {
    if word.contains("::") {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let names = LEVEL_NAMES.map(|(name, _)| name);
    names
        .iter()
        .find(|name| lower.len() >= 3 && name.starts_with(lower.as_str()))
        .copied()
        .or_else(|| {
            let max = |name: &str| if name.len() > 5 { 2 } else { 1 };
            crate::did_you_mean::closest(word, names, max)
        })
}

impl Filter {
    /// Parses a spec (syntax in the module documentation).
    pub(crate) fn parse(spec: &str) -> Result<Filter, FilterError> {
        let mut default = None;
        let mut directives: Vec<(String, LevelFilter)> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.contains('/') {
                return Err(FilterError(format!(
                    "directive {part:?}: regex filters (`/pattern`) are not supported"
                )));
            }
            let mut it = part.split('=');
            let (name, level) = match (it.next(), it.next(), it.next()) {
                (Some(word), None, None) => match LevelFilter::from_name(word) {
                    Some(l) => {
                        default = Some(l);
                        continue;
                    }
                    None => (word, LevelFilter::Trace),
                },
                (Some(name), Some(level), None) => {
                    let level = level.trim();
                    let Some(l) = LevelFilter::from_name(level) else {
                        return Err(FilterError(format!(
                            "directive {part:?}: unknown level {level:?} (allowed: {ALLOWED_LEVELS})"
                        )));
                    };
                    (name.trim(), l)
                }
                _ => {
                    return Err(FilterError(format!(
                        "directive {part:?}: more than one `=` (expected `path=level`)"
                    )));
                }
            };
            if !valid_path(name) {
                return Err(FilterError(format!(
                    "directive {part:?}: {name:?} is not a module path (expected `path=level`, \
                     or a bare level: {ALLOWED_LEVELS})"
                )));
            }
            if !part.contains('=')
                && let Some(level) = resembled_level(name)
            {
                return Err(FilterError(format!(
                    "directive {part:?}: not a level, and a bare word is taken as a target \
                     (every level of `{name}`): did you mean `{level}`? To name a target \
                     spelt like a level, give its level: `{name}=trace`"
                )));
            }
            // A later directive for the same path replaces the earlier one
            // (found through an index: 100,000 directives parse in linear time).
            match index.get(name) {
                Some(&i) => directives[i].1 = level,
                None => {
                    index.insert(name, directives.len());
                    directives.push((name.to_owned(), level));
                }
            }
        }
        directives.sort_by_key(|d| std::cmp::Reverse(d.0.len()));
        Ok(Filter {
            default,
            directives,
        })
    }

    /// A filter with only a default level.
    pub(crate) fn level(level: LevelFilter) -> Filter {
        Filter {
            default: Some(level),
            directives: Vec::new(),
        }
    }

    /// Sets the default level if the spec had no bare level.
    pub(crate) fn or_default(mut self, level: LevelFilter) -> Filter {
        self.default.get_or_insert(level);
        self
    }

    /// Adds the services' levels (`path`, level) as directives, except
    /// for a path this filter already has a directive for (the filter's
    /// own directive wins).
    pub(crate) fn under(mut self, services: &[(String, LevelFilter)]) -> Filter {
        for (path, level) in services {
            if !self.directives.iter().any(|(p, _)| p == path) {
                self.directives.push((path.clone(), *level));
            }
        }
        self.directives
            .sort_by_key(|d| std::cmp::Reverse(d.0.len()));
        self
    }

    /// Whether the filter has per-target directives.
    pub(crate) fn has_directives(&self) -> bool {
        !self.directives.is_empty()
    }

    /// The most verbose level recorded for `target`.
    pub(crate) fn level_for(&self, target: &str) -> LevelFilter {
        for (name, level) in &self.directives {
            if let Some(rest) = target.strip_prefix(name.as_str()) {
                if rest.is_empty() || rest.starts_with("::") {
                    return *level;
                }
            }
        }
        self.default.unwrap_or(LevelFilter::Off)
    }

    /// Whether `log`'s max level is not enough to decide a `log` record:
    /// per-target directives, or a `critical` level (which `log` sees as
    /// `error`).
    pub(crate) fn checks_each_record(&self) -> bool {
        self.has_directives() || self.default == Some(LevelFilter::Critical)
    }

    /// The most verbose level any directive (or the default) records.
    pub(crate) fn max_level(&self) -> LevelFilter {
        self.directives
            .iter()
            .map(|d| d.1)
            .fold(self.default.unwrap_or(LevelFilter::Off), Ord::max)
    }
}

/// The cached interest of one macro call site (see the module documentation).
#[derive(Debug)]
pub struct Interest {
    /// 0: not computed; else the call site's max level (`LevelFilter as u8`) + 1.
    /// A record at `level` passes when `level as u8 + 1 < cache`.
    cache: AtomicU8,
    registered: AtomicBool,
}

impl Interest {
    /// A cell not yet computed.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Interest {
        Interest {
            cache: AtomicU8::new(0),
            registered: AtomicBool::new(false),
        }
    }

    /// Whether `level` is recorded at this call site of `target`: one
    /// relaxed load once the cell is computed.
    #[inline(always)]
    pub fn enabled(&'static self, level: Level, target: &'static str) -> bool {
        let v = self.cache.load(Ordering::Relaxed);
        let v = if v == 0 { self.compute(target) } else { v };
        (level as u8) + 1 < v
    }

    #[cold]
    #[inline(never)]
    fn compute(&'static self, target: &'static str) -> u8 {
        let level = |backtrace: LevelFilter| match current() {
            Some(f) => f.level_for(target).max(backtrace),
            None => LevelFilter::from(log::max_level()),
        };
        let mut state = match STATE.try_lock() {
            Ok(state) => state,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            // Another thread is computing or swapping (or held the lock
            // when this process was forked): answer from the current
            // filter without caching, rather than wait.
            Err(TryLockError::WouldBlock) => {
                let backtrace = LevelFilter::from_u8(BACKTRACE.load(Ordering::Relaxed));
                return level(backtrace) as u8 + 1;
            }
        };
        let v = level(state.backtrace) as u8 + 1;
        self.cache.store(v, Ordering::Relaxed);
        if !self.registered.swap(true, Ordering::Relaxed) {
            state.sites.push(self);
        }
        v
    }
}

struct State {
    sites: Vec<&'static Interest>,
    /// The backtrace ring's level (records down to it are created).
    backtrace: LevelFilter,
    /// The builder's `level`: the default of a spec without a bare level.
    base: LevelFilter,
    /// The services' levels, kept under every new filter (see `Filter::under`).
    services: Vec<(String, LevelFilter)>,
}

static STATE: Mutex<State> = Mutex::new(State {
    sites: Vec::new(),
    backtrace: LevelFilter::Off,
    base: LevelFilter::Info,
    services: Vec::new(),
});

/// `State::backtrace` as a `LevelFilter as u8`, for `compute`'s
/// uncached answer (read without the lock).
static BACKTRACE: AtomicU8 = AtomicU8::new(0);

/// The current filter; null until install. Filters are never freed (a
/// swap leaks the previous one: a few bytes per directive, and swaps are
/// rare), so a reader may keep the reference it loaded.
static CURRENT: AtomicPtr<Filter> = AtomicPtr::new(std::ptr::null_mut());

fn lock() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The installed filter, if any.
#[inline]
pub(crate) fn current() -> Option<&'static Filter> {
    let p = CURRENT.load(Ordering::Acquire);
    // SAFETY: a non-null pointer comes from `Box::leak` in `apply` and is
    // never freed or mutated afterwards.
    unsafe { p.as_ref() }
}

/// Whether a `log` record at `level` for `target` passes the per-target
/// directives and a `critical` level (`log`'s max level has already been
/// checked by the caller).
#[inline]
pub(crate) fn allows(level: Level, target: &str) -> bool {
    match current() {
        Some(f) if f.checks_each_record() => f.level_for(target).admits(level),
        _ => true,
    }
}

/// The most verbose level recorded for `target` (in a file or the
/// backtrace ring), or `None` before install: what a call site of
/// `target` would cache.
#[cfg(feature = "tracing")]
pub(crate) fn target_level(target: &str) -> Option<LevelFilter> {
    let backtrace = LevelFilter::from_u8(BACKTRACE.load(Ordering::Relaxed));
    current().map(|f| f.level_for(target).max(backtrace))
}

/// Installs `filter` (at install time, the services' levels already
/// under it): sets `log`'s max level and resets every call site's cached
/// interest. `services` stay under every filter [`set_filter`] installs.
pub(crate) fn install(
    filter: Filter,
    base: LevelFilter,
    backtrace: LevelFilter,
    services: Vec<(String, LevelFilter)>,
) {
    let mut state = lock();
    state.base = base;
    state.services = services;
    state.backtrace = backtrace;
    BACKTRACE.store(backtrace as u8, Ordering::Relaxed);
    apply(&mut state, filter);
    drop(state);
    #[cfg(feature = "tracing")]
    crate::tracing_layer::filter_changed();
}

fn apply(state: &mut State, filter: Filter) {
    log::set_max_level(filter.max_level().max(state.backtrace).to_log());
    let leaked: &'static mut Filter = Box::leak(Box::new(filter));
    CURRENT.store(leaked, Ordering::Release);
    for site in &state.sites {
        site.cache.store(0, Ordering::Relaxed);
    }
}

fn invalid(reason: String) -> InitError {
    InitError::InvalidOption {
        option: "filter",
        reason,
    }
}

/// Replaces the filter at runtime (syntax in `docs/configuration.md`, "Filter
/// directives"): `log`'s max level follows, and every call site of the
/// macros, however hot, sees the new levels at its next check. A spec
/// without a bare level keeps the builder's `level` as the default; the
/// services' levels ([`crate::ServiceSpec::level`]) stay, for every path
/// the spec has no directive for.
///
/// Change levels with this function, not with `log::set_max_level`: the
/// macros cache their level per call site and only a new filter resets it.
///
/// # Errors
///
/// [`InitError::InvalidOption`] (option `filter`) when the spec does not
/// parse (a bare word that resembles a level name, such as `infoo`, is
/// refused with the level it resembles), when the logger is not
/// installed, or when the backtrace ring is on (its level split is fixed
/// at install). The filter is unchanged then.
///
/// # Examples
///
/// ```no_run
/// let _guard = logger::builder().filter("info,strategy=debug").install().unwrap();
/// logger::set_filter("warn,execution::orders=trace").unwrap();
/// ```
pub fn set_filter(spec: &str) -> Result<(), InitError> {
    let parsed = Filter::parse(spec).map_err(|e| invalid(e.to_string()))?;
    let mut state = lock();
    if current().is_none() {
        return Err(invalid(
            "the logger is not installed: pass the filter to `Builder::filter`".into(),
        ));
    }
    if state.backtrace != LevelFilter::Off {
        return Err(invalid(
            "the backtrace ring is on: its level split is fixed at install".into(),
        ));
    }
    let filter = parsed.or_default(state.base).under(&state.services);
    apply(&mut state, filter);
    drop(state);
    #[cfg(feature = "tracing")]
    crate::tracing_layer::filter_changed();
    Ok(())
}

/// Parses a spec for the builder or an environment variable, naming
/// `option` in the error.
pub(crate) fn parse_option(option: &'static str, spec: &str) -> Result<Filter, InitError> {
    Filter::parse(spec).map_err(|e| InitError::InvalidOption {
        option,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use LevelFilter::*;

    fn f(spec: &str) -> Filter {
        Filter::parse(spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"))
    }

    fn err(spec: &str) -> String {
        Filter::parse(spec).unwrap_err().to_string()
    }

    #[test]
    fn empty_spec_has_no_directive_and_no_default() {
        for spec in ["", " ", ",", " , ,"] {
            let x = f(spec);
            assert_eq!(x.default, None, "{spec:?}");
            assert!(!x.has_directives(), "{spec:?}");
            assert_eq!(x.level_for("any"), Off);
            assert_eq!(x.clone().or_default(Info).level_for("any"), Info);
        }
    }

    #[test]
    fn bare_level_is_the_default() {
        let x = f("debug");
        assert_eq!(x.level_for("anything::at::all"), Debug);
        assert_eq!(x.max_level(), Debug);
        assert!(!x.has_directives());
        // The spec's default wins over the builder's level.
        assert_eq!(x.or_default(Error).level_for("a"), Debug);
    }

    #[test]
    fn critical_takes_only_critical_records_and_needs_a_check_per_record() {
        let x = f("critical,noisy=off");
        assert_eq!(x.level_for("app"), Critical);
        assert!(x.level_for("app").admits(Level::Critical));
        assert!(!x.level_for("app").admits(Level::Error));
        assert!(!x.level_for("noisy").admits(Level::Critical));
        assert!(f("critical").checks_each_record());
        assert!(!f("error").checks_each_record());
        assert_eq!(
            f("a=CRITICAL").max_level().to_log(),
            log::LevelFilter::Error
        );
    }

    #[test]
    fn levels_are_case_insensitive() {
        assert_eq!(f("crate1::mod1=ERROR").level_for("crate1::mod1"), Error);
        assert_eq!(f("WaRn").level_for("x"), Warn);
        assert_eq!(f("a=TRACE").level_for("a"), Trace);
        assert_eq!(f("a=Off").level_for("a"), Off);
    }

    #[test]
    fn several_paths_and_a_bare_path_enables_everything() {
        let x = f("crate1::mod1=error,crate1::mod2,crate2=debug");
        assert_eq!(x.level_for("crate1::mod1"), Error);
        assert_eq!(x.level_for("crate1::mod2"), Trace);
        assert_eq!(x.level_for("crate2"), Debug);
        assert_eq!(x.level_for("crate3"), Off);
        assert_eq!(x.max_level(), Trace);
    }

    #[test]
    fn the_issue_example() {
        let x = f("info,strategy=debug,execution::orders=trace,risk=warn");
        assert_eq!(x.level_for("main"), Info);
        assert_eq!(x.level_for("strategy"), Debug);
        assert_eq!(x.level_for("strategy::mm1"), Debug);
        assert_eq!(x.level_for("execution"), Info);
        assert_eq!(x.level_for("execution::orders"), Trace);
        assert_eq!(x.level_for("execution::orders::book"), Trace);
        assert_eq!(x.level_for("execution::fills"), Info);
        assert_eq!(x.level_for("risk::limits"), Warn);
        assert_eq!(x.max_level(), Trace);
    }

    #[test]
    fn longest_prefix_wins_whatever_the_order() {
        for spec in [
            "a=warn,a::b=trace,a::b::c=error",
            "a::b::c=error,a::b=trace,a=warn",
        ] {
            let x = f(spec);
            assert_eq!(x.level_for("a"), Warn, "{spec}");
            assert_eq!(x.level_for("a::x"), Warn, "{spec}");
            assert_eq!(x.level_for("a::b"), Trace, "{spec}");
            assert_eq!(x.level_for("a::b::d"), Trace, "{spec}");
            assert_eq!(x.level_for("a::b::c"), Error, "{spec}");
            assert_eq!(x.level_for("a::b::c::deep"), Error, "{spec}");
        }
    }

    #[test]
    fn matching_is_at_path_boundaries() {
        let x = f("warn,crate1=debug");
        assert_eq!(x.level_for("crate1"), Debug);
        assert_eq!(x.level_for("crate1::m"), Debug);
        // `crate12` and `crate1_x` are other crates, not children.
        assert_eq!(x.level_for("crate12"), Warn);
        assert_eq!(x.level_for("crate1_x"), Warn);
        assert_eq!(x.level_for("crate"), Warn);
        assert_eq!(x.level_for("other::crate1"), Warn);
    }

    #[test]
    fn off_silences_a_target() {
        let x = f("trace,noisy=off");
        assert_eq!(x.level_for("noisy"), Off);
        assert_eq!(x.level_for("noisy::deep"), Off);
        assert_eq!(x.level_for("quiet"), Trace);
        let y = f("off");
        assert_eq!(y.max_level(), Off);
        assert_eq!(y.level_for("x"), Off);
    }

    #[test]
    fn max_level_is_the_most_verbose_directive() {
        assert_eq!(f("error,a=info").max_level(), Info);
        assert_eq!(f("trace,a=off").max_level(), Trace);
        assert_eq!(f("a=warn").max_level(), Warn);
        assert_eq!(f("a=warn").or_default(Debug).max_level(), Debug);
        assert_eq!(f("").or_default(Error).max_level(), Error);
    }

    #[test]
    fn later_directives_replace_earlier_ones() {
        let x = f("a=debug,b=info,a=error");
        assert_eq!(x.level_for("a"), Error);
        assert_eq!(x.directives.len(), 2);
        let y = f("info,a=warn,debug");
        assert_eq!(y.level_for("z"), Debug);
    }

    #[test]
    fn whitespace_and_blank_directives_are_ignored() {
        let x = f(" info , crate1::mod1 = warn ,, crate2=debug , ");
        assert_eq!(x.level_for("x"), Info);
        assert_eq!(x.level_for("crate1::mod1"), Warn);
        assert_eq!(x.level_for("crate2"), Debug);
    }

    #[test]
    fn unknown_level_is_an_error_naming_it() {
        let e = err("crate1::mod1=noNumber,crate2=debug");
        assert!(e.contains("\"noNumber\""), "{e}");
        assert!(
            e.contains("allowed: off, critical, error, warn, info, debug, trace"),
            "{e}"
        );
        assert!(err("a=").contains("unknown level \"\""));
        assert!(err("a=5").contains("unknown level \"5\""));
    }

    #[test]
    fn too_many_equals_is_an_error() {
        let e = err("crate1::mod1=warn=info,crate2=debug");
        assert!(e.contains("more than one `=`"), "{e}");
    }

    #[test]
    fn empty_or_malformed_path_is_an_error() {
        assert!(err("=warn").contains("is not a module path"));
        assert!(err("a::=warn").contains("is not a module path"));
        assert!(err("::a=warn").contains("is not a module path"));
        assert!(err("a b=warn").contains("is not a module path"));
        // A word that is neither a level nor a path.
        assert!(err("inf0 o").contains("is not a module path"));
    }

    #[test]
    fn regex_filters_are_rejected() {
        assert!(err("info/foo").contains("regex filters"));
        assert!(err("crate1=debug/abc").contains("regex filters"));
    }

    #[test]
    fn a_bare_word_that_is_not_a_level_is_a_path() {
        let x = f("info,hyper");
        assert_eq!(x.level_for("hyper::client"), Trace);
        assert_eq!(x.level_for("tokio"), Info);
    }

    #[test]
    fn a_bare_word_like_a_level_is_refused_with_the_level_it_resembles() {
        for (word, level) in [
            ("infoo", "info"),
            ("INFOO", "info"),
            ("ifno", "info"),
            ("inf0", "info"),
            ("warp", "warn"),
            ("wran", "warn"),
            ("eror", "error"),
            ("errors", "error"),
            ("err", "error"),
            ("debgu", "debug"),
            ("deb", "debug"),
            ("trac", "trace"),
            ("tarce", "trace"),
            ("of", "off"),
            ("crit", "critical"),
            ("critcal", "critical"),
            ("warnings", "warning"),
        ] {
            let e = err(&format!("warn,{word}"));
            assert!(
                e.contains(&format!("directive \"{word}\""))
                    && e.contains(&format!("did you mean `{level}`?")),
                "{word}: {e}"
            );
            assert!(e.contains(&format!("`{word}=trace`")), "{word}: {e}");
            // The explicit form names the target.
            assert_eq!(f(&format!("{word}=trace")).level_for(word), Trace, "{word}");
        }
    }

    #[test]
    fn real_targets_are_not_taken_for_levels() {
        let x = f(
            "my_crate,hyper,tokio,tracing,serde,infra,debugger,offset,strategy,my_crate::module=debug",
        );
        for t in [
            "my_crate", "hyper", "tokio", "tracing", "serde", "infra", "debugger", "offset",
            "strategy",
        ] {
            assert_eq!(x.level_for(t), Trace, "{t}");
        }
        assert_eq!(x.level_for("my_crate::module"), Debug);
        // A path with `::` is never a typo of a level, even when a segment is.
        assert_eq!(f("app::info").level_for("app::info"), Trace);
        assert_eq!(f("infoo::x").level_for("infoo::x"), Trace);
    }

    #[test]
    fn set_filter_refuses_a_word_like_a_level() {
        let e = set_filter("infoo").unwrap_err().to_string();
        assert!(
            e.contains("`filter`") && e.contains("did you mean `info`?"),
            "{e}"
        );
    }

    #[test]
    fn levels_round_trip_through_u8() {
        for l in [Off, Critical, Error, Warn, Info, Debug, Trace] {
            assert_eq!(LevelFilter::from_u8(l as u8), l);
        }
    }

    #[test]
    fn set_filter_needs_an_installed_logger() {
        // No test of this crate installs the logger.
        let e = set_filter("info").unwrap_err().to_string();
        assert!(e.contains("not installed"), "{e}");
        let e = set_filter("info,a=loud").unwrap_err().to_string();
        assert!(e.contains("unknown level \"loud\""), "{e}");
    }

    #[test]
    fn targets_with_dots_and_dashes_match() {
        let x = f("my-app.core=debug");
        assert_eq!(x.level_for("my-app.core"), Debug);
        assert_eq!(x.level_for("my-app.core::x"), Debug);
    }
}
