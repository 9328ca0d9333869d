//! The cold path: the flusher thread and what it owns.
//!
//! The flusher drains, decodes, merges, formats and routes; it never runs
//! on a logging thread and never blocks one.

pub(crate) mod barrier;
mod call_tree;
mod console;
mod context_stack;
mod decode;
pub(crate) mod fast_lane;
pub(crate) mod flusher;
mod formats;
mod merge;
mod metrics_record;
mod rate_cap;
pub(crate) mod router;
mod service;
