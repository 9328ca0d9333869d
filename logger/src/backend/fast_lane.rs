//! The fast lane: a call site's records (`trade!`, `log::info!`, ...)
//! written straight from their bytes in the ring, by a plan kept per call
//! site, level and thread.
//!
//! The generic path decodes every record into a `RecordView` (a vector of
//! fields, the site's facts, its service), and the JSON formatter then
//! finds the parts it rendered for the site (see `format::fragments`),
//! checking them field by field. For the records of one call site on
//! one thread none of that changes. After a site's first record has gone
//! the generic way, the lane keeps a [`Plan`]: what the formatter rendered
//! from the level to the fields, each field's key, the kind, level and the
//! service's own file. Each later record is then the timestamp, that copy,
//! each key followed by its value read from the ring, and the line's end:
//! the bytes of the generic path, which the tests compare. The line is
//! written straight into the batch buffer of the file that takes it (into
//! the one file without the router's loop, when only one does); a value
//! found malformed half-way makes the writer refuse the line, what it
//! wrote is taken back, and the record goes the generic way, which drops
//! it.
//!
//! The flusher takes the records of one thread in runs (see
//! `merge::Run`). After a record of a run was written by its plan, the
//! run's next records of the same site, kind and level are written by it
//! too ([`FastLane::write_run`]): no plan lookup, and, when one file takes
//! them, into that file's buffer with its state read once per run
//! (`RotatingFile::direct`).
//!
//! A `log` record's message and keys are in the record: its plan holds
//! while the keys are those it was made for (compared byte for byte), and
//! a message other than the kept one is escaped between the parts before
//! and after it. A macro call site's message arguments follow its fields
//! in the record and are rendered the same way.
//!
//! The lane is open when nothing else needs the view: JSON is the only
//! formatter, no redaction rule and no console. A record still goes the
//! generic way when its thread has context frames (a correlation id, bound
//! fields), when its site is timed (`perf`: the call tree links those),
//! when its thread's name or its keys differ from the plan's (a new plan is
//! then learnt from it, up to [`MAX_REMADE`] times), and when a value is
//! malformed (the generic path drops the record, as it always did).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::alone::Alone;
use crate::backend::formats::Formats;
use crate::backend::merge::Records;
use crate::backend::router::Router;
use crate::callsite::Callsite;
use crate::clock::TscConverter;
use crate::format::{
    JsonFormatter, KeptLine, PlannedKey, PlannedMessage, Site, Unwritten, WordHasher,
    read_planned_fields,
};
use crate::level::Level;
use crate::view::Kind;
use crate::wire::{self, Decoder, Header};

/// Records written by plan since the process started (added once a
/// cycle): what the tests read to know the lane was taken.
/// Alone: the flusher writes it once a cycle.
static WRITTEN_BY_PLAN: Alone<AtomicU64> = Alone(AtomicU64::new(0));

/// Records written by plan so far (see [`WRITTEN_BY_PLAN`]).
pub(crate) fn written_by_plan() -> u64 {
    WRITTEN_BY_PLAN.0.load(Ordering::Relaxed)
}

