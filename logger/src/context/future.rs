//! Carrying a context along a future, across `.await` points and the
//! worker threads of a multi-threaded executor.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::Context;
use crate::loggable::Loggable;

/// Adds [`with_correlation`](WithCorrelation::with_correlation) and
/// [`with_context`](WithCorrelation::with_context) to every future.
///
/// # Examples
///
/// ```
/// use logger::WithCorrelation;
///
/// async fn place_order() {
///     log::info!("sent"); // carries correlation_id "trade-12345"
/// }
/// let task = place_order().with_correlation("trade-12345");
/// # drop(task);
/// ```
pub trait WithCorrelation: Future + Sized {
    /// Every record logged while this future runs (on whatever thread
    /// polls it, and while it is dropped) carries correlation id `id`.
    fn with_correlation(self, id: impl Loggable) -> Correlated<Self> {
        self.with_context(Context::new().correlation(id))
    }

    /// Every record logged while this future runs carries `context`.
    fn with_context(self, context: Context) -> Correlated<Self> {
        Correlated {
            inner: ManuallyDrop::new(self),
            context,
        }
    }
}

impl<F: Future> WithCorrelation for F {}

/// A future that enters its [`Context`] around every poll of the future
/// it wraps (two context frames per poll), and around its drop, so that a
/// `#[log_performance]` record of a cancelled future carries it too.
/// Made by [`WithCorrelation`].
///
/// # Examples
///
/// ```
/// use logger::{Context, Correlated, WithCorrelation};
///
/// async fn hedge() {}
/// let ctx = Context::new().correlation("trade-1").with("desk", "fx");
/// let task: Correlated<_> = hedge().with_context(ctx);
/// # drop(task);
/// ```
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Correlated<F> {
    inner: ManuallyDrop<F>,
    context: Context,
}

impl<F: Future> Future for Correlated<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of
        // `self` (only dropped in place, in `Drop`), and `Correlated` has
        // no `Unpin` impl of its own that would let it move while `F` is
        // not `Unpin`. `context` is not pinned; it is only read.
        let this = unsafe { self.get_unchecked_mut() };
        let _guard = this.context.enter();
        // SAFETY: see above; `inner` stays where it is for its whole life.
        let inner = unsafe { Pin::new_unchecked(&mut *this.inner) };
        inner.poll(cx)
    }
}

impl<F> Drop for Correlated<F> {
    fn drop(&mut self) {
        let _guard = self.context.enter();
        // SAFETY: `inner` is dropped exactly once, here, in place (as the
        // pinning contract requires), and never used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}
