//! OBS tables in the courtside store: connections (with a reference to the system credential
//! store for their passwords, or the password itself where none is reachable), automation rules,
//! the master pause and the automation log.
//!
//! Writes are [`WriteRequest::Apply`] operations run by the store's single writer thread; reads use
//! their own read transactions. A table that was never written reads as empty (rules: as "never
//! saved", so the defaults apply). Every value goes through [`crate::store::codec`].

use super::config::{ObsConnection, decode_stored, validate_all};
use super::rules::{Rule, check_loaded, default_rules, migrate_for_review};
use super::status::FiringRecord;
use crate::store::{Store, StoreError, WriteRequest, codec};
use crossbeam_channel::Sender;
use redb::{ReadOnlyTable, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

/// `obs_connections`: connection id → encoded [`ObsConnection`].
pub const CONNECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("obs_connections");
/// `obs_rules`: position → encoded [`Rule`] (the whole set is replaced on save).
pub const RULES: TableDefinition<u64, &[u8]> = TableDefinition::new("obs_rules");
/// `obs_meta`: key → encoded value (`automation_paused` → bool).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("obs_meta");
/// `obs_firings`: log id → encoded [`FiringRecord`].
pub const FIRINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("obs_firings");

const PAUSED_KEY: &str = "automation_paused";
/// Set (true) with every rule save since the review actions exist: a stored set without it is
/// updated once for them ([`migrate_for_review`]).
const REVIEW_RULES_KEY: &str = "rules_have_review_actions";

/// Where the writer reports the outcome of an operation.
pub type Ack = Option<Sender<Result<(), String>>>;

fn apply(
    what: &'static str,
    ack: Ack,
    op: impl FnOnce(&WriteTransaction) -> Result<(), StoreError> + Send + 'static,
) -> WriteRequest {
    WriteRequest::Apply {
        what,
        op: Box::new(op),
        ack,
    }
}

/// Add or replace a connection (by id). The writer refuses an invalid entry or a name another
/// connection already has, with a message naming it; nothing else changes then.
pub fn save_connection(conn: ObsConnection, ack: Ack) -> WriteRequest {
    apply("OBS connection", ack, move |txn| {
        let mut table = txn.open_table(CONNECTIONS)?;
        let mut all = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            if k.value() != conn.id {
                all.push(decode_stored(v.value())?);
            }
        }
        all.push(conn.clone());
        validate_all(&all).map_err(|e| invalid("OBS connection", e))?;
        table.insert(conn.id, codec::encode(&conn, "OBS connection")?.as_slice())?;
        Ok(())
    })
}

/// Delete a connection (no error when it is already gone).
pub fn delete_connection(id: u64, ack: Ack) -> WriteRequest {
    apply("OBS connection", ack, move |txn| {
        txn.open_table(CONNECTIONS)?.remove(id)?;
        Ok(())
    })
}

/// Replace the whole rule set (order kept). Refused, unchanged, if any rule is invalid.
pub fn save_rules(rules: Vec<Rule>, ack: Ack) -> WriteRequest {
    apply("automation rules", ack, move |txn| {
        for r in &rules {
            r.validate().map_err(|e| invalid("automation rule", e))?;
        }
        let mut table = txn.open_table(RULES)?;
        table.retain(|_, _| false)?;
        for (i, r) in rules.iter().enumerate() {
            table.insert(i as u64, codec::encode(r, "automation rule")?.as_slice())?;
        }
        let mark = codec::encode(&true, "automation rules mark")?;
        txn.open_table(META)?
            .insert(REVIEW_RULES_KEY, mark.as_slice())?;
        Ok(())
    })
}

/// Set the automation master pause.
pub fn save_paused(paused: bool, ack: Ack) -> WriteRequest {
    apply("automation pause", ack, move |txn| {
        let bytes = codec::encode(&paused, "automation pause")?;
        txn.open_table(META)?.insert(PAUSED_KEY, bytes.as_slice())?;
        Ok(())
    })
}

/// Append an automation firing to the log (its id is assigned here).
pub fn log_firing(mut record: FiringRecord) -> WriteRequest {
    apply("automation log", None, move |txn| {
        let mut table = txn.open_table(FIRINGS)?;
        record.id = table.last()?.map_or(1, |(k, _)| k.value() + 1);
        table.insert(
            record.id,
            codec::encode(&record, "automation log")?.as_slice(),
        )?;
        Ok(())
    })
}

fn invalid(key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid {
        key: key.into(),
        reason: e.to_string(),
    }
}

