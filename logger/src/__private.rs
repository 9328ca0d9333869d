//! What the macros of `logger-macros` expand to.
//!
//! **Not public API.** Everything here may change in any release; the
//! macros name it as `::logger::__private::…` so that user code never
//! depends on it. The few public types defined here ([`PerfTimer`],
//! [`PerfElapsed`]) are re-exported at the crate root, where they are
//! documented as public.
//!
//! The hot path of a `trade!` call site is [`enabled`] (two compares, one
//! relaxed load of the call site's cached interest),
//! [`Loggable::log_value`] of each value (inlined: nothing for numbers, a
//! pointer and a length for strings), then [`push`]: the
//! payload length (constant but for string lengths), one reservation in
//! the thread's ring, one timestamp, the copy of the values, one publish.

use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock;
use crate::config::MIN_RING_BYTES;
use crate::frontend::thread_ring;
use crate::loggable::ScratchString;
use crate::wire;

pub use crate::callsite::Callsite;
pub use crate::frontend::critical::CriticalMark;
pub use crate::level::Level;
pub use crate::loggable::{LogValue, Loggable};
pub use crate::view::Kind;
pub use log;
pub use log::STATIC_MAX_LEVEL;
pub use std::thread_local;

pub use crate::filter::Interest;
pub use crate::rate_limit::RateLimit;

/// Whether records at `level` are wanted at the call site owning
/// `interest`: `log`'s compile-time ceiling (a constant compare, so a
/// disabled level compiles away), then the call site's cached level under
/// the current filter (one relaxed load; computed on first use and after
/// `logger::set_filter`).
#[inline(always)]
pub fn enabled(level: Level, interest: &'static Interest, target: &'static str) -> bool {
    level.to_log() <= STATIC_MAX_LEVEL && interest.enabled(level, target)
}

/// Enters a context frame of `fields`: the expansion of `logger::bind!`.
#[inline]
pub fn enter_context(fields: &[(&str, LogValue<'_>)]) -> crate::ContextGuard {
    crate::context::enter(fields)
}

/// The value of one field, through the [`Loggable`] bound (which the
/// macros span at the user's expression, so a type that cannot be recorded
/// is reported there).
#[inline(always)]
pub fn value<T: Loggable + ?Sized>(v: &T) -> LogValue<'_> {
    v.log_value()
}

/// Largest payload that fits every ring whatever its configured size: the
/// half of the smallest ring, less a header (see `thread_ring::max_payload`).
const FAST_MAX_PAYLOAD: usize = MIN_RING_BYTES / 2 - wire::HEADER;

/// Records whose payload is at most this many bytes are encoded into a
/// [`Stage`] on the caller's stack, then copied into the ring in one piece.
pub const STAGE_BYTES: usize = 256;
const _: () = assert!(STAGE_BYTES <= FAST_MAX_PAYLOAD);

/// Encoded size of a value in a record.
#[inline(always)]
pub fn value_len(v: &LogValue<'_>) -> usize {
    wire::log_value_len(v, usize::MAX)
}

/// A `CALLSITE` record being encoded on the caller's stack.
///
/// The macros call [`Stage::put`] once per value, in straight-line code
/// where each value's variant is a constant (so each `put` compiles to a
/// few stores), then [`Stage::push`], which copies the bytes into the
/// thread's ring. The ring is only touched by `push`, and runs no user
/// code.
pub struct Stage<'b> {
    callsite: &'static Callsite,
    len: usize,
    overflow: bool,
    buf: &'b mut StageBuf,
}

/// The bytes of a [`Stage`]: a local of the expansion, left uninitialised.
pub type StageBuf = MaybeUninit<[u8; STAGE_BYTES]>;

impl<'b> Stage<'b> {
    /// An empty record of `callsite`, encoded into `buf`.
    #[inline(always)]
    pub fn new(callsite: &'static Callsite, buf: &'b mut StageBuf) -> Self {
        let addr = callsite as *const Callsite as usize as u64;
        // SAFETY: `buf` holds `STAGE_BYTES` (more than 8) writable bytes.
        unsafe { std::ptr::write_unaligned(buf.as_mut_ptr().cast::<u64>(), addr) };
        Stage {
            callsite,
            len: 8,
            overflow: false,
            buf,
        }
    }

