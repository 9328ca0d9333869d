//! [`Builder`]: every option, its validation, and [`Builder::install`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use log::LevelFilter;

use crate::level::LevelFilter as Threshold;

use crate::backend::flusher::{self, Flusher};
use crate::backend::router::Router;
use crate::clock::{self, TscConverter, UserClock};
use crate::config::*;
use crate::error::InitError;
use crate::frontend::log_adapter::LogAdapter;
use crate::guard::LoggerGuard;
use crate::lifecycle;
use crate::sink::Housekeeper;

static ADAPTER: LogAdapter = LogAdapter;

/// Configures and installs the logger. Start from [`crate::builder()`].
///
/// Every setter takes and returns the builder by value; every option has
/// a default (see [`Config::default`] and the `DEFAULT_*` constants).
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use logger::{OverflowPolicy, TimeRotation};
///
/// let _guard = logger::builder()
///     .dir("logs")
///     .create_dir(true)
///     .level(log::LevelFilter::Debug)
///     .max_file_bytes(Some(64 << 20))
///     .rotation_time(TimeRotation::Daily)
///     .backup_count(Some(10))
///     .compress(true)
///     .overflow(OverflowPolicy::Block)
///     .idle_sleep(Duration::from_micros(50))
///     .install()
///     .expect("logger");
/// log::info!("ready");
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `install()` is called"]
pub struct Builder {
    pub(crate) config: Config,
    create_dir: bool,
    config_file: Option<PathBuf>,
}

/// A [`Builder`] with every option at its default.
pub fn builder() -> Builder {
    Builder::default()
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident : $ty:ty => $($field:ident).+) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.config.$($field).+ = value;
            self
        }
    };
}

