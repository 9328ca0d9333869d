//! Process-level events: the opt-in crash/termination signal handler, and
//! what a forked child does with the logger.
//!
//! # The signal handler (`Builder::signal_handler(true)`)
//!
//! For SIGTERM, SIGINT, SIGSEGV, SIGBUS and SIGABRT, the handler asks the
//! flusher to write every record already published in the rings (and one
//! record naming the signal), waits for it (bounded by `flush_timeout`),
//! then lets the signal do what it would have done:
//!
//! - SIGTERM / SIGINT: if the application had installed a handler before
//!   the logger, that handler is called (and decides); otherwise the
//!   default disposition is restored and the signal raised again, so the
//!   process dies of it as it would have.
//! - SIGSEGV / SIGBUS raised by a fault (`si_code > 0`) with a previous
//!   handler (Rust's stack-overflow reporter): that handler is reinstalled
//!   and the faulting instruction runs again, so it reports as before.
//!   Otherwise, and for SIGABRT: default disposition, then raise again.
//! - A signal whose disposition was `SIG_IGN` when the logger was
//!   installed keeps being ignored (no handler is installed for it).
//!
//! What is async-signal-safe: the handler takes no lock, allocates
//! nothing, formats nothing and never touches a ring. It performs atomic
//! loads and stores, `gettid`, `clock_gettime`, `nanosleep`, `sigaction`
//! and `raise`, all async-signal-safe. The flusher *thread* does the
//! real work (decode, format, write into the file), which is ordinary
//! code on a thread the signal did not interrupt. What is not guaranteed:
//!
//! - the record the interrupted thread was writing at that instant (not
//!   published yet) is lost;
//! - if the interrupted thread holds a lock the flusher needs (a thread
//!   registering its first ring), the flush cannot complete and the wait
//!   ends at `flush_timeout`;
//! - a fault on the flusher thread itself cannot be flushed (the handler
//!   sees it and does not wait).
//!
//! SIGTERM and SIGINT are blocked on the flusher thread, so a signal sent
//! to the process is handled by a thread that can wait for the flusher.
//!
//! # Fork
//!
//! The flusher and housekeeping threads do not exist in a forked child. A
//! `pthread_atfork` child handler therefore stops the logger there: in the
//! child, records are dropped and counted (`metrics().records_dropped`),
//! `flush()` returns at once, and nothing is written to the parent's
//! files. A forked child that wants logs installs nothing (it cannot: one
//! logger per process) and should `exec` or `_exit`; dropping a
//! `LoggerGuard` inherited from the parent waits `flush_timeout` for a
//! flusher thread that is not there.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use libc::c_int;

use crate::backend::barrier;
use crate::lifecycle;

/// The signals the handler takes.
pub(crate) const SIGNALS: [c_int; 5] = [
    libc::SIGTERM,
    libc::SIGINT,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGABRT,
];

/// Previous `sa_sigaction` of each signal in [`SIGNALS`].
static PREV_ACTION: [AtomicUsize; 5] = [const { AtomicUsize::new(libc::SIG_DFL) }; 5];
/// Previous `sa_flags` of each signal in [`SIGNALS`].
static PREV_FLAGS: [AtomicI32; 5] = [const { AtomicI32::new(0) }; 5];
/// Whether our handler is installed for each signal in [`SIGNALS`].
static INSTALLED: [AtomicBool; 5] = [const { AtomicBool::new(false) }; 5];

/// A signal whose flush the flusher should record (0: none).
static PENDING_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The flusher thread's OS thread id (0: not running).
static FLUSHER_TID: AtomicI32 = AtomicI32::new(0);

/// An `SA_SIGINFO` handler.
type SigInfoHandler = extern "C" fn(c_int, *mut libc::siginfo_t, *mut libc::c_void);

/// Pause between two looks at the flush barrier from the handler.
const POLL_NS: libc::c_long = 50_000;

fn index_of(sig: c_int) -> Option<usize> {
    SIGNALS.iter().position(|&s| s == sig)
}

/// The name of a signal the handler takes.
pub(crate) fn name(sig: c_int) -> &'static str {
    match sig {
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGABRT => "SIGABRT",
        _ => "signal",
    }
}

/// Called by the flusher thread when it starts: the handler must not wait
/// for the flusher on the flusher's own thread.
/// The flusher thread's OS thread id, as it recorded it (0 before).
pub(crate) fn flusher_tid() -> u64 {
    u64::try_from(FLUSHER_TID.load(Ordering::Relaxed)).unwrap_or(0)
}

pub(crate) fn set_flusher_thread() {
    // SAFETY: gettid has no preconditions and cannot fail.
    FLUSHER_TID.store(unsafe { libc::gettid() }, Ordering::Relaxed);
}

/// The signal to record, if the handler asked for a flush since the last
/// call (flusher side).
pub(crate) fn take_pending() -> Option<c_int> {
    match PENDING_SIGNAL.swap(0, Ordering::Acquire) {
        0 => None,
        sig => Some(sig),
    }
}

/// Blocks SIGTERM and SIGINT on the calling thread; returns the previous
/// mask, to restore with [`restore_mask`]. Threads inherit the mask of the
/// thread that creates them: the flusher is spawned inside this window.
pub(crate) fn block_termination() -> libc::sigset_t {
    // SAFETY: both sets are plain data initialised by sigemptyset /
    // written by pthread_sigmask; the pointers are valid for the call.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        old
    }
}

