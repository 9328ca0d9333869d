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

/// The index of the first `{` or `}` of `t` at or after `i` (`t.len()`
/// when there is none): eight bytes at a time, then byte by byte.
#[inline(always)]
fn next_brace(t: &[u8], mut i: usize) -> usize {
    use crate::swar::bytes_equal;
    while let Some(word) = t.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let m = bytes_equal(w, b'{') | bytes_equal(w, b'}');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < t.len() && t[i] != b'{' && t[i] != b'}' {
        i += 1;
    }
    i
}

/// A piece of a message template, as [`split_template`] hands it out.
pub(crate) enum Piece<'t> {
    /// Literal text (`{{` and `}}` already one brace).
    Literal(&'t [u8]),
    /// A `{}` that takes the next argument.
    Argument,
}

/// Walks `template`, whose records hold `n` arguments, piece by piece:
/// `{{` and `}}` are one brace, each `{}` takes the next argument while
/// there is one, any other brace is itself. Returns the number of
/// arguments taken, or `None` as soon as `piece` does. The one reading of
/// the template: the flusher renders a record's message with it
/// ([`render_message`]) and the fast lane splits a template once per plan
/// with it (`format::PlannedMessage`).
///
/// The template is scanned for braces eight bytes at a time (they are
/// ASCII, so no UTF-8 decoding is needed).
#[inline(always)]
pub(crate) fn split_template<'t>(
    template: &'t str,
    n: usize,
    mut piece: impl FnMut(Piece<'t>) -> Option<()>,
) -> Option<usize> {
    let t = template.as_bytes();
    let mut used = 0;
    // `t[copied..i]` is literal text not yet handed out.
    let mut copied = 0;
    let mut i = 0;
    loop {
        i = next_brace(t, i);
        let Some(&b) = t.get(i) else {
            break;
        };
        piece(Piece::Literal(&t[copied..i]))?;
        let next = t.get(i + 1).copied();
        if next == Some(b) {
            // `{{` or `}}`: one brace.
            piece(Piece::Literal(&t[i..i + 1]))?;
            i += 2;
        } else if b == b'{' && next == Some(b'}') && used < n {
            piece(Piece::Argument)?;
            used += 1;
            i += 2;
        } else {
            piece(Piece::Literal(&t[i..i + 1]))?;
            i += 1;
        }
        copied = i;
    }
    piece(Piece::Literal(&t[copied..]))?;
    Some(used)
}

/// Renders `template` with the next `n` values of `d` into `out`
/// ([`split_template`]); the literal parts, mostly a few bytes between
/// placeholders, are copied without a `memcpy` call. Returns `None` when
/// the values are malformed.
pub(crate) fn render_message(
    template: &str,
    n: usize,
    d: &mut Decoder<'_>,
    out: &mut Vec<u8>,
) -> Option<()> {
    let used = split_template(template, n, |piece| {
        match piece {
            Piece::Literal(text) => crate::short_copy::extend_short(out, text),
            Piece::Argument => crate::format::write_value_plain(out, d.value()?),
        }
        Some(())
    })?;
    // Skip arguments the template did not use, to stay aligned.
    for _ in used..n {
        d.value()?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::render_message;
    use crate::view::Value;
    use crate::wire::{self, Decoder};

    /// `template` rendered with `n` arguments read from `values`, and
    /// whether every value was read.
    fn render(template: &str, n: usize, values: &[Value<'_>]) -> (String, bool) {
        let mut buf = Vec::new();
        for &v in values {
            wire::put_value(&mut buf, v);
        }
        let mut d = Decoder { rest: &buf };
        let mut out = b"<".to_vec();
        render_message(template, n, &mut d, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), d.rest.is_empty())
    }

    #[test]
    fn next_brace_finds_the_first_brace_at_every_offset() {
        for len in 0..40 {
            for at in 0..=len {
                let mut t = vec![b'y'; len];
                t.iter_mut().skip(at + 1).for_each(|b| *b = b'{');
                if at < len {
                    t[at] = if at % 2 == 0 { b'{' } else { b'}' };
                }
                for from in 0..=at {
                    assert_eq!(
                        super::next_brace(&t, from),
                        at,
                        "len {len} at {at} from {from}"
                    );
                }
            }
        }
        // Bytes one bit away from a brace are not braces.
        assert_eq!(super::next_brace(b"yz|~\x7f[]{", 0), 7);
    }

    #[test]
    fn placeholders_braces_and_text_of_every_length() {
        let v = [Value::U64(42), Value::Str(b"AAPL"), Value::F64(187.5)];
        assert_eq!(
            render("order {} {} at {}", 3, &v),
            ("<order 42 AAPL at 187.5".into(), true)
        );
        assert_eq!(
            render("{{{}}} }} {{ {}{}", 3, &v),
            ("<{42} } { AAPL187.5".into(), true)
        );
        // A `{}` past the arguments stays as text; arguments the template
        // does not use are skipped.
        assert_eq!(render("{} {} {} {}", 3, &v).0, "<42 AAPL 187.5 {}");
        assert_eq!(render("only {}", 3, &v), ("<only 42".into(), true));
        // Lone braces and multi-byte text around them, literal parts
        // shorter and longer than 16 bytes.
        let long = "\u{e9}t\u{e9} \u{20ac}".repeat(5);
        let t = format!("{long}{{}}\u{e9}{{ }} {{x}}{long}");
        assert_eq!(
            render(&t, 1, &v[..1]).0,
            format!("<{long}42\u{e9}{{ }} {{x}}{long}")
        );
        assert_eq!(render("", 0, &[]).0, "<");
        assert_eq!(render("plain text", 0, &[]).0, "<plain text");
    }
}
