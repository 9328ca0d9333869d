use logger::trade;

fn main() {
    let px = 1.0;
    trade!(symbol = "AAPL", side = "buy", qty = 1, price = px; "at {:.2}", px);
}
