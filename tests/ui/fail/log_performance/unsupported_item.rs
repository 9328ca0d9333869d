use logger::log_performance;

#[log_performance]
struct Engine {
    orders: u64,
}

fn main() {
    // The struct is still there.
    let _ = Engine { orders: 1 }.orders;
}
