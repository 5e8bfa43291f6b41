//! Whole-store backup and restore.
//!
//! Backup: one redb read transaction is a consistent snapshot (MVCC) that the writer never
//! waits for, so ingest keeps committing while the snapshot is copied table by table into a new
//! redb file (written as `*.partial`, renamed when complete). Every table must be known here:
//! redb cannot copy a table without its key/value types, so an unknown table fails the backup
//! loudly instead of being skipped. A module that adds a table adds one line to
//! [`copy_known_table`].
//!
//! Restore: the backup is copied, opened (an older schema is migrated in the copy) and checked
//! table by table ([`validate`]), then staged beside the store as `<store>.restore`;
//! [`apply_pending_restore`], called at start before the store is opened, swaps it in while
//! holding the store's lock and keeps the old file as `<store>.before-restore-<time>`. A
//! courtside still running on the store (the app or `courtside listen`) holds that lock: the swap
//! waits a little, then refuses and leaves both files as they were (renaming a store under a
//! running process would send its next events into the kept file).

pub mod validate;

use crate::store::durable::{remove_leftover, sibling, sync_file, sync_parent};
use crate::store::lock::{StoreInUse, lock_store};
use crate::store::schema::{EVENTS, MATCH_EVENTS, MATCHES, META, SETTINGS, SETTINGS_HISTORY};
use crate::store::{Store, StoreError};
use redb::{
    Database, Key, MultimapTableHandle, ReadTransaction, ReadableDatabase, TableDefinition,
    TableHandle, Value,
};
use redb::{ReadableTable, WriteTransaction};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Backup or restore failed. Messages name the file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The store holds a table this build does not know how to copy.
    #[error("cannot back up table '{0}': this courtside does not know its layout")]
    UnknownTable(String),
    /// File system trouble.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: String,
    },
    /// The file is not a usable courtside store.
    #[error("{path} is not a usable courtside store: {cause}")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: String,
    },
    /// The target exists already.
    #[error("{0} exists already; choose another file name")]
    Exists(PathBuf),
    /// A store operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another courtside has the store open, so it cannot be swapped now.
    #[error("the staged restore waits: {0}; it is applied at the next start after that")]
    InUse(#[from] StoreInUse),
}

impl From<redb::Error> for BackupError {
    fn from(e: redb::Error) -> Self {
        BackupError::Store(StoreError::Db(e))
    }
}

macro_rules! from_redb_backup {
    ($($t:ty),*) => {$(
        impl From<$t> for BackupError {
            fn from(e: $t) -> Self {
                BackupError::Store(StoreError::Db(e.into()))
            }
        }
    )*};
}
from_redb_backup!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// What a backup copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Tables copied, with their row counts.
    pub tables: Vec<(String, u64)>,
    /// Highest event sequence in the snapshot (every event up to it is in the backup).
    pub last_seq: u64,
    /// Size of the backup file, bytes.
    pub bytes: u64,
    /// How long it took.
    pub took: Duration,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> BackupError {
    BackupError::Io {
        path: path.to_path_buf(),
        cause: e.to_string(),
    }
}

/// Back up the whole store to a new file `target` while the writer keeps running.
pub fn backup(store: &Store, target: &Path) -> Result<BackupSummary, BackupError> {
    backup_with(store, target, &mut |_| {})
}

/// [`backup`], calling `after_table` with each table name once it is copied (progress; tests use
/// it to prove ingest commits while the snapshot is being copied).
pub fn backup_with(
    store: &Store,
    target: &Path,
    after_table: &mut dyn FnMut(&str),
) -> Result<BackupSummary, BackupError> {
    let started = Instant::now();
    if target.exists() {
        return Err(BackupError::Exists(target.to_path_buf()));
    }
    // The snapshot: everything committed before this line, nothing after.
    let snapshot = store.db().begin_read()?;
    if let Some(t) = snapshot.list_multimap_tables()?.next() {
        return Err(BackupError::UnknownTable(t.name().to_string()));
    }
    let names: Vec<String> = snapshot
        .list_tables()?
        .map(|t| t.name().to_string())
        .collect();
    let partial = target.with_extension("partial");
    // A partial copy left by an earlier, interrupted backup.
    remove_leftover(&partial);
    let result = (|| {
        let db = Database::create(&partial).map_err(|e| io_err(&partial, e))?;
        let txn = db.begin_write()?;
        let mut tables = Vec::new();
        for name in &names {
            let rows = copy_known_table(name, &snapshot, &txn)?
                .ok_or_else(|| BackupError::UnknownTable(name.clone()))?;
            tables.push((name.clone(), rows));
            after_table(name);
        }
        txn.commit()?;
        Ok::<_, BackupError>(tables)
    })();
    let tables = match result {
        Ok(t) => t,
        Err(e) => {
            remove_leftover(&partial);
            return Err(e);
        }
    };
    let last_seq = {
        let events = snapshot.open_table(EVENTS)?;
        events.last()?.map_or(0, |(k, _)| k.value())
    };
    drop(snapshot);
    std::fs::rename(&partial, target).map_err(|e| io_err(target, e))?;
    let bytes = std::fs::metadata(target).map_or(0, |m| m.len());
    tracing::info!(
        target = %target.display(),
        last_seq,
        bytes,
        "store backed up"
    );
    Ok(BackupSummary {
        tables,
        last_seq,
        bytes,
        took: started.elapsed(),
    })
}

