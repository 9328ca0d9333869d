//! The shipper's own lines on stderr (`WARN logger ship: ...`: a state
//! change, a file deleted before it was shipped, a skipped line): written
//! with `eprintln!`, unless the program routes them through a writer of its
//! own, as `logger ship` does while it draws its progress line, so that a
//! warning is printed above the line rather than into it.

use std::sync::{Arc, RwLock};

/// A function that writes one line (without its newline) somewhere.
pub type LineWriter = Arc<dyn Fn(&str) + Send + Sync>;

static WRITER: RwLock<Option<LineWriter>> = RwLock::new(None);

/// Routes every later line of the shipper through `writer`; `None` goes
/// back to `eprintln!`. Process-wide: every running shipper uses it.
///
/// ```
/// use std::sync::Arc;
/// logger_read::ship::set_line_writer(Some(Arc::new(|line: &str| eprintln!("[ship] {line}"))));
/// logger_read::ship::set_line_writer(None);
/// ```
pub fn set_line_writer(writer: Option<LineWriter>) {
    *WRITER.write().unwrap_or_else(|e| e.into_inner()) = writer;
}

/// Writes `line` with the current writer, or on stderr.
pub(crate) fn write_line(line: &str) {
    let writer = WRITER.read().unwrap_or_else(|e| e.into_inner()).clone();
    match writer {
        Some(w) => w(line),
        None => eprintln!("{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn lines_go_to_the_writer_set_then_back_to_stderr() {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = seen.clone();
        set_line_writer(Some(Arc::new(move |l: &str| {
            sink.lock().unwrap().push(l.to_owned())
        })));
        write_line("WARN logger ship: one");
        set_line_writer(None);
        write_line("WARN logger ship: two (on stderr)");
        // Other tests of this binary may write lines meanwhile: look only
        // for these two.
        let seen = seen.lock().unwrap();
        assert!(
            seen.iter().any(|l| l == "WARN logger ship: one"),
            "{seen:?}"
        );
        assert!(!seen.iter().any(|l| l.contains("two")), "{seen:?}");
    }
}
