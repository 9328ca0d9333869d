struct Venue;

impl std::fmt::Display for Venue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("XNAS")
    }
}

fn main() {
    logger::info!("routed to {}", Venue);
    logger::info!(venue = Venue; "routed");
}
