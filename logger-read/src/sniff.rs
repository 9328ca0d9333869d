//! Whether a destination's files hold the JSON lines this crate reads.
//!
//! A file can be written with a named formatter (`"formatter"` in the
//! logger's configuration): the text format, logfmt, or JSON with keys
//! renamed. The readers of this crate read the standard JSON lines only,
//! so such a destination is recognised from the first lines of its files
//! and skipped as a whole, with one message naming it and its format
//! ([`Foreign`]), rather than reported line by line.
//!
//! The verdict takes the first [`SAMPLE_LINES`] complete lines of the
//! destination's oldest readable file: the destination is foreign when
//! every one of them is foreign (one damaged line in a JSON file does not
//! make it foreign). Encrypted files are not sniffed (they need keys).

use std::fmt;
use std::path::Path;

use crate::files::{Destination, LogFile};
use crate::lines::{LineReader, ReaderOptions};
use crate::record::RecordView;

/// Lines sampled per destination.
pub const SAMPLE_LINES: usize = 3;

/// The top-level keys of a record, in the order the logger writes them
/// (the logger's `JSON_KEYS`): a line with another top-level key was
/// written with renamed keys.
pub const RECORD_KEYS: [&str; 17] = [
    "ts",
    "level",
    "kind",
    "target",
    "service",
    "msg",
    "module",
    "file",
    "line",
    "function",
    "thread",
    "tid",
    "pid",
    "host",
    "correlation_id",
    "context",
    "fields",
];

/// A format other than the standard JSON lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Foreign {
    /// The text format: `2026-11-21 10:30:45.123456789 | INFO  | ...`.
    Text,
    /// logfmt: `ts=... level=info kind=log ...`.
    Logfmt,
    /// JSON objects with a key that is not a record key (a renamed key,
    /// named here), or without a key the readers need.
    RenamedJson(String),
    /// Lines of another kind.
    Other,
}

impl fmt::Display for Foreign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Foreign::Text => f.write_str("written in the text format"),
            Foreign::Logfmt => f.write_str("written in logfmt"),
            Foreign::RenamedJson(why) => write!(f, "JSON with renamed keys ({why})"),
            Foreign::Other => f.write_str("not JSON lines"),
        }
    }
}

/// What one line is: `None` for a record with the standard keys.
pub fn classify(line: &[u8]) -> Option<Foreign> {
    let trimmed = line.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(line)
        else {
            return Some(Foreign::Other);
        };
        if let Some(k) = map.keys().find(|k| !RECORD_KEYS.contains(&k.as_str())) {
            return Some(Foreign::RenamedJson(format!("`{k}` is not a record key")));
        }
        for key in ["ts", "level", "kind", "target", "msg"] {
            if !map.contains_key(key) {
                return Some(Foreign::RenamedJson(format!("no `{key}`")));
            }
        }
        return match RecordView::parse(line) {
            Ok(_) => None,
            Err(e) => Some(Foreign::RenamedJson(e.to_string())),
        };
    }
    if line.starts_with(b"ts=") {
        return Some(Foreign::Logfmt);
    }
    if is_text_line(line) {
        return Some(Foreign::Text);
    }
    Some(Foreign::Other)
}

/// `YYYY-MM-DD HH:MM:SS` at the start: the text format's timestamp.
fn is_text_line(line: &[u8]) -> bool {
    const SHAPE: &[u8] = b"0000-00-00 00:00:00";
    line.len() > SHAPE.len()
        && line.iter().zip(SHAPE).all(|(&b, &s)| match s {
            b'0' => b.is_ascii_digit(),
            s => b == s,
        })
}

/// What one file holds: `Some` when its first [`SAMPLE_LINES`] complete
/// lines are all in another format than the standard JSON lines (the
/// first one's format), `None` when one of them is a record, when the
/// file has no complete line yet, or when it cannot be sniffed (encrypted,
/// unreadable: its reader reports that).
pub fn file_format(file: &LogFile) -> Option<Foreign> {
    sample(file).1
}

