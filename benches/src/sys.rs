//! Linux helpers: CPU affinity, the monotonic clock, peak RSS.

use std::path::Path;

/// `CLOCK_MONOTONIC` in nanoseconds.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Pins thread `tid` (0: the calling thread) to `cpu`; false on failure
/// (e.g. a machine with a single CPU).
pub fn pin(tid: i32, cpu: usize) -> bool {
    set_affinity(tid, cpu..cpu + 1)
}

/// Lets thread `tid` (0: the calling thread) run on every CPU again;
/// false on failure.
pub fn unpin(tid: i32) -> bool {
    set_affinity(
        tid,
        0..std::thread::available_parallelism().map_or(1, |n| n.get()),
    )
}

/// Restricts thread `tid` (0: the calling thread) to `cpus`; false when
/// one is out of range or the kernel refuses.
fn set_affinity(tid: i32, cpus: std::ops::Range<usize>) -> bool {
    if cpus.end > libc::CPU_SETSIZE as usize {
        return false;
    }
    // SAFETY: `set` is a plain bit set, zeroed then filled by CPU_SET with
    // in-range CPU indices (checked above); sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// The calling thread's OS id.
pub fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// Pins the calling thread to CPU 0 and every other thread of the process
/// to CPU 1: the producer on one core, the logger's background threads on
/// the other. Call it after the logger started its threads (threads
/// created later would inherit CPU 0). Returns how many other threads
/// were moved.
pub fn pin_producer_and_backend() -> usize {
    let me = gettid();
    pin(0, 0);
    let mut moved = 0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for t in tasks.flatten() {
            let Some(tid) = t.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            if tid != me && pin(tid, 1) {
                moved += 1;
            }
        }
    }
    moved
}

/// Peak resident set size of this process in KiB (`VmHWM`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Lines containing `marker`, and their bytes (newline included), in
/// every regular file under `dir` (recursively). Zero padding of a file
/// still mapped is not counted.
pub fn count_lines(dir: &Path, marker: &str) -> (u64, u64) {
    let mut lines = 0;
    let mut bytes = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for e in entries.flatten() {
        let path = e.path();
        // A symlink (e.g. a "current file" link) would count lines twice.
        if e.file_type().is_ok_and(|t| t.is_symlink()) {
            continue;
        }
        if path.is_dir() {
            let (l, b) = count_lines(&path, marker);
            lines += l;
            bytes += b;
        } else if let Ok(file) = std::fs::File::open(&path) {
            // A line at a time: a whole file in memory (up to the rotation
            // size) would be the largest part of the process's peak RSS.
            let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
            let mut line = Vec::new();
            loop {
                line.clear();
                match std::io::BufRead::read_until(&mut reader, b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let l = line.strip_suffix(b"\n").unwrap_or(&line);
                // Lines are UTF-8 text (a line that is not holds no marker).
                if std::str::from_utf8(l).is_ok_and(|l| l.contains(marker)) {
                    lines += 1;
                    bytes += l.len() as u64 + 1;
                }
            }
        }
    }
    (lines, bytes)
}

/// A fresh, empty directory for one child's files:
/// `<target>/bench-logs/<name>`.
pub fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = crate::report::target_dir().join("bench-logs").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the bench log directory");
    dir
}
