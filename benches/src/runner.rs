//! One child process per logger configuration: a global logger installs
//! once per process, and each peak-RSS figure must be its own process's.
//!
//! The parent re-executes its own binary with `--child NAME`; the child
//! runs that one job and prints each result row on stdout as
//! `ROW <json>`. Anything else the child prints passes through.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::{Mode, Row};

/// Prefix of a result line on a child's stdout.
const ROW_PREFIX: &str = "ROW ";
/// The filter of this run ("" for all), for [`finish`].
static FILTER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// A child still running after this long is killed and reported.
const CHILD_TIMEOUT: Duration = Duration::from_secs(600);

/// A job run in its own process.
pub struct Job {
    /// Unique name, passed as `--child NAME`.
    pub name: String,
    /// The logger it measures (for the row of a failed child).
    pub logger: String,
    /// Runs in the child; returns its rows.
    pub run: Box<dyn Fn() -> Vec<Row>>,
}

impl Job {
    /// A job named `name` measuring `logger`.
    pub fn new(name: &str, logger: &str, run: impl Fn() -> Vec<Row> + 'static) -> Job {
        Job {
            name: name.into(),
            logger: logger.into(),
            run: Box::new(run),
        }
    }
}

/// In a child (`--child NAME` on the command line): runs that job, prints
/// its rows and exits. In the parent: runs every job whose name contains
/// the filter (the first free argument, or `BENCH_FILTER`) in its own
/// child, one after another, and returns all their rows.
pub fn run(jobs: Vec<Job>) -> Vec<Row> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        let name = args.get(at + 1).expect("--child needs a job name");
        let job = jobs
            .iter()
            .find(|j| &j.name == name)
            .unwrap_or_else(|| panic!("no job named {name}"));
        for row in (job.run)() {
            println!("{ROW_PREFIX}{}", row.to_json());
        }
        std::process::exit(0);
    }
    let filter = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .or_else(|| std::env::var("BENCH_FILTER").ok())
        .unwrap_or_default();
    let _ = FILTER.set(filter.clone());
    // Calibrate once here so every child reports the same machine facts.
    eprintln!(
        "bench: TSC {:.4} ns/tick ({:.3} GHz), {} CPUs",
        crate::tsc::ns_per_tick(),
        1.0 / crate::tsc::ns_per_tick(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("load average at start: {}", load_average());
    let mut rows = Vec::new();
    for job in jobs.iter().filter(|j| j.name.contains(&filter)) {
        settle();
        let start = Instant::now();
        eprintln!("bench: {} ...", job.name);
        let got = spawn(job);
        eprintln!(
            "bench: {} done in {:.1} s",
            job.name,
            start.elapsed().as_secs_f64()
        );
        rows.extend(got);
    }
    rows
}

/// Writes the dirty pages every job before left in the page cache (each
/// throughput job writes hundreds of MB) out to the disk, so that the
/// kernel's writeback of one job's files does not run during the next:
/// it took CPU time from whichever job came next and moved the figures
/// by up to a third from one run to the next (docs/performance.md).
fn settle() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

fn spawn(job: &Job) -> Vec<Row> {
    let failed = |why: String| {
        eprintln!("bench: {} failed: {why}", job.name);
        vec![Row {
            logger: job.logger.clone(),
            case: job.name.clone(),
            mode: Mode::Throughput,
            latency: None,
            throughput_rps: None,
            mb_per_s: None,
            records: None,
            peak_rss_kib: None,
            note: format!("FAILED: {why}"),
        }]
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return failed(e.to_string()),
    };
    let mut child = match Command::new(exe)
        .args(["--child", &job.name])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut rows = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match line.strip_prefix(ROW_PREFIX) {
                Some(json) => match serde_json::from_str(json)
                    .ok()
                    .as_ref()
                    .and_then(Row::from_json)
                {
                    Some(row) => rows.push(row),
                    None => eprintln!("bench: unreadable row: {json}"),
                },
                None => println!("{line}"),
            }
        }
        rows
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if start.elapsed() > CHILD_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {} s", CHILD_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => break Err(e.to_string()),
        }
    };
    let rows = reader.join().unwrap_or_default();
    match status {
        Ok(s) if s.success() => rows,
        Ok(s) => {
            let mut out = rows;
            out.extend(failed(format!("child exited with {s}")));
            out
        }
        Err(why) => {
            let mut out = rows;
            out.extend(failed(why));
            out
        }
    }
}

/// Prints the table of `rows` on stdout and writes them to
/// `<target>/bench-results/<name>.json`, or to `<name>-<filter>.json`
/// when the run was filtered (so a partial run never replaces a full one).
pub fn finish(name: &str, rows: &[Row]) {
    println!("\nload average at end: {}", load_average());
    println!("\n{}", crate::report::table(rows));
    let path = match FILTER.get().map(String::as_str).unwrap_or("") {
        "" => crate::report::results_path(name),
        f => {
            let f: String = f
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            crate::report::results_path(&format!("{name}-{f}"))
        }
    };
    match crate::report::write_json(&path, rows) {
        Ok(()) => println!("results: {}", path.display()),
        Err(e) => eprintln!("bench: cannot write {}: {e}", path.display()),
    }
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`): the machine may
/// be shared, and the absolute figures of a run depend on it.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|e| format!("unknown ({e})"))
}
