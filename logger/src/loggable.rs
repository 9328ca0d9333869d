//! [`Loggable`]: what a `trade!`, `perf!` or `#[log_performance]` field
//! value may be, and how it is copied into the ring.
//!
//! A value is turned into a [`LogValue`] on the caller's thread, before the
//! record is reserved in the ring; the ring then receives its raw bytes
//! (numbers, `bool` and `char` as they are, strings length-prefixed, a
//! `&'static str` as its address). Formatting happens on the flusher.
//!
//! The encoding itself is the logger's own (see `wire`): an implementation
//! only says *which* value to record, so no implementation can corrupt a
//! record.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::fmt::{self, Write as _};
use std::num::{
    NonZeroI8, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroIsize, NonZeroU8, NonZeroU16, NonZeroU32,
    NonZeroU64, NonZeroUsize,
};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// One field value as the logger records it.
///
/// Returned by [`Loggable::log_value`]. Numbers, `bool` and `char` are
/// copied as they are; [`LogValue::Str`] copies the string's bytes into the
/// ring; [`LogValue::StaticStr`] copies only its address and length, which
/// makes it the cheapest way to record an enum variant's name.
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
///
/// assert_eq!(42u32.log_value(), LogValue::U64(42));
/// assert_eq!((-1i8).log_value(), LogValue::I64(-1));
/// assert_eq!("AAPL".log_value(), LogValue::Str("AAPL"));
/// assert_eq!(None::<u64>.log_value(), LogValue::Null);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LogValue<'a> {
    /// No value (JSON `null`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An unsigned integer (every unsigned type up to 64 bits).
    U64(u64),
    /// A signed integer (every signed type up to 64 bits).
    I64(i64),
    /// A 128-bit unsigned integer.
    U128(u128),
    /// A 128-bit signed integer.
    I128(i128),
    /// A float (`f32` is widened; non-finite values are written as strings).
    F64(f64),
    /// A character.
    Char(char),
    /// A string, copied into the record.
    Str(&'a str),
    /// A string that lives for the whole program: only its address is
    /// copied, the flusher reads the bytes.
    StaticStr(&'static str),
    /// A JSON value the logger rendered itself (an error and its source
    /// chain: see [`error_chain`](crate::error_chain())), written as it is. Cut to fit the
    /// ring, it is written as a string instead, so the line stays valid.
    Json(Json<'a>),
}

/// A JSON text rendered by the logger (see [`LogValue::Json`]); only the
/// logger makes one, so it is always well-formed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Json<'a>(&'a str);

impl<'a> Json<'a> {
    /// Wraps a text the caller rendered as valid JSON.
    pub(crate) fn new(text: &'a str) -> Self {
        Json(text)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

/// A type whose values `trade!`, `perf!` and `#[log_performance(args(..))]`
/// can record without formatting them on the caller's thread.
///
/// Implemented for every integer and float type, `bool`, `char`, `str`,
/// `String`, `Cow<str>`, `Box`/`Rc`/`Arc` of those, `Option<T>` (`None` is
/// `null`), [`Duration`] (as whole nanoseconds), `()` (`null`) and
/// references to any of them.
///
/// For your own types:
/// - `#[derive(Loggable)]` on a fieldless enum records the variant's name
///   (as a `&'static str`: no copy); `#[loggable(rename = "B")]` on a
///   variant or `#[loggable(rename_all = "UPPERCASE")]` on the enum changes
///   the spelling (`lowercase`, `UPPERCASE`, `snake_case`,
///   `SCREAMING_SNAKE_CASE`, `kebab-case`);
/// - `#[derive(Loggable)]` on a struct with one field (a newtype such as
///   `struct Px(f64)`) records that field;
/// - anything else: implement [`Loggable::log_value`] by hand, or wrap the
///   value in [`display`] (the slow path: it formats on the caller's
///   thread).
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
///
/// #[derive(Loggable)]
/// enum Side { Buy, Sell }
///
/// #[derive(Loggable)]
/// #[loggable(rename_all = "UPPERCASE")]
/// enum Tif { Day, Ioc }
///
/// #[derive(Loggable)]
/// struct Px(f64);
///
/// struct Venue { mic: String }
/// impl Loggable for Venue {
///     fn log_value(&self) -> LogValue<'_> {
///         LogValue::Str(&self.mic)
///     }
/// }
///
/// assert_eq!(Side::Sell.log_value(), LogValue::StaticStr("Sell"));
/// assert_eq!(Tif::Ioc.log_value(), LogValue::StaticStr("IOC"));
/// assert_eq!(Px(1.5).log_value(), LogValue::F64(1.5));
/// assert_eq!(Venue { mic: "XNAS".into() }.log_value(), LogValue::Str("XNAS"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a log field",
    label = "this value's type does not implement `logger::Loggable`",
    note = "numbers, bool, char, strings, Option and Duration are recorded as they are",
    note = "for your own type: `#[derive(logger::Loggable)]` (fieldless enum or newtype), implement `logger::Loggable`, or wrap the value: `logger::display(&value)` (formats on the calling thread)"
)]
pub trait Loggable {
    /// The value to record. Called once per record, on the logging thread,
    /// before the record is reserved in the ring: it may run any code
    /// (even log), but it should be cheap.
    fn log_value(&self) -> LogValue<'_>;
}

impl<T: Loggable + ?Sized> Loggable for &T {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        (**self).log_value()
    }
}

impl<T: Loggable + ?Sized> Loggable for &mut T {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        (**self).log_value()
    }
}

