use logger::log_performance;

trait Venue {
    #[log_performance]
    fn send(&self) -> u32;
}

fn main() {}
