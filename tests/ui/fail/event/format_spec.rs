fn main() {
    let px = 187.5;
    logger::info!("at {:.2}", px);
    logger::warn!(id = 1; "at {px:?}");
}
