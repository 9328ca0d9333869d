//! The nesting depth of each `perf` record of a trace, for `trace`'s
//! indentation.
//!
//! The logger's flusher links the timed calls of one thread: each `perf`
//! record has `fields.span_id`, and a call that had nested calls lists
//! their ids in `fields.children` (docs/schema.md). Calls that no record
//! lists (an async task's calls that ran on another thread, or files
//! written before the link existed) are nested by time instead: inside the
//! shortest call of the same process whose interval `[ts - elapsed_ns, ts]`
//! holds theirs.

use std::collections::HashMap;

/// What `trace` keeps of one record to place it in the tree.
#[derive(Clone, Debug, Default)]
pub struct Node {
    /// Process id (`pid`), span ids are unique within one.
    pub pid: u64,
    /// `fields.span_id` of a perf record.
    pub span_id: Option<u64>,
    /// `fields.children`.
    pub children: Vec<u64>,
    /// The call's interval in ns since the epoch, for a perf record.
    pub interval: Option<(i128, i128)>,
}

/// The depth of each node (0: not inside another call), in input order.
pub fn depths(nodes: &[Node]) -> Vec<usize> {
    let mut parent: Vec<Option<usize>> = vec![None; nodes.len()];
    let by_id: HashMap<(u64, u64), usize> = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.span_id.map(|id| ((n.pid, id), i)))
        .collect();
    for (i, n) in nodes.iter().enumerate() {
        for child in &n.children {
            if let Some(&c) = by_id.get(&(n.pid, *child)) {
                if c != i {
                    parent[c] = Some(i);
                }
            }
        }
    }
    // Not linked by the flusher: the shortest enclosing call, by time.
    for (i, n) in nodes.iter().enumerate() {
        let Some((start, end)) = n.interval else {
            continue;
        };
        if parent[i].is_some() {
            continue;
        }
        let inside = |(s, e): (i128, i128)| s <= start && end <= e && (s, e) != (start, end);
        parent[i] = nodes
            .iter()
            .enumerate()
            .filter(|(j, m)| *j != i && m.pid == n.pid && m.interval.is_some_and(inside))
            .min_by_key(|(_, m)| m.interval.map_or(i128::MAX, |(s, e)| e - s))
            .map(|(j, _)| j);
    }
    (0..nodes.len())
        .map(|i| {
            let mut depth = 0;
            let mut at = parent[i];
            while let Some(p) = at {
                depth += 1;
                if depth > nodes.len() {
                    break; // a cycle in a hand-edited file
                }
                at = parent[p];
            }
            depth
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: u64, children: &[u64], start: i128, end: i128) -> Node {
        Node {
            pid: 1,
            span_id: Some(id),
            children: children.to_vec(),
            interval: Some((start, end)),
        }
    }

    #[test]
    fn linked_calls_nest_by_their_children() {
        // Written in end order: a, c, b (holds c), outer (holds a and b).
        let nodes = [
            call(1, &[], 200, 300),
            call(2, &[], 500, 600),
            call(3, &[2], 400, 900),
            call(4, &[1, 3], 100, 1000),
            Node::default(),
        ];
        assert_eq!(depths(&nodes), [1, 2, 1, 0, 0]);
    }

    #[test]
    fn unlinked_calls_nest_by_time() {
        let mut c = call(9, &[], 150, 250);
        c.pid = 1;
        let nodes = [c, call(4, &[], 100, 1000), call(5, &[], 120, 900)];
        assert_eq!(depths(&nodes), [2, 0, 1]);
    }

    #[test]
    fn other_processes_are_not_parents() {
        let mut other = call(4, &[1], 100, 1000);
        other.pid = 2;
        assert_eq!(depths(&[call(1, &[], 200, 300), other]), [0, 0]);
    }
}
