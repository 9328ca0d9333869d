//! [`Prefilter`]: reject a line by `level`, `kind` or `correlation_id`
//! before building a [`crate::RecordView`], from the bytes alone.
//!
//! The writer's key order puts `level` and `kind` at the start of every line,
//! and `correlation_id` right after `host`. A string value never holds an
//! unescaped `"`, so the byte sequence `,"correlation_id":` can only be a key;
//! the top-level one is the one that directly follows the `host` value (the
//! same key inside `context` or `fields` comes later). When a line does not
//! have the writer's shape, the prefilter answers "maybe" and the caller
//! decides on the full view ([`Prefilter::matches`] does both).

use memchr::memmem::Finder;

use crate::json_scan::{scalar_end, string_end};
use crate::level::Level;
use crate::record::{JsonStr, RawJson, RecordView};

/// A cheap filter on `level` (at or above), `kind` (one of) and
/// `correlation_id` (equal to, as text: `74999` matches the number and the
/// string `"74999"`).
///
/// # Examples
///
/// ```
/// use logger_read::{Level, Prefilter};
/// let f = Prefilter::new().min_level(Level::Warn).correlation_id("74999");
/// let line = br#"{"ts":"2026-11-21T11:07:51.545259128Z","level":"WARN","kind":"log","target":"t","service":"s","msg":"m","module":"m","file":"f","line":1,"thread":"t","tid":1,"pid":1,"host":"vm","correlation_id":74999}"#;
/// assert!(f.might_match(line));
/// assert!(!Prefilter::new().min_level(Level::Error).might_match(line));
/// assert!(!Prefilter::new().kind("trade").might_match(line));
/// assert!(!Prefilter::new().correlation_id("7499").might_match(line));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Prefilter {
    min_level: Option<Level>,
    kinds: Vec<String>,
    correlation_id: Option<(String, Finder<'static>)>,
}

const CORR_KEY: &[u8] = b",\"correlation_id\":";
const HOST_KEY: &[u8] = b",\"host\":";

impl Prefilter {
    /// A filter that lets everything through.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps records at `level` or more severe.
    pub fn min_level(mut self, level: Level) -> Self {
        self.min_level = Some(level);
        self
    }

    /// Keeps records of kind `kind` (call again to allow several kinds).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kinds.push(kind.into());
        self
    }

    /// Keeps records whose `correlation_id`, as text, is `id`.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some((id.into(), Finder::new(CORR_KEY).into_owned()));
        self
    }

    /// Whether the filter lets everything through.
    pub fn is_empty(&self) -> bool {
        self.min_level.is_none() && self.kinds.is_empty() && self.correlation_id.is_none()
    }

    /// `false` only if the line certainly does not match; `true` if it
    /// matches or has a shape the byte scan cannot judge.
    #[inline]
    pub fn might_match(&self, line: &[u8]) -> bool {
        if self.min_level.is_some() || !self.kinds.is_empty() {
            if let Some((level, kind)) = head(line) {
                if let Some(min) = self.min_level {
                    match Level::from_record_bytes(level) {
                        Some(l) if l < min => return false,
                        _ => {}
                    }
                }
                if !self.kinds.is_empty()
                    && !kind.is_escaped()
                    && !self.kinds.iter().any(|k| kind.raw() == k.as_bytes())
                {
                    return false;
                }
            }
        }
        if let Some((id, finder)) = &self.correlation_id {
            if let Some(found) = corr_fast(line, finder) {
                return match found {
                    None => false,
                    Some(raw) => RawJson(raw).as_text().is_some_and(|t| t == *id),
                };
            }
        }
        true
    }

    /// Whether the record matches, exactly: [`Prefilter::might_match`], then
    /// the full view for lines it could not judge.
    pub fn matches(&self, line: &[u8]) -> bool {
        if !self.might_match(line) {
            return false;
        }
        let Ok(r) = RecordView::parse(line) else {
            return self.is_empty();
        };
        self.matches_view(&r)
    }

    /// Whether a record already parsed matches.
    pub fn matches_view(&self, r: &RecordView<'_>) -> bool {
        if self.min_level.is_some_and(|m| r.level() < m) {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.iter().any(|k| r.kind().eq_str(k)) {
            return false;
        }
        if let Some((id, _)) = &self.correlation_id {
            return r
                .correlation_id()
                .and_then(|c| c.as_text())
                .is_some_and(|t| t == *id);
        }
        true
    }
}