impl Builder {
    /// Directory of every file (default `logs`). It must exist unless
    /// [`Builder::create_dir`] is set.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.dir = dir.into();
        self
    }

    /// Create the directory (and its parents) when missing (default false).
    pub fn create_dir(mut self, create: bool) -> Self {
        self.create_dir = create;
        self
    }

    /// Lowest level recorded at all (default `Info`), for every target
    /// [`Builder::filter`] does not name; each file filters further.
    /// Takes a [`crate::LevelFilter`] (`LevelFilter::Critical`: only `CRITICAL`
    /// records) or a `log::LevelFilter`.
    pub fn level(mut self, level: impl Into<Threshold>) -> Self {
        self.config.level = level.into();
        self
    }
    setter!(
        /// The main file: every record at or above its level (default `app`, all levels).
        main_file: Option<FileSpec> => main);
    setter!(
        /// The trades file: records of kind `trade` (default `trades`).
        trades_file: Option<FileSpec> => trades);
    setter!(
        /// The perf file: records of kind `perf` (default `perf`).
        perf_file: Option<FileSpec> => perf);
    setter!(
        /// The errors file: records at or above its level (default `errors`, level `Error`).
        errors_file: Option<FileSpec> => errors);
    setter!(
        /// The console: records at or above this level, in the text format,
        /// on stderr, written by the flusher (default `None`: no console).
        /// It filters further what the filter lets through.
        /// `CRITICAL` records go wherever `ERROR` records go.
        console: Option<log::LevelFilter> => console);
    setter!(
        /// When the console colors its lines by level (default
        /// [`ConsoleColor::Auto`]: stderr is a terminal and `NO_COLOR` is unset).
        console_color: ConsoleColor => console_color);
    setter!(
        /// Most records written per second of record time (default `None`:
        /// no cap). The flusher counts the records of each UTC second of
        /// their timestamps; past the cap it discards them without
        /// formatting them, counts them in [`crate::Metrics::records_over_cap`],
        /// and writes one `WARN` record (target `logger`) saying how many
        /// it discarded in that second. `ERROR` records are never discarded
        /// (nor counted), nor are the logger's own records. The cap costs
        /// the logging threads nothing; a call site's own limit
        /// (`trade!(rate: "100/s", ..)`) stops its records before the ring.
        max_records_per_second: Option<u64> => max_records_per_second);
    setter!(
        /// Output format (default JSON lines).
        format: Format => format);
    setter!(
        /// What the JSON format writes in every file that names no
        /// formatter (see [`Builder::formatter`]): `include_*` switches
        /// for the optional keys and renamed keys (default: every key under
        /// its own name). Checked at install: an unknown key, an empty name
        /// or two keys written under one name is an
        /// [`InitError::InvalidOption`] naming `json_options`.
        json_options: crate::JsonOptions => json);

    /// Adds (or replaces, by name) a named formatter, which files choose
    /// with [`FileSpec::formatter`] and the console with
    /// [`Builder::console_formatter`]; files that name none use the
    /// default one ([`Builder::format`], [`Builder::json_options`]).
    /// Checked at install: an invalid option, an option the format does
    /// not use ([`crate::FormatterSpec::check`]), a name no file or console
    /// uses, or a name used but never defined is an
    /// [`InitError::InvalidOption`] naming `formatters`.
    pub fn formatter(mut self, name: impl Into<String>, spec: crate::FormatterSpec) -> Self {
        let name = name.into();
        self.config.formatters.retain(|(n, _)| *n != name);
        self.config.formatters.push((name, spec));
        self
    }

    /// The console's lines in the named formatter `name` (see
    /// [`Builder::formatter`]) instead of the text format.
    pub fn console_formatter(mut self, name: impl Into<String>) -> Self {
        self.config.console_formatter = Some(name.into());
        self
    }
    setter!(
        /// Rotate before a record would take a file past this size
        /// (default 256 MiB; `None`: never by size).
        max_file_bytes: Option<u64> => rotation.max_bytes);
    setter!(
        /// Rotate at time boundaries (default never).
        rotation_time: TimeRotation => rotation.time);
    setter!(
        /// Time zone of rotation boundaries, rotated names and text timestamps (default UTC).
        time_zone: TimeZone => rotation.time_zone);
    setter!(
        /// Keep at most this many rotated files per file (default all).
        backup_count: Option<usize> => rotation.backup_count);
    setter!(
        /// Delete rotated files older than this many days (default never).
        retention_days: Option<u32> => rotation.retention_days);
    setter!(
        /// Gzip rotated files on the housekeeping thread (default false).
        compress: bool => rotation.compress);
    setter!(
        /// Move rotated files older than this many days into
        /// `<dir>/archive/`, gzipped (and encrypted when encryption is
        /// on), on the housekeeping thread (default `None`: never;
        /// `Some(0)`: at rotation). Must be less than `retention_days`,
        /// which deletes archived files too. Each file may override it
        /// ([`FileSpec::archive_after_days`]).
        archive_after_days: Option<u32> => rotation.archive_after_days);
    setter!(
        /// Capacity of each thread's ring, rounded up to a power of two
        /// (default [`DEFAULT_RING_BYTES`], at least [`MIN_RING_BYTES`]).
        ring_bytes: usize => ring_bytes);
    setter!(
        /// What a full ring does (default [`OverflowPolicy::Block`]).
        overflow: OverflowPolicy => overflow);
    setter!(
        /// Flusher sleep when every ring is empty (default [`DEFAULT_IDLE_SLEEP`]).
        idle_sleep: Duration => idle_sleep);
    setter!(
        /// Pin the flusher thread to this CPU (default: not pinned).
        flusher_cpu: Option<usize> => flusher_cpu);
    setter!(
        /// Timestamp source (default [`ClockSource::Tsc`], the system clock where the TSC is not invariant).
        /// A [`Builder::user_clock`] takes precedence over it.
        clock: ClockSource => clock);

    /// Stamps every record with `clock` instead of the machine's clock
    /// (default: none): simulated market time for backtests and replays,
    /// as quill's `UserClockSource` does. [`crate::SimulatedClock`] is a
    /// ready-made one; any [`UserClock`] will do.
    ///
    /// - Only record timestamps (`ts`, the logger's own records included)
    ///   come from it. Durations (`perf!` timers, `#[log_performance]`)
    ///   keep measuring real time, and so do file rotation, rotated file
    ///   names and retention (a replay of last year must not have its files
    ///   deleted as a year old).
    /// - It takes precedence over [`Builder::clock`] and over the `clock`
    ///   key of the configuration file, whose value is still checked but
    ///   then has no effect; the file cannot name a user clock.
    /// - The flusher writes everything published at each cycle, merged by
    ///   timestamp across threads among those records: per-thread order is
    ///   always kept, and cross-thread order is exact for records published
    ///   in the same cycle (so always for a single-threaded backtest), not
    ///   across cycles, since simulated time says nothing about when a
    ///   record that is still being written will be published.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use logger::SimulatedClock;
    ///
    /// // 2024-01-02T14:30:00Z: the replay's first event.
    /// let clock = Arc::new(SimulatedClock::new(1_704_205_800_000_000_000));
    /// let _guard = logger::builder().user_clock(clock.clone()).install().unwrap();
    /// log::info!("session open"); // "ts":"2024-01-02T14:30:00.000000000Z"
    /// clock.advance(Duration::from_millis(5));
    /// log::info!("first fill"); // "ts":"2024-01-02T14:30:00.005000000Z"
    /// ```
    pub fn user_clock(mut self, clock: Arc<dyn UserClock>) -> Self {
        self.config.user_clock = Some(clock);
        self
    }

    setter!(
        /// When to `msync` for power-loss durability (default never; an
        /// `Interval` from 1 ns to [`MAX_DURATION_OPTION`]).
        msync: MsyncPolicy => msync);
    setter!(
        /// Disk blocks reserved ahead of a file's end with `fallocate` at a time (default [`DEFAULT_WINDOW_BYTES`]; halved down to a page on a disk with less free space).
        window_bytes: usize => window_bytes);
    setter!(
        /// Longest a record waits for a thread caught mid-record before it
        /// is written anyway (default [`DEFAULT_MAX_MERGE_DELAY`]; at most
        /// [`MAX_DURATION_OPTION`], `install()` refuses more).
        max_merge_delay: Duration => max_merge_delay);
    setter!(
        /// Bound of [`crate::flush`] and of the shutdown drain (default
        /// [`DEFAULT_FLUSH_TIMEOUT`]; 1 ns to [`MAX_DURATION_OPTION`],
        /// `install()` refuses anything else).
        flush_timeout: Duration => flush_timeout);
    setter!(
        /// Record panics and flush before the previous panic hook runs (default true).
        panic_hook: bool => panic_hook);
    setter!(
        /// Handle SIGTERM, SIGINT, SIGSEGV, SIGBUS and SIGABRT (default false):
        /// flush the rings (bounded by the flush timeout), then let the
        /// signal take its course (the previous handler, or the default
        /// action). What the handler does and does not guarantee is in the
        /// `docs/reliability.md`.
        signal_handler: bool => signal_handler);
    setter!(
        /// Capture a backtrace with every error logged as a value
        /// ([`crate::error_chain()`], `log`'s `err:err = e`, a
        /// `#[log_performance]` call returning `Err(e)` with `e: Error`) and
        /// with the panic record, whatever `RUST_BACKTRACE` says (default
        /// false: only when `RUST_BACKTRACE` or `RUST_LIB_BACKTRACE` asks).
        /// The capture and its symbol resolution run on the logging thread
        /// (resolving symbols reads the binary's debug information): for
        /// errors, not for hot paths.
        error_backtrace: bool => error_backtrace);
    setter!(
        /// Write a record of kind `metrics` (target `logger`) to the main
        /// file every `interval` of wall time, holding the counters of
        /// [`crate::Metrics`] (default `None`: never). Written by the
        /// flusher: the logging threads pay nothing. 10 ms to
        /// [`MAX_DURATION_OPTION`]; `install()` refuses anything else.
        metrics_interval: Option<Duration> => metrics_interval);

    /// A JSON configuration file applied over the builder's options at
    /// install (keys: the builder's method names; format in `docs/configuration.md`,
    /// "Configuration file"). `LOGGER_CONFIG` in the environment replaces
    /// the path. Environment variables still override the file.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Filter directives in `env_logger`'s syntax (default: none, so
    /// [`Builder::level`] applies to every target), e.g.
    /// `"info,strategy=debug,execution::orders=trace,risk=warn"`: a bare
    /// level is the default, `path=level` applies to a target and its
    /// `::` children (the longest matching path wins), `path=off` silences
    /// one. Without a bare level, the default is [`Builder::level`].
    /// `LOGGER_LEVEL` (else `RUST_LOG`) in the environment replaces it.
    /// Change it at runtime with [`crate::set_filter`].
    pub fn filter(mut self, spec: impl Into<String>) -> Self {
        self.config.filter = Some(spec.into());
        self
    }

    /// Names the service of records whose target is `prefix` or starts
    /// with `prefix::` (the longest matching prefix wins). Without a rule,
    /// a record's `service` is its target's first path segment (the crate
    /// name for `log` records and macros without `target:`).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let _guard = logger::builder()
    ///     .service("desk::execution", "execution")
    ///     .service("desk::risk", "risk_management")
    ///     .install()
    ///     .unwrap();
    /// ```
    pub fn service(mut self, prefix: impl Into<String>, name: impl Into<String>) -> Self {
        let (prefix, name) = (prefix.into(), name.into());
        self.config.services.retain(|(p, _)| *p != prefix);
        self.config.services.push((prefix, name));
        self
    }

    /// A service with its own level and file (see [`ServiceSpec`]); a
    /// second spec with the same name replaces the first. Its prefixes are
    /// added as by [`Builder::service`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use logger::{FileSpec, ServiceSpec};
    /// let _guard = logger::builder()
    ///     .service_spec(ServiceSpec::new("execution").prefix("desk::execution")
    ///         .level(log::LevelFilter::Info).file(FileSpec::new("execution")))
    ///     .service_spec(ServiceSpec::new("risk_management").prefix("desk::risk")
    ///         .level(log::LevelFilter::Warn).file(FileSpec::new("risk_management")))
    ///     .install()
    ///     .unwrap();
    /// log::info!(target: "desk::execution::orders", "order sent"); // app.log and execution.log
    /// log::info!(target: "desk::risk", "limits loaded"); // nowhere: below the service's level
    /// ```
    pub fn service_spec(mut self, spec: ServiceSpec) -> Self {
        self.config.add_service(spec);
        self
    }

    /// Keeps a backtrace ring (default: none): records less severe than
    /// [`Builder::level`] but at or above `level` are not written; the
    /// flusher keeps the newest `capacity` of them in memory and writes
    /// them, in order, just before the next `ERROR` record. `log`'s max
    /// level becomes the more verbose of the two levels, so those records
    /// are created (and cost as much as any record) on the logging thread.
    ///
    /// `LevelFilter::Off` turns the ring off. Otherwise `level` must be
    /// more verbose than [`Builder::level`] and `capacity` between 1 and
    /// [`MAX_BACKTRACE_CAPACITY`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use log::LevelFilter;
    /// let _guard = logger::builder()
    ///     .level(LevelFilter::Info)
    ///     .backtrace(LevelFilter::Debug, 256) // the last 256 debug records, on error
    ///     .install()
    ///     .unwrap();
    /// ```
    pub fn backtrace(mut self, level: LevelFilter, capacity: usize) -> Self {
        self.config.backtrace_level = level;
        self.config.backtrace_capacity = capacity;
        self
    }

    /// The configuration as built so far.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks every option; returns the first invalid one.
    ///
    /// # Errors
    ///
    /// [`InitError::InvalidOption`] naming the option, the bad value and
    /// what is allowed.
    pub fn validate(&self) -> Result<(), InitError> {
        validate(&self.config)
    }

    /// Validates the options, opens the files, installs the global `log`
    /// logger, sets `log`'s max level, and starts the flusher and
    /// housekeeping threads.
    ///
    /// Keep the returned guard alive: dropping it drains every ring,
    /// closes the files and stops the threads (`let _ = install()` drops
    /// it at once).
    ///
    /// # Errors
    ///
    /// An invalid option, a missing or unwritable directory, a file that
    /// cannot be opened, or a logger already installed in this process.
    /// On error nothing is installed.
    pub fn install(self) -> Result<LoggerGuard, InitError> {
        let Builder {
            mut config,
            mut create_dir,
            config_file,
        } = self;
        let path = std::env::var_os("LOGGER_CONFIG")
            .map(PathBuf::from)
            .or(config_file);
        let file_keys = match path {
            Some(path) => Some(crate::config_file::FileConfig::load(
                &path,
                &mut config,
                &mut create_dir,
            )?),
            None => None,
        };
        // A value the file set that parsed but is out of range: name the
        // file and the key.
        let from_file = |e: InitError| match &file_keys {
            Some(keys) => keys.annotate(e),
            None => e,
        };
        let filter = resolve_filter(&mut config).map_err(from_file)?;
        validate(&config).map_err(from_file)?;
        crate::security_options::prepare(&mut config).map_err(from_file)?;
        check_dir(&config.dir, create_dir, config.dir_mode)?;
        // Once, here: a later `chdir` of the process changes nothing.
        config.dir = std::path::absolute(&config.dir)
            .map_err(|e| InitError::DirNotWritable(config.dir.clone(), e))?;
        if lifecycle::state() != lifecycle::NOT_INSTALLED {
            return Err(InitError::AlreadyInstalled);
        }

        let housekeeper = Housekeeper::start().map_err(|source| InitError::Io {
            context: "starting the housekeeping thread".into(),
            source,
        })?;
        let router = Router::open(&config, &housekeeper).map_err(|source| InitError::Io {
            context: "opening the log files".into(),
            source,
        })?;
        let mode = clock::resolve(config.clock, config.user_clock.is_some());
        if let Some(user) = &config.user_clock {
            // Fails only after an earlier install got this far and then
            // failed: no logger can be installed in this process any more.
            if !clock::install_user_clock(Arc::clone(user)) {
                return Err(InitError::AlreadyInstalled);
            }
        }
        clock::select(mode);
        let converter = TscConverter::new(mode);

        if log::set_logger(&ADAPTER).is_err() || !lifecycle::try_start() {
            return Err(InitError::AlreadyInstalled);
        }
        lifecycle::set_producer_config(config.ring_bytes, config.overflow);
        lifecycle::set_flush_timeout(config.flush_timeout);
        crate::filter::install(
            filter,
            config.level,
            config.backtrace_level.into(),
            service_levels(&config),
        );

        let flusher = Flusher::new(&config, router, converter);
        let cpu = config.flusher_cpu;
        // The flusher inherits this mask: a SIGTERM/SIGINT sent to the
        // process is then handled by a thread that can wait for it.
        let mask = config
            .signal_handler
            .then(crate::signals::block_termination);
        let spawned = std::thread::Builder::new()
            .name(flusher::THREAD_NAME.into())
            .spawn(move || {
                if let Some(cpu) = cpu {
                    if let Err(e) = flusher::pin_to_cpu(cpu) {
                        crate::fault::report_io_error(
                            &format!("pinning the flusher to CPU {cpu}"),
                            &e,
                        );
                    }
                }
                // Whatever happens to the flusher, producers must stop
                // waiting for it.
                struct StopOnExit;
                impl Drop for StopOnExit {
                    fn drop(&mut self) {
                        lifecycle::set_state(lifecycle::STOPPED);
                    }
                }
                let _stop = StopOnExit;
                flusher.run();
            });
        if let Some(mask) = &mask {
            crate::signals::restore_mask(mask);
        }
        let handle = match spawned {
            Ok(h) => h,
            Err(source) => {
                lifecycle::set_state(lifecycle::STOPPED);
                return Err(InitError::Io {
                    context: "starting the flusher thread".into(),
                    source,
                });
            }
        };
        crate::error_chain::set_force_backtrace(config.error_backtrace);
        if config.panic_hook {
            crate::panic_hook::install();
        }
        crate::signals::stop_in_forked_children();
        crate::process_exit::flush_at_exit();
        if config.signal_handler {
            if let Err(e) = crate::signals::install() {
                crate::fault::report_io_error("installing the signal handler", &e);
            }
        }
        Ok(LoggerGuard::new(handle, housekeeper, config.flush_timeout))
    }
}

