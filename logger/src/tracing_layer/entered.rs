//! The spans this thread has entered, innermost last, each with the
//! guard of the context frame it pushed.
//!
//! A span pushes a frame on enter and ends it on exit, on the thread that
//! entered it (`tracing` enters and exits on one thread: `Entered` guards
//! are not `Send`, and `Instrumented` futures enter and exit around each
//! poll, on whichever worker polls). Frames end innermost first even
//! when spans exit out of order: the frames above the exiting span end
//! first and are pushed again after it, so the thread's context depth
//! stays exact.

use std::cell::RefCell;

use crate::context::{Context, ContextGuard};

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

thread_local! {
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's stack; nothing when the thread is exiting or
/// the stack is already borrowed.
#[inline]
fn with_stack(f: impl FnOnce(&mut Vec<Entered>)) {
    let _ = ENTERED.try_with(|s| {
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

/// Records that span `id` (whose parent is `parent`) was entered: its own
/// fields `own` when the parent is the span entered last on this thread,
/// else its whole `scope`.
#[inline]
pub(crate) fn enter(layer: u32, id: u64, parent: Option<u64>, own: &Context, scope: &Context) {
    with_stack(|s| {
        let own_only = parent.is_some()
            && s.last()
                .is_some_and(|top| top.layer == layer && Some(top.id) == parent);
        let guard = frame(if own_only { own } else { scope });
        s.push(Entered {
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
    with_stack(|s| {
        let Some(i) = s.iter().rposition(|e| e.layer == layer && e.id == id) else {
            return;
        };
        if i + 1 == s.len() {
            s.pop();
            return;
        }
        let mut above: Vec<Entered> = s.drain(i + 1..).collect();
        for e in above.iter_mut().rev() {
            e.guard = None;
        }
        s.pop();
        for mut e in above {
            e.own_only = false;
            e.guard = scope_of(e.id).as_ref().and_then(frame);
            s.push(e);
        }
    });
}

/// Span `id` recorded new fields: when it is the span entered last on
/// this thread, its frame is replaced so that the next records carry
/// them. (Elsewhere they apply from its next enter.)
pub(crate) fn refresh(layer: u32, id: u64, own: &Context, scope: &Context) {
    with_stack(|s| {
        if let Some(top) = s.last_mut().filter(|t| t.layer == layer && t.id == id) {
            top.guard = None;
            top.guard = frame(if top.own_only { own } else { scope });
        }
    });
}
