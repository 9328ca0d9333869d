use logger::trade;

fn main() {
    trade!(symbol = "AAPL", side = "buy", price = 150.25, order_id = 7);
}