    /// Appends one value (ignored, and the record dropped, when it would
    /// not fit: the macros check [`value_len`]s against [`STAGE_BYTES`]
    /// first).
    #[inline(always)]
    pub fn put(&mut self, v: LogValue<'_>) {
        let n = wire::log_value_len(&v, usize::MAX);
        if n > STAGE_BYTES - self.len {
            self.overflow = true;
            return;
        }
        // SAFETY: `len + n <= STAGE_BYTES` (checked above), so the `n`
        // bytes from `len` are inside `buf`.
        unsafe {
            let dst = self.buf.as_mut_ptr().cast::<u8>().add(self.len);
            wire::write_log_value(dst, &v, usize::MAX);
        }
        self.len += n;
    }

    /// Copies the record into this thread's ring.
    #[inline(always)]
    pub fn push(&self) {
        if self.overflow {
            return;
        }
        // SAFETY: the first `len` bytes of `buf` were written: 8 by `new`,
        // then exactly `value_len` bytes by each `put` that added to `len`.
        let bytes = unsafe { std::slice::from_raw_parts(self.buf.as_ptr().cast::<u8>(), self.len) };
        thread_ring::push(
            wire::TAG_CALLSITE,
            self.callsite.level as u8,
            self.len,
            |dst| dst.copy_from_slice(bytes),
        );
    }
}

/// Appends one `CALLSITE` record: `values` in the order of the call site's
/// `fields`, then its message arguments.
#[inline(always)]
pub fn push(callsite: &'static Callsite, values: &[LogValue<'_>]) {
    push_groups(callsite, &[values]);
}

/// [`push`] with the values in several slices, written one after another.
#[inline(always)]
pub fn push_groups(callsite: &'static Callsite, groups: &[&[LogValue<'_>]]) {
    let len = wire::callsite_payload_len(groups, usize::MAX);
    if len > FAST_MAX_PAYLOAD {
        return push_large(callsite, groups, len);
    }
    thread_ring::push(wire::TAG_CALLSITE, callsite.level as u8, len, |dst| {
        wire::put_log_values(dst, callsite, groups, usize::MAX)
    });
}

/// [`push`] for a record too large for a [`Stage`].
#[cold]
#[inline(never)]
pub fn push_slow(callsite: &'static Callsite, values: &[LogValue<'_>]) {
    push_groups(callsite, &[values]);
}

/// A record that might not fit the ring: strings are cut so that it does
/// (each to an equal share of the room left by the other values).
#[cold]
#[inline(never)]
fn push_large(callsite: &'static Callsite, groups: &[&[LogValue<'_>]], len: usize) {
    let max = thread_ring::max_payload();
    let mut limit = usize::MAX;
    if len > max {
        let (mut fixed, mut strings) = (8usize, 0usize);
        for v in groups.iter().flat_map(|g| g.iter()) {
            match v {
                LogValue::Str(_) | LogValue::Json(_) => {
                    strings += 1;
                    fixed += 5 + wire::TRUNCATED.len();
                }
                other => fixed += wire::log_value_len(other, usize::MAX),
            }
        }
        limit = max.saturating_sub(fixed) / strings.max(1);
    }
    let len = wire::callsite_payload_len(groups, limit);
    thread_ring::push(wire::TAG_CALLSITE, callsite.level as u8, len, |dst| {
        wire::put_log_values(dst, callsite, groups, limit)
    });
}

