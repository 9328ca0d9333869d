use logger::trade;

fn main() {
    trade!(rate: "100", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(rate: "100/h", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(rate: "0/s", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(rate: "1.5/s", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(rate: "/ms", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
    trade!(rate: "2000000000/s", symbol = "AAPL", side = "buy", qty = 1, price = 1.0);
}
