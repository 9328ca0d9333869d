//! The flusher thread: drain every ring, decode, merge, format, route.
//!
//! One cycle: take the time and the pending flush request, snapshot every
//! ring, emit the records below the watermark (everything, when a flush or
//! the shutdown asks), publish the read positions, report drops, and sleep
//! `idle_sleep` when there was nothing to do. The flusher never wakes a
//! producer and no producer ever wakes it: it polls. A record of a call
//! site seen before on its thread is written by the fast lane's plan,
//! straight from its bytes (`fast_lane`), when nothing but the JSON files
//! needs it decoded.
//!
//! With a user clock ([`crate::Builder::user_clock`]) record timestamps are
//! simulated time, which says nothing about when a record still being
//! written will be published: every cycle emits everything published
//! (merged by timestamp among those records), the logger's own records are
//! stamped with the user clock too, and files rotate by real time.
//!
//! Rate limits: the global cap (`max_records_per_second`, see
//! `rate_cap`) is applied here, to each record before it is decoded, per
//! second of record time (simulated time with a user clock); the drops of
//! call sites' own limits (`crate::rate_limit`, real time) are reported
//! once a second of real time, at each flush and at shutdown.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::backend::barrier;
use crate::backend::call_tree::CallTree;
use crate::backend::decode::{self, Origin};
use crate::backend::fast_lane::{self, FastLane};
use crate::backend::formats::Formats;
use crate::backend::merge::{Rings, Run, ThreadRing};
use crate::backend::metrics_record::MetricsRecord;
use crate::backend::rate_cap::{RateCap, Summary};
use crate::backend::router::Router;
use crate::backend::service::Services;
use crate::clock::{self, ClockMode, TscConverter};
use crate::config::{Config, MsyncPolicy};
use crate::format::{Site, WordHasher};
use crate::metrics::{COUNTERS, Counters};
use crate::redact::Redactor;
use crate::registry::ThreadSlot;
use crate::view::{Field, Kind, RecordView, Value};
use crate::wire;

/// The record decoder, for the property tests and fuzz targets of
/// `crate::wire_fuzz_tests` (the `decode` module is private to `backend`).
pub(crate) mod for_fuzzing {
    pub(crate) use crate::backend::decode::{Origin, decode, level_from_u8};
}

/// Longest the shutdown drain waits for threads caught mid-record.
const FINAL_DRAIN: Duration = Duration::from_millis(50);

/// Set by the guard: drain everything, close the files, stop.
pub(crate) static SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Name of the flusher thread (the panic hook must not wait on itself).
pub(crate) const THREAD_NAME: &str = "logger-flusher";

pub(crate) struct Flusher {
    rings: Rings,
    router: Router,
    /// Every formatter, and their line buffers.
    formats: Formats,
    clock: TscConverter,
    /// Record timestamps come from a user clock: no watermark, and files
    /// rotate by the cycle's real time instead of the records' time.
    user_clock: bool,
    idle_sleep: Duration,
    max_hold_raw: u64,
    msync: MsyncPolicy,
    /// When the oldest write not yet `msync`ed was made (`Interval` policy).
    unsynced_since: Option<Instant>,
    services: Services,
    fields: Vec<Field<'static>>,
    /// The current thread's context fields, while one record is formatted.
    context: Vec<Field<'static>>,
    scratch: Vec<u8>,
    /// The global cap, when configured.
    cap: Option<RateCap>,
    /// One second in raw clock units.
    second_raw: u64,
    /// Raw time of the next report of call sites' rate-limit drops.
    next_rate_report: u64,
    /// Redaction of field values, when rules are configured.
    redactor: Option<Redactor>,
    /// The service of each static target seen.
    service_memo: ServiceMemo,
    /// Links nested timed calls (`span_id`, `children`).
    call_tree: CallTree,
    /// The periodic `metrics` record, when configured.
    metrics_record: Option<MetricsRecord>,
    /// Call sites' records (macros' and `log`'s) written by plan, when
    /// nothing but the JSON files needs their view (see `fast_lane`).
    lane: Option<FastLane>,
}

/// Targets past this many are not remembered: the memo starts again.
const SERVICE_MEMO_MAX: usize = 4096;

