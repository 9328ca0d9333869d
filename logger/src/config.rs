//! Configuration: the [`Builder`] and the option types it takes.
//!
//! Every option has a documented default (the `DEFAULT_*` constants) and is
//! validated by [`Builder::install`](crate::Builder::install), which reports the
//! first invalid option by name.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::UserClock;
use crate::level::LevelFilter;

/// Default capacity of each thread's ring, in bytes (1 MiB).
///
/// A `trade!` record takes about 64 bytes, so the default holds ~16,000
/// records: bursts of that size never touch the overflow policy.
pub const DEFAULT_RING_BYTES: usize = 1 << 20;
/// Smallest ring the builder accepts, in bytes.
pub const MIN_RING_BYTES: usize = 4096;
/// Default cap of a ring grown under [`OverflowPolicy::Grow`] (64 MiB).
pub const DEFAULT_GROW_CAP_BYTES: usize = 64 << 20;
/// Default sleep of the flusher when every ring is empty.
pub const DEFAULT_IDLE_SLEEP: Duration = Duration::from_micros(100);
/// Default size of the disk blocks reserved ahead of a file's end at a time
/// (16 MiB; less when the disk has less free space).
pub const DEFAULT_WINDOW_BYTES: usize = 16 << 20;
/// Default size limit of one file before it rotates (256 MiB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 << 20;
/// Default longest a record may wait for the cross-thread merge.
pub const DEFAULT_MAX_MERGE_DELAY: Duration = Duration::from_millis(50);
/// Default bound of [`crate::flush`] and of the shutdown drain.
pub const DEFAULT_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// Default mode of the log files the logger creates (`rw-r-----`),
/// applied past the umask; rotated, compressed and encrypted files keep it.
pub const DEFAULT_FILE_MODE: u32 = 0o640;
/// Default mode of a log directory created by `create_dir(true)`
/// (`rwxr-x---`), applied past the umask.
pub const DEFAULT_DIR_MODE: u32 = 0o750;
/// Largest backtrace ring the builder accepts, in records.
pub const MAX_BACKTRACE_CAPACITY: usize = 1 << 20;
/// Longest accepted `flush_timeout`, `max_merge_delay` and
/// `MsyncPolicy::Interval` (one day): `install()` refuses a longer one,
/// naming the option, rather than overflow a deadline later.
pub const MAX_DURATION_OPTION: Duration = Duration::from_secs(24 * 3600);

/// What a producer does when its ring is full.
///
/// Parse one from the configuration spelling with [`str::parse`]:
/// `"block"`, `"drop_newest"` (or `"drop"`), `"grow"` (or `"increase"`,
/// `"increase_temporarily"`). `"drop_oldest"` is rejected: see
/// [`OverflowPolicy::from_str`].
///
/// # Examples
///
/// ```
/// use logger::OverflowPolicy;
/// assert_eq!("block".parse::<OverflowPolicy>().unwrap(), OverflowPolicy::Block);
/// assert!("drop_oldest".parse::<OverflowPolicy>().unwrap_err().to_string().contains("single-producer"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OverflowPolicy {
    /// Spin, then yield, until the flusher makes room: nothing is lost.
    /// The default, because a trade log is an audit trail.
    #[default]
    Block,
    /// Drop the new record and count it; the flusher writes one warning
    /// record per thread saying how many were dropped.
    DropNewest,
    /// Chain a ring twice as large (up to `cap_bytes`), then block.
    /// The larger ring is freed once the thread exits.
    Grow {
        /// Largest ring a thread may grow to, in bytes.
        cap_bytes: usize,
    },
}

/// Error parsing an [`OverflowPolicy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOverflowError(String);

impl fmt::Display for ParseOverflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseOverflowError {}

impl FromStr for OverflowPolicy {
    type Err = ParseOverflowError;

