//! `logger stats`: latency percentiles per operation, trades, records and
//! errors by service and level, the logger's own warnings.

use std::io::Write;

use crate::commands::build_filter;
use crate::error::CliError;
use crate::flags::{FilterArgs, GroupBy, ScanArgs, StatsArgs, paths_or_default};
use crate::scan::{ScanOptions, scan};
use crate::stats::collect::Collector;
use crate::stats::summary::Summary;

/// Scans `paths` into a [`Collector`]; shared by `stats`, `plot` and `report`.
///
/// # Errors
///
/// Bad arguments, unreadable input.
pub fn collect(
    paths: &[std::path::PathBuf],
    filter_args: &FilterArgs,
    scan_args: &ScanArgs,
    by: Option<GroupBy>,
    timelines: bool,
) -> Result<(Collector, crate::scan::ScanOutcome), CliError> {
    let filter = build_filter(filter_args)?;
    let mut c = Collector::new(by, timelines);
    let opts = ScanOptions {
        dedup: true,
        progress: !scan_args.no_progress,
        identities: crate::keys::load(&scan_args.keys)?,
    };
    let outcome = scan(&paths_or_default(paths), &filter, opts, |view, m| {
        c.add(view, m.line.bytes);
        Ok(())
    })?;
    Ok((c, outcome))
}

/// Runs `stats`.
///
/// # Errors
///
/// Bad arguments, unreadable input, a closed stdout.
pub fn run(args: &StatsArgs) -> Result<(), CliError> {
    let (c, outcome) = collect(&args.paths, &args.filter, &args.scan, args.by, false)?;
    let summary = Summary::of(&c);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &summary).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
    } else {
        out.write_all(summary.to_text().as_bytes())?;
    }
    out.flush()?;
    outcome.finish(args.scan.strict)
}
