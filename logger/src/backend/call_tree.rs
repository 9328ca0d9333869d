//! Links nested timed calls, on the flusher, at no cost to the logging
//! threads.
//!
//! A `perf` record (from `#[log_performance]` or `perf!`) covers the
//! interval `[ts - elapsed_ns, ts]` of its thread. On one thread two such
//! intervals are either disjoint or nested, and the inner one ends (so is
//! written) first. So when a record arrives, the records of the same
//! thread that ended inside its interval and have no parent yet are its
//! direct children. The flusher gives every perf record a `span_id`
//! (unique within the process, counting from 1) and writes the ids of its
//! direct children in `children` (a JSON array); a reader rebuilds the
//! call tree from these. At most [`MAX_OPEN`] calls of a thread wait for
//! their parent; past that the oldest is let go, and the parent that would
//! have listed it says so with `children_truncated: true`.

use std::collections::HashMap;

use crate::view::{Field, Kind, RecordView, Value};

/// Calls kept per thread waiting for a parent (the oldest go first).
const MAX_OPEN: usize = 256;
/// Threads tracked before the ones idle for [`STALE_NS`] are forgotten.
const MAX_THREADS: usize = 4096;
const STALE_NS: u64 = 60_000_000_000;

/// A call written and not yet claimed by a parent.
#[derive(Clone, Copy)]
struct Done {
    start_ns: u64,
    id: u64,
}

/// The calls of a thread let go unclaimed (past [`MAX_OPEN`]), as the
/// start times of the first and the last of them (`None`: none): they
/// started one after another, since unclaimed calls of one thread are
/// disjoint.
type LetGo = Option<(u64, u64)>;

/// A thread's state: the time of its last call, its unclaimed calls in end
/// order, and those let go.
type ThreadCalls = (u64, Vec<Done>, LetGo);

/// The flusher's state: the unclaimed calls of each thread.
#[derive(Default)]
pub(crate) struct CallTree {
    threads: HashMap<u64, ThreadCalls>,
    next_id: u64,
    /// The `children` array being rendered.
    json: Vec<u8>,
    /// The record's fields plus `span_id` and `children`.
    fields: Vec<Field<'static>>,
}