/// The enclosing function's path from the `type_name` of a function
/// named `__logger_function` nested in it: the suffix and any trailing
/// `{{closure}}` segments (closures, async bodies) are cut. Runs on the
/// flusher thread, when the record is formatted; allocates nothing.
pub fn function_name(raw: &'static str) -> &'static str {
    let mut s = raw.strip_suffix("::__logger_function").unwrap_or(raw);
    while let Some(rest) = s.strip_suffix("::{{closure}}") {
        s = rest;
    }
    s
}

/// Records the flusher wrote by plan, straight from the ring's bytes
/// (`backend::fast_lane`), since the process started: for the tests that
/// compare that lane's lines with the generic path's.
pub fn records_written_by_plan() -> u64 {
    crate::backend::fast_lane::written_by_plan()
}

/// A raw timestamp (TSC ticks or ns, see `clock`).
#[inline(always)]
pub fn now_raw() -> u64 {
    clock::now_raw()
}

/// CPU time used by the calling thread so far, in ns
/// (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: a system call).
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a
    // constant the kernel knows; the call writes nothing else.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// One call in `n` on this thread: true on the first call and every
/// `n`-th after it.
#[inline(always)]
pub fn sample(counter: &'static std::thread::LocalKey<std::cell::Cell<u32>>, n: u32) -> bool {
    counter
        .try_with(|c| {
            let k = c.get();
            c.set(if k + 1 >= n { 0 } else { k + 1 });
            k == 0
        })
        .unwrap_or(false)
}

// ---------------------------------------------------------------- perf! --

/// An elapsed time that `perf!("name", elapsed)` accepts: a
/// [`Duration`], or a `u64` count of nanoseconds.
///
/// # Examples
///
/// ```
/// use logger::PerfElapsed;
/// use std::time::Duration;
///
/// assert_eq!(Duration::from_micros(3).elapsed_ns(), 3_000);
/// assert_eq!(1_500u64.elapsed_ns(), 1_500);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an elapsed time",
    label = "expected a `std::time::Duration` or a `u64` of nanoseconds",
    note = "`perf!(\"name\", elapsed)` records `elapsed` as `elapsed_ns`; for a scope timer write `let _t = perf!(\"name\");`"
)]
pub trait PerfElapsed {
    /// The elapsed time in whole nanoseconds.
    fn elapsed_ns(&self) -> u64;
}

/// Saturates at `u64::MAX` ns (about 584 years).
impl PerfElapsed for Duration {
    #[inline(always)]
    fn elapsed_ns(&self) -> u64 {
        u64::try_from(self.as_nanos()).unwrap_or(u64::MAX)
    }
}

impl PerfElapsed for u64 {
    #[inline(always)]
    fn elapsed_ns(&self) -> u64 {
        *self
    }
}

impl<T: PerfElapsed + ?Sized> PerfElapsed for &T {
    #[inline(always)]
    fn elapsed_ns(&self) -> u64 {
        (**self).elapsed_ns()
    }
}

/// The elapsed time of `perf!("name", elapsed)`, through the
/// [`PerfElapsed`] bound (spanned at the user's expression).
#[inline(always)]
pub fn elapsed_of<T: PerfElapsed + ?Sized>(v: &T) -> u64 {
    v.elapsed_ns()
}

/// A scope timer from `let _t = perf!("name");`: records the time from
/// its creation to its drop (or to [`PerfTimer::stop`]) as a perf record.
///
/// The record is written when the timer is dropped, also while a panic
/// unwinds. Extra fields (`perf!("name", venue = v)`) are evaluated when
/// the timer starts and moved into it.
/// When the perf level is disabled the timer takes no timestamp and
/// records nothing.
///
/// # Examples
///
/// ```
/// # fn docs() {
/// fn risk_check() {
///     let _t = logger::perf!("risk_check");
///     // ... the work being timed ...
/// } // recorded here, with `elapsed_ns`
///
/// let t = logger::perf!("load", venue = "XNAS");
/// // ...
/// t.stop(); // recorded now
///
/// let t = logger::perf!("maybe");
/// t.cancel(); // nothing recorded
/// # }
/// ```
#[must_use = "a timer records when it is dropped: bind it with `let _t = perf!(..)` (`let _ = perf!(..)` drops it at once)"]
pub struct PerfTimer<F: FnOnce(u64)> {
    start: u64,
    record: Option<F>,
}

impl<F: FnOnce(u64)> PerfTimer<F> {
    /// Starts a timer that calls `record` with the elapsed ns when dropped
    /// (only when `on`). Built by `perf!`.
    #[doc(hidden)]
    #[inline(always)]
    pub fn __start(on: bool, record: F) -> Self {
        if on {
            PerfTimer {
                start: clock::now_raw(),
                record: Some(record),
            }
        } else {
            PerfTimer {
                start: 0,
                record: None,
            }
        }
    }

    /// Time since the timer started (zero when its level is disabled).
    ///
    /// # Examples
    ///
    /// ```
    /// let t = logger::perf!("x");
    /// let _ = t.elapsed(); // zero here: no logger is installed
    /// t.cancel();
    /// ```
    pub fn elapsed(&self) -> Duration {
        if self.record.is_none() {
            return Duration::ZERO;
        }
        Duration::from_nanos(clock::elapsed_ns(self.start, clock::now_raw()))
    }

    /// Records now rather than at the end of the scope.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = logger::perf!("load_book");
    /// // ... the part worth timing ...
    /// t.stop();
    /// // ... not timed ...
    /// ```
    pub fn stop(self) {
        drop(self);
    }

