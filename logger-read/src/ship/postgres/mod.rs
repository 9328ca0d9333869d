//! PostgreSQL: binary `COPY` of the records into seed 003's tables (or seed
//! 004's `{prefix}_logs`), each batch in one transaction with the source's
//! checkpoint, moved only from the checkpoint the batch starts at, so a
//! crash of the shipper or the server at any instant neither loses nor
//! duplicates a record.
//!
//! - [`schema`]: the layouts, created idempotently.
//! - `checkpoint_row`: the source's checkpoint row, read back, and moved by
//!   compare-and-set (why: a killed shipper's `COMMIT` can complete after
//!   the next shipper read the row).
//! - `row`: a line decoded into columns (levels as the seeds name them:
//!   `WARN` becomes `WARNING`; `timestamptz` in microseconds, the
//!   nanosecond `ts` kept in `data`).
//! - `copy`: each batch encoded into the bytes of a binary `COPY` stream per
//!   table (on the shipper's reading thread, through [`Encoder`], while the
//!   batch before loads), then sent in 64 KiB messages.
//! - [`retention`]: archive and delete old rows on a daily schedule.
//!
//! A batch whose `COPY` the server rejects for a row's data (SQLSTATE class
//! 22 or 23: a value too long, a NUL character, a number out of range) is
//! bisected under savepoints: the bad records are returned as rejected (the
//! shipper writes them to the dead-letter file) and the rest are loaded in
//! the same transaction, in `log2(batch)` extra round trips per bad record.

mod checkpoint_row;
mod copy;
mod errors;
pub mod retention;
mod row;
pub mod schema;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use postgres::{Client, NoTls, Transaction};
use serde::Deserialize;

pub use retention::{RetentionConfig, RetentionReport};
pub use schema::Layout;

use self::checkpoint_row::checkpoint_from;
use self::copy::{Encoded, LoadError};
use self::errors::{Class, classify, describe};
use self::row::decode;
use super::destination::{Batch, Delivery, Destination, Encoder, Encoding, Rejected, SourceKey};
use super::error::ShipError;
use crate::checkpoint::Checkpoint;

/// The `postgres` section of the shipper's configuration.
///
/// ```
/// use logger_read::ship::postgres::PostgresConfig;
/// let c: PostgresConfig = serde_json::from_str(r#"{"url":"postgres://ship@db/logs","table_prefix":"trading_app"}"#).unwrap();
/// assert_eq!(c.connect_timeout_secs, 10);
/// assert!(c.layout().is_ok());
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PostgresConfig {
    /// `postgres://user:password@host:port/database` or `host=... user=...`.
    pub url: String,
    /// Seed 003's schema (default `logging`); ignored with `table_prefix`.
    #[serde(default)]
    pub schema: Option<String>,
    /// Use seed 004's layout: one table `public.{table_prefix}_logs`.
    #[serde(default)]
    pub table_prefix: Option<String>,
    /// Connect timeout in seconds (default 10, seed 004).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: u64,
    /// Retention settings (default: seed 003's, daily at 02:00 local).
    #[serde(default)]
    pub retention: RetentionConfig,
}

fn default_connect_timeout() -> u64 {
    10
}

impl PostgresConfig {
    /// A configuration with defaults for `url`.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            schema: None,
            table_prefix: None,
            connect_timeout_secs: default_connect_timeout(),
            retention: RetentionConfig::default(),
        }
    }

    /// The table layout this configuration selects.
    ///
    /// # Errors
    /// `Fatal` naming an invalid `table_prefix` or `schema`.
    pub fn layout(&self) -> Result<Layout, ShipError> {
        match (&self.table_prefix, &self.schema) {
            (Some(p), _) => Layout::seed004(p),
            (None, Some(s)) => Layout::seed003(s),
            (None, None) => Ok(Layout::default()),
        }
    }
}

/// The PostgreSQL destination (exactly once: the checkpoint is committed
/// with the rows).
///
/// ```no_run
/// use logger_read::ship::postgres::{PostgresConfig, PostgresDestination};
/// use logger_read::ship::Destination;
/// let mut pg = PostgresDestination::new(PostgresConfig::new("postgres://ship:pw@127.0.0.1/logs"))?;
/// pg.check()?; // connects, creates the tables if needed
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub struct PostgresDestination {
    config: postgres::Config,
    layout: Layout,
    retention: RetentionConfig,
    client: Option<Client>,
    next_retention: SystemTime,
}

