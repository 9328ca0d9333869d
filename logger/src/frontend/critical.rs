//! `logger::critical!`: a `CRITICAL` record from `log`-style code.
//!
//! `log` has five levels, so a `CRITICAL` record travels through `log` as
//! an `ERROR` record, marked: the macro stores its call site (line and
//! file) in a thread-local cell, calls `log::error!` with the caller's
//! tokens unchanged (same grammar: `target:`, key-values, format args),
//! and restores the cell when that call returns. The `log` adapter looks
//! at the cell only for `ERROR` records, and takes a record as `CRITICAL`
//! when its line and file are the marked call site's. A record logged by
//! code that runs inside the call (a key-value's expression, a `Display`
//! impl) comes from another call site and keeps its own level.
//!
//! Another `log` backend sees an `ERROR` record.

use std::cell::Cell;

/// The marked call site: (line, file).
type Site = Option<(u32, &'static str)>;

thread_local! {
    static SITE: Cell<Site> = const { Cell::new(None) };
}

/// The mark of one `critical!` call, cleared (to the enclosing call's mark)
/// on drop. Made by the macro; not meant to be used directly.
#[doc(hidden)]
#[must_use]
pub struct CriticalMark {
    previous: Site,
}

impl CriticalMark {
    /// Marks the call site at `line` of `file` on this thread.
    #[inline]
    pub fn set(line: u32, file: &'static str) -> CriticalMark {
        let previous = SITE
            .try_with(|c| c.replace(Some((line, file))))
            .unwrap_or(None);
        CriticalMark { previous }
    }
}

impl Drop for CriticalMark {
    #[inline]
    fn drop(&mut self) {
        let _ = SITE.try_with(|c| c.set(self.previous));
    }
}

/// Whether an `ERROR` record is the one a `critical!` call on this thread is
/// logging now (`None` for line and file: any marked call).
#[inline]
pub(crate) fn is_marked(line: Option<u32>, file: Option<&str>) -> bool {
    match SITE.try_with(Cell::get) {
        Ok(Some((l, f))) => line.is_none_or(|line| line == l) && file.is_none_or(|file| file == f),
        _ => false,
    }
}

/// Logs a `CRITICAL` record through the `log` facade: the grammar of
/// `log::error!`, and the record's level is `CRITICAL` (written as
/// `"level":"CRITICAL"`, routed like `ERROR`: the errors file, the
/// console; never capped by `max_records_per_second`).
///
/// `log` has no such level: the record travels as an `ERROR` record,
/// which the logger recognises as this call's. `log::max_level()` must let
/// `ERROR` records through (it does whenever a filter takes `CRITICAL`);
/// another `log` backend records an `ERROR`.
///
/// Being a `log` macro, it formats its message on the calling thread,
/// where [`error!`](crate::error!) records raw values and formats them
/// on the flusher.
///
/// # Examples
///
/// ```no_run
/// let _guard = logger::builder().install().unwrap();
/// let venue = "XNAS";
/// logger::critical!(venue, halted = true; "trading halted on {venue}");
/// logger::critical!(target: "risk", "kill switch engaged");
/// ```
///
/// writes
///
/// ```text
/// {"ts":"...","level":"CRITICAL","kind":"log","target":"app","msg":"trading halted on XNAS",...,"fields":{"venue":"XNAS","halted":true}}
/// ```
#[macro_export]
macro_rules! critical {
    ($($arg:tt)+) => {{
        let __logger_critical =
            $crate::__private::CriticalMark::set(::core::line!(), ::core::file!());
        $crate::__private::log::error!($($arg)+);
        ::core::mem::drop(__logger_critical);
    }};
}
