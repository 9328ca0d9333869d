use logger::log_performance;

#[log_performance(level = "verbose")]
fn timed() {}

fn main() {
    timed();
}
