use logger::perf;

fn main() {
    perf!("risk_check", 5u64, elapsed_ns = 6);
}
