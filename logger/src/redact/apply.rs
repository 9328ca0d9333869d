//! The flusher's side of redaction: a record's view with its sensitive
//! values replaced, handed to the formatters, allocation-free once warm.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Compiled, RedactAction};
use crate::format::write_value_plain;
use crate::view::{Field, RecordView, Value};

/// The masked value.
const MASK: &[u8] = b"***";

/// Where a field's new value comes from.
#[derive(Clone, Copy)]
enum Span {
    /// Not redacted.
    Keep,
    /// [`MASK`].
    Mask,
    /// `arena[start..end]`.
    Arena(usize, usize),
}

/// Applies the rules to records, on the flusher thread.
pub(crate) struct Redactor {
    /// The checked rules.
    compiled: Arc<Compiled>,
    /// The keyed HMAC, ready to be cloned for each value.
    mac: Option<Hmac<Sha256>>,
    /// Text of the replaced values of the current record.
    arena: Vec<u8>,
    /// One per field, then one per context field, of the current record.
    spans: Vec<Span>,
    /// Reused buffers of the redacted record's fields and context.
    fields: Vec<Field<'static>>,
    context: Vec<Field<'static>>,
}

/// Reuses a vector's allocation for another lifetime (it is emptied).
// `filter` cannot change the element's lifetime; `filter_map` can.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'a, 'b>(v: Vec<Field<'a>>) -> Vec<Field<'b>> {
    v.into_iter().filter_map(|_| None).collect()
}

impl Redactor {
    /// A redactor for checked rules.
    pub(crate) fn new(compiled: &Arc<Compiled>) -> Redactor {
        let mac = compiled
            .key
            .as_ref()
            .and_then(|k| Hmac::<Sha256>::new_from_slice(k).ok());
        Redactor {
            compiled: Arc::clone(compiled),
            mac,
            arena: Vec::new(),
            spans: Vec::new(),
            fields: Vec::new(),
            context: Vec::new(),
        }
    }

