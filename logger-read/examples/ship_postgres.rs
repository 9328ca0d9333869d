//! A trading session logged to `./logs` and shipped to PostgreSQL from the
//! same process, started with one call after `install()`:
//!
//! ```text
//! cargo run -p logger-read --release --example ship_postgres -- postgres://USER:PASSWORD@127.0.0.1/DB [ITERATIONS]
//! psql postgres://USER:PASSWORD@127.0.0.1/DB -c "SET search_path TO logging" \
//!      -c "SELECT service, AVG(execution_time_ms) AS avg_time FROM performance_logs GROUP BY service"
//! ```
//!
//! Every record goes to `logging.system_logs`; trades also to
//! `logging.trading_logs`, perf records to `logging.performance_logs`
//! (docs/postgres.md has the seeds' queries to run against them).

use std::time::{Duration, Instant};

use logger::{Loggable, perf, trade};

#[derive(Loggable, Clone, Copy)]
#[loggable(rename_all = "UPPERCASE")]
enum Side {
    Buy,
    Sell,
}

const SYMBOLS: [&str; 6] = ["AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "META"];

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("usage: ship_postgres postgres://USER:PASSWORD@HOST/DB [ITERATIONS]");
        std::process::exit(2);
    };
    let iterations: u64 = args.next().map_or(100_000, |n| {
        n.parse().unwrap_or_else(|_| {
            eprintln!("ship_postgres: ITERATIONS {n:?} is not a number");
            std::process::exit(2)
        })
    });
    let dir = std::path::Path::new("logs");
    let guard = logger::builder()
        .dir(dir)
        .create_dir(true)
        .level(log::LevelFilter::Debug)
        .max_file_bytes(Some(64 << 20))
        .compress(true)
        .install()
        .unwrap_or_else(|e| {
            eprintln!("ship_postgres: cannot start the logger: {e}");
            std::process::exit(1)
        });
    // The one call: shipping runs on its own thread from here on.
    let ship = logger_read::ship::start(logger_read::ship::ShipConfig::postgres(
        vec![dir.to_owned()],
        &url,
    ))
    .unwrap_or_else(|e| {
        eprintln!("ship_postgres: {e}");
        std::process::exit(2)
    });

    let started = Instant::now();
    log::info!(iterations = iterations; "trading session starting");
    for i in 0..iterations {
        let _order = logger::correlation(format!("trade-{i}"));
        let symbol = SYMBOLS[(i % 6) as usize];
        let t = perf!(target: "execution::orders", "send_order", symbol = symbol);
        log::debug!(target: "execution::orders", order_id = i; "order placed");
        if i % 3 == 0 {
            let side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
            trade!(target: "execution::orders", symbol = symbol, side, qty = 100 + i % 5, price = 100.0 + (i % 50) as f64 / 4.0, order_id = i, venue = "XNAS"; "filled");
        } else if i % 97 == 0 {
            log::error!(target: "risk::limits", order_id = i; "limit breached");
        } else if i % 13 == 0 {
            log::warn!(target: "risk::limits", order_id = i; "near limit");
        }
        drop(t);
    }
    log::info!("trading session finished");
    logger::flush().ok();
    let logging = started.elapsed();

    // Wait until the shipper has caught up with the files (or 60 s).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let m = &ship.metrics()[0];
        if (m.lag_bytes == 0 && m.records_sent > 0) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(guard);
    match ship.stop() {
        Ok(metrics) => {
            println!(
                "logged for {:.2} s, shipped in {:.2} s",
                logging.as_secs_f64(),
                started.elapsed().as_secs_f64()
            );
            for m in metrics {
                println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
            }
        }
        Err(e) => {
            eprintln!("ship_postgres: {e}");
            std::process::exit(1);
        }
    }
}
