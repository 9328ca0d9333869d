//! Power loss keeps what was synced (`fdatasync`, the `MsyncPolicy`). A
//! power cut cannot be simulated here, but what survives one can be
//! observed: pages of `app.log` still dirty in the page cache are what a
//! power cut would lose. The test maps the file read-only and reads
//! `/proc/self/smaps` (`Private_Dirty` + `Shared_Dirty` of that mapping
//! count the dirty pages of the page cache it maps). A child logs and then
//! reports that figure:
//!
//! - `MsyncPolicy::Never` (the control): pages stay dirty after `flush()`
//!   (the kernel writes them back later, typically within 30 s);
//! - `MsyncPolicy::Level(Error)`: an `ERROR` record is synced at once with
//!   everything written before it, without any `flush()`;
//! - `MsyncPolicy::Interval(10 ms)`: written records are synced within
//!   the interval, without any `flush()` and with nothing logged after
//!   them (the flusher used to sync only when a later record came).
//!
//! On a file system without writeback (tmpfs), nothing can be observed:
//! the test says so and passes.

mod common;

use std::time::Duration;

use logger::MsyncPolicy;

/// Dirty kB of the page cache of `file`: mapped read-only here, each page
/// touched, then read from `/proc/self/smaps`.
fn dirty_kb(file: &str) -> u64 {
    use std::os::fd::AsRawFd;
    let f = std::fs::File::open(file).unwrap();
    let len = f.metadata().unwrap().len() as usize;
    if len == 0 {
        return 0;
    }
    // SAFETY: a read-only shared mapping of `len` bytes of an open file,
    // unmapped below; the logger only appends, so every page stays inside
    // the file while mapped.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            f.as_raw_fd(),
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED, "mmap {file}");
    let mut sum = 0u8;
    for off in (0..len).step_by(4096) {
        // SAFETY: `off < len`, inside the mapping.
        sum ^= unsafe { std::ptr::read_volatile(p.cast::<u8>().add(off)) };
    }
    std::hint::black_box(sum);
    let kb = smaps_dirty_kb(file);
    // SAFETY: the mapping made above, not used afterwards.
    unsafe { libc::munmap(p, len) };
    kb
}

/// Dirty kB of the mappings of `file` in this process.
fn smaps_dirty_kb(file: &str) -> u64 {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut ours = false;
    let mut kb = 0;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            ours = line.ends_with(file);
        } else if ours && (line.starts_with("Private_Dirty:") || line.starts_with("Shared_Dirty:"))
        {
            kb += line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    kb
}

#[test]
fn msync_child() {
    if !common::is_child() {
        return;
    }
    let dir = std::env::var("LOGGER_TEST_DIR").unwrap();
    let mode = std::env::var("MSYNC_MODE").unwrap();
    let policy = match mode.as_str() {
        "never" => MsyncPolicy::Never,
        "level" => MsyncPolicy::Level(log::Level::Error),
        "interval" => MsyncPolicy::Interval(Duration::from_millis(10)),
        other => panic!("unknown mode {other}"),
    };
    let path = std::path::Path::new(&dir).join("app.log");
    let guard = logger::builder()
        .dir(&dir)
        .msync(policy)
        .trades_file(None)
        .perf_file(None)
        .errors_file(None)
        .install()
        .unwrap();
    let pad = "p".repeat(200);
    let wait_written = |n: u64| {
        let t0 = std::time::Instant::now();
        while logger::metrics().records_written < n && t0.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(1));
        }
    };
    for i in 0..2_000u64 {
        log::info!(i = i, pad = pad.as_str(); "to be made durable");
    }
    // A second, small burst right after the first is written: with an
    // interval policy it lands just after a sync, and must be synced by
    // the interval alone (nothing is logged after it).
    wait_written(2_000);
    for i in 0..10u64 {
        log::info!(i = i, pad = pad.as_str(); "second burst");
    }
    match mode.as_str() {
        "never" => logger::flush().unwrap(),
        "level" => log::error!("an error: synced with everything before it"),
        _ => {}
    }
    // Wait (bounded) until the flusher has written everything, without
    // asking it to flush.
    wait_written(if mode == "level" { 2_011 } else { 2_010 });
    let file = path.to_str().unwrap();
    let mut dirty = dirty_kb(file);
    if mode == "interval" {
        // Synced within the interval (plus an idle sleep) of the write.
        let t0 = std::time::Instant::now();
        while dirty > 0 && t0.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(5));
            dirty = dirty_kb(file);
        }
    }
    println!("DIRTY_KB={dirty}");
    drop(guard);
}

fn dirty_after(mode: &str, dir: &std::path::Path) -> u64 {
    let d = dir.to_str().unwrap().to_string();
    let out = common::run_child(
        common::child_command(
            "msync_child",
            &[("LOGGER_TEST_DIR", &d), ("MSYNC_MODE", mode)],
        ),
        Duration::from_secs(60),
    );
    assert!(
        out.status.success(),
        "{mode}: {:?}\n{}",
        out.status,
        out.stderr
    );
    out.number("DIRTY_KB")
}

#[test]
fn msync_policies_leave_nothing_dirty_for_a_power_cut() {
    if common::is_child() {
        return;
    }
    let control = tempfile::tempdir().unwrap();
    let dirty = dirty_after("never", control.path());
    if dirty == 0 {
        println!(
            "SKIP: pages written without msync are not dirty here (tmpfs, or writeback already ran): \
             nothing to observe"
        );
        return;
    }
    println!("MsyncPolicy::Never: {dirty} kB dirty after flush()");
    for mode in ["level", "interval"] {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            dirty_after(mode, dir.path()),
            0,
            "{mode}: pages still dirty (lost on power loss)"
        );
        let records = common::records(dir.path(), "app");
        assert!(records.len() >= 2_000, "{mode}");
    }
}
