//! The durable store: redb tables for events, matches and settings (with history).
//!
//! Only the writer thread ([`writer`]) writes events; reads use their own read transactions and
//! never wait for it (redb is MVCC). Values are encoded only in [`codec`].

pub mod codec;
pub mod delete;
pub mod durable;
pub mod location;
pub mod lock;
mod match_list;
pub mod relocate;
pub mod schema;
mod settings;
pub mod writer;

pub use settings::{SettingChange, write_settings_op};
pub use writer::{WriteRequest, Writer, WriterConfig, WriterStats};

use crate::match_state::MatchState;
use crate::protocol::Event;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata};
use schema::{EVENTS, MATCH_EVENTS, MATCHES};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Errors of the store. Messages name the file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (or this one) already has the file open.
    #[error(
        "store {path} is already open in another courtside (or another program); close it first or choose another store with --db"
    )]
    AlreadyOpen {
        /// The store file.
        path: PathBuf,
    },
    /// The file could not be opened or created.
    #[error("cannot open store {path}: {cause}")]
    Open {
        /// The store file.
        path: PathBuf,
        /// What went wrong.
        cause: String,
    },
    /// There is no store at the path (for commands that only read one).
    #[error("no store at {path}: nothing has been recorded there; check --db")]
    Missing {
        /// The path that was given.
        path: PathBuf,
    },
    /// The store was written by a newer courtside.
    #[error(
        "store {path} has schema version {found}, newer than this courtside supports ({supported}); update courtside"
    )]
    NewerSchema {
        /// The store file.
        path: PathBuf,
        /// Version in the file.
        found: u64,
        /// Highest version this build knows.
        supported: u64,
    },
    /// A redb operation failed.
    #[error("store error: {0}")]
    Db(#[from] redb::Error),
    /// A stored value could not be encoded/decoded.
    #[error(transparent)]
    Codec(#[from] codec::CodecError),
    /// The writer thread is gone.
    #[error("store writer has stopped")]
    WriterGone,
    /// A value offered for storage was refused.
    #[error("invalid value for {key}: {reason}")]
    Invalid {
        /// Setting key.
        key: String,
        /// Why.
        reason: String,
    },
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// One received datagram as stored: receive time, source, exact bytes and what they parsed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Store-wide sequence number, increasing, starting at 1.
    pub seq: u64,
    /// Receive time, Unix nanoseconds (UTC).
    pub received_at_ns: i64,
    /// Source address (`ip:port`).
    pub source: String,
    /// Court (listener) name.
    pub court: String,
    /// The exact bytes received.
    pub raw: Vec<u8>,
    /// Parsed events (a paired datagram holds several).
    pub events: Vec<Event>,
    /// Key of the match this belongs to: the sequence of the `pre` that loaded it (0 = none).
    pub match_key: u64,
}

/// A borrowed [`EventRecord`] with exactly its encoding (serde writes a slice and a `Vec`, a `&str`
/// and a `String` alike), so the writer stores a datagram without copying its bytes first.
#[derive(Serialize)]
pub(crate) struct EventRecordRef<'a> {
    pub(crate) seq: u64,
    pub(crate) received_at_ns: i64,
    pub(crate) source: &'a str,
    pub(crate) court: &'a str,
    pub(crate) raw: &'a [u8],
    pub(crate) events: &'a [Event],
    pub(crate) match_key: u64,
}

impl<'a> EventRecordRef<'a> {
    /// Borrow a record for encoding.
    pub(crate) fn of(r: &'a EventRecord) -> Self {
        EventRecordRef {
            seq: r.seq,
            received_at_ns: r.received_at_ns,
            source: &r.source,
            court: &r.court,
            raw: &r.raw,
            events: &r.events,
            match_key: r.match_key,
        }
    }
}

/// A match: from its `pre` to the next `pre` on the same court.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchRecord {
    /// Match key (sequence of the `pre`, 0 for events before any `pre`).
    pub key: u64,
    /// Court name.
    pub court: String,
    /// First event time, Unix ns.
    pub started_at_ns: i64,
    /// Latest event time, Unix ns.
    pub last_event_at_ns: i64,
    /// When a winner was declared, Unix ns.
    pub ended_at_ns: Option<i64>,
    /// Number of datagrams.
    pub event_count: u64,
    /// State after the latest event (config, athletes, scores; the final state once ended).
    pub state: MatchState,
}

impl MatchRecord {
    /// A new match record starting with `rec`.
    pub fn start(rec: &EventRecord) -> MatchRecord {
        MatchRecord::start_at(rec.match_key, &rec.court, rec.received_at_ns)
    }

    /// A new match record with key `key` on `court`, starting at `at_ns`.
    pub fn start_at(key: u64, court: &str, at_ns: i64) -> MatchRecord {
        MatchRecord {
            key,
            court: court.to_string(),
            started_at_ns: at_ns,
            last_event_at_ns: at_ns,
            ended_at_ns: None,
            event_count: 0,
            state: MatchState::new(),
        }
    }

    /// Fold one stored datagram into the record.
    pub fn absorb(&mut self, rec: &EventRecord) {
        self.absorb_events(&rec.events, rec.received_at_ns);
    }

    /// Fold the events of one datagram received at `at_ns` into the record.
    pub fn absorb_events(&mut self, events: &[Event], at_ns: i64) {
        for e in events {
            self.state.apply(e);
            if e.ends_match() && self.ended_at_ns.is_none() {
                self.ended_at_ns = Some(at_ns);
            }
        }
        self.event_count += 1;
        self.last_event_at_ns = at_ns;
    }
}

