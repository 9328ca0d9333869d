//! A macro call site's message template, split once per plan into its
//! literal parts already escaped for JSON, so that the flusher's fast
//! lane writes a record's message as a JSON string straight from the
//! template's parts and the record's values: no rendered message in
//! between, no scan of the template per record.
//!
//! The bytes are those of rendering the template
//! (`callsite::render_message`) and writing the result as a JSON string
//! (`json::write_bytes`): escaping is character by character, and every
//! part is valid UTF-8 on its own (the template is a `&str`; a value is
//! written here only when it is plain ASCII), so escaping the parts one
//! by one gives the bytes of escaping their concatenation. A value that
//! is not plain ASCII (a string with a quote, a control character or a
//! non-ASCII byte; a `char` alike; a JSON value) makes
//! [`PlannedMessage::write`] refuse, and the caller takes the general way.

use super::json;
use crate::callsite::Piece;
use crate::view::Value;
use crate::wire::Decoder;

/// A template of `{}` placeholders (the macros' form: `{name}` is
/// recorded as `{}`, `{{` and `}}` as they are) split into its parts.
pub(crate) struct PlannedMessage {
    /// The literal parts, escaped for JSON: the first with the opening
    /// quote, the last with the closing one; a placeholder between each
    /// two.
    parts: Box<[Box<[u8]>]>,
    /// The arguments the record holds, of which the first
    /// `parts.len() - 1` fill the placeholders.
    args: usize,
}

impl PlannedMessage {
    /// Splits `template`, whose records hold `args` arguments, as
    /// `callsite::render_message` reads it (`callsite::split_template`).
    pub(crate) fn new(template: &str, args: usize, scratch: &mut String) -> PlannedMessage {
        let mut literals = vec![Vec::new()];
        crate::callsite::split_template(template, args, |piece| {
            match piece {
                Piece::Literal(text) => literals.last_mut()?.extend_from_slice(text),
                Piece::Argument => literals.push(Vec::new()),
            }
            Some(())
        });
        let n = literals.len();
        let parts = literals
            .iter()
            .enumerate()
            .map(|(k, literal)| {
                let mut quoted = Vec::new();
                json::write_bytes(scratch, &mut quoted, literal);
                // `quoted` is `"..."`: keep the opening quote on the first
                // part, the closing one on the last.
                let from = usize::from(k > 0);
                let to = quoted.len() - usize::from(k + 1 < n);
                quoted[from..to].into()
            })
            .collect();
        PlannedMessage { parts, args }
    }

    /// Appends the message of a record whose arguments `d` is at, as a
    /// JSON string, and reads past every argument. `None` when a value is
    /// malformed or is not plain ASCII (see the module documentation):
    /// `out` may then hold part of the message, `d` is anywhere.
    #[inline]
    pub(crate) fn write(&self, d: &mut Decoder<'_>, out: &mut Vec<u8>) -> Option<()> {
        let (last, filled) = self.parts.split_last()?;
        for part in filled {
            crate::short_copy::extend_short(out, part);
            match d.value()? {
                Value::Str(s) if plain(s) => crate::short_copy::extend_short(out, s),
                Value::Char(c) if c.is_ascii() && plain(&[c as u8]) => out.push(c as u8),
                Value::Str(_) | Value::Char(_) | Value::Json(_) => return None,
                // Numbers, `bool` and `null` are written in ASCII that
                // needs no escape.
                other => super::write_value_plain(out, other),
            }
        }
        crate::short_copy::extend_short(out, last);
        for _ in filled.len()..self.args {
            d.value()?;
        }
        Some(())
    }
}

/// Whether `s` is ASCII that JSON takes between quotes as it is.
#[inline(always)]
fn plain(s: &[u8]) -> bool {
    if s.len() <= 16 {
        json::is_plain(s)
    } else {
        json::scan(s) == (false, false)
    }
}

#[cfg(test)]
mod tests {
    use super::PlannedMessage;
    use crate::view::Value;
    use crate::wire::{self, Decoder};

    /// The message by plan, and by rendering then escaping (the general
    /// way), for `template` with `n` arguments `values`.
    fn both(template: &str, n: usize, values: &[Value<'_>]) -> (Option<Vec<u8>>, Vec<u8>) {
        let mut buf = Vec::new();
        for &v in values {
            wire::put_value(&mut buf, v);
        }
        let mut scratch = String::new();
        let plan = PlannedMessage::new(template, n, &mut scratch);
        let mut d = Decoder { rest: &buf };
        let mut planned = b"<".to_vec();
        let planned = plan.write(&mut d, &mut planned).map(|()| {
            assert!(d.rest.is_empty(), "{template}: arguments left unread");
            planned[1..].to_vec()
        });
        let mut raw = Vec::new();
        crate::callsite::render_message(template, n, &mut Decoder { rest: &buf }, &mut raw)
            .unwrap();
        let mut general = Vec::new();
        super::json::write_bytes(&mut scratch, &mut general, &raw);
        (planned, general)
    }

    #[test]
    fn plain_values_give_the_general_ways_bytes() {
        let long = "a plain string longer than sixteen bytes";
        let cases: &[(&str, &[Value<'_>])] = &[
            (
                "order {} {} at {}",
                &[Value::U64(7), Value::Str(b"AAPL"), Value::F64(187.5)],
            ),
            ("{}", &[Value::I64(-3)]),
            ("{}{}", &[Value::Str(b""), Value::Bool(true)]),
            ("no placeholders", &[]),
            ("{{literal}} {} }} {{", &[Value::Null]),
            (
                "more {} than {} args {}",
                &[Value::U64(1), Value::F64(f64::NAN)],
            ),
            ("fewer {}", &[Value::U64(1), Value::U64(2), Value::U64(3)]),
            ("a \"quoted\" \\ template\t{}é", &[Value::Char('x')]),
            ("stray { and } {", &[]),
            ("{}", &[Value::Str(long.as_bytes())]),
            ("big {} {}", &[Value::U128(u128::MAX), Value::F64(1e21)]),
        ];
        for &(template, values) in cases {
            let (planned, general) = both(template, values.len(), values);
            assert_eq!(planned.as_deref(), Some(&general[..]), "{template}");
        }
    }

    #[test]
    fn values_needing_escapes_are_refused() {
        for v in [
            Value::Str(b"say \"hi\""),
            Value::Str("caf\u{e9}".as_bytes()),
            Value::Str(b"tab\there and a longer tail"),
            Value::Char('\u{e9}'),
            Value::Char('"'),
            Value::Json(b"{\"a\":1}"),
        ] {
            assert_eq!(both("v={}", 1, &[v]).0, None, "{v:?}");
        }
    }

    #[test]
    fn malformed_arguments_are_refused() {
        let mut scratch = String::new();
        let plan = PlannedMessage::new("{} {}", 2, &mut scratch);
        let mut buf = Vec::new();
        wire::put_value(&mut buf, Value::U64(1));
        buf.push(0xFF);
        assert!(
            plan.write(&mut Decoder { rest: &buf }, &mut Vec::new())
                .is_none()
        );
        assert!(
            plan.write(&mut Decoder { rest: &buf[..3] }, &mut Vec::new())
                .is_none()
        );
    }
}
