//! The constant parts of a record's line, rendered once per call site and
//! thread and then copied.
//!
//! Most of a JSON line does not change between the records of one call
//! site on one thread: level, kind, target, service, module, file, line,
//! function, thread, tid, pid and host, the field keys, and often the
//! message. The flusher names a record's call site with a [`Site`] (built
//! from the view, only when every string it covers lives for the whole
//! program), and the formatter keeps, per site and thread, an [`Entry`]:
//! the bytes it wrote for those parts the first time, checked again on each
//! use only where a value is not pinned by the key (service, thread name,
//! message, field keys: compared by content).
//!
//! # Options and generations
//!
//! An entry holds whatever the formatter's options make of the constant
//! parts (which keys are written, under which names): the options are fixed
//! for a formatter's life, so they are part of every entry. Anything that
//! changes what a site renders to at run time (a new service mapping, a
//! reloaded configuration) must call [`SiteCache::clear`] (a
//! `clear_cache` method on `Formatter` is the place for it): the entries
//! are rebuilt on their next use. Options of issue 15 (include switches,
//! renamed keys) change only `render_head` and `render_middle` in `json`,
//! which fill the entries; a timestamp format is the `TimestampCache`'s.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::view::{Kind, RecordView};

/// Most entries kept; past it the cache starts again empty (a process with
/// that many call sites and threads pays the first render again).
const MAX_ENTRIES: usize = 4096;

/// A call site as the formatter caches it: the addresses and lengths of
/// the record's static strings, its line, level and kind.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Site {
    strs: [(usize, usize); 4],
    line: u32,
    level: u8,
    kind: u8,
    /// Every field key is outside the record too (a call site's own keys):
    /// keys with the same address and length are the same keys.
    static_keys: bool,
}

impl Site {
    /// The site of `view`, decoded from `record` (the record's bytes in
    /// its ring): `None` when its target, module, file or function points
    /// into those bytes (copied in by the producer rather than static), since
    /// then the address says nothing about the content.
    #[inline]
    pub(crate) fn of(view: &RecordView<'_>, record: &[u8]) -> Option<Site> {
        let inside = |s: &str| {
            let p = s.as_ptr() as usize;
            let start = record.as_ptr() as usize;
            p >= start && p < start + record.len()
        };
        // A macro call site's record names its static descriptor: every
        // string and key of the view is the descriptor's.
        let from_callsite = crate::wire::tag_of(record) == Some(crate::wire::TAG_CALLSITE);
        let static_keys = from_callsite || {
            let function = view.function.unwrap_or("");
            if inside(view.target) || inside(view.module) || inside(view.file) || inside(function) {
                return None;
            }
            view.fields.iter().all(|f| !inside(f.key))
        };
        let addr = |s: &str| (s.as_ptr() as usize, s.len());
        Some(Site {
            strs: [
                addr(view.target),
                addr(view.module),
                addr(view.file),
                // `None` and `Some("")` differ in the line.
                view.function.map_or((0, usize::MAX), addr),
            ],
            line: view.line,
            level: view.level as u8,
            kind: match view.kind {
                Kind::Log => 0,
                Kind::Trade => 1,
                Kind::Perf => 2,
                Kind::Metrics => 3,
            },
            static_keys,
        })
    }
}

/// What one call site on one thread renders to.
#[derive(Default)]
pub(crate) struct Entry {
    /// The service and thread name the parts were rendered with.
    pub service: Box<str>,
    pub thread: Box<str>,
    /// Everything between the timestamp's digits and the message.
    pub head: Vec<u8>,
    /// Everything after the message up to (not including) the optional
    /// keys (`correlation_id`, `context`, `fields`).
    pub middle: Vec<u8>,
    /// The message, when the site's first ones were the same.
    pub msg: MsgCache,
    /// `head`, the kept message and `middle` in one piece (empty until the
    /// message is kept).
    pub whole: Vec<u8>,
    /// The field keys the `keys` were rendered for, end offsets in
    /// `key_bytes`, and per field the bytes written before its value
    /// (`,"fields":{"k":` for the first, `,"k":` for the others).
    pub key_bytes: Vec<u8>,
    pub key_ends: Vec<usize>,
    /// The keys' addresses and lengths, for a site with static keys.
    pub key_addrs: Vec<(usize, usize)>,
    pub keys: Vec<Vec<u8>>,
}

