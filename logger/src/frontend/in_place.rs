//! The `log` adapter's path for a formatted message: `core::fmt` writes
//! the message straight into the record's ring slot, with no scratch
//! buffer and no second copy (`log::info!("order {} at {}", id, px)`).
//!
//! It takes the records whose payload it can write without an encoder: a
//! `&'static` module and file, the target the module (`log`'s default),
//! no key-values. The bytes are exactly those of the general path
//! ([`super::log_adapter`]), tested against it. A message longer than the
//! slot's [`ROOM`] moves to the thread's scratch buffer as it grows and is
//! pushed from there, cut as the general path cuts it when too long for
//! the ring: the `Display` impls still run once.

use std::fmt::Write as _;

use crate::config::MIN_RING_BYTES;
use crate::frontend::log_adapter::{self, cut_limit};
use crate::frontend::thread_ring;
use crate::short_copy::copy_short;
use crate::wire::{self, HEADER, LOG_MSG_LEN_AT, TRUNCATED};

/// Payload bytes a record is given in its ring slot: a message of up to
/// about 460 bytes is formatted in place.
pub(crate) const ROOM: usize = 512;

const _: () = assert!(
    ROOM <= MIN_RING_BYTES / 2 - HEADER,
    "ROOM must fit the smallest ring"
);

/// Where the message's bytes start in the payload.
const MSG_AT: usize = LOG_MSG_LEN_AT + 4;

/// Pushes `record` at `level` with its message formatted in place; false
/// when the record is not one this path takes (key-values, a target of
/// its own, a module or file not `&'static`), or when the ring has no
/// free slot of [`ROOM`] bytes right now (nothing was formatted then: the
/// caller takes the general path). Kept out of line: inlined, its frame
/// cost the `log` adapter's other paths about 50 instructions a call.
#[inline(never)]
pub(crate) fn push_formatted(record: &log::Record<'_>, level: u8) -> bool {
    let (Some(module), Some(file)) = (record.module_path_static(), record.file_static()) else {
        return false;
    };
    let target = record.target();
    if !(std::ptr::eq(module, target) || module == target) || record.key_values().count() != 0 {
        return false;
    }
    let line = record.line().unwrap_or(0);
    let args = *record.args();
    let mut spilled = None;
    let ran = thread_ring::push_in_place(wire::TAG_LOG, level, ROOM, |dst| {
        match write_payload(dst, module, file, line, args) {
            Ok(len) => Some(len),
            Err(buf) => {
                spilled = Some(buf);
                None
            }
        }
    });
    if let Some(mut buf) = spilled {
        end_spilled(&mut buf, thread_ring::max_payload());
        thread_ring::push(wire::TAG_LOG, level, buf.len(), |dst| {
            dst.copy_from_slice(&buf)
        });
        log_adapter::give_back_scratch(buf);
    }
    ran
}

/// Writes the `LOG` payload of a record with no key-values into `dst`
/// ([`ROOM`] bytes); returns its length, or the payload so far (the
/// message's length not yet written: see [`end_spilled`]) in a scratch
/// buffer when the message outgrew `dst`.
#[inline(always)]
fn write_payload(
    dst: &mut [u8],
    module: &'static str,
    file: &'static str,
    line: u32,
    args: std::fmt::Arguments<'_>,
) -> Result<usize, Vec<u8>> {
    wire::put_log_head(dst, module, file, line);
    // The last two bytes are the field count's.
    let mut w = SlotWriter {
        dst: &mut dst[..ROOM - 2],
        len: MSG_AT,
        spill: None,
    };
    let _ = w.write_fmt(args);
    let (len, spill) = (w.len, w.spill);
    match spill {
        None => Ok(wire::end_log_no_fields(dst, len - MSG_AT)),
        Some(buf) => Err(buf),
    }
}

/// Ends a payload that outgrew its slot: the message's length, the
/// message cut as the general path cuts it when the payload is longer
/// than `max` bytes, and a field count of 0.
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

