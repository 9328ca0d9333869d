//! The flusher's copy of one thread's context: the frames its live
//! context guards entered (see `crate::context`), applied to each of the
//! thread's records as it is formatted.
//!
//! Frames arrive in the thread's ring, in order with its records, so the
//! stack is exactly what the thread had when it logged each record. A
//! frame's bytes are copied out of the ring (the ring space is reused);
//! the copies live in one arena, cut back as frames end.

use crate::context::CORRELATION_KEY;
use crate::view::{Field, Value};
use crate::wire::{self, ContextOp, Decoder};

/// One frame: its encoded fields are `arena[previous frame's end..end]`.
#[derive(Clone, Copy)]
struct Frame {
    end: usize,
    count: u16,
}

/// One thread's stack of context frames.
#[derive(Default)]
pub(crate) struct ContextStack {
    arena: Vec<u8>,
    frames: Vec<Frame>,
}

/// An arena larger than this is freed when the stack empties.
const ARENA_KEEP_BYTES: usize = 64 << 10;

impl ContextStack {
    /// Applies a `CONTEXT` record's payload; a malformed one is ignored.
    pub(crate) fn apply(&mut self, payload: &[u8]) {
        match wire::get_context(payload) {
            Some(ContextOp::Push {
                depth,
                count,
                fields,
            }) => {
                self.cut(depth.saturating_sub(1) as usize);
                let mut d = Decoder { rest: fields };
                let mut valid = 0u16;
                for _ in 0..count {
                    if d.key().is_none() || d.value().is_none() {
                        break;
                    }
                    valid += 1;
                }
                let used = fields.len() - d.rest.len();
                self.arena.extend_from_slice(&fields[..used]);
                self.frames.push(Frame {
                    end: self.arena.len(),
                    count: valid,
                });
            }
            Some(ContextOp::Pop { depth }) => self.cut(depth as usize),
            None => {}
        }
    }

    /// Keeps the outermost `depth` frames.
    fn cut(&mut self, depth: usize) {
        if depth >= self.frames.len() {
            return;
        }
        self.frames.truncate(depth);
        let end = self.frames.last().map_or(0, |f| f.end);
        self.arena.truncate(end);
        if self.frames.is_empty() && self.arena.capacity() > ARENA_KEEP_BYTES {
            self.arena = Vec::new();
        }
    }

