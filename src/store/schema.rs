//! Table definitions, the schema version and the migration path.
//!
//! Schema history:
//! - v1: `events` held [`v1::EventRecordV1`] (no court, no match key); no match, settings or
//!   history tables.
//! - v2 (current): `events` holds [`super::EventRecord`] (court + match key), plus
//!   `match_events` (match key, seq) index, `matches`, `settings`, `settings_history`.

use super::{EventRecord, MatchRecord, StoreError, codec};
use crate::protocol::Event;
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use std::collections::HashMap;
use std::path::Path;

/// Current schema version written by this build.
pub const SCHEMA_VERSION: u64 = 2;

/// Layout of the match records' [`crate::match_state::MatchState`] (bincode has no field names,
/// so a field added to the state makes older records undecodable). Match records are derived
/// data, a fold of the match's stored events, so a store whose records have another layout has
/// them rebuilt from its events when it is opened. History: 1 (no `meta` key) until the match
/// state gained `tie` and `round_stats`; 2 since. (`winner` became an `Option<Athlete>` within
/// layout 2: it is still encoded as its colour name, the same bytes as the text it was.)
pub const MATCHES_LAYOUT: u64 = 2;

/// `meta` key of [`MATCHES_LAYOUT`].
const MATCHES_LAYOUT_KEY: &str = "matches_layout";

/// `meta`: "schema_version" → version; "matches_layout" → [`MATCHES_LAYOUT`].
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// `events`: sequence → encoded [`EventRecord`].
pub const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
/// `match_events`: (match key, sequence) → (). Lets a match's events be read in order.
pub const MATCH_EVENTS: TableDefinition<(u64, u64), ()> = TableDefinition::new("match_events");
/// `matches`: match key → encoded [`MatchRecord`].
pub const MATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("matches");
/// `settings`: key → encoded value text.
pub const SETTINGS: TableDefinition<&str, &[u8]> = TableDefinition::new("settings");
/// `settings_history`: change id → encoded [`super::SettingChange`].
pub const SETTINGS_HISTORY: TableDefinition<u64, &[u8]> = TableDefinition::new("settings_history");
/// `tournament` (issue 17; created on first use, so no schema version change): "store_id" → this
/// store's random id (names its datagrams on the tournament server); "cursor/<tournament>" →
/// the highest sequence the server acknowledged. Written only through the writer.
pub const TOURNAMENT: TableDefinition<&str, u64> = TableDefinition::new("tournament");

/// The v1 layout, kept so old stores can be migrated (and tests can make a v1 store).
pub mod v1 {
    use crate::protocol::Event;
    use serde::{Deserialize, Serialize};

    /// An event as schema v1 stored it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct EventRecordV1 {
        /// Sequence number.
        pub seq: u64,
        /// Receive time, Unix nanoseconds.
        pub received_at_ns: i64,
        /// Source address.
        pub source: String,
        /// Exact received bytes.
        pub raw: Vec<u8>,
        /// Parsed events.
        pub events: Vec<Event>,
    }

    /// Write a store in the v1 layout (for migration tests and fixtures).
    pub fn create_store(
        path: &std::path::Path,
        records: &[EventRecordV1],
    ) -> Result<(), super::StoreError> {
        let db = redb::Database::create(path)?;
        let txn = db.begin_write()?;
        {
            let mut events = txn.open_table(super::EVENTS)?;
            for r in records {
                events.insert(r.seq, super::codec::encode(r, "v1 event")?.as_slice())?;
            }
            txn.open_table(super::META)?
                .insert("schema_version", 1u64)?;
        }
        txn.commit()?;
        Ok(())
    }
}

/// Create the tables of the current schema in a new (empty) store.
pub fn create_current(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(EVENTS)?;
    txn.open_table(MATCH_EVENTS)?;
    txn.open_table(MATCHES)?;
    txn.open_table(SETTINGS)?;
    txn.open_table(SETTINGS_HISTORY)?;
    let mut meta = txn.open_table(META)?;
    meta.insert("schema_version", SCHEMA_VERSION)?;
    meta.insert(MATCHES_LAYOUT_KEY, MATCHES_LAYOUT)?;
    Ok(())
}

/// Read the schema version; `None` for a brand-new file with no tables.
pub fn read_version(txn: &WriteTransaction) -> Result<Option<u64>, StoreError> {
    let meta = txn.open_table(META)?;
    let v = meta.get("schema_version")?.map(|g| g.value());
    Ok(v)
}

