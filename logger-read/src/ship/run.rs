//! Starting the shipper: `run` (blocking, for `logger ship`), `start` (its
//! own thread, for an application after `logger::install()`), `check`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::config::ShipConfig;
use super::destination::Destination;
use super::error::ShipError;
use super::metrics::{MetricsSnapshot, ShipMetrics};
use super::net::NetDestination;
use super::options::Options;
use super::otlp::OtlpDestination;
use super::postgres::PostgresDestination;
use super::shipper::Shipper;
use super::source::SourceSpec;
use super::syslog::SyslogDestination;
use super::webhook::WebhookDestination;

/// `config` with a remote destination's own level, kinds and batching.
fn with_options(config: &ShipConfig, o: &Options) -> ShipConfig {
    let mut c = config.clone();
    if let Some(l) = o.min_level {
        c.min_level = Some(l.as_str().to_owned());
    }
    if let Some(k) = &o.kinds {
        c.kinds = Some(k.clone());
    }
    c.batch_records = o.batch_records;
    c.batch_timeout_ms = u64::try_from(o.batch_timeout.as_millis()).unwrap_or(u64::MAX);
    c
}

/// A destination and the configuration its shipper runs with.
type Configured = (Box<dyn Destination>, ShipConfig);

/// Every enabled destination the configuration names, built fresh (one
/// per source), each with the configuration its shipper runs with.
fn destinations(config: &ShipConfig) -> Result<Vec<Configured>, ShipError> {
    let mut v: Vec<Configured> = Vec::new();
    if let Some(pg) = &config.postgres {
        v.push((
            Box::new(PostgresDestination::new(pg.clone())?),
            config.clone(),
        ));
    }
    if let Some(c) = &config.webhook {
        let o = c.options()?;
        if o.enabled {
            v.push((
                Box::new(WebhookDestination::new(c)?),
                with_options(config, &o),
            ));
        }
    }
    if let Some(c) = &config.syslog {
        let o = c.options()?;
        if o.enabled {
            v.push((
                Box::new(SyslogDestination::new(c)?),
                with_options(config, &o),
            ));
        }
    }
    if let Some(c) = &config.net {
        let o = c.options()?;
        if o.enabled {
            v.push((Box::new(NetDestination::new(c)?), with_options(config, &o)));
        }
    }
    if let Some(c) = &config.otlp {
        let o = c.options()?;
        if o.enabled {
            v.push((Box::new(OtlpDestination::new(c)?), with_options(config, &o)));
        }
    }
    Ok(v)
}

/// Checks that every path of `paths` is a directory or a log file, then
/// connects to every destination once and checks its configuration (and,
/// for PostgreSQL, creates the tables): what `logger ship --check` runs.
///
/// # Errors
/// A path that is neither a directory nor a log file (the error
/// [`start`] would give); else the first destination's error, naming the
/// option, the server and the privilege involved.
///
/// ```no_run
/// let c = logger_read::ship::ShipConfig::postgres(vec!["logs".into()], "postgres://u:pw@127.0.0.1/db");
/// logger_read::ship::check(&c)?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn check(config: &ShipConfig) -> Result<(), ShipError> {
    config.validate()?;
    SourceSpec::from_paths(&config.paths, &config.stems)?;
    for (mut d, _) in destinations(config)? {
        d.check()?;
    }
    Ok(())
}

/// The running shipper: one thread per (source, destination).
#[derive(Debug)]
pub struct ShipHandle {
    stop: Arc<AtomicBool>,
    metrics: Vec<Arc<ShipMetrics>>,
    threads: Vec<JoinHandle<Result<(), ShipError>>>,
}

impl ShipHandle {
    /// Every (source, destination)'s counters.
    pub fn metrics(&self) -> Vec<MetricsSnapshot> {
        self.metrics.iter().map(|m| m.snapshot()).collect()
    }

    /// True once every thread ended (stopped, or a fatal error).
    pub fn is_finished(&self) -> bool {
        self.threads.iter().all(JoinHandle::is_finished)
    }

    /// Asks the threads to deliver what they read and stop, waits for them,
    /// and returns the first fatal error, if any.
    ///
    /// # Errors
    /// The `Fatal` error a thread stopped with.
    pub fn stop(self) -> Result<Vec<MetricsSnapshot>, ShipError> {
        self.stop.store(true, Ordering::Relaxed);
        let mut first = None;
        for t in self.threads {
            let r = t
                .join()
                .unwrap_or_else(|_| Err(ShipError::fatal("ship", "a shipper thread panicked")));
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        }
        let snaps = self.metrics.iter().map(|m| m.snapshot()).collect();
        match first {
            Some(e) => Err(e),
            None => Ok(snaps),
        }
    }
}

/// Starts shipping on background threads (named `logger-ship`) and returns
/// at once: the call an application makes after `logger::install()`.
/// An unreachable receiver is not an error here: the threads retry with
/// backoff while the files buffer (see `ShipHandle::metrics`).
///
/// # Errors
/// `Fatal` for an invalid configuration, a missing source directory or a
/// dead-letter file that cannot be opened.
///
/// ```no_run
/// let _guard = logger::builder().dir("logs").install().unwrap();
/// let ship = logger_read::ship::start(logger_read::ship::ShipConfig::postgres(
///     vec!["logs".into()],
///     "postgres://ship:pw@127.0.0.1/trading",
/// ))?;
/// // ... the application runs ...
/// ship.stop()?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn start(config: ShipConfig) -> Result<ShipHandle, ShipError> {
    start_with_stop(config, Arc::new(AtomicBool::new(false)))
}

