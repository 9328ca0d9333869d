use logger::log_performance;

#[log_performance(name = "x", treshold = "5us")]
fn timed() -> u32 {
    1
}

fn main() {
    // The function is still there: one error, not two.
    let _ = timed();
}
