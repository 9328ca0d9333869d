use logger::perf;

fn main() {
    perf!("risk_check", 12.5);
}
