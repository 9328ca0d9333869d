//! The `service` field: which part of the trading system a record came
//! from, derived from its target on the flusher.
//!
//! A configured prefix map wins (the longest prefix that matches the
//! target whole or up to a `::`); otherwise the target's first path
//! segment, which for a `log` record or a macro without `target:` is the
//! crate name.
//!
//! Services with their own file get an index (their position among
//! `files`), found with the name: the router sends their records there.

/// Prefix-to-service rules, longest prefix first, each with the index of
/// its service's own file.
pub(crate) struct Services {
    rules: Vec<(String, String, Option<usize>)>,
    /// Names of the services that have their own file, by index.
    files: Vec<String>,
}

impl Services {
    /// `map`: prefix-to-name rules; `files`: the names of the services
    /// with their own file, in the router's order.
    pub(crate) fn new(map: &[(String, String)], files: &[String]) -> Self {
        let index = |name: &str| files.iter().position(|f| f == name);
        let mut rules: Vec<_> = map
            .iter()
            .map(|(p, n)| (p.clone(), n.clone(), index(n)))
            .collect();
        rules.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        Services {
            rules,
            files: files.to_vec(),
        }
    }

    /// The service of a record with this target, and the index of its own
    /// file if it has one.
    #[inline]
    pub(crate) fn of<'a>(&'a self, target: &'a str) -> (&'a str, Option<usize>) {
        for (prefix, name, file) in &self.rules {
            if let Some(rest) = target.strip_prefix(prefix.as_str()) {
                if rest.is_empty() || rest.starts_with("::") {
                    return (name, *file);
                }
            }
        }
        let name = first_segment(target);
        // No lookup at all unless some service has a file.
        let file = match self.files.is_empty() {
            true => None,
            false => self.files.iter().position(|f| f == name),
        };
        (name, file)
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
        Services::new(&owned, &[])
    }

    fn name<'a>(s: &'a Services, target: &'a str) -> &'a str {
        s.of(target).0
    }

    #[test]
    fn first_segment_without_rules() {
        let s = map(&[]);
        assert_eq!(name(&s, "execution::orders"), "execution");
        assert_eq!(name(&s, "risk"), "risk");
        assert_eq!(name(&s, ""), "");
        assert_eq!(name(&s, "a:b::c"), "a:b");
        assert_eq!(name(&s, "a::"), "a");
        assert_eq!(name(&s, "::a"), "");
        assert_eq!(name(&s, "a:"), "a:");
    }

    #[test]
    fn the_longest_whole_segment_prefix_wins() {
        let s = map(&[
            ("app", "core"),
            ("app::execution", "execution"),
            ("app::execution::fix", "fix_gateway"),
        ]);
        assert_eq!(name(&s, "app::execution::orders"), "execution");
        assert_eq!(name(&s, "app::execution::fix::session"), "fix_gateway");
        assert_eq!(name(&s, "app::execution"), "execution");
        assert_eq!(name(&s, "app::risk"), "core");
        // A prefix matches whole segments only.
        assert_eq!(name(&s, "app::executionx"), "core");
        assert_eq!(name(&s, "apple::x"), "apple");
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn services_with_a_file_get_its_index_by_rule_or_by_first_segment() {
        let rules = vec![
            ("desk::execution".to_string(), "execution".to_string()),
            ("desk::risk".to_string(), "risk_management".to_string()),
            ("desk::analytics".to_string(), "analytics".to_string()),
        ];
        let files = [
            "risk_management".to_string(),
            "execution".to_string(),
            "strategy".to_string(),
        ];
        let s = Services::new(&rules, &files);
        assert_eq!(s.of("desk::execution::orders"), ("execution", Some(1)));
        assert_eq!(s.of("desk::risk"), ("risk_management", Some(0)));
        assert_eq!(s.of("desk::analytics::pnl"), ("analytics", None));
        // No rule: the first segment, which names a service with a file.
        assert_eq!(s.of("strategy::signals"), ("strategy", Some(2)));
        assert_eq!(s.of("other::x"), ("other", None));
    }
}
