//! Correlation ids and bound context: key-values that every record of a
//! thread carries while a guard lives.
//!
//! Entering a context writes one *frame* into the thread's ring (a control
//! record, never dropped, not counted in the metrics); dropping the guard
//! writes one more that ends it. The flusher keeps each thread's stack of
//! frames and adds it to every record of that thread it formats. So a
//! record costs nothing more on the logging thread with a context than
//! without one: `trade!` writes exactly the same bytes. What a context
//! costs is its two frames, paid where the guard is made and dropped.

mod future;

use std::cell::Cell;
use std::marker::PhantomData;

use crate::frontend::thread_ring;
use crate::loggable::{LogValue, Loggable};
use crate::wire;

pub use future::{Correlated, WithCorrelation};

/// The key under which a correlation id is bound: binding it with
/// [`bind!`](crate::bind) or [`Context::with`] sets the correlation id.
///
/// # Examples
///
/// ```
/// let ctx = logger::Context::new().with(logger::CORRELATION_KEY, "trade-1");
/// assert_eq!(ctx, logger::Context::new().correlation("trade-1"));
/// ```
pub const CORRELATION_KEY: &str = "correlation_id";

thread_local! {
    /// How many context guards of this thread are live.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Keeps a context (correlation id or bound key-values) on the current
/// thread's records until it drops; the enclosing context comes back then.
///
/// Made by [`correlation`], [`bind!`](crate::bind) or [`Context::enter`].
/// Not `Send`: a context belongs to the thread that entered it (use
/// [`WithCorrelation`] to carry one along a future).
///
/// # Examples
///
/// ```
/// fn route(order_id: u64) {
///     let _guard = logger::correlation(order_id);
///     log::info!("routed"); // carries correlation_id = order_id
/// } // the id ends here
/// route(7);
/// ```
#[must_use = "the context ends when the guard is dropped: bind it with `let _g = ...`"]
#[derive(Debug)]
pub struct ContextGuard {
    depth: u32,
    _not_send: PhantomData<*const ()>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        let outer = self.depth.saturating_sub(1);
        // The depth changes inside the push: `tracing` span frames still
        // waiting are written (and numbered) before it.
        let mut done = false;
        thread_ring::push_control(wire::TAG_CONTEXT, wire::CONTEXT_POP_LEN, |dst| {
            DEPTH.with(|d| d.set(outer));
            done = true;
            wire::put_context_pop(dst, outer)
        });
        if !done {
            DEPTH.with(|d| d.set(outer));
        }
    }
}

/// Pushes a frame of `len` payload bytes, written by `write` with the
/// frame's depth, and returns its guard: every way of entering a context
/// ends here.
#[inline]
fn enter_frame(len: usize, write: impl FnOnce(&mut [u8], u32)) -> ContextGuard {
    // The depth is taken inside the push: `tracing` span frames still
    // waiting are written (and numbered) before this one.
    let mut depth = 0;
    thread_ring::push_control(wire::TAG_CONTEXT, len, |dst| {
        depth = next_depth();
        write(dst, depth)
    });
    if depth == 0 {
        depth = next_depth();
    }
    ContextGuard {
        depth,
        _not_send: PhantomData,
    }
}

/// A context frame encoded once as the whole ring record (header, push
/// head with a depth to patch, fields, padding), in words: what a
/// `tracing` span enters ([`Context::encoded_frame`]).
#[cfg(feature = "tracing")]
#[derive(Debug)]
pub(crate) struct EncodedFrame {
    words: Box<[u64]>,
}

#[cfg(feature = "tracing")]
impl EncodedFrame {
    /// The record's words; its depth is to be set with
    /// `wire::patch_context_depth`.
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }
}

/// The depth of a frame about to be pushed on the current thread's
/// context (one more than the current one, which it becomes); end it with
/// [`ContextGuard`]'s drop (or `pop_frame`).
#[inline(always)]
pub(crate) fn next_depth() -> u32 {
    DEPTH.with(|d| {
        let depth = d.get().saturating_add(1);
        d.set(depth);
        depth
    })
}

/// Ends the frame of `depth` ([`next_depth`]), with every frame
/// above it: what dropping its guard would do.
#[cfg(feature = "tracing")]
#[inline]
pub(crate) fn pop_frame(depth: u32) {
    drop(ContextGuard {
        depth,
        _not_send: PhantomData,
    });
}

