use logger::log_performance;

#[log_performance(args(qty, qty))]
fn timed(qty: u64) -> u64 {
    qty
}

fn main() {
    let _ = timed(1);
}
