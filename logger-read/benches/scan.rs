//! Scan throughput (placeholder until the generator lands).
fn main() {}
