//! `logger cat`: the records of one or more destinations in `ts` order.

use crate::commands::build_filter;
use crate::error::CliError;
use crate::flags::{CatArgs, paths_or_default};
use crate::output::Printer;
use crate::scan::{ScanOptions, scan};

/// Runs `cat`.
///
/// # Errors
///
/// Bad arguments, unreadable input, a closed stdout.
pub fn run(args: &CatArgs) -> Result<(), CliError> {
    let filter = build_filter(&args.filter)?;
    let mut printer = Printer::new(&args.output).map_err(CliError::Usage)?;
    let opts = ScanOptions {
        dedup: !args.no_dedup,
        progress: !args.scan.no_progress && !std::io::IsTerminal::is_terminal(&std::io::stdout()),
        identities: crate::keys::load(&args.scan.keys)?,
    };
    let outcome = scan(&paths_or_default(&args.paths), &filter, opts, |_, m| {
        printer.print(m.line.bytes, None)
    })?;
    printer.flush()?;
    outcome.finish(args.scan.strict)
}
