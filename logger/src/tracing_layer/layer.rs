//! The [`TracingLayer`]: `tracing` events as records, spans as context.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, LevelFilter, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::span_context::{FieldsToContext, SpanContext, SpanContextRef};
use super::span_perf::SpanTiming;
use super::{entered, event, event_filter, log_bridge};

/// A `tracing_subscriber` [`Layer`] that writes every event it sees as a
/// record of kind `log` into the logger's files, and makes the fields of
/// the spans an event is inside its `context` (outermost first); a span
/// field named `correlation_id` sets the record's `correlation_id`.
///
/// Events are checked against the logger's filter directives; the layer
/// filters nothing for other layers. Needs a subscriber with span
/// storage (`tracing_subscriber::registry()`).
///
/// Records are written once the logger is installed
/// ([`Builder::install`](crate::Builder::install)); before, events are
/// counted as dropped, as `log` records are.
///
/// # Examples
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// let _guard = logger::builder().dir("logs").install().unwrap();
/// // tracing's per-layer filters apply as to any layer:
/// let layer = logger::tracing_layer::TracingLayer::new()
///     .with_filter(tracing_subscriber::filter::filter_fn(|m| m.target() != "noisy"));
/// tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();
/// ```
#[derive(Debug)]
pub struct TracingLayer {
    /// Tells this layer's entries apart on a thread's entered-span stack.
    id: u32,
    /// Write a `perf` record at each span's close ([`Self::span_perf`]).
    span_perf: bool,
}

impl TracingLayer {
    /// A new layer, unfiltered.
    pub fn new() -> TracingLayer {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        log_bridge::layer_made();
        TracingLayer {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            span_perf: false,
        }
    }

    /// With `true`, each span's close also writes a record of kind
    /// `perf`, as `#[log_performance]` does for an `async fn`: message and
    /// `operation` the span's name, `elapsed_ns` from the span's creation
    /// to its close, `busy_ns` the time it spent entered (summed over
    /// every enter, on every thread) and `polls` how many times it was
    /// entered (an `Instrumented` future's polls, plus the enter in which
    /// it drops the finished future). Its level, target,
    /// module, file and line are the span's, and it goes through the same
    /// filter directives as events; it is routed to the perf file like
    /// every `perf` record. Off by default: it costs a clock read at each
    /// enter and at each exit, and one record per span.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use tracing_subscriber::prelude::*;
    ///
    /// let _guard = logger::builder().dir("logs").install().unwrap();
    /// let layer = logger::tracing_layer().span_perf(true);
    /// tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();
    /// {
    ///     let _e = tracing::info_span!("price_book", levels = 10_u64).entered();
    /// } // {"level":"INFO","kind":"perf",...,"msg":"price_book",...,
    ///   //  "fields":{"operation":"price_book","elapsed_ns":..,"busy_ns":..,"polls":1}}
    /// ```
    pub fn span_perf(mut self, on: bool) -> TracingLayer {
        self.span_perf = on;
        self
    }
}

impl Default for TracingLayer {
    fn default() -> Self {
        TracingLayer::new()
    }
}

impl<S> Layer<S> for TracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut own = FieldsToContext(crate::Context::new());
        attrs.record(&mut own);
        let parent = span.parent();
        let inherited = parent
            .as_ref()
            .and_then(|p| {
                let ext = p.extensions();
                ext.get::<SpanContextRef>().map(|c| c.0.scope.clone())
            })
            .unwrap_or_default();
        let timing = self
            .span_perf
            .then(|| Arc::new(SpanTiming::start(attrs.metadata())));
        let context = SpanContext::new(own.0, inherited, parent.map(|p| p.id().into_u64()), timing);
        span.extensions_mut()
            .insert(SpanContextRef(Arc::new(context)));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut ext = span.extensions_mut();
        if let Some(c) = ext.get_mut::<SpanContextRef>() {
            c.0 = Arc::new(c.0.recorded(values));
            entered::refresh(self.id, id.into_u64(), &c.0);
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        entered::enter(self.id, id.into_u64(), || {
            let span = ctx.span(id)?;
            let ext = span.extensions();
            ext.get::<SpanContextRef>().map(|c| Arc::clone(&c.0))
        });
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        entered::exit(self.id, id.into_u64());
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id) {
            if let Some(c) = span.extensions().get::<SpanContextRef>() {
                c.0.retire();
                if let Some(timing) = &c.0.timing {
                    timing.closed();
                }
            }
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        event_filter::max_level_hint()
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event_filter::records(event.metadata()) {
            return;
        }
        event::push(event);
        log_bridge::note_event(event.metadata());
    }
}
