use logger::log_performance;

#[log_performance(rate = "0/min")]
fn zero() {}

#[log_performance(rate = "100 per second")]
fn no_slash() {}

#[log_performance(rate = 100)]
fn not_a_string() {}

fn main() {
    zero();
    no_slash();
    not_a_string();
}
