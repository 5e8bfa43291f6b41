//! The licence clock mark: the highest time courtside has seen, raised now and then, and reset
//! only by an operator in advanced mode with a reason (logged and kept in the store).

use super::{LICENSE_TABLE, read_value};
use crate::store::{Store, StoreError, WriteRequest, codec};
use crate::timefmt::utc_seconds;
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

const MAX_SEEN_KEY: &str = "max_seen_ns";
const LAST_RESET_KEY: &str = "mark_reset";

/// Longest reason kept for a reset (longer text is cut).
pub const MAX_REASON_CHARS: usize = 200;

/// The last reset of the mark, kept in the store for support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkReset {
    /// When it was reset (the clock then), Unix ns; also the new mark.
    pub at_ns: i64,
    /// The mark before the reset, Unix ns (`None`: there was none).
    pub previous_ns: Option<i64>,
    /// The operator's reason.
    pub reason: String,
}

/// Why a reset was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkResetError {
    /// No reason given.
    #[error("give a reason for resetting the latest time seen (it is logged)")]
    NoReason,
}

/// The highest clock value recorded, Unix ns.
pub fn stored_max_seen(store: &Store) -> Result<Option<i64>, StoreError> {
    read_value(store, MAX_SEEN_KEY, "highest time seen")
}

/// The last reset of the mark, if any.
pub fn last_mark_reset(store: &Store) -> Result<Option<MarkReset>, StoreError> {
    read_value(store, LAST_RESET_KEY, "licence mark reset")
}

/// Write request raising the highest time seen to `now_ns` (never lowering it). Send it at
/// start and then now and then (e.g. hourly).
pub fn record_time_request(now_ns: i64) -> WriteRequest {
    WriteRequest::Apply {
        what: "highest time seen",
        op: Box::new(move |txn| {
            let mut t = txn.open_table(LICENSE_TABLE)?;
            let old: Option<i64> = match t.get(MAX_SEEN_KEY)? {
                Some(g) => Some(codec::decode(g.value(), "highest time seen")?),
                None => None,
            };
            if old.is_none_or(|o| now_ns > o) {
                t.insert(
                    MAX_SEEN_KEY,
                    codec::encode(&now_ns, "highest time seen")?.as_slice(),
                )?;
            }
            Ok(())
        }),
        ack: None,
    }
}

/// Write request setting the mark back to `now_ns` (the current clock), for an operator in
/// advanced mode after a wrong future clock reading. The reason (control characters dropped, at
/// most [`MAX_REASON_CHARS`]) is logged with the old and new mark and stored as the
/// [`MarkReset`]. The caller checks that advanced mode is unlocked.
pub fn reset_mark_request(
    now_ns: i64,
    reason: &str,
    ack: Option<crossbeam_channel::Sender<Result<(), String>>>,
) -> Result<WriteRequest, MarkResetError> {
    let reason: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_REASON_CHARS)
        .collect();
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(MarkResetError::NoReason);
    }
    Ok(WriteRequest::Apply {
        what: "licence mark reset",
        op: Box::new(move |txn| {
            let mut t = txn.open_table(LICENSE_TABLE)?;
            let previous_ns: Option<i64> = match t.get(MAX_SEEN_KEY)? {
                Some(g) => Some(codec::decode(g.value(), "highest time seen")?),
                None => None,
            };
            let record = MarkReset {
                at_ns: now_ns,
                previous_ns,
                reason,
            };
            t.insert(
                MAX_SEEN_KEY,
                codec::encode(&now_ns, "highest time seen")?.as_slice(),
            )?;
            t.insert(
                LAST_RESET_KEY,
                codec::encode(&record, "licence mark reset")?.as_slice(),
            )?;
            tracing::warn!(
                "licence: latest time seen reset in advanced mode from {} to {} (the clock); \
                 reason: {}",
                previous_ns.map_or_else(|| "none".to_string(), utc_seconds),
                utc_seconds(now_ns),
                record.reason
            );
            Ok(())
        }),
        ack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Log lines written while `f` runs on this thread.
    fn logged(f: impl FnOnce()) -> String {
        #[derive(Clone)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0
                    .lock()
                    .map_err(|_| std::io::ErrorKind::Other)?
                    .extend(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf(Arc::new(Mutex::new(Vec::new())));
        let out = buf.clone();
        let sub = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(sub, f);
        let bytes = buf.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Run a write request's operation on an in-memory database, on this thread.
    fn run(db: &redb::Database, req: WriteRequest) {
        let WriteRequest::Apply { op, .. } = req else {
            panic!("an Apply request");
        };
        let txn = db.begin_write().expect("txn");
        op(&txn).expect("op");
        txn.commit().expect("commit");
    }

    #[test]
    fn a_reset_is_logged_with_its_reason_and_both_marks() {
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .expect("db");
        let wrong = 2_145_916_800 * 1_000_000_000; // 2038-01-01
        let now = 1_800_000_000 * 1_000_000_000; // 2027-01-15
        run(&db, record_time_request(wrong));
        let req = reset_mark_request(now, "BIOS clock was wrong", None).expect("reason");
        let log = logged(|| run(&db, req));
        assert!(log.contains("WARN"), "{log}");
        assert!(log.contains("reason: BIOS clock was wrong"), "{log}");
        assert!(
            log.contains("from 2038-01-01 00:00:00 UTC to 2027-01-15"),
            "{log}"
        );
    }
}
