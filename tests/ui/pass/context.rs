//! Every form of the context API compiles without warnings.
#![deny(warnings)]

use logger::{Context, WithCorrelation};

async fn step() -> u32 {
    1
}

fn main() {
    let account = String::from("A7");
    let id = 42_u64;
    let _a = logger::correlation("trade-12345");
    let _b = logger::correlation(id);
    let _c = logger::correlation(&account);
    let _d = logger::bind!(strategy = "mm1", account = account, qty = 5_u32,);
    let _h = logger::bind!(id, "desk name" = "fx");
    let ctx = Context::new().correlation(id).with("desk", "fx");
    let _e = ctx.enter();
    let _f = step().with_correlation("trade-1");
    let _g = step().with_context(ctx.clone());
}
