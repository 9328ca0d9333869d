//! Errors logged as values: their `Display`, their `source()` chain and,
//! when asked, a backtrace, rendered as one JSON object on the caller's
//! thread (errors are the cold path; the flusher writes the object as it
//! is).
//!
//! The object: `{"message": "...", "sources": ["...", ...]}`, plus
//! `"backtrace": ["0: frame at file:line", ...]` when a backtrace was
//! captured (see [`crate::Builder::error_backtrace`]).

use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::OnceCell;
use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::loggable::{Json, LogValue, Loggable, ScratchString};

/// Set at install from `Builder::error_backtrace`: capture a backtrace for
/// every error value, whatever `RUST_BACKTRACE` says.
static FORCE_BACKTRACE: AtomicBool = AtomicBool::new(false);

/// Most sources written for one error (a cycle in a hand-written
/// `source()` would otherwise never end).
const MAX_SOURCES: usize = 64;

pub(crate) fn set_force_backtrace(on: bool) {
    FORCE_BACKTRACE.store(on, Ordering::Relaxed);
}

/// A backtrace of the calling thread: always when the logger was built
/// with `error_backtrace(true)`, else when `RUST_LIB_BACKTRACE` or
/// `RUST_BACKTRACE` asks for one (`Backtrace::capture`'s rule).
pub(crate) fn capture_backtrace() -> Option<Backtrace> {
    let bt = if FORCE_BACKTRACE.load(Ordering::Relaxed) {
        Backtrace::force_capture()
    } else {
        Backtrace::capture()
    };
    (bt.status() == BacktraceStatus::Captured).then_some(bt)
}

/// Appends `s` as a JSON string (quoted, escaped by `serde_json`).
fn put_json_str(out: &mut String, s: &str) {
    // Serializing a `&str` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Symbol prefixes of the frames above the application's own code: the
/// logger capturing, `log` and `value_bag` visiting, the standard library
/// panicking or calling through a closure.
const MACHINERY: [&str; 16] = [
    "logger::",
    "<logger::",
    "log::",
    "<log::",
    "value_bag::",
    "<value_bag::",
    "core::",
    "<core::",
    "std::",
    "<std::",
    "alloc::",
    "<alloc::",
    "__rustc::",
    "<&",
    "<(",
    "<[",
];

/// The frames of `bt`'s `Display`, each with its `at file:line` joined.
fn frames(bt: &Backtrace) -> Vec<String> {
    let mut frames: Vec<String> = Vec::new();
    for line in bt
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match frames.last_mut() {
            Some(frame) if line.starts_with("at ") => {
                frame.push(' ');
                frame.push_str(line);
            }
            _ => frames.push(line.to_owned()),
        }
    }
    frames
}

/// Appends `["frame", ...]`: one string per frame of `bt`, from the first
/// frame of the application's own code (the frames of the logger, `log`
/// and the standard library above it are left out; the numbers are kept,
/// so a reader sees how many were), or all of them when every frame is
/// such machinery.
pub(crate) fn put_backtrace(out: &mut String, bt: &Backtrace) {
    let frames = frames(bt);
    let is_machinery = |f: &String| {
        let symbol = f.split_once(": ").map_or(f.as_str(), |(_, s)| s);
        MACHINERY.iter().any(|p| symbol.starts_with(p))
    };
    let first = frames.iter().position(|f| !is_machinery(f)).unwrap_or(0);
    out.push('[');
    for (i, frame) in frames[first..].iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        put_json_str(out, frame);
    }
    out.push(']');
}

/// Renders `error` as the JSON object described in the module doc, with
/// `backtrace` when one was captured.
pub(crate) fn render(out: &mut String, error: &dyn Error, backtrace: Option<&Backtrace>) {
    out.push_str("{\"message\":");
    put_json_str(out, &error.to_string());
    out.push_str(",\"sources\":[");
    let mut source = error.source();
    let mut n = 0;
    while let Some(e) = source {
        if n == MAX_SOURCES {
            break;
        }
        if n > 0 {
            out.push(',');
        }
        put_json_str(out, &e.to_string());
        source = e.source();
        n += 1;
    }
    out.push(']');
    if let Some(bt) = backtrace {
        out.push_str(",\"backtrace\":");
        put_backtrace(out, bt);
    }
    out.push('}');
}

/// Renders `error` (and a backtrace per [`capture_backtrace`]) into a
/// pooled buffer.
pub(crate) fn render_pooled(error: &dyn Error) -> ScratchString {
    let backtrace = capture_backtrace();
    let mut s = ScratchString::new();
    render(s.as_mut_string(), error, backtrace.as_ref());
    s
}

