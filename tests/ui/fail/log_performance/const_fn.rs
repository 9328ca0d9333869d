use logger::log_performance;

#[log_performance]
const fn answer() -> u32 {
    42
}

fn main() {
    let _ = answer();
}
