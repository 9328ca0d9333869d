//! Which events the layer writes: the logger's filter directives (the
//! builder's `level` and `filter`, `LOGGER_LEVEL` / `RUST_LOG`,
//! [`set_filter`](crate::set_filter)), checked in the layer itself.
//!
//! The layer never disables anything for the other layers of the
//! subscriber (it is not a global filter): it answers `tracing`'s
//! `max_level_hint` with the most verbose level of the directives, so
//! that `tracing`'s macros skip more verbose events and spans with one
//! compare, and checks each event's target against the directives
//! before it writes it. It is not a per-layer `Filter` either: those
//! cost a span lookup on every span enter and exit.

use tracing_core::{LevelFilter, Metadata};

use super::level::log_level;

/// Whether the directives record an event of `meta`'s level and target
/// (`tracing-log`'s events are left out: `log` records reach the logger
/// directly).
#[inline]
pub(crate) fn records(meta: &Metadata<'_>) -> bool {
    let level = log_level(meta.level());
    let allowed = match crate::filter::target_level(meta.target()) {
        Some(max) => max.admits(crate::Level::from(level)),
        None => level <= log::max_level(),
    };
    allowed && !is_from_log(meta)
}

/// Whether `meta` is `tracing-log`'s: its `LogTracer` turns `log`
/// records into events named `log event` with the fields `message`,
/// `log.target`, `log.module_path`, `log.file` and `log.line`.
fn is_from_log(meta: &Metadata<'_>) -> bool {
    meta.name() == "log event" && meta.fields().field("log.target").is_some()
}

/// The most verbose level of the directives, as `tracing`'s hint; none
/// before the logger is installed.
pub(crate) fn max_level_hint() -> Option<LevelFilter> {
    crate::filter::current()?;
    Some(match log::max_level() {
        log::LevelFilter::Off => LevelFilter::OFF,
        log::LevelFilter::Error => LevelFilter::ERROR,
        log::LevelFilter::Warn => LevelFilter::WARN,
        log::LevelFilter::Info => LevelFilter::INFO,
        log::LevelFilter::Debug => LevelFilter::DEBUG,
        log::LevelFilter::Trace => LevelFilter::TRACE,
    })
}

/// Recomputes `tracing`'s cached interest and maximum level (after the
/// logger's filter changed).
pub(crate) fn filter_changed() {
    tracing_core::callsite::rebuild_interest_cache();
}
