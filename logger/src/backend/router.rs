//! Routing: which files a record goes to, and writing it there.
//!
//! The main file takes every record at or above its level; the trades and
//! perf files take records of their kind; the errors file takes records at
//! or above its level (`Error` by default). A record is formatted once and
//! copied into every file that takes it. When a file fails, the record
//! goes to stderr instead (once, however many files failed).

use std::io;
use std::path::Path;

use log::LevelFilter;

use crate::config::{Config, FileSpec, MsyncPolicy};
use crate::fault;
use crate::sink::{Housekeeper, RotatingFile};
use crate::view::Kind;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Main,
    Trades,
    Perf,
    Errors,
}

struct Destination {
    route: Route,
    level: LevelFilter,
    file: RotatingFile,
}

/// Every configured file, and the rule for each.
pub(crate) struct Router {
    destinations: Vec<Destination>,
    msync: MsyncPolicy,
}

impl Router {
    /// Opens every configured file.
    pub(crate) fn open(config: &Config, housekeeper: &Housekeeper) -> io::Result<Router> {
        let specs: [(Route, &Option<FileSpec>); 4] = [
            (Route::Main, &config.main),
            (Route::Trades, &config.trades),
            (Route::Perf, &config.perf),
            (Route::Errors, &config.errors),
        ];
        let mut destinations = Vec::new();
        for (route, spec) in specs {
            let Some(spec) = spec else { continue };
            let file = RotatingFile::open(
                &config.dir,
                &spec.name,
                &config.rotation,
                config.window_bytes,
                housekeeper,
            )
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot open {}: {e}",
                        config.dir.join(format!("{}.log", spec.name)).display()
                    ),
                )
            })?;
            destinations.push(Destination {
                route,
                level: spec.level,
                file,
            });
        }
        Ok(Router {
            destinations,
            msync: config.msync,
        })
    }

    /// Copies one formatted record into every file that takes it.
    pub(crate) fn write(&mut self, kind: Kind, level: log::Level, line: &[u8], ts_ns: u64) {
        let mut failed = false;
        for d in &mut self.destinations {
            let takes = level <= d.level
                && match d.route {
                    Route::Main | Route::Errors => true,
                    Route::Trades => kind == Kind::Trade,
                    Route::Perf => kind == Kind::Perf,
                };
            if !takes {
                continue;
            }
            if let Err(e) = d.file.append(line, ts_ns) {
                fault::report_io_error(&path_of(d.file.path()), &e);
                failed = true;
            }
        }
        if failed {
            fault::fallback_to_stderr(line);
        }
        if let MsyncPolicy::Level(at) = self.msync {
            if level <= at {
                self.sync();
            }
        }
    }

    /// `msync`s every file.
    pub(crate) fn sync(&mut self) {
        for d in &mut self.destinations {
            if let Err(e) = d.file.sync() {
                fault::report_io_error(&path_of(d.file.path()), &e);
            }
        }
    }

    /// Truncates every file to its length and unmaps it.
    pub(crate) fn close(&mut self) {
        for d in &mut self.destinations {
            if let Err(e) = d.file.close() {
                fault::report_io_error(&path_of(d.file.path()), &e);
            }
        }
    }
}

fn path_of(p: &Path) -> String {
    format!("writing {}", p.display())
}