/// Adds a cycle's count of records written by plan.
pub(crate) fn count_written_by_plan(n: u64) {
    if n > 0 {
        WRITTEN_BY_PLAN.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// A buffer of the lane larger than this is freed at the end of a cycle.
const KEEP_BYTES: usize = 64 << 10;

/// Slots of the memo of the last plan used (see `FastLane::last`).
const LAST_SLOTS: usize = 4;

/// Plans made again for one key past this many (its records' keys keep
/// changing: two `log` calls with their own keys on one line, as a
/// `macro_rules!` wrapper makes them, share a key), its records go the
/// generic way from then on.
const MAX_REMADE: u32 = 8;

/// Most plans kept; past it the lane starts again empty.
const MAX_PLANS: usize = 4096;

/// A call site's records from one thread at one level.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PlanKey {
    /// A macro call site, by its descriptor's address.
    Callsite {
        callsite: usize,
        tid: u64,
        level: u8,
    },
    /// A `log` call site, by the addresses and lengths of its target,
    /// module and file (all `'static`) and its line.
    Log {
        strs: [(usize, usize); 3],
        line: u32,
        tid: u64,
        level: u8,
    },
}

impl PlanKey {
    fn tid(&self) -> u64 {
        match *self {
            PlanKey::Callsite { tid, .. } | PlanKey::Log { tid, .. } => tid,
        }
    }

    fn level(&self) -> u8 {
        match *self {
            PlanKey::Callsite { level, .. } | PlanKey::Log { level, .. } => level,
        }
    }
}

/// What a plan is learnt from, besides the formatter's parts.
#[derive(Clone, Copy)]
pub(crate) enum Source {
    /// A macro call site's descriptor.
    Callsite(&'static Callsite),
    /// A `log` call site with its `'static` strings.
    Log,
}

/// A record the lane did not write, for the generic path; with the key
/// and source to learn a plan from once the generic path has written it.
pub(crate) type Unplanned = Option<(PlanKey, Source)>;

/// How a call site's records are written.
enum Plan {
    /// The generic way, always (see the module documentation).
    Generic,
    Ready(Ready),
}

struct Ready {
    /// The thread name the parts were rendered with.
    thread: Box<str>,
    kind: Kind,
    level: Level,
    /// The index of the record's service's own file, if it has one.
    service_file: Option<usize>,
    /// The only file that takes the records, when one does
    /// (`Router::sole_file`).
    sole_file: Option<usize>,
    /// For a macro call site whose message takes arguments: its template
    /// and their number (they follow the fields in the record).
    template: Option<(&'static str, usize)>,
    /// That template split into its parts, escaped for JSON.
    message: Option<PlannedMessage>,
    /// The line from the timestamp's digits to the message, and from the
    /// message to the fields.
    head: Box<[u8]>,
    middle: Box<[u8]>,
    /// `head`, the kept message and `middle` in one piece, with the kept
    /// message as recorded: written when a record has that message.
    whole: Option<KeptLine>,
    /// Per field, the bytes before its value.
    keys: Box<[PlannedKey]>,
    /// For a `log` call site, whose keys are in the record: each key the
    /// parts were rendered for.
    raw_keys: Box<[Box<[u8]>]>,
    /// How many plans were made for this key before this one.
    remade: u32,
}

/// The plans, and the buffer a record's fields are written into.
#[derive(Default)]
pub(crate) struct FastLane {
    index: HashMap<PlanKey, usize, BuildHasherDefault<WordHasher>>,
    plans: Vec<Plan>,
    /// Per slot (a thread id's last two bits), the key and index of the
    /// last plan used: a run of records of one site skips the hash lookup,
    /// also when the records of a few threads interleave.
    last: [Option<(PlanKey, usize)>; LAST_SLOTS],
    bufs: MessageBuffers,
}

/// A rendered message template, then the message as JSON.
#[derive(Default)]
struct MessageBuffers {
    raw: Vec<u8>,
    json: Vec<u8>,
}

/// What the generic path found in a record a plan is learnt from.
pub(crate) struct Seen<'a> {
    /// How many fields it has, and its site (none for a record the
    /// formatter keeps no parts for).
    pub n_fields: usize,
    pub site: Option<Site>,
    /// Its thread's name.
    pub thread: &'a str,
    /// The index of its service's own file, if it has one.
    pub service_file: Option<usize>,
}

/// What the lane needs of the flusher to write a record.
pub(crate) struct Writer<'a> {
    /// The record's thread's name and id.
    pub thread: &'a str,
    pub tid: u64,
    /// The record's UTC time, and the time the files rotate by.
    pub ts_ns: u64,
    pub at: u64,
    pub formats: &'a mut Formats,
    pub router: &'a mut Router,
}

impl FastLane {
    /// Writes a `CALLSITE` or `LOG` record (`header`, then its bytes
    /// `record`) by its plan: `Ok` with the number of records written (as
    /// `Router::write_record` counts them) and the plan to write the next
    /// records of the site in the same run with ([`FastLane::write_run`]),
    /// or `Err` when it must go the generic way, with what to learn a plan
    /// from afterwards when the site has none (or its plan no longer fits).
    #[inline]
    pub(crate) fn write<'a>(
        &mut self,
        header: &Header,
        record: &'a [u8],
        w: Writer<'_>,
    ) -> Result<(usize, Follow<'a>), Unplanned> {
        let body = record.get(wire::HEADER..).unwrap_or_default();
        let mut d = Decoder { rest: body };
        let (key, source, site) = match header.tag {
            wire::TAG_CALLSITE => {
                let callsite = d.callsite().ok_or(None)?;
                let word = callsite as *const Callsite as usize;
                let key = PlanKey::Callsite {
                    callsite: word,
                    tid: w.tid,
                    level: header.level,
                };
                (key, Source::Callsite(callsite), SiteBytes::Word(word))
            }
            wire::TAG_LOG => {
                let strs = log_strs(&mut d).ok_or(None)?;
                let key = PlanKey::Log {
                    strs,
                    line: d.u32().ok_or(None)?,
                    tid: w.tid,
                    level: header.level,
                };
                let bytes = &body[..body.len() - d.rest.len()];
                (key, Source::Log, SiteBytes::Bytes(bytes))
            }
            _ => return Err(None),
        };
        let relearn = |r: bool| r.then_some((key, source));
        let plan = self.ready(key, w.thread).map_err(relearn)?;
        let FastLane { plans, bufs, .. } = self;
        let Plan::Ready(ready) = &plans[plan] else {
            return Err(None);
        };
        let Some((json, spill)) = w.formats.json_only() else {
            return Err(None);
        };
        let out = Out {
            json,
            spill,
            router: w.router,
        };
        let n = write_by(ready, bufs, header.tag, d, (w.ts_ns, w.at), out).map_err(relearn)?;
        let follow = Follow {
            plan,
            tag: header.tag,
            level: header.level,
            site,
        };
        Ok((n, follow))
    }

    /// Writes the records at the head of `records` that are of the site
    /// and level `follow` was returned for (by [`FastLane::write`], for
    /// the run's record before them) by its plan, taking each; stops at
    /// the first record of another site (or kind, or level), and at one
    /// the plan does not write (left for [`FastLane::write`], which says
    /// why). The run's thread and context are those of `follow`'s record
    /// (a context record is of another kind); `clock` converts the
    /// records' raw timestamps, and the files rotate by `file_ns` (a user
    /// clock's) or else by the record's time. Returns the records written.
    pub(crate) fn write_run<'a>(
        &mut self,
        follow: Follow<'a>,
        records: &mut Records<'a>,
        clock: &TscConverter,
        file_ns: Option<u64>,
        formats: &mut Formats,
        router: &mut Router,
    ) -> usize {
        let FastLane { plans, bufs, .. } = self;
        let Some(Plan::Ready(plan)) = plans.get(follow.plan) else {
            return 0;
        };
        let Some((json, spill)) = formats.json_only() else {
            return 0;
        };
        // The bytes that start every record whose line before its fields
        // is `head` (the record's site for a macro call site whose message
        // is kept whole; for a `log` call site, its site, the kept message
        // and the number of keys, learnt from the first such record).
        let mut fixed = match fixed_head(plan, follow.tag) {
            Some(head) if follow.tag == wire::TAG_CALLSITE => Some((follow.site, head)),
            _ => None,
        };
        let mut written = 0;
        loop {
            // The records whose lines only the copy into the one file's
            // batch buffer is due for, straight there.
            if let Some(mut direct) = plan.sole_file.and_then(|file| router.direct(file)) {
                let mut r = records.clone();
                while let Some((h, record)) = r.peek() {
                    if h.tag != follow.tag || h.level != follow.level {
                        break;
                    }
                    let body = record.get(wire::HEADER..).unwrap_or_default();
                    let ts_ns = clock.to_utc_ns(h.ts);
                    let rendered;
                    let known = fixed
                        .as_ref()
                        .and_then(|(start, head)| Some((head, start.strip(body)?)));
                    let (head, fields) = match known {
                        Some(known) => known,
                        None => {
                            let Some(rest) = follow.site.strip(body) else {
                                break;
                            };
                            match line_of(plan, bufs, h.tag, Decoder { rest }, json) {
                                Ok((head, fields)) => {
                                    if fixed.is_none() && matches!(head.parts, Head::Whole(_)) {
                                        // A `log` record with the kept message.
                                        let start = &body[..body.len() - fields.len()];
                                        fixed = fixed_head(plan, h.tag)
                                            .map(|head| (SiteBytes::Bytes(start), head));
                                    }
                                    rendered = head;
                                    (&rendered, fields)
                                }
                                Err(_) => break,
                            }
                        }
                    };
                    let format = |out: &mut Vec<u8>| put_line(json, ts_ns, head, fields, out);
                    if direct.append(file_ns.unwrap_or(ts_ns), format) != Some(true) {
                        break;
                    }
                    r.take(&h);
                    written += 1;
                }
                *records = r;
            }
            // The next record, when it is of the plan's site, through the
            // router (the file has a check or a rotation due, or several
            // files take it).
            let Some((h, record)) = records.peek() else {
                break;
            };
            let Some(d) = follow.decoder(&h, record) else {
                break;
            };
            let ts_ns = clock.to_utc_ns(h.ts);
            let at = file_ns.unwrap_or(ts_ns);
            let out = Out {
                json,
                spill,
                router,
            };
            match write_by(plan, bufs, h.tag, d, (ts_ns, at), out) {
                Ok(n) => {
                    records.take(&h);
                    written += n;
                }
                Err(_) => break,
            }
        }
        written
    }

    /// The index of `key`'s plan when it is ready for a thread of this
    /// name; else whether to learn one (none yet, or made for another
    /// name) or not (the site's records go the generic way).
    #[inline(always)]
    fn ready(&mut self, key: PlanKey, thread: &str) -> Result<usize, bool> {
        let slot = key.tid() as usize % LAST_SLOTS;
        let i = match self.last[slot] {
            Some((last, i)) if last == key => i,
            _ => {
                let i = *self.index.get(&key).ok_or(true)?;
                self.last[slot] = Some((key, i));
                i
            }
        };
        match &self.plans[i] {
            Plan::Ready(r) if crate::format::same(r.thread.as_bytes(), thread.as_bytes()) => Ok(i),
            Plan::Ready(_) => Err(true),
            Plan::Generic => Err(false),
        }
    }

    /// Capacity of the lane's buffers, in bytes (counted in
    /// `Metrics::buffer_bytes`).
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.bufs.raw.capacity() + self.bufs.json.capacity()
    }

    /// Frees a buffer a huge record grew past [`KEEP_BYTES`]: called once
    /// a cycle.
    pub(crate) fn trim(&mut self) {
        for buf in [&mut self.bufs.raw, &mut self.bufs.json] {
            if buf.capacity() > KEEP_BYTES {
                *buf = Vec::new();
            }
        }
    }

    /// Keeps a plan under `key` after the generic path wrote one of its
    /// records (of `source`, as `seen`) with the JSON formatter of
    /// `formats`, routed by `router`. Nothing is kept when the formatter's
    /// parts are not ready (the record was not formatted: the next one
    /// tries again).
    pub(crate) fn learn(
        &mut self,
        (key, source): (PlanKey, Source),
        seen: Seen<'_>,
        formats: &mut Formats,
        router: &Router,
    ) {
        let Seen {
            n_fields,
            site,
            thread,
            service_file,
        } = seen;
        let (kind, template) = match source {
            Source::Callsite(c) if c.message_args == 0 && !c.message.contains(['{', '}']) => {
                (c.kind, None)
            }
            Source::Callsite(c) => (c.kind, Some((c.message, c.message_args))),
            Source::Log => (Kind::Log, None),
        };
        let remade = match self.index.get(&key).map(|&i| &self.plans[i]) {
            Some(Plan::Ready(r)) => r.remade + 1,
            _ => 0,
        };
        let plan = match (site, Level::from_u8(key.level())) {
            (Some(site), Some(level)) if kind != Kind::Perf && remade <= MAX_REMADE => {
                let Some((json, _)) = formats.json_only() else {
                    return;
                };
                let Some(parts) = json.planned_parts(&site, key.tid(), thread, n_fields) else {
                    return;
                };
                // A constant message too long to keep is rendered like a
                // template without arguments.
                let template = match source {
                    Source::Callsite(c) if parts.whole.is_none() => {
                        template.or(Some((c.message, 0)))
                    }
                    _ => template,
                };
                Plan::Ready(Ready {
                    thread: thread.into(),
                    kind,
                    level,
                    service_file,
                    sole_file: router.sole_file(kind, level, service_file),
                    template,
                    message: template.map(|(t, n)| PlannedMessage::new(t, n, &mut String::new())),
                    head: parts.head,
                    middle: parts.middle,
                    whole: parts.whole,
                    keys: parts.keys,
                    raw_keys: parts.raw_keys,
                    remade,
                })
            }
            _ => Plan::Generic,
        };
        if self.plans.len() >= MAX_PLANS {
            self.index.clear();
            self.plans.clear();
            self.last = [None; LAST_SLOTS];
        }
        match self.index.get(&key) {
            Some(&i) => self.plans[i] = plan,
            None => {
                self.plans.push(plan);
                self.index.insert(key, self.plans.len() - 1);
            }
        }
    }
}

