//! Shipping: follow a destination's files and deliver their records to a
//! receiver (PostgreSQL, webhook, syslog, TCP/UDP, OTLP), with a durable
//! checkpoint, retries, a dead-letter file and metrics.
//!
//! Shared by every destination:
//! - [`state`]: `active` / `degraded` / `failed` / `recovering`, with a
//!   `WARN` line on stderr at each change;
//! - [`backoff`]: exponential with jitter, capped, quick retries counted;
//! - [`dead_letter`]: the JSON-lines file of rejected records;
//! - [`metrics`]: per destination counters, the same names for all;
//! - [`error`]: `ShipError`, `Unavailable` (retry) or `Fatal` (stop);
//! - [`destination`]: the `Destination` trait and the `Batch` it delivers.
//!
//! Destinations: [`postgres`] (exactly once); [`webhook`], [`syslog`],
//! [`net`] (TCP/UDP/TLS JSON lines) and [`otlp`] (at least once, after the
//! receiver took the batch), with [`tls`] and [`options`] shared.

pub mod backoff;
pub mod config;
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
pub mod syslog;
pub mod tls;
pub mod webhook;

pub use backoff::Backoff;
pub use config::{ShipConfig, StartAt};
pub use dead_letter::DeadLetter;
pub use destination::{Batch, Delivery, Destination, Rejected, SourceKey};
pub use error::ShipError;
pub use metrics::{MetricsSnapshot, ShipMetrics};
pub use run::{ShipHandle, check, run, start};
pub use shipper::Shipper;
pub use source::SourceSpec;
pub use state::{DestinationState, StateCell};
