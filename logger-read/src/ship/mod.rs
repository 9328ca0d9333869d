//! Shipping: follow a destination's files and deliver their records to a
//! receiver (PostgreSQL, webhook, syslog, TCP/UDP, OTLP), with a durable
//! checkpoint, retries, a dead-letter file and metrics.
//!
//! Shared by every destination:
//! - [`state`]: `active` / `degraded` / `failed` / `recovering`, with a
//!   `WARN` line on stderr at each change (or through the writer of
//!   [`set_line_writer`]);
//! - [`backoff`]: exponential with jitter, capped, quick retries counted;
//! - [`dead_letter`]: the JSON-lines file of rejected records;
//! - [`metrics`]: per destination counters, the same names for all;
//! - [`error`]: `ShipError`, `Unavailable` (retry) or `Fatal` (stop);
//! - [`destination`]: the `Destination` trait and the `Batch` it delivers.
//!
//! Destinations: [`postgres`] (exactly once); [`webhook`], [`syslog`],
//! [`net`] (TCP/UDP/TLS JSON lines) and [`otlp`] (at least once, after the
//! receiver took the batch), with [`tls`] and [`options`] shared.
//!
//! Running: [`ShipConfig`] (one TOML file for every destination), then
//! [`start`] (background threads, the one call an application makes after
//! `logger::install()`), [`run`] (blocking until a stop flag, what
//! `logger ship` calls) or [`check`] (connect once and report). Each
//! (source, destination) pair gets a [`Shipper`] thread: follow the files
//! (read-core's `Follower`), filter by level and kind, batch by count or
//! age, deliver, then checkpoint (in the destination's transaction, or in a
//! `FileCheckpointStore` after an acknowledged delivery).
//!
//! Adding a destination: implement [`Destination`] in a module of its own,
//! add its section to [`ShipConfig`] and build it in `run.rs`'s
//! `destinations()`.

pub mod backoff;
pub mod config;
mod content_len;
pub mod dead_letter;
pub mod destination;
pub mod error;
mod http;
pub mod metrics;
pub mod net;
pub mod options;
pub mod otlp;
pub mod postgres;
mod run;
mod shipper;
pub mod source;
pub mod state;
mod stderr_lines;
pub mod syslog;
pub mod tls;
pub mod webhook;

pub use backoff::Backoff;
pub use config::{ShipConfig, StartAt};
pub use dead_letter::DeadLetter;
pub use destination::{Batch, Delivery, Destination, Encoder, Encoding, Rejected, SourceKey};
pub use error::ShipError;
pub use metrics::{MetricsSnapshot, ShipMetrics};
pub use run::{
    ShipHandle, check, run, run_until_signal, run_until_signal_watching, run_watching, start,
};
pub use shipper::Shipper;
pub use source::SourceSpec;
pub use state::{DestinationState, StateCell};
pub use stderr_lines::{LineWriter, set_line_writer};