    /// Drops the timer without recording anything.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = logger::perf!("maybe_slow");
    /// let cached = true;
    /// if cached {
    ///     t.cancel(); // not worth a record
    /// }
    /// ```
    pub fn cancel(mut self) {
        self.record = None;
    }
}

impl<F: FnOnce(u64)> Drop for PerfTimer<F> {
    #[inline]
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            record(clock::elapsed_ns(self.start, clock::now_raw()));
        }
    }
}

impl<F: FnOnce(u64)> fmt::Debug for PerfTimer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerfTimer")
            .field("running", &self.record.is_some())
            .finish()
    }
}

// ---------------------------------------------------- #[log_performance] --

/// What `#[log_performance]` knows about a function at compile time.
///
/// Field order of the records (the call site's `fields` must match):
/// `operation, elapsed_ns, [busy_ns, polls] (async), [cpu_ns] (cpu),
/// [alloc_bytes, allocs] (mem), outcome, [error] (err call site only),
/// args...`.
#[derive(Debug)]
pub struct CallSpec {
    /// Call site of records without an error message (ok, panic, cancelled).
    pub ok: &'static Callsite,
    /// Call site of records of an `Err` with a `Display`able error.
    pub err: &'static Callsite,
    /// The `operation` field: the function name or the `name` option.
    pub operation: &'static str,
    /// Ok calls faster than this are not recorded.
    pub threshold_ns: u64,
    /// Record thread CPU time (`cpu_ns`).
    pub cpu: bool,
    /// An `async fn`: record busy time and polls, measured per poll.
    pub is_async: bool,
    /// The function's rate limit (`rate = "100/s"`), checked for each
    /// record after the threshold.
    pub rate: Option<&'static RateLimit>,
}

