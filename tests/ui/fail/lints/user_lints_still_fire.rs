//! The expansions keep the user's own code under the user's lints.
#![deny(unused_variables, unused_mut)]

use logger::{log_performance, trade};

#[log_performance]
fn timed(x: u64) -> u64 {
    let mut unused = 5;
    x
}

fn main() {
    let also_unused = 1;
    trade!(symbol = "A", side = "b", qty = timed(1), price = 1.0);
}
