//! `logger report`: one self-contained HTML page with the charts and tables.

use crate::charts;
use crate::commands::stats::collect;
use crate::error::CliError;
use crate::flags::{ReportArgs, paths_or_default};
use crate::report_html;

/// Runs `report`.
///
/// # Errors
///
/// Unreadable input, no font, an unwritable output file.
pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    charts::ensure_font().map_err(CliError::Input)?;
    let (c, outcome) = collect(&args.paths, &args.filter, &args.scan, None, true)?;
    let sources: Vec<String> = paths_or_default(&args.paths)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let html = report_html::page(&c, &sources.join(", ")).map_err(CliError::Input)?;
    std::fs::write(&args.out, html)
        .map_err(|e| CliError::Input(format!("-o {}: {e}", args.out.display())))?;
    outcome.finish(args.scan.strict)
}
