//! The security options: file and directory modes, encryption of rotated
//! files, redaction. Their builder methods, their configuration-file keys,
//! and their checks at install (each error names the option).
//!
//! Reference: `docs/security.md`.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::Config;
use crate::error::InitError;
use crate::install::Builder;
use crate::redact::{RedactAction, RedactKey, RedactRule};
use crate::sink::encrypt::Encryption;
use crate::sink::permissions::check_mode;

impl Builder {
    /// Mode of every log file the logger creates (default
    /// [`DEFAULT_FILE_MODE`](crate::DEFAULT_FILE_MODE), `0o640`), whatever
    /// the umask; rotated, compressed and encrypted files keep it. An
    /// existing file with a looser mode is reported once on stderr and left
    /// as it is. The owner must keep read and write (`0o600`); only the
    /// permission bits (`0o777`) are allowed.
    ///
    /// ```no_run
    /// let _guard = logger::builder().file_mode(0o600).install().unwrap();
    /// ```
    pub fn file_mode(mut self, mode: u32) -> Self {
        self.config.rotation.file_mode = mode;
        self
    }

    /// Mode of the directory (and of its missing parents) when
    /// [`Builder::create_dir`] creates it (default
    /// [`DEFAULT_DIR_MODE`](crate::DEFAULT_DIR_MODE), `0o750`), whatever the
    /// umask. The owner must keep `rwx` (`0o700`).
    pub fn dir_mode(mut self, mode: u32) -> Self {
        self.config.dir_mode = mode;
        self
    }

    /// Encrypt rotated files in the age format, on the housekeeping thread
    /// (default `None`), after compression when [`Builder::compress`] is on:
    /// `<rotated>.log.age` or `<rotated>.log.gz.age`, decrypted by
    /// `age -d -i key.txt`. The active file stays plaintext until it
    /// rotates. Keys are read and checked at install.
    ///
    /// ```no_run
    /// use logger::Encryption;
    /// let _guard = logger::builder()
    ///     .compress(true)
    ///     .encryption(Some(Encryption::recipients_file("/etc/trading/log-recipients.txt")))
    ///     .install()
    ///     .unwrap();
    /// ```
    pub fn encryption(mut self, encryption: Option<Encryption>) -> Self {
        self.config.rotation.encryption = encryption;
        self
    }

    /// Adds a redaction rule (default: none): the values of fields (in
    /// `fields`, `log` key-values included, and in `context`) whose name
    /// matches `pattern` (exact, or with `*` wildcards) are replaced as
    /// `action` says, on the flusher, before any byte reaches a file or the
    /// console. The first matching rule wins; the message is not redacted.
    ///
    /// ```no_run
    /// use logger::RedactAction;
    /// let _guard = logger::builder()
    ///     .redact("password", RedactAction::Mask)
    ///     .redact("client_*", RedactAction::Hash)
    ///     .redact("account", RedactAction::KeepLast(4))
    ///     .redact_key_file("/etc/trading/redact.key")
    ///     .install()
    ///     .unwrap();
    /// log::info!(account = "DE89370400440532013000"; "wire"); // "account":"3000"
    /// ```
    pub fn redact(mut self, pattern: impl Into<String>, action: RedactAction) -> Self {
        self.config.redaction.rules.push(RedactRule {
            pattern: pattern.into(),
            action,
        });
        self
    }

    /// The key of [`RedactAction::Hash`] (at least
    /// [`MIN_REDACT_KEY_BYTES`](crate::MIN_REDACT_KEY_BYTES) bytes, random).
    pub fn redact_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.config.redaction.key = Some(RedactKey::Bytes(key.into()));
        self
    }

    /// The key of [`RedactAction::Hash`], read from a file at install (its
    /// bytes, less one trailing newline).
    pub fn redact_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.redaction.key = Some(RedactKey::File(path.into()));
        self
    }
}

/// Checks the modes, reads and checks the encryption keys and the
/// redaction rules and key. Run by `install()` after the other checks.
pub(crate) fn prepare(config: &mut Config) -> Result<(), InitError> {
    let invalid = |option, reason| InitError::InvalidOption { option, reason };
    check_mode(config.rotation.file_mode, 0o600).map_err(|e| invalid("file_mode", e))?;
    check_mode(config.dir_mode, 0o700).map_err(|e| invalid("dir_mode", e))?;
    if let Some(enc) = config.rotation.encryption.as_mut() {
        enc.resolve("encryption")
            .map_err(|e| invalid("encryption", e))?;
    }
    config
        .redaction
        .resolve()
        .map_err(|(option, reason)| invalid(option, reason))
}

/// The security keys of the configuration file.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileKeys {
    /// `"0640"`: octal, as a string.
    pub file_mode: Option<String>,
    /// `"0750"`.
    pub dir_mode: Option<String>,
    /// `["age1...", ...]`.
    pub encrypt_recipients: Option<Vec<String>>,
    /// A recipients file.
    pub encrypt_recipients_file: Option<PathBuf>,
    /// A file whose first line is the passphrase.
    pub encrypt_passphrase_file: Option<PathBuf>,
    /// `[{"field": "password", "action": "mask"}, ...]`.
    pub redact: Option<Vec<FileRule>>,
    /// The hashing key's file.
    pub redact_key_file: Option<PathBuf>,
}

/// One rule of the file's `redact` list.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileRule {
    /// The field name or pattern.
    field: String,
    /// `mask`, `hash` or `keep_last`.
    action: String,
    /// Characters kept by `keep_last`.
    chars: Option<usize>,
}

