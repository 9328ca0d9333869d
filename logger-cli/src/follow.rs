//! `tail -f`: follows destinations across rotations with the reader's
//! `Follower`.

use std::path::PathBuf;

use crate::error::CliError;
use crate::filter::Filter;
use crate::flags::TailArgs;
use crate::output::Printer;

/// Follows `paths` until interrupted.
///
/// # Errors
///
/// Always, until the reader's `Follower` is merged: a clear message.
pub fn run(
    _paths: &[PathBuf],
    _filter: &Filter,
    _args: &TailArgs,
    _printer: &mut Printer,
) -> Result<(), CliError> {
    Err(CliError::Usage(
        "tail -f: the reader's Follower is not merged yet".into(),
    ))
}