    /// Calls `emit` with `view`, or with a copy whose matching values are
    /// redacted when any field matches a rule.
    pub(crate) fn apply<R>(
        &mut self,
        view: &RecordView<'_>,
        emit: impl FnOnce(&RecordView<'_>) -> R,
    ) -> R {
        self.arena.clear();
        self.spans.clear();
        let mut any = false;
        for field in view.fields.iter().chain(view.context) {
            let span = self.plan(field);
            any |= !matches!(span, Span::Keep);
            self.spans.push(span);
        }
        if !any {
            return emit(view);
        }
        let mut fields = recycle(std::mem::take(&mut self.fields));
        let mut context = recycle(std::mem::take(&mut self.context));
        let arena = &self.arena[..];
        let (of_fields, of_context) = self.spans.split_at(view.fields.len());
        let pairs = view.fields.iter().zip(of_fields);
        fields.extend(pairs.map(|(f, s)| replace(*f, *s, arena)));
        let pairs = view.context.iter().zip(of_context);
        context.extend(pairs.map(|(f, s)| replace(*f, *s, arena)));
        let redacted = RecordView {
            fields: &fields,
            context: &context,
            ..*view
        };
        let out = emit(&redacted);
        self.fields = recycle(fields);
        self.context = recycle(context);
        out
    }

    /// The span of `field`'s new value, writing its text to the arena.
    fn plan(&mut self, field: &Field<'_>) -> Span {
        let Some(action) = self
            .compiled
            .rules
            .iter()
            .find(|(p, _)| p.matches(field.key))
            .map(|(_, a)| *a)
        else {
            return Span::Keep;
        };
        let start = self.arena.len();
        match action {
            RedactAction::Mask => Span::Mask,
            RedactAction::Hash => {
                let Some(mac) = &self.mac else {
                    return Span::Mask;
                };
                let mut mac = mac.clone();
                write_value_plain(&mut self.arena, field.value);
                mac.update(&self.arena[start..]);
                self.arena.truncate(start);
                for b in mac.finalize().into_bytes() {
                    self.arena.push(HEX[usize::from(b >> 4)]);
                    self.arena.push(HEX[usize::from(b & 15)]);
                }
                Span::Arena(start, self.arena.len())
            }
            RedactAction::KeepLast(n) => {
                write_value_plain(&mut self.arena, field.value);
                let text = &self.arena[start..];
                match last_chars(text, n) {
                    Some(cut) => Span::Arena(start + cut, self.arena.len()),
                    None => {
                        self.arena.truncate(start);
                        Span::Mask
                    }
                }
            }
        }
    }
}

/// `field` with the value `span` gives it.
fn replace<'a>(field: Field<'a>, span: Span, arena: &'a [u8]) -> Field<'a> {
    let value = match span {
        Span::Keep => return field,
        Span::Mask => Value::Str(MASK),
        Span::Arena(start, end) => Value::Str(&arena[start..end]),
    };
    Field {
        key: field.key,
        value,
    }
}

/// Lowercase hex digits.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Offset in `text` where its last `n` characters start (bytes, when it is
/// not UTF-8); `None` when it has `n` characters or fewer.
fn last_chars(text: &[u8], n: usize) -> Option<usize> {
    match std::str::from_utf8(text) {
        Ok(s) => {
            let mut starts = s.char_indices().rev().map(|(i, _)| i);
            let cut = starts.nth(n - 1)?;
            starts.next()?;
            Some(cut)
        }
        Err(_) => (text.len() > n).then(|| text.len() - n),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{RedactKey, RedactRule, Redaction};
    use super::*;
    use crate::view::Kind;

    fn redactor(rules: &[(&str, RedactAction)]) -> Redactor {
        let mut r = Redaction {
            rules: rules
                .iter()
                .map(|&(p, action)| RedactRule {
                    pattern: p.into(),
                    action,
                })
                .collect(),
            key: Some(RedactKey::Bytes(b"0123456789abcdef".to_vec())),
            ..Redaction::default()
        };
        r.resolve().unwrap();
        Redactor::new(r.compiled().unwrap())
    }

    fn view<'a>(fields: &'a [Field<'a>], context: &'a [Field<'a>]) -> RecordView<'a> {
        RecordView {
            ts_ns: 0,
            level: crate::Level::Info,
            kind: Kind::Log,
            target: "t",
            service: "t",
            module: "m",
            file: "f.rs",
            line: 1,
            function: None,
            msg: b"m",
            fields,
            thread: "main",
            tid: 1,
            correlation: None,
            context,
        }
    }

    fn values(r: &mut Redactor, v: &RecordView<'_>) -> (Vec<String>, Vec<String>) {
        let text = |fs: &[Field<'_>]| {
            fs.iter()
                .map(|f| {
                    let mut out = Vec::new();
                    write_value_plain(&mut out, f.value);
                    String::from_utf8(out).unwrap()
                })
                .collect::<Vec<_>>()
        };
        r.apply(v, |v| (text(v.fields), text(v.context)))
    }

    #[test]
    fn mask_hash_and_keep_last_in_fields_and_context() {
        let mut r = redactor(&[
            ("password", RedactAction::Mask),
            ("client_*", RedactAction::Hash),
            ("account", RedactAction::KeepLast(4)),
        ]);
        let fields = [
            Field {
                key: "password",
                value: Value::Str(b"hunter2"),
            },
            Field {
                key: "account",
                value: Value::U64(12_345_678),
            },
            Field {
                key: "qty",
                value: Value::U64(5),
            },
        ];
        let context = [Field {
            key: "client_id",
            value: Value::Str(b"ACME"),
        }];
        let (f, c) = values(&mut r, &view(&fields, &context));
        assert_eq!(f, ["***", "5678", "5"]);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef").unwrap();
        mac.update(b"ACME");
        let want: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(c, std::slice::from_ref(&want));
        // Equal values, equal hashes, record after record.
        let (_, again) = values(&mut r, &view(&fields, &context));
        assert_eq!(again, [want]);
    }

    #[test]
    fn short_values_are_masked_whole_and_utf8_is_cut_on_chars() {
        let mut r = redactor(&[("acct", RedactAction::KeepLast(3))]);
        let short = [Field {
            key: "acct",
            value: Value::Str(b"abc"),
        }];
        assert_eq!(values(&mut r, &view(&short, &[])).0, ["***"]);
        let wide = [Field {
            key: "acct",
            value: Value::Str("zäöü".as_bytes()),
        }];
        assert_eq!(values(&mut r, &view(&wide, &[])).0, ["äöü"]);
    }

    #[test]
    fn untouched_records_are_passed_as_they_are() {
        let mut r = redactor(&[("password", RedactAction::Mask)]);
        let fields = [Field {
            key: "qty",
            value: Value::U64(1),
        }];
        let v = view(&fields, &[]);
        let same = r.apply(&v, |out| std::ptr::eq(out.fields, v.fields));
        assert!(same);
    }
}
