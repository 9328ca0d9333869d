//! The `service` field: which part of the trading system a record came
//! from, derived from its target on the flusher.
//!
//! A configured prefix map wins (the longest prefix that matches the
//! target whole or up to a `::`); otherwise the target's first path
//! segment, which for a `log` record or a macro without `target:` is the
//! crate name.

/// Prefix-to-service rules, longest prefix first.
pub(crate) struct Services {
    rules: Vec<(String, String)>,
}

impl Services {
    pub(crate) fn new(map: &[(String, String)]) -> Self {
        let mut rules = map.to_vec();
        rules.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        Services { rules }
    }

    /// The service of a record with this target.
    #[inline]
    pub(crate) fn of<'a>(&'a self, target: &'a str) -> &'a str {
        for (prefix, name) in &self.rules {
            if let Some(rest) = target.strip_prefix(prefix.as_str()) {
                if rest.is_empty() || rest.starts_with("::") {
                    return name;
                }
            }
        }
        first_segment(target)
    }
}

/// The first path segment of a target: its service unless configured.
/// A `memchr` for `:` rather than a substring searcher, which cost about
/// 400 instructions a record (callgrind).
fn first_segment(target: &str) -> &str {
    let mut from = 0;
    while let Some(i) = target[from..].find(':') {
        let at = from + i;
        if target.as_bytes().get(at + 1) == Some(&b':') {
            return &target[..at];
        }
        from = at + 1;
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(rules: &[(&str, &str)]) -> Services {
        let owned: Vec<(String, String)> = rules
            .iter()
            .map(|(p, n)| (p.to_string(), n.to_string()))
            .collect();
        Services::new(&owned)
    }

    #[test]
    fn first_segment_without_rules() {
        let s = map(&[]);
        assert_eq!(s.of("execution::orders"), "execution");
        assert_eq!(s.of("risk"), "risk");
        assert_eq!(s.of(""), "");
        assert_eq!(s.of("a:b::c"), "a:b");
        assert_eq!(s.of("a::"), "a");
        assert_eq!(s.of("::a"), "");
        assert_eq!(s.of("a:"), "a:");
    }

    #[test]
    fn the_longest_whole_segment_prefix_wins() {
        let s = map(&[
            ("app", "core"),
            ("app::execution", "execution"),
            ("app::execution::fix", "fix_gateway"),
        ]);
        assert_eq!(s.of("app::execution::orders"), "execution");
        assert_eq!(s.of("app::execution::fix::session"), "fix_gateway");
        assert_eq!(s.of("app::execution"), "execution");
        assert_eq!(s.of("app::risk"), "core");
        // A prefix matches whole segments only.
        assert_eq!(s.of("app::executionx"), "core");
        assert_eq!(s.of("apple::x"), "apple");
    }
}
