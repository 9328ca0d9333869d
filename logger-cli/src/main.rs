//! `logger`: the command-line tool of the read side. See `docs/cli.md`.

mod charts;
mod filter;
mod flags;
mod output;
mod stats;

use clap::Parser;

fn main() {
    let cli = flags::Cli::parse();
    let _ = cli;
}
