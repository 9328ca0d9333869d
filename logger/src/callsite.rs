//! Static call-site descriptors: what the macros know at compile time.
//!
//! A `trade!`, `perf!` or `#[log_performance]` call site expands to a
//! `static Callsite`; its records carry only the descriptor's address and
//! the raw argument values. The flusher reads names, target, location and
//! the message template from the descriptor.

use crate::view::Kind;
use crate::wire::Decoder;

/// What a macro call site knows at compile time. Built by the macros; not
/// meant to be written by hand.
#[doc(hidden)]
#[derive(Debug)]
pub struct Callsite {
    /// Record kind.
    pub kind: Kind,
    /// Record level.
    pub level: crate::Level,
    /// `log` target (the module path unless given).
    pub target: &'static str,
    /// Module path.
    pub module: &'static str,
    /// Source file.
    pub file: &'static str,
    /// Source line.
    pub line: u32,
    /// Message template: each `{}` takes the next message argument;
    /// `{{` and `}}` are literal braces.
    pub message: &'static str,
    /// Number of message arguments, encoded after the fields.
    pub message_args: usize,
    /// Field names, in the order their values are encoded.
    pub fields: &'static [&'static str],
    /// The enclosing function's path, computed on the flusher.
    pub function: Option<fn() -> &'static str>,
}

/// Renders `template` with the next `n` values of `d` into `out`.
/// Returns `None` when the values are malformed.
pub(crate) fn render_message(
    template: &str,
    n: usize,
    d: &mut Decoder<'_>,
    out: &mut Vec<u8>,
) -> Option<()> {
    let mut used = 0;
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(tail.as_bytes()[0]);
            rest = &tail[2..];
        } else if tail.starts_with("{}") && used < n {
            crate::format::write_value_plain(out, d.value()?);
            used += 1;
            rest = &tail[2..];
        } else {
            out.push(tail.as_bytes()[0]);
            rest = &tail[1..];
        }
    }
    out.extend_from_slice(rest.as_bytes());
    // Skip arguments the template did not use, to stay aligned.
    for _ in used..n {
        d.value()?;
    }
    Some(())
}
