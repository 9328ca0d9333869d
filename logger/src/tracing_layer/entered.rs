//! Per thread: the spans it has entered, innermost last, and a small
//! cache of the span contexts it entered recently, so that entering a
//! span usually costs no lookup in the subscriber's span storage.
//!
//! Entering a span writes nothing: it is noted on the thread's stack, and
//! the thread's ring is told that frames are pending
//! (`thread_ring::set_frames_pending`). The frames of the entries not yet
//! written (always the innermost ones) are written just before the
//! thread's next record or context frame ([`write_pending_frames`]). So a
//! span entered and exited with no record inside costs a stack push and
//! pop, and a record inside spans gets exactly the context of the spans
//! entered when it was logged. Each frame is the span's own fields when
//! the entry below it is its parent, else its whole scope (a task polled
//! on another thread than the one that made its span), encoded once per
//! span ([`SpanContext`]).
//!
//! A span's frame ends on exit, on the thread that entered it (`tracing`
//! enters and exits on one thread: `Entered` guards are not `Send`, and
//! `Instrumented` futures enter and exit around each poll, on whichever
//! worker polls). Frames end innermost first even when spans exit out of
//! order: the frames above the exiting span end with it and are written
//! again, as scopes, before the next record, so the thread's context
//! depth stays exact.
//!
//! The cache maps a span id to its [`SpanContext`] (shared by `Arc`). An
//! id names one live span, and a span being entered is live; a cached
//! context is used only while it is not retired (its span closed, which
//! frees the id for reuse, or recorded new fields).

use std::cell::RefCell;
use std::sync::Arc;

use crate::context;
use crate::frontend::thread_ring;

use super::span_context::SpanContext;

/// One entered span.
struct Entered {
    /// The layer that entered it (span ids are per subscriber).
    layer: u32,
    /// `Id::into_u64`.
    id: u64,
    /// Its context, as when it was entered (or last recorded a field).
    context: Arc<SpanContext>,
    /// The depth of its frame once written (`context::next_depth`); 0
    /// when it wrote none (no fields) or is not written yet.
    depth: u32,
    /// `clock::now_raw` at the enter, when the span is timed
    /// ([`SpanContext::timing`]); else 0.
    entered_at: u64,
}

impl Entered {
    /// Ends this enter: its time goes to the span's timing, if timed.
    #[inline(always)]
    fn exited(&self) {
        if let Some(timing) = &self.context.timing {
            timing.exited(self.entered_at);
        }
    }
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
    /// How many entries, from the outermost, have their frame written;
    /// the others wait for the next record.
    written: usize,
    /// Whether the ring was told frames are pending since it last asked
    /// for them ([`write_pending_frames`]): it is told once, and may ask
    /// when none are left (an entry exited before any record), which
    /// costs that record a call here.
    marked: bool,
    cache: [Option<Cached>; CACHE_SLOTS],
}

thread_local! {
    static SPANS: RefCell<ThreadSpans> = const {
        RefCell::new(ThreadSpans {
            stack: Vec::new(),
            written: 0,
            marked: false,
            cache: [const { None }; CACHE_SLOTS],
        })
    };
}

/// Runs `f` on this thread's state; nothing when the thread is exiting
/// or the state is already borrowed.
#[inline(always)]
fn with_spans(f: impl FnOnce(&mut ThreadSpans)) {
    let _ = SPANS.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            f(&mut s);
        }
    });
}

#[inline(always)]
fn slot(id: u64) -> usize {
    // Registry ids are slab indices plus one: the low bits vary most.
    (id as usize ^ (id >> 32) as usize) % CACHE_SLOTS
}