impl std::fmt::Debug for PostgresDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDestination")
            .field("layout", &self.layout)
            .field("connected", &self.client.is_some())
            .finish_non_exhaustive()
    }
}

impl PostgresDestination {
    /// Validates `config` (without connecting).
    ///
    /// # Errors
    /// `Fatal` naming the bad option: an unparsable URL, an invalid table
    /// prefix or schema, a bad retention time.
    pub fn new(config: PostgresConfig) -> Result<Self, ShipError> {
        let mut pg: postgres::Config = config.url.parse().map_err(|e| {
            ShipError::fatal(
                "postgres",
                format!("invalid url {:?}: {e}", redact(&config.url)),
            )
        })?;
        pg.connect_timeout(Duration::from_secs(config.connect_timeout_secs.max(1)));
        if pg.get_application_name().is_none() {
            pg.application_name("logger-ship");
        }
        let layout = config.layout()?;
        config.retention.validate()?;
        let next_retention = config.retention.next_run_after(SystemTime::now());
        Ok(Self {
            config: pg,
            layout,
            retention: config.retention,
            client: None,
            next_retention,
        })
    }

    /// The table layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Runs retention now (normally the daily schedule does), with "now" = `now`.
    ///
    /// # Errors
    /// As `deliver`.
    pub fn run_retention(&mut self, now: SystemTime) -> Result<RetentionReport, ShipError> {
        let layout = self.layout.clone();
        let retention = self.retention.clone();
        let client = self.client()?;
        let r = retention.run(client, &layout, now);
        self.drop_if_broken(&r);
        r
    }

    fn drop_if_broken<T>(&mut self, r: &Result<T, ShipError>) {
        if r.as_ref().is_err_and(ShipError::is_retryable) {
            self.client = None;
        }
    }

    /// The connection, opened (and the schema created) when there is none.
    fn client(&mut self) -> Result<&mut Client, ShipError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        if self.client.is_none() {
            let mut c = self.config.connect(NoTls).map_err(|e| {
                let target = describe_target(&self.config);
                describe(&e, &format!("connecting to {target}"))
            })?;
            self.layout.create(&mut c)?;
            self.client = Some(c);
        }
        Ok(self.client.as_mut().expect("connected just above"))
    }
}

/// `host:port/db as user`, for connection errors (never the password).
fn describe_target(c: &postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{} as {}",
        c.get_dbname().unwrap_or("(default database)"),
        c.get_user().unwrap_or("(default user)")
    )
}

/// The URL with its password replaced by `***`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A batch decoded and encoded for `COPY`, with the lines that could not be.
#[derive(Debug)]
struct Prepared {
    encoded: Encoded,
    rejected: Vec<Rejected>,
}

impl Prepared {
    fn new(layout: &Layout, batch: &Batch) -> Self {
        let mut rejected = Vec::new();
        let mut rows = Vec::with_capacity(batch.len());
        for (i, line) in batch.lines().enumerate() {
            match decode(line) {
                Ok(d) => rows.push((i, d)),
                Err(reason) => rejected.push(Rejected { index: i, reason }),
            }
        }
        let encoded = Encoded::new(layout, &rows);
        rejected.extend(
            encoded
                .unencodable()
                .iter()
                .map(|(index, reason)| Rejected {
                    index: *index,
                    reason: reason.clone(),
                }),
        );
        Self { encoded, rejected }
    }
}

/// Decodes and encodes batches for [`PostgresDestination`] on the
/// shipper's reading thread.
struct PgEncoder {
    layout: Layout,
}

impl Encoder for PgEncoder {
    fn encode(&self, batch: &Batch) -> Encoding {
        Arc::new(Prepared::new(&self.layout, batch))
    }
}

