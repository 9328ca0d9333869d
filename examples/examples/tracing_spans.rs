//! `tracing` into the logger's files: one layer, spans as context.
//!
//! `cargo run -p logger-examples --example tracing_spans [DIR]` writes
//! `DIR/app.log` (default `logs-tracing`) and prints its lines.

use tracing_subscriber::prelude::*;

#[tracing::instrument(skip(px), fields(correlation_id = %order_id))]
fn route(order_id: &str, venue: &str, px: f64) {
    tracing::info!(qty = 100_u64, px, "routed to {venue}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "logs-tracing".into());
    std::fs::create_dir_all(&dir)?;
    let guard = logger::builder().dir(&dir).install()?;
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(logger::tracing_layer()),
    )?;

    let session = tracing::info_span!("session", desk = "fx");
    session.in_scope(|| route("ord-7", "XNAS", 187.25));
    logger::flush()?;
    drop(guard);
    print!(
        "{}",
        std::fs::read_to_string(std::path::Path::new(&dir).join("app.log"))?
    );
    Ok(())
}
