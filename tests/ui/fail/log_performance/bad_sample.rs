use logger::log_performance;

#[log_performance(sample = 0)]
fn timed() {}

fn main() {
    timed();
}