/// The filter from `LOGGER_LEVEL`, else `RUST_LOG`, else the builder's
/// spec, else the builder's level. A spec without a bare level defaults to
/// `config.level`; `config.level` then becomes the spec's most verbose
/// level (what the files and the backtrace ring split on).
fn resolve_filter(config: &mut Config) -> Result<crate::filter::Filter, InitError> {
    use crate::filter::{Filter, parse_option};
    let env = ["LOGGER_LEVEL", "RUST_LOG"]
        .into_iter()
        .find_map(|var| std::env::var(var).ok().map(|v| (var, v)));
    let filter = match (env, &config.filter) {
        (Some((var, spec)), _) => parse_option(var, &spec)?,
        (None, Some(spec)) => parse_option("filter", spec)?,
        (None, None) => Filter::level(config.level),
    }
    .or_default(config.level);
    let services = service_levels(config);
    if !services.is_empty() && config.backtrace_level != LevelFilter::Off {
        return Err(InitError::InvalidOption {
            option: "services",
            reason: "a service's level is a per-target directive, which cannot be combined \
                     with the backtrace ring yet (remove the level, or turn the ring off)"
                .into(),
        });
    }
    let filter = filter.under(&services);
    if filter.has_directives() && config.backtrace_level != LevelFilter::Off {
        return Err(InitError::InvalidOption {
            option: "filter",
            reason: "per-target directives cannot be combined with the backtrace ring yet \
                     (use a bare level, or turn the ring off)"
                .into(),
        });
    }
    config.level = filter.max_level();
    Ok(filter)
}

