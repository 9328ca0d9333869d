//! Turns a record's bytes in a ring into a [`RecordView`].

use crate::level::Level;

use crate::callsite::Callsite;
use crate::view::{Field, Kind, RecordView};
use crate::wire::{self, Decoder, Header};

/// The logging thread of a record, known from its ring.
#[derive(Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub thread: &'a str,
    pub tid: u64,
}

pub(crate) fn level_from_u8(l: u8) -> Option<Level> {
    Level::from_u8(l)
}

/// Decodes one record (header already read) into a view. `fields` is
/// filled and borrowed by the view; `scratch` receives a message that has
/// to be rendered (macro templates). Returns `None` for a malformed record.
pub(crate) fn decode<'a: 'f, 'f>(
    header: &Header,
    record: &'a [u8],
    ts_ns: u64,
    origin: Origin<'a>,
    fields: &'f mut Vec<Field<'a>>,
    scratch: &'f mut Vec<u8>,
) -> Option<RecordView<'f>> {
    let level = level_from_u8(header.level)?;
    let mut d = Decoder {
        rest: &record[wire::HEADER..],
    };
    match header.tag {
        wire::TAG_LOG => {
            let module = d.str_ref("")?;
            let file = d.str_ref(module)?;
            let target = d.str_ref(module)?;
            let line = d.u32()?;
            let msg = d.bytes32()?;
            let n = usize::from(d.u16()?);
            fields.clear();
            fields.reserve(n);
            for slot in &mut fields.spare_capacity_mut()[..n] {
                let key = d.key()?;
                let value = d.value()?;
                slot.write(Field { key, value });
            }
            // SAFETY: as in `decode_callsite`: the first `n` elements
            // are initialised, and `Field` needs no drop.
            unsafe { fields.set_len(n) };
            Some(RecordView {
                ts_ns,
                level,
                kind: Kind::Log,
                target,
                service: "", // set by the flusher (`Services::of`)
                module,
                file,
                line,
                function: None,
                msg,
                fields,
                thread: origin.thread,
                tid: origin.tid,
                correlation: None,
                context: &[],
            })
        }
        wire::TAG_CALLSITE => {
            let callsite = d.callsite()?;
            decode_callsite(callsite, d, level, ts_ns, origin, fields, scratch)
        }
        _ => None,
    }
}

fn decode_callsite<'a: 'f, 'f>(
    cs: &'static Callsite,
    mut d: Decoder<'a>,
    level: Level,
    ts_ns: u64,
    origin: Origin<'a>,
    fields: &'f mut Vec<Field<'a>>,
    scratch: &'f mut Vec<u8>,
) -> Option<RecordView<'f>> {
    let n = cs.fields.len();
    fields.clear();
    fields.reserve(n);
    // Written in place rather than pushed: no capacity check per field.
    for (slot, &key) in fields.spare_capacity_mut()[..n].iter_mut().zip(cs.fields) {
        slot.write(Field {
            key,
            value: d.value()?,
        });
    }
    // SAFETY: the loop above initialised the first `n` elements (`reserve`
    // made room for them; an early return leaves the length at 0), and
    // `Field` holds only borrows, so nothing is leaked or dropped twice.
    unsafe { fields.set_len(n) };
    let known = site_facts(cs);
    let msg: &[u8] = if known.plain_message {
        cs.message.as_bytes()
    } else {
        scratch.clear();
        crate::callsite::render_message(cs.message, cs.message_args, &mut d, scratch)?;
        scratch
    };
    Some(RecordView {
        ts_ns,
        level,
        kind: cs.kind,
        target: cs.target,
        service: "", // set by the flusher (`Services::of`)
        module: cs.module,
        file: cs.file,
        line: cs.line,
        function: known.function,
        msg,
        fields,
        thread: origin.thread,
        tid: origin.tid,
        correlation: None,
        context: &[],
    })
}

/// What the flusher works out once per call site rather than per record.
#[derive(Clone, Copy)]
struct SiteFacts {
    /// The call site's descriptor's address (0: an empty slot).
    callsite: usize,
    /// `Callsite::function`'s result (a string computed from the type
    /// name of a local function: the same on every call).
    function: Option<&'static str>,
    /// The message takes no arguments and has no brace: it is the
    /// template itself, with nothing to render.
    plain_message: bool,
}

/// Slots of the direct-mapped memo of [`site_facts`].
const FACT_SLOTS: usize = 64;

thread_local! {
    /// The facts of the call sites seen last, by address (direct-mapped:
    /// two sites in one slot take turns, each still correct).
    static FACTS: [std::cell::Cell<SiteFacts>; FACT_SLOTS] = const {
        [const {
            std::cell::Cell::new(SiteFacts {
                callsite: 0,
                function: None,
                plain_message: false,
            })
        }; FACT_SLOTS]
    };
}

/// `cs`'s facts, computed on its first record (and when another site took
/// its slot).
#[inline]
fn site_facts(cs: &'static Callsite) -> SiteFacts {
    let addr = cs as *const Callsite as usize;
    let slot = (addr / std::mem::align_of::<Callsite>()) % FACT_SLOTS;
    FACTS.with(|slots| {
        let known = slots[slot].get();
        if known.callsite == addr {
            return known;
        }
        let facts = SiteFacts {
            callsite: addr,
            function: cs.function.map(|f| f()),
            plain_message: cs.message_args == 0 && !cs.message.contains(['{', '}']),
        };
        slots[slot].set(facts);
        facts
    })
}