/// A target's service name and the index of the service's own file.
type ServiceOf = (Box<str>, Option<usize>);

/// `Services::of` for targets that live for the whole program (those of a
/// call site, see `Site::of`), looked up once per target: the same answer,
/// for a compare with the last target (records of one call site come in
/// runs) or one hash lookup a record instead of a prefix scan.
#[derive(Default)]
struct ServiceMemo {
    by_target: HashMap<(usize, usize), usize, BuildHasherDefault<WordHasher>>,
    answers: Vec<ServiceOf>,
    /// The last target asked for and the index of its answer.
    last: Option<((usize, usize), usize)>,
}

impl ServiceMemo {
    /// The service of `target`, a `'static` string (its address names it),
    /// and the index of that service's own file, if it has one.
    #[inline]
    fn of(&mut self, services: &Services, target: &str) -> (&str, Option<usize>) {
        let key = (target.as_ptr() as usize, target.len());
        let i = match self.last {
            Some((last, i)) if last == key => i,
            _ => {
                let answers = &mut self.answers;
                let i = *self.by_target.entry(key).or_insert_with(|| {
                    let (name, file) = services.of(target);
                    answers.push((name.into(), file));
                    answers.len() - 1
                });
                self.last = Some((key, i));
                i
            }
        };
        let (name, file) = &self.answers[i];
        (name, *file)
    }

    /// Keeps the memo bounded (past [`SERVICE_MEMO_MAX`] targets it starts
    /// again); called once a cycle rather than on every lookup.
    fn trim(&mut self) {
        if self.by_target.len() >= SERVICE_MEMO_MAX {
            self.by_target.clear();
            self.answers.clear();
            self.last = None;
        }
    }
}