/// Loads encoded rows `lo..hi` under a savepoint; on a data error, rolls
/// back and splits, so that every good row is loaded and every bad one is
/// in `rejected`.
fn load_bisect(
    tx: &mut Transaction<'_>,
    rows: &Encoded,
    lo: usize,
    hi: usize,
    rejected: &mut Vec<Rejected>,
) -> Result<(), LoadError> {
    let mut sp = tx.transaction()?;
    match rows.load(&mut sp, lo, hi) {
        Ok(()) => Ok(sp.commit()?),
        Err(LoadError::Db(e)) if classify(&e) == Class::BadRow => {
            sp.rollback()?;
            if hi - lo == 1 {
                rejected.push(Rejected {
                    index: rows.batch_index(lo),
                    reason: errors::message(&e, "COPY"),
                });
                return Ok(());
            }
            let mid = lo + (hi - lo) / 2;
            load_bisect(tx, rows, lo, mid, rejected)?;
            load_bisect(tx, rows, mid, hi, rejected)
        }
        Err(e) => Err(e),
    }
}

impl Destination for PostgresDestination {
    fn name(&self) -> &str {
        "postgres"
    }

    fn stores_checkpoints(&self) -> bool {
        true
    }

    fn load_checkpoint(&mut self, source: &SourceKey) -> Result<Option<Checkpoint>, ShipError> {
        let table = self.layout.checkpoint_table();
        let client = self.client()?;
        let row = client.query_opt(
            &format!("SELECT file_id, file_offset FROM {table} WHERE source = $1"),
            &[&source.as_str()],
        );
        let r = match row {
            Ok(None) => Ok(None),
            Ok(Some(row)) => {
                let id: String = row.get(0);
                let off: i64 = row.get(1);
                checkpoint_from(&id, off).map(Some).ok_or_else(|| {
                    ShipError::fatal(
                        "postgres",
                        format!("{table}: unreadable checkpoint for {source}: file_id {id:?}, offset {off}"),
                    )
                })
            }
            Err(e) => Err(describe(&e, &format!("reading {table}"))),
        };
        self.drop_if_broken(&r);
        r
    }

    fn encoder(&self) -> Option<Box<dyn Encoder>> {
        Some(Box::new(PgEncoder {
            layout: self.layout.clone(),
        }))
    }

    fn deliver(&mut self, batch: &Batch) -> Result<Delivery, ShipError> {
        let own;
        let prepared = match batch.encoding::<Prepared>() {
            Some(p) => p,
            None => {
                own = Prepared::new(&self.layout, batch);
                &own
            }
        };
        let mut rejected = prepared.rejected.clone();
        let table = self.layout.checkpoint_table();
        // A batch without a checkpoint of its own leaves the stored one
        // where it is (still only if it is where the batch starts).
        let checkpoint = batch.checkpoint().or(batch.previous());
        let client = self.client()?;
        let result = (|| -> Result<Result<(), String>, LoadError> {
            let mut tx = client.transaction()?;
            // The checkpoint first: its row lock makes a second writer of
            // this source wait here, before its COPY.
            if let Some(to) = checkpoint {
                let moved =
                    checkpoint_row::advance(&mut tx, &table, batch.source(), batch.previous(), to)?;
                if let Err(found) = moved {
                    tx.rollback()?;
                    return Ok(Err(found));
                }
            }
            let rows = &prepared.encoded;
            if rows.len() > 0 {
                load_bisect(&mut tx, rows, 0, rows.len(), &mut rejected)?;
            }
            tx.commit()?;
            Ok(Ok(()))
        })();
        match result {
            Ok(Ok(())) => {
                rejected.sort_by_key(|r| r.index);
                Ok(Delivery { rejected })
            }
            Ok(Err(found)) => Err(ShipError::unavailable(
                "postgres",
                format!(
                    "loading a batch: {table} holds {found} for {}, not the checkpoint this batch \
                     starts at ({}): another transaction moved it (the COMMIT of a killed \
                     logger-ship finishing late, or a second logger-ship following the same \
                     files); the batch was rolled back and is read again from the stored checkpoint",
                    batch.source(),
                    checkpoint_row::describe(batch.previous()),
                ),
            )),
            Err(e) => {
                let err = match &e {
                    LoadError::Db(e) => describe(e, "loading a batch"),
                    LoadError::Write(e) => ShipError::unavailable(
                        "postgres",
                        format!("loading a batch: sending COPY data: {e}"),
                    ),
                };
                if err.is_retryable() {
                    self.client = None;
                }
                Err(err)
            }
        }
    }

    fn check(&mut self) -> Result<(), ShipError> {
        let r = self.client().map(|_| ());
        self.drop_if_broken(&r);
        r
    }

