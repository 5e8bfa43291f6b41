//! CSV export for spreadsheets: a UTF-8 BOM and CR LF rows (Excel opens it right), cells that
//! start like a formula are neutralised with a leading `'`, and the JSON export keeps the exact
//! values. Expectations are written out by hand, not built with the code under test.

use courtside::export::{ExportFormat, export_events, export_match_to_file};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest};
use courtside::store::{Store, Writer, WriterConfig};
use std::time::Instant;

/// 2023-11-14T22:13:20.123456Z
const AT: i64 = 1_700_000_000_123_456_000;

/// A store with two datagrams from hostile-looking data: a court named like a formula, a
/// source starting with `+`, a raw text starting with `@`.
fn hostile_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    for (i, (court, source, raw)) in [
        ("=1+2", "+1:6000", &b"pre;FightLoaded;\r\n"[..]),
        ("=1+2", "+1:6000", &b"@sc1;2;\n"[..]),
        ("=1+2", "-x", &b"sc1;2;\n"[..]),
    ]
    .into_iter()
    .enumerate()
    {
        writer
            .sender()
            .send(WriteRequest::Datagram(Incoming {
                received_at_ns: AT + i as i64,
                received: Instant::now(),
                source: source.into(),
                court: court.into(),
                events: parse_datagram(raw),
                raw: raw.to_vec(),
            }))
            .expect("send");
    }
    writer.flush().expect("flush");
    writer.shutdown();
    (dir, store)
}

#[test]
fn csv_cells_starting_like_a_formula_are_neutralised_with_bom_and_crlf() {
    let (dir, store) = hostile_store();
    let path = dir.path().join("m.csv");
    export_match_to_file(&store, 1, ExportFormat::Csv, &path).expect("csv");
    let got = std::fs::read(&path).expect("read");
    assert_eq!(String::from_utf8_lossy(&got), EXPECTED_CSV);
    assert_eq!(&got[..3], b"\xEF\xBB\xBF", "UTF-8 BOM first");
}

#[test]
fn json_export_keeps_formula_like_values_exact() {
    let (_dir, store) = hostile_store();
    let mut out = Vec::new();
    export_events(&store, Some(1), ExportFormat::Json, &mut out).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("valid json");
    assert_eq!(v[0]["court"], "=1+2");
    assert_eq!(v[0]["source"], "+1:6000");
    assert_eq!(v[1]["raw"], "@sc1;2;\n");
    assert_eq!(v[2]["source"], "-x");
    assert!(
        !String::from_utf8_lossy(&out).contains("'="),
        "no prefix in JSON"
    );
}

/// Written by hand: BOM, CR LF after every row (the datagram's own line break stays inside its
/// quoted cell), `'` before `=`, `+`, `-`, `@`.
const EXPECTED_CSV: &str = concat!(
    "\u{FEFF}seq,received_at,source,court,match_key,part,code,label,fields,raw,raw_hex\r\n",
    "1,2023-11-14T22:13:20.123456Z,'+1:6000,'=1+2,1,0,pre,Fight loaded,",
    "\"\"\"FightLoaded\"\"\",\"pre;FightLoaded;\r\n\",\r\n",
    "2,2023-11-14T22:13:20.123456Z,'+1:6000,'=1+2,1,0,'@sc1,Unknown '@sc1',",
    "\"{\"\"Unknown\"\":{\"\"code\"\":\"\"@sc1\"\",\"\"fields\"\":[\"\"2\"\"]}}\",\"'@sc1;2;\n\",\r\n",
    "3,2023-11-14T22:13:20.123456Z,'-x,'=1+2,1,0,sc1,Score 2,",
    "\"{\"\"Score\"\":{\"\"athlete\"\":\"\"Blue\"\",\"\"score\"\":2}}\",\"sc1;2;\n\",\r\n",
);
