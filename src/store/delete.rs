//! Deleting a finished match (an advanced-mode action): its datagrams, its index entries and its
//! record, in one write transaction run by the writer thread. The current match of a court is
//! refused: the writer is still adding to it, and after a restart the court's previous match
//! would wrongly become current.

use super::schema::{EVENTS, MATCH_EVENTS, MATCHES};
use super::{MatchRecord, StoreError, WriteRequest, codec};
use crossbeam_channel::{Receiver, Sender};
use redb::ReadableTable;

/// Write request deleting match `key`. The writer acks on `ack` after the commit; the number
/// of datagrams removed is on the returned receiver by then.
pub fn delete_match_request(
    key: u64,
    ack: Sender<Result<(), String>>,
) -> (WriteRequest, Receiver<u64>) {
    let (count_tx, count_rx) = crossbeam_channel::bounded(1);
    let req = WriteRequest::Apply {
        what: "delete match",
        op: Box::new(move |txn| {
            let removed = delete_match(txn, key)?;
            // The operation runs once, so the one slot is free; closed: the caller no longer
            // waits for the count.
            let _ = count_tx.try_send(removed);
            Ok(())
        }),
        ack: Some(ack),
    };
    (req, count_rx)
}

fn refuse(reason: String) -> StoreError {
    StoreError::Invalid {
        key: "match".into(),
        reason,
    }
}

/// Remove match `key`; returns the number of datagrams removed.
pub fn delete_match(txn: &redb::WriteTransaction, key: u64) -> Result<u64, StoreError> {
    let mut matches = txn.open_table(MATCHES)?;
    let record: MatchRecord = match matches.get(key)? {
        Some(v) => codec::decode_row(v.value(), "match", "matches", &key)?,
        None => return Err(refuse(format!("match {key} is not in the store"))),
    };
    let mut later = false;
    for item in matches.range(key + 1..)? {
        let (k, v) = item?;
        let m: MatchRecord = codec::decode_row(v.value(), "match", "matches", &k.value())?;
        if m.court == record.court {
            later = true;
            break;
        }
    }
    if !later {
        return Err(refuse(format!(
            "match {key} is the current match of {}; it can be deleted once the next match \
             there has started",
            record.court
        )));
    }
    let mut index = txn.open_table(MATCH_EVENTS)?;
    let mut events = txn.open_table(EVENTS)?;
    let seqs: Vec<u64> = index
        .range((key, 0)..=(key, u64::MAX))?
        .map(|item| item.map(|(k, _)| k.value().1))
        .collect::<Result<_, _>>()?;
    for &seq in &seqs {
        events.remove(seq)?;
        index.remove((key, seq))?;
    }
    matches.remove(key)?;
    tracing::info!(match_key = key, datagrams = seqs.len(), court = %record.court, "match deleted");
    Ok(seqs.len() as u64)
}
