// A bound value must be `Loggable`: the error points at the value.
struct Account;

fn main() {
    let _g = logger::bind!(strategy = "mm1", account = Account);
}
