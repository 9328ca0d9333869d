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
            let count = d.u16()?;
            fields.clear();
            for _ in 0..count {
                let key = d.key()?;
                let value = d.value()?;
                fields.push(Field { key, value });
            }
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
    fields.clear();
    for &key in cs.fields {
        let value = d.value()?;
        fields.push(Field { key, value });
    }
    scratch.clear();
    crate::callsite::render_message(cs.message, cs.message_args, &mut d, scratch)?;
    Some(RecordView {
        ts_ns,
        level,
        kind: cs.kind,
        target: cs.target,
        service: "", // set by the flusher (`Services::of`)
        module: cs.module,
        file: cs.file,
        line: cs.line,
        function: cs.function.map(|f| f()),
        msg: scratch,
        fields,
        thread: origin.thread,
        tid: origin.tid,
        correlation: None,
        context: &[],
    })
}
