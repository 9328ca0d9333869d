#[derive(logger::Loggable)]
#[loggable(rename_all = "camelCase")]
enum Side {
    Buy,
}

fn main() {}
