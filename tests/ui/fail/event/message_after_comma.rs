fn main() {
    let id = 1;
    logger::info!(order_id = id, "sent");
}
