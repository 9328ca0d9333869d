//! Records logged while the process exits: an `atexit` handler, registered
//! by `install()`, runs after the exiting thread's `thread_local!`
//! destructors (glibc runs those first in `exit`) and after every
//! `atexit` handler registered after `install()`.
//!
//! - Logger still running (`std::process::exit`, or `main` returning
//!   with the guard leaked or in a `static`): it waits, like
//!   [`crate::flush`] and bounded by the flush timeout, until every record
//!   logged so far (those destructors' included) is in its file.
//! - Logger stopped (the guard was dropped, e.g. at the end of `main`):
//!   records logged since were dropped and counted in
//!   `Metrics::records_dropped`; the handler says how many on stderr,
//!   since no file is open any more.
//!
//! Not covered: `atexit` handlers registered before `install()` (they run
//! after this one), `_exit`, and death by a signal.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::Ordering::Relaxed;

use crate::lifecycle;
use crate::metrics::COUNTERS;

/// Registers the handler once per process.
pub(crate) fn flush_at_exit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` that captures no
        // state; a failure (no room left) only loses this handler.
        unsafe {
            libc::atexit(at_exit);
        }
    });
}

extern "C" fn at_exit() {
    match lifecycle::state() {
        lifecycle::RUNNING => {
            if let Err(e) = crate::flush() {
                let _ = writeln!(std::io::stderr(), "logger: at process exit: {e}");
            }
        }
        lifecycle::STOPPED => {
            let dropped = COUNTERS.dropped_while_stopped.load(Relaxed);
            if dropped > 0 {
                let _ = writeln!(
                    std::io::stderr(),
                    "logger: {dropped} records were logged after the logger stopped (its guard \
                     was dropped) and were dropped, not written"
                );
            }
        }
        _ => {}
    }
}
