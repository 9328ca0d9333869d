#[derive(logger::Loggable)]
struct Fill {
    qty: u64,
    px: f64,
}

fn main() {}