/// The raw `level` content and `kind` string of a line in the writer's order.
#[inline(always)]
fn head(line: &[u8]) -> Option<(&[u8], JsonStr<'_>)> {
    let rest = line.strip_prefix(b"{\"ts\":\"")?;
    let q = memchr::memchr(b'"', rest)? + 1;
    let rest = rest[q..].strip_prefix(b",\"level\":\"")?;
    let e = memchr::memchr(b'"', rest)?;
    let level = &rest[..e];
    let rest = rest[e + 1..].strip_prefix(b",\"kind\":")?;
    let (end, escaped) = string_end(rest, 0)?;
    let kind = JsonStr::new_unchecked(&rest[..end], escaped);
    Some((level, kind))
}

/// The top-level `correlation_id` by the byte scan: `Some(None)` when the
/// line certainly has none, `Some(Some(raw))` for its raw value, `None`
/// when the scan cannot tell.
#[inline]
fn corr_fast<'a>(line: &'a [u8], finder: &Finder<'_>) -> Option<Option<&'a [u8]>> {
    if !line.starts_with(b"{\"ts\":\"") {
        return None;
    }
    let Some(c) = finder.find(line) else {
        return Some(None);
    };
    // Top level only if the `host` value ends right before it.
    let host = memchr::memmem::rfind(&line[..c], HOST_KEY)?;
    let (host_end, _) = string_end(line, host + HOST_KEY.len())?;
    if host_end != c {
        return Some(None);
    }
    let v = c + CORR_KEY.len();
    let end = match line.get(v)? {
        b'"' => string_end(line, v)?.0,
        _ => scalar_end(line, v)?,
    };
    Some(Some(&line[v..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(corr: &str, fields: &str) -> Vec<u8> {
        format!(
            r#"{{"ts":"2026-11-21T11:07:51.545259128Z","level":"INFO","kind":"trade","target":"t","service":"s","msg":"has ,\"correlation_id\":1 inside","module":"m","file":"f","line":1,"thread":"t","tid":1,"pid":1,"host":"h"{corr}{fields}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn correlation_id_only_at_top_level() {
        let f = Prefilter::new().correlation_id("1");
        assert!(f.matches(&line(r#","correlation_id":1"#, "")));
        assert!(f.matches(&line(r#","correlation_id":"1""#, "")));
        assert!(!f.matches(&line(r#","correlation_id":12"#, "")));
        assert!(!f.matches(&line("", r#","fields":{"correlation_id":1}"#)));
        assert!(!f.matches(&line(
            r#","correlation_id":2"#,
            r#","fields":{"correlation_id":1}"#
        )));
        let f = Prefilter::new().correlation_id("a\"b");
        assert!(f.matches(&line(r#","correlation_id":"a\"b""#, "")));
    }

    #[test]
    fn fast_and_exact_agree_on_other_shapes() {
        let reordered = br#"{"level":"INFO","ts":"2026-11-21T11:07:51.545259128Z","kind":"log","target":"t","correlation_id":7}"#;
        let f = Prefilter::new().min_level(Level::Warn);
        assert!(f.might_match(reordered));
        assert!(!f.matches(reordered));
        let f = Prefilter::new().correlation_id("7");
        assert!(f.matches(reordered));
        assert!(!Prefilter::new().kind("trade").matches(reordered));
        assert!(
            Prefilter::new()
                .kind("trade")
                .kind("log")
                .matches(reordered)
        );
    }
}
