//! The filter's [`Record`] questions answered by the reader's
//! [`RecordView`]: `ts`, `level`, `kind`, `target`, `service` and `msg`
//! come from its scanner without parsing the line; `--where` paths from
//! its raw-text walk (`RecordView::get`), parsed only at the leaf.

use std::borrow::Cow;

use logger_read::{JsonStr, Level, RecordView};
use serde_json::Value;

use crate::filter::Record;

/// A JSON string's text as written; keys such as `kind` and `target` never
/// need escapes, so this is their value.
fn text<'a>(s: JsonStr<'a>) -> Option<&'a str> {
    std::str::from_utf8(s.raw()).ok()
}

impl Record for RecordView<'_> {
    fn ts_ns(&self) -> Option<i128> {
        Some(i128::from(self.ts().as_nanos()))
    }
    fn severity(&self) -> Option<Level> {
        Some(self.level())
    }
    fn kind(&self) -> Option<&str> {
        text(RecordView::kind(self))
    }
    fn target(&self) -> Option<&str> {
        text(RecordView::target(self))
    }
    fn service(&self) -> Option<&str> {
        RecordView::service(self).and_then(text)
    }
    fn msg(&self) -> Option<Cow<'_, str>> {
        RecordView::msg(self).map(|m| m.to_str())
    }
    fn correlation_id(&self) -> Option<Cow<'_, str>> {
        RecordView::correlation_id(self).and_then(|c| c.as_text())
    }
    fn get(&self, path: &str) -> Option<Value> {
        match path {
            // Served by the scanner; `get` walks from the middle keys on.
            "ts" => Some(Value::String(self.ts_raw().to_string())),
            "level" => Some(Value::String(self.level().as_str().to_string())),
            _ => RecordView::get(self, path).and_then(|raw| raw.to_value().ok()),
        }
    }
    fn raw_json(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        let raw = match path {
            "fields" => RecordView::fields(self),
            _ => RecordView::get(self, path),
        };
        raw.map(|raw| Cow::Borrowed(raw.raw()))
    }
}