/// Records that span `id` was entered (its frame is written before the
/// thread's next record). `lookup` finds its context in the span storage
/// when the cache has no live copy.
#[inline(always)]
pub(crate) fn enter(layer: u32, id: u64, lookup: impl FnOnce() -> Option<Arc<SpanContext>>) {
    with_spans(|s| {
        let i = slot(id);
        let context = match &s.cache[i] {
            Some(c) if c.layer == layer && c.id == id && !c.context.is_retired() => {
                Arc::clone(&c.context)
            }
            _ => {
                let Some(context) = lookup() else {
                    return;
                };
                s.cache[i] = Some(Cached {
                    layer,
                    id,
                    context: Arc::clone(&context),
                });
                context
            }
        };
        if !s.marked {
            s.marked = thread_ring::set_frames_pending(true);
        }
        let entered_at = if context.timing.is_some() {
            crate::clock::now_raw()
        } else {
            0
        };
        s.stack.push(Entered {
            layer,
            id,
            context,
            depth: 0,
            entered_at,
        });
    });
}

/// Records that span `id` was exited: ends its frame (the innermost entry
/// of `id`), if it was written. An exit without a matching enter on this
/// thread is ignored.
#[inline(always)]
pub(crate) fn exit(layer: u32, id: u64) {
    with_spans(|s| {
        let n = s.stack.len();
        if let Some(top) = s.stack.last()
            && top.id == id
            && top.layer == layer
        {
            if s.written == n {
                // Nothing pending, so the pop writes no span frame.
                if top.depth != 0 {
                    context::pop_frame(top.depth);
                }
                s.written = n - 1;
            }
            top.exited();
            s.stack.pop();
            return;
        }
        exit_out_of_order(s, layer, id);
    });
}

/// [`exit`] of a span that is not the innermost one entered: the written
/// frames from its own up end, the entries above it are written again
/// before the next record.
#[cold]
fn exit_out_of_order(s: &mut ThreadSpans, layer: u32, id: u64) {
    let Some(i) = s.stack.iter().rposition(|e| e.layer == layer && e.id == id) else {
        return;
    };
    // Frames are written in stack order, so the lowest of these ends them
    // all. The pop may write the pending frames first: it cannot here (the
    // state is borrowed), which is right, since they are written anew.
    let lowest = s.stack[i..s.written.max(i)]
        .iter()
        .map(|e| e.depth)
        .find(|&d| d != 0);
    if let Some(depth) = lowest {
        context::pop_frame(depth);
    }
    s.stack.remove(i).exited();
    s.written = s.written.min(i);
    for e in &mut s.stack[i..] {
        e.depth = 0;
    }
    s.marked = thread_ring::set_frames_pending(s.stack.len() > s.written);
}

/// Span `id` recorded new fields (its context is now `c`): when it is the
/// span entered last on this thread, its frame is replaced so that the
/// next records carry them. (Elsewhere they apply from its next enter.)
pub(crate) fn refresh(layer: u32, id: u64, c: &Arc<SpanContext>) {
    with_spans(|s| {
        let n = s.stack.len();
        let Some(top) = s
            .stack
            .last_mut()
            .filter(|t| t.layer == layer && t.id == id)
        else {
            return;
        };
        top.context = Arc::clone(c);
        if s.written == n {
            if top.depth != 0 {
                context::pop_frame(top.depth);
            }
            top.depth = 0;
            s.written = n - 1;
            if !s.marked {
                s.marked = thread_ring::set_frames_pending(true);
            }
        }
    });
}

/// Writes the frames of this thread's entries not written yet, outermost
/// first, each through `write(record, depth)` (the thread's ring, from
/// inside the push of the record they precede; it has cleared its pending
/// mark). Nothing when the state is borrowed (an out-of-order exit is
/// changing it, and marks the ring again as needed).
pub(crate) fn write_pending_frames(mut write: impl FnMut(&[u64], u32)) {
    with_spans(|s| {
        s.marked = false;
        while s.written < s.stack.len() {
            let k = s.written;
            let (below, rest) = s.stack.split_at_mut(k);
            let e = &mut rest[0];
            let c = &e.context;
            let own_only = c.parent.is_some_and(|parent| {
                below
                    .last()
                    .is_some_and(|b| b.id == parent && b.layer == e.layer)
            });
            let frame = if own_only {
                c.own_frame.as_ref()
            } else {
                c.scope_frame.as_ref()
            };
            e.depth = match frame {
                Some(f) => {
                    let depth = context::next_depth();
                    write(f.words(), depth);
                    depth
                }
                None => 0,
            };
            s.written = k + 1;
        }
    });
}
