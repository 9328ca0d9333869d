//! One file per command; each takes its parsed arguments and returns
//! `Ok` or the [`CliError`](crate::error::CliError) that sets the exit code.

pub mod cat;
pub mod check;
pub mod plot;
pub mod report;
pub mod ship;
pub mod stats;
pub mod tail;
pub mod trace;

use crate::error::CliError;
use crate::filter::{Filter, time_arg};
use crate::flags::FilterArgs;

/// The filter of the command line, or a usage error naming the option.
///
/// # Errors
///
/// A bad filter argument.
pub fn build_filter(args: &FilterArgs) -> Result<Filter, CliError> {
    Filter::new(args, time_arg::now_ns()).map_err(CliError::Usage)
}