impl FileKeys {
    /// Applies the keys present over `config`.
    pub(crate) fn apply(self, config: &mut Config) -> Result<(), InitError> {
        let invalid = |option, reason| InitError::InvalidOption { option, reason };
        if let Some(v) = self.file_mode {
            config.rotation.file_mode = octal(&v).map_err(|e| invalid("file_mode", e))?;
        }
        if let Some(v) = self.dir_mode {
            config.dir_mode = octal(&v).map_err(|e| invalid("dir_mode", e))?;
        }
        let sources = [
            self.encrypt_recipients.map(Encryption::recipients),
            self.encrypt_recipients_file
                .map(Encryption::recipients_file),
            self.encrypt_passphrase_file
                .map(Encryption::passphrase_file),
        ];
        let mut given = sources.into_iter().flatten();
        if let Some(enc) = given.next() {
            if given.next().is_some() {
                return Err(invalid(
                    "encrypt_recipients",
                    "give one of encrypt_recipients, encrypt_recipients_file and \
                     encrypt_passphrase_file (age cannot mix recipients and a passphrase)"
                        .into(),
                ));
            }
            config.rotation.encryption = Some(enc);
        }
        if let Some(rules) = self.redact {
            config.redaction.rules = rules
                .into_iter()
                .map(FileRule::into_rule)
                .collect::<Result<_, _>>()
                .map_err(|e| invalid("redact", e))?;
        }
        if let Some(path) = self.redact_key_file {
            config.redaction.key = Some(RedactKey::File(path));
        }
        Ok(())
    }
}

impl FileRule {
    fn into_rule(self) -> Result<RedactRule, String> {
        let action = match (self.action.as_str(), self.chars) {
            ("mask", None) => RedactAction::Mask,
            ("hash", None) => RedactAction::Hash,
            ("keep_last", Some(n)) => RedactAction::KeepLast(n),
            ("keep_last", None) => {
                return Err(format!(
                    "rule for {:?}: \"keep_last\" needs \"chars\": the number of characters kept",
                    self.field
                ));
            }
            ("mask" | "hash", Some(_)) => {
                return Err(format!(
                    "rule for {:?}: \"chars\" goes only with \"keep_last\"",
                    self.field
                ));
            }
            (other, _) => {
                return Err(format!(
                    "rule for {:?}: action {other:?} is not allowed: expected \"mask\", \"hash\" \
                     or \"keep_last\"",
                    self.field
                ));
            }
        };
        Ok(RedactRule {
            pattern: self.field,
            action,
        })
    }
}

/// Parses an octal mode written as a string (`"0640"`, `"640"`).
fn octal(v: &str) -> Result<u32, String> {
    let digits = v.strip_prefix("0o").unwrap_or(v);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return Err(format!(
            "{v:?} is not an octal mode: expected a string such as \"0640\""
        ));
    }
    u32::from_str_radix(digits, 8).map_err(|e| format!("{v:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(json: &str) -> Result<Config, InitError> {
        let keys: FileKeys = serde_json::from_str(json).unwrap();
        let mut c = Config::default();
        keys.apply(&mut c)?;
        prepare(&mut c)?;
        Ok(c)
    }

    fn option(json: &str) -> (&'static str, String) {
        match apply(json) {
            Err(InitError::InvalidOption { option, reason }) => (option, reason),
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn keys_are_applied() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        std::fs::write(&key, [9u8; 32]).unwrap();
        let c = apply(&format!(
            r#"{{"file_mode": "0600", "dir_mode": "0700",
                 "redact": [{{"field": "pw", "action": "mask"}},
                            {{"field": "acct*", "action": "keep_last", "chars": 4}},
                            {{"field": "client", "action": "hash"}}],
                 "redact_key_file": {key:?}}}"#
        ))
        .unwrap();
        assert_eq!(c.rotation.file_mode, 0o600);
        assert_eq!(c.dir_mode, 0o700);
        assert_eq!(c.redaction.rules[1].action, RedactAction::KeepLast(4));
        assert!(c.redaction.compiled().is_some());
    }

    #[test]
    fn each_error_names_its_key() {
        assert_eq!(option(r#"{"file_mode": "644x"}"#).0, "file_mode");
        assert_eq!(option(r#"{"file_mode": "0440"}"#).0, "file_mode");
        assert_eq!(option(r#"{"dir_mode": "0650"}"#).0, "dir_mode");
        let (k, r) = option(r#"{"encrypt_recipients": ["age1bad"]}"#);
        assert_eq!(k, "encryption");
        assert!(r.contains("age1bad"), "{r}");
        let (k, _) =
            option(r#"{"encrypt_recipients": [], "encrypt_passphrase_file": "/nonexistent"}"#);
        assert_eq!(k, "encrypt_recipients");
        let (k, r) = option(r#"{"encrypt_passphrase_file": "/nonexistent/pass"}"#);
        assert_eq!(k, "encryption");
        assert!(r.contains("/nonexistent/pass"), "{r}");
        assert_eq!(
            option(r#"{"redact": [{"field": "a", "action": "blur"}]}"#).0,
            "redact"
        );
        assert!(
            option(r#"{"redact": [{"field": "a", "action": "keep_last"}]}"#)
                .1
                .contains("chars")
        );
        assert_eq!(
            option(r#"{"redact": [{"field": "a", "action": "hash"}]}"#).0,
            "redact_key"
        );
        assert_eq!(
            option(r#"{"redact": [{"field": "a", "action": "hash"}], "redact_key_file": "/nonexistent"}"#).0,
            "redact_key_file"
        );
    }
}
