use logger::perf;

fn main() {
    perf!("route", 5u64, venue = "XNAS", venue = "ARCX");
}
