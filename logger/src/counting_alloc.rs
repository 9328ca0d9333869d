//! [`CountingAlloc`]: a global allocator wrapper that counts, per thread,
//! the bytes and the allocations made, for `#[log_performance(mem)]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    // `const` and without a destructor: usable from inside the allocator,
    // even while the thread's other thread-locals are being torn down.
    static ALLOCATED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Set by the first allocation through a [`CountingAlloc`].
static IN_USE: AtomicBool = AtomicBool::new(false);

/// A global allocator that counts, for each thread, the bytes it
/// allocates and its number of allocations, then hands the call to `A`
/// (the system allocator by default). `#[log_performance(mem)]` records
/// the difference over a call: `alloc_bytes` and `allocs`.
///
/// Cost: each `alloc`, `alloc_zeroed` and `realloc` adds one thread-local
/// read-modify-write (a few instructions; `dealloc` adds nothing) on top
/// of `A`. Frees are not subtracted: the counters say what a call
/// allocated, not what it kept. A `realloc` counts its new size.
///
/// # Examples
///
/// ```
/// #[global_allocator]
/// static ALLOC: logger::CountingAlloc = logger::CountingAlloc::system();
///
/// #[logger::log_performance(mem)]
/// fn build_book(levels: usize) -> Vec<u64> {
///     vec![0; levels]
/// }
/// # fn main() {
/// let before = logger::CountingAlloc::thread_totals();
/// let book = build_book(1000);
/// let after = logger::CountingAlloc::thread_totals();
/// assert!(after.0 - before.0 >= 8000);
/// # drop(book);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct CountingAlloc<A = System> {
    inner: A,
}

impl CountingAlloc<System> {
    /// Counts on top of the system allocator.
    pub const fn system() -> Self {
        CountingAlloc { inner: System }
    }

    /// `(bytes, allocations)` made by the calling thread so far, or
    /// `(0, 0)` when no `CountingAlloc` is the global allocator.
    pub fn thread_totals() -> (u64, u64) {
        ALLOCATED.try_with(Cell::get).unwrap_or((0, 0))
    }

    /// Whether a `CountingAlloc` has allocated in this process (so is the
    /// global allocator).
    pub fn in_use() -> bool {
        IN_USE.load(Ordering::Relaxed)
    }
}

impl<A> CountingAlloc<A> {
    /// Counts on top of `inner`.
    pub const fn new(inner: A) -> Self {
        CountingAlloc { inner }
    }
}

#[inline(always)]
fn count(bytes: usize) {
    let _ = ALLOCATED.try_with(|c| {
        let (b, n) = c.get();
        c.set((b.wrapping_add(bytes as u64), n.wrapping_add(1)));
    });
    if !IN_USE.load(Ordering::Relaxed) {
        IN_USE.store(true, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `inner`, a `GlobalAlloc`;
// the counting touches only a const thread-local `Cell` and an atomic,
// neither of which allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { self.inner.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        unsafe { self.inner.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}
