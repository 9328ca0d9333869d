//! Field-name patterns: exact names, or names with `*` wildcards.

/// A checked pattern: literal parts separated by `*` (each `*` matches any
/// run of characters, the empty one included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// The pattern as written.
    text: String,
    /// The literal runs between the `*`s (one, the whole name, when the
    /// pattern has no `*`).
    parts: Vec<Box<[u8]>>,
}

impl Pattern {
    /// Checks `text`: 1 to 128 bytes, no whitespace or control character,
    /// and not only `*` (that would redact every field: say so with an
    /// explicit list).
    pub(crate) fn parse(text: &str) -> Result<Pattern, String> {
        if text.is_empty() || text.len() > 128 {
            return Err(format!(
                "pattern {text:?} must be 1 to 128 bytes (a field name, `*` matching any run of characters)"
            ));
        }
        if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "pattern {text:?} holds {c:?}: field names have no whitespace or control characters"
            ));
        }
        if text.contains(['?', '[', ']']) {
            return Err(format!(
                "pattern {text:?}: only `*` is a wildcard (no `?` or `[...]` classes)"
            ));
        }
        if text.chars().all(|c| c == '*') {
            return Err(format!(
                "pattern {text:?} matches every field: list the sensitive fields instead"
            ));
        }
        Ok(Pattern {
            text: text.to_string(),
            parts: text.split('*').map(|p| p.as_bytes().into()).collect(),
        })
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `name` matches. Allocates nothing.
    #[inline]
    pub(crate) fn matches(&self, name: &str) -> bool {
        let name = name.as_bytes();
        let Some((first, rest)) = self.parts.split_first() else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return **first == *name;
        };
        // The first run anchored at the start, the last at the end, the
        // others in order, leftmost, in between.
        if name.len() < first.len() + last.len()
            || !name.starts_with(first)
            || !name.ends_with(last)
        {
            return false;
        }
        let mut between = &name[first.len()..name.len() - last.len()];
        for part in middle.iter().filter(|p| !p.is_empty()) {
            match between.windows(part.len()).position(|w| w == &part[..]) {
                Some(at) => between = &between[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        Pattern::parse(p).unwrap().matches(n)
    }

    #[test]
    fn exact_and_wildcards() {
        assert!(m("account", "account"));
        assert!(!m("account", "account_id"));
        assert!(!m("account", "Account"));
        assert!(m("account*", "account_id"));
        assert!(m("account*", "account"));
        assert!(m("*_id", "order_id"));
        assert!(!m("*_id", "order_idx"));
        assert!(m("*secret*", "my_secret_key"));
        assert!(m("a*b*c", "abc"));
        assert!(m("a*b*c", "aXbYc"));
        assert!(!m("a*b*c", "aXcYb"));
        assert!(!m("ab*ba", "aba"), "overlapping ends do not share a byte");
        assert!(m("a**b", "ab"));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(Pattern::parse("").unwrap_err().contains("1 to 128"));
        assert!(Pattern::parse("a b").unwrap_err().contains("whitespace"));
        assert!(Pattern::parse("acc?").unwrap_err().contains("only `*`"));
        assert!(Pattern::parse("**").unwrap_err().contains("every field"));
    }
}
