//! Named formatters: a format and its options, which files and the
//! console choose by name ([`FileSpec::formatter`](crate::FileSpec::formatter),
//! [`Builder::console_formatter`](crate::Builder::console_formatter)).
//!
//! The builder's top-level `format`, `json_options` and `time_zone` make
//! the default formatter, used by every file that names none: a
//! configuration without named formatters writes what it always wrote.

use serde::Deserialize;

use crate::config::{Format, TimeZone};
use crate::json_options::{FileJsonOptions, JsonOptions};

/// The text format's separator between its parts when none is set.
pub const DEFAULT_FIELD_SEPARATOR: &str = " | ";

/// Longest accepted `field_separator`, in characters.
pub const MAX_FIELD_SEPARATOR_CHARS: usize = 8;

/// One formatter: a format and the options it uses.
///
/// - `json`: the JSON format's options (`include_*` switches, renames,
///   timestamp format and zone); must stay at its default for the other
///   formats, which do not use it.
/// - `time_zone`: the zone of the text and logfmt timestamps (`None`: the
///   builder's [`time_zone`](crate::Builder::time_zone)); the JSON format
///   takes its zone from `json.timestamp_zone` instead, so it must be
///   `None` there.
/// - `field_separator`: the text format's separator between timestamp,
///   level, location and message (`None`: `" | "`); text only.
///
/// [`FormatterSpec::check`] says what is wrong, naming the option;
/// `install()` runs it on every named formatter.
///
/// # Examples
///
/// ```
/// use logger::{FileSpec, FormatterSpec, JsonOptions, TimeZone};
/// let human = FormatterSpec::text().time_zone(TimeZone::Local).field_separator("\t");
/// let ecs = FormatterSpec::json(JsonOptions::default().rename("ts", "@timestamp"));
/// let builder = logger::builder()
///     .formatter("human", human)
///     .formatter("ecs", ecs)
///     .main_file(Some(FileSpec::new("app").formatter("ecs")))
///     .errors_file(Some(FileSpec::new("errors").formatter("human")));
/// assert!(builder.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatterSpec {
    /// The output format.
    pub format: Format,
    /// Options of the JSON format.
    pub json: JsonOptions,
    /// Zone of the text and logfmt timestamps (`None`: the builder's).
    pub time_zone: Option<TimeZone>,
    /// The text format's separator (`None`: [`DEFAULT_FIELD_SEPARATOR`]).
    pub field_separator: Option<String>,
}

impl FormatterSpec {
    /// A formatter of `format` with every option at its default.
    pub fn new(format: Format) -> Self {
        FormatterSpec {
            format,
            json: JsonOptions::default(),
            time_zone: None,
            field_separator: None,
        }
    }

    /// The JSON format with these options.
    pub fn json(options: JsonOptions) -> Self {
        FormatterSpec {
            json: options,
            ..Self::new(Format::Json)
        }
    }

    /// The text format.
    pub fn text() -> Self {
        Self::new(Format::Text)
    }

    /// The logfmt format.
    pub fn logfmt() -> Self {
        Self::new(Format::Logfmt)
    }

    /// Sets the zone of the text and logfmt timestamps.
    pub fn time_zone(mut self, tz: TimeZone) -> Self {
        self.time_zone = Some(tz);
        self
    }

    /// Sets the text format's separator (see [`check_field_separator`]).
    pub fn field_separator(mut self, separator: impl Into<String>) -> Self {
        self.field_separator = Some(separator.into());
        self
    }

    /// `Err((option, reason))` when an option is invalid or has no effect
    /// on this format: `json_options` on text or logfmt, `time_zone` on
    /// JSON, `field_separator` on anything but text.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let name = format_name(self.format);
        if self.format == Format::Json {
            self.json.check().map_err(|e| ("json_options", e))?;
            if self.time_zone.is_some() {
                return Err((
                    "time_zone",
                    "is not used by the json format: set json_options.timestamp_zone".into(),
                ));
            }
        } else if self.json != JsonOptions::default() {
            return Err((
                "json_options",
                format!("is only used by the json format, not by {name}"),
            ));
        }
        if let Some(sep) = &self.field_separator {
            if self.format != Format::Text {
                return Err((
                    "field_separator",
                    format!("is only used by the text format, not by {name}"),
                ));
            }
            check_field_separator(sep).map_err(|e| ("field_separator", e))?;
        }
        Ok(())
    }
}

/// The configuration file's spelling of a format.
pub(crate) fn format_name(format: Format) -> &'static str {
    match format {
        Format::Json => "json",
        Format::Text => "text",
        Format::Logfmt => "logfmt",
    }
}