    fn idle(&mut self) -> Result<(), ShipError> {
        if !self.retention.enabled {
            return Ok(());
        }
        let now = SystemTime::now();
        if now < self.next_retention {
            return Ok(());
        }
        self.run_retention(now)?;
        self.next_retention = self.retention.next_run_after(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn bad_options_are_named() {
        let mut c = PostgresConfig::new("postgres://u@h/db");
        c.table_prefix = Some("9bad".into());
        let e = PostgresDestination::new(c).unwrap_err().to_string();
        assert!(e.contains("invalid table prefix \"9bad\""), "{e}");
        let e = PostgresDestination::new(PostgresConfig::new("postgres://u@h:notaport/db"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid url"), "{e}");
        let mut c = PostgresConfig::new("postgres://u@h/db");
        c.retention.at = "25:00".into();
        let e = PostgresDestination::new(c).unwrap_err().to_string();
        assert!(e.contains("retention.at"), "{e}");
    }
}

/// For `benches/postgres_ship.rs` only: a bare binary `COPY` of already
/// decoded rows, to compare the shipper with. Not a stable API.
#[doc(hidden)]
pub mod bench {
    use std::time::{Duration, Instant};

    use postgres::{Client, NoTls};

    use super::copy::Encoded;
    use super::row;
    use super::schema::Layout;

    /// Decodes `lines` (untimed), creates the tables, then encodes and
    /// loads the rows in transactions of `batch` rows, each with a
    /// checkpoint update as the shipper does, one after the other on one
    /// connection, and returns the time of the encoding and loading alone.
    ///
    /// # Panics
    /// On any database error (a benchmark has no one to report to).
    pub fn bare_copy(url: &str, layout: &Layout, lines: &[Vec<u8>], batch: usize) -> Duration {
        let rows: Vec<(usize, row::Decoded<'_>)> = lines
            .iter()
            .filter_map(|l| row::decode(l).ok())
            .enumerate()
            .collect();
        let mut c = Client::connect(url, NoTls).expect("connect");
        layout.create(&mut c).expect("create tables");
        let table = layout.checkpoint_table();
        let start = Instant::now();
        for (i, chunk) in rows.chunks(batch.max(1)).enumerate() {
            let encoded = Encoded::new(layout, chunk);
            let mut tx = c.transaction().expect("begin");
            encoded.load(&mut tx, 0, encoded.len()).expect("copy");
            tx.execute(
                &format!(
                    "INSERT INTO {table} (source, file_id, file_offset) VALUES ('bench', 'x', $1) \
                     ON CONFLICT (source) DO UPDATE SET file_offset = EXCLUDED.file_offset"
                ),
                &[&(i as i64)],
            )
            .expect("checkpoint");
            tx.commit().expect("commit");
        }
        start.elapsed()
    }

    /// As [`bare_copy`], on two connections at once: `system_logs` on one,
    /// the other tables on the second, each connection with transactions
    /// of its own (so without one checkpoint for both: not exactly once).
    ///
    /// # Panics
    /// On any database error.
    pub fn bare_copy_two_connections(
        url: &str,
        layout: &Layout,
        lines: &[Vec<u8>],
        batch: usize,
    ) -> Duration {
        let rows: Vec<(usize, row::Decoded<'_>)> = lines
            .iter()
            .filter_map(|l| row::decode(l).ok())
            .enumerate()
            .collect();
        let mut clients = [0, 1].map(|_| Client::connect(url, NoTls).expect("connect"));
        layout.create(&mut clients[0]).expect("create tables");
        let start = Instant::now();
        std::thread::scope(|s| {
            for (k, mut c) in clients.into_iter().enumerate() {
                let rows = &rows;
                s.spawn(move || {
                    for chunk in rows.chunks(batch.max(1)) {
                        let encoded = Encoded::new(layout, chunk);
                        let mut tx = c.transaction().expect("begin");
                        for t in (0..encoded.tables()).filter(|&t| (t == 0) == (k == 0)) {
                            encoded
                                .load_table(&mut tx, t, 0, encoded.len())
                                .expect("copy");
                        }
                        tx.commit().expect("commit");
                    }
                });
            }
        });
        start.elapsed()
    }
}
