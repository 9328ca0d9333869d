//! `--identity FILE` (repeatable) or `LOGGER_AGE_IDENTITY`: the age
//! identities that decrypt encrypted rotated files (`.log.age`,
//! `.log.gz.age`), read once per command.

use logger_read::decrypt::Identities;

use crate::error::CliError;
use crate::flags::KeyArgs;

/// The identities of `args`, `None` when no identity file is given.
///
/// # Errors
///
/// [`CliError::Usage`] naming the option and the file: unreadable, or not
/// an age identity file.
pub fn load(args: &KeyArgs) -> Result<Option<Identities>, CliError> {
    if args.identity.is_empty() {
        return Ok(None);
    }
    Identities::from_files(&args.identity)
        .map(Some)
        .map_err(|e| CliError::Usage(format!("--identity (or LOGGER_AGE_IDENTITY): {e}")))
}
