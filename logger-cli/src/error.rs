//! The tool's errors and exit codes: 0 success, 1 a problem in the input
//! (unreadable file, line that is not a record, failed check), 2 a bad
//! argument (clap uses 2 for its own errors as well).

use std::fmt;
use std::io;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// A bad argument or option: the message names it. Exit code 2.
    Usage(String),
    /// A problem with the input or output files. Exit code 1.
    Input(String),
    /// Writing stdout failed; `BrokenPipe` ends the command quietly.
    Output(io::Error),
    /// The command ran and reported problems already (stderr). Exit code 1.
    Reported,
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
            _ => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Input(m) => f.write_str(m),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
            CliError::Reported => f.write_str("problems found (see above)"),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        CliError::Output(e)
    }
}

impl From<logger_read::ReadError> for CliError {
    fn from(e: logger_read::ReadError) -> CliError {
        CliError::Input(e.to_string())
    }
}
