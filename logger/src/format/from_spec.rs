//! The one place a formatter is built from its options: a new format is
//! one arm of [`build`].

use super::{Formatter, JsonFormatter, LogfmtFormatter, TextFormatter};
use crate::config::{Config, Format, TimeZone};
use crate::formatter_spec::{DEFAULT_FIELD_SEPARATOR, FormatterSpec};

/// Most named formatters a configuration may have (the flusher tracks the
/// formatters a record needs in one 64-bit mask, the default included).
pub(crate) const MAX_NAMED_FORMATTERS: usize = 63;

/// What every formatter of one logger shares: the process's id and host
/// name, and the builder's time zone (the text and logfmt zone when a
/// formatter sets none).
pub(crate) struct Shared<'a> {
    pub(crate) pid: u32,
    pub(crate) host: &'a str,
    pub(crate) time_zone: TimeZone,
}

/// The formatter `spec` describes (checked by [`FormatterSpec::check`]).
pub(crate) fn build(spec: &FormatterSpec, shared: &Shared<'_>) -> Box<dyn Formatter> {
    let tz = spec.time_zone.unwrap_or(shared.time_zone);
    match spec.format {
        Format::Json => Box::new(JsonFormatter::with_options(
            shared.pid,
            shared.host,
            &spec.json,
        )),
        Format::Text => Box::new(TextFormatter::with_separator(
            tz,
            spec.field_separator
                .as_deref()
                .unwrap_or(DEFAULT_FIELD_SEPARATOR),
        )),
        Format::Logfmt => Box::new(LogfmtFormatter::new(tz)),
    }
}

/// The default formatter's options: the builder's `format` and
/// `json_options`, text and logfmt in its `time_zone`.
pub(crate) fn default_spec(config: &Config) -> FormatterSpec {
    FormatterSpec {
        format: config.format,
        json: config.json.clone(),
        time_zone: Some(config.rotation.time_zone),
        field_separator: None,
    }
}
