//! Every supported kind of function and every option of
//! `#[log_performance]`.
#![deny(warnings)]
#![deny(unsafe_code)]

use std::fmt::Display;
use std::future::Future;

use logger::log_performance;

#[log_performance]
fn free() {}

// A body that is one expression: the closure the attribute wraps it in
// must not make the compiler see "unnecessary braces" (denied above).
// (The lint looks at one-line blocks only.)
#[rustfmt::skip]
#[log_performance]
fn single_expression(qty: u64) -> f64 { qty as f64 * 1.5 }

#[rustfmt::skip]
#[log_performance]
fn literal() -> u64 { 5 }

#[log_performance(name = "renamed", level = "debug", threshold = "50us", sample = 10, args(a, b), cpu)]
pub fn every_option(a: u64, b: &str) -> usize {
    a as usize + b.len()
}

#[log_performance(level = debug, threshold = "1.5ms")]
fn level_as_ident() {}

#[log_performance(level = "critical")]
fn critical_level() {}

#[log_performance(rate = "100/s")]
fn rate_limited() -> Result<u8, String> {
    Ok(1)
}

#[log_performance(rate = "5/ms", sample = 2, threshold = "1us", args(a))]
async fn rate_limited_async(a: u64) -> u64 {
    a
}

#[log_performance]
fn generic<T: Display + Clone, const N: usize>(items: [T; N]) -> Vec<String>
where
    T: Send,
{
    items.iter().map(|t| t.to_string()).collect()
}

#[log_performance]
fn returns_impl_trait(n: u32) -> impl Iterator<Item = u32> + Clone {
    0..n
}

#[log_performance]
fn returns_impl_trait_in_result(ok: bool) -> Result<impl Display, String> {
    if ok { Ok(1) } else { Err("no".to_string()) }
}

#[log_performance]
fn question_mark(s: &str) -> Result<u64, std::num::ParseIntError> {
    let n: u64 = s.parse()?;
    Ok(n)
}

#[log_performance]
fn borrows<'a>(s: &'a str, _t: &str) -> &'a str {
    &s[1..]
}

#[log_performance]
fn elided(s: &str) -> &str {
    s.trim()
}

#[allow(unsafe_code)]
#[log_performance]
unsafe fn unsafe_fn(x: u8) -> u8 {
    x
}

#[log_performance]
extern "C" fn extern_fn() -> i32 {
    0
}

#[log_performance(args(x))]
fn pattern_param((x, _y): (u8, u8), mut z: u8) -> u8 {
    z += x;
    z
}

struct Book {
    levels: Vec<u64>,
}

trait Venue {
    #[log_performance]
    fn default_method(&self) -> u32 {
        1
    }
    fn required(&self) -> u32;
}

impl Venue for Book {
    #[log_performance]
    fn required(&self) -> u32 {
        2
    }
}

impl Book {
    #[log_performance]
    fn by_ref(&self) -> usize {
        self.levels.len()
    }

    #[log_performance]
    fn by_mut(&mut self) -> &mut Vec<u64> {
        &mut self.levels
    }

    #[log_performance]
    fn by_value(self) -> Vec<u64> {
        self.levels
    }

    #[log_performance]
    fn boxed(self: Box<Self>) -> usize {
        self.levels.len()
    }

    #[log_performance]
    fn returns_self() -> Self {
        Book { levels: Vec::new() }
    }

    #[log_performance(args(id))]
    async fn async_method(&self, id: u64) -> Result<u64, String> {
        ready().await;
        if id == 0 { Err("zero".into()) } else { Ok(id + self.levels.len() as u64) }
    }

    #[log_performance]
    async fn async_by_value(self) -> Vec<u64> {
        self.levels
    }

    #[log_performance]
    async fn async_mut(&mut self) -> &mut Vec<u64> {
        &mut self.levels
    }
}

#[log_performance(cpu, sample = 2)]
async fn async_free<T: Display>(t: T) -> String {
    ready().await;
    t.to_string()
}

#[log_performance]
async fn async_impl_trait() -> impl Display {
    1
}

async fn ready() {}

fn assert_send<F: Future + Send>(f: F) -> F {
    f
}

fn main() {
    free();
    let _ = single_expression(2) + literal() as f64;
    let _ = every_option(1, "x");
    level_as_ident();
    critical_level();
    let _ = rate_limited();
    let _ = assert_send(rate_limited_async(1));
    let _ = generic([1, 2]);
    let _ = returns_impl_trait(3).clone().count();
    let _ = returns_impl_trait_in_result(true).map(|d| d.to_string());
    let _ = question_mark("1");
    let _ = borrows("abc", "d");
    let _ = elided(" x ");
    // SAFETY: `unsafe_fn` has no preconditions.
    #[allow(unsafe_code)]
    let _ = unsafe { unsafe_fn(1) };
    let _ = extern_fn();
    let _ = pattern_param((1, 2), 3);
    let mut book = Book::returns_self();
    let _ = book.default_method() + book.required();
    let _ = book.by_ref();
    book.by_mut().push(1);
    let _ = Box::new(Book { levels: Vec::new() }).boxed();
    let _ = assert_send(book.async_method(1));
    let _ = assert_send(async_free(1));
    let _ = async_impl_trait();
    let _ = book.async_mut();
    let _ = assert_send(Book::returns_self().async_by_value());
    let _ = book.by_value();
}