fn start_with_stop(config: ShipConfig, stop: Arc<AtomicBool>) -> Result<ShipHandle, ShipError> {
    config.validate()?;
    let specs = SourceSpec::from_paths(&config.paths, &config.stems)?;
    let mut metrics = Vec::new();
    let mut shippers = Vec::new();
    for spec in &specs {
        for (dest, own) in destinations(&config)? {
            let m = Arc::new(ShipMetrics::new(dest.name()));
            shippers.push(Shipper::new(&own, spec.clone(), dest, m.clone())?);
            metrics.push(m);
        }
    }
    let mut threads = Vec::new();
    for s in shippers {
        let stop = stop.clone();
        let t = std::thread::Builder::new()
            .name("logger-ship".into())
            .spawn(move || {
                let r = s.run(&stop);
                if r.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                r
            })
            .map_err(|e| ShipError::fatal("ship", format!("cannot start a thread: {e}")))?;
        threads.push(t);
    }
    Ok(ShipHandle {
        stop,
        metrics,
        threads,
    })
}

/// Ships until `stop` becomes true (then delivers what was read) or a
/// destination fails for good: what `logger ship` runs in the foreground.
///
/// # Errors
/// The configuration's error, or the `Fatal` error a destination stopped with.
///
/// ```no_run
/// use std::sync::{Arc, atomic::AtomicBool};
/// let stop = Arc::new(AtomicBool::new(false));
/// let config = logger_read::ship::ShipConfig::load("ship.toml".as_ref())?;
/// let metrics = logger_read::ship::run(config, stop)?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn run(config: ShipConfig, stop: Arc<AtomicBool>) -> Result<Vec<MetricsSnapshot>, ShipError> {
    run_watching(config, stop, |_| {})
}

/// [`run`], calling `watch` with every (source, destination)'s counters
/// (in [`ShipHandle::metrics`]'s order) every 50 ms while it ships: what
/// `logger ship`'s progress line is drawn from.
///
/// # Errors
/// As [`run`].
///
/// ```no_run
/// use std::sync::{Arc, atomic::AtomicBool};
/// let config = logger_read::ship::ShipConfig::load("ship.toml".as_ref())?;
/// let stop = Arc::new(AtomicBool::new(false));
/// logger_read::ship::run_watching(config, stop, |metrics| {
///     let sent: u64 = metrics.iter().map(|m| m.records_sent).sum();
///     eprint!("\r{sent} records sent");
/// })?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn run_watching(
    config: ShipConfig,
    stop: Arc<AtomicBool>,
    mut watch: impl FnMut(&[MetricsSnapshot]),
) -> Result<Vec<MetricsSnapshot>, ShipError> {
    let handle = start_with_stop(config, stop.clone())?;
    while !stop.load(Ordering::Relaxed) && !handle.is_finished() {
        watch(&handle.metrics());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    handle.stop()
}

/// Set by [`run_until_signal`]'s handler for SIGTERM and SIGINT.
static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    SIGNALLED.store(true, Ordering::Relaxed);
}

/// [`run`] in the foreground until SIGTERM or SIGINT (then delivers what was
/// read and returns the counters): what `logger ship` and the `logger-ship`
/// sidecar binary run. Installs handlers for those two signals that only
/// set a flag.
///
/// # Errors
/// As [`run`].
///
/// ```no_run
/// let config = logger_read::ship::ShipConfig::load("ship.toml".as_ref())?;
/// for m in logger_read::ship::run_until_signal(config)? {
///     println!("{} records sent", m.records_sent);
/// }
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn run_until_signal(config: ShipConfig) -> Result<Vec<MetricsSnapshot>, ShipError> {
    run_until_signal_watching(config, |_| {})
}

/// [`run_until_signal`], calling `watch` with the counters every 50 ms
/// while it ships (see [`run_watching`]).
///
/// # Errors
/// As [`run`].
///
/// ```no_run
/// let config = logger_read::ship::ShipConfig::load("ship.toml".as_ref())?;
/// logger_read::ship::run_until_signal_watching(config, |metrics| {
///     let lag: u64 = metrics.iter().map(|m| m.lag_bytes).sum();
///     eprint!("\rlag {lag} bytes");
/// })?;
/// # Ok::<(), logger_read::ship::ShipError>(())
/// ```
pub fn run_until_signal_watching(
    config: ShipConfig,
    watch: impl FnMut(&[MetricsSnapshot]),
) -> Result<Vec<MetricsSnapshot>, ShipError> {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: the handler only stores to an atomic, which is
        // async-signal-safe; `signal` itself has no memory-safety contract.
        unsafe {
            libc::signal(sig, on_stop_signal as *const () as libc::sighandler_t);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !SIGNALLED.load(Ordering::Relaxed) && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            stop.store(true, Ordering::Relaxed);
        })
    };
    let result = run_watching(config, stop.clone(), watch);
    stop.store(true, Ordering::Relaxed);
    let _ = watcher.join();
    result
}
