//! The video index table in the courtside store: one row per file per OBS, keyed by
//! (connection id, path), so the session's tracker and the review service, which both see a saved
//! replay, write one row between them ([`VideoSegment::merged`]).
//!
//! Written through the store's single writer ([`WriteRequest::Apply`]); read with a read
//! transaction. A store that never saw a video reads as an empty index.

use super::index::VideoSegment;
use crate::store::{Store, StoreError, WriteRequest, codec};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

/// `video_index`: (OBS connection id, file path) → encoded [`VideoSegment`].
pub const VIDEOS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("video_index");

const WHAT: &str = "video index";

/// Store (or merge into the stored row of the same file) one segment.
pub fn save_segment(seg: VideoSegment) -> WriteRequest {
    WriteRequest::Apply {
        what: WHAT,
        op: Box::new(move |txn| {
            let mut table = txn.open_table(VIDEOS)?;
            let old: Option<VideoSegment> = match table.get(seg.key())? {
                Some(v) => Some(codec::decode(v.value(), WHAT)?),
                None => None,
            };
            let seg = match old {
                Some(old) => old.merged(seg),
                None => seg,
            };
            let bytes = codec::encode(&seg, WHAT)?;
            table.insert(seg.key(), bytes.as_slice())?;
            Ok(())
        }),
        ack: None,
    }
}

/// Every indexed file, oldest start first (files with no start yet last).
pub fn load_segments(store: &Store) -> Result<Vec<VideoSegment>, StoreError> {
    let txn = store.db().begin_read()?;
    let table = match txn.open_table(VIDEOS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out: Vec<VideoSegment> = Vec::new();
    for item in table.iter()? {
        let (_, v) = item?;
        out.push(codec::decode(v.value(), WHAT)?);
    }
    out.sort_by_key(|s| s.start_ns.unwrap_or(i64::MAX));
    Ok(out)
}