/// Reuses a vector's allocation for another lifetime (it is emptied).
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'a, 'b>(v: Vec<Field<'a>>) -> Vec<Field<'b>> {
    v.into_iter().filter_map(|_| None).collect()
}

impl CallTree {
    /// Calls `emit` with `view`, or, for a timed call, with a copy whose
    /// fields end with `span_id` and (when it has any) `children`.
    #[inline]
    pub(crate) fn link<R>(
        &mut self,
        view: &RecordView<'_>,
        emit: impl FnOnce(&RecordView<'_>) -> R,
    ) -> R {
        match view.kind {
            Kind::Perf => self.link_perf(view, emit),
            _ => emit(view),
        }
    }

    /// [`CallTree::link`] for a `perf` record (a timed call when it has
    /// `elapsed_ns`): out of line, the other kinds pass through.
    #[inline(never)]
    fn link_perf<R>(
        &mut self,
        view: &RecordView<'_>,
        emit: impl FnOnce(&RecordView<'_>) -> R,
    ) -> R {
        let elapsed = view.fields.iter().find_map(|f| match f {
            Field {
                key: "elapsed_ns",
                value: Value::U64(ns),
            } => Some(*ns),
            _ => None,
        });
        let Some(elapsed) = elapsed else {
            return emit(view);
        };
        self.next_id += 1;
        let id = self.next_id;
        let start_ns = view.ts_ns.saturating_sub(elapsed);
        if self.threads.len() >= MAX_THREADS && !self.threads.contains_key(&view.tid) {
            let now = view.ts_ns;
            self.threads
                .retain(|_, (last, _, _)| now.saturating_sub(*last) < STALE_NS);
        }
        let (last, open, let_go) = self.threads.entry(view.tid).or_default();
        *last = view.ts_ns;
        // The unclaimed calls that started inside this one are its direct
        // children: a suffix, since they are kept in end order and calls
        // on one thread nest or are disjoint.
        let first_child = open
            .iter()
            .rposition(|d| d.start_ns < start_ns)
            .map_or(0, |i| i + 1);
        self.json.clear();
        for (i, child) in open[first_child..].iter().enumerate() {
            self.json.push(if i == 0 { b'[' } else { b',' });
            self.json
                .extend_from_slice(itoa::Buffer::new().format(child.id).as_bytes());
        }
        let has_children = first_child < open.len();
        if has_children {
            self.json.push(b']');
        }
        // Calls let go that started inside this one were its children
        // too (they are older than every call still open, so this call
        // then claimed all of those).
        let truncated = matches!(*let_go, Some((_, last)) if last >= start_ns);
        if truncated {
            // Those left, if any, started before this call: an enclosing
            // call may still claim them.
            *let_go = let_go
                .filter(|&(first, _)| first < start_ns)
                .map(|(first, _)| (first, start_ns - 1));
        }
        open.truncate(first_child);
        if open.len() == MAX_OPEN {
            let oldest = open.remove(0).start_ns;
            *let_go = Some((let_go.map_or(oldest, |(first, _)| first), oldest));
        }
        open.push(Done { start_ns, id });

        let mut fields = recycle(std::mem::take(&mut self.fields));
        fields.extend_from_slice(view.fields);
        fields.push(Field {
            key: "span_id",
            value: Value::U64(id),
        });
        if has_children {
            fields.push(Field {
                key: "children",
                value: Value::Json(&self.json),
            });
        }
        if truncated {
            fields.push(Field {
                key: "children_truncated",
                value: Value::Bool(true),
            });
        }
        let linked = RecordView {
            fields: &fields,
            ..*view
        };
        let r = emit(&linked);
        self.fields = recycle(fields);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;

    fn perf(tid: u64, end: u64, elapsed: u64) -> (Vec<Field<'static>>, RecordView<'static>) {
        let fields = vec![Field {
            key: "elapsed_ns",
            value: Value::U64(elapsed),
        }];
        let view = RecordView {
            ts_ns: end,
            level: Level::Info,
            kind: Kind::Perf,
            target: "t",
            service: "t",
            module: "t",
            file: "t.rs",
            line: 1,
            function: None,
            msg: b"op",
            fields: &[],
            thread: "main",
            tid,
            correlation: None,
            context: &[],
        };
        (fields, view)
    }

    /// `(span_id, children)` written for a call ending at `end`.
    fn link(tree: &mut CallTree, tid: u64, end: u64, elapsed: u64) -> (u64, Option<String>) {
        let (fields, view) = perf(tid, end, elapsed);
        let view = RecordView {
            fields: &fields,
            ..view
        };
        tree.link(&view, |v| {
            let id = match v.fields[1].value {
                Value::U64(id) => id,
                _ => panic!("no span_id"),
            };
            let children = v.fields.get(2).map(|f| match f.value {
                Value::Json(j) => String::from_utf8(j.to_vec()).unwrap(),
                _ => panic!("children not JSON"),
            });
            (id, children)
        })
    }

    #[test]
    fn nested_calls_list_their_direct_children() {
        let mut t = CallTree::default();
        // outer [100, 1000] holds a [200, 300] and b [400, 900], which
        // holds c [500, 600]; d [1100, 1200] follows outer.
        assert_eq!(link(&mut t, 1, 300, 100), (1, None)); // a
        assert_eq!(link(&mut t, 1, 600, 100), (2, None)); // c
        assert_eq!(link(&mut t, 1, 900, 500), (3, Some("[2]".into()))); // b
        assert_eq!(link(&mut t, 1, 1000, 900), (4, Some("[1,3]".into()))); // outer
        assert_eq!(link(&mut t, 1, 1200, 100), (5, None)); // d
    }

    /// The keys after `elapsed_ns` of the record written for a call.
    fn linked_keys(tree: &mut CallTree, tid: u64, end: u64, elapsed: u64) -> Vec<String> {
        let (fields, view) = perf(tid, end, elapsed);
        let view = RecordView {
            fields: &fields,
            ..view
        };
        tree.link(&view, |v| {
            v.fields[1..].iter().map(|f| f.key.to_string()).collect()
        })
    }

    /// A call with more direct children than a thread keeps waiting
    /// lists the newest of them and says the list is cut; a call whose
    /// children were all kept does not, before or after.
    #[test]
    fn children_let_go_are_flagged() {
        let mut t = CallTree::default();
        assert_eq!(linked_keys(&mut t, 1, 50, 10), ["span_id"]);
        let n = MAX_OPEN as u64 + 10;
        // n calls of 10 ns back to back from 100 on, in one of [95, 100 + 10 n].
        for i in 0..n {
            link(&mut t, 1, 110 + 10 * i, 10);
        }
        let end = 100 + 10 * n;
        assert_eq!(
            linked_keys(&mut t, 1, end, end - 95),
            ["span_id", "children", "children_truncated"]
        );
        // Claimed: nothing is left to flag.
        for i in 0..3 {
            link(&mut t, 1, end + 20 + 10 * i, 10);
        }
        assert_eq!(
            linked_keys(&mut t, 1, end + 100, 90),
            ["span_id", "children"]
        );
        // The first call, [40, 50], was the first let go: a direct child
        // of the outer call [0, end + 200], which says so; nothing is left
        // to flag after it.
        assert_eq!(
            linked_keys(&mut t, 1, end + 200, end + 200),
            ["span_id", "children", "children_truncated"]
        );
        assert_eq!(linked_keys(&mut t, 1, end + 400, 100), ["span_id"]);
    }

    #[test]
    fn threads_do_not_mix() {
        let mut t = CallTree::default();
        assert_eq!(link(&mut t, 1, 300, 100), (1, None));
        assert_eq!(link(&mut t, 2, 1000, 900), (2, None));
        assert_eq!(link(&mut t, 1, 1000, 900), (3, Some("[1]".into())));
    }

    #[test]
    fn other_records_pass_unchanged() {
        let mut t = CallTree::default();
        let (fields, view) = perf(1, 10, 5);
        let view = RecordView {
            kind: Kind::Trade,
            fields: &fields,
            ..view
        };
        assert_eq!(t.link(&view, |v| v.fields.len()), 1);
    }
}