    /// Parses the configuration spelling of a policy.
    ///
    /// # Errors
    ///
    /// `drop_oldest` is refused: each ring has exactly one producer (the
    /// logging thread) and one consumer (the flusher). Dropping the oldest
    /// record means moving the *read* position, which only the consumer
    /// owns; a producer doing it would race with the flusher reading that
    /// very record. Any other unknown name is refused with the list of
    /// accepted names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "block" => Ok(OverflowPolicy::Block),
            "drop_newest" | "drop" => Ok(OverflowPolicy::DropNewest),
            "grow" | "increase" | "increase_temporarily" => Ok(OverflowPolicy::Grow {
                cap_bytes: DEFAULT_GROW_CAP_BYTES,
            }),
            "drop_oldest" => Err(ParseOverflowError(
                "overflow policy \"drop_oldest\" is not supported: each thread's ring is \
                 single-producer single-consumer, and dropping the oldest record would \
                 move the read position that only the flusher (the consumer) owns, racing \
                 with it; use \"drop_newest\", \"block\" or \"grow\""
                    .to_string(),
            )),
            other => Err(ParseOverflowError(format!(
                "unknown overflow policy {other:?}: expected \"block\", \"drop_newest\" or \"grow\""
            ))),
        }
    }
}

/// Output format of the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per line (the default); schema in the README.
    #[default]
    Json,
    /// `2026-11-21 10:30:45.123456789 | INFO | target:line | message key=value`.
    Text,
    /// logfmt, `ts=2026-11-21T10:30:45.123456789Z level=info kind=log
    /// target=app::x service=app msg="two words" key=value ... tid=1234`:
    /// every part a `key=value` pair (see docs/configuration.md); the
    /// timestamp in [`RotationConfig::time_zone`](crate::RotationConfig::time_zone).
    Logfmt,
}

/// Time zone of rotation boundaries and of text-format timestamps.
///
/// JSON timestamps are UTC (RFC 3339 with a `Z`) unless
/// [`JsonOptions::timestamp_zone`](crate::JsonOptions::timestamp_zone)
/// says `Local`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeZone {
    /// Coordinated Universal Time (the default).
    #[default]
    Utc,
    /// The machine's local time zone (from `localtime_r`).
    Local,
}

/// Time-based rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeRotation {
    /// Never rotate by time (the default).
    #[default]
    Never,
    /// At the start of every hour.
    Hourly,
    /// At midnight.
    Daily,
    /// At every multiple of this interval since midnight (1 s to 24 h;
    /// `install()` refuses anything else). Meant for tests and for
    /// unusual schedules.
    Every(Duration),
}

/// When the flusher asks the kernel to write the files' pages to disk
/// (`fdatasync`; the name is from the memory-mapped writer of earlier
/// versions), which is what survives a power loss.
///
/// A crash of the process alone loses nothing that reached the file (the
/// page cache), whatever this says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MsyncPolicy {
    /// Leave it to the kernel's writeback (the default, typically within 30 s).
    #[default]
    Never,
    /// At most this long after a record is written.
    Interval(Duration),
    /// Right after any record at or above this level (and at every flush).
    Level(log::Level),
}

/// When the console destination colors its lines by level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConsoleColor {
    /// When stderr is a terminal (`isatty(2)`) and `NO_COLOR` is not set
    /// to a non-empty value (the default).
    #[default]
    Auto,
    /// Always, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never.
    Never,
}

/// Source of record timestamps.
///
/// A clock the application sets (simulated time in a backtest or a
/// replay) is not a `ClockSource`: it is installed from code with
/// [`Builder::user_clock`](crate::Builder::user_clock), and then takes
/// precedence over this setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClockSource {
    /// The CPU's time-stamp counter when it is invariant, converted on the
    /// flusher; the system clock otherwise (the default).
    #[default]
    Tsc,
    /// `clock_gettime(CLOCK_REALTIME)` on every record.
    System,
}

