//! Per thread: the spans it has entered, innermost last, each with the
//! guard of the context frame it pushed; and a small cache of the span
//! contexts it entered recently, so that entering a span usually costs
//! no lookup in the subscriber's span storage.
//!
//! A span pushes a frame on enter and ends it on exit, on the thread that
//! entered it (`tracing` enters and exits on one thread: `Entered` guards
//! are not `Send`, and `Instrumented` futures enter and exit around each
//! poll, on whichever worker polls). Frames end innermost first even
//! when spans exit out of order: the frames above the exiting span end
//! first and are pushed again after it, so the thread's context depth
//! stays exact.
//!
//! The cache maps a span id to its [`SpanContext`] (shared by `Arc`). An
//! id names one live span, and a span being entered is live; a cached
//! context is used only while it is not retired (its span closed, which
//! frees the id for reuse, or recorded new fields).

use std::cell::RefCell;
use std::sync::Arc;

use crate::context::{Context, ContextGuard};

use super::span_context::SpanContext;

/// One entered span.
struct Entered {
    /// The layer that entered it (span ids are per subscriber).
    layer: u32,
    /// `Id::into_u64`.
    id: u64,
    /// Whether the frame holds only the span's own fields (its parent
    /// was the entry below), rather than its whole scope.
    own_only: bool,
    /// The frame; `None` when the fields were empty.
    guard: Option<ContextGuard>,
}

/// A cached span context.
struct Cached {
    layer: u32,
    id: u64,
    context: Arc<SpanContext>,
}

/// Entries of the cache (direct-mapped by span id).
const CACHE_SLOTS: usize = 32;

struct ThreadSpans {
    stack: Vec<Entered>,
    cache: [Option<Cached>; CACHE_SLOTS],
}

thread_local! {
    static SPANS: RefCell<ThreadSpans> = const {
        RefCell::new(ThreadSpans {
            stack: Vec::new(),
            cache: [const { None }; CACHE_SLOTS],
        })
    };
}

/// Runs `f` on this thread's state; nothing when the thread is exiting
/// or the state is already borrowed.
#[inline]
fn with_spans(f: impl FnOnce(&mut ThreadSpans)) {
    let _ = SPANS.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            f(&mut s);
        }
    });
}

/// Pushes `ctx`'s frame, unless it is empty.
#[inline]
fn frame(ctx: &Context) -> Option<ContextGuard> {
    (!ctx.is_empty()).then(|| ctx.enter())
}

#[inline]
fn slot(id: u64) -> usize {
    // Registry ids are slab indices plus one: the low bits vary most.
    (id as usize ^ (id >> 32) as usize) % CACHE_SLOTS
}

/// Records that span `id` was entered, pushing its own fields when its
/// parent is the span entered last on this thread, else its whole scope.
/// `lookup` finds its context in the span storage when the cache has no
/// live copy.
#[inline]
pub(crate) fn enter(layer: u32, id: u64, lookup: impl FnOnce() -> Option<Arc<SpanContext>>) {
    with_spans(|s| {
        let i = slot(id);
        let hit = s.cache[i]
            .as_ref()
            .is_some_and(|c| c.layer == layer && c.id == id && !c.context.is_retired());
        if !hit {
            let Some(context) = lookup() else {
                return;
            };
            s.cache[i] = Some(Cached { layer, id, context });
        }
        let Some(cached) = s.cache[i].as_ref() else {
            return;
        };
        let c = &cached.context;
        let own_only = c.parent.is_some()
            && s.stack
                .last()
                .is_some_and(|top| top.layer == layer && Some(top.id) == c.parent);
        let guard = frame(if own_only { &c.own } else { &c.scope });
        s.stack.push(Entered {
            layer,
            id,
            own_only,
            guard,
        });
    });
}

/// Records that span `id` was exited: ends its frame (the innermost entry
/// of `id`). When spans above it are still entered, their frames end
/// first and `scope_of` gives their scopes to push again. An exit without
/// a matching enter on this thread is ignored.
#[inline]
pub(crate) fn exit(layer: u32, id: u64, scope_of: impl Fn(u64) -> Option<Context>) {
    with_spans(|s| {
        let stack = &mut s.stack;
        if stack
            .last()
            .is_some_and(|top| top.layer == layer && top.id == id)
        {
            stack.pop();
            return;
        }
        let Some(i) = stack.iter().rposition(|e| e.layer == layer && e.id == id) else {
            return;
        };
        let mut above: Vec<Entered> = stack.drain(i + 1..).collect();
        for e in above.iter_mut().rev() {
            e.guard = None;
        }
        stack.pop();
        for mut e in above {
            e.own_only = false;
            e.guard = scope_of(e.id).as_ref().and_then(frame);
            stack.push(e);
        }
    });
}

/// Span `id` recorded new fields (its context is now `c`): when it is the
/// span entered last on this thread, its frame is replaced so that the
/// next records carry them. (Elsewhere they apply from its next enter.)
pub(crate) fn refresh(layer: u32, id: u64, c: &SpanContext) {
    with_spans(|s| {
        if let Some(top) = s
            .stack
            .last_mut()
            .filter(|t| t.layer == layer && t.id == id)
        {
            top.guard = None;
            top.guard = frame(if top.own_only { &c.own } else { &c.scope });
        }
    });
}
