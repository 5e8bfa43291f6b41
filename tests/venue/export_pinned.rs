//! The export format pinned by hand: one match's records written out in full (JSON with its
//! `received_at` text, and the CSV rows with BOM, CR LF and the formula guard), so a change of
//! field names, time format or event encoding turns this red. Nothing here is built with the
//! exporter's own helpers.

use courtside::export::{ExportFormat, export_events};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest};
use courtside::store::{Store, Writer, WriterConfig};
use std::time::Instant;

/// 2024-02-29T23:59:59.999999999Z: a leap day, one nanosecond before midnight, so the time is
/// truncated to microseconds (not rounded into March).
const AT: i64 = 1_709_251_199_999_999_999;

/// A store with one match: `pre` then a paired score datagram, sent from a source that looks like
/// a formula to a spreadsheet.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    for (i, raw) in [&b"pre;FightLoaded;\n"[..], &b"sc1;2;sc2;0;\n"[..]]
        .into_iter()
        .enumerate()
    {
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns: AT + i as i64 * 1_000,
            received: Instant::now(),
            source: "192.168.1.20:50123".into(),
            court: "@Court 1".into(),
            events: parse_datagram(raw),
            raw: raw.to_vec(),
        });
        writer.sender().send(req).expect("send");
    }
    writer.flush().expect("flush");
    writer.shutdown();
    (dir, store)
}

#[test]
fn the_json_export_is_exactly_the_hand_written_records() {
    let (_dir, store) = store();
    let mut out = Vec::new();
    assert_eq!(
        export_events(&store, Some(1), ExportFormat::Json, &mut out).expect("export"),
        2
    );
    let got: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    let expected: serde_json::Value = serde_json::from_str(EXPECTED_JSON).expect("expected JSON");
    assert_eq!(got, expected);
}

#[test]
fn the_csv_export_is_exactly_the_hand_written_rows() {
    let (_dir, store) = store();
    let mut out = Vec::new();
    export_events(&store, Some(1), ExportFormat::Csv, &mut out).expect("export");
    assert_eq!(String::from_utf8(out).expect("UTF-8"), EXPECTED_CSV);
}

/// Written by hand.
const EXPECTED_JSON: &str = r#"[
{"seq": 1, "received_at": "2024-02-29T23:59:59.999999Z", "received_at_ns": 1709251199999999999,
 "source": "192.168.1.20:50123", "court": "@Court 1", "match_key": 1,
 "raw": "pre;FightLoaded;\n",
 "events": [{"code": "pre", "label": "Fight loaded", "event": "FightLoaded"}]},
{"seq": 2, "received_at": "2024-03-01T00:00:00.000000Z", "received_at_ns": 1709251200000000999,
 "source": "192.168.1.20:50123", "court": "@Court 1", "match_key": 1,
 "raw": "sc1;2;sc2;0;\n",
 "events": [
   {"code": "sc1", "label": "Score 2", "event": {"Score": {"athlete": "Blue", "score": 2}}},
   {"code": "sc2", "label": "Score 0", "event": {"Score": {"athlete": "Red", "score": 0}}}
 ]}
]"#;

/// Written by hand: BOM, CR LF after every row, one row per event (`part` counts within the
/// datagram), `'` before the court's `@`, the datagram's own newline kept inside its quoted cell.
const EXPECTED_CSV: &str = concat!(
    "\u{FEFF}seq,received_at,source,court,match_key,part,code,label,fields,raw,raw_hex\r\n",
    "1,2024-02-29T23:59:59.999999Z,192.168.1.20:50123,'@Court 1,1,0,pre,Fight loaded,",
    "\"\"\"FightLoaded\"\"\",\"pre;FightLoaded;\n\",\r\n",
    "2,2024-03-01T00:00:00.000000Z,192.168.1.20:50123,'@Court 1,1,0,sc1,Score 2,",
    "\"{\"\"Score\"\":{\"\"athlete\"\":\"\"Blue\"\",\"\"score\"\":2}}\",\"sc1;2;sc2;0;\n\",\r\n",
    "2,2024-03-01T00:00:00.000000Z,192.168.1.20:50123,'@Court 1,1,1,sc2,Score 0,",
    "\"{\"\"Score\"\":{\"\"athlete\"\":\"\"Red\"\",\"\"score\"\":0}}\",\"sc1;2;sc2;0;\n\",\r\n",
);
