//! `ShipError`: what went wrong delivering to a destination, and whether a
//! retry can help.

use std::fmt;

/// A failure of a destination, classified by what the shipper does next.
///
/// ```
/// use logger_read::ship::ShipError;
/// let e = ShipError::unavailable("postgres", "connection refused");
/// assert!(e.is_retryable());
/// assert_eq!(e.to_string(), "postgres: unavailable: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipError {
    /// The receiver cannot be reached or failed for now (connection lost,
    /// timeout, server restarting): the same batch is retried after a backoff.
    Unavailable {
        /// The destination's name.
        destination: String,
        /// What failed, as the client library said it.
        reason: String,
    },
    /// Retrying cannot help: bad configuration, wrong password, a missing
    /// privilege, an invalid name. The shipper stops with this error.
    Fatal {
        /// The destination's name (or `config`, `dead-letter`).
        destination: String,
        /// What is wrong and what to fix.
        reason: String,
    },
}

impl ShipError {
    /// An `Unavailable` error.
    pub fn unavailable(destination: &str, reason: impl Into<String>) -> Self {
        Self::Unavailable {
            destination: destination.to_owned(),
            reason: reason.into(),
        }
    }

    /// A `Fatal` error.
    pub fn fatal(destination: &str, reason: impl Into<String>) -> Self {
        Self::Fatal {
            destination: destination.to_owned(),
            reason: reason.into(),
        }
    }

    /// True for `Unavailable`.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// The reason alone.
    pub fn reason(&self) -> &str {
        match self {
            Self::Unavailable { reason, .. } | Self::Fatal { reason, .. } => reason,
        }
    }
}

impl fmt::Display for ShipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable {
                destination,
                reason,
            } => {
                write!(f, "{destination}: unavailable: {reason}")
            }
            Self::Fatal {
                destination,
                reason,
            } => write!(f, "{destination}: {reason}"),
        }
    }
}

impl std::error::Error for ShipError {}
