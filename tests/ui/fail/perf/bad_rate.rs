use logger::perf;

fn main() {
    perf!(rate: "10/us", "op", 1u64);
    let _t = perf!(rate: "ten/s", "op");
}
