use logger::log_performance;

#[log_performance(mem = true)]
fn timed() {}

#[log_performance(args(allocs))]
fn counted(allocs: u64) {
    let _ = allocs;
}

fn main() {
    timed();
    counted(1);
}