/// Reuses a vector's allocation for a shorter lifetime (it is empty, and
/// an in-place `collect` keeps the buffer).
// `filter` cannot change the element's lifetime; `filter_map` can.
#[allow(clippy::unnecessary_filter_map)]
fn recycle<'a, 'b>(v: Vec<Field<'a>>) -> Vec<Field<'b>> {
    v.into_iter().filter_map(|_| None).collect()
}

impl Flusher {
    pub(crate) fn new(config: &Config, router: Router, clock: TscConverter) -> Self {
        let mut formats = Formats::new(config, &hostname());
        let redactor = config.redaction.compiled().map(Redactor::new);
        let lane_open =
            redactor.is_none() && !router.has_console() && formats.json_only().is_some();
        let max_hold_raw = raw_units(&clock, config.max_merge_delay);
        let second_raw = raw_units(&clock, Duration::from_secs(1));
        Flusher {
            rings: Rings::new(),
            router,
            formats,
            user_clock: clock.mode() == ClockMode::User,
            clock,
            idle_sleep: config.idle_sleep,
            max_hold_raw,
            msync: config.msync,
            unsynced_since: None,
            services: Services::new(&config.services, &service_file_names(config)),
            fields: Vec::new(),
            context: Vec::new(),
            scratch: Vec::new(),
            cap: RateCap::new(
                config.max_records_per_second,
                (config.backtrace_level != log::LevelFilter::Off).then_some(config.level),
            ),
            second_raw,
            next_rate_report: clock::now_raw().saturating_add(second_raw),
            redactor,
            service_memo: ServiceMemo::default(),
            call_tree: CallTree::default(),
            metrics_record: config.metrics_interval.map(MetricsRecord::new),
            lane: lane_open.then(FastLane::default),
        }
    }

    /// The thread's body: cycles until shutdown, then drains and closes.
    pub(crate) fn run(mut self) {
        crate::signals::set_flusher_thread();
        crate::metrics::flusher_started();
        loop {
            let stopping = SHUTDOWN.load(Ordering::Acquire);
            let request = barrier::pending();
            let emitted = self.cycle(request.is_some() || stopping);
            if let Some(ticket) = request {
                self.report_rate_limits(true);
                if let Some(sig) = crate::signals::take_pending() {
                    self.write_signal_record(sig);
                }
                self.router.publish();
                if self.msync != MsyncPolicy::Never {
                    self.router.sync();
                    self.unsynced_since = None;
                }
                // Lines copied into a file deleted since its last check
                // are not in their file: count them before answering.
                self.router.check_files_in_place();
                barrier::complete(ticket, crate::fault::records_not_in_file());
                self.router.flush_console();
            }
            if stopping {
                break;
            }
            if emitted == 0 {
                std::thread::sleep(self.idle_sleep);
            }
        }
        // Producers see the stopped state from now on; catch records that
        // were being written while it changed. A thread seen idle before a
        // cycle has published everything it will ever publish (its next
        // record sees the stopped state), so stop once every thread was
        // idle before a cycle that left every ring empty, or after
        // FINAL_DRAIN (a thread descheduled mid-record).
        let deadline = Instant::now() + FINAL_DRAIN;
        loop {
            // Pick up threads registered at the last moment first, so that
            // their flags are read too.
            self.cycle(true);
            let idle = self.every_thread_idle();
            self.cycle(true);
            if (idle && self.rings.all_empty()) || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        self.report_rate_limits(true);
        self.router.sync();
        self.router.close();
        crate::metrics::flusher_stopping();
    }

    /// Whether no registered thread is between taking a timestamp and
    /// publishing its record.
    fn every_thread_idle(&self) -> bool {
        self.rings
            .threads
            .iter()
            .all(|t| t.slot.busy.load(Ordering::Acquire) == 0)
    }

    /// Writes the record of a signal caught by the signal handler
    /// (`WARN` for SIGTERM/SIGINT, `ERROR` for the others, target `signal`).
    fn write_signal_record(&mut self, sig: libc::c_int) {
        let name = crate::signals::name(sig);
        let level = match sig {
            libc::SIGTERM | libc::SIGINT => crate::Level::Warn,
            _ => crate::Level::Error,
        };
        let msg = format!("received {name} ({sig}): rings flushed before its default action");
        let fields = [
            Field {
                key: "signal",
                value: Value::Str(name.as_bytes()),
            },
            Field {
                key: "signo",
                value: Value::I64(i64::from(sig)),
            },
        ];
        let (ts_ns, file_ns) = self.own_stamps();
        let view = own_record(ts_ns, level, "signal", &msg, &fields);
        let n = self
            .formats
            .write_record(&mut self.router, None, &view, None, file_ns);
        self.router.console(&view);
        self.router.flush_console();
        Counters::add(&COUNTERS.records_written, n as u64);
    }

    /// One cycle; `force` emits everything published, ignoring the watermark.
    fn cycle(&mut self, force: bool) -> usize {
        let now = clock::now_raw();
        self.clock.maybe_recalibrate(now);
        let watermark = self.rings.begin_cycle(now, self.max_hold_raw);
        let watermark = (!(force || self.user_clock)).then_some(watermark);
        // Real UTC time of this cycle; with a user clock, what the files
        // rotate by (records carry simulated time).
        let cycle_ns = self.clock.to_utc_ns(now);
        let file_ns = self.user_clock.then_some(cycle_ns);

        let Flusher {
            rings,
            router,
            formats,
            clock,
            services,
            fields,
            context,
            scratch,
            cap,
            redactor,
            service_memo,
            call_tree,
            lane,
            ..
        } = self;
        service_memo.trim();
        // Counted once a cycle, not once a record.
        let mut written = 0;
        let mut by_plan = 0;
        let emitted = rings.merge_runs(watermark, |run| {
            let Run {
                slot,
                context: stack,
                records,
            } = run;
            // The plan the run's last record was written by: the records
            // of its site that follow are written by it without a lookup.
            let mut follow = None;
            while let Some((header, bytes)) = records.peek() {
                if let (Some(lane), Some(f), None) = (lane.as_mut(), follow.take(), cap.as_ref()) {
                    // Not with a rate cap (it admits each record below).
                    // The lane needs an empty stack, as it had for the
                    // record before: a context record is not of the plan's
                    // kind, so `write_run` stops before it.
                    let n = lane.write_run(f, records, clock, file_ns, formats, router);
                    written += n;
                    by_plan += n;
                    continue;
                }
                records.take(&header);
                let header = &header;
                if header.tag == wire::TAG_CONTEXT {
                    stack.apply(&bytes[wire::HEADER..]);
                    continue;
                }
                let origin = Origin {
                    thread: &slot.name,
                    tid: slot.tid,
                };
                let ts_ns = clock.to_utc_ns(header.ts);
                if let (Some(cap), Some(level)) =
                    (cap.as_mut(), decode::level_from_u8(header.level))
                {
                    let (keep, ended) = cap.admit(level, ts_ns);
                    if let Some(summary) = ended {
                        // Stamped at the end of its second, which this record
                        // (of a later second) is not before.
                        let at = summary
                            .second
                            .saturating_add(1)
                            .saturating_mul(1_000_000_000);
                        let stamps = (at, file_ns.unwrap_or(at));
                        write_cap_warning(summary, stamps, formats, router);
                    }
                    if !keep {
                        Counters::add(&COUNTERS.records_over_cap, 1);
                        continue;
                    }
                }
                let at = file_ns.unwrap_or(ts_ns);
                let mut unplanned = None;
                if let Some(lane) = lane.as_mut().filter(|_| stack.is_empty()) {
                    let w = fast_lane::Writer {
                        thread: &slot.name,
                        tid: slot.tid,
                        ts_ns,
                        at,
                        formats,
                        router,
                    };
                    match lane.write(header, bytes, w) {
                        Ok((n, f)) => {
                            written += n;
                            by_plan += n;
                            follow = Some(f);
                            continue;
                        }
                        Err(u) => unplanned = u,
                    }
                }
                let mut f = recycle(std::mem::take(fields));
                // The context's vector is taken only for a thread with context
                // frames (an empty `Vec` costs nothing to make).
                let mut c = Vec::new();
                // Borrowed where it was decoded: moving the view costs a copy.
                if let Some(view) =
                    &mut decode::decode(header, bytes, ts_ns, origin, &mut f, scratch)
                {
                    let site = Site::of(view, bytes);
                    let service_file;
                    (view.service, service_file) = match site {
                        Some(_) => service_memo.of(services, view.target),
                        None => services.of(view.target),
                    };
                    if !stack.is_empty() {
                        c = recycle(std::mem::take(context));
                        view.correlation = stack.collect(&mut c);
                        view.context = &c;
                    }
                    let mut emit = |view: &RecordView<'_>| {
                        written += formats.write_record(router, site, view, service_file, at);
                        router.console(view);
                    };
                    call_tree.link(view, |view| match redactor {
                        Some(r) => r.apply(view, emit),
                        None => emit(view),
                    });
                    if let (Some(lane), Some(u)) = (lane.as_mut(), unplanned) {
                        let seen = fast_lane::Seen {
                            n_fields: view.fields.len(),
                            site,
                            thread: &slot.name,
                            service_file,
                        };
                        lane.learn(u, seen, formats, router);
                    }
                }
                *fields = recycle(f);
                if c.capacity() > 0 {
                    *context = recycle(c);
                }
            }
        });
        Counters::add(&COUNTERS.records_written, written as u64);
        fast_lane::count_written_by_plan(by_plan as u64);

        // The drop warnings' `ts`: with a user clock, its time now, so that
        // they sort with the simulated records.
        let ts_ns = if self.user_clock {
            self.clock.to_utc_ns(clock::record_ts())
        } else {
            cycle_ns
        };
        let Flusher {
            rings,
            router,
            formats,
            ..
        } = self;
        let taken_over = rings.end_cycle(|t| report_drops(t, ts_ns, cycle_ns, formats, router));
        if now >= self.next_rate_report {
            self.next_rate_report = now.saturating_add(self.second_raw);
            self.report_rate_limits(false);
        }
        self.report_file_changes();
        if let Some(lane) = self.lane.as_mut() {
            lane.trim();
        }
        let lane_bytes = self.lane.as_ref().map_or(0, FastLane::buffer_bytes);
        let buffers = self.router.buffer_bytes()
            + self.formats.buffer_bytes()
            + self.scratch.capacity()
            + lane_bytes;
        COUNTERS
            .buffer_bytes
            .store(buffers as u64, Ordering::Relaxed);
        if self.metrics_record.as_ref().is_some_and(|m| m.due()) {
            let stamps = self.own_stamps();
            if let Some(m) = self.metrics_record.as_mut() {
                m.write(stamps, &mut self.formats, &mut self.router);
            }
        }
        self.router.publish();
        self.router.flush_console();
        if let MsyncPolicy::Interval(every) = self.msync {
            // Within `every` of the oldest unsynced write, whether or not
            // anything is written later (an idle cycle syncs too).
            if emitted > 0 && self.unsynced_since.is_none() {
                self.unsynced_since = Some(Instant::now());
            }
            if self.unsynced_since.is_some_and(|t| t.elapsed() >= every) {
                self.router.sync();
                self.unsynced_since = None;
            }
        }
        if force && taken_over {
            // A grown thread's next ring holds records published before
            // this flush (or the shutdown): they are part of what a forced
            // cycle must emit. One more cycle per ring in the chain.
            return emitted + self.cycle(true);
        }
        emitted
    }
}

impl Flusher {
    /// The `ts` of a record the flusher writes now (the record clock: the
    /// user clock, if any), and the time the files rotate by (real time).
    fn own_stamps(&self) -> (u64, u64) {
        let ts_ns = self.clock.to_utc_ns(clock::record_ts());
        let file_ns = if self.user_clock {
            self.clock.to_utc_ns(clock::now_raw())
        } else {
            ts_ns
        };
        (ts_ns, file_ns)
    }

    /// Writes one `WARN` record (target `logger`) per change another process
    /// made to a file (truncated, unlinked, replaced), noticed at an earlier
    /// write: into the files that work again.
    fn report_file_changes(&mut self) {
        let notices = self.router.take_notices();
        if notices.is_empty() {
            return;
        }
        let stamps = self.own_stamps();
        let Flusher {
            router, formats, ..
        } = self;
        for msg in &notices {
            write_own_warning(msg, &[], stamps, formats, router);
        }
    }

    /// Writes one warning record per call site whose rate limit dropped
    /// records since its last report, and the global cap's summary of a
    /// second that is over (any second not yet reported, when `force`).
    fn report_rate_limits(&mut self, force: bool) {
        let (ts_ns, file_ns) = self.own_stamps();
        let Flusher {
            router,
            formats,
            cap,
            ..
        } = self;
        crate::rate_limit::for_each(|limiter| {
            let n = limiter.take_unreported();
            if n > 0 {
                write_rate_limit_warning(limiter, n, (ts_ns, file_ns), formats, router);
            }
        });
        if let Some(summary) = cap.as_mut().and_then(|c| c.summary_due(ts_ns, force)) {
            write_cap_warning(summary, (ts_ns, file_ns), formats, router);
        }
        router.flush_console();
    }
}

/// Writes a warning record when the thread dropped records since the last
/// report, stamped `ts_ns`; the files rotate by `file_ns`.
fn report_drops(
    t: &mut ThreadRing,
    ts_ns: u64,
    file_ns: u64,
    formats: &mut Formats,
    router: &mut Router,
) {
    let dropped = t.slot.dropped.load(Ordering::Relaxed);
    if dropped > t.reported_dropped {
        let n = dropped - t.reported_dropped;
        t.reported_dropped = dropped;
        write_drop_warning(&t.slot, n, (ts_ns, file_ns), formats, router);
    }
}

/// A record the logger writes about itself, from the flusher thread.
pub(super) fn own_record<'a>(
    ts_ns: u64,
    level: crate::Level,
    target: &'a str,
    msg: &'a str,
    fields: &'a [Field<'a>],
) -> RecordView<'a> {
    RecordView {
        ts_ns,
        level,
        kind: Kind::Log,
        target,
        service: target,
        module: module_path!(),
        file: file!(),
        line: line!(),
        function: None,
        msg: msg.as_bytes(),
        fields,
        thread: THREAD_NAME,
        // The flusher writes these records: its own thread id.
        tid: crate::signals::flusher_tid(),
        correlation: None,
        context: &[],
    }
}

