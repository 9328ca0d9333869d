//! How records are printed: the stored JSON line, a readable text line
//! colored by level, or chosen columns.
//!
//! Output goes through one buffered writer on stdout. A closed pipe
//! (`logger cat | head`) surfaces as `io::ErrorKind::BrokenPipe`, which
//! `main` turns into a quiet exit.

use std::io::{self, IsTerminal, Write};

use serde_json::Value;
use serde_json::value::RawValue;

use crate::filter::where_expr::check_path;
use crate::flags::{ColorChoice, OutputArgs, OutputFormat};
use crate::ordered::Ordered;

/// Prints records in the chosen format.
pub struct Printer {
    out: io::BufWriter<io::Stdout>,
    format: OutputFormat,
    columns: Vec<String>,
    color: bool,
}

impl Printer {
    /// A printer on stdout for these options.
    ///
    /// # Errors
    ///
    /// A message naming a `--columns` entry that is not a record key.
    pub fn new(args: &OutputArgs) -> Result<Printer, String> {
        for c in &args.columns {
            check_path(c).map_err(|why| format!("--columns {c:?}: {why}"))?;
        }
        let stdout = io::stdout();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let format = if args.columns.is_empty() {
            args.output
        } else {
            OutputFormat::Text
        };
        Ok(Printer {
            out: io::BufWriter::with_capacity(256 << 10, stdout),
            format,
            columns: args.columns.clone(),
            color,
        })
    }

    /// Whether lines are printed as stored.
    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Prints one record from its stored line (without the newline).
    /// `prefix` goes before a text line (trace's time since the first record).
    ///
    /// # Errors
    ///
    /// The write error (`BrokenPipe` when the reader went away).
    pub fn print(&mut self, line: &[u8], prefix: Option<&str>) -> io::Result<()> {
        if self.format == OutputFormat::Json {
            self.out.write_all(line)?;
            return self.out.write_all(b"\n");
        }
        let mut text = String::with_capacity(line.len());
        if let Some(p) = prefix {
            text.push_str(p);
            text.push(' ');
        }
        let shown = if self.columns.is_empty() {
            format_text(line, self.color, &mut text)
        } else {
            serde_json::from_slice::<Value>(line)
                .map(|v| format_columns(&v, &self.columns, &mut text))
                .is_ok()
        };
        if !shown {
            // Not a JSON record (the scan already warned): show it as it is.
            text.push_str(&String::from_utf8_lossy(line));
        }
        text.push('\n');
        self.out.write_all(text.as_bytes())
    }

    /// Writes buffered output now (while following, after each batch).
    ///
    /// # Errors
    ///
    /// The write error.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The ANSI color of a level's name.
fn level_color(level: &str) -> &'static str {
    match level {
        "CRITICAL" => "\x1b[1;31m",
        "ERROR" => "\x1b[31m",
        "WARN" => "\x1b[33m",
        "INFO" => "\x1b[32m",
        "DEBUG" => "\x1b[34m",
        _ => "\x1b[2m",
    }
}

/// `2026-11-21T10:30:45.123456789Z WARN  execution::orders order rejected order_id=42 correlation_id=42`:
/// time, level, target, message, then `fields` and `context` in the
/// order written, then the correlation id. False (nothing written) if
/// `line` is not a JSON object.
pub fn format_text(line: &[u8], color: bool, out: &mut String) -> bool {
    let Ok(rec) = serde_json::from_slice::<Ordered<Box<RawValue>>>(line) else {
        return false;
    };
    let s = |k: &str| {
        rec.get(k)
            .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
            .unwrap_or_else(|| "-".to_string())
    };
    let level = s("level");
    out.push_str(&s("ts"));
    out.push(' ');
    if color {
        out.push_str(level_color(&level));
    }
    out.push_str(&format!("{level:<5}"));
    if color {
        out.push_str("\x1b[0m");
    }
    out.push(' ');
    out.push_str(&s("target"));
    out.push(' ');
    out.push_str(&s("msg"));
    for key in ["fields", "context"] {
        let Some(obj) = rec.get(key) else { continue };
        let Ok(members) = serde_json::from_str::<Ordered<Box<RawValue>>>(obj.get()) else {
            continue;
        };
        for (k, val) in &members.0 {
            out.push(' ');
            out.push_str(k);
            out.push('=');
            push_value(val, out);
        }
    }
    if let Some(c) = rec.get("correlation_id") {
        out.push_str(" correlation_id=");
        push_value(c, out);
    }
    true
}

/// A value for text output: strings bare unless they hold spaces, quotes,
/// `=` or control characters (then JSON-quoted), everything else as written.
fn push_value(v: &RawValue, out: &mut String) {
    match serde_json::from_str::<String>(v.get()) {
        Ok(s) if !s.is_empty() && !s.contains([' ', '"', '=']) && !s.contains(char::is_control) => {
            out.push_str(&s)
        }
        _ => out.push_str(v.get()),
    }
}

/// The chosen columns, tab-separated; `-` for an absent key.
pub fn format_columns(v: &Value, columns: &[String], out: &mut String) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        let mut cur = Some(v);
        for part in c.split('.') {
            cur = cur.and_then(|x| x.get(part));
        }
        match cur {
            None => out.push('-'),
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_line_has_time_level_target_message_fields() {
        let v = br#"{"ts":"2026-11-21T10:30:45.1Z","level":"WARN","target":"risk","msg":"limit breached","correlation_id":"t-1","context":{"desk":"rates two"},"fields":{"limit":5,"breached":1.50}}"#;
        let mut s = String::new();
        assert!(format_text(v, false, &mut s));
        assert_eq!(
            s,
            "2026-11-21T10:30:45.1Z WARN  risk limit breached limit=5 breached=1.50 desk=\"rates two\" correlation_id=t-1"
        );
        let mut c = String::new();
        format_text(v, true, &mut c);
        assert!(!format_text(b"not json", false, &mut c));
        assert!(c.contains("\x1b[33mWARN \x1b[0m"), "{c:?}");
    }

    #[test]
    fn columns_are_tab_separated_with_a_dash_for_absent_keys() {
        let v = json!({"ts":"t","level":"INFO","fields":{"qty":300,"side":"BUY"}});
        let mut s = String::new();
        let cols: Vec<String> = ["level", "fields.qty", "fields.side", "fields.px"]
            .map(String::from)
            .to_vec();
        format_columns(&v, &cols, &mut s);
        assert_eq!(s, "INFO\t300\tBUY\t-");
    }
}