/// The plan a run's record was written by, and the bytes that name its
/// site in the record (see [`FastLane::write_run`]).
#[derive(Clone, Copy)]
pub(crate) struct Follow<'a> {
    plan: usize,
    tag: u8,
    level: u8,
    site: SiteBytes<'a>,
}

/// The bytes after a record's header that name its site: a `CALLSITE`
/// record's descriptor address, a `LOG` record's strings and line.
#[derive(Clone, Copy)]
enum SiteBytes<'a> {
    Word(usize),
    Bytes(&'a [u8]),
}

impl<'a> Follow<'a> {
    /// The bytes of `record` (of header `h`) after its site, when it is a
    /// record of this site, kind and level.
    #[inline(always)]
    fn decoder<'b>(&self, h: &Header, record: &'b [u8]) -> Option<Decoder<'b>> {
        if h.tag != self.tag || h.level != self.level {
            return None;
        }
        let rest = self.site.strip(record.get(wire::HEADER..)?)?;
        Some(Decoder { rest })
    }
}

impl SiteBytes<'_> {
    /// The rest of `body` (a record's bytes after its header) when it
    /// starts with these bytes.
    #[inline(always)]
    fn strip<'b>(&self, body: &'b [u8]) -> Option<&'b [u8]> {
        match *self {
            SiteBytes::Word(word) => {
                let (first, rest) = body.split_first_chunk::<8>()?;
                (u64::from_ne_bytes(*first) == word as u64).then_some(rest)
            }
            SiteBytes::Bytes(bytes) => body.strip_prefix(bytes),
        }
    }
}

