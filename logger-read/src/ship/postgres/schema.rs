//! The tables the shipper loads, in two layouts, created idempotently.
//!
//! - [`Layout::Seed003`] (the default): schema `logging` with `system_logs`,
//!   `trading_logs`, `performance_logs`, `archived_system_logs`, every index
//!   seed 003 lists under its name, and `ship_checkpoints`.
//! - [`Layout::Seed004`]: one table `{prefix}_logs` with exactly seed 004's
//!   columns and its five indexes, plus `{prefix}_ship_checkpoints`.
//!
//! Creation looks in the catalog first and runs only the statements for what
//! is missing, so a role without `CREATE` privileges can ship into tables an
//! administrator created; when something is missing and cannot be created,
//! the error names the object and the privilege.

use postgres::Client;

use super::errors::describe;
use crate::ship::ShipError;

/// Which tables the rows go to.
///
/// ```
/// use logger_read::ship::postgres::Layout;
/// assert!(Layout::seed004("trading_app").is_ok());
/// let e = Layout::seed004("Robert'); DROP TABLE x;--").unwrap_err();
/// assert!(e.to_string().contains("table prefix"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Seed 003: `system_logs` for every record, `trading_logs` for
    /// `trade` records, `performance_logs` for `perf` records, all in `schema`.
    Seed003 {
        /// The schema (default `logging`).
        schema: String,
    },
    /// Seed 004: every record in `{schema}.{prefix}_logs`.
    Seed004 {
        /// The schema (default `public`).
        schema: String,
        /// The table prefix: lowercase letters, digits, `_`, starting with a
        /// letter or `_`, at most 40 characters.
        prefix: String,
    },
}

impl Default for Layout {
    fn default() -> Self {
        Self::Seed003 {
            schema: "logging".into(),
        }
    }
}

/// Checks that `name` can be used unquoted as part of an SQL identifier.
fn check_identifier(what: &str, name: &str, max: usize) -> Result<(), ShipError> {
    let ok = !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(ShipError::fatal(
            "postgres",
            format!(
                "invalid {what} {name:?}: use 1 to {max} lowercase letters, digits or '_', not starting with a digit"
            ),
        ))
    }
}

impl Layout {
    /// Seed 003's layout in schema `schema`.
    ///
    /// # Errors
    /// `Fatal` when `schema` is not a plain lowercase identifier.
    pub fn seed003(schema: &str) -> Result<Self, ShipError> {
        check_identifier("schema name", schema, 63)?;
        Ok(Self::Seed003 {
            schema: schema.into(),
        })
    }

    /// Seed 004's layout: `public.{prefix}_logs`.
    ///
    /// # Errors
    /// `Fatal` naming the table prefix when it is not 1 to 40 lowercase
    /// letters, digits or `_` (not starting with a digit).
    pub fn seed004(prefix: &str) -> Result<Self, ShipError> {
        check_identifier("table prefix", prefix, 40)?;
        Ok(Self::Seed004 {
            schema: "public".into(),
            prefix: prefix.into(),
        })
    }

    /// The schema holding the tables.
    pub fn schema(&self) -> &str {
        match self {
            Self::Seed003 { schema } | Self::Seed004 { schema, .. } => schema,
        }
    }

    /// The qualified name of the checkpoint table.
    pub fn checkpoint_table(&self) -> String {
        match self {
            Self::Seed003 { schema } => format!("{schema}.ship_checkpoints"),
            Self::Seed004 { schema, prefix } => format!("{schema}.{prefix}_ship_checkpoints"),
        }
    }

