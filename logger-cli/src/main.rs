//! `logger`: the command-line tool of the read side. See `docs/cli.md`.

mod filter;
mod flags;
mod output;

use clap::Parser;

fn main() {
    let cli = flags::Cli::parse();
    let _ = cli;
}
