//! `logger trace ID`: every record of one correlation id, across all
//! destinations and rotated files, in time order, each text line starting
//! with the time since the first record (`+0.000125000s`).

use crate::commands::build_filter;
use crate::error::CliError;
use crate::flags::{TraceArgs, paths_or_default};
use crate::output::Printer;
use crate::scan::{ScanOptions, scan};

/// Runs `trace`.
///
/// # Errors
///
/// Bad arguments, unreadable input, a closed stdout; no record of the id
/// is a message and exit code 1.
pub fn run(args: &TraceArgs) -> Result<(), CliError> {
    if args.id.is_empty() {
        return Err(CliError::Usage("trace: the correlation id is empty".into()));
    }
    if args.filter.corr.is_some() {
        return Err(CliError::Usage(
            "trace: give the id as the first argument, not with --corr".into(),
        ));
    }
    let filter = build_filter(&args.filter)?.with_corr(&args.id);
    let mut printer = Printer::new(&args.output).map_err(CliError::Usage)?;
    let opts = ScanOptions {
        dedup: true,
        progress: !args.scan.no_progress,
        identities: crate::keys::load(&args.scan.keys)?,
    };
    let mut first: Option<i64> = None;
    let outcome = scan(&paths_or_default(&args.paths), &filter, opts, |view, m| {
        let ts = view.ts().as_nanos();
        let t0 = *first.get_or_insert(ts);
        if printer.is_json() {
            printer.print(m.line.bytes, None)
        } else {
            let prefix = format!("+{:.9}s", (ts - t0) as f64 / 1e9);
            printer.print(m.line.bytes, Some(&prefix))
        }
    })?;
    printer.flush()?;
    if outcome.matched == 0 {
        eprintln!("logger: no record with correlation id {:?}", args.id);
        return Err(CliError::Reported);
    }
    outcome.finish(args.scan.strict)
}
