//! `trade!` end to end: every accepted form, read back from the files.
//!
//! One global install for the whole file (the `log` facade allows one
//! logger per process); each test logs with its own marker field and picks
//! its records out of the shared files.

mod macros_support;

use logger::{Loggable, trade};
use macros_support::{dir, only, raw_lines, records};

fn installed() {
    dir();
}

#[derive(Loggable, Clone, Copy)]
enum Side {
    Buy,
    #[allow(dead_code)]
    Sell,
}

#[derive(Loggable)]
#[loggable(rename_all = "SCREAMING_SNAKE_CASE")]
enum Tif {
    GoodTillCancel,
}

#[derive(Loggable)]
struct OrderId(u64);

#[derive(Loggable)]
struct Venue {
    mic: &'static str,
}

#[test]
fn five_fields_every_key_of_the_record() {
    installed();
    let sym = String::from("AAPL");
    let id = 42u64;
    let line = line!() + 1;
    trade!(
        test = "five",
        symbol = sym,
        side = Side::Buy,
        qty = 100,
        price = 150.25,
        order_id = id
    );
    let r = only("trades", "five");
    assert_call_site!(
        r,
        kind = "trade",
        level = "INFO",
        msg = "trade",
        line = line,
        function = "five_fields_every_key_of_the_record"
    );
    assert!(r["ts"].as_str().unwrap().ends_with('Z'));
    assert!(r["tid"].as_u64().unwrap() > 0);
    let f = r["fields"].as_object().unwrap();
    // Required fields first, then well-known ones, then the others.
    let raw = raw_lines("trades", r#""test":"five""#);
    assert!(
        raw[0].ends_with(
            r#","fields":{"symbol":"AAPL","side":"Buy","qty":100,"price":150.25,"order_id":42,"test":"five"}}"#
        ),
        "{}",
        raw[0]
    );
    assert_eq!(f["symbol"], "AAPL");
    assert_eq!(f["side"], "Buy");
    assert_eq!(f["qty"], 100);
    assert_eq!(f["price"], 150.25);
    assert_eq!(f["order_id"], 42);
    // Trades also go to the main file, not to the perf file.
    assert_eq!(records("app", "five").len(), 1);
    assert!(records("perf", "five").is_empty());
}

#[test]
fn levels_in_every_spelling() {
    installed();
    trade!(
        log::Level::Warn,
        test = "lvl1",
        symbol = "A",
        side = "b",
        qty = 1,
        price = 1.0
    );
    trade!(
        level: warn,
        test = "lvl2",
        symbol = "A",
        side = "b",
        qty = 1,
        price = 1.0
    );
    trade!(
        Level::Debug,
        test = "lvl3",
        symbol = "A",
        side = "b",
        qty = 1,
        price = 1.0,
    );
    trade!(
        level: error,
        test = "lvl4",
        symbol = "A",
        side = "b",
        qty = 1,
        price = 1.0
    );
    trade!(
        level: trace,
        test = "lvl5",
        symbol = "A",
        side = "b",
        qty = 1,
        price = 1.0
    );
    assert_eq!(only("trades", "lvl1")["level"], "WARN");
    assert_eq!(only("trades", "lvl2")["level"], "WARN");
    assert_eq!(only("trades", "lvl3")["level"], "DEBUG");
    assert_eq!(only("trades", "lvl4")["level"], "ERROR");
    assert_eq!(only("errors", "lvl4")["kind"], "trade");
    assert_eq!(only("trades", "lvl5")["level"], "TRACE");
}

#[test]
fn message_with_positional_named_and_captured_arguments() {
    installed();
    let qty = 7u32;
    let px = 99.5;
    trade!(test = "msg1", symbol = "MSFT", side = "sell", qty = qty, price = px; "filled {} at {}", qty, px);
    trade!(test = "msg2", symbol = "MSFT", side = "sell", qty, price = px; "filled {qty} at {p} ({{literal}})", p = px);
    trade!(test = "msg3", symbol = "MSFT", side = "sell", qty, price = px; "static message");
    trade!(test = "msg4", symbol = "MSFT", side = "sell", qty, price = px; "trailing comma {}", 1,);
    assert_eq!(only("trades", "msg1")["msg"], "filled 7 at 99.5");
    assert_eq!(
        only("trades", "msg2")["msg"],
        "filled 7 at 99.5 ({literal})"
    );
    assert_eq!(only("trades", "msg3")["msg"], "static message");
    assert_eq!(only("trades", "msg4")["msg"], "trailing comma 1");
}

#[test]
fn value_types() {
    installed();
    let symbol = "NVDA";
    let side = Side::Buy;
    let note: Option<&str> = None;
    let ip = std::net::Ipv4Addr::new(10, 1, 2, 3);
    trade!(
        test = "types",
        symbol,
        side,
        qty = 3u8,
        price = 1.5f32,
        venue = Venue { mic: "XNAS" },
        order_id = OrderId(9),
        tif = Tif::GoodTillCancel,
        urgent = true,
        grade = 'A',
        pnl = -12i64,
        big = u128::MAX,
        note = note,
        latency = std::time::Duration::from_micros(3),
        gateway = logger::display(&ip),
        "exchange.id" = "X1",
        r#type = "limit",
    );
    let r = only("trades", "types");
    let f = &r["fields"];
    assert_eq!(f["symbol"], "NVDA");
    assert_eq!(f["side"], "Buy");
    assert_eq!(f["qty"], 3);
    assert_eq!(f["price"], 1.5);
    assert_eq!(f["venue"], "XNAS");
    assert_eq!(f["order_id"], 9);
    assert_eq!(f["tif"], "GOOD_TILL_CANCEL");
    assert_eq!(f["urgent"], true);
    assert_eq!(f["grade"], "A");
    assert_eq!(f["pnl"], -12);
    let raw = &raw_lines("trades", r#""test":"types""#)[0];
    assert!(raw.contains(&format!(r#""big":{}"#, u128::MAX)), "{raw}");
    assert!(f["note"].is_null());
    assert_eq!(f["latency"], 3_000);
    assert_eq!(f["gateway"], "10.1.2.3");
    assert_eq!(f["exchange.id"], "X1");
    assert_eq!(f["type"], "limit");
}

#[test]
fn target_and_function_inside_closures_and_methods() {
    installed();
    trade!(target: "fills", test = "target", symbol = "A", side = "b", qty = 1, price = 2.0);
    let r = only("trades", "target");
    assert_eq!(r["target"], "fills");
    assert_eq!(r["module"], module_path!());

    let from_closure = || {
        trade!(
            test = "closure",
            symbol = "A",
            side = "b",
            qty = 1,
            price = 2.0
        )
    };
    from_closure();
    assert_eq!(
        only("trades", "closure")["function"],
        concat!(
            module_path!(),
            "::target_and_function_inside_closures_and_methods"
        )
    );

    struct Desk;
    impl Desk {
        fn fill(&self) {
            trade!(
                test = "method",
                symbol = "A",
                side = "b",
                qty = 1,
                price = 2.0
            );
        }
    }
    Desk.fill();
    let f = only("trades", "method")["function"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(f.ends_with("Desk::fill"), "{f}");
}

#[test]
fn disabled_level_evaluates_nothing() {
    installed();
    // Only this test's target is turned down: the binary's other tests
    // run at the same time under the same global filter.
    logger::set_filter("trace,quiet_trades=warn").unwrap();
    let mut evaluated = false;
    trade!(
        level: info,
        target: "quiet_trades",
        test = "off",
        symbol = {
            evaluated = true;
            "A"
        },
        side = "b",
        qty = 1,
        price = 2.0
    );
    logger::set_filter("trace").unwrap(); // as installed
    assert!(
        !evaluated,
        "arguments of a disabled trade! are not evaluated"
    );
    assert!(records("trades", "off").is_empty());
}

#[test]
fn strings_larger_than_the_ring_are_cut_not_lost() {
    installed();
    let huge = "x".repeat(4 << 20);
    trade!(
        test = "huge",
        symbol = huge.as_str(),
        side = "b",
        qty = 1,
        price = 2.0
    );
    let r = only("trades", "huge");
    let s = r["fields"]["symbol"].as_str().unwrap();
    assert!(s.len() < huge.len() && s.len() > 1000, "{}", s.len());
    assert!(s.ends_with("…[truncated]"));
    assert_eq!(r["fields"]["qty"], 1);
}

#[test]
fn special_characters_stay_valid_json() {
    installed();
    let sym = "quo\"te\\back\nnew\u{1b}";
    trade!(test = "escape", symbol = sym, side = "b", qty = 1, price = f64::NAN; "{}", sym);
    let r = only("trades", "escape");
    assert_eq!(r["fields"]["symbol"], sym);
    assert_eq!(r["msg"], sym);
    assert_eq!(r["fields"]["price"], "NaN");
}

#[test]
fn records_larger_than_the_stack_stage_are_whole() {
    installed();
    let long = "y".repeat(600);
    trade!(test = "medium", symbol = long.as_str(), side = "b", qty = 1, price = 2.0; "{}", long.len());
    let r = only("trades", "medium");
    assert_eq!(r["fields"]["symbol"].as_str().unwrap(), long);
    assert_eq!(r["msg"], "600");
}

#[logger::log_performance(name = "timed_with_trade_inside")]
fn timed_with_trade_inside(qty: u64) -> u64 {
    trade!(test = "nested", symbol = "A", side = "b", qty, price = 2.0);
    qty
}

#[test]
fn trade_inside_a_timed_function_names_that_function() {
    installed();
    assert_eq!(timed_with_trade_inside(3), 3);
    let r = only("trades", "nested");
    assert_eq!(
        r["function"],
        concat!(module_path!(), "::timed_with_trade_inside")
    );
}
