//! A source's row in the checkpoint table (`ship_checkpoints`): read when
//! the shipper starts, and moved by each batch's transaction from the
//! checkpoint the batch follows to the batch's own, only if the row is
//! still at the former (compare and set).
//!
//! Why the comparison: a shipper killed (or cut off) after it sent
//! `COMMIT` leaves a transaction that the server may still commit after a
//! new shipper has read the checkpoint, for as long as the commit takes
//! (a WAL flush on a busy disk, a synchronous standby). The new shipper
//! then reads that transaction's batch again. Without the comparison it
//! would wait for the row lock, update the row and commit the batch a
//! second time; with it, it finds the row moved, rolls back, and reads on
//! from the checkpoint the late transaction committed.

use postgres::Transaction;

use crate::checkpoint::Checkpoint;
use crate::ship::destination::SourceKey;

/// A checkpoint's file id as stored (`<16 hex digits>@<ns>`).
pub(super) fn file_id_text(cp: &Checkpoint) -> String {
    let json = serde_json::to_string(&cp.file_id).unwrap_or_default();
    serde_json::from_str::<String>(&json).unwrap_or(json)
}

/// The checkpoint of a stored row, whether its file id is stored as text
/// or as a JSON string; `None` when it is neither.
pub(super) fn checkpoint_from(file_id: &str, offset: i64) -> Option<Checkpoint> {
    let id = serde_json::from_value(serde_json::Value::String(file_id.to_owned()))
        .or_else(|_| serde_json::from_str(file_id))
        .ok()?;
    Some(Checkpoint {
        file_id: id,
        offset: u64::try_from(offset).ok()?,
    })
}

/// A checkpoint for messages: `<file id> at byte <offset>`, or `none`.
pub(super) fn describe(cp: Option<&Checkpoint>) -> String {
    cp.map_or_else(
        || "none".to_owned(),
        |c| format!("{} at byte {}", file_id_text(c), c.offset),
    )
}

/// Moves `source`'s row in `table` from `from` (`None`: no row yet) to
/// `to`, inside `tx`, locking the row until `tx` ends. Waits for a
/// transaction that holds the row, then compares with what it committed.
///
/// Returns `Ok(Err(found))`, having changed nothing, when the row is not at
/// `from`: `found` describes what is stored (for the error message).
///
/// # Errors
/// The statements fail (connection, privileges).
pub(super) fn advance(
    tx: &mut Transaction<'_>,
    table: &str,
    source: &SourceKey,
    from: Option<&Checkpoint>,
    to: &Checkpoint,
) -> Result<Result<(), String>, postgres::Error> {
    let (id, offset) = (file_id_text(to), to.offset as i64);
    let row = tx.query_opt(
        &format!("SELECT file_id, file_offset FROM {table} WHERE source = $1 FOR UPDATE"),
        &[&source.as_str()],
    )?;
    // What is stored, and how to name it in a message.
    let stored = row.map(|r| {
        let (stored_id, stored_offset): (String, i64) = (r.get(0), r.get(1));
        let cp = checkpoint_from(&stored_id, stored_offset);
        let text = match &cp {
            Some(c) => describe(Some(c)),
            None => format!("file_id {stored_id:?}, offset {stored_offset}"),
        };
        (cp, text)
    });
    match (stored, from) {
        (None, None) => {
            // Another transaction may be inserting it right now: then
            // this insert waits for it, and inserts nothing if it commits.
            let n = tx.execute(
                &format!(
                    "INSERT INTO {table} (source, file_id, file_offset, updated_at) \
                     VALUES ($1, $2, $3, now()) ON CONFLICT (source) DO NOTHING"
                ),
                &[&source.as_str(), &id, &offset],
            )?;
            Ok(if n == 1 {
                Ok(())
            } else {
                Err("a checkpoint committed meanwhile".to_owned())
            })
        }
        (Some((Some(at), _)), Some(from)) if at == *from => {
            tx.execute(
                &format!(
                    "UPDATE {table} SET file_id = $2, file_offset = $3, updated_at = now() \
                     WHERE source = $1"
                ),
                &[&source.as_str(), &id, &offset],
            )?;
            Ok(Ok(()))
        }
        (Some((_, text)), _) => Ok(Err(text)),
        (None, Some(_)) => Ok(Err("none".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::FileId;

    #[test]
    fn stored_file_ids_read_back_as_text_or_json() {
        let cp = Checkpoint {
            file_id: FileId::of_first_line(br#"{"ts":"2026-11-30T08:00:00Z"}"#),
            offset: 42,
        };
        let text = file_id_text(&cp);
        assert!(!text.starts_with('"'), "{text}");
        assert_eq!(checkpoint_from(&text, 42), Some(cp));
        assert_eq!(checkpoint_from(&format!("{text:?}"), 42), Some(cp));
        assert_eq!(checkpoint_from("nope", 42), None);
        assert_eq!(checkpoint_from(&text, -1), None);
        assert_eq!(describe(Some(&cp)), format!("{text} at byte 42"));
        assert_eq!(describe(None), "none");
    }
}
