//! `#[log_performance(mem)]` with `logger::CountingAlloc` as the global
//! allocator: the bytes and allocations a call made, sync and async
//! (summed over its polls), read back from the perf file.

mod macros_support;

use std::time::Duration;

use logger::log_performance;
use macros_support::{block_on, dir, only_op, sleep};

#[global_allocator]
static ALLOC: logger::CountingAlloc = logger::CountingAlloc::system();

#[log_performance(mem)]
fn build_book(levels: usize) -> usize {
    let book: Vec<u64> = vec![7; levels];
    let names: Vec<String> = (0..3).map(|i| format!("level-{i}")).collect();
    std::hint::black_box(&names);
    std::hint::black_box(book).len()
}

#[log_performance(mem, cpu)]
fn no_allocation(x: u64) -> u64 {
    std::hint::black_box(x) * 2
}

#[log_performance(mem)]
async fn fetch_quotes(n: usize) -> usize {
    let first: Vec<u8> = vec![1; n];
    sleep(Duration::from_millis(2)).await;
    let second: Vec<u8> = vec![2; n];
    std::hint::black_box(first).len() + std::hint::black_box(second).len()
}

fn mem_of(op: &str) -> (u64, u64) {
    let r = only_op(op);
    let f = &r["fields"];
    (
        f["alloc_bytes"].as_u64().unwrap_or_else(|| panic!("{r}")),
        f["allocs"].as_u64().unwrap_or_else(|| panic!("{r}")),
    )
}

#[test]
fn a_call_records_what_it_allocated() {
    dir();
    assert_eq!(build_book(10_000), 10_000);
    let (bytes, allocs) = mem_of("build_book");
    // The book (80,000 bytes), the names' vector and three strings.
    assert!((80_000..90_000).contains(&bytes), "{bytes}");
    assert!((5..=12).contains(&allocs), "{allocs}");

    assert_eq!(no_allocation(21), 42);
    assert_eq!(mem_of("no_allocation"), (0, 0));
}

#[test]
fn an_async_call_sums_its_polls() {
    dir();
    assert_eq!(block_on(fetch_quotes(50_000)), 100_000);
    let (bytes, allocs) = mem_of("fetch_quotes");
    assert!((100_000..110_000).contains(&bytes), "{bytes}");
    assert!(allocs >= 2, "{allocs}");
}
