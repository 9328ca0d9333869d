//! The panic hook: records the panic, flushes, then runs the previous hook.

use std::panic::PanicHookInfo;

use crate::backend::flusher::THREAD_NAME;

/// Chains our hook in front of the current one.
pub(crate) fn install() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        record(info);
        if std::thread::current().name() != Some(THREAD_NAME) {
            // Bounded by the flush timeout; never waits on itself.
            let _ = crate::flush();
        }
        previous(info);
    }));
}

/// Writes one error record (target `panic`) with the message, location,
/// thread and, when `RUST_BACKTRACE` asks for it or the logger was built
/// with `error_backtrace(true)`, the backtrace as a JSON array of frames.
fn record(info: &PanicHookInfo<'_>) {
    let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
        s
    } else if let Some(s) = info.payload().downcast_ref::<String>() {
        s.as_str()
    } else {
        "Box<dyn Any>"
    };
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("<unnamed>");
    let (file, line) = info
        .location()
        .map_or(("<unknown>", 0), |l| (l.file(), l.line()));
    if let Some(backtrace) = crate::error_chain::capture_backtrace() {
        let frames = crate::error_chain::Frames(backtrace);
        log::error!(target: "panic", panic_file = file, panic_line = line, backtrace:err = frames;
            "thread '{thread}' panicked at {file}:{line}: {message}");
    } else {
        log::error!(target: "panic", panic_file = file, panic_line = line;
            "thread '{thread}' panicked at {file}:{line}: {message}");
    }
}