/// Enters a frame of `fields` (the expansion of [`bind!`](crate::bind)),
/// encoded straight into the ring: no allocation.
pub(crate) fn enter(fields: &[(&str, LogValue<'_>)]) -> ContextGuard {
    let (count, len) = wire::context_fields_fit(fields);
    enter_frame(wire::context_push_len(len), |dst, depth| {
        let mut at = wire::put_context_push_head(dst, depth, count as u16);
        for (key, value) in &fields[..count] {
            at += wire::write_context_field(&mut dst[at..], key, value);
        }
    })
}

/// Sets the correlation id of the current thread's records until the
/// returned guard drops; nested calls shadow the outer id, which comes
/// back when the inner guard drops.
///
/// Every record of the thread carries it: `log` records, `trade!`,
/// `perf!` and `#[log_performance]`, as the `correlation_id` key of the
/// JSON line. The id may be a string or any [`Loggable`] value (an order
/// id as a number stays a number).
///
/// # Examples
///
/// ```
/// let _g = logger::correlation("trade-12345");
/// log::info!("order placed"); // {"...","correlation_id":"trade-12345",...}
/// {
///     let _inner = logger::correlation(77_u64);
///     log::info!("child order"); // correlation_id 77
/// }
/// log::info!("position updated"); // trade-12345 again
/// ```
pub fn correlation(id: impl Loggable) -> ContextGuard {
    enter_correlation(&id.log_value())
}

/// [`enter`] of the one field `correlation_id = id`, without the loop.
fn enter_correlation(id: &LogValue<'_>) -> ContextGuard {
    enter_frame(wire::context_correlation_len(id), |dst, depth| {
        wire::put_context_correlation(dst, depth, id)
    })
}

/// Binds key-values to every record of the current thread until the
/// returned guard drops (nested binds add to the outer ones; an inner key
/// shadows an outer one of the same name). Values are any [`Loggable`].
///
/// They appear under `context` in the JSON line (and as `key=value` in
/// text). Binding `correlation_id` sets the correlation id. Keys are
/// written as in [`trade!`](crate::trade): `key = value`, the shorthand
/// `key` for `key = key`, or `"key" = value`.
///
/// # Examples
///
/// ```
/// let account = "A7";
/// let _g = logger::bind!(strategy = "mm1", account = account);
/// logger::trade!(symbol = "AAPL", side = "buy", qty = 100_u64, price = 187.5);
/// // ... "context":{"strategy":"mm1","account":"A7"} ...
/// ```
pub use logger_macros::bind;

/// An owned context: a correlation id and key-values, encoded once, that
/// can be entered on any thread and any number of times (a future adapter
/// enters it at each poll).
///
/// # Examples
///
/// ```
/// let ctx = logger::Context::new()
///     .correlation("trade-12345")
///     .with("strategy", "mm1")
///     .with("account", "A7");
/// let worker = std::thread::spawn(move || {
///     let _g = ctx.enter();
///     log::info!("hedging"); // carries the id and both keys
/// });
/// worker.join().unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    count: u16,
    fields: Vec<u8>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Adds the correlation id.
    pub fn correlation(self, id: impl Loggable) -> Self {
        self.with(CORRELATION_KEY, id)
    }

    /// Adds a key-value. Keys are cut to 64 bytes and string values to
    /// 256; a field that would take the context past about 2 KiB encoded
    /// is left out.
    pub fn with(mut self, key: &str, value: impl Loggable) -> Self {
        let v = value.log_value();
        let n = wire::context_field_len(key, &v);
        if self.fields.len() + n <= wire::CONTEXT_FIELDS_MAX && self.count < u16::MAX {
            wire::put_context_field(&mut self.fields, key, &v);
            self.count += 1;
        }
        self
    }

    /// Whether it has no key-values (entering it would change nothing).
    #[cfg(feature = "tracing")]
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// This context's key-values followed by `inner`'s, as one context
    /// (a span's fields after its parents'). When both do not fit the
    /// context limit (about 2 KiB encoded), `inner`'s alone.
    #[cfg(feature = "tracing")]
    pub(crate) fn extended(&self, inner: &Context) -> Context {
        let count = usize::from(self.count) + usize::from(inner.count);
        if self.fields.len() + inner.fields.len() > wire::CONTEXT_FIELDS_MAX
            || count > usize::from(u16::MAX)
        {
            return inner.clone();
        }
        let mut fields = Vec::with_capacity(self.fields.len() + inner.fields.len());
        fields.extend_from_slice(&self.fields);
        fields.extend_from_slice(&inner.fields);
        Context {
            count: count as u16,
            fields,
        }
    }

    /// This context's frame as a whole ring record, encoded once so that
    /// entering it is a word copy; `None` when it has
    /// no key-values.
    #[cfg(feature = "tracing")]
    pub(crate) fn encoded_frame(&self) -> Option<EncodedFrame> {
        if self.is_empty() {
            return None;
        }
        let payload = wire::context_push_len(self.fields.len());
        let len = wire::aligned(wire::HEADER + payload);
        let mut bytes = vec![0u8; len];
        wire::put_header(&mut bytes, len, wire::TAG_CONTEXT, 0, 0);
        let at =
            wire::HEADER + wire::put_context_push_head(&mut bytes[wire::HEADER..], 0, self.count);
        bytes[at..at + self.fields.len()].copy_from_slice(&self.fields);
        let words = bytes
            .chunks_exact(8)
            .map(|w| u64::from_ne_bytes(w.try_into().unwrap_or_default()))
            .collect();
        Some(EncodedFrame { words })
    }

    /// Makes this context the current thread's until the guard drops.
    pub fn enter(&self) -> ContextGuard {
        enter_frame(wire::context_push_len(self.fields.len()), |dst, depth| {
            let at = wire::put_context_push_head(dst, depth, self.count);
            dst[at..].copy_from_slice(&self.fields);
        })
    }
}