    /// True when no context is set.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.frames.iter().all(|f| f.count == 0)
    }

    /// The correlation id (the innermost one) and, into `out`, the other
    /// fields of every frame, outermost first, each key once (an inner
    /// frame's value shadows an outer one's, in the outer one's place).
    pub(crate) fn collect<'a>(&'a self, out: &mut Vec<Field<'a>>) -> Option<Value<'a>> {
        out.clear();
        let mut correlation = None;
        let mut start = 0;
        for frame in &self.frames {
            let mut d = Decoder {
                rest: &self.arena[start..frame.end],
            };
            start = frame.end;
            for _ in 0..frame.count {
                let (Some(key), Some(value)) = (d.key(), d.value()) else {
                    break;
                };
                if key == CORRELATION_KEY {
                    correlation = Some(value);
                } else if let Some(f) = out.iter_mut().find(|f| f.key == key) {
                    f.value = value;
                } else {
                    out.push(Field { key, value });
                }
            }
        }
        correlation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loggable::LogValue;

    fn push(stack: &mut ContextStack, depth: u32, fields: &[(&str, LogValue<'_>)]) {
        let (count, len) = wire::context_fields_fit(fields);
        let mut payload = vec![0u8; wire::context_push_len(len) + 3];
        let mut at = wire::put_context_push_head(&mut payload, depth, count as u16);
        for (k, v) in &fields[..count] {
            at += wire::write_context_field(&mut payload[at..], k, v);
        }
        stack.apply(&payload);
    }

    fn pop(stack: &mut ContextStack, depth: u32) {
        let mut payload = [0u8; 8];
        wire::put_context_pop(&mut payload, depth);
        stack.apply(&payload);
    }

    fn state(stack: &ContextStack) -> (Option<String>, Vec<String>) {
        let mut out = Vec::new();
        let corr = stack.collect(&mut out).map(|v| format!("{v:?}"));
        (
            corr,
            out.iter()
                .map(|f| format!("{}={:?}", f.key, f.value))
                .collect(),
        )
    }

    #[test]
    fn nested_frames_shadow_and_restore() {
        let mut s = ContextStack::default();
        assert!(s.is_empty());
        push(
            &mut s,
            1,
            &[
                (CORRELATION_KEY, LogValue::Str("t-1")),
                ("strategy", LogValue::Str("mm1")),
            ],
        );
        push(
            &mut s,
            2,
            &[
                ("account", LogValue::U64(7)),
                ("strategy", LogValue::Str("mm2")),
            ],
        );
        let (corr, fields) = state(&s);
        assert_eq!(corr.as_deref(), Some("Str([116, 45, 49])"));
        assert_eq!(fields, ["strategy=Str([109, 109, 50])", "account=U64(7)"]);
        push(&mut s, 3, &[(CORRELATION_KEY, LogValue::U64(99))]);
        assert_eq!(state(&s).0.as_deref(), Some("U64(99)"));
        pop(&mut s, 2);
        assert_eq!(state(&s).0.as_deref(), Some("Str([116, 45, 49])"));
        pop(&mut s, 1);
        assert_eq!(state(&s).1, ["strategy=Str([109, 109, 49])"]);
        pop(&mut s, 0);
        assert!(s.is_empty());
        assert_eq!(s.arena.len(), 0);
    }

    #[test]
    fn the_correlation_fast_path_writes_the_general_encoding() {
        for id in [
            LogValue::U64(77),
            LogValue::Str("trade-12345"),
            LogValue::Str(&"x".repeat(1000)),
        ] {
            let general = {
                let fields = [(CORRELATION_KEY, id)];
                let (count, len) = wire::context_fields_fit(&fields);
                let mut p = vec![0u8; wire::context_push_len(len)];
                let mut at = wire::put_context_push_head(&mut p, 3, count as u16);
                at += wire::write_context_field(&mut p[at..], CORRELATION_KEY, &id);
                assert_eq!(at, p.len());
                p
            };
            let mut fast = vec![0u8; wire::context_correlation_len(&id)];
            wire::put_context_correlation(&mut fast, 3, &id);
            assert_eq!(fast, general);
        }
    }

    #[test]
    fn a_push_replaces_frames_left_by_guards_dropped_out_of_order() {
        let mut s = ContextStack::default();
        push(&mut s, 1, &[("a", LogValue::U64(1))]);
        push(&mut s, 2, &[("b", LogValue::U64(2))]);
        pop(&mut s, 0); // the outer guard dropped first
        push(&mut s, 1, &[("c", LogValue::U64(3))]);
        assert_eq!(state(&s).1, ["c=U64(3)"]);
        pop(&mut s, 1); // the inner guard of before: nothing to cut
        assert_eq!(state(&s).1, ["c=U64(3)"]);
    }

    #[test]
    fn malformed_frames_are_ignored_or_kept_to_their_valid_fields() {
        let mut s = ContextStack::default();
        s.apply(&[1, 2]);
        s.apply(&[1, 0, 0, 0, 9]);
        assert!(s.is_empty());
        // A push claiming two fields but holding one.
        let mut payload = vec![0u8; 64];
        let at = wire::put_context_push_head(&mut payload, 1, 2);
        let n = wire::write_context_field(&mut payload[at..], "k", &LogValue::Bool(true));
        payload.truncate(at + n);
        s.apply(&payload);
        assert_eq!(state(&s).1, ["k=Bool(true)"]);
    }

    #[test]
    fn long_keys_and_values_are_cut_and_frames_stay_bounded() {
        let long = "x".repeat(10_000);
        let fields: Vec<(&str, LogValue<'_>)> = (0..100)
            .map(|_| (long.as_str(), LogValue::Str(&long)))
            .collect();
        let (count, len) = wire::context_fields_fit(&fields);
        assert!(len <= wire::CONTEXT_FIELDS_MAX);
        assert!((1..100).contains(&count), "{count}");
        let mut s = ContextStack::default();
        push(&mut s, 1, &fields[..1]);
        let mut out = Vec::new();
        s.collect(&mut out);
        assert_eq!(out[0].key.len(), wire::CONTEXT_KEY_LIMIT);
        let Value::Str(v) = out[0].value else {
            panic!()
        };
        assert!(v.ends_with(wire::TRUNCATED.as_bytes()));
        assert_eq!(v.len(), wire::CONTEXT_STR_LIMIT + wire::TRUNCATED.len());
    }
}