/// Restores a mask returned by [`block_termination`].
pub(crate) fn restore_mask(old: &libc::sigset_t) {
    // SAFETY: `old` is a valid set; a null old-set pointer is allowed.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, old, std::ptr::null_mut());
    }
}

/// Installs the handler for every signal in [`SIGNALS`] that is not
/// ignored, remembering the previous disposition.
pub(crate) fn install() -> std::io::Result<()> {
    for (i, &sig) in SIGNALS.iter().enumerate() {
        if INSTALLED[i].load(Ordering::Relaxed) {
            continue;
        }
        // SAFETY: `old` and `new` are plain data, zero-initialised and
        // then filled in; sigaction reads `new` and writes `old`.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if old.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            PREV_ACTION[i].store(old.sa_sigaction, Ordering::Relaxed);
            PREV_FLAGS[i].store(old.sa_flags, Ordering::Relaxed);
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = handler as SigInfoHandler as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_RESTART;
            libc::sigemptyset(&mut new.sa_mask);
            if libc::sigaction(sig, &new, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        INSTALLED[i].store(true, Ordering::Release);
    }
    Ok(())
}

/// Registers the fork rule (once per process): the logger is stopped in a
/// forked child.
pub(crate) fn stop_in_forked_children() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` with no captured
        // state; it only stores to an atomic.
        unsafe {
            libc::pthread_atfork(None, None, Some(in_forked_child));
        }
    });
}

/// Runs in the child right after `fork`: only the forking thread exists
/// there, so there is no flusher to hand records to.
extern "C" fn in_forked_child() {
    if lifecycle::state() == lifecycle::RUNNING {
        lifecycle::set_state(lifecycle::STOPPED);
    }
    FLUSHER_TID.store(0, Ordering::Relaxed);
}

/// Monotonic time in ns (async-signal-safe).
fn monotonic_ns() -> u64 {
    // SAFETY: `ts` is plain data written by clock_gettime.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
}

/// Asks the flusher to write everything published and waits for it, for
/// at most the flush timeout. Async-signal-safe (see the module docs).
fn flush_from_signal(sig: c_int) {
    if lifecycle::state() != lifecycle::RUNNING {
        return;
    }
    // SAFETY: gettid has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    if tid == FLUSHER_TID.load(Ordering::Relaxed) {
        return;
    }
    PENDING_SIGNAL.store(sig, Ordering::Release);
    let ticket = barrier::request();
    let deadline = monotonic_ns().saturating_add(lifecycle::flush_timeout().as_nanos() as u64);
    while barrier::completed() < ticket
        && lifecycle::state() == lifecycle::RUNNING
        && monotonic_ns() < deadline
    {
        let pause = libc::timespec {
            tv_sec: 0,
            tv_nsec: POLL_NS,
        };
        // SAFETY: `pause` is a valid timespec; the remainder may be null.
        unsafe { libc::nanosleep(&pause, std::ptr::null_mut()) };
    }
}

/// Restores the default disposition of `sig` and raises it again; the
/// signal is blocked while its handler runs, so it is delivered, with the
/// default action, as soon as the handler returns.
fn reraise_default(sig: c_int) {
    // SAFETY: signal() and raise() are async-signal-safe and take no
    // pointers.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

/// The handler: flush, then hand the signal on (see the module docs).
extern "C" fn handler(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: errno is thread-local; saved and restored around our calls
    // so the interrupted code (or a chained handler) sees its own value.
    let errno = unsafe { *libc::__errno_location() };
    flush_from_signal(sig);
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };

    let Some(i) = index_of(sig) else {
        return reraise_default(sig);
    };
    let prev = PREV_ACTION[i].load(Ordering::Relaxed);
    let flags = PREV_FLAGS[i].load(Ordering::Relaxed);
    let prev_is_handler = prev != libc::SIG_DFL && prev != libc::SIG_IGN;
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let from_fault = !info.is_null() && unsafe { (*info).si_code } > 0;
    match sig {
        libc::SIGTERM | libc::SIGINT if prev_is_handler => {
            // SAFETY: `prev` was installed as a handler of this signal,
            // with this calling convention as its flags say.
            unsafe {
                if flags & libc::SA_SIGINFO != 0 {
                    let f: SigInfoHandler = std::mem::transmute(prev);
                    f(sig, info, ctx);
                } else {
                    let f: extern "C" fn(c_int) = std::mem::transmute(prev);
                    f(sig);
                }
            }
        }
        libc::SIGSEGV | libc::SIGBUS if prev_is_handler && from_fault => {
            // The faulting instruction runs again on return and faults
            // into the previous handler, which reports as it always did.
            // SAFETY: plain data; sigaction is async-signal-safe.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                old.sa_sigaction = prev;
                old.sa_flags = flags;
                libc::sigemptyset(&mut old.sa_mask);
                libc::sigaction(sig, &old, std::ptr::null_mut());
            }
            INSTALLED[i].store(false, Ordering::Relaxed);
        }
        _ => {
            INSTALLED[i].store(false, Ordering::Relaxed);
            reraise_default(sig);
        }
    }
}
