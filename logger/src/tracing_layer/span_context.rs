//! A span's fields as context: encoded once, when the span is created or
//! records a value, and kept in the span's extensions for `on_enter`.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_core::field::{Field, Visit};

use crate::context::{Context, EncodedFrame};
use crate::loggable::LogValue;

use super::span_perf::SpanTiming;

/// What entering a span puts on the thread's context. Immutable once
/// made and shared (`Arc`) between the span's extensions and the
/// threads' caches of entered spans (see [`super::entered`]); a span
/// that records a field gets a new one, and the old one is retired.
#[derive(Debug)]
pub(crate) struct SpanContext {
    /// The span's own fields.
    pub(crate) own: Context,
    /// Its parents' fields, outermost first, then its own: entered when
    /// its parent is not the span this thread entered last (a task
    /// polled on another thread than the one that made its span).
    pub(crate) scope: Context,
    /// `own` as the ring record entering it writes; `None` when empty.
    pub(crate) own_frame: Option<EncodedFrame>,
    /// `scope` likewise.
    pub(crate) scope_frame: Option<EncodedFrame>,
    /// The parent's scope, kept to rebuild `scope` when a field is
    /// recorded later.
    inherited: Context,
    /// The parent span's id (`Id::into_u64`).
    pub(crate) parent: Option<u64>,
    /// The span's times, when the layer writes a `perf` record at its
    /// close ([`TracingLayer::span_perf`](super::TracingLayer::span_perf)).
    pub(crate) timing: Option<Arc<SpanTiming>>,
    /// Set when the span closed or recorded a field: a cached copy must
    /// not be used any more (a closed span's id may be given to a new
    /// span).
    retired: AtomicBool,
}

impl SpanContext {
    /// The context of a new span with fields `own`, inside a parent
    /// whose scope is `inherited`.
    pub(crate) fn new(
        own: Context,
        inherited: Context,
        parent: Option<u64>,
        timing: Option<Arc<SpanTiming>>,
    ) -> SpanContext {
        let scope = inherited.extended(&own);
        SpanContext {
            own_frame: own.encoded_frame(),
            scope_frame: scope.encoded_frame(),
            own,
            scope,
            inherited,
            parent,
            timing,
            retired: AtomicBool::new(false),
        }
    }

    /// This context with fields recorded after the span was made
    /// (`Span::record`) added; a field recorded twice keeps its last
    /// value. Retires `self`.
    pub(crate) fn recorded(&self, values: &tracing_core::span::Record<'_>) -> SpanContext {
        let mut visitor = FieldsToContext(self.own.clone());
        values.record(&mut visitor);
        self.retire();
        SpanContext::new(
            visitor.0,
            self.inherited.clone(),
            self.parent,
            self.timing.clone(),
        )
    }

    /// Marks this context as no longer the span's.
    pub(crate) fn retire(&self) {
        self.retired.store(true, Ordering::Release);
    }

    /// Whether it was retired.
    #[inline]
    pub(crate) fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }
}

/// The span extension: the current [`SpanContext`].
#[derive(Debug)]
pub(crate) struct SpanContextRef(pub(crate) Arc<SpanContext>);

/// Adds each field to a [`Context`] by its type (as the event fields are
/// typed); a field named `correlation_id` sets the correlation id.
pub(crate) struct FieldsToContext(pub(crate) Context);

impl FieldsToContext {
    fn add(&mut self, field: &Field, value: LogValue<'_>) {
        let ctx = std::mem::take(&mut self.0);
        self.0 = ctx.with(field.name(), value);
    }
}

impl Visit for FieldsToContext {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.add(field, LogValue::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.add(field, LogValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.add(field, LogValue::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.add(field, LogValue::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.add(field, LogValue::U128(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.add(field, LogValue::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field, LogValue::Str(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.add(field, LogValue::Str(&value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.add(field, LogValue::Str(&format!("{value:?}")));
    }
}