/// One output file: its name, level, and its own rotation and retention
/// where they differ from [`Config::rotation`].
///
/// # Examples
///
/// ```
/// use logger::{FileSpec, TimeRotation};
/// let spec = FileSpec::new("trades").level(log::LevelFilter::Info);
/// assert_eq!(spec.name, "trades");
/// let pager = FileSpec::new("pager").level(logger::LevelFilter::Critical);
/// assert_eq!(pager.level, logger::LevelFilter::Critical);
/// // Trades kept 90 days, rotated daily, archived after 7 days.
/// let trades = FileSpec::new("trades")
///     .rotation_time(TimeRotation::Daily)
///     .retention_days(Some(90))
///     .archive_after_days(Some(7));
/// assert_eq!(trades.rotation.retention_days, Some(Some(90)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpec {
    /// Base name: the active file is `<dir>/<name>.log`.
    pub name: String,
    /// Records below this level are not written to this file.
    pub level: LevelFilter,
    /// This file's own rotation and retention (default: none, so every
    /// value comes from [`Config::rotation`]).
    pub rotation: RotationOverrides,
    /// The named formatter this file is written with (see
    /// [`crate::Builder::formatter`]); `None`: the default formatter
    /// (the builder's `format` and `json_options`).
    pub formatter: Option<String>,
}

impl FileSpec {
    /// A file named `<name>.log` that takes every level.
    pub fn new(name: impl Into<String>) -> Self {
        FileSpec {
            name: name.into(),
            level: LevelFilter::Trace,
            rotation: RotationOverrides::default(),
            formatter: None,
        }
    }

    /// Writes this file with the named formatter `name` (one given to
    /// [`crate::Builder::formatter`]; `install()` refuses an unknown name).
    pub fn formatter(mut self, name: impl Into<String>) -> Self {
        self.formatter = Some(name.into());
        self
    }

    /// Sets the level of this file (a [`LevelFilter`] or a `log::LevelFilter`).
    pub fn level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.level = level.into();
        self
    }

    /// This file's size limit in bytes (`None`: no size limit), instead of
    /// the builder's `max_file_bytes`.
    pub fn max_file_bytes(mut self, max: Option<u64>) -> Self {
        self.rotation.max_bytes = Some(max);
        self
    }

    /// This file's time rotation, instead of the builder's `rotation_time`.
    pub fn rotation_time(mut self, time: TimeRotation) -> Self {
        self.rotation.time = Some(time);
        self
    }

    /// Most rotated files kept for this file (`None`: no limit), instead
    /// of the builder's `backup_count`.
    pub fn backup_count(mut self, count: Option<usize>) -> Self {
        self.rotation.backup_count = Some(count);
        self
    }

    /// Days this file's rotated files are kept (`None`: forever), instead
    /// of the builder's `retention_days`.
    pub fn retention_days(mut self, days: Option<u32>) -> Self {
        self.rotation.retention_days = Some(days);
        self
    }

    /// Whether this file's rotated files are gzipped, instead of the
    /// builder's `compress`.
    pub fn compress(mut self, compress: bool) -> Self {
        self.rotation.compress = Some(compress);
        self
    }

    /// Days after which this file's rotated files move into `archive/`
    /// (`None`: never), instead of the builder's `archive_after_days`.
    pub fn archive_after_days(mut self, days: Option<u32>) -> Self {
        self.rotation.archive_after_days = Some(days);
        self
    }
}

/// One file's rotation and retention where they differ from the global
/// [`RotationConfig`]: each `Some` replaces the global value (so
/// `Some(None)` turns a global limit off for this file), each `None` keeps it.
///
/// # Examples
///
/// ```
/// use logger::{RotationConfig, RotationOverrides};
/// let global = RotationConfig { retention_days: Some(30), ..RotationConfig::default() };
/// let errors = RotationOverrides { retention_days: Some(Some(90)), ..Default::default() };
/// assert_eq!(global.with_overrides(&errors).retention_days, Some(90));
/// assert_eq!(global.with_overrides(&RotationOverrides::default()), global);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotationOverrides {
    /// Replaces [`RotationConfig::max_bytes`].
    pub max_bytes: Option<Option<u64>>,
    /// Replaces [`RotationConfig::time`].
    pub time: Option<TimeRotation>,
    /// Replaces [`RotationConfig::backup_count`].
    pub backup_count: Option<Option<usize>>,
    /// Replaces [`RotationConfig::retention_days`].
    pub retention_days: Option<Option<u32>>,
    /// Replaces [`RotationConfig::compress`].
    pub compress: Option<bool>,
    /// Replaces [`RotationConfig::archive_after_days`].
    pub archive_after_days: Option<Option<u32>>,
}