/// Where a planned line goes: the JSON formatter, its spill buffers and
/// the router.
struct Out<'f> {
    json: &'f mut JsonFormatter,
    spill: &'f mut [Vec<u8>],
    router: &'f mut Router,
}

/// Writes a record of kind `tag` (`CALLSITE` or `LOG`) by `plan`, `d` at
/// the bytes after its site, at `(ts_ns, at)` (its time, the time the
/// files rotate by). `Err(true)`: the plan no longer fits the record (a
/// `log` record's keys changed), learn another; `Err(false)`: the record
/// goes the generic way.
#[inline(always)]
fn write_by(
    plan: &Ready,
    bufs: &mut MessageBuffers,
    tag: u8,
    d: Decoder<'_>,
    stamps: (u64, u64),
    out: Out<'_>,
) -> Result<usize, bool> {
    let Out {
        json,
        spill,
        router,
    } = out;
    let (head, fields) = line_of(plan, bufs, tag, d, json)?;
    write_line(plan, json, spill, router, stamps, &head, fields).map_err(|e| match e {
        Unwritten::KeysDiffer => true,
        Unwritten::Malformed => false,
    })
}

/// The line of a record of kind `tag` (`CALLSITE` or `LOG`) by `plan`, `d`
/// at the bytes after its site; its message, when it is not the kept one,
/// rendered into `bufs`. `Err`: as [`write_by`].
#[inline(always)]
fn line_of<'a>(
    plan: &'a Ready,
    bufs: &'a mut MessageBuffers,
    tag: u8,
    mut d: Decoder<'a>,
    json: &mut JsonFormatter,
) -> Result<(LineHead<'a>, &'a [u8]), bool> {
    if tag == wire::TAG_CALLSITE {
        let fields = d.rest;
        let head = match (plan.template, &plan.whole) {
            (Some((template, n)), _) => {
                // The message's arguments follow the fields.
                read_planned_fields(&mut d, plan.keys.len(), None, |_, d| d.skip_value())
                    .map_err(|_| false)?;
                bufs.json.clear();
                let planned = plan
                    .message
                    .as_ref()
                    .and_then(|m| m.write(&mut Decoder { rest: d.rest }, &mut bufs.json));
                if planned.is_none() {
                    // A value to escape, or malformed: rendered, then
                    // written as a JSON string.
                    bufs.raw.clear();
                    crate::callsite::render_message(template, n, &mut d, &mut bufs.raw)
                        .ok_or(false)?;
                    bufs.json.clear();
                    json.write_planned_message(&bufs.raw, &mut bufs.json);
                }
                Head::Parts([&plan.head, &bufs.json, &plan.middle])
            }
            (None, Some(kept)) => Head::Whole([&kept.line]),
            (None, None) => return Err(false),
        };
        let head = LineHead {
            parts: head,
            keys: &plan.keys,
            raw_keys: None,
        };
        return Ok((head, fields));
    }
    // A `LOG` record. The keys are the record's: the plan holds while they
    // are those it was rendered for.
    let raw = d.bytes32().ok_or(false)?;
    let n = usize::from(d.u16().ok_or(false)?);
    if n != plan.keys.len() {
        return Err(true);
    }
    let head = match &plan.whole {
        Some(kept) if crate::format::same(raw, &kept.raw_msg) => Head::Whole([&kept.line]),
        _ => {
            bufs.json.clear();
            json.write_planned_message(raw, &mut bufs.json);
            Head::Parts([&plan.head, &bufs.json, &plan.middle])
        }
    };
    let head = LineHead {
        parts: head,
        keys: &plan.keys,
        raw_keys: Some(&plan.raw_keys),
    };
    Ok((head, d.rest))
}