fn write_drop_warning(
    slot: &Arc<ThreadSlot>,
    n: u64,
    stamps: (u64, u64),
    formats: &mut Formats,
    router: &mut Router,
) {
    let msg = format!(
        "dropped {n} records from thread {} (tid {}): its ring was full (overflow policy \
         drop_newest), or a record did not fit in it even with its strings cut",
        slot.name, slot.tid
    );
    let fields = [
        Field {
            key: "dropped",
            value: Value::U64(n),
        },
        Field {
            key: "dropped_thread",
            value: Value::Str(slot.name.as_bytes()),
        },
        Field {
            key: "dropped_tid",
            value: Value::U64(slot.tid),
        },
    ];
    write_own_warning(&msg, &fields, stamps, formats, router);
}

/// Writes the warning record of a call site's rate limit: `n` records
/// dropped since its last report; stamped `ts_ns`, files rotated by `file_ns`.
fn write_rate_limit_warning(
    limiter: &crate::rate_limit::RateLimit,
    n: u64,
    (ts_ns, file_ns): (u64, u64),
    formats: &mut Formats,
    router: &mut Router,
) {
    let cs = limiter.callsite();
    let limit = limiter.spec();
    let msg = format!(
        "rate limit: {n} records dropped at {}:{} ({}, limit {limit})",
        cs.file,
        cs.line,
        limiter.source()
    );
    let fields = [
        Field {
            key: "dropped",
            value: Value::U64(n),
        },
        Field {
            key: "limit",
            value: Value::Str(limit.as_bytes()),
        },
        Field {
            key: "callsite_file",
            value: Value::Str(cs.file.as_bytes()),
        },
        Field {
            key: "callsite_line",
            value: Value::U64(u64::from(cs.line)),
        },
        Field {
            key: "callsite_target",
            value: Value::Str(cs.target.as_bytes()),
        },
        Field {
            key: "callsite_macro",
            value: Value::Str(limiter.source().as_bytes()),
        },
    ];
    write_own_warning(&msg, &fields, (ts_ns, file_ns), formats, router);
}

