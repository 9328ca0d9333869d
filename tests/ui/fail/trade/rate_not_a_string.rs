use logger::trade;

fn main() {
    trade!(rate: 100, symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
}
