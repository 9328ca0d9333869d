//! Binary `COPY ... FROM STDIN BINARY` of decoded rows into the layout's
//! tables, in two steps:
//!
//! - [`Encoded::new`] turns a batch's rows into the bytes of each table's
//!   binary `COPY` stream (no connection needed: the shipper runs it on its
//!   reading thread while the previous batch loads);
//! - [`Encoded::load`] sends a contiguous range of those rows, one `COPY`
//!   per table, inside a transaction.

use std::error::Error as StdError;
use std::io::Write;

use bytes::{BufMut, BytesMut};
use postgres::Transaction;
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

/// The signature, flags and header extension of a binary `COPY` stream.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// The end of a binary `COPY` stream: a field count of -1.
const TRAILER: &[u8] = &[0xff, 0xff];
/// Bytes handed to the connection at a time, so that the server parses
/// one message while the next is on its way.
const CHUNK: usize = 64 << 10;

/// One table's rows of a batch, encoded as binary `COPY` tuples.
#[derive(Debug)]
struct TableRows {
    /// `COPY schema.table (columns) FROM STDIN BINARY`.
    sql: String,
    /// The tuples, back to back (no header, no trailer).
    data: BytesMut,
    /// For each tuple: the row it comes from (index into `Encoded::rows`)
    /// and where it ends in `data`.
    ends: Vec<(usize, usize)>,
}

impl TableRows {
    fn new(sql: String) -> Self {
        Self {
            sql,
            data: BytesMut::new(),
            ends: Vec::new(),
        }
    }

