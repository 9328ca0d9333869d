//! Field-name patterns: exact names, or names with `*` wildcards.

/// A checked pattern: literal parts separated by `*` (each `*` matches any
/// run of characters, the empty one included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// The pattern as written.
    text: String,
    /// No `*`: the name must equal `text`.
    exact: bool,
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
            exact: !text.contains('*'),
        })
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `name` matches.
    #[inline]
    pub(crate) fn matches(&self, name: &str) -> bool {
        if self.exact {
            return self.text == name;
        }
        glob(self.text.as_bytes(), name.as_bytes())
    }
}

/// `*`-only glob: literal runs in order, the first anchored at the start
/// and the last at the end.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    let mut parts = pattern.split(|&b| b == b'*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&[u8]> = parts.collect();
    let Some(last) = parts.pop() else {
        return rest.is_empty();
    };
    for part in parts {
        if part.is_empty() {
            continue;
        }
        match rest.windows(part.len()).position(|w| w == part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
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
