//! Binary `COPY ... FROM STDIN BINARY` of decoded rows into the layout's
//! tables, one `COPY` per table per call.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::row::Decoded;
use super::schema::Layout;

/// JSON text sent as `jsonb` (version byte 1, then the text) without
/// parsing it again on this side.
#[derive(Debug)]
struct Jsonb<'a>(&'a str);

impl ToSql for Jsonb<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        if *ty == Type::JSONB {
            out.put_u8(1);
        }
        out.put_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }

    to_sql_checked!();
}

const SYSTEM_COLUMNS: &str = "service, level, message, data, correlation_id, event_type, timestamp, \
    logger_name, process_id, thread_id, thread_name, hostname, exception, function_name, module, \
    filename, lineno";
const SYSTEM_TYPES: [Type; 17] = [
    Type::VARCHAR,
    Type::VARCHAR,
    Type::TEXT,
    Type::JSONB,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::TIMESTAMPTZ,
    Type::VARCHAR,
    Type::INT4,
    Type::INT8,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::TEXT,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::INT4,
];

const SEED004_COLUMNS: &str = "timestamp, level, logger_name, process_id, thread_id, thread_name, \
    hostname, message, exception, function_name, module, filename, lineno, pathname, extra_data";
const SEED004_TYPES: [Type; 15] = [
    Type::TIMESTAMPTZ,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::INT4,
    Type::INT8,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::TEXT,
    Type::TEXT,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::INT4,
    Type::TEXT,
    Type::JSONB,
];

const TRADE_COLUMNS: &str = "trade_id, symbol, side, quantity, price, order_id, venue, service, correlation_id, data, timestamp";
const TRADE_TYPES: [Type; 11] = [
    Type::VARCHAR,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::JSONB,
    Type::TIMESTAMPTZ,
];

const PERF_COLUMNS: &str = "service, operation, execution_time_ms, memory_usage_mb, \
    cpu_usage_percent, timestamp, outcome, correlation_id, data";
const PERF_TYPES: [Type; 9] = [
    Type::VARCHAR,
    Type::VARCHAR,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::TIMESTAMPTZ,
    Type::VARCHAR,
    Type::VARCHAR,
    Type::JSONB,
];

/// Loads `rows` into the layout's tables inside `tx`.
///
/// # Errors
/// The server's error for the first `COPY` that failed; `tx` is then
/// aborted (roll back to a savepoint to go on).
pub(crate) fn copy_rows(
    tx: &mut Transaction<'_>,
    layout: &Layout,
    rows: &[&Decoded<'_>],
) -> Result<(), postgres::Error> {
    match layout {
        Layout::Seed003 { schema } => {
            copy_system(tx, schema, rows)?;
            if rows.iter().any(|r| r.trade.is_some()) {
                copy_trades(tx, schema, rows)?;
            }
            if rows.iter().any(|r| r.perf.is_some()) {
                copy_perf(tx, schema, rows)?;
            }
            Ok(())
        }
        Layout::Seed004 { schema, prefix } => copy_seed004(tx, schema, prefix, rows),
    }
}

fn copy_system(
    tx: &mut Transaction<'_>,
    schema: &str,
    rows: &[&Decoded<'_>],
) -> Result<(), postgres::Error> {
    let sink = tx.copy_in(&format!(
        "COPY {schema}.system_logs ({SYSTEM_COLUMNS}) FROM STDIN BINARY"
    ))?;
    let mut w = BinaryCopyInWriter::new(sink, &SYSTEM_TYPES);
    for r in rows {
        let s = &r.system;
        w.write(&[
            &&*s.service,
            &&*s.level,
            &&*s.message,
            &Jsonb(&s.data),
            &s.correlation_id.as_deref(),
            &&*s.event_type,
            &s.timestamp,
            &&*s.logger_name,
            &s.process_id,
            &s.thread_id,
            &s.thread_name.as_deref(),
            &s.hostname.as_deref(),
            &s.exception.as_deref(),
            &s.function_name.as_deref(),
            &s.module.as_deref(),
            &s.filename.as_deref(),
            &s.lineno,
        ])?;
    }
    w.finish()?;
    Ok(())
}

fn copy_seed004(
    tx: &mut Transaction<'_>,
    schema: &str,
    prefix: &str,
    rows: &[&Decoded<'_>],
) -> Result<(), postgres::Error> {
    let sink = tx.copy_in(&format!(
        "COPY {schema}.{prefix}_logs ({SEED004_COLUMNS}) FROM STDIN BINARY"
    ))?;
    let mut w = BinaryCopyInWriter::new(sink, &SEED004_TYPES);
    for r in rows {
        let s = &r.system;
        // Seed 004's NOT NULL columns get 0 / "" when the record lacks them.
        w.write(&[
            &s.timestamp,
            &&*s.level,
            &&*s.logger_name,
            &s.process_id.unwrap_or(0),
            &s.thread_id.unwrap_or(0),
            &s.thread_name.as_deref(),
            &s.hostname.as_deref().unwrap_or(""),
            &&*s.message,
            &s.exception.as_deref(),
            &s.function_name.as_deref(),
            &s.module.as_deref(),
            &s.filename.as_deref(),
            &s.lineno,
            &s.filename.as_deref(),
            &Jsonb(&s.data),
        ])?;
    }
    w.finish()?;
    Ok(())
}

fn copy_trades(
    tx: &mut Transaction<'_>,
    schema: &str,
    rows: &[&Decoded<'_>],
) -> Result<(), postgres::Error> {
    let sink = tx.copy_in(&format!(
        "COPY {schema}.trading_logs ({TRADE_COLUMNS}) FROM STDIN BINARY"
    ))?;
    let mut w = BinaryCopyInWriter::new(sink, &TRADE_TYPES);
    for r in rows {
        let Some(t) = &r.trade else { continue };
        let s = &r.system;
        w.write(&[
            &t.trade_id.as_deref(),
            &&*t.symbol,
            &t.side.as_deref(),
            &t.quantity,
            &t.price,
            &t.order_id.as_deref(),
            &t.venue.as_deref(),
            &&*s.service,
            &s.correlation_id.as_deref(),
            &Jsonb(&s.data),
            &s.timestamp,
        ])?;
    }
    w.finish()?;
    Ok(())
}

fn copy_perf(
    tx: &mut Transaction<'_>,
    schema: &str,
    rows: &[&Decoded<'_>],
) -> Result<(), postgres::Error> {
    let sink = tx.copy_in(&format!(
        "COPY {schema}.performance_logs ({PERF_COLUMNS}) FROM STDIN BINARY"
    ))?;
    let mut w = BinaryCopyInWriter::new(sink, &PERF_TYPES);
    for r in rows {
        let Some(p) = &r.perf else { continue };
        let s = &r.system;
        w.write(&[
            &&*s.service,
            &&*p.operation,
            &p.execution_time_ms,
            &p.memory_usage_mb,
            &p.cpu_usage_percent,
            &s.timestamp,
            &p.outcome.as_deref(),
            &s.correlation_id.as_deref(),
            &Jsonb(&s.data),
        ])?;
    }
    w.finish()?;
    Ok(())
}
