fn main() {
    logger::info!(rate: "100/h", "tick");
    logger::info!(rate: 100, "tick");
}
