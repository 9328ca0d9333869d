//! `tracing` and `log` in one process: each record written once.
//!
//! With `tracing`'s `log-always` feature, every `tracing` event is also
//! sent to the `log` facade, whose backend is ours: the layer has already
//! written that event. The layer notes the file and line of the last
//! event it wrote on this thread; `tracing` sends the copy right after
//! dispatching the event, on the same thread, with the same `&'static`
//! file string, so the `log` adapter skips a record whose file (by
//! address) and line match, and clears the note on every record it
//! checks. The span records `tracing` sends to `log` (targets
//! `tracing::span` and `tracing::span::active`) are skipped too once a
//! layer exists: spans are the layer's context.
//!
//! The other direction, `tracing-log`'s `LogTracer` (`log` records made
//! into events), is left out by [`super::DirectiveFilter`].

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_core::Metadata;

thread_local! {
    /// File address and line of the last event the layer wrote here.
    static LAST_EVENT: Cell<(usize, u32)> = const { Cell::new((0, 0)) };
}

/// Whether a layer was made in this process.
static LAYER_MADE: AtomicBool = AtomicBool::new(false);

/// A layer was made: `tracing`'s span records to `log` are now redundant.
pub(crate) fn layer_made() {
    LAYER_MADE.store(true, Ordering::Relaxed);
}

/// Notes the event the layer just wrote on this thread.
#[inline]
pub(crate) fn note_event(meta: &Metadata<'_>) {
    if let Some(file) = meta.file() {
        let _ = LAST_EVENT.try_with(|c| c.set((file.as_ptr() as usize, meta.line().unwrap_or(0))));
    }
}

/// Whether `record` is `tracing`'s `log` copy of what the layer wrote:
/// the event noted last on this thread, or a span record.
#[inline]
pub(crate) fn is_copy_of_last_event(record: &log::Record<'_>) -> bool {
    let last = LAST_EVENT.try_with(|c| c.replace((0, 0))).unwrap_or((0, 0));
    if last.0 != 0
        && record.file().map(|f| f.as_ptr() as usize) == Some(last.0)
        && record.line().unwrap_or(0) == last.1
    {
        return true;
    }
    LAYER_MADE.load(Ordering::Relaxed) && record.target().starts_with("tracing::span")
}
