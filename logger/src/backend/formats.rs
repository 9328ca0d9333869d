//! The flusher's formatters: the default one and each named one, with a
//! line buffer each, and the writing of one record through them.
//!
//! When every file uses the default formatter (every configuration
//! without named formatters), a record is formatted once, as it always
//! was. Otherwise it is formatted once per distinct formatter among the
//! files that take it, each formatter with its own call-site cache.

use crate::backend::router::{PerFormatter, Router};
use crate::config::Config;
use crate::format::{Formatter, Site};
use crate::view::RecordView;

pub(crate) struct Formats {
    /// The default formatter (the builder's `format` and `json_options`).
    default: Box<dyn Formatter>,
    line: Vec<u8>,
    /// The named formatters, in `Config::formatters` order (formatter
    /// index `i + 1`), and their lines.
    named: Vec<Box<dyn Formatter>>,
    named_lines: Vec<Vec<u8>>,
    /// Some file uses a named formatter.
    multi: bool,
}

impl Formats {
    /// Every formatter of `config`; `router` says which ones the files use.
    pub(crate) fn new(config: &Config, router: &Router, host: &str) -> Formats {
        let shared = crate::format::Shared {
            pid: std::process::id(),
            host,
            time_zone: config.rotation.time_zone,
        };
        let build = |spec| crate::format::build(spec, &shared);
        Formats {
            default: build(&crate::format::default_spec(config)),
            line: Vec::with_capacity(4096),
            named: config.formatters.iter().map(|(_, s)| build(s)).collect(),
            named_lines: vec![Vec::new(); config.formatters.len()],
            multi: router.uses_named_formatters(),
        }
    }

    /// Formats a record from a logging thread (of call site `site`) for
    /// the files that take it and routes it (see `Router::write_record`):
    /// how many records were written, 0 when held.
    #[inline]
    pub(crate) fn write_record(
        &mut self,
        router: &mut Router,
        site: Option<Site>,
        view: &RecordView<'_>,
        service: Option<usize>,
        at: u64,
    ) -> usize {
        if !self.multi {
            self.line.clear();
            self.default.format_at(site, view, &mut self.line);
            return router.write_record(view.kind, view.level, service, &self.line[..], at);
        }
        self.format_each(router, site, view, service);
        let lines = PerFormatter {
            first: &self.line,
            rest: &self.named_lines,
        };
        router.write_record(view.kind, view.level, service, &lines, at)
    }

    /// Formats a record of the logger's own (no call site, no service
    /// file) and writes it to every file that takes it.
    pub(crate) fn write_own(&mut self, router: &mut Router, view: &RecordView<'_>, at: u64) {
        if !self.multi {
            self.line.clear();
            self.default.format(view, &mut self.line);
            router.write(view.kind, view.level, None, &self.line[..], at);
            return;
        }
        self.format_each(router, None, view, None);
        let lines = PerFormatter {
            first: &self.line,
            rest: &self.named_lines,
        };
        router.write(view.kind, view.level, None, &lines, at);
    }

    /// Formats `view` with each formatter a file that takes it uses; the
    /// other lines are left empty.
    fn format_each(
        &mut self,
        router: &Router,
        site: Option<Site>,
        view: &RecordView<'_>,
        service: Option<usize>,
    ) {
        let mask = router.formatters_for(view.kind, view.level, service);
        self.line.clear();
        if mask & 1 != 0 {
            self.default.format_at(site, view, &mut self.line);
        }
        for (i, (f, line)) in self.named.iter_mut().zip(&mut self.named_lines).enumerate() {
            line.clear();
            if mask & (1 << (i + 1)) != 0 {
                f.format_at(site, view, line);
            }
        }
    }

    /// Capacity of the line buffers, in bytes.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.line.capacity() + self.named_lines.iter().map(Vec::capacity).sum::<usize>()
    }
}
