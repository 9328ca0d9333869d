use logger::perf;

struct Venue;

fn main() {
    let _t = perf!("route", venue = Venue);
}
