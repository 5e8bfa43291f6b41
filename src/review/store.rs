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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExportFormat, export_events};
    use crate::protocol::{Athlete, Event, PointKind};
    use crate::review::index::{Anchor, VideoKind};
    use crate::store::writer::Incoming;
    use crate::store::{Writer, WriterConfig};

    const S: i64 = 1_000_000_000;

    fn seg(path: &str, start: Option<i64>, anchor: Anchor) -> VideoSegment {
        VideoSegment {
            connection_id: 7,
            connection: "court 1".into(),
            kind: VideoKind::Recording,
            path: path.into(),
            start_ns: start,
            end_ns: None,
            duration_ms: None,
            anchor,
        }
    }

    fn datagram(at_ns: i64) -> WriteRequest {
        WriteRequest::Datagram(Incoming {
            received_at_ns: at_ns,
            received: std::time::Instant::now(),
            source: "127.0.0.1:1".into(),
            court: "1".into(),
            raw: b"pt1;3;".to_vec(),
            events: vec![Event::Point {
                athlete: Athlete::Blue,
                kind: PointKind::Head,
            }],
        })
    }

    #[test]
    fn one_row_per_file_merged_and_exports_carry_the_video_offset() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("s.redb")).expect("store");
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
        let plain = {
            let tx = writer.sender();
            tx.send(datagram(100 * S)).expect("queue");
            tx.send(datagram(175 * S + 300_000_000)).expect("queue");
            writer.flush().expect("flush");
            let mut out = Vec::new();
            export_events(&store, None, ExportFormat::Csv, &mut out).expect("csv");
            String::from_utf8(out).expect("utf8")
        };
        assert!(
            !plain.contains("video"),
            "no index, no video columns: {plain}"
        );
        let tx = writer.sender();
        tx.send(save_segment(seg("/v/m.mkv", Some(150 * S), Anchor::Event)))
            .expect("queue");
        tx.send(save_segment(seg(
            "/v/m.mkv",
            Some(160 * S),
            Anchor::Reported,
        )))
        .expect("queue");
        tx.send(save_segment(seg("/v/m.mkv", Some(170 * S), Anchor::Event)))
            .expect("queue");
        writer.flush().expect("flush");
        let all = load_segments(&store).expect("load");
        assert_eq!(all.len(), 1, "one row per file");
        assert_eq!(all[0].start_ns, Some(160 * S), "the reported anchor wins");

        let mut out = Vec::new();
        export_events(&store, None, ExportFormat::Json, &mut out).expect("json");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert!(
            v[0].get("video").is_none(),
            "before the recording: {}",
            v[0]
        );
        assert_eq!(v[1]["video"]["file"], "/v/m.mkv");
        assert_eq!(v[1]["video"]["offset_ms"], 15_300);
        assert_eq!(v[1]["video"]["offset"], "0:15.3");
        let mut out = Vec::new();
        export_events(&store, None, ExportFormat::Csv, &mut out).expect("csv");
        let text = String::from_utf8(out).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with(",video_file,video_offset_ms,video_offset"));
        assert!(lines[1].ends_with(",,,"), "{}", lines[1]);
        assert!(lines[2].ends_with(",/v/m.mkv,15300,0:15.3"), "{}", lines[2]);
        writer.shutdown();
    }
}
