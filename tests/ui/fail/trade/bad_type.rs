use logger::trade;

struct Order {
    qty: u64,
}

fn main() {
    let order = Order { qty: 1 };
    trade!(symbol = "AAPL", side = "buy", qty = order.qty, price = 1.0, order = order);
}
