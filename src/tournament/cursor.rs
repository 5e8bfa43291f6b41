//! This store's id and the publishing cursor, kept in the `tournament` table
//! ([`crate::store::schema::TOURNAMENT`]). Reads use their own read transactions; writes go
//! through the store writer (the only thread that writes), and the caller waits for them.

use crate::store::schema::TOURNAMENT;
use crate::store::{Store, StoreError, WriteRequest};
use crossbeam_channel::Sender;
use redb::{ReadableDatabase, ReadableTable};

/// Key of the store id.
const STORE_ID: &str = "store_id";

fn cursor_key(tournament: &str) -> String {
    format!("cursor/{tournament}")
}

/// Key of a hub's position: the last stream sequence it stored.
fn hub_key(tournament: &str, consumer: &str) -> String {
    format!("hub/{tournament}/{consumer}")
}

/// The last stream sequence a hub stored for `tournament` (0: none). It may lag what is stored
/// (it is written after the datagrams); never lead it.
pub fn hub_position(store: &Store, tournament: &str, consumer: &str) -> Result<u64, StoreError> {
    Ok(read(store, &hub_key(tournament, consumer))?.unwrap_or(0))
}

/// Move a hub's position forward, durably, and wait.
pub fn advance_hub_position(
    writer: &Sender<WriteRequest>,
    tournament: &str,
    consumer: &str,
    seq: u64,
) -> Result<(), StoreError> {
    advance_key(writer, hub_key(tournament, consumer), seq)
}

/// Read one value of the table; a store that never used a tournament has no table yet.
fn read(store: &Store, key: &str) -> Result<Option<u64>, StoreError> {
    let txn = store.db().begin_read()?;
    let table = match txn.open_table(TOURNAMENT) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(table.get(key)?.map(|g| g.value()))
}

/// This store's id as text (16 hex digits), if it has one.
pub fn store_id(store: &Store) -> Result<Option<String>, StoreError> {
    Ok(read(store, STORE_ID)?.map(format_id))
}

/// How a store id is written in message ids and hub records.
pub fn format_id(id: u64) -> String {
    format!("{id:016x}")
}

/// The highest sequence the server acknowledged for `tournament`, if publishing ever started.
pub fn cursor(store: &Store, tournament: &str) -> Result<Option<u64>, StoreError> {
    read(store, &cursor_key(tournament))
}

/// Run `op` in the writer and wait for it.
fn apply(
    writer: &Sender<WriteRequest>,
    what: &'static str,
    op: crate::store::writer::WriteOp,
) -> Result<(), StoreError> {
    let (ack, done) = crossbeam_channel::bounded(1);
    writer
        .send(WriteRequest::Apply {
            what,
            op,
            ack: Some(ack),
        })
        .map_err(|_| StoreError::WriterGone)?;
    done.recv()
        .map_err(|_| StoreError::WriterGone)?
        .map_err(|reason| StoreError::Invalid {
            key: what.into(),
            reason,
        })
}

/// This store's id, made (random, once, durably) when it has none.
pub fn ensure_store_id(store: &Store, writer: &Sender<WriteRequest>) -> Result<String, StoreError> {
    if let Some(id) = store_id(store)? {
        return Ok(id);
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Invalid {
        key: "tournament store id".into(),
        reason: format!("no random numbers from the system: {e}"),
    })?;
    let fresh = u64::from_le_bytes(bytes);
    apply(
        writer,
        "tournament store id",
        Box::new(move |txn| {
            let mut t = txn.open_table(TOURNAMENT)?;
            // Another writer request may have made one meanwhile: keep the first.
            if t.get(STORE_ID)?.is_none() {
                t.insert(STORE_ID, fresh)?;
            }
            Ok(())
        }),
    )?;
    store_id(store)?.ok_or(StoreError::WriterGone)
}

/// Move the cursor of `tournament` to `seq` (never backwards), durably, and wait.
pub fn advance_cursor(
    writer: &Sender<WriteRequest>,
    tournament: &str,
    seq: u64,
) -> Result<(), StoreError> {
    advance_key(writer, cursor_key(tournament), seq)
}

/// Move `key` of the table to `seq` (never backwards), durably, and wait.
fn advance_key(writer: &Sender<WriteRequest>, key: String, seq: u64) -> Result<(), StoreError> {
    apply(
        writer,
        "tournament position",
        Box::new(move |txn| {
            let mut t = txn.open_table(TOURNAMENT)?;
            // Written when absent even at 0: "published nothing yet" differs from "never
            // started" (which starts at the current match).
            let old = t.get(key.as_str())?.map(|g| g.value());
            if old.is_none_or(|old| seq > old) {
                t.insert(key.as_str(), seq)?;
            }
            Ok(())
        }),
    )
}

/// Where publishing starts for a tournament this store never published to: just before the
/// oldest court's current match, so the match on now reaches the hub whole (names, flags, its
/// `pre`), and earlier matches (yesterday's rehearsal) do not.
pub fn initial_cursor(store: &Store) -> Result<u64, StoreError> {
    let current = store.current_matches()?;
    match current.iter().map(|(_, key)| key.saturating_sub(1)).min() {
        Some(before) => Ok(before),
        None => Ok(store.stats()?.last_seq),
    }
}

/// Stored datagrams after `cursor` (what is still queued).
pub fn queued_after(store: &Store, cursor: u64) -> Result<u64, StoreError> {
    let txn = store.db().begin_read()?;
    let events = txn.open_table(crate::store::schema::EVENTS)?;
    let mut n = 0;
    for item in events.range(cursor.saturating_add(1)..)? {
        item?;
        n += 1;
    }
    Ok(n)
}
