//! `logger ship`: follow the files and ship their records to PostgreSQL and
//! the remote destinations of a configuration file, in the foreground, until
//! SIGTERM or SIGINT (then what was read is delivered). The same code path
//! as the in-process `logger_read::ship::start` (docs/postgres.md,
//! docs/destinations.md).

use std::time::Instant;

use logger_read::ship::{self, ShipConfig};

use crate::error::CliError;
use crate::flags::ShipArgs;
use crate::ship_progress::ShipProgress;

/// Runs the shipper; prints each destination's counters as a JSON line on
/// stdout at the end. While it runs, a progress line on stderr when that
/// is a terminal (`ship_progress.rs`).
///
/// # Errors
///
/// A usage error for a bad combination of arguments; an input error for
/// a configuration that cannot be loaded or a destination that failed for
/// good (bad password, missing privilege), with the shipper's message.
pub fn run(args: &ShipArgs) -> Result<(), CliError> {
    let mut config = match (&args.postgres, &args.config) {
        (Some(url), None) => {
            if args.dirs.is_empty() {
                return Err(CliError::Usage(
                    "--postgres URL needs the directories to ship: logger ship --postgres URL DIR..."
                        .into(),
                ));
            }
            ShipConfig::postgres(args.dirs.clone(), url)
        }
        (None, Some(path)) => {
            if !args.dirs.is_empty() {
                return Err(CliError::Usage(
                    "the directories to ship come from the configuration file's `paths`, not the command line"
                        .into(),
                ));
            }
            ShipConfig::load(path).map_err(|e| CliError::Input(e.to_string()))?
        }
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "give either --config FILE or --postgres URL DIR..., not both".into(),
            ));
        }
        (None, None) => {
            return Err(CliError::Usage(
                "give --config FILE (every destination) or --postgres URL DIR...".into(),
            ));
        }
    };
    if let Some(n) = args.batch_records {
        config.batch_records = n;
    }
    if let Some(prefix) = &args.table_prefix {
        match config.postgres.as_mut() {
            Some(pg) => pg.table_prefix = Some(prefix.clone()),
            None => {
                return Err(CliError::Usage(
                    "--table-prefix applies to a PostgreSQL destination, and none is configured"
                        .into(),
                ));
            }
        }
    }
    if args.check {
        ship::check(&config).map_err(|e| CliError::Input(e.to_string()))?;
        println!("ok");
        return Ok(());
    }
    let mut progress = ShipProgress::new(!args.no_progress);
    let result = ship::run_until_signal_watching(config, |m| progress.update(m, Instant::now()));
    progress.finish();
    let metrics = result.map_err(|e| CliError::Input(e.to_string()))?;
    for m in metrics {
        let line = serde_json::to_string(&m).map_err(|e| CliError::Input(e.to_string()))?;
        println!("{line}");
    }
    Ok(())
}
