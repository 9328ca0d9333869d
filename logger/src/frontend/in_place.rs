//! The `log` adapter's path for a formatted message: `core::fmt` writes
//! the message straight into the record's ring slot, with no scratch
//! buffer and no second copy (`log::info!("order {} at {}", id, px)`).
//!
//! It takes the records whose payload it can write without an encoder:
//! those from a [`PlainSite`](super::log_adapter::PlainSite) (`log`'s
//! default target, no key-values). The bytes are exactly those of the
//! general path ([`super::log_adapter`]), tested against it. A message
//! longer than the slot's [`ROOM`] moves to a spill buffer as it grows
//! and is pushed from there, cut as the general path cuts it when too
//! long for the ring: the `Display` impls run once. How a record logged
//! by a `Display` impl meanwhile goes first: [`thread_ring::InPlace`].

use std::fmt::Write as _;

use crate::config::MIN_RING_BYTES;
use crate::frontend::log_adapter::{cut_limit, plain_site};
use crate::frontend::thread_ring;
use crate::wire::{self, HEADER, LOG_MSG_LEN_AT, TRUNCATED};

/// Payload bytes a record is given in its ring slot, the field count's
/// two included: a message of up to about 460 bytes is formatted in
/// place.
pub(crate) const ROOM: usize = 512;

const _: () = assert!(
    ROOM <= MIN_RING_BYTES / 2 - HEADER,
    "ROOM must fit the smallest ring"
);

/// Where the message's bytes start in the payload.
const MSG_AT: usize = LOG_MSG_LEN_AT + 4;

/// Pushes `record` at `level` with its message formatted in place; false
/// when the record is not from a
/// [`PlainSite`](super::log_adapter::PlainSite), or when the ring has no
/// free slot of [`ROOM`] bytes right now (nothing was formatted then: the
/// caller takes the general path). Kept out of line: inlined, its frame
/// cost the `log` adapter's other paths about 50 instructions a call.
#[inline(never)]
pub(crate) fn push_formatted(record: &log::Record<'_>, level: u8) -> bool {
    let Some(site) = plain_site(record) else {
        return false;
    };
    let Some(mut w) = thread_ring::begin_in_place(ROOM - 2, 2, |dst| {
        wire::put_log_head(dst, site);
        MSG_AT
    }) else {
        return false;
    };
    let _ = w.write_fmt(*record.args());
    w.finish(
        wire::TAG_LOG,
        level,
        |payload, len| wire::end_log_no_fields(payload, len - MSG_AT),
        |buf| end_spilled(buf, thread_ring::max_payload()),
    );
    true
}

/// Ends a payload that left its slot (its message's length not yet
/// written): the message's length, the message cut as the general path
/// cuts it when the payload is longer than `max` bytes, and a field count
/// of 0.
#[cold]
#[inline(never)]
fn end_spilled(buf: &mut Vec<u8>, max: usize) {
    let limit = if buf.len() + 2 > max {
        cut_limit(max, 0)
    } else {
        usize::MAX
    };
    wire::end_bytes32(buf, LOG_MSG_LEN_AT, limit, TRUNCATED);
    buf.extend_from_slice(&0u16.to_ne_bytes());
}
