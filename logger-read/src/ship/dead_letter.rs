//! The dead-letter file: records a receiver rejected, or that passed the
//! retry limit, one JSON object per line with the reason.
//!
//! ```text
//! {"at":"2026-11-29T21:04:05.123456Z","destination":"postgres","reason":"value too long for type character varying(50)","source":"/var/log/app/app","offset":18342,"record":{"ts":"...","level":"INFO",...}}
//! ```
//!
//! `record` is the original line when it is JSON, else `line` holds it as a
//! (lossy UTF-8) string. Each entry is written with one `write` call and
//! flushed to the kernel before the shipper moves on.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::value::RawValue;

use super::error::ShipError;

/// An append-only JSON-lines file of rejected records.
///
/// ```no_run
/// use logger_read::ship::DeadLetter;
/// let mut dl = DeadLetter::open("/var/log/app/dead-letter.jsonl".as_ref())?;
/// dl.write("postgres", "app.log of /var/log/app", 120, br#"{"ts":"x"}"#, "bad value")?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
#[derive(Debug)]
pub struct DeadLetter {
    path: PathBuf,
    file: File,
    written: u64,
    line: Vec<u8>,
}

impl DeadLetter {
    /// Opens (creating it and its directory if needed) the file at `path`
    /// for appending.
    ///
    /// # Errors
    /// `ShipError::Fatal` naming the path when it cannot be created or opened.
    pub fn open(path: &Path) -> Result<Self, ShipError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ShipError::fatal(
                    "dead-letter",
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                ShipError::fatal(
                    "dead-letter",
                    format!("cannot open {}: {e}", path.display()),
                )
            })?;
        Ok(Self {
            path: path.to_owned(),
            file,
            written: 0,
            line: Vec::new(),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Entries written through this handle.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Appends one entry: the destination's name, where the record came
    /// from (`source` and the byte `offset` of its line), the record's line
    /// (without newline) and the reason it was rejected.
    ///
    /// # Errors
    /// `ShipError::Fatal` naming the file when the write fails.
    pub fn write(
        &mut self,
        destination: &str,
        source: &str,
        offset: u64,
        record: &[u8],
        reason: &str,
    ) -> Result<(), ShipError> {
        #[derive(serde::Serialize)]
        struct Entry<'a> {
            at: String,
            destination: &'a str,
            reason: &'a str,
            source: &'a str,
            offset: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            record: Option<&'a RawValue>,
            #[serde(skip_serializing_if = "Option::is_none")]
            line: Option<String>,
        }
        let raw = std::str::from_utf8(record)
            .ok()
            .and_then(|s| serde_json::from_str::<&RawValue>(s).ok());
        let entry = Entry {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            destination,
            reason,
            source,
            offset,
            line: raw
                .is_none()
                .then(|| String::from_utf8_lossy(record).into_owned()),
            record: raw,
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &entry).expect("serialising to a Vec cannot fail");
        self.line.push(b'\n');
        self.file
            .write_all(&self.line)
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                ShipError::fatal(
                    "dead-letter",
                    format!("cannot write {}: {e}", self.path.display()),
                )
            })?;
        self.written += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_json_records_and_raw_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dead.jsonl");
        let mut dl = DeadLetter::open(&path).unwrap();
        dl.write("pg", "s", 7, br#"{"ts":"t","msg":"a"}"#, "too long")
            .unwrap();
        dl.write("pg", "s", 9, b"not json \xff", "not JSON")
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["record"]["msg"], "a");
        assert_eq!(lines[0]["reason"], "too long");
        assert_eq!(lines[0]["offset"], 7);
        assert_eq!(lines[1]["line"], "not json \u{fffd}");
        assert_eq!(dl.written(), 2);
    }
}