/// Writes the global cap's summary of one second; stamped `ts_ns`, files
/// rotated by `file_ns`.
fn write_cap_warning(s: Summary, stamps: (u64, u64), formats: &mut Formats, router: &mut Router) {
    let t = crate::civil_time::civil_with_offset(i64::try_from(s.second).unwrap_or(0));
    let second = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    let msg = format!(
        "rate cap: {} records dropped in the second from {second} \
         (max_records_per_second {}; ERROR records are never dropped)",
        s.dropped, s.cap
    );
    let fields = [
        Field {
            key: "dropped",
            value: Value::U64(s.dropped),
        },
        Field {
            key: "max_records_per_second",
            value: Value::U64(s.cap),
        },
        Field {
            key: "second",
            value: Value::Str(second.as_bytes()),
        },
    ];
    write_own_warning(&msg, &fields, stamps, formats, router);
}

/// Writes a `WARN` record of the logger's own (target `logger`), stamped
/// `ts_ns`; the files rotate by `file_ns`.
fn write_own_warning(
    msg: &str,
    fields: &[Field<'_>],
    (ts_ns, file_ns): (u64, u64),
    formats: &mut Formats,
    router: &mut Router,
) {
    let view = own_record(ts_ns, crate::Level::Warn, "logger", msg, fields);
    formats.write_own(router, &view, file_ns);
    router.console(&view);
    Counters::add(&COUNTERS.records_written, 1);
}

/// The names of the services with their own file, in the router's order.
fn service_file_names(config: &Config) -> Vec<String> {
    let with_file = config.service_specs.iter().filter(|s| s.file.is_some());
    with_file.map(|s| s.name.clone()).collect()
}

/// `d` in the clock's raw units (TSC ticks or ns).
fn raw_units(clock: &TscConverter, d: Duration) -> u64 {
    const PROBE: u64 = 1 << 32;
    let ns_per_probe = clock.duration_ns(0, PROBE).max(1);
    (d.as_nanos() * PROBE as u128 / ns_per_probe as u128).min(u64::MAX as u128) as u64
}

pub(crate) fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `buf.len()` bytes; gethostname
    // writes at most that many and we stop at the first NUL.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::from("unknown");
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Pins the calling thread to `cpu`.
pub(crate) fn pin_to_cpu(cpu: usize) -> std::io::Result<()> {
    // SAFETY: `set` is plain data initialised by CPU_ZERO; the size passed
    // is its own size; sched_setaffinity(0) affects only this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