/// How many lines of `file` were sampled (0: nothing to judge), and the
/// verdict of [`file_format`].
fn sample(file: &LogFile) -> (usize, Option<Foreign>) {
    if file.encrypted {
        return (0, None);
    }
    let opts = ReaderOptions {
        buffer_bytes: 64 << 10,
        ..ReaderOptions::default()
    };
    let Ok(mut r) = LineReader::open_at(file, 0, opts) else {
        return (0, None);
    };
    let mut verdict = None;
    let mut sampled = 0;
    while sampled < SAMPLE_LINES {
        match r.next_line() {
            None => break,
            Some(Err(_)) => continue,
            Some(Ok(l)) => {
                sampled += 1;
                match classify(l.bytes) {
                    None => return (sampled, None),
                    Some(f) => {
                        verdict.get_or_insert(f);
                    }
                }
            }
        }
    }
    (sampled, verdict)
}

/// The format of a destination: that of its oldest file with a complete
/// line ([`file_format`]); `None` for records or nothing to judge yet.
pub fn foreign_format(dest: &Destination) -> Option<Foreign> {
    dest.files
        .iter()
        .map(sample)
        .find(|(sampled, _)| *sampled > 0)
        .and_then(|(_, verdict)| verdict)
}

/// Takes out of `dests` every file written in another format than the
/// standard JSON lines (and a destination left without files), and says
/// what was taken out: one message per destination ([`describe`]).
pub fn split_foreign(dests: Vec<Destination>) -> (Vec<Destination>, Vec<String>) {
    let mut kept = Vec::new();
    let mut messages = Vec::new();
    for mut d in dests {
        let mut skipped: Vec<Foreign> = Vec::new();
        d.files.retain(|f| match file_format(f) {
            Some(format) => {
                skipped.push(format);
                false
            }
            None => true,
        });
        if let Some(format) = skipped.first() {
            messages.push(describe(&d.dir, &d.stem, skipped.len(), format, "skipped"));
        }
        if !d.files.is_empty() {
            kept.push(d);
        }
    }
    (kept, messages)
}

/// `logs/errors.log: 3 files written in the text format, not the standard
/// JSON lines this reader reads: skipped (...)`: `files` of destination
/// `stem` in `dir` are in `format`; `outcome` says what the reader does
/// (`skipped`).
pub fn describe(dir: &Path, stem: &str, files: usize, format: &Foreign, outcome: &str) -> String {
    let files = match files {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    format!(
        "{}: {files} {format}, not the standard JSON lines this reader reads: {outcome} \
         (see \"Files in another format\" in docs/configuration.md)",
        dir.join(format!("{stem}.log")).display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_is_recognised_from_a_line() {
        let json = br#"{"ts":"2026-11-21T10:30:45.123456789Z","level":"INFO","kind":"log","target":"app","service":"app","msg":"hi","fields":{}}"#;
        assert_eq!(classify(json), None);
        let left_out = br#"{"ts":"2026-11-21T10:30:45.123Z","level":"INFO","kind":"log","target":"app","msg":"hi"}"#;
        assert_eq!(classify(left_out), None);
        let renamed = br#"{"@timestamp":"2026-11-21T10:30:45Z","level":"INFO","kind":"log","target":"app","msg":"hi"}"#;
        assert_eq!(
            classify(renamed),
            Some(Foreign::RenamedJson(
                "`@timestamp` is not a record key".into()
            ))
        );
        let epoch =
            br#"{"ts":1795305598999999000,"level":"INFO","kind":"log","target":"a","msg":"m"}"#;
        assert!(matches!(classify(epoch), Some(Foreign::RenamedJson(_))));
        let text = b"2026-11-21 10:30:45.123456789 | INFO  | app:1 | hi";
        assert_eq!(classify(text), Some(Foreign::Text));
        assert_eq!(
            classify(b"2026-11-21 10:30:45.123456789\tINFO \tapp:1\thi"),
            Some(Foreign::Text)
        );
        assert_eq!(
            classify(b"ts=2026-11-21T10:30:45Z level=info kind=log"),
            Some(Foreign::Logfmt)
        );
        assert_eq!(classify(b"{not json"), Some(Foreign::Other));
        assert_eq!(classify(b"[1,2]"), Some(Foreign::Other));
        assert_eq!(classify(b""), Some(Foreign::Other));
        assert_eq!(classify("\u{0}\u{ff}é".as_bytes()), Some(Foreign::Other));
    }
}
