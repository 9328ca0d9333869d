//! `logger`: the command-line tool of the read side: `cat`, `tail`,
//! `trace`, `stats`, `plot`, `report`, `check` and `ship` over the JSON-lines files
//! of the `logger` crate. Thin over `logger-read`; see `docs/cli.md`.

mod call_tree;
mod charts;
mod commands;
mod dir_watch;
mod error;
mod filter;
mod flags;
mod follow;
mod keys;
mod ordered;
mod output;
mod record_access;
mod report_html;
mod scan;
mod schema;
mod ship_progress;
mod stats;

use clap::Parser;

use crate::error::CliError;
use crate::flags::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Cat(a) => commands::cat::run(a),
        Command::Tail(a) => commands::tail::run(a),
        Command::Trace(a) => commands::trace::run(a),
        Command::Stats(a) => commands::stats::run(a),
        Command::Plot(a) => commands::plot::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Ship(a) => commands::ship::run(a),
    };
    if let Err(e) = result {
        let code = e.exit_code();
        match &e {
            // Output to a closed pipe (`logger cat | head`): stop quietly.
            CliError::Output(io) if io.kind() == std::io::ErrorKind::BrokenPipe => {}
            // Already reported line by line on stderr (or stdout for check).
            CliError::Reported => {}
            CliError::Usage(m) => eprintln!("logger: {m}\n(see `logger --help`)"),
            other => eprintln!("logger: {other}"),
        }
        std::process::exit(code);
    }
}