/// Make the store at `path` (open in `txn`) current: create the tables of a new store, migrate
/// an older schema, refuse a newer one. On an error the caller drops `txn`, which leaves the file
/// exactly as it was.
pub(crate) fn prepare(txn: &WriteTransaction, path: &Path) -> Result<(), StoreError> {
    match read_version(txn)? {
        None => create_current(txn),
        Some(SCHEMA_VERSION) => ensure_matches_layout(txn),
        Some(found) if found > SCHEMA_VERSION => Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        }),
        Some(from) => {
            tracing::info!(from, to = SCHEMA_VERSION, "migrating store schema");
            migrate_v1_to_v2(txn)?;
            let mut meta = txn.open_table(META)?;
            meta.insert("schema_version", SCHEMA_VERSION)?;
            meta.insert(MATCHES_LAYOUT_KEY, MATCHES_LAYOUT)?;
            Ok(())
        }
    }
}

/// v1 → v2: rewrite every event with a court ("" — v1 knew no courts) and a match key (the
/// sequence of the `pre` that opened its match, or of the first event before any `pre`), and
/// build the match index and match records.
fn migrate_v1_to_v2(txn: &WriteTransaction) -> Result<(), StoreError> {
    let old: Vec<v1::EventRecordV1> = {
        let events = txn.open_table(EVENTS)?;
        let mut out = Vec::new();
        for item in events.iter()? {
            let (k, v) = item?;
            out.push(codec::decode_row(
                v.value(),
                "v1 event",
                "events",
                &k.value(),
            )?);
        }
        out
    };
    let mut events = txn.open_table(EVENTS)?;
    let mut index = txn.open_table(MATCH_EVENTS)?;
    let mut matches = txn.open_table(MATCHES)?;
    txn.open_table(SETTINGS)?;
    txn.open_table(SETTINGS_HISTORY)?;
    let mut open: HashMap<u64, MatchRecord> = HashMap::new();
    let mut current: Option<u64> = None;
    for rec in old {
        if current.is_none() || rec.events.iter().any(|e| matches!(e, Event::FightLoaded)) {
            current = Some(rec.seq);
        }
        let current_key = current.unwrap_or(rec.seq);
        let new = EventRecord {
            seq: rec.seq,
            received_at_ns: rec.received_at_ns,
            source: rec.source,
            court: String::new(),
            raw: rec.raw,
            events: rec.events,
            match_key: current_key,
        };
        events.insert(new.seq, codec::encode(&new, "event")?.as_slice())?;
        index.insert((current_key, new.seq), ())?;
        let m = open
            .entry(current_key)
            .or_insert_with(|| MatchRecord::start(&new));
        m.absorb(&new);
    }
    for (key, m) in open {
        matches.insert(key, codec::encode(&m, "match")?.as_slice())?;
    }
    Ok(())
}

/// Rebuild every match record from the stored events when they were written with another
/// [`MATCHES_LAYOUT`] (older or newer build): the events are the truth, the records a fold of
/// them, so nothing is lost and the rebuilt records equal what this build would have written.
fn ensure_matches_layout(txn: &WriteTransaction) -> Result<(), StoreError> {
    let found = txn
        .open_table(META)?
        .get(MATCHES_LAYOUT_KEY)?
        .map_or(1, |g| g.value());
    if found == MATCHES_LAYOUT {
        return Ok(());
    }
    tracing::info!(
        from = found,
        to = MATCHES_LAYOUT,
        "rebuilding match records"
    );
    let mut rebuilt: HashMap<u64, MatchRecord> = HashMap::new();
    {
        let events = txn.open_table(EVENTS)?;
        for item in events.iter()? {
            let (_, v) = item?;
            let rec: EventRecord = codec::decode(v.value(), "event")?;
            rebuilt
                .entry(rec.match_key)
                .or_insert_with(|| MatchRecord::start(&rec))
                .absorb(&rec);
        }
    }
    let mut matches = txn.open_table(MATCHES)?;
    matches.retain(|_, _| false)?;
    for (key, m) in rebuilt {
        matches.insert(key, codec::encode(&m, "match")?.as_slice())?;
    }
    txn.open_table(META)?
        .insert(MATCHES_LAYOUT_KEY, MATCHES_LAYOUT)?;
    Ok(())
}
