fn main() {
    let msg = "sent";
    logger::info!(id = 1; msg);
}
