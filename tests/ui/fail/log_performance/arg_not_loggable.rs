use logger::log_performance;

struct Order;

#[log_performance(args(order))]
fn timed(order: Order) -> Order {
    order
}

fn main() {
    let _ = timed(Order);
}