/// Each service's level as directives: one per prefix, or one for its
/// name when it has no prefix.
fn service_levels(config: &Config) -> Vec<(String, Threshold)> {
    let mut directives = Vec::new();
    for spec in &config.service_specs {
        let Some(level) = spec.level else { continue };
        if spec.prefixes.is_empty() {
            directives.push((spec.name.clone(), level));
        }
        for prefix in &spec.prefixes {
            directives.push((prefix.clone(), level));
        }
    }
    directives
}

fn invalid(option: &'static str, reason: impl Into<String>) -> Result<(), InitError> {
    Err(InitError::InvalidOption {
        option,
        reason: reason.into(),
    })
}

pub(crate) fn validate(c: &Config) -> Result<(), InitError> {
    if c.ring_bytes < MIN_RING_BYTES || c.ring_bytes > 1 << 30 {
        return invalid(
            "ring_bytes",
            format!(
                "{} is out of range: allowed {MIN_RING_BYTES} to {} bytes",
                c.ring_bytes,
                1u64 << 30
            ),
        );
    }
    if let OverflowPolicy::Grow { cap_bytes } = c.overflow {
        if cap_bytes < c.ring_bytes || cap_bytes > 1 << 32 {
            return invalid(
                "overflow",
                format!(
                    "Grow cap_bytes {cap_bytes} must be at least ring_bytes ({}) and at most 4 GiB",
                    c.ring_bytes
                ),
            );
        }
    }
    if c.window_bytes < 4096 || c.window_bytes > 1 << 30 {
        return invalid(
            "window_bytes",
            format!(
                "{} is out of range: allowed 4096 to {} bytes",
                c.window_bytes,
                1u64 << 30
            ),
        );
    }
    if let Err((key, reason)) = check_rotation(&c.rotation) {
        return invalid(key, reason);
    }
    if let Err(reason) = c.json.check() {
        return invalid("json_options", reason);
    }
    validate_formatters(c)?;
    if let Some(every) = c.metrics_interval {
        if every < Duration::from_millis(10) || every > MAX_DURATION_OPTION {
            return invalid(
                "metrics_interval",
                format!(
                    "{every:?} is out of range: allowed 10 ms to {MAX_DURATION_OPTION:?} (or None for no metrics record)"
                ),
            );
        }
    }
    if c.idle_sleep.is_zero() || c.idle_sleep > Duration::from_secs(1) {
        return invalid(
            "idle_sleep",
            format!("{:?} is out of range: allowed 1 ns to 1 s", c.idle_sleep),
        );
    }
    if c.flush_timeout.is_zero() || c.flush_timeout > MAX_DURATION_OPTION {
        return invalid(
            "flush_timeout",
            format!(
                "{:?} is out of range: allowed 1 ns to {MAX_DURATION_OPTION:?}",
                c.flush_timeout
            ),
        );
    }
    if c.max_merge_delay > MAX_DURATION_OPTION {
        return invalid(
            "max_merge_delay",
            format!(
                "{:?} is out of range: allowed 0 to {MAX_DURATION_OPTION:?}",
                c.max_merge_delay
            ),
        );
    }
    if let MsyncPolicy::Interval(d) = c.msync {
        if d.is_zero() || d > MAX_DURATION_OPTION {
            return invalid(
                "msync",
                format!("Interval({d:?}) is out of range: allowed 1 ns to {MAX_DURATION_OPTION:?}"),
            );
        }
    }
    if c.max_records_per_second == Some(0) {
        return invalid(
            "max_records_per_second",
            "0 is not allowed: must be a positive integer (records per second), or None for no cap",
        );
    }
    if c.backtrace_level != LevelFilter::Off {
        if Threshold::from(c.backtrace_level) <= c.level {
            return invalid(
                "backtrace",
                format!(
                    "level {} is not more verbose than the files' level {}: the ring would hold nothing \
                     (use LevelFilter::Off to disable it)",
                    c.backtrace_level, c.level
                ),
            );
        }
        if c.backtrace_capacity == 0 || c.backtrace_capacity > MAX_BACKTRACE_CAPACITY {
            return invalid(
                "backtrace",
                format!(
                    "capacity {} is out of range: allowed 1 to {MAX_BACKTRACE_CAPACITY} records",
                    c.backtrace_capacity
                ),
            );
        }
    }
    if let Some(cpu) = c.flusher_cpu {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpu >= cpus {
            return invalid(
                "flusher_cpu",
                format!(
                    "CPU {cpu} does not exist: this machine has CPUs 0 to {}",
                    cpus - 1
                ),
            );
        }
    }
    validate_services(c)?;
    let mut names: Vec<&str> = Vec::new();
    for (option, spec) in c.file_specs() {
        let name = spec.name.as_str();
        if let Err((key, reason)) = check_rotation(&c.rotation.with_overrides(&spec.rotation)) {
            return invalid(option, format!("file {name:?}: {key}: {reason}"));
        }
        if name.is_empty() || name.contains(['/', '\\', '\0']) || name == "." || name == ".." {
            return invalid(
                option,
                format!("file name {name:?} must be a non-empty plain name (no path separators)"),
            );
        }
        if names.contains(&name) {
            return invalid(
                option,
                format!("file name {name:?} is used by two destinations"),
            );
        }
        let pairs = names.iter().flat_map(|&o| [(name, o), (o, name)]);
        for (active, other) in pairs {
            if crate::sink::rotation::parse_rotated(other, &format!("{active}.log")).is_some() {
                return invalid(
                    option,
                    format!(
                        "file name {active:?}: {active}.log has the form of a rotated file of \
                         destination {other:?} ({other}.<YYYYMMDD>T<HHMMSS>.<mmm>.log), so \
                         {other:?}'s backup count and retention would delete or compress it; \
                         choose a name that does not start with \"{other}.\" followed by a timestamp"
                    ),
                );
            }
        }
        names.push(name);
    }
    if names.is_empty() {
        return invalid(
            "main_file",
            "every destination is disabled: nothing would be written",
        );
    }
    Ok(())
}

