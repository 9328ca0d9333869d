use logger::trade;

fn main() {
    trade!(Level::Fatal, symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
}
