fn main() {
    logger::info!(venue = "XNAS", venue = "ARCX"; "routed");
}
