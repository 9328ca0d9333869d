use logger::log_performance;

#[log_performance(threshold = "50 parsecs")]
fn timed() {}

#[log_performance(threshold = "50")]
fn no_unit() {}

#[log_performance(threshold = 50)]
fn not_a_string() {}

fn main() {
    timed();
    no_unit();
    not_a_string();
}
