//! Turning a `postgres::Error` into a `ShipError` that says what to fix.

use postgres::error::SqlState;

use crate::ship::ShipError;

/// How the server's answer to a statement is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// The connection failed or the server is going away: retry later.
    Connection,
    /// The data of some row cannot be stored (SQLSTATE classes 22 and 23):
    /// find the row, dead-letter it, load the rest.
    BadRow,
    /// Configuration, authentication or privileges: stop with the error.
    Fatal,
}

/// Classifies an error of the client library.
pub(crate) fn classify(e: &postgres::Error) -> Class {
    let Some(code) = e.code() else {
        // No SQLSTATE: an I/O error, a closed connection, a timeout.
        return Class::Connection;
    };
    let c = code.code();
    if c.starts_with("22") || c.starts_with("23") {
        return Class::BadRow;
    }
    // 08: connection exception; 57P: operator intervention (shutdown,
    // crash recovery); 53: insufficient resources; 40: rollback (deadlock,
    // serialization); 58: system error.
    if c.starts_with("08")
        || c.starts_with("57P")
        || c.starts_with("53")
        || c.starts_with("40")
        || c.starts_with("58")
        || *code == SqlState::ADMIN_SHUTDOWN
    {
        return Class::Connection;
    }
    Class::Fatal
}

/// The server's message with its SQLSTATE and the action that failed.
pub(crate) fn message(e: &postgres::Error, doing: &str) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{doing}: {} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(d) = db.detail() {
                m.push_str("; ");
                m.push_str(d);
            }
            if db.code() == &SqlState::INSUFFICIENT_PRIVILEGE {
                m.push_str("; grant the privilege to the shipper's role (docs/postgres.md, \"Privileges\")");
            }
            m
        }
        None => {
            let mut m = format!("{doing}: {e}");
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                m.push_str(": ");
                m.push_str(&s.to_string());
                src = s.source();
            }
            m
        }
    }
}

/// A `ShipError` for `e`: `Unavailable` for connection trouble, `Fatal` for
/// everything else (bad rows are handled before this is called).
pub(crate) fn describe(e: &postgres::Error, doing: &str) -> ShipError {
    let m = message(e, doing);
    match classify(e) {
        Class::Connection => ShipError::unavailable("postgres", m),
        Class::BadRow | Class::Fatal => ShipError::fatal("postgres", m),
    }
}