/// How a timed call ended.
#[derive(Clone, Copy)]
pub enum Outcome<'a> {
    /// Returned normally (a non-`Result` value, or `Ok`).
    Ok,
    /// Returned `Err`, with the error when it is `Display`.
    Err(Option<&'a dyn fmt::Display>),
    /// Returned `Err` of a `std::error::Error`: recorded with its source
    /// chain (see `crate::error_chain`).
    Error(&'a dyn std::error::Error),
}

/// An argument captured by `args(..)` when the call starts: numbers
/// inline, strings copied into a pooled buffer (the body may move or
/// change the argument before the record is written).
pub struct Captured(CapturedValue);

enum CapturedValue {
    /// Not captured: the call is not recorded.
    Off,
    /// A value that borrows nothing.
    Value(LogValue<'static>),
    /// A copied string.
    Text(ScratchString),
    /// A copied JSON text (an error chain).
    Json(ScratchString),
}

impl Captured {
    /// Captures `v` when `on`.
    #[inline(always)]
    pub fn capture<T: Loggable + ?Sized>(on: bool, v: &T) -> Captured {
        if !on {
            return Captured(CapturedValue::Off);
        }
        Captured::from_value(v.log_value())
    }

    #[inline(always)]
    fn from_value(v: LogValue<'_>) -> Captured {
        Captured(CapturedValue::Value(match v {
            LogValue::Str(s) => return Captured(CapturedValue::Text(ScratchString::copy_of(s))),
            LogValue::Json(j) => {
                return Captured(CapturedValue::Json(ScratchString::copy_of(j.as_str())));
            }
            LogValue::Null => LogValue::Null,
            LogValue::Bool(b) => LogValue::Bool(b),
            LogValue::U64(x) => LogValue::U64(x),
            LogValue::I64(x) => LogValue::I64(x),
            LogValue::U128(x) => LogValue::U128(x),
            LogValue::I128(x) => LogValue::I128(x),
            LogValue::F64(x) => LogValue::F64(x),
            LogValue::Char(c) => LogValue::Char(c),
            LogValue::StaticStr(s) => LogValue::StaticStr(s),
        }))
    }

    #[inline(always)]
    fn value(&self) -> LogValue<'_> {
        match &self.0 {
            CapturedValue::Off => LogValue::Null,
            CapturedValue::Value(v) => *v,
            CapturedValue::Text(s) => LogValue::Str(s),
            CapturedValue::Json(s) => LogValue::Json(crate::loggable::Json::new(s)),
        }
    }
}

/// The `mem` option of a [`Call`], a type chosen by the macro so that a
/// call without `mem` carries no counters and tests no flag: [`NoMem`]
/// (no option) or [`Mem`] (`alloc_bytes`, `allocs`; see
/// [`crate::CountingAlloc`]).
pub trait MemOption: Copy {
    /// The option is given: the records have `alloc_bytes` and `allocs`.
    const ON: bool;
    /// Keeps `totals` (bytes, allocations); [`NoMem`] drops them.
    fn keep(totals: (u64, u64)) -> Self;
    /// The totals kept; `(0, 0)` for [`NoMem`].
    fn kept(self) -> (u64, u64);
}

/// No `mem` option: nothing kept.
#[derive(Clone, Copy, Debug)]
pub struct NoMem;

impl MemOption for NoMem {
    const ON: bool = false;
    #[inline(always)]
    fn keep(_: (u64, u64)) -> Self {
        NoMem
    }
    #[inline(always)]
    fn kept(self) -> (u64, u64) {
        (0, 0)
    }
}

/// The `mem` option: the thread's allocation totals at the start (sync),
/// or the sum of the deltas of every poll (async), in bytes and
/// allocations.
#[derive(Clone, Copy, Debug)]
pub struct Mem(u64, u64);

impl MemOption for Mem {
    const ON: bool = true;
    #[inline(always)]
    fn keep((bytes, allocs): (u64, u64)) -> Self {
        Mem(bytes, allocs)
    }
    #[inline(always)]
    fn kept(self) -> (u64, u64) {
        (self.0, self.1)
    }
}

/// One timed call of a `#[log_performance]` function, from its start to
/// [`Call::finish`]. Dropped without `finish` it records the outcome
/// `panic` (while unwinding) or `cancelled` (an async call dropped before
/// completion). `M` is the `mem` option ([`NoMem`] or [`Mem`]).
pub struct Call<const N: usize, M: MemOption> {
    spec: &'static CallSpec,
    /// Armed: the call is timed and not yet recorded.
    on: bool,
    start: u64,
    cpu_start: u64,
    /// Async: raw ticks spent inside `poll`, CPU ns spent there, polls.
    busy: u64,
    cpu: u64,
    polls: u64,
    mem: M,
    args: [Captured; N],
}

impl<const N: usize, M: MemOption> Call<N, M> {
    /// Starts timing when `on` (the level is enabled and the call sampled).
    #[inline(always)]
    pub fn start(on: bool, spec: &'static CallSpec, args: [Captured; N]) -> Self {
        let cpu_start = if on && spec.cpu && !spec.is_async {
            thread_cpu_ns()
        } else {
            0
        };
        let mem = M::keep(if M::ON && on && !spec.is_async {
            crate::CountingAlloc::thread_totals()
        } else {
            (0, 0)
        });
        Call {
            spec,
            on,
            start: if on { clock::now_raw() } else { 0 },
            cpu_start,
            busy: 0,
            cpu: 0,
            polls: 0,
            mem,
            args,
        }
    }

    /// Records the call's outcome (ok calls only when at least as slow as
    /// the threshold).
    #[inline(always)]
    pub fn finish(mut self, outcome: Outcome<'_>) {
        if self.on {
            self.on = false;
            match outcome {
                Outcome::Ok => self.record_ok(),
                _ => self.record(outcome_str(&outcome), outcome),
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn record_unfinished(&mut self) {
        self.on = false;
        let what = if std::thread::panicking() {
            "panic"
        } else {
            "cancelled"
        };
        self.record(what, Outcome::Ok);
    }

    /// The outcome `ok`, the hot path: no error to format.
    #[inline(never)]
    fn record_ok(&mut self) {
        let elapsed = clock::elapsed_ns(self.start, clock::now_raw());
        if elapsed < self.spec.threshold_ns {
            return;
        }
        self.write(elapsed, "ok", || None);
    }

    /// Any other outcome: `err` (with its error text), `panic`,
    /// `cancelled`; never below the threshold.
    #[inline(never)]
    fn record(&mut self, outcome_name: &'static str, outcome: Outcome<'_>) {
        let elapsed = clock::elapsed_ns(self.start, clock::now_raw());
        // Formatted here, on the caller's thread, before the ring is
        // touched (the error's `Display` may log).
        self.write(elapsed, outcome_name, || match outcome {
            Outcome::Ok | Outcome::Err(None) => None,
            Outcome::Err(Some(error)) => Some(ErrorText::Display(ScratchString::format(
                format_args!("{error}"),
            ))),
            Outcome::Error(error) => {
                Some(ErrorText::Chain(crate::error_chain::render_pooled(error)))
            }
        });
    }

    /// Writes the record once the rate limit admits it; `error` gives the
    /// error text (called only then).
    #[inline(always)]
    fn write(
        &mut self,
        elapsed: u64,
        outcome_name: &'static str,
        error: impl FnOnce() -> Option<ErrorText>,
    ) {
        let spec = self.spec;
        if let Some(rate) = spec.rate {
            if !rate.admit() {
                return;
            }
        }
        let busy = if spec.is_async {
            clock::ticks_to_ns(self.busy)
        } else {
            0
        };
        let cpu = match (spec.cpu, spec.is_async) {
            (false, _) => 0,
            (true, true) => self.cpu,
            (true, false) => thread_cpu_ns().saturating_sub(self.cpu_start),
        };
        let error = error();
        let callsite = if error.is_some() { spec.err } else { spec.ok };
        // The values in the order of `CallSpec`'s doc.
        let mut buf = StageBuf::uninit();
        let mut stage = Stage::new(callsite, &mut buf);
        stage.put(LogValue::StaticStr(spec.operation));
        stage.put(LogValue::U64(elapsed));
        if spec.is_async {
            stage.put(LogValue::U64(busy));
            stage.put(LogValue::U64(self.polls));
        }
        if spec.cpu {
            stage.put(LogValue::U64(cpu));
        }
        if M::ON {
            let [bytes, allocs] = self.mem_values();
            stage.put(bytes);
            stage.put(allocs);
        }
        stage.put(LogValue::StaticStr(outcome_name));
        if let Some(text) = &error {
            stage.put(text.value());
        }
        for arg in &self.args {
            stage.put(arg.value());
        }
        if !stage.overflow {
            return stage.push();
        }
        // Long error text or arguments: the slice path cuts strings to fit.
        let mut fixed = [LogValue::Null; 8];
        let mut k = 0;
        let mut add = |v: LogValue<'static>| {
            fixed[k] = v;
            k += 1;
        };
        add(LogValue::StaticStr(spec.operation));
        add(LogValue::U64(elapsed));
        if spec.is_async {
            add(LogValue::U64(busy));
            add(LogValue::U64(self.polls));
        }
        if spec.cpu {
            add(LogValue::U64(cpu));
        }
        if M::ON {
            let [bytes, allocs] = self.mem_values();
            add(bytes);
            add(allocs);
        }
        add(LogValue::StaticStr(outcome_name));
        let error = error.as_ref().map(ErrorText::value);
        let error = error.as_slice();
        let args: [LogValue<'_>; N] = self.args.each_ref().map(Captured::value);
        push_groups(callsite, &[&fixed[..k], error, &args]);
    }

    /// `mem`: the bytes and allocations made since the start (sync) or in
    /// the polls (async); `null` when no `CountingAlloc` is the global
    /// allocator.
    #[inline(always)]
    fn mem_values(&self) -> [LogValue<'static>; 2] {
        if !crate::CountingAlloc::in_use() {
            return [LogValue::Null; 2];
        }
        let (b0, n0) = self.mem.kept();
        let (b, n) = if self.spec.is_async {
            (b0, n0)
        } else {
            let (b, n) = crate::CountingAlloc::thread_totals();
            (b.wrapping_sub(b0), n.wrapping_sub(n0))
        };
        [LogValue::U64(b), LogValue::U64(n)]
    }

    /// Async: a poll starts; returns what [`Call::poll_end`] needs.
    #[inline(always)]
    fn poll_start(&self) -> (u64, u64, (u64, u64)) {
        let cpu = if self.spec.cpu { thread_cpu_ns() } else { 0 };
        let mem = if M::ON {
            crate::CountingAlloc::thread_totals()
        } else {
            (0, 0)
        };
        (clock::now_raw(), cpu, mem)
    }

    /// Async: a poll ended.
    #[inline(always)]
    fn poll_end(&mut self, (t0, cpu0, mem0): (u64, u64, (u64, u64))) {
        self.busy += clock::now_raw().saturating_sub(t0);
        if self.spec.cpu {
            self.cpu += thread_cpu_ns().saturating_sub(cpu0);
        }
        if M::ON {
            let (b, n) = crate::CountingAlloc::thread_totals();
            let (b0, n0) = self.mem.kept();
            self.mem = M::keep((b0 + b.wrapping_sub(mem0.0), n0 + n.wrapping_sub(mem0.1)));
        }
        self.polls += 1;
    }
}

impl<const N: usize, M: MemOption> Drop for Call<N, M> {
    #[inline]
    fn drop(&mut self) {
        if self.on {
            self.record_unfinished();
        }
    }
}

/// The `error` field's text: a `Display`, or an error chain's JSON.
enum ErrorText {
    Display(ScratchString),
    Chain(ScratchString),
}

impl ErrorText {
    fn value(&self) -> LogValue<'_> {
        match self {
            ErrorText::Display(s) => LogValue::Str(s),
            ErrorText::Chain(s) => LogValue::Json(crate::loggable::Json::new(s)),
        }
    }
}

fn outcome_str(o: &Outcome<'_>) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Err(_) | Outcome::Error(_) => "err",
    }
}

/// Moved into the closure that runs a timed sync function's body, which
/// makes the closure `FnOnce`: its body may then return borrows of the
/// `&mut` parameters it captured.
#[derive(Debug)]
pub struct FnOnceToken;

impl FnOnceToken {
    /// Moves the token into the closure that calls this.
    #[inline(always)]
    pub fn consume(self) {}
}

/// Runs `f`: the body of a timed sync function, in a closure whose return
/// type is pinned by the turbofish (so `?` inside infers as in the
/// function itself).
#[inline(always)]
pub fn returns<R, F: FnOnce() -> R>(f: F) -> R {
    f()
}

/// The body of a timed async function, its output type pinned by the
/// turbofish (so `?` inside infers as in the function itself).
#[inline(always)]
pub fn output<R, F: Future<Output = R>>(f: F) -> F {
    f
}

/// An async function's body, timed per poll; yields the output and the
/// [`Call`] (to record the outcome). A panic inside a poll records
/// `panic` while unwinding; dropping it unfinished records `cancelled`.
pub struct Timed<F, const N: usize, M: MemOption> {
    fut: F,
    call: Option<Call<N, M>>,
}

impl<F: Future, const N: usize, M: MemOption> Timed<F, N, M> {
    /// Wraps `fut` (the body) for `call`.
    #[inline(always)]
    pub fn new(call: Call<N, M>, fut: F) -> Self {
        Timed {
            fut,
            call: Some(call),
        }
    }
}

impl<F: Future, const N: usize, M: MemOption> Future for Timed<F, N, M> {
    type Output = (F::Output, Call<N, M>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned: it is never moved out of
        // `self` nor given out unpinned, and `Timed` has no `Drop` impl;
        // `call` is not pinned (it is only moved when the body completes).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `this.fut` stays where the pin put it.
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let Some(call) = this.call.as_mut() else {
            panic!("`#[log_performance]` future polled after completion");
        };
        if !call.on {
            return match fut.poll(cx) {
                Poll::Ready(out) => Poll::Ready((out, this.call.take().expect("present"))),
                Poll::Pending => Poll::Pending,
            };
        }
        /// Adds the poll's time when the poll panics: the `Call` is then
        /// dropped while unwinding, which records `panic`.
        struct PollGuard<'a, const N: usize, M: MemOption> {
            call: &'a mut Option<Call<N, M>>,
            t0: (u64, u64, (u64, u64)),
        }
        impl<const N: usize, M: MemOption> Drop for PollGuard<'_, N, M> {
            fn drop(&mut self) {
                if let Some(call) = self.call.as_mut() {
                    call.poll_end(self.t0);
                }
                drop(self.call.take());
            }
        }
        let t0 = call.poll_start();
        let guard = PollGuard {
            call: &mut this.call,
            t0,
        };
        let polled = fut.poll(cx);
        let call = guard.call.take();
        std::mem::forget(guard);
        let mut call = call.expect("present");
        call.poll_end(t0);
        match polled {
            Poll::Ready(out) => Poll::Ready((out, call)),
            Poll::Pending => {
                this.call = Some(call);
                Poll::Pending
            }
        }
    }
}

