//! A mock order loop using all three macros: `trade!` for fills, `perf!`
//! for explicit and scoped timings, `#[log_performance]` on the strategy,
//! the risk check, the order gateway (sync and async).
//!
//! ```text
//! cargo run -p logger-examples --release --example trading_loop [-- <dir> [ticks]]
//! ```
//!
//! Writes `app.log`, `trades.log`, `perf.log` and `errors.log` (JSON lines)
//! into `<dir>` (default `logs/trading_loop`), then prints how many records
//! each file holds and one line of each kind.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use logger::{Loggable, log_performance, perf, trade};

#[derive(Loggable, Clone, Copy, Debug, PartialEq)]
#[loggable(rename_all = "UPPERCASE")]
enum Side {
    Buy,
    Sell,
}

#[derive(Loggable, Clone, Copy)]
#[loggable(rename_all = "UPPERCASE")]
enum Liquidity {
    Maker,
    Taker,
}

/// Order ids are recorded as their number.
#[derive(Loggable, Clone, Copy)]
struct OrderId(u64);

#[derive(Debug)]
enum Reject {
    RiskLimit { notional: f64 },
    VenueDown(&'static str),
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reject::RiskLimit { notional } => write!(f, "notional {notional:.2} over the limit"),
            Reject::VenueDown(v) => write!(f, "venue {v} is down"),
        }
    }
}

struct Quote {
    symbol: &'static str,
    bid: f64,
    ask: f64,
}

struct Order {
    id: OrderId,
    symbol: &'static str,
    side: Side,
    qty: u64,
    price: f64,
}

/// A deterministic pseudo-random source (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SYMBOLS: [&str; 4] = ["AAPL", "MSFT", "NVDA", "AMZN"];
const VENUES: [&str; 3] = ["XNAS", "ARCX", "BATS"];

struct Strategy {
    rng: Lcg,
    next_id: u64,
    position: i64,
}

impl Strategy {
    /// Decides whether to trade on a quote.
    #[log_performance(level = "debug", sample = 10)]
    fn on_quote(&mut self, q: &Quote) -> Option<Order> {
        if self.rng.below(3) != 0 {
            return None;
        }
        let side = if self.position > 0 {
            Side::Sell
        } else {
            Side::Buy
        };
        self.next_id += 1;
        Some(Order {
            id: OrderId(self.next_id),
            symbol: q.symbol,
            side,
            qty: 100 * (1 + self.rng.below(5)),
            price: if side == Side::Buy { q.ask } else { q.bid },
        })
    }
}

/// Pre-trade risk: slow checks are the ones worth a record.
#[log_performance(threshold = "2us", args(notional))]
fn risk_check(notional: f64) -> Result<(), Reject> {
    if notional > 300_000.0 {
        return Err(Reject::RiskLimit { notional });
    }
    Ok(())
}

/// Sends an order; the venue occasionally refuses it.
#[log_performance(name = "send_order", args(venue, qty))]
fn send(order: &Order, venue: &'static str, qty: u64, rng: &mut Lcg) -> Result<u64, Reject> {
    risk_check(order.price * qty as f64)?;
    if rng.below(50) == 0 {
        return Err(Reject::VenueDown(venue));
    }
    Ok(order.id.0)
}

/// The venue's acknowledgement, awaited: two polls, so its busy time is
/// a fraction of its wall time.
#[log_performance(name = "venue_ack", level = "debug", cpu)]
async fn ack(id: u64) -> u64 {
    YieldOnce(false).await;
    id
}

/// A future that is pending once.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "logs/trading_loop".into());
    let ticks: u64 = args.next().and_then(|t| t.parse().ok()).unwrap_or(20_000);
    let _ = std::fs::remove_dir_all(&dir);
    let guard = logger::builder()
        .dir(&dir)
        .create_dir(true)
        .level(log::LevelFilter::Debug)
        .install()
        .expect("cannot start the logger");
    logger::preallocate();
    log::info!(ticks = ticks; "trading loop starting");

    let mut strategy = Strategy {
        rng: Lcg(7),
        next_id: 1000,
        position: 0,
    };
    let mut rng = Lcg(42);
    let mut mid = [190.0, 410.0, 880.0, 185.0];
    let start = Instant::now();
    let (mut fills, mut rejects) = (0u64, 0u64);

    for tick in 0..ticks {
        let _tick = perf!(trace, "tick");
        let i = (tick % 4) as usize;
        mid[i] = ((mid[i] + rng.below(21) as f64 * 0.01 - 0.10) * 100.0).round() / 100.0;
        let quote = Quote {
            symbol: SYMBOLS[i],
            bid: ((mid[i] - 0.01) * 100.0).round() / 100.0,
            ask: ((mid[i] + 0.01) * 100.0).round() / 100.0,
        };
        let Some(order) = strategy.on_quote(&quote) else {
            continue;
        };
        let venue = VENUES[rng.below(3) as usize];
        match send(&order, venue, order.qty, &mut rng) {
            Ok(id) => {
                let acked = block_on(ack(id));
                let liquidity = if rng.below(2) == 0 {
                    Liquidity::Maker
                } else {
                    Liquidity::Taker
                };
                let commission = order.qty as f64 * 0.0035;
                trade!(
                    symbol = order.symbol,
                    side = order.side,
                    qty = order.qty,
                    price = order.price,
                    order_id = order.id,
                    trade_id = acked * 10 + 1,
                    venue,
                    commission,
                    liquidity,
                    strategy = "mean_revert";
                    "filled {} {} @ {}", order.qty, order.symbol, order.price
                );
                strategy.position += match order.side {
                    Side::Buy => order.qty as i64,
                    Side::Sell => -(order.qty as i64),
                };
                fills += 1;
            }
            Err(reason) => {
                log::warn!(order_id = order.id.0; "order rejected: {reason}");
                rejects += 1;
            }
        }
    }
    perf!("loop", start.elapsed(), ticks = ticks, fills = fills; "{} ticks, {} fills", ticks, fills);
    log::info!(fills = fills, rejects = rejects; "trading loop done");
    logger::flush().expect("flush");
    drop(guard);

    println!(
        "{ticks} ticks, {fills} fills, {rejects} rejects in {:?}",
        start.elapsed()
    );
    for file in ["app", "trades", "perf", "errors"] {
        let path = std::path::Path::new(&dir).join(format!("{file}.log"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        println!("{:>12}: {} records", path.display(), text.lines().count());
    }
    let perf =
        std::fs::read_to_string(std::path::Path::new(&dir).join("perf.log")).unwrap_or_default();
    let trades =
        std::fs::read_to_string(std::path::Path::new(&dir).join("trades.log")).unwrap_or_default();
    for (what, text, needle) in [
        ("trade", &trades, "\"kind\":\"trade\""),
        ("perf!", &perf, "\"operation\":\"loop\""),
        ("#[log_performance]", &perf, "\"operation\":\"send_order\""),
        ("#[log_performance] err", &perf, "\"outcome\":\"err\""),
        (
            "#[log_performance] async",
            &perf,
            "\"operation\":\"venue_ack\"",
        ),
    ] {
        if let Some(line) = text.lines().find(|l| l.contains(needle)) {
            println!("\n{what}:\n{line}");
        }
    }
}
