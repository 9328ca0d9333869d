fn main() {
    logger::info!(level: warn, "x");
    logger::info!(Level::Warn, "x");
    logger::info!(target: "t", warn; "x");
}
