fn main() {
    let id = 1;
    logger::info!();
    logger::info!(order_id = id);
    logger::info!(target: "t");
}