/// A `LOG` record's target, module and file as addresses and lengths,
/// when all three are `'static`.
#[inline(always)]
fn log_strs(d: &mut Decoder<'_>) -> Option<[(usize, usize); 3]> {
    let module = d.static_str_ref(None)?;
    let file = d.static_str_ref(Some(module))?;
    let target = d.static_str_ref(Some(module))?;
    Some([target, module, file])
}

/// A record's line as its plan writes it, up to its fields: `parts` (see
/// `JsonFormatter::write_planned`'s `head`), then each of `keys` followed
/// by its value (`raw_keys`: as in `write_planned`).
struct LineHead<'a> {
    parts: Head<'a>,
    keys: &'a [PlannedKey],
    raw_keys: Option<&'a [Box<[u8]>]>,
}

/// A line's parts before its fields: the kept line, or the parts before
/// and after a message rendered for the record.
enum Head<'a> {
    Whole([&'a [u8]; 1]),
    Parts([&'a [u8]; 3]),
}

impl LineHead<'_> {
    #[inline(always)]
    fn parts(&self) -> &[&[u8]] {
        match &self.parts {
            Head::Whole(parts) => parts,
            Head::Parts(parts) => parts,
        }
    }
}

/// The line up to the fields of a record of kind `tag` of `plan`'s site
/// with the kept message (every record of a macro call site whose message
/// is kept whole).
fn fixed_head(plan: &Ready, tag: u8) -> Option<LineHead<'_>> {
    match (&plan.whole, plan.template) {
        (Some(kept), None) => Some(LineHead {
            parts: Head::Whole([&kept.line]),
            keys: &plan.keys,
            raw_keys: (tag == wire::TAG_LOG).then_some(&plan.raw_keys),
        }),
        _ => None,
    }
}

/// Writes a record's line by its plan (`head`, then the fields read from
/// `fields`, the record's bytes at its first field), at `(ts_ns, at)`
/// (the record's time, the time the files rotate by), straight into the
/// one file that takes it, or through the router when several do (or the
/// backtrace ring may hold it). Returns the records written, as
/// `Router::write_record`.
#[inline(always)]
fn write_line(
    plan: &Ready,
    json: &mut JsonFormatter,
    spill: &mut [Vec<u8>],
    router: &mut Router,
    (ts_ns, at): (u64, u64),
    head: &LineHead<'_>,
    fields: &[u8],
) -> Result<usize, Unwritten> {
    let (keys, raw_keys) = (head.keys, head.raw_keys);
    let mut format = |_: usize, out: &mut Vec<u8>| put_line(json, ts_ns, head, fields, out);
    let written = match plan.sole_file {
        Some(file) => router.write_sole(file, &mut format, spill, at).then_some(1),
        None => {
            if router.has_backtrace() {
                // The ring's records go out before an `ERROR` record is
                // formatted: the record must not be refused after that.
                skip_fields(fields, keys.len(), raw_keys)?;
            }
            router.write_record(
                plan.kind,
                plan.level,
                plan.service_file,
                &mut format,
                spill,
                at,
            )
        }
    };
    // Refused: read through again to say why.
    written.ok_or_else(|| {
        skip_fields(fields, keys.len(), raw_keys)
            .err()
            .unwrap_or(Unwritten::Malformed)
    })
}

/// Writes the line of a record at `ts_ns`, `head` then its fields read
/// from `fields`, into `out`; false when the writer refuses it (see
/// `JsonFormatter::write_planned`). Kept out of line: the writer inlined
/// into the run's loop costs more than the call (measured).
#[inline(never)]
fn put_line(
    json: &mut JsonFormatter,
    ts_ns: u64,
    head: &LineHead<'_>,
    fields: &[u8],
    out: &mut Vec<u8>,
) -> bool {
    let fields = Decoder { rest: fields };
    json.write_planned(ts_ns, head.parts(), head.keys, head.raw_keys, fields, out)
        .is_ok()
}

/// Reads past `n` fields at `fields` as `JsonFormatter::write_planned`
/// reads them (`raw_keys`: as there), writing nothing.
fn skip_fields(fields: &[u8], n: usize, raw_keys: Option<&[Box<[u8]>]>) -> Result<(), Unwritten> {
    read_planned_fields(&mut Decoder { rest: fields }, n, raw_keys, |_, d| {
        d.skip_value()
    })
}