/// Counts for status displays.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Stored datagrams.
    pub events: u64,
    /// Stored matches.
    pub matches: u64,
    /// Highest sequence number (0 when empty).
    pub last_seq: u64,
}

/// An open store. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    path: PathBuf,
}

/// redb's page cache (read cache and write buffer together). Its default (1 GiB) keeps every page
/// the writer ever wrote, so the app's memory grew with the store (~140 bytes per datagram: 354 MB
/// on a 1 M-event store). Reads are mostly of recent pages (the live match) and the OS caches the
/// file anyway; the app's one big read, loading a match into the event table, goes through every
/// page once and gains nothing from a cache (it filled 12 MiB on a 1 M-event match). 4, 12 and 24
/// MiB gave the same ingest rate (interleaved runs of `cargo bench --bench spine -- ingest`:
/// 4 MiB 0.73/0.67/0.68, 12 MiB 0.67/0.70/0.55 of a bare receive loop).
pub const CACHE_BYTES: usize = 4 * 1024 * 1024;

impl Store {
    /// Open (or create) the store at `path`, migrating an older schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                cause: format!("cannot create folder {}: {e}", dir.display()),
            })?;
        }
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::AlreadyOpen {
                path: path.to_path_buf(),
            },
            redb::DatabaseError::Storage(redb::StorageError::Io(io))
                if io.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                // The store is always opened for writing (ingest, settings, migrations), so a
                // read-only file or folder cannot be used: say so instead of a bare errno.
                StoreError::Open {
                    path: path.to_path_buf(),
                    cause: format!(
                        "the file (or its folder) is read-only or not writable by this user, and \
                         courtside must write to its store; make it writable or choose another \
                         store with --db ({io})"
                    ),
                }
            }
            other => StoreError::Open {
                path: path.to_path_buf(),
                cause: other.to_string(),
            },
        })?;
        let txn = db.begin_write()?;
        schema::prepare(&txn, path)?;
        txn.commit()?;
        Ok(Store {
            db: Arc::new(db),
            path: path.to_path_buf(),
        })
    }

    /// Open an existing store; a missing file is an error instead of a new empty store (for
    /// commands that only read, where a mistyped `--db` must not look like an empty store).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open(path)
    }

    /// The schema version recorded in the store.
    pub fn schema_version(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(schema::META)?;
        let v = meta.get("schema_version")?.map_or(0, |g| g.value());
        Ok(v)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn db(&self) -> &Arc<Database> {
        &self.db
    }

    /// Counts of events and matches.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let txn = self.db.begin_read()?;
        let events = txn.open_table(EVENTS)?;
        let matches = txn.open_table(MATCHES)?;
        let last_seq = events.last()?.map(|(k, _)| k.value()).unwrap_or(0);
        Ok(StoreStats {
            events: events.len()?,
            matches: matches.len()?,
            last_seq,
        })
    }

    /// One event by sequence number.
    pub fn event(&self, seq: u64) -> Result<Option<EventRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let events = txn.open_table(EVENTS)?;
        let rec = match events.get(seq)? {
            Some(v) => Some(codec::decode_row(v.value(), "event", "events", &seq)?),
            None => None,
        };
        Ok(rec)
    }

    /// The events with these sequence numbers (those that exist), in one read transaction.
    pub fn events_by_seq(&self, seqs: &[u64]) -> Result<Vec<EventRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let events = txn.open_table(EVENTS)?;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            if let Some(v) = events.get(*seq)? {
                out.push(codec::decode_row(v.value(), "event", "events", seq)?);
            }
        }
        Ok(out)
    }

    /// Up to `limit` events with sequence ≥ `from_seq`, in order (a page of the event table).
    pub fn events_page(&self, from_seq: u64, limit: usize) -> Result<Vec<EventRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let events = txn.open_table(EVENTS)?;
        let mut out = Vec::with_capacity(limit.min(4096));
        for item in events.range(from_seq..)?.take(limit) {
            let (k, v) = item?;
            out.push(codec::decode_row(v.value(), "event", "events", &k.value())?);
        }
        Ok(out)
    }

    /// Up to `limit` events of one match with sequence ≥ `from_seq`, in order.
    pub fn match_events_page(
        &self,
        match_key: u64,
        from_seq: u64,
        limit: usize,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let index = txn.open_table(MATCH_EVENTS)?;
        let events = txn.open_table(EVENTS)?;
        let mut out = Vec::with_capacity(limit.min(4096));
        for item in index
            .range((match_key, from_seq)..=(match_key, u64::MAX))?
            .take(limit)
        {
            let (k, _) = item?;
            let seq = k.value().1;
            if let Some(v) = events.get(seq)? {
                out.push(codec::decode_row(v.value(), "event", "events", &seq)?);
            }
        }
        Ok(out)
    }

    /// Every event of one match, in order.
    pub fn match_events(&self, match_key: u64) -> Result<Vec<EventRecord>, StoreError> {
        self.match_events_page(match_key, 0, usize::MAX)
    }

    /// Number of datagrams stored for a match.
    pub fn match_event_count(&self, match_key: u64) -> Result<u64, StoreError> {
        Ok(self.match_record(match_key)?.map_or(0, |m| m.event_count))
    }

    /// Rebuild a match's live state by replaying its stored events (the restart path).
    pub fn rebuild_state(&self, match_key: u64) -> Result<MatchState, StoreError> {
        let mut state = MatchState::new();
        let mut from = 0;
        loop {
            let page = self.match_events_page(match_key, from, 4096)?;
            let Some(last) = page.last() else { break };
            from = last.seq + 1;
            for rec in &page {
                for e in &rec.events {
                    state.apply(e);
                }
            }
        }
        Ok(state)
    }
}
