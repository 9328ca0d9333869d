//! The logger's filter directives as a per-layer `tracing` filter.

use tracing_core::{Interest, LevelFilter, Metadata};
use tracing_subscriber::layer::{Context, Filter};

use super::level::log_level;

/// A per-layer [`Filter`] that lets through the events the logger's
/// filter directives record (the builder's `level` and `filter`,
/// `LOGGER_LEVEL` / `RUST_LOG`, [`set_filter`](crate::set_filter)), and
/// every span (a span's fields are context for the events inside it,
/// whatever the span's level, as [`bind!`](crate::bind) context is).
///
/// A call site's answer is cached by `tracing` (`Interest::always` /
/// `never`) and recomputed when the filter changes. Before
/// [`install`](crate::Builder::install) every event is checked at each
/// call.
///
/// Events that `tracing-log` made from `log` records (the `log` facade is
/// ours once the logger is installed, so these are copies) are left out.
///
/// # Examples
///
/// ```
/// use tracing_subscriber::Layer as _;
///
/// // What `logger::tracing_layer()` builds:
/// let layer = logger::tracing_layer::TracingLayer::new()
///     .with_filter(logger::tracing_layer::DirectiveFilter);
/// # let _ = layer;
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectiveFilter;

impl DirectiveFilter {
    fn event_enabled(meta: &Metadata<'_>) -> bool {
        if is_from_log(meta) {
            return false;
        }
        let level = log_level(meta.level());
        match crate::filter::target_level(meta.target()) {
            Some(max) => level <= max,
            None => level <= log::max_level(),
        }
    }
}

/// Whether `meta` is `tracing-log`'s: its `LogTracer` turns `log`
/// records into events with the fields `message`, `log.target`,
/// `log.module_path`, `log.file` and `log.line` (named `log event` on
/// the call site, `log record` when checked).
fn is_from_log(meta: &Metadata<'_>) -> bool {
    let fields = meta.fields();
    fields.field("log.target").is_some() && fields.field("log.module_path").is_some()
}

impl<S> Filter<S> for DirectiveFilter {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        meta.is_span() || Self::event_enabled(meta)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_span() {
            return Interest::always();
        }
        if is_from_log(meta) {
            return Interest::never();
        }
        match crate::filter::target_level(meta.target()) {
            Some(max) if log_level(meta.level()) <= max => Interest::always(),
            Some(_) => Interest::never(),
            None => Interest::sometimes(),
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        // No hint: spans of every level are wanted for their context, so
        // no level may be skipped wholesale. Disabled events still cost
        // only their call site's cached `never`.
        None
    }
}

/// Recomputes every `tracing` call site's interest (after the filter
/// changed).
pub(crate) fn filter_changed() {
    tracing_core::callsite::rebuild_interest_cache();
}