macro_rules! loggable_as {
    ($variant:ident: $($t:ty),*) => {$(
        impl Loggable for $t {
            #[inline(always)]
            fn log_value(&self) -> LogValue<'_> {
                LogValue::$variant((*self).into())
            }
        }
    )*};
}

loggable_as!(U64: u8, u16, u32, u64);
loggable_as!(I64: i8, i16, i32, i64);
loggable_as!(U128: u128);
loggable_as!(I128: i128);
loggable_as!(F64: f32, f64);
loggable_as!(Bool: bool);
loggable_as!(Char: char);

impl Loggable for usize {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::U64(*self as u64)
    }
}

impl Loggable for isize {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::I64(*self as i64)
    }
}

macro_rules! loggable_nonzero {
    ($variant:ident as $wide:ty: $($t:ty),*) => {$(
        impl Loggable for $t {
            #[inline(always)]
            fn log_value(&self) -> LogValue<'_> {
                LogValue::$variant(self.get() as $wide)
            }
        }
    )*};
}

loggable_nonzero!(U64 as u64: NonZeroU8, NonZeroU16, NonZeroU32, NonZeroU64, NonZeroUsize);
loggable_nonzero!(I64 as i64: NonZeroI8, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroIsize);

impl Loggable for str {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Str(self)
    }
}

impl Loggable for String {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Str(self)
    }
}

impl Loggable for Cow<'_, str> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Str(self)
    }
}

impl<T: Loggable + ?Sized> Loggable for Box<T> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        (**self).log_value()
    }
}

impl<T: Loggable + ?Sized> Loggable for Rc<T> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        (**self).log_value()
    }
}

impl<T: Loggable + ?Sized> Loggable for Arc<T> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        (**self).log_value()
    }
}

impl<T: Loggable> Loggable for Option<T> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        match self {
            Some(v) => v.log_value(),
            None => LogValue::Null,
        }
    }
}

impl Loggable for () {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Null
    }
}

/// Whole nanoseconds (saturating at `u64::MAX`, about 584 years).
impl Loggable for Duration {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        LogValue::U64(u64::try_from(self.as_nanos()).unwrap_or(u64::MAX))
    }
}

impl Loggable for LogValue<'_> {
    #[inline(always)]
    fn log_value(&self) -> LogValue<'_> {
        *self
    }
}

/// Records a value through its [`fmt::Display`] implementation: the slow,
/// always-available fallback for types that are not [`Loggable`].
///
/// Unlike every other field value, this one is formatted on the caller's
/// thread (into a reused thread-local buffer, so it allocates only while
/// the buffer grows), before the record is reserved. Prefer
/// `#[derive(Loggable)]` or a hand-written [`Loggable`] implementation on
/// hot paths.
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
/// use std::net::Ipv4Addr;
///
/// let ip = Ipv4Addr::new(10, 0, 0, 1);
/// let shown = logger::display(&ip);
/// assert_eq!(shown.log_value(), LogValue::Str("10.0.0.1"));
/// # fn docs() {
/// # let ip = Ipv4Addr::new(10, 0, 0, 1);
/// logger::trade!(symbol = "AAPL", side = "buy", qty = 1, price = 1.0, gateway = logger::display(&ip));
/// # }
/// ```
pub fn display<T: fmt::Display + ?Sized>(value: &T) -> Display<'_, T> {
    Display {
        value,
        text: OnceCell::new(),
    }
}

/// A value recorded through its `Display` implementation: see [`display`].
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
///
/// let shown: logger::Display<'_, f64> = logger::display(&1.5);
/// assert_eq!(shown.log_value(), LogValue::Str("1.5"));
/// ```
pub struct Display<'a, T: ?Sized> {
    value: &'a T,
    text: OnceCell<ScratchString>,
}

