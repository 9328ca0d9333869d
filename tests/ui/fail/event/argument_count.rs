fn main() {
    logger::info!("order {} {} at {}", 1, "AAPL");
    logger::info!("order", 1);
}
