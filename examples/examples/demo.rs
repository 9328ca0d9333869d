//! The README's first command: `cargo run --release --example demo`.
//!
//! Installs the logger into `./logs`, runs a small trading session on
//! several threads (two market-making strategies and a risk engine) with
//! all three macros and the `log` facade, a bound strategy name and a
//! correlation id per order, then prints what was written and the logger's
//! metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use logger::{Loggable, log_performance, perf, trade};

#[derive(Loggable, Clone, Copy)]
#[loggable(rename_all = "UPPERCASE")]
enum Side {
    Buy,
    Sell,
}

#[derive(Debug)]
struct Reject(&'static str);

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

const SYMBOLS: [&str; 6] = ["AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "META"];
const ORDERS_PER_STRATEGY: u64 = 100_000;
const STRATEGIES: usize = 2;

fn main() {
    let dir = std::path::Path::new("logs");
    let guard = logger::builder()
        .dir(dir)
        .create_dir(true)
        .level(log::LevelFilter::Debug)
        .max_file_bytes(Some(64 << 20))
        .backup_count(Some(5))
        .compress(true)
        .install()
        .unwrap_or_else(|e| {
            eprintln!("demo: cannot start the logger: {e}");
            std::process::exit(1);
        });

    log::info!(version = env!("CARGO_PKG_VERSION"), pid = std::process::id(); "trading session starting");
    let logged = Arc::new(AtomicU64::new(1));
    let started = Instant::now();

    let mut workers = Vec::new();
    for s in 0..STRATEGIES {
        let logged = logged.clone();
        workers.push(
            thread::Builder::new()
                .name(format!("strategy-{s}"))
                .spawn(move || logged.fetch_add(run_strategy(s), Ordering::Relaxed))
                .expect("spawn"),
        );
    }
    let risk_logged = logged.clone();
    let risk = thread::Builder::new()
        .name("risk".into())
        .spawn(move || risk_logged.fetch_add(run_risk(), Ordering::Relaxed))
        .expect("spawn");
    for w in workers {
        w.join().expect("strategy thread");
    }
    risk.join().expect("risk thread");
    log::info!("trading session finished");
    logged.fetch_add(1, Ordering::Relaxed);

    if let Err(e) = logger::flush() {
        eprintln!("demo: flush reported: {e}");
    }
    let elapsed = started.elapsed();
    let total = logged.load(Ordering::Relaxed);
    let metrics = logger::metrics();
    drop(guard);

    println!("records logged   {total}");
    println!(
        "elapsed          {:.1} ms (logging threads, until flushed to the files)",
        elapsed.as_secs_f64() * 1e3
    );
    println!(
        "records/s        {:.0}",
        total as f64 / elapsed.as_secs_f64()
    );
    println!("files written in {}:", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let lines = if path.extension().is_some_and(|e| e == "log") {
            count_valid_lines(&path)
        } else {
            String::from("(compressed)")
        };
        println!("  {:<40} {:>12} bytes  {lines}", path.display(), size);
    }
    println!("metrics          {metrics:#?}");
}

/// Checks that every line of a file parses as JSON; returns a summary.
fn count_valid_lines(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut ok = 0;
    let mut bad = 0;
    for line in text.lines() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    format!("{ok} lines, {bad} invalid")
}

/// The order gateway: checks the price band, then "sends" the order.
/// Every call is timed into the perf file; rejections carry the reason.
#[log_performance(name = "send_order", level = "debug", args(order_id, qty))]
fn send_order(order_id: u64, qty: u64, price: f64, band: (f64, f64)) -> Result<u64, Reject> {
    if price < band.0 || price > band.1 {
        return Err(Reject("price outside the venue's band"));
    }
    Ok(order_id ^ 0x5eed)
}

/// A market-making strategy: quotes, orders, fills. Returns records logged.
fn run_strategy(id: usize) -> u64 {
    logger::preallocate();
    let mut logged = 0;
    // Prices move in whole cents.
    let mut ticks: i64 = 10_000 + id as i64 * 100;
    // Every record of this thread names its strategy; every record of one
    // order's flow carries the order id as its correlation id.
    let strategy = format!("mm{}", id + 1);
    let _strategy = logger::bind!(strategy);
    let session = perf!("strategy_session", strategy = id as u64);
    for n in 0..ORDERS_PER_STRATEGY {
        let symbol = SYMBOLS[(n as usize + id) % SYMBOLS.len()];
        let order_id = (id as u64) << 40 | n;
        let _order = logger::correlation(order_id);
        let side = if n % 2 == 0 { Side::Buy } else { Side::Sell };
        let qty = 100 + n % 7 * 100;
        ticks += [1, -1, 2, -2, 0][(n % 5) as usize];
        let px = ticks as f64 / 100.0;
        log::debug!(target: "strategy", symbol = symbol, bid = px - 0.01, ask = px + 0.01; "quote update");
        let band = if n % 5_000 == 4_999 {
            (0.0, 1.0)
        } else {
            (0.0, 1e6)
        };
        let started = Instant::now();
        let sent = send_order(order_id, qty, px, band);
        perf!("order_round_trip", started.elapsed(), symbol = symbol);
        logged += 3;
        match sent {
            Ok(_) if n % 4 == 0 => {
                trade!(symbol = symbol, side, qty, price = px, order_id, venue = "XNAS",
                    commission = qty as f64 * 0.0035; "filled {} {} @ {}", qty, symbol, px);
                logged += 1;
            }
            Ok(_) => {}
            Err(e) => {
                log::warn!(target: "execution::orders", order_id = order_id, reason = e.0; "order rejected");
                logged += 1;
            }
        }
    }
    session.stop();
    logged + 1
}

/// The risk engine: position checks and the odd limit breach.
fn run_risk() -> u64 {
    let mut logged = 0;
    for n in 0..2_000u64 {
        log::info!(target: "risk", check = n, exposure = n as f64 * 1_250.5; "position check passed");
        logged += 1;
        if n % 500 == 499 {
            log::error!(target: "risk", check = n, limit = 2_500_000.0; "exposure limit breached: halting new orders for 1 ms");
            logged += 1;
        }
        thread::sleep(Duration::from_micros(50));
    }
    logged
}
