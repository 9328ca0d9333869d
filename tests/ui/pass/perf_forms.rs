//! Every accepted form of `perf!`.
#![deny(warnings)]
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use logger::perf;

fn main() {
    let start = Instant::now();
    perf!("op", start.elapsed());
    perf!("op", start.elapsed(),);
    perf!("op", 1_000u64);
    perf!("op", &Duration::from_nanos(1));
    perf!("op", start.elapsed(), venue = "XNAS", qty = 3);
    perf!("op", start.elapsed(), venue = "XNAS",);
    perf!(debug, "op", start.elapsed());
    perf!(critical, "op", start.elapsed());
    let _t6 = perf!(Level::Critical, "scope");
    perf!(log::Level::Trace, target: "lat", "op", start.elapsed());
    perf!("op", start.elapsed(); "took {}", 5);
    perf!("op", start.elapsed(), venue = "X"; "via {}", "X");
    let _t = perf!("scope");
    let _t2 = perf!("scope",);
    let _t3 = perf!("scope", venue = "XNAS", qty = 1u8);
    let _t4 = perf!(warn, "scope"; "message {}", 1);
    let t5 = perf!("scope");
    let _: Duration = t5.elapsed();
    t5.stop();
    perf!("scope").cancel();
    perf!(rate: "100/s", "op", start.elapsed());
    perf!(debug, rate: "5/ms", target: "lat", "op", 1u64, venue = "X"; "via {}", "X");
    let _t6 = perf!(rate: "10/min", "scope", qty = 1u8);
    perf!(rate: "1/s", "scope").stop();
}