/// A service (the `service` key of its records) with its own level and,
/// optionally, its own file, beside the main file.
///
/// - `prefixes`: targets that belong to the service (each as in
///   [`Builder::service`](crate::Builder::service)); with none, the
///   records whose target's first path segment is the service's name.
/// - `level`: the service's level, a filter directive for each prefix
///   (or for the name): its records below it are not recorded anywhere,
///   and its records at or above it are, even below [`Config::level`].
///   A directive for the same path in `filter` (or `LOGGER_LEVEL`,
///   `RUST_LOG`) wins.
/// - `file`: the service's own file; it takes every record of the service
///   that passes the level (and the file's own level).
///
/// # Examples
///
/// ```
/// use logger::{FileSpec, ServiceSpec};
/// let execution = ServiceSpec::new("execution")
///     .prefix("desk::execution")
///     .level(log::LevelFilter::Info)
///     .file(FileSpec::new("execution").retention_days(Some(90)));
/// assert_eq!(execution.prefixes, ["desk::execution"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSpec {
    /// The service's name, as written in the records' `service` key.
    pub name: String,
    /// Target prefixes of the service.
    pub prefixes: Vec<String>,
    /// The service's level (`None`: the filter's level for its targets).
    pub level: Option<LevelFilter>,
    /// The service's own file (`None`: only the shared files).
    pub file: Option<FileSpec>,
}

impl ServiceSpec {
    /// A service named `name`, without prefixes, level or file.
    pub fn new(name: impl Into<String>) -> Self {
        ServiceSpec {
            name: name.into(),
            prefixes: Vec::new(),
            level: None,
            file: None,
        }
    }

    /// Adds a target prefix of the service.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }

    /// Sets the service's level (a [`LevelFilter`] or a `log::LevelFilter`).
    pub fn level(mut self, level: impl Into<LevelFilter>) -> Self {
        self.level = Some(level.into());
        self
    }

    /// Gives the service its own file.
    pub fn file(mut self, file: FileSpec) -> Self {
        self.file = Some(file);
        self
    }
}

/// Rotation and retention of every file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationConfig {
    /// Rotate before a record would take the file past this size.
    pub max_bytes: Option<u64>,
    /// Rotate at time boundaries.
    pub time: TimeRotation,
    /// Time zone of the boundaries and of rotated file names.
    pub time_zone: TimeZone,
    /// Keep at most this many rotated files per destination.
    pub backup_count: Option<usize>,
    /// Delete rotated files older than this many days (in the directory
    /// and in `archive/`).
    pub retention_days: Option<u32>,
    /// Gzip rotated files (on the housekeeping thread).
    pub compress: bool,
    /// Move rotated files older than this many days into `<dir>/archive/`,
    /// gzipped whatever `compress` says (and encrypted with `encryption`);
    /// `Some(0)`: right after rotation. Must be less than `retention_days`.
    pub archive_after_days: Option<u32>,
    /// Mode of the log files the logger creates (default
    /// [`DEFAULT_FILE_MODE`]), whatever the umask; see `docs/security.md`.
    pub file_mode: u32,
    /// Encrypt rotated files (after compression) on the housekeeping thread.
    pub encryption: Option<crate::Encryption>,
}

impl Default for RotationConfig {
    fn default() -> Self {
        RotationConfig {
            max_bytes: Some(DEFAULT_MAX_FILE_BYTES),
            time: TimeRotation::Never,
            time_zone: TimeZone::Utc,
            backup_count: None,
            retention_days: None,
            compress: false,
            archive_after_days: None,
            file_mode: DEFAULT_FILE_MODE,
            encryption: None,
        }
    }
}

