use logger::trade;

fn main() {
    trade!(level: loud, symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
}
