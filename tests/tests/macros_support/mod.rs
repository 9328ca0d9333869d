//! Shared by the macro tests: one global logger per test binary, and its
//! records read back while it runs.
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

/// The logger of this test binary: installed once, at level `Trace`, into
/// a temporary directory, and never stopped (tests call `logger::flush`).
pub fn dir() -> &'static Path {
    dir_with(|b| b)
}

/// [`dir`], with more options set by `configure` (the first call's wins:
/// a test binary installs one logger).
pub fn dir_with(configure: fn(logger::Builder) -> logger::Builder) -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let builder = logger::builder()
            .dir(dir.path())
            .level(log::LevelFilter::Trace);
        let guard = configure(builder).install().unwrap();
        std::mem::forget(guard);
        dir
    })
    .path()
}

/// Every record of `<file>.log` so far: its whole lines. The tests of a
/// binary share one logger, and another test's records may be in the
/// middle of being appended (a cycle's batch is one `write(2)`, which a
/// concurrent read can see in part): a last line without its newline is
/// one of those, not a record this test flushed.
pub fn all(file: &str) -> Vec<Value> {
    let path = dir().join(format!("{file}.log"));
    logger::flush().unwrap();
    let Ok(bytes) = std::fs::read(&path) else {
        return Vec::new();
    };
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&bytes[..end]).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

/// Records of `<file>.log` whose `fields.test` is `test`.
pub fn records(file: &str, test: &str) -> Vec<Value> {
    all(file)
        .into_iter()
        .filter(|r| r["fields"]["test"] == test)
        .collect()
}

/// The one record of `<file>.log` whose `fields.test` is `test`.
pub fn only(file: &str, test: &str) -> Value {
    let mut r = records(file, test);
    assert_eq!(r.len(), 1, "{test}: one record in {file}, got {r:#?}");
    r.pop().unwrap()
}

/// Raw lines of `<file>.log` that hold `needle`.
pub fn raw_lines(file: &str, needle: &str) -> Vec<String> {
    let path = dir().join(format!("{file}.log"));
    logger::flush().unwrap();
    let bytes = std::fs::read(path).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

/// Records of `<file>.log` whose `fields.operation` is `op`.
pub fn operation(file: &str, op: &str) -> Vec<Value> {
    all(file)
        .into_iter()
        .filter(|r| r["fields"]["operation"] == op)
        .collect()
}

/// The one record of `perf.log` whose `fields.operation` is `op`.
pub fn only_op(op: &str) -> Value {
    let mut r = operation("perf", op);
    assert_eq!(r.len(), 1, "{op}: one perf record, got {r:#?}");
    r.pop().unwrap()
}

/// A minimal executor for the async tests: polls on this thread, parks
/// between wake-ups.
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// A future that completes `d` after its first poll, woken by a timer
/// thread: an await that takes wall time but no CPU.
pub fn sleep(d: std::time::Duration) -> impl std::future::Future<Output = ()> {
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};

    let state: Arc<Mutex<(bool, Option<Waker>)>> = Arc::new(Mutex::new((false, None)));
    let mut started = false;
    std::future::poll_fn(move |cx| {
        let mut s = state.lock().unwrap();
        if s.0 {
            return Poll::Ready(());
        }
        s.1 = Some(cx.waker().clone());
        if !started {
            started = true;
            let state = state.clone();
            std::thread::spawn(move || {
                std::thread::sleep(d);
                let mut s = state.lock().unwrap();
                s.0 = true;
                if let Some(w) = s.1.take() {
                    w.wake();
                }
            });
        }
        Poll::Pending
    })
}

/// Checks the keys of record `$r` that come from its call site: kind,
/// level and message, then target and module (this module), file, line,
/// and the enclosing function `$function` of this module.
#[macro_export]
macro_rules! assert_call_site {
    ($r:expr, kind = $kind:expr, level = $level:expr, msg = $msg:expr, line = $line:expr, function = $function:expr) => {{
        let r = &$r;
        assert_eq!(r["kind"], $kind);
        assert_eq!(r["level"], $level);
        assert_eq!(r["msg"], $msg);
        assert_eq!(r["target"], module_path!());
        assert_eq!(r["module"], module_path!());
        assert_eq!(r["file"], file!());
        assert_eq!(r["line"], $line);
        assert_eq!(r["function"], concat!(module_path!(), "::", $function));
    }};
}
