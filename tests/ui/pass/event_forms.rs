//! Every accepted form of `logger::info!` and its siblings, with and
//! without trailing commas.
#![deny(warnings)]
#![forbid(unsafe_code)]

use logger::Loggable;

#[derive(Loggable, Clone, Copy)]
enum Side {
    Buy,
}

fn main() {
    let (id, px, side) = (42u64, 187.5f64, Side::Buy);
    let reason = "price band";
    logger::info!("connected");
    logger::info!("connected",);
    logger::info!("order {} {} at {}", id, "AAPL", px);
    logger::info!("order {} {} at {}", id, "AAPL", px,);
    logger::info!("order {id} at {px}");
    logger::info!("order {id} at {p}", p = px);
    logger::info!("{} {{literal}} {}", side, 'c');
    logger::warn!(order_id = id, venue = "XNAS"; "rejected: {reason}");
    logger::warn!(order_id = id, venue = "XNAS",; "rejected: {reason}");
    logger::error!(id, side; "rejected");
    logger::error!("exchange.id" = 7, r#type = "limit"; "odd keys");
    logger::debug!(target: "fills", "filled {}", px);
    logger::debug!(target: "fills", qty = 1u32; "filled {}", px);
    logger::trace!(rate: "100/s", "tick {}", id);
    logger::trace!(rate: "5/ms", target: "ticks", seq = id; "tick");
    logger::info!(target: "t", rate: "1000/min", "both");
    logger::info!(info = 1; "a field named like a level");
    logger::info!(text = logger::display(&std::net::Ipv4Addr::LOCALHOST); "display wrapped");
    logger::info!("values: {} {} {} {}", 1u8, -1i128, Some(2u64), ());
}
