//! The flags' redb tables: imported flags (metadata + original bytes) and the code mapping with
//! its history.
//!
//! Writes are [`WriteOp`]s run by the store writer thread (`WriteRequest::Apply`); the tables are
//! created by the first write, so a store that never saw a flag reads as empty. Metadata is
//! encoded only through [`codec`]; the image bytes are stored as received, unencoded, so an
//! export gives back exactly the file that was imported.

use super::FlagsError;
use crate::store::writer::WriteOp;
use crate::store::{Store, StoreError, WriteRequest, codec};
use crossbeam_channel::{Sender, bounded};
use redb::{
    ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition,
    WriteTransaction,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `flag_imports`: code → encoded [`ImportedFlagMeta`].
pub const FLAG_IMPORTS: TableDefinition<&str, &[u8]> = TableDefinition::new("flag_imports");
/// `flag_import_images`: code → the imported file's bytes, as received.
pub const FLAG_IMAGES: TableDefinition<&str, &[u8]> = TableDefinition::new("flag_import_images");
/// `flag_mapping`: received code → encoded [`MappingEntry`].
pub const FLAG_MAPPING: TableDefinition<&str, &[u8]> = TableDefinition::new("flag_mapping");
/// `flag_mapping_history`: change id → encoded [`MappingChange`].
pub const FLAG_MAPPING_HISTORY: TableDefinition<u64, &[u8]> =
    TableDefinition::new("flag_mapping_history");

/// Image format of an imported flag (from its content, not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// SVG.
    Svg,
}

impl ImageFormat {
    /// File extension used on export.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Svg => "svg",
        }
    }
}

/// What is known about an imported flag besides its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedFlagMeta {
    /// The code it is the flag of (upper case).
    pub code: String,
    /// File name it was imported from.
    pub source_name: String,
    /// Format of the bytes.
    pub format: ImageFormat,
    /// Size of the file, bytes.
    pub bytes: u64,
    /// Pixel size (SVG: its nominal size).
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// When it was imported, Unix ns.
    pub imported_at_ns: i64,
}

/// An imported flag with its original bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFlag {
    /// Metadata.
    pub meta: ImportedFlagMeta,
    /// The file as imported.
    pub data: Arc<[u8]>,
}

/// The current mapping of one received code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingEntry {
    /// IOC (or imported) code to show the flag of.
    pub to: String,
    /// When it was set, Unix ns.
    pub at_ns: i64,
    /// Who set it ("ui", "cli").
    pub source: String,
}

/// One change of the mapping, for the history view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingChange {
    /// Increasing change id.
    pub id: u64,
    /// Received code.
    pub from: String,
    /// Target before (None: unmapped).
    pub old: Option<String>,
    /// Target after (None: mapping removed).
    pub new: Option<String>,
    /// When, Unix ns.
    pub at_ns: i64,
    /// Who ("ui", "cli").
    pub source: String,
}