/// Autoref-specialised outcome of a timed call's return value:
/// `Result<_, Box<dyn Error>>` and `Result<_, E: Error>` give
/// `Error(e)`, `Result<_, E: Display>` gives `Err(Some(e))`, any other
/// `Err` gives `Err(None)`, anything else `Ok`. The macro calls
/// `(&&&&&Ret(&ret)).__logger_outcome()` with the five traits in scope:
/// method lookup tries `&&&&Ret<_>` first, then one `&` fewer at a time.
pub mod outcome {
    use super::Outcome;
    use std::error::Error;
    use std::fmt::Display;

    /// The return value being inspected.
    pub struct Ret<'a, T: ?Sized>(pub &'a T);

    /// `Result` whose error is a boxed `dyn Error`.
    pub trait ResultBoxError {
        /// The outcome.
        fn __logger_outcome(&self) -> Outcome<'_>;
    }
    impl<T> ResultBoxError for &&&&Ret<'_, Result<T, Box<dyn Error>>> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            match self.0 {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(&**e),
            }
        }
    }
    impl<T> ResultBoxError for &&&&Ret<'_, Result<T, Box<dyn Error + Send + Sync>>> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            match self.0 {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(&**e),
            }
        }
    }

    /// `Result` whose error is a `std::error::Error`.
    pub trait ResultError {
        /// The outcome.
        fn __logger_outcome(&self) -> Outcome<'_>;
    }
    impl<T, E: Error> ResultError for &&&Ret<'_, Result<T, E>> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            match self.0 {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e),
            }
        }
    }

    /// `Result` whose error is `Display`.
    pub trait ResultDisplay {
        /// The outcome.
        fn __logger_outcome(&self) -> Outcome<'_>;
    }
    impl<T, E: Display> ResultDisplay for &&Ret<'_, Result<T, E>> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            match self.0 {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Err(Some(e)),
            }
        }
    }

    /// Any other `Result`.
    pub trait ResultOther {
        /// The outcome.
        fn __logger_outcome(&self) -> Outcome<'_>;
    }
    impl<T, E> ResultOther for &Ret<'_, Result<T, E>> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            match self.0 {
                Ok(_) => Outcome::Ok,
                Err(_) => Outcome::Err(None),
            }
        }
    }

    /// Anything that is not a `Result`.
    pub trait NotResult {
        /// The outcome.
        fn __logger_outcome(&self) -> Outcome<'_>;
    }
    impl<T: ?Sized> NotResult for Ret<'_, T> {
        #[inline(always)]
        fn __logger_outcome(&self) -> Outcome<'_> {
            Outcome::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_are_cut() {
        assert_eq!(function_name("app::f::__logger_function"), "app::f");
        assert_eq!(
            function_name("app::f::{{closure}}::{{closure}}::__logger_function"),
            "app::f"
        );
        assert_eq!(
            function_name("<app::X as app::T>::t::__logger_function"),
            "<app::X as app::T>::t"
        );
        assert_eq!(function_name("other"), "other");
    }

    #[test]
    fn sampling_takes_the_first_of_every_n() {
        thread_local! {
            static C: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let got: Vec<bool> = (0..7).map(|_| sample(&C, 3)).collect();
        assert_eq!(got, [true, false, false, true, false, false, true]);
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrows select the impl
    fn outcomes_by_autoref() {
        use outcome::{NotResult as _, ResultDisplay as _, ResultOther as _, Ret};
        struct NoDisplay;
        let ok: Result<u8, String> = Ok(1);
        let err: Result<u8, String> = Err("bad".into());
        let opaque: Result<u8, NoDisplay> = Err(NoDisplay);
        let plain = 5u32;
        assert!(matches!((&&&Ret(&ok)).__logger_outcome(), Outcome::Ok));
        match (&&&Ret(&err)).__logger_outcome() {
            Outcome::Err(Some(e)) => assert_eq!(e.to_string(), "bad"),
            _ => panic!("expected an error with a message"),
        }
        assert!(matches!(
            (&&&Ret(&opaque)).__logger_outcome(),
            Outcome::Err(None)
        ));
        assert!(matches!((&&&Ret(&plain)).__logger_outcome(), Outcome::Ok));
    }

    #[test]
    fn captured_strings_are_copied() {
        let mut s = String::from("before");
        let c = Captured::capture(true, &s);
        s.clear();
        assert_eq!(c.value(), LogValue::Str("before"));
        assert!(matches!(Captured::capture(false, &s).0, CapturedValue::Off));
        assert_eq!(Captured::capture(true, &3u8).value(), LogValue::U64(3));
    }

    #[test]
    fn thread_cpu_time_advances() {
        let a = thread_cpu_ns();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_add(std::hint::black_box(i));
        }
        std::hint::black_box(x);
        assert!(thread_cpu_ns() > a);
    }
}