/// Every named formatter is valid and used, and every name a file or the
/// console uses is defined (errors name `formatters`, or the file's option).
fn validate_formatters(c: &Config) -> Result<(), InitError> {
    if c.formatters.len() > crate::format::MAX_NAMED_FORMATTERS {
        return invalid(
            "formatters",
            format!(
                "{} named formatters: at most {} are allowed",
                c.formatters.len(),
                crate::format::MAX_NAMED_FORMATTERS
            ),
        );
    }
    if c.console_formatter.is_some() && c.console.is_none() {
        return invalid(
            "console_formatter",
            "is set but there is no console (set console to a level)",
        );
    }
    for (name, spec) in &c.formatters {
        if name.is_empty() {
            return invalid("formatters", "a formatter has an empty name");
        }
        if let Err((key, reason)) = spec.check() {
            return invalid("formatters", format!("{name:?}: {key}: {reason}"));
        }
    }
    let used: Vec<(&'static str, &str)> = c
        .file_specs()
        .into_iter()
        .filter_map(|(option, spec)| Some((option, spec.formatter.as_deref()?)))
        .chain(
            c.console_formatter
                .as_deref()
                .map(|n| ("console_formatter", n)),
        )
        .collect();
    for (option, name) in &used {
        if !c.formatters.iter().any(|(n, _)| n == name) {
            let known: Vec<String> = c.formatters.iter().map(|(n, _)| format!("{n:?}")).collect();
            return invalid(
                option,
                format!(
                    "formatter {name:?} is not defined: the named formatters are {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
    }
    for (name, _) in &c.formatters {
        if !used.iter().any(|(_, n)| n == name) {
            return invalid(
                "formatters",
                format!(
                    "{name:?} is not used: no file (\"formatter\": {name:?}) nor the console \
                     (console_formatter) names it"
                ),
            );
        }
    }
    Ok(())
}

/// The range checks of one file's rotation: `Err((key, reason))`.
fn check_rotation(r: &RotationConfig) -> Result<(), (&'static str, String)> {
    if r.max_bytes == Some(0) {
        return Err((
            "max_file_bytes",
            "0 is not a size: must be positive (or None for no size limit)".into(),
        ));
    }
    if let TimeRotation::Every(d) = r.time {
        if d < Duration::from_secs(1) || d > Duration::from_secs(24 * 3600) {
            return Err((
                "rotation_time",
                format!("Every({d:?}) is out of range: allowed 1 s to 24 h (use Daily for a day)"),
            ));
        }
    }
    if r.retention_days == Some(0) {
        return Err((
            "retention_days",
            "0 days would delete every rotated file: must be positive (or None)".into(),
        ));
    }
    if let (Some(archive), Some(retention)) = (r.archive_after_days, r.retention_days) {
        if archive >= retention {
            return Err((
                "archive_after_days",
                format!(
                    "{archive} days is not less than retention_days ({retention}): rotated \
                     files would be deleted before they are archived"
                ),
            ));
        }
    }
    Ok(())
}

/// The services' names, prefixes and levels (their files are checked
/// with the other files).
fn validate_services(c: &Config) -> Result<(), InitError> {
    for (prefix, name) in &c.services {
        if prefix.is_empty() || prefix.contains(char::is_whitespace) || prefix.ends_with(':') {
            return invalid(
                "services",
                format!(
                    "prefix {prefix:?} is not a target path: expected e.g. \"desk::execution\""
                ),
            );
        }
        check_service_name(name, prefix)?;
    }
    for spec in &c.service_specs {
        check_service_name(&spec.name, "its prefixes")?;
        if spec.level.is_some() {
            let paths = if spec.prefixes.is_empty() {
                std::slice::from_ref(&spec.name)
            } else {
                &spec.prefixes[..]
            };
            if let Some(bad) = paths.iter().find(|p| !crate::filter::valid_path(p)) {
                return invalid(
                    "services",
                    format!(
                        "service {:?}: {bad:?} is not a target path, so its level cannot \
                         apply to it (give the service \"prefixes\" such as \"desk::execution\")",
                        spec.name
                    ),
                );
            }
        }
        if spec.level.is_none() && spec.file.is_none() {
            return invalid(
                "services",
                format!(
                    "service {:?} has neither a level nor a file: give it one, or name its \
                     prefixes with `Builder::service`",
                    spec.name
                ),
            );
        }
    }
    Ok(())
}

fn check_service_name(name: &str, of: &str) -> Result<(), InitError> {
    if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        return invalid(
            "services",
            format!(
                "service name {name:?} for {of:?} must be 1 to 64 bytes without control characters"
            ),
        );
    }
    Ok(())
}

fn check_dir(dir: &Path, create: bool, mode: u32) -> Result<(), InitError> {
    if !dir.exists() {
        if !create {
            return Err(InitError::DirMissing(dir.to_path_buf()));
        }
        crate::sink::permissions::create_dir_all(dir, mode)
            .map_err(|e| InitError::DirNotWritable(dir.to_path_buf(), e))?;
    }
    if !dir.is_dir() {
        return Err(InitError::DirNotWritable(
            dir.to_path_buf(),
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        ));
    }
    let probe = dir.join(format!(".logger-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| InitError::DirNotWritable(dir.to_path_buf(), e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
