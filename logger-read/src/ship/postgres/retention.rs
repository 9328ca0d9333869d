//! Retention (seed 003): archive old `system_logs` rows, delete old archived,
//! trading and performance rows, in batches, once a day at a set local time.
//!
//! Each run is logged with its counts: a row in `system_logs` (service
//! `logger-ship`, event type `retention`) and a `log::info!` record for an
//! application that installed a logger.

use std::time::{Duration, SystemTime};

use chrono::{Local, NaiveTime, TimeZone};
use postgres::Client;
use serde::Deserialize;

use super::errors::describe;
use super::schema::Layout;
use crate::ship::ShipError;

/// Retention settings; the defaults are seed 003's.
///
/// ```
/// let r: logger_read::ship::postgres::RetentionConfig = serde_json::from_str(r#"{"at":"03:30"}"#).unwrap();
/// assert_eq!((r.system_days, r.error_days, r.archive_delete_days), (30, 90, 90));
/// assert_eq!(r.at, "03:30");
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Run at all (default true).
    pub enabled: bool,
    /// Local time of the daily run, `HH:MM` (default `02:00`).
    pub at: String,
    /// Rows moved or deleted per statement (default 1000).
    pub batch_size: i64,
    /// `system_logs` rows below `ERROR` are archived after this many days (30).
    pub system_days: u32,
    /// `ERROR` and `CRITICAL` rows are archived after this many days (90).
    pub error_days: u32,
    /// Archived rows are deleted this many days after their timestamp (90).
    pub archive_delete_days: u32,
    /// `trading_logs` rows are deleted after this many days (90).
    pub trading_days: u32,
    /// `performance_logs` rows are deleted after this many days (30).
    pub performance_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            at: "02:00".into(),
            batch_size: 1000,
            system_days: 30,
            error_days: 90,
            archive_delete_days: 90,
            trading_days: 90,
            performance_days: 30,
        }
    }
}

/// What one retention run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RetentionReport {
    /// `system_logs` rows moved to `archived_system_logs`.
    pub archived: u64,
    /// Rows deleted from `archived_system_logs` (seed 004: from `{prefix}_logs`).
    pub deleted_archived: u64,
    /// Rows deleted from `trading_logs`.
    pub deleted_trading: u64,
    /// Rows deleted from `performance_logs`.
    pub deleted_performance: u64,
}

impl RetentionConfig {
    /// Checks `at` and `batch_size`.
    ///
    /// # Errors
    /// `Fatal` naming the option.
    pub fn validate(&self) -> Result<(), ShipError> {
        self.time_of_day()?;
        if self.batch_size < 1 {
            return Err(ShipError::fatal(
                "postgres",
                format!(
                    "retention.batch_size must be at least 1, not {}",
                    self.batch_size
                ),
            ));
        }
        Ok(())
    }

    fn time_of_day(&self) -> Result<NaiveTime, ShipError> {
        NaiveTime::parse_from_str(&self.at, "%H:%M").map_err(|_| {
            ShipError::fatal(
                "postgres",
                format!("retention.at must be a local time HH:MM, not {:?}", self.at),
            )
        })
    }

