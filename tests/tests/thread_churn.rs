//! 10,000 short-lived threads each log a few records: every record is
//! written, rings are reclaimed (memory returns to its baseline), and no
//! file descriptor or mapping leaks.

mod common;

fn count_dir(path: &str) -> usize {
    std::fs::read_dir(path).map(|d| d.count()).unwrap_or(0)
}

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[test]
fn ten_thousand_short_lived_threads() {
    const THREADS: u64 = 10_000;
    const PER_THREAD: u64 = 3;
    let dir = tempfile::tempdir().unwrap();
    let guard = logger::builder()
        .dir(dir.path())
        .ring_bytes(64 << 10)
        .max_file_bytes(None)
        .install()
        .unwrap();
    // Warm up: one round of threads, so allocator pools exist before the baseline.
    let run = |base: u64, n: u64| {
        for batch in 0..n / 100 {
            let handles: Vec<_> = (0..100)
                .map(|k| {
                    let id = base + batch * 100 + k;
                    std::thread::spawn(move || {
                        for s in 0..PER_THREAD {
                            log::info!(id = id, s = s; "short-lived");
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
        }
        logger::flush().unwrap();
    };
    run(0, 200);
    // Let the flusher retire the warm-up rings.
    std::thread::sleep(std::time::Duration::from_millis(50));
    logger::flush().unwrap();
    let fds = count_dir("/proc/self/fd");
    let maps = std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count();
    let dir_str = dir.path().to_str().unwrap().to_string();
    let log_maps = || {
        std::fs::read_to_string("/proc/self/maps")
            .unwrap()
            .lines()
            .filter(|l| l.contains(&dir_str))
            .count()
    };
    let file_maps = log_maps();
    let rss = vm_rss_kib();

    run(200, THREADS);
    std::thread::sleep(std::time::Duration::from_millis(50));
    logger::flush().unwrap();
    let m = logger::metrics();
    let fds_after = count_dir("/proc/self/fd");
    let maps_after = std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .count();
    let rss_after = vm_rss_kib();
    let file_maps_after = log_maps();
    drop(guard);

    let records = common::records(dir.path(), "app");
    assert_eq!(records.len() as u64, (200 + THREADS) * PER_THREAD);
    assert_eq!(m.records_dropped, 0);
    assert!(
        m.rings <= 2,
        "rings of exited threads are freed: {} live",
        m.rings
    );
    assert!(
        fds_after <= fds,
        "file descriptors leaked: {fds} -> {fds_after}"
    );
    assert!(
        file_maps_after <= file_maps,
        "log file mappings leaked: {file_maps} -> {file_maps_after}"
    );
    // Anonymous mappings: glibc may still add malloc arenas (a heap and a
    // guard each, up to 8 per CPU) for threads that overlap more than in
    // the warm-up; a leak of 10,000 rings would be far more.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(
        maps_after <= maps + 2 * 8 * cpus + 8,
        "mappings leaked: {maps} -> {maps_after}"
    );
    // 10,000 rings of 64 KiB would be 640 MiB if they were not freed.
    assert!(
        rss_after < rss + 64 * 1024,
        "memory did not return to its baseline: {rss} KiB -> {rss_after} KiB"
    );
}
