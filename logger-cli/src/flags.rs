//! Every command-line argument of `logger`, in one place (clap derive).
//!
//! The commands share two groups: [`FilterArgs`] (which records) and
//! [`OutputArgs`] (how they are printed). Each command's own options live
//! in its variant of [`Command`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `logger`: read, follow, query and chart the JSON-lines files of the
/// `logger` crate.
#[derive(Debug, Parser)]
#[command(name = "logger", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the records of one or more destinations in timestamp order
    /// (active file, rotated files, .gz; several directories merged by time).
    Cat(CatArgs),
    /// Print the last records, or follow new ones across rotations with -f.
    Tail(TailArgs),
    /// Every record of one correlation id, across destinations and rotated
    /// files, in time order, with the time since the first record.
    Trace(TraceArgs),
    /// Latency percentiles per operation, trades by symbol/side/venue,
    /// records and errors by service and level, the logger's own warnings.
    Stats(StatsArgs),
    /// Draw charts (SVG or PNG): latency percentiles over time, latency
    /// histogram, records per second, errors over time.
    Plot(PlotArgs),
    /// Write one self-contained HTML page with the charts and tables of `stats`.
    Report(ReportArgs),
    /// Check every line against the record schema, per-file timestamp
    /// order, crash tails and gaps in rotation; exit code 1 on a problem.
    Check(CheckArgs),
    /// Follow the files and ship their records to PostgreSQL (exactly once)
    /// and the remote destinations of a configuration file (webhook, syslog,
    /// TCP/UDP/TLS, OTLP), until SIGTERM or SIGINT.
    Ship(ShipArgs),
}

/// `logger ship --config ship.toml` or `logger ship --postgres URL DIR...`.
#[derive(Debug, Args, Clone)]
pub struct ShipArgs {
    /// The shipper's configuration file (TOML: paths, every destination;
    /// docs/destinations.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Ship to this PostgreSQL database (`postgres://user:pw@host:port/db`)
    /// with the default layout, without a configuration file.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// With --postgres: the directories whose files are shipped.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<std::path::PathBuf>,
    /// Records per batch (one COPY and one checkpoint per batch).
    #[arg(long, value_name = "N")]
    pub batch_records: Option<usize>,
    /// With PostgreSQL: seed 004's layout, `{PREFIX}_logs`.
    #[arg(long, value_name = "PREFIX")]
    pub table_prefix: Option<String>,
    /// Connect once, create the tables, report, and exit.
    #[arg(long)]
    pub check: bool,
    /// Never show the progress line (records shipped, records/s, lag); it
    /// is drawn on stderr only when stderr is a terminal anyway.
    #[arg(long)]
    pub no_progress: bool,
}

/// Which records a command reads. Every option narrows the selection; all
/// of them combine (logical AND).
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Records at or above this level: trace, debug, info, warn, error, critical.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// Records of this kind (log, trade, perf, or any other); repeat for several.
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,
    /// Records whose target is this path or below it at a `::` boundary
    /// (`execution` matches `execution::orders`, not `executions`); repeatable.
    #[arg(long, value_name = "PATH")]
    pub target: Vec<String>,
    /// Records of this service; repeatable.
    #[arg(long, value_name = "NAME")]
    pub service: Vec<String>,
    /// Records with this correlation id (a string id, or a number's digits).
    #[arg(long, value_name = "ID")]
    pub corr: Option<String>,
    /// Records at or after this time: RFC 3339 (`2026-11-21T10:30:00Z`) or
    /// relative to now (`90s`, `15m`, `2h`, `1d`).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Records before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Records whose message matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,
    /// A field predicate: `fields.qty>=500`, `service=risk`, `context.strategy`
    /// (exists), `!correlation_id` (absent); operators = != < <= > >=.
    /// Keys: the record's top-level keys, `fields.*`, `context.*`. Repeatable.
    #[arg(long = "where", value_name = "EXPR")]
    pub where_: Vec<String>,
}

