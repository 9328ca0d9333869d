use logger::perf;

fn main() {
    let elapsed = std::time::Duration::from_micros(3);
    perf!(elapsed);
}