impl<T: fmt::Display + ?Sized> Loggable for Display<'_, T> {
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Str(
            self.text
                .get_or_init(|| ScratchString::format(format_args!("{}", self.value))),
        )
    }
}

impl<T: fmt::Debug + ?Sized> fmt::Debug for Display<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Display").field(&self.value).finish()
    }
}

/// Buffers kept per thread for [`display`] and captured strings.
const POOL_MAX_BUFFERS: usize = 8;
/// A buffer that grew past this is freed instead of kept.
const POOL_MAX_CAPACITY: usize = 64 << 10;

thread_local! {
    static POOL: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// A string taken from this thread's buffer pool and given back on drop,
/// so that formatting on the caller's thread allocates only while the
/// buffers grow.
pub(crate) struct ScratchString(String);

impl ScratchString {
    /// An empty buffer from the pool (or a new one).
    pub(crate) fn new() -> Self {
        let buf = POOL
            .try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.pop()))
            .ok()
            .flatten()
            .unwrap_or_default();
        ScratchString(buf)
    }

    /// Formats `args` into a pooled buffer. The user code `args` runs is
    /// called with no borrow of the pool held, so it may log.
    pub(crate) fn format(args: fmt::Arguments<'_>) -> Self {
        let mut s = Self::new();
        match args.as_str() {
            Some(text) => s.0.push_str(text),
            None => {
                let _ = s.0.write_fmt(args);
            }
        }
        s
    }

    /// The buffer, to append to.
    pub(crate) fn as_mut_string(&mut self) -> &mut String {
        &mut self.0
    }

    /// A pooled copy of `text`.
    pub(crate) fn copy_of(text: &str) -> Self {
        let mut s = Self::new();
        s.0.push_str(text);
        s
    }
}

impl std::ops::Deref for ScratchString {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Drop for ScratchString {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.0);
        if buf.capacity() == 0 || buf.capacity() > POOL_MAX_CAPACITY {
            return;
        }
        buf.clear();
        let _ = POOL.try_with(|p| {
            if let Ok(mut p) = p.try_borrow_mut() {
                if p.len() < POOL_MAX_BUFFERS {
                    p.push(buf);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives() {
        assert_eq!(7u8.log_value(), LogValue::U64(7));
        assert_eq!(usize::MAX.log_value(), LogValue::U64(usize::MAX as u64));
        assert_eq!((-7i16).log_value(), LogValue::I64(-7));
        assert_eq!(u128::MAX.log_value(), LogValue::U128(u128::MAX));
        assert_eq!(1.5f32.log_value(), LogValue::F64(1.5));
        assert_eq!(true.log_value(), LogValue::Bool(true));
        assert_eq!('x'.log_value(), LogValue::Char('x'));
        assert_eq!(NonZeroU32::new(3).unwrap().log_value(), LogValue::U64(3));
        assert_eq!(Duration::from_micros(2).log_value(), LogValue::U64(2_000));
        assert_eq!(Some(&&5u64).log_value(), LogValue::U64(5));
        assert_eq!(().log_value(), LogValue::Null);
    }

    #[test]
    fn strings() {
        let s = String::from("abc");
        assert_eq!(s.log_value(), LogValue::Str("abc"));
        assert_eq!(Cow::Borrowed("x").log_value(), LogValue::Str("x"));
        let a: Arc<str> = Arc::from("arc");
        assert_eq!(a.log_value(), LogValue::Str("arc"));
    }

    #[test]
    fn display_formats_once_and_recycles_its_buffer() {
        struct Counted<'a>(&'a std::cell::Cell<u32>);
        impl fmt::Display for Counted<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.set(self.0.get() + 1);
                f.write_str("shown")
            }
        }
        let calls = std::cell::Cell::new(0);
        let c = Counted(&calls);
        let d = display(&c);
        assert_eq!(d.log_value(), LogValue::Str("shown"));
        assert_eq!(d.log_value(), LogValue::Str("shown"));
        assert_eq!(calls.get(), 1);
        drop(d);
        let pooled = POOL.with(|p| p.borrow().len());
        assert!(pooled >= 1, "the buffer went back to the pool");
    }

    #[test]
    fn nested_display_gets_its_own_buffer() {
        struct Outer;
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let inner = display(&7);
                match inner.log_value() {
                    LogValue::Str(s) => write!(f, "outer({s})"),
                    _ => unreachable!(),
                }
            }
        }
        assert_eq!(display(&Outer).log_value(), LogValue::Str("outer(7)"));
    }
}
