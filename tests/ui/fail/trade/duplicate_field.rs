use logger::trade;

fn main() {
    trade!(symbol = "AAPL", side = "buy", qty = 1, price = 1.0, qty = 2);
}
