//! The expanded hot paths of `trade!`, `perf!`, `logger::info!` (and its
//! siblings) and `#[log_performance]` allocate nothing once the thread's ring exists (`logger::preallocate`)
//! and the thread's formatting buffers are warm; nor do rate-limited call
//! sites, including their first drop (which puts the limiter on the
//! flusher's list).
//!
//! A counting global allocator counts the allocations of the logging
//! thread only (the flusher formats and allocates on its own thread).

mod macros_support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use logger::{Loggable, log_performance, perf, trade};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` unchanged; counting touches
// only a const-initialised thread-local without a destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's pointer and layouts.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[derive(Loggable, Clone, Copy)]
enum Side {
    Buy,
    Sell,
}

#[derive(Loggable)]
struct Px(f64);

#[derive(Debug)]
struct Rejected(u64);

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rejected order {}", self.0)
    }
}

#[log_performance(args(symbol, qty))]
fn send(symbol: &str, qty: u64) -> Result<u64, Rejected> {
    if qty == 0 {
        Err(Rejected(qty))
    } else {
        Ok(qty)
    }
}

#[log_performance(threshold = "1s", sample = 2, cpu)]
fn fast() -> u32 {
    1
}

#[log_performance(rate = "10/s")]
fn limited(x: u64) -> u64 {
    x
}

#[log_performance]
async fn ready(x: u64) -> u64 {
    x + 1
}

fn poll_ready(x: u64) -> u64 {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut fut = std::pin::pin!(ready(x));
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => unreachable!(),
    }
}

/// Every macro form, once.
fn every_form(i: u64, symbol: &str, owned: &String, venue: &std::net::Ipv4Addr) {
    let side = if i & 1 == 0 { Side::Buy } else { Side::Sell };
    trade!(
        symbol = symbol,
        side = side,
        qty = i,
        price = 150.25,
        order_id = i
    );
    trade!(level: warn, symbol = owned, side = "sell", qty = i as u32, price = Px(1.5), venue = logger::display(venue); "filled {} of {}", i, symbol);
    logger::info!("order {} {} at {}", i, symbol, 187.5);
    logger::error!(symbol, qty = i; "rejected: {}", owned);
    perf!("risk_check", Duration::from_nanos(i), venue = "XNAS");
    {
        let _t = perf!("scope", qty = i, symbol = symbol);
    }
    let _ = send(symbol, i % 3);
    let _ = fast();
    // Limited call sites: past the warm-up, most of these are dropped.
    trade!(rate: "10/s", symbol = symbol, side = side, qty = i, price = 1.0);
    logger::warn!(rate: "10/s", venue = symbol; "limited {}", i);
    perf!(rate: "10/s", "limited", i);
    {
        let _t = perf!(rate: "10/s", "limited_scope", qty = i);
    }
    assert_eq!(limited(i), i);
    assert_eq!(poll_ready(i), i + 1);
}

#[test]
fn hot_paths_allocate_nothing() {
    let dir = macros_support::dir();
    assert!(
        logger::preallocate(),
        "logger installed in {}",
        dir.display()
    );
    let symbol = "AAPL";
    let owned = String::from("MSFT");
    let venue = std::net::Ipv4Addr::new(10, 0, 0, 1);
    // Warm-up: thread-local buffers of `display` and of captured strings.
    for i in 0..8 {
        every_form(i, symbol, &owned, &venue);
    }
    let before = allocations();
    drop(std::hint::black_box(Vec::<u8>::with_capacity(8)));
    assert_eq!(allocations() - before, 1, "the counter counts");

    let before = allocations();
    for i in 0..10_000 {
        every_form(i, symbol, &owned, &venue);
    }
    let after = allocations();
    assert_eq!(after - before, 0, "allocations on the logging thread");
    assert!(logger::metrics().records_rate_limited > 0);
    // And the records were written.
    let trades = macros_support::all("trades");
    assert!(trades.len() >= 2 * 10_000, "{} trades", trades.len());
    let orders = macros_support::raw_lines("app", r#""msg":"order "#);
    assert!(
        orders.len() >= 10_000,
        "{} logger::info! records",
        orders.len()
    );
}
