//! The periodic `metrics` record (`Builder::metrics_interval`): the
//! logger's own counters, written by the flusher into the main file, so
//! that their history is in the logs themselves.

use std::time::{Duration, Instant};

use crate::backend::formats::Formats;
use crate::backend::router::Router;
use crate::metrics::{COUNTERS, Counters};
use crate::view::{Field, Kind, Value};

/// When the next record is due, and the flusher CPU time at the last one.
pub(crate) struct MetricsRecord {
    every: Duration,
    next: Instant,
    last: Instant,
    last_cpu_ns: u64,
}

impl MetricsRecord {
    pub(crate) fn new(every: Duration) -> Self {
        let now = Instant::now();
        MetricsRecord {
            every,
            next: now + every,
            last: now,
            last_cpu_ns: crate::metrics::flusher_cpu_ns(),
        }
    }

    /// Whether a record is due (checked once per flusher cycle).
    pub(crate) fn due(&self) -> bool {
        Instant::now() >= self.next
    }

    /// Writes one record of kind `metrics` (level `INFO`, target
    /// `logger`): every counter of [`crate::Metrics`] as a field, plus
    /// `memory_bytes` (rings and buffers), `flusher_cpu_percent` over the
    /// interval since the last record, `compression_ratio` and
    /// `interval_ns`.
    pub(crate) fn write(
        &mut self,
        (ts_ns, file_ns): (u64, u64),
        formats: &mut Formats,
        router: &mut Router,
    ) {
        let now = Instant::now();
        let m = crate::metrics();
        let wall_ns = now.duration_since(self.last).as_nanos().max(1) as f64;
        let cpu_percent =
            m.flusher_cpu_ns.saturating_sub(self.last_cpu_ns) as f64 * 100.0 / wall_ns;
        self.last = now;
        self.last_cpu_ns = m.flusher_cpu_ns;
        // The next one `every` after this one was due, or after now when
        // the flusher was held up past it.
        self.next = (self.next + self.every).max(now);
        let u = |key: &'static str, v: u64| Field {
            key,
            value: Value::U64(v),
        };
        let fields = [
            u("interval_ns", self.every.as_nanos() as u64),
            u("memory_bytes", m.ring_bytes + m.buffer_bytes),
            u("ring_bytes", m.ring_bytes),
            u("rings", m.rings),
            u("rings_grown", m.rings_grown),
            u("ring_occupancy_bytes", m.ring_occupancy_bytes),
            u("buffer_bytes", m.buffer_bytes),
            u("flusher_cpu_ns", m.flusher_cpu_ns),
            Field {
                key: "flusher_cpu_percent",
                value: Value::F64((cpu_percent * 100.0).round() / 100.0),
            },
            u("records_created", m.records_created),
            u("records_written", m.records_written),
            u("records_dropped", m.records_dropped),
            u("bytes_written", m.bytes_written),
            u("write_calls", m.write_calls),
            u("sync_calls", m.sync_calls),
            u("rotations", m.rotations),
            u("io_errors", m.io_errors),
            u("compressed_input_bytes", m.compressed_input_bytes),
            u("compressed_output_bytes", m.compressed_output_bytes),
            Field {
                key: "compression_ratio",
                value: m
                    .compression_ratio()
                    .map_or(Value::Null, |r| Value::F64((r * 100.0).round() / 100.0)),
            },
        ];
        let mut view =
            super::flusher::own_record(ts_ns, crate::Level::Info, "logger", "metrics", &fields);
        view.kind = Kind::Metrics;
        formats.write_own(router, &view, file_ns);
        Counters::add(&COUNTERS.records_written, 1);
    }
}
