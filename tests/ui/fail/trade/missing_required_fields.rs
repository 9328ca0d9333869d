use logger::trade;

fn main() {
    trade!(symbol = "AAPL", order_id = 7);
}
