// A bare level word is read as the level even where a variable of that
// name exists: a deprecation warning (denied here) says how to write each.
#![deny(deprecated)]
use logger::trade;

fn main() {
    let info = 3u64;
    trade!(info, symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(level: info, symbol = "AAPL", side = "buy", qty = info, price = 1.0);
}
