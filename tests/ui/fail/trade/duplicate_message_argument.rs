use logger::trade;

fn main() {
    trade!(symbol = "A", side = "b", qty = 1, price = 1.0; "{x}", x = 1, x = 2);
}
