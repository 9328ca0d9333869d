// A key bound twice in one `bind!`: the error points at the second one.
fn main() {
    let _g = logger::bind!(strategy = "mm1", account = "A7", strategy = "mm2");
}