/// Whether `sep` can separate the text format's parts without making a
/// line ambiguous: 1 to [`MAX_FIELD_SEPARATOR_CHARS`] characters, no line
/// break or other control character but a tab (the formatter escapes
/// those in values, so a tab stays unambiguous), none of `=`, `"` and
/// `\` (the fields' `key="value"` syntax and its escapes), and not made of
/// spaces alone (a message holds spaces).
pub fn check_field_separator(sep: &str) -> Result<(), String> {
    let n = sep.chars().count();
    if n == 0 || n > MAX_FIELD_SEPARATOR_CHARS {
        return Err(format!(
            "{sep:?} must be 1 to {MAX_FIELD_SEPARATOR_CHARS} characters (\" | \", \"\\t\", \";\")"
        ));
    }
    if let Some(c) = sep.chars().find(|&c| c.is_control() && c != '\t') {
        return Err(format!(
            "{sep:?} holds the control character {c:?}: a line break or control character \
             would split or garble lines (a tab is allowed)"
        ));
    }
    if let Some(c) = sep.chars().find(|c| matches!(c, '=' | '"' | '\\')) {
        return Err(format!(
            "{sep:?} holds {c:?}, which the fields' key=\"value\" syntax uses: lines would be ambiguous"
        ));
    }
    if sep.chars().all(|c| c == ' ') {
        return Err(format!(
            "{sep:?} is only spaces, which messages hold too: lines would be ambiguous"
        ));
    }
    Ok(())
}

/// A named formatter in the configuration file's `formatters` object.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileFormatter {
    format: String,
    json_options: Option<FileJsonOptions>,
    time_zone: Option<String>,
    field_separator: Option<String>,
}

impl FileFormatter {
    /// The formatter this entry describes; `Err((key, reason))` names the
    /// key whose value is not known (the checks of [`FormatterSpec::check`]
    /// run at install).
    pub(crate) fn spec(self) -> Result<FormatterSpec, (&'static str, String)> {
        let format = match self.format.as_str() {
            "json" => Format::Json,
            "text" => Format::Text,
            "logfmt" => Format::Logfmt,
            other => {
                return Err((
                    "format",
                    format!("{other:?} is not allowed: expected \"json\", \"text\" or \"logfmt\""),
                ));
            }
        };
        let mut spec = FormatterSpec::new(format);
        if let Some(json) = self.json_options {
            json.apply(&mut spec.json)
                .map_err(|e| ("json_options", e))?;
            if format != Format::Json {
                return Err((
                    "json_options",
                    format!("is only used by the json format, not by {}", self.format),
                ));
            }
        }
        if let Some(tz) = self.time_zone {
            spec.time_zone = Some(match tz.as_str() {
                "utc" => TimeZone::Utc,
                "local" => TimeZone::Local,
                other => {
                    return Err((
                        "time_zone",
                        format!("{other:?} is not allowed: expected \"utc\" or \"local\""),
                    ));
                }
            });
        }
        spec.field_separator = self.field_separator;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_that_keep_lines_readable_are_accepted() {
        for sep in [" | ", "\t", ";", " :: ", "|", "│"] {
            assert_eq!(check_field_separator(sep), Ok(()), "{sep:?}");
        }
    }

    #[test]
    fn ambiguous_separators_are_refused_with_the_reason() {
        let cases = [
            ("", "1 to 8 characters"),
            ("123456789", "1 to 8 characters"),
            ("\n", "control character"),
            (" |\r", "control character"),
            ("=", "key=\"value\""),
            (" \" ", "key="),
            ("\\", "key="),
            (" ", "only spaces"),
            ("   ", "only spaces"),
        ];
        for (sep, reason) in cases {
            let e = check_field_separator(sep).unwrap_err();
            assert!(e.contains(reason), "{sep:?}: {e}");
        }
    }

    #[test]
    fn options_a_format_does_not_use_are_named() {
        let e = FormatterSpec::json(JsonOptions::default())
            .field_separator(";")
            .check()
            .unwrap_err();
        assert_eq!(e.0, "field_separator");
        let e = FormatterSpec::logfmt()
            .field_separator(";")
            .check()
            .unwrap_err();
        assert_eq!(e.0, "field_separator");
        assert!(e.1.contains("not by logfmt"), "{}", e.1);
        let mut text = FormatterSpec::text();
        text.json.include_host = false;
        assert_eq!(text.check().unwrap_err().0, "json_options");
        let e = FormatterSpec::json(JsonOptions::default())
            .time_zone(TimeZone::Local)
            .check()
            .unwrap_err();
        assert_eq!(e.0, "time_zone");
        let e = FormatterSpec::json(JsonOptions::default().rename("nope", "x"))
            .check()
            .unwrap_err();
        assert_eq!(e.0, "json_options");
        assert!(e.1.contains("\"nope\""), "{}", e.1);
    }
}
