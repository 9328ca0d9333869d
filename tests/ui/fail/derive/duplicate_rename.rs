#[derive(logger::Loggable)]
enum Side {
    #[loggable(rename = "B", rename = "BUY")]
    Buy,
}

fn main() {}
