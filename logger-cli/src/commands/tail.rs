//! `logger tail`: the last records, or (`-f`) every new record as it is
//! written, across rotations.

use std::collections::VecDeque;

use crate::commands::build_filter;
use crate::error::CliError;
use crate::flags::{TailArgs, paths_or_default};
use crate::output::Printer;
use crate::scan::{ScanOptions, scan};

/// Runs `tail`.
///
/// # Errors
///
/// Bad arguments, unreadable input, a closed stdout.
pub fn run(args: &TailArgs) -> Result<(), CliError> {
    let filter = build_filter(&args.filter)?;
    let mut printer = Printer::new(&args.output).map_err(CliError::Usage)?;
    let paths = paths_or_default(&args.paths);
    if args.follow {
        return crate::follow::run(&paths, &filter, args, &mut printer);
    }
    let opts = ScanOptions {
        dedup: true,
        progress: false,
        identities: crate::keys::load(&args.keys)?,
    };
    let keep_all = filter.since_ns().is_some();
    let mut last: VecDeque<Vec<u8>> = VecDeque::new();
    let outcome = scan(&paths, &filter, opts, |_, m| {
        if keep_all {
            return printer.print(m.line.bytes, None);
        }
        if last.len() == args.lines {
            last.pop_front();
        }
        if args.lines > 0 {
            last.push_back(m.line.bytes.to_vec());
        }
        Ok(())
    })?;
    for l in &last {
        printer.print(l, None)?;
    }
    printer.flush()?;
    outcome.finish(false)
}
