//! Every accepted form of `trade!`, with and without trailing commas.
#![deny(warnings)]
#![forbid(unsafe_code)]

use logger::{Loggable, trade};

#[derive(Loggable, Clone, Copy)]
enum Side {
    Buy,
}

fn main() {
    let (symbol, side, qty, price) = ("AAPL", Side::Buy, 100u64, 150.25f64);
    let id = 7u64;
    trade!(symbol = symbol, side = side, qty = qty, price = price);
    trade!(symbol = symbol, side = side, qty = qty, price = price,);
    trade!(symbol, side, qty, price);
    trade!(symbol, side, qty, price,);
    trade!(symbol, side, qty, price, order_id = id, venue = "XNAS", strategy = "mm", extra = 1);
    trade!(level: warn, symbol, side, qty, price);
    trade!(Level::Warn, symbol, side, qty, price);
    trade!(log::Level::Error, symbol, side, qty, price);
    trade!(level: critical, symbol, side, qty, price);
    trade!(logger::Level::Critical, target: "fills", symbol, side, qty, price);
    trade!(target: "fills", symbol, side, qty, price);
    trade!(level: debug, target: "fills", symbol, side, qty, price);
    trade!(target: "fills", level: trace, symbol, side, qty, price);
    trade!(symbol, side, qty, price; "filled");
    trade!(symbol, side, qty, price; "filled {} at {}", qty, price);
    trade!(symbol, side, qty, price; "filled {} at {}", qty, price,);
    trade!(symbol, side, qty, price; "filled {qty} at {p}", p = price);
    trade!(symbol, side, qty, price; "{{braces}} {}", id);
    trade!(symbol = "x", side = "buy", qty = 1, price = 1, "string.key" = 2, r#type = "limit");
    trade!(symbol = String::from("x"), side = &side, qty = Some(1u8), price = 1.5f32);
    trade!(symbol, side, qty, price, addr = logger::display(&std::net::Ipv4Addr::LOCALHOST));
    trade!(rate: "100/s", symbol, side, qty, price);
    trade!(rate: "5/ms", symbol, side, qty, price,);
    trade!(level: warn, rate: "1_000/min", symbol, side, qty, price; "filled {}", qty);
    trade!(rate: "1/s", target: "fills", Level::Debug, symbol, side, qty, price);
    trade!(target: "fills", rate: "1000000000/s", level: error, symbol, side, qty, price, rate = 0.5);
    // As an expression of type `()`.
    let unit: () = trade!(symbol, side, qty, price);
    unit
}
