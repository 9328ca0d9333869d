//! `logger-ship`: the shipper as a small sidecar process without the
//! command-line tool's dependencies; `logger ship` takes the same
//! arguments and runs the same `logger_read::ship::run_until_signal`.
//!
//! ```text
//! logger-ship CONFIG.toml
//! logger-ship --postgres URL DIR [--batch-records N] [--table-prefix P]
//! logger-ship --check CONFIG.toml
//! ```
//!
//! SIGTERM or SIGINT: deliver what was read, then exit 0. A fatal error
//! (bad configuration, wrong password, missing privilege): its message on
//! stderr, exit 2. Metrics are printed as JSON lines on stdout at exit.

use std::path::PathBuf;

use logger_read::ship::{self, ShipConfig};

fn usage(msg: &str) -> ! {
    eprintln!("logger-ship: {msg}");
    eprintln!(
        "usage: logger-ship [--check] CONFIG.toml\n       logger-ship --postgres URL DIR [--batch-records N] [--table-prefix P]"
    );
    std::process::exit(2);
}

fn parse() -> (ShipConfig, bool) {
    let mut args = std::env::args().skip(1);
    let mut check = false;
    let mut url = None;
    let mut dirs = Vec::new();
    let mut batch = None;
    let mut prefix = None;
    let mut config = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--postgres" => {
                url = Some(
                    args.next()
                        .unwrap_or_else(|| usage("--postgres needs a URL")),
                )
            }
            "--batch-records" => {
                let v = args
                    .next()
                    .unwrap_or_else(|| usage("--batch-records needs a number"));
                batch =
                    Some(v.parse().unwrap_or_else(|_| {
                        usage(&format!("--batch-records {v:?}: not a number"))
                    }));
            }
            "--table-prefix" => {
                prefix = Some(
                    args.next()
                        .unwrap_or_else(|| usage("--table-prefix needs a name")),
                )
            }
            s if s.starts_with("--") => usage(&format!("unknown option {s}")),
            s => {
                if url.is_some() {
                    dirs.push(PathBuf::from(s));
                } else if config.is_none() {
                    config = Some(PathBuf::from(s));
                } else {
                    usage(&format!("unexpected argument {s}"));
                }
            }
        }
    }
    let mut c = match (url, config) {
        (Some(url), None) => {
            if dirs.is_empty() {
                usage("--postgres needs a directory to ship");
            }
            ShipConfig::postgres(dirs, &url)
        }
        (None, Some(path)) => ShipConfig::load(&path).unwrap_or_else(|e| {
            eprintln!("logger-ship: {e}");
            std::process::exit(2)
        }),
        _ => usage("give a configuration file or --postgres URL DIR"),
    };
    if let Some(b) = batch {
        c.batch_records = b;
    }
    if let (Some(p), Some(pg)) = (prefix, c.postgres.as_mut()) {
        pg.table_prefix = Some(p);
    }
    (c, check)
}

fn main() {
    let (config, check) = parse();
    if check {
        match ship::check(&config) {
            Ok(()) => println!("ok"),
            Err(e) => {
                eprintln!("logger-ship: {e}");
                std::process::exit(2);
            }
        }
        return;
    }
    let result = ship::run_until_signal(config);
    match result {
        Ok(metrics) => {
            for m in metrics {
                println!("{}", serde_json::to_string(&m).unwrap_or_default());
            }
        }
        Err(e) => {
            eprintln!("logger-ship: {e}");
            std::process::exit(2);
        }
    }
}