/// Open a table for reading; a table never created reads as `None` (= empty).
fn open_ro<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &ReadTransaction,
    def: TableDefinition<K, V>,
) -> Result<Option<ReadOnlyTable<K, V>>, StoreError> {
    match txn.open_table(def) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Metadata of every imported flag, by code.
pub fn imported_meta(store: &Store) -> Result<Vec<ImportedFlagMeta>, StoreError> {
    let txn = store.db().begin_read()?;
    let Some(table) = open_ro(&txn, FLAG_IMPORTS)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in table.iter()? {
        let (_, v) = item?;
        out.push(codec::decode(v.value(), "imported flag")?);
    }
    Ok(out)
}

/// Every imported flag with its bytes, by code.
pub fn imported_flags(store: &Store) -> Result<BTreeMap<String, ImportedFlag>, StoreError> {
    let txn = store.db().begin_read()?;
    let (Some(meta), Some(images)) = (open_ro(&txn, FLAG_IMPORTS)?, open_ro(&txn, FLAG_IMAGES)?)
    else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for item in meta.iter()? {
        let (k, v) = item?;
        let meta: ImportedFlagMeta = codec::decode(v.value(), "imported flag")?;
        // Both rows are written in one transaction; a missing image would be a bug, not data.
        if let Some(data) = images.get(k.value())? {
            let data: Arc<[u8]> = Arc::from(data.value());
            out.insert(meta.code.clone(), ImportedFlag { meta, data });
        }
    }
    Ok(out)
}

/// The mapping: received code → target code.
pub fn mapping(store: &Store) -> Result<BTreeMap<String, String>, StoreError> {
    let txn = store.db().begin_read()?;
    let Some(table) = open_ro(&txn, FLAG_MAPPING)? else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for item in table.iter()? {
        let (k, v) = item?;
        let entry: MappingEntry = codec::decode(v.value(), "flag mapping")?;
        out.insert(k.value().to_string(), entry.to);
    }
    Ok(out)
}

/// The latest `limit` mapping changes, newest first.
pub fn mapping_history(store: &Store, limit: usize) -> Result<Vec<MappingChange>, StoreError> {
    let txn = store.db().begin_read()?;
    let Some(table) = open_ro(&txn, FLAG_MAPPING_HISTORY)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in table.iter()?.rev().take(limit) {
        let (_, v) = item?;
        out.push(codec::decode(v.value(), "flag mapping change")?);
    }
    Ok(out)
}

/// A write that stores (or replaces) imported flags, all in one transaction.
pub fn put_flags_op(flags: Vec<ImportedFlag>) -> WriteOp {
    Box::new(move |txn: &WriteTransaction| {
        let mut meta = txn.open_table(FLAG_IMPORTS)?;
        let mut images = txn.open_table(FLAG_IMAGES)?;
        for f in &flags {
            let code = f.meta.code.as_str();
            meta.insert(code, codec::encode(&f.meta, "imported flag")?.as_slice())?;
            images.insert(code, &*f.data)?;
        }
        Ok(())
    })
}

/// A write that removes the imported flag of `code` (back to the built-in one).
pub fn revert_op(code: String) -> WriteOp {
    Box::new(move |txn: &WriteTransaction| {
        txn.open_table(FLAG_IMPORTS)?.remove(code.as_str())?;
        txn.open_table(FLAG_IMAGES)?.remove(code.as_str())?;
        Ok(())
    })
}

/// A write that maps `from` to `to` (`None` removes the mapping), recording the change.
pub fn set_mapping_op(from: String, to: Option<String>, source: String, at_ns: i64) -> WriteOp {
    Box::new(move |txn: &WriteTransaction| {
        let mut table = txn.open_table(FLAG_MAPPING)?;
        let old: Option<MappingEntry> = match table.get(from.as_str())? {
            Some(g) => Some(codec::decode(g.value(), "flag mapping")?),
            None => None,
        };
        let old = old.map(|e| e.to);
        if old == to {
            return Ok(());
        }
        match &to {
            Some(target) => {
                let entry = MappingEntry {
                    to: target.clone(),
                    at_ns,
                    source: source.clone(),
                };
                table.insert(
                    from.as_str(),
                    codec::encode(&entry, "flag mapping")?.as_slice(),
                )?;
            }
            None => {
                table.remove(from.as_str())?;
            }
        }
        let mut history = txn.open_table(FLAG_MAPPING_HISTORY)?;
        let id = history.last()?.map_or(1, |(k, _)| k.value() + 1);
        let change = MappingChange {
            id,
            from,
            old,
            new: to,
            at_ns,
            source,
        };
        history.insert(
            id,
            codec::encode(&change, "flag mapping change")?.as_slice(),
        )?;
        Ok(())
    })
}

/// Queue `op` on the writer and wait for its outcome. Blocks: for workers and the CLI only.
pub fn apply_and_wait(
    writer: &Sender<WriteRequest>,
    what: &str,
    op: WriteOp,
) -> Result<(), FlagsError> {
    let (ack, done) = bounded(1);
    let gone = || FlagsError::WriterGone {
        what: what.to_string(),
    };
    writer
        .send(WriteRequest::Apply {
            what: "flags",
            op,
            ack: Some(ack),
        })
        .map_err(|_| gone())?;
    done.recv()
        .map_err(|_| gone())?
        .map_err(|cause| FlagsError::Write {
            what: what.to_string(),
            cause,
        })
}

/// A country code seen in the store's matches (athletes loaded by the scoring system).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenCode {
    /// The code as received (trimmed, upper case).
    pub code: String,
    /// Latest match event with it, Unix ns.
    pub last_seen_ns: i64,
    /// Athlete names seen with it, latest match first (at most 4, for the missing-flags list).
    pub athletes: Vec<String>,
}

/// Country codes of the athletes of every stored match, most recently seen first.
pub fn seen_codes(store: &Store) -> Result<Vec<SeenCode>, StoreError> {
    let mut by_code: BTreeMap<String, SeenCode> = BTreeMap::new();
    for m in store.matches()? {
        for side in [&m.state.blue, &m.state.red] {
            let code = side.country.trim().to_ascii_uppercase();
            if code.is_empty() {
                continue;
            }
            let seen = by_code.entry(code.clone()).or_insert_with(|| SeenCode {
                code,
                last_seen_ns: m.last_event_at_ns,
                athletes: Vec::new(),
            });
            seen.last_seen_ns = seen.last_seen_ns.max(m.last_event_at_ns);
            let name = side.long_name.trim();
            if !name.is_empty()
                && seen.athletes.len() < 4
                && !seen.athletes.iter().any(|a| a == name)
            {
                seen.athletes.push(name.to_string());
            }
        }
    }
    let mut out: Vec<SeenCode> = by_code.into_values().collect();
    out.sort_by(|a, b| {
        b.last_seen_ns
            .cmp(&a.last_seen_ns)
            .then(a.code.cmp(&b.code))
    });
    Ok(out)
}
