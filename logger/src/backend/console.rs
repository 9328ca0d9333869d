//! The console destination: records at or above its level, in the text
//! format (or its named formatter), on stderr, colored by level when asked (or, by default, when
//! stderr is a terminal and `NO_COLOR` is not set). Written by the flusher:
//! lines are gathered during a cycle and written with one `write` at its
//! end.

use std::io::{self, Write};

use crate::level::{Level, LevelFilter};

use crate::config::ConsoleColor;
use crate::format::Formatter;
use crate::view::RecordView;

const RESET: &[u8] = b"\x1b[0m";

/// The ANSI color of a level.
fn color(level: Level) -> &'static [u8] {
    match level {
        Level::Critical => b"\x1b[1;37;41m",
        Level::Error => b"\x1b[1;31m",
        Level::Warn => b"\x1b[33m",
        Level::Info => b"\x1b[32m",
        Level::Debug => b"\x1b[34m",
        Level::Trace => b"\x1b[2m",
    }
}

/// Whether `mode` colors the output, for a stderr that is (or is not) a
/// terminal and a `NO_COLOR` variable that is (or is not) set and non-empty.
pub(crate) fn use_color(mode: ConsoleColor, is_tty: bool, no_color: bool) -> bool {
    match mode {
        ConsoleColor::Always => true,
        ConsoleColor::Never => false,
        ConsoleColor::Auto => is_tty && !no_color,
    }
}

/// The decision of [`use_color`] for this process's stderr.
pub(crate) fn stderr_color(mode: ConsoleColor) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    let is_tty = unsafe { libc::isatty(2) } == 1;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    use_color(mode, is_tty, no_color)
}

pub(crate) struct Console {
    level: LevelFilter,
    color: bool,
    text: Box<dyn Formatter>,
    buf: Vec<u8>,
    out: Box<dyn Write + Send>,
}

impl Console {
    /// A console on stderr.
    pub(crate) fn stderr(
        level: LevelFilter,
        mode: ConsoleColor,
        formatter: Box<dyn Formatter>,
    ) -> Console {
        Console::new(level, stderr_color(mode), formatter, Box::new(io::stderr()))
    }

    fn new(
        level: LevelFilter,
        color: bool,
        formatter: Box<dyn Formatter>,
        out: Box<dyn Write + Send>,
    ) -> Console {
        Console {
            level,
            color,
            text: formatter,
            buf: Vec::new(),
            out,
        }
    }

    /// Formats `view` into the pending output if its level is taken.
    pub(crate) fn record(&mut self, view: &RecordView<'_>) {
        if !self.level.admits(view.level) {
            return;
        }
        if !self.color {
            self.text.format(view, &mut self.buf);
            return;
        }
        self.buf.extend_from_slice(color(view.level));
        self.text.format(view, &mut self.buf);
        self.buf.pop(); // the newline goes after the reset
        self.buf.extend_from_slice(RESET);
        self.buf.push(b'\n');
    }

    /// Writes the pending output (errors are ignored: there is nowhere
    /// else to report a failing stderr).
    pub(crate) fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let _ = self.out.write_all(&self.buf);
        let _ = self.out.flush();
        self.buf.clear();
        if self.buf.capacity() > 1 << 20 {
            self.buf.shrink_to(64 << 10);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::config::TimeZone;
    use crate::format::TextFormatter;
    use crate::view::Kind;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn view(level: Level, msg: &'static str) -> RecordView<'static> {
        RecordView {
            ts_ns: 1_700_000_000_000_000_000,
            level,
            kind: Kind::Log,
            target: "risk",
            service: "svc",
            module: "risk",
            file: "risk.rs",
            line: 7,
            function: None,
            msg: msg.as_bytes(),
            fields: &[],
            thread: "main",
            tid: 1,
            correlation: None,
            context: &[],
        }
    }

    fn run(level: LevelFilter, color: bool) -> String {
        let out = Shared::default();
        let text = Box::new(TextFormatter::new(TimeZone::Utc));
        let mut c = Console::new(level, color, text, Box::new(out.clone()));
        for (l, m) in [
            (Level::Critical, "c"),
            (Level::Error, "e"),
            (Level::Warn, "w"),
            (Level::Info, "i"),
            (Level::Debug, "d"),
            (Level::Trace, "t"),
        ] {
            c.record(&view(l, m));
        }
        assert!(out.0.lock().unwrap().is_empty(), "written only on flush");
        c.flush();
        String::from_utf8(out.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn colors_on_wrap_each_line_in_its_level_color() {
        let s = run(LevelFilter::Trace, true);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 6);
        let expect = [
            "\x1b[1;37;41m",
            "\x1b[1;31m",
            "\x1b[33m",
            "\x1b[32m",
            "\x1b[34m",
            "\x1b[2m",
        ];
        for (line, start) in lines.iter().zip(expect) {
            assert!(line.starts_with(start), "{line:?}");
            assert!(line.ends_with("\x1b[0m"), "{line:?}");
            assert!(line.contains(" | risk:7 | "), "{line:?}");
        }
        assert!(lines[0].contains("| CRITICAL |"));
        assert!(lines[1].contains("| ERROR |"));
    }

    #[test]
    fn colors_off_is_the_plain_text_format() {
        let s = run(LevelFilter::Trace, false);
        assert!(!s.contains('\x1b'), "{s:?}");
        assert_eq!(s.lines().count(), 6);
        assert!(s.lines().nth(1).unwrap().ends_with("| ERROR | risk:7 | e"));
    }

    #[test]
    fn its_own_level() {
        let s = run(LevelFilter::Warn, false);
        let levels: Vec<&str> = s.lines().map(|l| l.split(" | ").nth(1).unwrap()).collect();
        assert_eq!(levels, ["CRITICAL", "ERROR", "WARN "]);
        let s = run(LevelFilter::Critical, false);
        assert!(s.ends_with("| CRITICAL | risk:7 | c\n"), "{s:?}");
        assert_eq!(s.lines().count(), 1);
        assert!(run(LevelFilter::Off, true).is_empty());
    }

    #[test]
    fn auto_needs_a_terminal_and_no_no_color() {
        use ConsoleColor::*;
        assert!(use_color(Auto, true, false));
        assert!(!use_color(Auto, true, true));
        assert!(!use_color(Auto, false, false));
        assert!(use_color(Always, false, true));
        assert!(!use_color(Never, true, false));
    }
}