    /// The first scheduled run strictly after `now`.
    pub fn next_run_after(&self, now: SystemTime) -> SystemTime {
        let at = self.time_of_day().unwrap_or(NaiveTime::MIN);
        let now_local: chrono::DateTime<Local> = now.into();
        let mut day = now_local.date_naive();
        for _ in 0..3 {
            if let Some(t) = Local.from_local_datetime(&day.and_time(at)).earliest() {
                let t: SystemTime = t.into();
                if t > now {
                    return t;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        now + Duration::from_secs(86_400)
    }

    /// Runs retention once against `layout`'s tables, with "now" = `now`.
    ///
    /// # Errors
    /// The first statement that failed (`Unavailable` for connection
    /// trouble); batches before it stay done.
    pub fn run(
        &self,
        client: &mut Client,
        layout: &Layout,
        now: SystemTime,
    ) -> Result<RetentionReport, ShipError> {
        let days = |d: u32| now - Duration::from_secs(u64::from(d) * 86_400);
        let mut r = RetentionReport::default();
        let n = self.batch_size;
        match layout {
            Layout::Seed003 { schema } => {
                let cols = "id, service, level, message, data, correlation_id, event_type, timestamp, \
                    logger_name, process_id, thread_id, thread_name, hostname, exception, \
                    function_name, module, filename, lineno";
                let archive = |levels: &str| {
                    format!(
                        "WITH moved AS (DELETE FROM {schema}.system_logs WHERE id IN \
                         (SELECT id FROM {schema}.system_logs WHERE timestamp < $1 AND level {levels} \
                         ORDER BY id LIMIT $2) RETURNING {cols}) \
                         INSERT INTO {schema}.archived_system_logs ({cols}) SELECT {cols} FROM moved \
                         ON CONFLICT (id) DO NOTHING"
                    )
                };
                r.archived += batches(
                    client,
                    &archive("NOT IN ('ERROR', 'CRITICAL')"),
                    days(self.system_days),
                    n,
                )?;
                r.archived += batches(
                    client,
                    &archive("IN ('ERROR', 'CRITICAL')"),
                    days(self.error_days),
                    n,
                )?;
                let delete = |table: &str| {
                    format!(
                        "DELETE FROM {schema}.{table} WHERE id IN (SELECT id FROM {schema}.{table} \
                         WHERE timestamp < $1 ORDER BY id LIMIT $2)"
                    )
                };
                r.deleted_archived = batches(
                    client,
                    &delete("archived_system_logs"),
                    days(self.archive_delete_days),
                    n,
                )?;
                r.deleted_trading =
                    batches(client, &delete("trading_logs"), days(self.trading_days), n)?;
                r.deleted_performance = batches(
                    client,
                    &delete("performance_logs"),
                    days(self.performance_days),
                    n,
                )?;
                let data = serde_json::to_string(&r).unwrap_or_default();
                let msg = format!(
                    "retention: archived {} system_logs rows, deleted {} archived, {} trading, {} performance rows",
                    r.archived, r.deleted_archived, r.deleted_trading, r.deleted_performance
                );
                client
                    .execute(
                        &format!(
                            "INSERT INTO {schema}.system_logs (service, level, message, data, event_type, timestamp, logger_name) \
                             VALUES ('logger-ship', 'INFO', $1, $2::text::jsonb, 'retention', $3, 'logger_read::ship::postgres::retention')"
                        ),
                        &[&msg, &data, &now],
                    )
                    .map_err(|e| describe(&e, "logging the retention run"))?;
                log::info!(target: "logger_read::ship::postgres::retention", archived = r.archived, deleted_archived = r.deleted_archived, deleted_trading = r.deleted_trading, deleted_performance = r.deleted_performance; "{msg}");
            }
            Layout::Seed004 { schema, prefix } => {
                let sql = format!(
                    "DELETE FROM {schema}.{prefix}_logs WHERE id IN (SELECT id FROM {schema}.{prefix}_logs \
                     WHERE timestamp < $1 ORDER BY id LIMIT $2)"
                );
                r.deleted_archived = batches(client, &sql, days(self.system_days), n)?;
                log::info!(target: "logger_read::ship::postgres::retention", deleted = r.deleted_archived; "retention: deleted {} rows of {schema}.{prefix}_logs", r.deleted_archived);
            }
        }
        Ok(r)
    }
}

/// Runs `sql` (parameters: cutoff, batch size) until it affects no row;
/// each statement commits on its own.
fn batches(client: &mut Client, sql: &str, cutoff: SystemTime, n: i64) -> Result<u64, ShipError> {
    let mut total = 0;
    loop {
        let done = client
            .execute(sql, &[&cutoff, &n])
            .map_err(|e| describe(&e, "retention"))?;
        total += done;
        if done < n as u64 {
            return Ok(total);
        }
    }
}