    /// Every object of the layout, in creation order: (kind, name, DDL).
    fn objects(&self) -> Vec<(&'static str, String, String)> {
        let mut v = Vec::new();
        let schema = self.schema();
        let table = |name: &str, body: &str| {
            (
                "table",
                name.to_owned(),
                format!("CREATE TABLE {schema}.{name} ({body})"),
            )
        };
        let index = |name: String, on: &str, cols: &str| {
            let ddl = format!("CREATE INDEX {name} ON {schema}.{on}({cols})");
            ("index", name, ddl)
        };
        match self {
            Self::Seed003 { .. } => {
                v.push(table("system_logs", SYSTEM_LOGS_COLUMNS));
                for (name, cols) in [
                    ("timestamp", "timestamp"),
                    ("service", "service"),
                    ("level", "level"),
                    ("correlation", "correlation_id"),
                    ("event_type", "event_type"),
                    ("service_timestamp", "service, timestamp"),
                ] {
                    v.push(index(
                        format!("idx_system_logs_{name}"),
                        "system_logs",
                        cols,
                    ));
                }
                v.push(table("performance_logs", PERFORMANCE_LOGS_COLUMNS));
                for (name, cols) in [
                    ("timestamp", "timestamp"),
                    ("service", "service"),
                    ("operation", "operation"),
                    ("service_timestamp", "service, timestamp"),
                ] {
                    v.push(index(
                        format!("idx_performance_logs_{name}"),
                        "performance_logs",
                        cols,
                    ));
                }
                v.push(table("trading_logs", TRADING_LOGS_COLUMNS));
                for (name, cols) in [
                    ("timestamp", "timestamp"),
                    ("trade_id", "trade_id"),
                    ("symbol", "symbol"),
                ] {
                    v.push(index(
                        format!("idx_trading_logs_{name}"),
                        "trading_logs",
                        cols,
                    ));
                }
                v.push(table("archived_system_logs", ARCHIVED_SYSTEM_LOGS_COLUMNS));
                v.push(index(
                    "idx_archived_system_logs_timestamp".into(),
                    "archived_system_logs",
                    "timestamp",
                ));
                v.push(table("ship_checkpoints", CHECKPOINT_COLUMNS));
            }
            Self::Seed004 { prefix, .. } => {
                let logs = format!("{prefix}_logs");
                v.push(table(&logs, SEED004_LOGS_COLUMNS));
                for (name, cols) in [
                    ("timestamp", "timestamp DESC"),
                    ("level", "level"),
                    ("logger", "logger_name"),
                    ("hostname", "hostname"),
                    ("composite", "timestamp, level, logger_name"),
                ] {
                    v.push(index(format!("idx_{prefix}_logs_{name}"), &logs, cols));
                }
                v.push(table(
                    &format!("{prefix}_ship_checkpoints"),
                    CHECKPOINT_COLUMNS,
                ));
            }
        }
        v
    }

    /// Creates the schema, tables and indexes that do not exist yet.
    ///
    /// # Errors
    /// `Fatal` naming the object and the missing privilege (`CREATE` on the
    /// database for the schema, `CREATE` on the schema for tables, ownership
    /// of the table for an index); `Unavailable` when the connection fails.
    pub fn create(&self, client: &mut Client) -> Result<(), ShipError> {
        let schema = self.schema();
        let exists = client
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .map_err(|e| describe(&e, "looking up the schema"))?
            .is_some();
        if !exists {
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .map_err(|e| {
                    describe(
                        &e,
                        &format!(
                            "creating schema {schema} (needs CREATE on the database, or create it beforehand)"
                        ),
                    )
                })?;
        }
        for (kind, name, ddl) in self.objects() {
            let present = client
                .query_opt(
                    "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = $1 AND c.relname = $2",
                    &[&schema, &name],
                )
                .map_err(|e| describe(&e, "looking up the tables"))?
                .is_some();
            if present {
                continue;
            }
            let need = if kind == "table" {
                format!("CREATE on schema {schema}")
            } else {
                "ownership of the table".to_owned()
            };
            // Another shipper may create the same object at the same time:
            // "already exists" (42P07) then means done.
            if let Err(e) = client.batch_execute(&ddl) {
                if e.code().map(|c| c.code()) == Some("42P07") {
                    continue;
                }
                return Err(describe(
                    &e,
                    &format!("creating {kind} {schema}.{name} (needs {need})"),
                ));
            }
        }
        Ok(())
    }
}