impl RotationConfig {
    /// This configuration with one file's overrides applied.
    pub fn with_overrides(&self, o: &RotationOverrides) -> RotationConfig {
        RotationConfig {
            max_bytes: o.max_bytes.unwrap_or(self.max_bytes),
            time: o.time.unwrap_or(self.time),
            backup_count: o.backup_count.unwrap_or(self.backup_count),
            retention_days: o.retention_days.unwrap_or(self.retention_days),
            compress: o.compress.unwrap_or(self.compress),
            archive_after_days: o.archive_after_days.unwrap_or(self.archive_after_days),
            ..self.clone()
        }
    }
}

/// The full configuration; built by [`crate::Builder`].
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory of every file. Must exist and be writable.
    pub dir: PathBuf,
    /// Mode of the directory (and missing parents) when `create_dir` creates
    /// it (default [`DEFAULT_DIR_MODE`]), whatever the umask.
    pub dir_mode: u32,
    /// Level of the `log` facade and of the macros: nothing below it is recorded.
    pub level: LevelFilter,
    /// The main file: every record at or above its level.
    pub main: Option<FileSpec>,
    /// Records of kind `trade`.
    pub trades: Option<FileSpec>,
    /// Records of kind `perf`.
    pub perf: Option<FileSpec>,
    /// Records at level `Error` (and `Critical`).
    pub errors: Option<FileSpec>,
    /// Output format of every file that names no formatter.
    pub format: Format,
    /// What the JSON format writes (every file): optional keys and renames.
    pub json: crate::JsonOptions,
    /// Named formatters, which files ([`FileSpec::formatter`]) and the
    /// console ([`Config::console_formatter`]) choose by name; `format`
    /// and `json` above are the default formatter.
    pub formatters: Vec<(String, crate::FormatterSpec)>,
    /// Rotation and retention of every file, unless the file's
    /// [`FileSpec::rotation`] says otherwise.
    pub rotation: RotationConfig,
    /// Capacity of each thread's ring in bytes (rounded up to a power of two).
    pub ring_bytes: usize,
    /// What a full ring does.
    pub overflow: OverflowPolicy,
    /// Flusher sleep when idle.
    pub idle_sleep: Duration,
    /// Pin the flusher to this CPU.
    pub flusher_cpu: Option<usize>,
    /// Timestamp source.
    pub clock: ClockSource,
    /// A clock the application sets, for record timestamps (backtests,
    /// replays); when present it takes precedence over [`Config::clock`].
    /// Set it with [`Builder::user_clock`](crate::Builder::user_clock).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let builder = logger::builder().user_clock(Arc::new(logger::SimulatedClock::new(0)));
    /// assert_eq!(builder.config().user_clock.as_ref().map(|c| c.now_ns()), Some(0));
    /// ```
    pub user_clock: Option<Arc<dyn UserClock>>,
    /// When to `msync`.
    pub msync: MsyncPolicy,
    /// Bytes reserved (`fallocate`) and mapped at a time per file.
    pub window_bytes: usize,
    /// Longest the cross-thread merge holds a record back.
    pub max_merge_delay: Duration,
    /// Bound of [`crate::flush`] and of the shutdown drain.
    pub flush_timeout: Duration,
    /// Install a panic hook that records the panic and flushes.
    pub panic_hook: bool,
    /// Install a handler for SIGTERM, SIGINT, SIGSEGV, SIGBUS and SIGABRT
    /// that flushes the rings, then lets the signal take its course.
    pub signal_handler: bool,
    /// Backtrace ring: records less severe than [`Config::level`] but at or
    /// above this level are held in memory and written only when an
    /// `ERROR` record arrives (`Off`, the default: no ring).
    pub backtrace_level: log::LevelFilter,
    /// Most records the backtrace ring holds (the oldest go first).
    pub backtrace_capacity: usize,
    /// Filter directives (`env_logger` syntax); `None`: `level` everywhere.
    pub filter: Option<String>,
    /// Target prefix to `service` name rules (see [`crate::Builder::service`]).
    pub services: Vec<(String, String)>,
    /// Services with their own level or file (see
    /// [`crate::Builder::service_spec`]); their prefixes are in
    /// [`Config::services`] too.
    pub service_specs: Vec<ServiceSpec>,
    /// The console destination's level (text on stderr); `None`: no console.
    pub console: Option<log::LevelFilter>,
    /// When the console colors its lines.
    pub console_color: ConsoleColor,
    /// The named formatter of the console (`None`: the text format in
    /// [`RotationConfig::time_zone`]).
    pub console_formatter: Option<String>,
    /// Most records written per second of record time (the flusher
    /// discards the rest unformatted, counts them and summarises them in a
    /// warning record; `ERROR` and `CRITICAL` records are never discarded);
    /// `None`: no cap.
    pub max_records_per_second: Option<u64>,
    /// Redaction of sensitive field values (default: no rule).
    pub redaction: crate::Redaction,
    /// Capture a backtrace for every error value ([`crate::error_chain()`],
    /// `log`'s `err:err`, a `#[log_performance]` `err` outcome) and panic,
    /// whatever `RUST_BACKTRACE` says (default false: only when
    /// `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` asks).
    pub error_backtrace: bool,
    /// Write a `metrics` record (kind `metrics`) to the main file at this
    /// interval (default `None`: never); see [`crate::Builder::metrics_interval`].
    pub metrics_interval: Option<Duration>,
}

