// `bind!` takes `key = value` pairs: the error points at the `:`.
fn main() {
    let _g = logger::bind!(strategy: "mm1");
}