/// Seed 003's `system_logs`, plus seed 004's record columns.
const SYSTEM_LOGS_COLUMNS: &str = "\
    id BIGSERIAL PRIMARY KEY,
    service VARCHAR(50) NOT NULL,
    level VARCHAR(20) NOT NULL,
    message TEXT NOT NULL,
    data JSONB,
    correlation_id VARCHAR(100),
    event_type VARCHAR(50),
    timestamp TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    logger_name VARCHAR(255),
    process_id INTEGER,
    thread_id BIGINT,
    thread_name VARCHAR(255),
    hostname VARCHAR(255),
    exception TEXT,
    function_name VARCHAR(255),
    module VARCHAR(255),
    filename VARCHAR(500),
    lineno INTEGER";

const ARCHIVED_SYSTEM_LOGS_COLUMNS: &str = "\
    id BIGINT PRIMARY KEY,
    service VARCHAR(50) NOT NULL,
    level VARCHAR(20) NOT NULL,
    message TEXT NOT NULL,
    data JSONB,
    correlation_id VARCHAR(100),
    event_type VARCHAR(50),
    timestamp TIMESTAMP WITH TIME ZONE,
    logger_name VARCHAR(255),
    process_id INTEGER,
    thread_id BIGINT,
    thread_name VARCHAR(255),
    hostname VARCHAR(255),
    exception TEXT,
    function_name VARCHAR(255),
    module VARCHAR(255),
    filename VARCHAR(500),
    lineno INTEGER,
    archived_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()";

/// Seed 003's `performance_logs`, plus outcome, correlation id and the rest.
const PERFORMANCE_LOGS_COLUMNS: &str = "\
    id BIGSERIAL PRIMARY KEY,
    service VARCHAR(50) NOT NULL,
    operation VARCHAR(100) NOT NULL,
    execution_time_ms DECIMAL(10,3) NOT NULL,
    memory_usage_mb DECIMAL(10,3),
    cpu_usage_percent DECIMAL(5,2),
    timestamp TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    outcome VARCHAR(20),
    correlation_id VARCHAR(100),
    data JSONB";

/// The trades table the seed's join query runs against.
const TRADING_LOGS_COLUMNS: &str = "\
    id BIGSERIAL PRIMARY KEY,
    trade_id VARCHAR(100),
    symbol VARCHAR(50) NOT NULL,
    side VARCHAR(10),
    quantity NUMERIC,
    price NUMERIC,
    order_id VARCHAR(100),
    venue VARCHAR(50),
    service VARCHAR(50) NOT NULL,
    correlation_id VARCHAR(100),
    data JSONB,
    timestamp TIMESTAMP WITH TIME ZONE DEFAULT NOW()";

/// Seed 004's `{prefix}_logs`, exactly.
const SEED004_LOGS_COLUMNS: &str = "\
    id BIGSERIAL PRIMARY KEY,
    timestamp TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    level VARCHAR(10) NOT NULL,
    logger_name VARCHAR(255) NOT NULL,
    process_id INTEGER NOT NULL,
    thread_id BIGINT NOT NULL,
    thread_name VARCHAR(255),
    hostname VARCHAR(255) NOT NULL,
    message TEXT NOT NULL,
    exception TEXT,
    function_name VARCHAR(255),
    module VARCHAR(255),
    filename VARCHAR(500),
    lineno INTEGER,
    pathname TEXT,
    extra_data JSONB,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP";

/// One row per followed source: the checkpoint after its last loaded record.
const CHECKPOINT_COLUMNS: &str = "\
    source TEXT PRIMARY KEY,
    file_id TEXT NOT NULL,
    file_offset BIGINT NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()";
