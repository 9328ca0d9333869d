use logger::log_performance;

#[log_performance(cpu, level = "debug", cpu)]
fn timed() {}

fn main() {
    timed();
}
