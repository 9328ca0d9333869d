//! `tracing` support (cargo feature `tracing`): a
//! [`tracing_subscriber::Layer`] that writes `tracing` events into the
//! same files as `log` records and the macros, with span fields as
//! context.
//!
//! - Each event the logger's filter directives let through is a record of
//!   kind `log`: `level`, `target`, `module`, `file`, `line`, the message
//!   as `msg`, and its other fields typed as the `log` adapter types
//!   key-values (integers, floats and bools keep their JSON types,
//!   strings are strings, `%x` / `?x` values are formatted, an error by
//!   its `Display`).
//! - The fields of the spans an event is inside are its `context`,
//!   outermost first, as [`bind!`](crate::bind) context is; a span field
//!   named `correlation_id` sets the record's `correlation_id`, as
//!   [`correlation`](crate::correlation) does. Entering and exiting a
//!   span write nothing into the thread's ring: the frames of the spans
//!   entered are written just before the thread's next record (one per
//!   span with fields), and an exit writes one more only when its span's
//!   frame was written; the records themselves cost what a record without
//!   context costs.
//! - Filtering: the directives of the builder, `LOGGER_LEVEL` /
//!   `RUST_LOG` and [`set_filter`](crate::set_filter), checked by the
//!   layer for its own records only (other layers of the subscriber are
//!   not filtered by it); `tracing`'s per-layer filters
//!   (`.with_filter(..)`) work on it as on any layer. Spans above the
//!   directives' most verbose level are skipped by `tracing` itself.
//! - `tracing` and `log` in one process write each record once, also
//!   with `tracing`'s `log-always` feature (the `log` adapter skips
//!   `tracing`'s copy of the event the layer just wrote), and events that
//!   `tracing-log` made from `log` records are left out.
//!
//! The reference page is `docs/tracing.md`.
//!
//! # Examples
//!
//! ```no_run
//! use tracing_subscriber::prelude::*;
//!
//! let _guard = logger::builder().dir("logs").install().unwrap();
//! tracing::subscriber::set_global_default(
//!     tracing_subscriber::registry().with(logger::tracing_layer()),
//! )
//! .unwrap();
//!
//! #[tracing::instrument(fields(correlation_id = %order_id))]
//! fn route(order_id: &str, venue: &str) {
//!     tracing::info!(qty = 100_u64, "routed");
//!     // {"level":"INFO","kind":"log",...,"msg":"routed",
//!     //  "correlation_id":"ord-7","context":{"order_id":"ord-7","venue":"XNAS"},"qty":100}
//! }
//! route("ord-7", "XNAS");
//! ```

mod entered;
mod event;
mod event_filter;
mod layer;
mod level;
mod log_bridge;
mod span_context;
mod span_perf;

pub use layer::TracingLayer;

pub(crate) use entered::write_pending_frames;
pub(crate) use event_filter::filter_changed;
pub(crate) use log_bridge::is_copy_of_last_event;

/// The layer to add to a `tracing_subscriber::registry()`: a new
/// [`TracingLayer`].
///
/// # Examples
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// let _guard = logger::builder().dir("logs").install().unwrap();
/// tracing::subscriber::set_global_default(
///     tracing_subscriber::registry().with(logger::tracing_layer()),
/// )
/// .unwrap();
/// tracing::info!(venue = "XNAS", "connected");
/// ```
pub fn tracing_layer() -> TracingLayer {
    TracingLayer::new()
}
