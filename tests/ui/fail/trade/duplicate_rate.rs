use logger::trade;

fn main() {
    trade!(rate: "1/s", warn, rate: "2/s", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
}
