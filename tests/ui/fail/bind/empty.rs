// `bind!()` binds nothing: an error, not a silent no-op.
fn main() {
    let _g = logger::bind!();
}
