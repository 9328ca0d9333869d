//! Span close as a `perf` record (`TracingLayer::span_perf`): the span's
//! name as `operation`, `elapsed_ns` from its creation to its close,
//! `busy_ns` the time it was entered (summed over threads and enters) and
//! `polls` how many times it was entered, the names `#[log_performance]`
//! gives an `async fn`'s figures.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tracing_core::Metadata;

use crate::callsite::Callsite;
use crate::clock;
use crate::loggable::LogValue;
use crate::view::Kind;

use super::level::log_level;

/// The record's fields, in the order of its values.
const FIELDS: &[&str] = &["operation", "elapsed_ns", "busy_ns", "polls"];

/// One span's times, shared by every copy of its context.
#[derive(Debug)]
pub(crate) struct SpanTiming {
    meta: &'static Metadata<'static>,
    /// `clock::now_raw` when the span was made.
    created: u64,
    /// Raw ticks spent entered.
    busy: AtomicU64,
    /// Number of enters.
    polls: AtomicU64,
}

impl SpanTiming {
    /// The timing of a span of `meta` made now.
    pub(crate) fn start(meta: &'static Metadata<'static>) -> SpanTiming {
        SpanTiming {
            meta,
            created: clock::now_raw(),
            busy: AtomicU64::new(0),
            polls: AtomicU64::new(0),
        }
    }

    /// Adds one enter that began at raw time `entered` and ends now.
    #[inline]
    pub(crate) fn exited(&self, entered: u64) {
        let ticks = clock::now_raw().saturating_sub(entered);
        self.busy.fetch_add(ticks, Ordering::Relaxed);
        self.polls.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes the span's `perf` record, if the filter directives let its
    /// level and target through.
    pub(crate) fn closed(&self) {
        if !super::event_filter::records(self.meta) {
            return;
        }
        let elapsed = clock::elapsed_ns(self.created, clock::now_raw());
        let busy = clock::ticks_to_ns(self.busy.load(Ordering::Relaxed));
        let values = [
            LogValue::StaticStr(self.meta.name()),
            LogValue::U64(elapsed),
            LogValue::U64(busy),
            LogValue::U64(self.polls.load(Ordering::Relaxed)),
        ];
        crate::__private::push(callsite(self.meta), &values);
    }
}

/// The `perf` call site of the spans of `meta`: made at the first close
/// of such a span and kept for the process's life (one per span call
/// site, as the macros' are `static`).
fn callsite(meta: &'static Metadata<'static>) -> &'static Callsite {
    static SITES: OnceLock<Mutex<HashMap<usize, &'static Callsite>>> = OnceLock::new();
    let sites = SITES.get_or_init(Default::default);
    let key = std::ptr::from_ref(meta) as usize;
    let mut sites = crate::registry::lock(sites);
    sites.entry(key).or_insert_with(|| {
        Box::leak(Box::new(Callsite {
            kind: Kind::Perf,
            level: crate::Level::from(log_level(meta.level())),
            target: meta.target(),
            module: meta.module_path().unwrap_or(""),
            file: meta.file().unwrap_or(""),
            line: meta.line().unwrap_or(0),
            message: meta.name(),
            message_args: 0,
            fields: FIELDS,
            function: None,
        }))
    })
}
