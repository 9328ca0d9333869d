//! A destination's connection state, as seed 000 names them, with a `WARN`
//! line on stderr at every change.
//!
//! ```text
//!   Active --error--> Degraded --quick retries used up--> Failed
//!     ^                  |                                  |
//!     +----success-------+                                  v
//!     +----------------success------------------------ Recovering
//!                                    (attempt fails) -> Failed
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// Where a destination stands with its receiver.
///
/// `Active`: deliveries succeed. `Degraded`: the last delivery failed and
/// the shipper is retrying quickly. `Failed`: the quick retries are used up;
/// the shipper waits the capped backoff between attempts while the log files
/// keep buffering. `Recovering`: an attempt after `Failed` is under way.
///
/// ```
/// use logger_read::ship::DestinationState;
/// assert_eq!(DestinationState::Degraded.as_str(), "degraded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DestinationState {
    /// Deliveries succeed.
    Active,
    /// A delivery failed; quick retries are under way.
    Degraded,
    /// Quick retries used up; retrying at the capped interval.
    Failed,
    /// A retry after `Failed` is under way.
    Recovering,
}

impl DestinationState {
    /// The lowercase name used in metrics and on stderr.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Degraded => "degraded",
            Self::Failed => "failed",
            Self::Recovering => "recovering",
        }
    }

    fn to_u8(self) -> u8 {
        self as u8
    }

    fn from_u8(v: u8) -> Self {
        match v {
            1 => Self::Degraded,
            2 => Self::Failed,
            3 => Self::Recovering,
            _ => Self::Active,
        }
    }
}

impl fmt::Display for DestinationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The current state of one destination, readable from other threads
/// (metrics), changed only by its shipper thread.
///
/// Each change prints one line on stderr (or through
/// [`super::set_line_writer`]'s writer):
/// `WARN logger ship: destination postgres: active -> degraded (connection refused)`.
///
/// ```
/// use logger_read::ship::{DestinationState, StateCell};
/// let cell = StateCell::new("example");
/// cell.set(DestinationState::Degraded, "connection refused");
/// assert_eq!(cell.get(), DestinationState::Degraded);
/// ```
#[derive(Debug)]
pub struct StateCell {
    destination: String,
    state: AtomicU8,
}

impl StateCell {
    /// A cell in state `Active` for the destination named `destination`.
    pub fn new(destination: &str) -> Self {
        Self {
            destination: destination.to_owned(),
            state: AtomicU8::new(DestinationState::Active.to_u8()),
        }
    }

    /// The current state.
    pub fn get(&self) -> DestinationState {
        DestinationState::from_u8(self.state.load(Ordering::Relaxed))
    }

    /// Moves to `next`; when that is a change, writes the `WARN` line with
    /// `why` (the error, or what succeeded) and returns true.
    pub fn set(&self, next: DestinationState, why: &str) -> bool {
        let prev = DestinationState::from_u8(self.state.swap(next.to_u8(), Ordering::Relaxed));
        if prev == next {
            return false;
        }
        super::stderr_lines::write_line(&format!(
            "WARN logger ship: destination {}: {prev} -> {next} ({why})",
            self.destination
        ));
        true
    }
}
