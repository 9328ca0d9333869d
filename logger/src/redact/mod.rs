//! Redaction of sensitive field values, on the flusher, before any byte
//! reaches a file or the console.
//!
//! A rule names fields (exactly, or with `*` wildcards) among a record's
//! `fields` (its key-values, `log` key-values included) and its `context`
//! (`logger::bind!`), and says what their values become:
//!
//! - [`RedactAction::Mask`]: the string `"***"`;
//! - [`RedactAction::Hash`]: HMAC-SHA-256 of the value's text under a secret
//!   key, as 64 lowercase hex digits: equal values give equal hashes (logs
//!   stay joinable on them), and no one without the key can test a guess;
//! - [`RedactAction::KeepLast`]`(n)`: the last `n` characters (account
//!   numbers); a value of `n` characters or fewer is masked whole.
//!
//! The first rule that matches a field wins. The message (`msg`) and the
//! correlation id are never redacted: keep secrets in fields.

mod apply;
mod pattern;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) use apply::Redactor;
use pattern::Pattern;

/// Shortest key [`RedactAction::Hash`] accepts, in bytes.
pub const MIN_REDACT_KEY_BYTES: usize = 16;

/// What a redacted value becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedactAction {
    /// Replaced by `"***"`.
    Mask,
    /// Replaced by the HMAC-SHA-256 of its text (as written in the file:
    /// a string's bytes, a number's decimal digits) under the redaction key,
    /// as 64 lowercase hex digits. Needs [`Builder::redact_key`](crate::Builder::redact_key)
    /// or [`Builder::redact_key_file`](crate::Builder::redact_key_file).
    Hash,
    /// Cut to its last `n` characters (a string); a value of `n`
    /// characters or fewer becomes `"***"`. `n` is 1 to 64.
    KeepLast(usize),
}

/// One rule: fields whose name matches `pattern` get `action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedactRule {
    /// A field name, or one with `*` wildcards (`"account*"`, `"*_secret"`).
    pub pattern: String,
    /// What the value becomes.
    pub action: RedactAction,
}

/// Where the key of [`RedactAction::Hash`] comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum RedactKey {
    /// The key's bytes (at least [`MIN_REDACT_KEY_BYTES`]).
    Bytes(Vec<u8>),
    /// A file holding the key (its bytes, less one trailing newline), read
    /// at install.
    File(PathBuf),
}

impl fmt::Debug for RedactKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedactKey::Bytes(_) => f.write_str("RedactKey::Bytes(<hidden>)"),
            RedactKey::File(p) => f.debug_tuple("RedactKey::File").field(p).finish(),
        }
    }
}

/// The redaction rules of a logger and the key for hashing.
///
/// Set with [`Builder::redact`](crate::Builder::redact) and
/// [`Builder::redact_key`](crate::Builder::redact_key), or the
/// configuration file's `redact` and `redact_key_file` keys; checked by
/// [`Builder::install`](crate::Builder::install), whose error names the
/// option.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redaction {
    /// The rules, first match wins.
    pub rules: Vec<RedactRule>,
    /// The key of [`RedactAction::Hash`].
    pub key: Option<RedactKey>,
    /// The checked rules, set at install.
    compiled: Option<Arc<Compiled>>,
}

/// Checked rules and loaded key.
#[derive(PartialEq, Eq)]
pub(crate) struct Compiled {
    /// Pattern and action, in order.
    rules: Vec<(Pattern, RedactAction)>,
    /// The key, when a rule hashes.
    key: Option<Vec<u8>>,
}

impl fmt::Debug for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiled")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl Redaction {
    /// Checks the rules and loads the key; errors name the option.
    pub(crate) fn resolve(&mut self) -> Result<(), (&'static str, String)> {
        if self.rules.is_empty() {
            self.compiled = None;
            return Ok(());
        }
        let mut rules = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let pattern = Pattern::parse(&rule.pattern).map_err(|e| ("redact", e))?;
            if let RedactAction::KeepLast(n) = rule.action {
                if !(1..=64).contains(&n) {
                    return Err((
                        "redact",
                        format!(
                            "KeepLast({n}) for {:?}: keep 1 to 64 characters",
                            pattern.as_str()
                        ),
                    ));
                }
            }
            rules.push((pattern, rule.action));
        }
        let hashes = rules.iter().any(|(_, a)| *a == RedactAction::Hash);
        let key = match (&self.key, hashes) {
            (_, false) => None,
            (None, true) => {
                return Err((
                    "redact_key",
                    "a rule hashes values (RedactAction::Hash) but no key is set: use \
                     `redact_key` / `redact_key_file` (at least 16 random bytes)"
                        .into(),
                ));
            }
            (Some(RedactKey::Bytes(b)), true) => Some(check_key(b.clone(), "the key")?),
            (Some(RedactKey::File(p)), true) => {
                let mut b = std::fs::read(p).map_err(|e| {
                    (
                        "redact_key_file",
                        format!("cannot read {}: {e}", p.display()),
                    )
                })?;
                if b.last() == Some(&b'\n') {
                    b.pop();
                }
                Some(
                    check_key(b, &p.display().to_string())
                        .map_err(|(_, e)| ("redact_key_file", e))?,
                )
            }
        };
        self.compiled = Some(Arc::new(Compiled { rules, key }));
        Ok(())
    }

    /// The checked rules (after install), when there are any.
    pub(crate) fn compiled(&self) -> Option<&Arc<Compiled>> {
        self.compiled.as_ref()
    }
}

fn check_key(b: Vec<u8>, what: &str) -> Result<Vec<u8>, (&'static str, String)> {
    if b.len() < MIN_REDACT_KEY_BYTES {
        return Err((
            "redact_key",
            format!(
                "{what} is {} bytes: a hashing key needs at least {MIN_REDACT_KEY_BYTES} \
                 (e.g. `head -c 32 /dev/urandom > key`)",
                b.len()
            ),
        ));
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(r: &[(&str, RedactAction)]) -> Redaction {
        Redaction {
            rules: r
                .iter()
                .map(|&(p, action)| RedactRule {
                    pattern: p.into(),
                    action,
                })
                .collect(),
            ..Redaction::default()
        }
    }

    #[test]
    fn no_rules_compile_to_nothing() {
        let mut r = Redaction::default();
        r.resolve().unwrap();
        assert!(r.compiled().is_none());
    }

    #[test]
    fn errors_name_the_option() {
        let mut r = rules(&[("a b", RedactAction::Mask)]);
        assert_eq!(r.resolve().unwrap_err().0, "redact");
        let mut r = rules(&[("acct", RedactAction::KeepLast(0))]);
        assert!(r.resolve().unwrap_err().1.contains("KeepLast(0)"));
        let mut r = rules(&[("acct", RedactAction::Hash)]);
        assert_eq!(r.resolve().unwrap_err().0, "redact_key");
        r.key = Some(RedactKey::Bytes(b"short".to_vec()));
        let (opt, msg) = r.resolve().unwrap_err();
        assert_eq!(opt, "redact_key");
        assert!(msg.contains("5 bytes"), "{msg}");
        r.key = Some(RedactKey::File("/nonexistent/key".into()));
        let (opt, msg) = r.resolve().unwrap_err();
        assert_eq!(opt, "redact_key_file");
        assert!(msg.contains("/nonexistent/key"), "{msg}");
        r.key = Some(RedactKey::Bytes(vec![7; 16]));
        r.resolve().unwrap();
        assert!(r.compiled().is_some());
        assert!(!format!("{r:?}").contains("7, 7"), "the key is never shown");
    }
}
