#[derive(logger::Loggable)]
enum Side {
    Buy,
    Sell { short: bool },
}

fn main() {}