/// Records an error with its `source()` chain (and a backtrace when
/// asked): the value of a `trade!`/`perf!` field or of a
/// `#[log_performance(args(..))]` argument.
///
/// The field is written as a JSON object:
/// `{"message": "<Display>", "sources": ["<each source()'s Display>", ...]}`,
/// plus `"backtrace": ["0: frame at file:line", ...]` when
/// [`crate::Builder::error_backtrace`] is on or `RUST_BACKTRACE` /
/// `RUST_LIB_BACKTRACE` asks for backtraces. Like [`crate::display`], it
/// runs on the caller's thread (the `Display` of every error in the chain,
/// and, when one is captured, the backtrace's symbol resolution, which
/// reads the binary's debug information: far slower than a record),
/// once, when the record is taken; errors are the cold path.
///
/// A `Box<dyn Error>` is passed as `&*boxed`. With the `log` macros, the
/// `err:err` capture (`log::error!(err:err = e; "...")`) gives the same
/// object.
///
/// # Examples
///
/// ```
/// use logger::{LogValue, Loggable};
///
/// let io = std::io::Error::other("connection reset");
/// let chain = logger::error_chain(&io);
/// let LogValue::Json(json) = chain.log_value() else { unreachable!() };
/// // (then `,"backtrace":[..]` when RUST_BACKTRACE is set)
/// assert!(json.as_str().starts_with(r#"{"message":"connection reset","sources":[]"#));
/// # fn docs(e: &std::io::Error) {
/// logger::trade!(symbol = "AAPL", side = "buy", qty = 1, price = 1.0, err = logger::error_chain(e));
/// # }
/// ```
pub fn error_chain<'a, E: AsDynError + ?Sized>(error: &'a E) -> ErrorChain<'a> {
    ErrorChain {
        error: error.as_dyn_error(),
        json: OnceCell::new(),
    }
}

/// An error recorded with its source chain: see [`error_chain`].
pub struct ErrorChain<'a> {
    error: &'a (dyn Error + 'a),
    json: OnceCell<ScratchString>,
}

impl Loggable for ErrorChain<'_> {
    fn log_value(&self) -> LogValue<'_> {
        LogValue::Json(Json::new(
            self.json.get_or_init(|| render_pooled(self.error)),
        ))
    }
}

impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ErrorChain").field(&self.error).finish()
    }
}

/// A type [`error_chain`] accepts: every `Error` type, and `dyn Error`
/// (with or without `Send + Sync`).
pub trait AsDynError {
    /// `self` as a trait object.
    fn as_dyn_error(&self) -> &(dyn Error + '_);
}

impl<E: Error> AsDynError for E {
    fn as_dyn_error(&self) -> &(dyn Error + '_) {
        self
    }
}

impl AsDynError for dyn Error + '_ {
    fn as_dyn_error(&self) -> &(dyn Error + '_) {
        self
    }
}

impl AsDynError for dyn Error + Send + Sync + '_ {
    fn as_dyn_error(&self) -> &(dyn Error + '_) {
        self
    }
}

/// A captured backtrace logged as an error value (`backtrace:err = ..`):
/// the `log` adapter writes it as the JSON array of its frames (the panic
/// record's `backtrace` field).
#[derive(Debug)]
pub(crate) struct Frames(pub Backtrace);

impl fmt::Display for Frames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for Frames {}

/// Renders an error captured by the `log` macros (`err:err = e`): a
/// [`Frames`] as its frame array, anything else as [`render`]'s object.
pub(crate) fn render_kv_error(out: &mut String, error: &(dyn Error + 'static)) {
    match error.downcast_ref::<Frames>() {
        Some(frames) => put_backtrace(out, &frames.0),
        None => render(out, error, capture_backtrace().as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn the_chain_is_an_array_of_displays_in_order() {
        let e = Layer(
            "order 42 rejected",
            Some(Box::new(Layer(
                "send failed",
                Some(Box::new(Layer("reset \"by\" peer\n", None))),
            ))),
        );
        let mut out = String::new();
        render(&mut out, &e, None);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["message"], "order 42 rejected");
        assert_eq!(
            v["sources"],
            serde_json::json!(["send failed", "reset \"by\" peer\n"])
        );
        assert!(v.get("backtrace").is_none());
    }

    #[test]
    fn a_cyclic_chain_stops() {
        struct Cycle;
        impl fmt::Debug for Cycle {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Cycle")
            }
        }
        impl fmt::Display for Cycle {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("again")
            }
        }
        impl Error for Cycle {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&Cycle)
            }
        }
        let mut out = String::new();
        render(&mut out, &Cycle, None);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["sources"].as_array().unwrap().len(), MAX_SOURCES);
    }

    #[test]
    fn a_forced_backtrace_is_an_array_of_frames() {
        let bt = Backtrace::force_capture();
        let mut out = String::new();
        render(&mut out, &Layer("x", None), Some(&bt));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let frames = v["backtrace"].as_array().unwrap();
        // This test's frames are the logger's own: the first kept one is
        // the harness's, its number says how many were left out.
        let first = frames[0].as_str().unwrap();
        let (number, symbol) = first.split_once(": ").unwrap();
        assert!(number.parse::<u32>().unwrap() > 0, "{out}");
        assert!(!symbol.starts_with("logger::"), "{out}");
    }

    #[test]
    fn boxed_and_dyn_errors_are_accepted() {
        let boxed: Box<dyn Error + Send + Sync> = "plain".into();
        let c = error_chain(&*boxed);
        let LogValue::Json(j) = c.log_value() else {
            panic!("not json")
        };
        assert!(j.as_str().starts_with(r#"{"message":"plain""#));
    }
}
