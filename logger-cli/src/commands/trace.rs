//! `logger trace ID`: every record of one correlation id, across all
//! destinations and rotated files, in time order, each text line starting
//! with the time since the first record (`+0.000125000s`), a timed call
//! nested in another indented two spaces a level under it (see
//! [`crate::call_tree`]). One id's records are few: they are collected,
//! then printed.

use crate::call_tree::{Node, depths};
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
    let mut lines: Vec<(i64, Vec<u8>)> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let outcome = scan(&paths_or_default(&args.paths), &filter, opts, |view, m| {
        let ts = view.ts().as_nanos();
        lines.push((ts, m.line.bytes.to_vec()));
        nodes.push(node(view, ts));
        Ok(())
    })?;
    let depth = depths(&nodes);
    let t0 = lines.first().map_or(0, |l| l.0);
    for ((ts, line), depth) in lines.iter().zip(depth) {
        if printer.is_json() {
            printer.print(line, None)?;
        } else {
            let indent = "  ".repeat(depth);
            let prefix = format!("+{:.9}s{indent}", (ts - t0) as f64 / 1e9);
            printer.print(line, Some(&prefix))?;
        }
    }
    printer.flush()?;
    if outcome.matched == 0 {
        eprintln!("logger: no record with correlation id {:?}", args.id);
        return Err(CliError::Reported);
    }
    outcome.finish(args.scan.strict)
}

/// What the call tree needs of a record: a perf record's `span_id`,
/// `children` and interval.
fn node(view: &logger_read::RecordView<'_>, ts: i64) -> Node {
    let u64_at = |path: &str| view.get(path).and_then(|v| v.to_value().ok()?.as_u64());
    let elapsed = u64_at("fields.elapsed_ns").filter(|_| view.kind().raw() == b"perf");
    Node {
        pid: view.pid().unwrap_or(0),
        span_id: u64_at("fields.span_id"),
        children: view
            .get("fields.children")
            .and_then(|v| v.to_value().ok())
            .and_then(|v| {
                v.as_array()
                    .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
            })
            .unwrap_or_default(),
        interval: elapsed.map(|e| (i128::from(ts) - i128::from(e), i128::from(ts))),
    }
}