    /// Appends one tuple of `values`, typed as `types`, for row `row`.
    fn push(
        &mut self,
        row: usize,
        types: &[Type],
        values: &[&(dyn ToSql + Sync)],
    ) -> Result<(), Box<dyn StdError + Sync + Send>> {
        let start = self.data.len();
        self.data.put_i16(values.len() as i16);
        for (v, ty) in values.iter().zip(types) {
            let at = self.data.len();
            self.data.put_i32(0);
            let len = match v.to_sql_checked(ty, &mut self.data) {
                Ok(IsNull::Yes) => -1,
                Ok(IsNull::No) => match i32::try_from(self.data.len() - at - 4) {
                    Ok(n) => n,
                    Err(e) => {
                        self.data.truncate(start);
                        return Err(e.into());
                    }
                },
                Err(e) => {
                    self.data.truncate(start);
                    return Err(e);
                }
            };
            self.data[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        self.ends.push((row, self.data.len()));
        Ok(())
    }

    /// The byte range of the tuples of rows `lo..hi`.
    fn range(&self, lo: usize, hi: usize) -> std::ops::Range<usize> {
        let a = self.ends.partition_point(|&(r, _)| r < lo);
        let b = self.ends.partition_point(|&(r, _)| r < hi);
        let start = if a == 0 { 0 } else { self.ends[a - 1].1 };
        let end = if b == 0 { 0 } else { self.ends[b - 1].1 };
        start..end.max(start)
    }
}

/// A batch's rows encoded for binary `COPY` into the layout's tables:
/// owned bytes, so it travels from the thread that encodes to the one
/// that loads.
#[derive(Debug)]
pub(crate) struct Encoded {
    /// For each encoded row, the index of its line in the batch.
    rows: Vec<usize>,
    tables: Vec<TableRows>,
    /// Lines that could not be encoded (batch index, reason).
    unencodable: Vec<(usize, String)>,
}

impl Encoded {
    /// Encodes `rows` (batch index, decoded line) for `layout`.
    pub(crate) fn new(layout: &Layout, rows: &[(usize, Decoded<'_>)]) -> Self {
        let mut tables = match layout {
            Layout::Seed003 { schema } => vec![
                TableRows::new(format!(
                    "COPY {schema}.system_logs ({SYSTEM_COLUMNS}) FROM STDIN BINARY"
                )),
                TableRows::new(format!(
                    "COPY {schema}.trading_logs ({TRADE_COLUMNS}) FROM STDIN BINARY"
                )),
                TableRows::new(format!(
                    "COPY {schema}.performance_logs ({PERF_COLUMNS}) FROM STDIN BINARY"
                )),
            ],
            Layout::Seed004 { schema, prefix } => vec![TableRows::new(format!(
                "COPY {schema}.{prefix}_logs ({SEED004_COLUMNS}) FROM STDIN BINARY"
            ))],
        };
        let mut e = Self {
            rows: Vec::with_capacity(rows.len()),
            tables: Vec::new(),
            unencodable: Vec::new(),
        };
        for (index, d) in rows {
            let k = e.rows.len();
            let r = match layout {
                Layout::Seed003 { .. } => push_seed003(&mut tables, k, d),
                Layout::Seed004 { .. } => push_seed004(&mut tables[0], k, d),
            };
            match r {
                Ok(()) => e.rows.push(*index),
                Err(reason) => {
                    // A tuple pushed before the failing one belongs to no row.
                    for t in &mut tables {
                        if t.ends.last().is_some_and(|&(r, _)| r == k) {
                            let start = t.ends.len().checked_sub(2).map_or(0, |i| t.ends[i].1);
                            t.ends.pop();
                            t.data.truncate(start);
                        }
                    }
                    e.unencodable.push((*index, format!("encoding: {reason}")));
                }
            }
        }
        e.tables = tables;
        e
    }

    /// Number of encoded rows.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The batch index of encoded row `k`.
    pub(crate) fn batch_index(&self, k: usize) -> usize {
        self.rows[k]
    }

    /// Lines that could not be encoded: (batch index, reason).
    pub(crate) fn unencodable(&self) -> &[(usize, String)] {
        &self.unencodable
    }

    /// Loads rows `lo..hi` into their tables inside `tx`, one `COPY` per
    /// table that has any of them.
    ///
    /// # Errors
    /// The server's error for the first `COPY` that failed (`tx` is then
    /// aborted: roll back to a savepoint to go on), or the connection's.
    pub(crate) fn load(
        &self,
        tx: &mut Transaction<'_>,
        lo: usize,
        hi: usize,
    ) -> Result<(), LoadError> {
        (0..self.tables.len()).try_for_each(|t| self.load_table(tx, t, lo, hi))
    }

    /// Number of tables of the layout (seed 003: system, trading,
    /// performance; seed 004: one).
    pub(crate) fn tables(&self) -> usize {
        self.tables.len()
    }

    /// Loads the tuples of rows `lo..hi` into table `table` (an index of
    /// the layout's tables), if it has any.
    ///
    /// # Errors
    /// As [`Encoded::load`].
    pub(crate) fn load_table(
        &self,
        tx: &mut Transaction<'_>,
        table: usize,
        lo: usize,
        hi: usize,
    ) -> Result<(), LoadError> {
        let t = &self.tables[table];
        let range = t.range(lo, hi);
        if range.is_empty() {
            return Ok(());
        }
        let mut w = tx.copy_in(&t.sql)?;
        w.write_all(HEADER).map_err(LoadError::from_write)?;
        for c in t.data[range].chunks(CHUNK) {
            w.write_all(c)
                .and_then(|()| w.flush())
                .map_err(LoadError::from_write)?;
        }
        w.write_all(TRAILER).map_err(LoadError::from_write)?;
        w.finish()?;
        Ok(())
    }
}

/// Why loading rows failed.
#[derive(Debug)]
pub(crate) enum LoadError {
    /// The server's answer, or the client library's.
    Db(postgres::Error),
    /// Writing `COPY` data failed without a library error inside (the
    /// connection broke).
    Write(std::io::Error),
}

impl LoadError {
    /// `postgres::CopyInWriter` wraps the library's error in the
    /// `io::Error` of a failed write: unwrap it when it is there.
    fn from_write(e: std::io::Error) -> Self {
        if e.get_ref().is_none() {
            return Self::Write(e);
        }
        match e.into_inner().map(|i| i.downcast::<postgres::Error>()) {
            Some(Ok(pe)) => Self::Db(*pe),
            Some(Err(other)) => Self::Write(std::io::Error::other(other)),
            None => Self::Write(std::io::Error::other("COPY data could not be written")),
        }
    }
}

impl From<postgres::Error> for LoadError {
    fn from(e: postgres::Error) -> Self {
        Self::Db(e)
    }
}

fn push_seed003(
    tables: &mut [TableRows],
    k: usize,
    r: &Decoded<'_>,
) -> Result<(), Box<dyn StdError + Sync + Send>> {
    let s = &r.system;
    tables[0].push(
        k,
        &SYSTEM_TYPES,
        &[
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
        ],
    )?;
    if let Some(t) = &r.trade {
        tables[1].push(
            k,
            &TRADE_TYPES,
            &[
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
            ],
        )?;
    }
    if let Some(p) = &r.perf {
        tables[2].push(
            k,
            &PERF_TYPES,
            &[
                &&*s.service,
                &&*p.operation,
                &p.execution_time_ms,
                &p.memory_usage_mb,
                &p.cpu_usage_percent,
                &s.timestamp,
                &p.outcome.as_deref(),
                &s.correlation_id.as_deref(),
                &Jsonb(&s.data),
            ],
        )?;
    }
    Ok(())
}

fn push_seed004(
    table: &mut TableRows,
    k: usize,
    r: &Decoded<'_>,
) -> Result<(), Box<dyn StdError + Sync + Send>> {
    let s = &r.system;
    // Seed 004's NOT NULL columns get 0 / "" when the record lacks them.
    table.push(
        k,
        &SEED004_TYPES,
        &[
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
        ],
    )
}
