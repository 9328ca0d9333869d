//! Formatters: a [`RecordView`] into bytes of one line.
//!
//! Formatting runs on the flusher thread only. Both formats write into a
//! reused buffer and end every record with exactly one `\n`.

mod digits;
mod float;
mod fragments;
mod from_spec;
mod json;
mod json_timestamp;
mod logfmt;
mod pattern;
mod planned_field;
mod planned_message;
mod planned_timestamp;
mod text;
mod time_layout;
mod timestamp;
mod unique_keys;
mod xml;

/// The key each field of `fields` is written under (repeats renamed), for
/// the property tests and fuzz targets.
pub(crate) fn unique_names(fields: &[crate::view::Field<'_>]) -> Vec<String> {
    match unique_keys::UniqueKeys::default().names(fields) {
        Some(names) => names
            .into_iter()
            .map(std::borrow::Cow::into_owned)
            .collect(),
        None => fields.iter().map(|f| f.key.to_string()).collect(),
    }
}

pub use fragments::Site;
pub(crate) use fragments::{WordHasher, same};
pub(crate) use from_spec::{MAX_NAMED_FORMATTERS, Shared, build, default_spec};
pub use json::JsonFormatter;
pub(crate) use json::{KeptLine, Unwritten, read_planned_fields};
pub use logfmt::LogfmtFormatter;
pub use pattern::{Pattern, PatternFormatter};
pub(crate) use planned_field::PlannedKey;
pub(crate) use planned_message::PlannedMessage;
pub use text::TextFormatter;
pub(crate) use time_layout::{Layout, strftime};
pub use xml::XmlFormatter;

use crate::view::RecordView;

/// Turns a record into one line of output.
pub trait Formatter: Send {
    /// Appends the record, terminated by `\n`, to `out`.
    fn format(&mut self, record: &RecordView<'_>, out: &mut Vec<u8>);

    /// The same as [`Formatter::format`] (the same bytes), for a record of
    /// call site `site` (see `Site::of`): a formatter may copy what it
    /// rendered for an earlier record of the site on the same thread.
    fn format_at(&mut self, site: Option<Site>, record: &RecordView<'_>, out: &mut Vec<u8>) {
        let _ = site;
        self.format(record, out);
    }

    /// This formatter as the JSON one, for the flusher's fast lane (see
    /// `backend::fast_lane`); `None` for every other format.
    fn as_json(&mut self) -> Option<&mut JsonFormatter> {
        None
    }
}

/// Appends a value as plain text, used to fill message templates:
/// integers, `bool` and `char` as `Display` shows them, strings copied as
/// they are, a finite float in ryu's shortest round-trip form (`100.0`,
/// `1e21`, where `Display` writes `100` and `1000000000000000000000`).
/// Short pieces are copied without a `memcpy` call.
pub(crate) fn write_value_plain(out: &mut Vec<u8>, value: crate::view::Value<'_>) {
    use crate::short_copy::extend_short;
    use crate::view::Value;
    match value {
        Value::Null => extend_short(out, b"null"),
        Value::Bool(b) => extend_short(out, if b { b"true" } else { b"false" }),
        Value::U64(x) => extend_short(out, itoa::Buffer::new().format(x).as_bytes()),
        Value::I64(x) => extend_short(out, itoa::Buffer::new().format(x).as_bytes()),
        Value::U128(x) => out.extend_from_slice(itoa::Buffer::new().format(x).as_bytes()),
        Value::I128(x) => out.extend_from_slice(itoa::Buffer::new().format(x).as_bytes()),
        Value::F64(x) if x.is_finite() => float::write_finite(out, x),
        Value::F64(x) => {
            use std::io::Write;
            let _ = write!(out, "{x}");
        }
        Value::Char(c) => extend_short(out, c.encode_utf8(&mut [0; 4]).as_bytes()),
        Value::Str(s) | Value::Json(s) => extend_short(out, s),
    }
}