/// Open a table for reading; `None` when it was never created.
fn open_read<K: redb::Key + 'static, V: redb::Value + 'static>(
    store: &Store,
    def: TableDefinition<K, V>,
) -> Result<Option<ReadOnlyTable<K, V>>, StoreError> {
    let txn = store.db().begin_read()?;
    match txn.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Decode every value of a `u64`-keyed table in key order (or reverse), at most `limit`.
fn read_all<T: serde::de::DeserializeOwned>(
    store: &Store,
    def: TableDefinition<u64, &[u8]>,
    what: &'static str,
    newest_first: bool,
    limit: usize,
) -> Result<Option<Vec<T>>, StoreError> {
    let Some(table) = open_read(store, def)? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    let iter = table.iter()?;
    let items: Box<dyn Iterator<Item = _>> = if newest_first {
        Box::new(iter.rev())
    } else {
        Box::new(iter)
    };
    for item in items.take(limit) {
        let (_, v) = item?;
        out.push(codec::decode(v.value(), what)?);
    }
    Ok(Some(out))
}

/// Every saved connection, by id. A connection stored before passwords moved to the system
/// credential store comes back with its clear-text password in `password` and no `keyring`
/// reference (the app then moves it, see [`super::secrets`]).
pub fn load_connections(store: &Store) -> Result<Vec<ObsConnection>, StoreError> {
    let Some(table) = open_read(store, CONNECTIONS)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in table.iter()? {
        let (_, v) = item?;
        out.push(decode_stored(v.value())?);
    }
    Ok(out)
}

/// The saved rule set, or `None` when rules were never saved.
pub fn saved_rules(store: &Store) -> Result<Option<Vec<Rule>>, StoreError> {
    read_all(store, RULES, "automation rule", false, usize::MAX)
}

/// The rule set in force: the saved one, or [`default_rules`] on a store that never saved any.
/// Each stored rule is checked again ([`check_loaded`]): a crafted or older store can hold a
/// delay that would overflow the clock, or a rule that cannot run.
pub fn load_rules(store: &Store) -> Result<Vec<Rule>, StoreError> {
    Ok(load_rules_checked(store)?.0)
}

/// [`load_rules`], with a message for each stored rule that was changed (clamped delay, switched
/// off, unusable file name, updated for the review actions) for the operator's notices.
pub fn load_rules_checked(store: &Store) -> Result<(Vec<Rule>, Vec<String>), StoreError> {
    let loaded = load_rules_for_start(store)?;
    let mut problems = loaded.problems;
    problems.extend(loaded.migrated);
    Ok((loaded.rules, problems))
}

/// The rule set in force, as the app starts with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StartRules {
    /// The rules.
    pub rules: Vec<Rule>,
    /// Stored rules changed by their check ([`check_loaded`]).
    pub problems: Vec<String>,
    /// Changes made to a set stored before the review actions ([`migrate_for_review`]); not
    /// empty: save `rules` back (with [`save_rules`]) so it happens once.
    pub migrated: Vec<String>,
}

/// [`load_rules_checked`], keeping the review update apart so the app can store it.
pub fn load_rules_for_start(store: &Store) -> Result<StartRules, StoreError> {
    let Some(saved) = saved_rules(store)? else {
        return Ok(StartRules {
            rules: default_rules(),
            problems: Vec::new(),
            migrated: Vec::new(),
        });
    };
    let (saved, migrated) = if review_mark(store)? {
        (saved, Vec::new())
    } else {
        migrate_for_review(saved)
    };
    let mut problems = Vec::new();
    let rules = saved
        .into_iter()
        .map(|r| {
            let checked = check_loaded(r);
            problems.extend(checked.problems);
            checked.rule
        })
        .collect();
    Ok(StartRules {
        rules,
        problems,
        migrated,
    })
}

/// Whether the stored rules were saved since the review actions exist.
fn review_mark(store: &Store) -> Result<bool, StoreError> {
    let Some(table) = open_read(store, META)? else {
        return Ok(false);
    };
    match table.get(REVIEW_RULES_KEY)? {
        Some(v) => Ok(codec::decode(v.value(), "automation rules mark")?),
        None => Ok(false),
    }
}

/// Whether automation is paused (false when never set).
pub fn load_paused(store: &Store) -> Result<bool, StoreError> {
    let Some(table) = open_read(store, META)? else {
        return Ok(false);
    };
    match table.get(PAUSED_KEY)? {
        Some(v) => Ok(codec::decode(v.value(), "automation pause")?),
        None => Ok(false),
    }
}

/// The latest `limit` automation firings, newest first.
pub fn load_firings(store: &Store, limit: usize) -> Result<Vec<FiringRecord>, StoreError> {
    Ok(read_all(store, FIRINGS, "automation log", true, limit)?.unwrap_or_default())
}