/// How records are printed.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// `json`: the lines exactly as stored; `text`: one readable line per
    /// record, colored by level on a terminal.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Print only these columns, tab-separated (implies text): any of the
    /// top-level keys, `fields.<name>`, `context.<name>`, e.g. `ts,level,fields.qty`.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Color by level: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// The output formats of `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The stored JSON line, byte for byte.
    Json,
    /// A readable line: time, level, target, message, fields.
    Text,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Options of every command that scans files.
#[derive(Debug, Args, Clone, Default)]
pub struct ScanArgs {
    /// Treat a crash tail (NUL padding, a cut last line) or a line that is
    /// not a record as an error (exit code 1) instead of a warning.
    #[arg(long)]
    pub strict: bool,
    /// Never show a progress bar (it is shown only on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Identities to decrypt encrypted rotated files.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// The age identities that decrypt encrypted rotated files.
#[derive(Debug, Args, Clone, Default)]
pub struct KeyArgs {
    /// An age identity file (`age-keygen` output, as `age -d -i FILE` takes)
    /// to read encrypted rotated files (`.log.age`, `.log.gz.age`) with;
    /// repeatable. Without it, each encrypted file is reported and skipped.
    #[arg(
        short = 'i',
        long = "identity",
        value_name = "FILE",
        env = "LOGGER_AGE_IDENTITY"
    )]
    pub identity: Vec<PathBuf>,
}

/// `logger cat`.
#[derive(Debug, Args)]
pub struct CatArgs {
    /// Directories (every destination in them) or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Which records.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How to print them.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Scan options.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Keep a record written to several destinations (a trade is in app.log
    /// and trades.log) once per destination instead of once.
    #[arg(long)]
    pub no_dedup: bool,
}

/// `logger tail`.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// Directories or files to follow; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Follow: print records as they are written, across rotations, until interrupted.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Without --since: print this many of the last records first.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub lines: usize,
    /// How often to look for new records while following, in milliseconds.
    #[arg(long, default_value_t = 20, value_name = "MS")]
    pub poll_ms: u64,
    /// Identities to decrypt encrypted rotated files.
    #[command(flatten)]
    pub keys: KeyArgs,
    /// Which records.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How to print them.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `logger trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The correlation id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Directories or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Which records (besides the id).
    #[command(flatten)]
    pub filter: FilterArgs,
    /// How to print them.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Scan options.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `--by` of `logger stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// Per operation and hour (UTC).
    Hour,
    /// Per operation and minute (UTC).
    Minute,
    /// Per operation and service.
    Service,
    /// Per operation and enclosing function.
    Function,
}

/// `logger stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Directories or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Split the latency table of each operation further.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub by: Option<GroupBy>,
    /// Print the statistics as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Which records.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Scan options.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `--chart` of `logger plot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// p50/p90/p99/max latency of the operation over time.
    Latency,
    /// Histogram of the operation's latencies.
    Histogram,
    /// Records per second over time.
    Rate,
    /// ERROR/CRITICAL records (and failed operations) over time.
    Errors,
    /// The four charts on one image, in a 2x2 grid.
    All,
}

/// `logger plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// Directories or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The operation (`fields.operation` of perf records) of the latency charts.
    #[arg(long, value_name = "NAME")]
    pub op: Option<String>,
    /// Output image: `.svg` or `.png`.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Which chart.
    #[arg(long, value_enum, default_value_t = ChartKind::All)]
    pub chart: ChartKind,
    /// Image width in pixels.
    #[arg(long, default_value_t = 1200)]
    pub width: u32,
    /// Image height in pixels.
    #[arg(long, default_value_t = 800)]
    pub height: u32,
    /// Which records.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Scan options.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `logger report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directories or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output HTML file.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
    /// Which records.
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Scan options.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `logger check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directories or files; default `logs`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print at most this many problems (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_problems: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Identities to decrypt encrypted rotated files.
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// The paths given, or `logs` when none.
pub fn paths_or_default(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("logs")]
    } else {
        paths.to_vec()
    }
}