/// `fmt::Write` into the ring slot's payload from `len`; on the first
/// piece that does not fit, what was written moves to a scratch buffer,
/// where the rest goes.
struct SlotWriter<'a> {
    dst: &'a mut [u8],
    len: usize,
    spill: Option<Vec<u8>>,
}

impl std::fmt::Write for SlotWriter<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let b = s.as_bytes();
        let len = self.len;
        // After a spill `dst` is empty and `len` 0: only the spill path.
        if b.len() > self.dst.len() - len {
            self.spill(b);
        } else if b.len() <= 16 {
            // `core::fmt` hands over short pieces (the literal parts, each
            // formatted number): copied without a call to `memcpy`.
            // SAFETY: `len + b.len() <= dst.len()` (checked above), so the
            // bytes written are inside `dst`; `b` (a `&str`) cannot
            // overlap the slot, which we hold mutably.
            unsafe { copy_short(b, self.dst.as_mut_ptr().add(len)) };
            self.len = len + b.len();
        } else {
            self.dst[len..len + b.len()].copy_from_slice(b);
            self.len = len + b.len();
        }
        Ok(())
    }
}

impl SlotWriter<'_> {
    #[cold]
    #[inline(never)]
    fn spill(&mut self, b: &[u8]) {
        let buf = match &mut self.spill {
            Some(buf) => buf,
            None => {
                let mut buf = log_adapter::take_scratch();
                buf.extend_from_slice(&self.dst[..self.len]);
                self.dst = &mut [];
                self.len = 0;
                self.spill.insert(buf)
            }
        };
        buf.extend_from_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::{ROOM, SlotWriter, end_spilled, write_payload};
    use crate::frontend::log_adapter::{cut_limit, encode};

    #[test]
    fn slot_writer_keeps_every_piece_in_order_across_the_spill() {
        let text: String = (0..60u8).map(|i| char::from(b'a' + i % 26)).collect();
        for room in [8, 16, 17, 40, 100] {
            for n in 0..=text.len() {
                let mut slot = vec![b'#'; room];
                let mut w = SlotWriter {
                    dst: &mut slot,
                    len: 3,
                    spill: None,
                };
                w.write_str(&text[..n]).unwrap();
                w.write_str(&text[n..]).unwrap();
                write!(w, "{}|{:.3}", n, 1.5).unwrap();
                let want = format!("###{text}{n}|1.500");
                let got = match w.spill.take() {
                    Some(buf) => buf,
                    None => {
                        let len = w.len;
                        slot[..len].to_vec()
                    }
                };
                assert_eq!(String::from_utf8(got).unwrap(), want, "room {room} n {n}");
            }
        }
    }

    /// The payload written in place (or spilled and ended) is the general
    /// path's, byte for byte: short messages, messages around the slot's
    /// size, and one cut for a ring's `max` payload.
    #[test]
    fn payloads_match_the_general_path() {
        static MODULE: &str = "app::orders";
        static FILE: &str = "src/orders.rs";
        for n in [
            0, 1, 5, 16, 17, 400, 460, 461, 462, 463, 470, 511, 512, 600, 3000,
        ] {
            let body = "é".repeat(n / 2) + &"x".repeat(n % 2);
            for max in [usize::MAX, 2032] {
                let args = format_args!("order {} {} at {}: {}", 7u64, "AAPL", 187.5, body);
                let record = log::Record::builder()
                    .args(args)
                    .module_path_static(Some(MODULE))
                    .file_static(Some(FILE))
                    .target(MODULE)
                    .line(Some(42))
                    .build();
                let mut want = Vec::new();
                encode(&mut want, &record, usize::MAX);
                if want.len() > max {
                    want.clear();
                    encode(&mut want, &record, cut_limit(max, 0));
                }
                let mut slot = vec![0u8; ROOM];
                let got = match write_payload(&mut slot, MODULE, FILE, 42, args) {
                    Ok(len) => slot[..len].to_vec(),
                    Err(mut buf) => {
                        end_spilled(&mut buf, max);
                        buf
                    }
                };
                assert_eq!(got, want, "message of {n} bytes, max {max}");
            }
        }
    }
}
