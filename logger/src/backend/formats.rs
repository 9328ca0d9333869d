//! The flusher's formatters: the default one and each named one, with a
//! spill buffer each, and the writing of one record through them.
//!
//! A record is formatted once per distinct formatter among the files that
//! take it, each formatter with its own call-site cache, straight into the
//! batch buffer of the first file that uses it (see `Router::write_with`);
//! a formatter's spill buffer takes the line when that file has something
//! else to do first (a rotation, a check, a reservation), and the
//! backtrace ring's records.

use crate::backend::router::Router;
use crate::config::Config;
use crate::format::{Formatter, JsonFormatter, Site};
use crate::view::RecordView;

pub(crate) struct Formats {
    /// The default formatter (the builder's `format` and `json_options`),
    /// then the named ones in `Config::formatters` order: formatter index
    /// `i` is element `i`.
    formatters: Vec<Box<dyn Formatter>>,
    /// One spill buffer per formatter.
    spill: Vec<Vec<u8>>,
}

impl Formats {
    /// Every formatter of `config`.
    pub(crate) fn new(config: &Config, host: &str) -> Formats {
        let shared = crate::format::Shared {
            pid: std::process::id(),
            host,
            time_zone: config.rotation.time_zone,
        };
        let build = |spec: &crate::FormatterSpec| crate::format::build(spec, &shared);
        let default = build(&crate::format::default_spec(config));
        let named = config.formatters.iter().map(|(_, s)| build(s));
        let formatters: Vec<_> = std::iter::once(default).chain(named).collect();
        let mut spill = vec![Vec::new(); formatters.len()];
        spill[0].reserve(4096);
        Formats { formatters, spill }
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
        let Formats { formatters, spill } = self;
        let mut format = |i: usize, out: &mut Vec<u8>| {
            formatters[i].format_at(site, view, out);
            true
        };
        // Never `None`: `format` never refuses.
        router
            .write_record(view.kind, view.level, service, &mut format, spill, at)
            .unwrap_or(0)
    }

    /// The JSON formatter and the spill buffers, when it is the only
    /// formatter (the fast lane's condition, see `fast_lane`).
    #[inline]
    pub(crate) fn json_only(&mut self) -> Option<(&mut JsonFormatter, &mut [Vec<u8>])> {
        match self.formatters.as_mut_slice() {
            [only] => Some((only.as_json()?, &mut self.spill)),
            _ => None,
        }
    }

    /// Formats a record of the logger's own (no call site, no service
    /// file) and writes it to every file that takes it.
    pub(crate) fn write_own(&mut self, router: &mut Router, view: &RecordView<'_>, at: u64) {
        let Formats { formatters, spill } = self;
        let mut format = |i: usize, out: &mut Vec<u8>| {
            formatters[i].format(view, out);
            true
        };
        router.write_with(view.kind, view.level, None, &mut format, spill, at);
    }

    /// Capacity of the spill buffers, in bytes.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.spill.iter().map(Vec::capacity).sum()
    }
}