/// Copy one table by name; `None` when the name is unknown.
fn copy_known_table(
    name: &str,
    src: &ReadTransaction,
    dst: &WriteTransaction,
) -> Result<Option<u64>, BackupError> {
    const AUTH: TableDefinition<&str, &[u8]> = crate::advanced::AUTH;
    const LICENSE: TableDefinition<&str, &[u8]> = crate::license::LICENSE_TABLE;
    use crate::flags::store as flags;
    use crate::obs::store as obs;
    let n = match name {
        n if n == META.name() => copy(src, dst, META)?,
        n if n == EVENTS.name() => copy(src, dst, EVENTS)?,
        n if n == MATCH_EVENTS.name() => copy(src, dst, MATCH_EVENTS)?,
        n if n == MATCHES.name() => copy(src, dst, MATCHES)?,
        n if n == SETTINGS.name() => copy(src, dst, SETTINGS)?,
        n if n == SETTINGS_HISTORY.name() => copy(src, dst, SETTINGS_HISTORY)?,
        n if n == AUTH.name() => copy(src, dst, AUTH)?,
        n if n == LICENSE.name() => copy(src, dst, LICENSE)?,
        n if n == obs::CONNECTIONS.name() => copy(src, dst, obs::CONNECTIONS)?,
        n if n == obs::RULES.name() => copy(src, dst, obs::RULES)?,
        n if n == obs::META.name() => copy(src, dst, obs::META)?,
        n if n == obs::FIRINGS.name() => copy(src, dst, obs::FIRINGS)?,
        n if n == flags::FLAG_IMPORTS.name() => copy(src, dst, flags::FLAG_IMPORTS)?,
        n if n == flags::FLAG_IMAGES.name() => copy(src, dst, flags::FLAG_IMAGES)?,
        n if n == flags::FLAG_MAPPING.name() => copy(src, dst, flags::FLAG_MAPPING)?,
        n if n == flags::FLAG_MAPPING_HISTORY.name() => {
            copy(src, dst, flags::FLAG_MAPPING_HISTORY)?
        }
        _ => return Ok(None),
    };
    Ok(Some(n))
}

fn copy<K: Key + 'static, V: Value + 'static>(
    src: &ReadTransaction,
    dst: &WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<u64, BackupError> {
    let from = src.open_table(def)?;
    let mut to = dst.open_table(def)?;
    let mut n = 0;
    for item in from.iter()? {
        let (k, v) = item?;
        to.insert(k.value(), v.value())?;
        n += 1;
    }
    Ok(n)
}

/// Where a staged restore waits for the next start.
pub fn staged_restore_path(store_path: &Path) -> PathBuf {
    sibling(store_path, ".restore")
}

/// Check that `backup_file` is a usable store, table by table, and stage it to replace the store
/// at `store_path` on the next start. The running store is not touched; a backup that fails a
/// check is refused with the table and the reason, and nothing is staged.
pub fn stage_restore(backup_file: &Path, store_path: &Path) -> Result<PathBuf, BackupError> {
    let staged = staged_restore_path(store_path);
    let tmp = sibling(store_path, ".restore-partial");
    // A partial copy left by an earlier, interrupted restore.
    remove_leftover(&tmp);
    let refuse = |cause: String| {
        remove_leftover(&tmp);
        BackupError::NotAStore {
            path: backup_file.to_path_buf(),
            cause,
        }
    };
    std::fs::copy(backup_file, &tmp).map_err(|e| io_err(backup_file, e))?;
    // Opening migrates an older schema in the copy, never in the original.
    let checked = match Store::open(&tmp) {
        Ok(copy) => validate::check_store(&copy).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let checked = checked.map_err(refuse)?;
    (|| {
        sync_file(&tmp)?;
        std::fs::rename(&tmp, &staged)?;
        sync_parent(&staged)
    })()
    .map_err(|e| {
        remove_leftover(&tmp);
        io_err(&staged, e)
    })?;
    tracing::info!(
        backup = %backup_file.display(),
        tables = ?checked.tables,
        "restore checked and staged for the next start"
    );
    Ok(staged)
}

/// How long a start waits for another courtside to let go of the store before the staged
/// restore is left for a later start.
pub const RESTORE_WAIT: Duration = Duration::from_secs(3);

/// At start, before opening the store: swap in a staged restore. Returns where the previous
/// store was kept, or `None` when nothing was staged.
pub fn apply_pending_restore(store_path: &Path) -> Result<Option<PathBuf>, BackupError> {
    apply_pending_restore_within(store_path, RESTORE_WAIT)
}

/// [`apply_pending_restore`], waiting up to `wait` for the store's lock. The swap happens only
/// while the lock of the current store is held: the staged file is synced, the store renamed to
/// its kept name, the staged file renamed into its place, and the folder synced.
pub fn apply_pending_restore_within(
    store_path: &Path,
    wait: Duration,
) -> Result<Option<PathBuf>, BackupError> {
    let staged = staged_restore_path(store_path);
    if !staged.exists() {
        return Ok(None);
    }
    let lock = lock_store(store_path, wait)?;
    if let Some(why) = &lock.unreadable {
        tracing::warn!(store = %store_path.display(), "replacing a store that does not open: {why}");
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let kept = sibling(store_path, &format!(".before-restore-{stamp}"));
    sync_file(&staged).map_err(|e| io_err(&staged, e))?;
    if store_path.exists() {
        std::fs::rename(store_path, &kept).map_err(|e| io_err(store_path, e))?;
    }
    if let Err(e) = std::fs::rename(&staged, store_path) {
        // Put the store back: the operator must never be left without one.
        if let Err(back) = std::fs::rename(&kept, store_path) {
            tracing::error!(
                kept = %kept.display(),
                store = %store_path.display(),
                "cannot put the store back after a failed restore, rename it by hand: {back}"
            );
        }
        return Err(io_err(&staged, e));
    }
    sync_parent(store_path).map_err(|e| io_err(store_path, e))?;
    drop(lock);
    tracing::info!(previous = %kept.display(), "restored store from backup");
    Ok(Some(kept))
}
