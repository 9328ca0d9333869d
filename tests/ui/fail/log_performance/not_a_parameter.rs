use logger::log_performance;

#[log_performance(args(qty, venue))]
fn timed(qty: u64) -> u64 {
    qty
}

fn main() {
    let _ = timed(1);
}