impl Config {
    /// Adds (or replaces, by name) a service with its own level or file,
    /// and its prefixes to [`Config::services`].
    pub fn add_service(&mut self, spec: ServiceSpec) {
        for prefix in &spec.prefixes {
            self.services.retain(|(p, _)| p != prefix);
            self.services.push((prefix.clone(), spec.name.clone()));
        }
        self.service_specs.retain(|s| s.name != spec.name);
        self.service_specs.push(spec);
    }

    /// Every file: `(option, spec)` for main, trades, perf, errors, then
    /// each service's file (option `services`).
    pub(crate) fn file_specs(&self) -> Vec<(&'static str, &FileSpec)> {
        let fixed = [
            ("main_file", &self.main),
            ("trades_file", &self.trades),
            ("perf_file", &self.perf),
            ("errors_file", &self.errors),
        ];
        let services = self.service_specs.iter().map(|s| ("services", &s.file));
        fixed
            .into_iter()
            .chain(services)
            .filter_map(|(o, s)| Some((o, s.as_ref()?)))
            .collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dir: PathBuf::from("logs"),
            dir_mode: DEFAULT_DIR_MODE,
            level: LevelFilter::Info,
            main: Some(FileSpec::new("app")),
            trades: Some(FileSpec::new("trades")),
            perf: Some(FileSpec::new("perf")),
            errors: Some(FileSpec::new("errors").level(LevelFilter::Error)),
            format: Format::Json,
            json: crate::JsonOptions::default(),
            formatters: Vec::new(),
            rotation: RotationConfig::default(),
            ring_bytes: DEFAULT_RING_BYTES,
            overflow: OverflowPolicy::Block,
            idle_sleep: DEFAULT_IDLE_SLEEP,
            flusher_cpu: None,
            clock: ClockSource::Tsc,
            user_clock: None,
            msync: MsyncPolicy::Never,
            window_bytes: DEFAULT_WINDOW_BYTES,
            max_merge_delay: DEFAULT_MAX_MERGE_DELAY,
            flush_timeout: DEFAULT_FLUSH_TIMEOUT,
            panic_hook: true,
            signal_handler: false,
            backtrace_level: log::LevelFilter::Off,
            backtrace_capacity: 0,
            filter: None,
            services: Vec::new(),
            service_specs: Vec::new(),
            console: None,
            console_color: ConsoleColor::Auto,
            console_formatter: None,
            max_records_per_second: None,
            redaction: crate::Redaction::default(),
            error_backtrace: false,
            metrics_interval: None,
        }
    }
}
