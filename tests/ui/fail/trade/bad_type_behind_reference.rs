use logger::trade;

struct Order;

fn main() {
    let order = Order;
    trade!(symbol = "AAPL", side = "buy", qty = 1, price = 1.0, order = &order);
}