impl Entry {
    /// Whether the fields' keys are those the `keys` were rendered for;
    /// by address when the `site`'s keys are static.
    #[inline]
    pub(crate) fn keys_match(&self, site: &Site, fields: &[crate::view::Field<'_>]) -> bool {
        if fields.len() != self.key_ends.len() {
            return false;
        }
        if site.static_keys
            && fields
                .iter()
                .zip(&self.key_addrs)
                .all(|(f, &a)| (f.key.as_ptr() as usize, f.key.len()) == a)
        {
            return true;
        }
        let mut start = 0;
        for (f, &end) in fields.iter().zip(&self.key_ends) {
            if !same(f.key.as_bytes(), &self.key_bytes[start..end]) {
                return false;
            }
            start = end;
        }
        true
    }

    /// Remembers the keys of `fields` (the `keys` are filled by the caller).
    pub(crate) fn set_keys(&mut self, fields: &[crate::view::Field<'_>]) {
        self.key_bytes.clear();
        self.key_ends.clear();
        self.key_addrs.clear();
        for f in fields {
            self.key_bytes.extend_from_slice(f.key.as_bytes());
            self.key_ends.push(self.key_bytes.len());
            self.key_addrs.push((f.key.as_ptr() as usize, f.key.len()));
        }
        self.keys.resize_with(fields.len(), Vec::new);
        for k in &mut self.keys {
            k.clear();
        }
    }
}

/// Messages longer than this are not kept.
const MSG_KEEP_BYTES: usize = 256;

/// A site's message as recorded and as rendered, while it stays the same.
#[derive(Default)]
pub(crate) enum MsgCache {
    /// No record of the site seen yet.
    #[default]
    Unset,
    /// Every record of the site had this message so far.
    Same { raw: Vec<u8>, json: Vec<u8> },
    /// The messages differ (format arguments) or are long: rendered each
    /// time.
    Varies,
}

impl MsgCache {
    /// Whether `raw` is the kept message.
    #[inline]
    pub(crate) fn is(&self, raw: &[u8]) -> bool {
        matches!(self, MsgCache::Same { raw: kept, .. } if same(kept, raw))
    }

    /// Appends `raw` rendered: the kept rendering when `raw` is the kept
    /// message, else `render`'s.
    #[inline]
    pub(crate) fn write(
        &mut self,
        raw: &[u8],
        out: &mut Vec<u8>,
        render: impl FnOnce(&mut Vec<u8>),
    ) {
        match self {
            MsgCache::Same { raw: kept, json } if same(kept, raw) => out.extend_from_slice(json),
            MsgCache::Unset if raw.len() <= MSG_KEEP_BYTES => {
                let at = out.len();
                render(out);
                *self = MsgCache::Same {
                    raw: raw.to_vec(),
                    json: out[at..].to_vec(),
                };
            }
            _ => {
                *self = MsgCache::Varies;
                render(out);
            }
        }
    }
}

/// `a == b`, without a call to `memcmp` for the short strings compared on
/// every record (service, thread name, message).
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 16 {
        return a == b;
    }
    // The first and last 8 (or 4) bytes of each, overlapping: `first_chunk`
    // and `last_chunk` rather than indexing, which the compiler kept its
    // bounds checks for.
    #[inline(always)]
    fn ends<const N: usize>(s: &[u8]) -> Option<(&[u8; N], &[u8; N])> {
        Some((s.first_chunk::<N>()?, s.last_chunk::<N>()?))
    }
    if n >= 8 {
        ends::<8>(a) == ends::<8>(b)
    } else if n >= 4 {
        ends::<4>(a) == ends::<4>(b)
    } else {
        n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1])
    }
}

/// Entries by site and thread id.
#[derive(Default)]
pub(crate) struct SiteCache {
    index: HashMap<(Site, u64), usize, BuildHasherDefault<WordHasher>>,
    entries: Vec<Entry>,
    /// The key and index of the last entry used: a run of records of one
    /// site and thread skips the hash lookup.
    last: Option<((Site, u64), usize)>,
}

impl SiteCache {
    /// The entry of `site` on thread `tid`, and whether it was just made
    /// (then empty: the caller renders it).
    #[inline]
    pub(crate) fn entry(&mut self, site: Site, tid: u64) -> (&mut Entry, bool) {
        let key = (site, tid);
        if let Some((last, i)) = self.last {
            if last == key {
                return (&mut self.entries[i], false);
            }
        }
        let (i, fresh) = match self.index.get(&key) {
            Some(&i) => (i, false),
            None => {
                if self.entries.len() >= MAX_ENTRIES {
                    self.clear();
                }
                self.entries.push(Entry::default());
                let i = self.entries.len() - 1;
                self.index.insert(key, i);
                (i, true)
            }
        };
        self.last = Some((key, i));
        (&mut self.entries[i], fresh)
    }

    /// The entry of `site` on thread `tid`, if there is one.
    pub(crate) fn get(&self, site: &Site, tid: u64) -> Option<&Entry> {
        self.index.get(&(*site, tid)).map(|&i| &self.entries[i])
    }

    /// Forgets every entry (see the module documentation).
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.last = None;
    }
}

/// A multiply-rotate hash of machine words: the keys are addresses and
/// small numbers chosen by this process, never by an attacker, and the
/// default SipHash costs more than the rendering it saves.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl WordHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    /// Equal and unequal strings of every length up to 20, differing at
    /// each place in turn, and of different lengths.
    #[test]
    fn same_is_equality_at_every_length_and_place() {
        let a: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=20 {
            assert!(same(&a[..n], &a[..n]), "n {n}");
            assert!(!same(&a[..n], &a[..n + 1]), "n {n}");
            for at in 0..n {
                let mut b = a[..n].to_vec();
                b[at] ^= 0x20;
                assert!(!same(&a[..n], &b), "n {n}, at {at}");
            }
        }
    }
}
