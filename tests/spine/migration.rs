//! Schema v1 → v2 migration, from a committed fixture made by the v1 code and from a fresh one.

use crate::support::{incoming, temp_dir};
use courtside::protocol::Athlete;
use courtside::protocol::parse_datagram;
use courtside::store::schema::v1::{EventRecordV1, create_store};
use courtside::store::writer::WriteRequest;
use courtside::store::{Store, Writer, WriterConfig};
use std::path::PathBuf;

/// The committed v1 store (made by `regenerate_v1_fixture`).
fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-store.redb")
}

/// The datagrams in the v1 fixture: one before any `pre`, two matches, CRLF, invalid UTF-8.
fn v1_raws() -> Vec<&'static [u8]> {
    vec![
        b"Udp Port 6000 connected;",
        b"pre;FightLoaded\r\n",
        b"at1;J. M\xdcLLER;Jonas M\xdcLLER;GER;at2;A. LEE;Ann LEE;KOR",
        b"sc1;3;sc2;1\r\n",
        b"pre;FightLoaded;",
        b"at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;",
        b"win;RED;",
    ]
}

fn v1_records() -> Vec<EventRecordV1> {
    v1_raws()
        .into_iter()
        .enumerate()
        .map(|(i, raw)| EventRecordV1 {
            seq: i as u64 + 1,
            received_at_ns: 1_700_000_000_000_000_000 + i as i64 * 1_000_000,
            source: "192.168.1.20:51000".into(),
            raw: raw.to_vec(),
            events: parse_datagram(raw),
        })
        .collect()
}

/// Write the fixture again: `cargo test --test spine -- --ignored regenerate_v1_fixture`.
/// Only needed if the fixture is lost: the point of committing it is that it was made by v1.
#[test]
#[ignore]
fn regenerate_v1_fixture() {
    let path = fixture();
    let _ = std::fs::remove_file(&path);
    create_store(&path, &v1_records()).unwrap();
}

/// The records of the committed fixture as the v1 code parsed them: stored events are kept as
/// parsed, and the link status line was an unknown message before `Event::PssLink` existed.
fn fixture_records() -> Vec<EventRecordV1> {
    let mut records = v1_records();
    records[0].events = vec![courtside::protocol::Event::Unknown {
        code: "Udp Port 6000 connected".into(),
        fields: Vec::new(),
    }];
    records
}

/// Check a store migrated from `old` (made from [`v1_raws`]).
fn assert_migrated(store: &Store, old: &[EventRecordV1]) {
    assert_eq!(store.schema_version().unwrap(), 2);
    let events = store.events_page(0, 100).unwrap();
    assert_eq!(events.len(), old.len());
    for (new, old) in events.iter().zip(old) {
        assert_eq!(new.seq, old.seq);
        assert_eq!(new.raw, old.raw, "exact raw bytes of seq {}", old.seq);
        assert_eq!(new.events, old.events);
        assert_eq!(
            (new.received_at_ns, new.source.as_str()),
            (old.received_at_ns, "192.168.1.20:51000")
        );
        assert_eq!(new.court, "", "v1 knew no courts");
    }
    assert_eq!(
        events.iter().map(|e| e.match_key).collect::<Vec<_>>(),
        [1, 2, 2, 2, 5, 5, 5],
        "events before any pre form their own match; each pre opens one"
    );
    let matches = store.matches().unwrap();
    let summary: Vec<(u64, u64, bool)> = matches
        .iter()
        .map(|m| (m.key, m.event_count, m.ended_at_ns.is_some()))
        .collect();
    assert_eq!(summary, [(5, 3, true), (2, 3, false), (1, 1, false)]);
    let last = &matches[0];
    assert_eq!(last.state.winner, Some(Athlete::Red));
    assert_eq!(last.state.blue.long_name, "Kenji TANAKA");
    assert_eq!(matches[1].state.blue.short_name, "J. M\u{FFFD}LLER");
    assert_eq!(
        (matches[1].state.blue.score, matches[1].state.red.score),
        (3, 1)
    );
    assert_eq!(store.match_events(2).unwrap(), events[1..4]);
    assert_eq!(store.rebuild_state(5).unwrap(), last.state);
    assert_eq!(store.current_matches().unwrap(), [(String::new(), 5)]);
}

#[test]
fn the_committed_v1_fixture_migrates() {
    let dir = temp_dir();
    let path = dir.path().join("old.redb");
    std::fs::copy(fixture(), &path).expect("copy the v1 fixture");
    let store = Store::open(&path).unwrap();
    assert_migrated(&store, &fixture_records());
    drop(store);
    // Opening again finds v2 and changes nothing.
    let store = Store::open(&path).unwrap();
    assert_migrated(&store, &fixture_records());
}

#[test]
fn a_fresh_v1_store_migrates_and_takes_new_events() {
    let dir = temp_dir();
    let path = dir.path().join("fresh-v1.redb");
    create_store(&path, &v1_records()).unwrap();
    let store = Store::open(&path).unwrap();
    assert_migrated(&store, &v1_records());
    // Settings tables exist after the migration, and the writer continues the last match.
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
    assert!(
        writer
            .set_setting("court.name", "Court 1", "test")
            .unwrap()
            .is_some()
    );
    writer
        .sender()
        .send(WriteRequest::Datagram(incoming(
            "",
            b"wmh;Lucas MOREAU;2-0 PTF;",
        )))
        .unwrap();
    writer.flush().unwrap();
    writer.shutdown();
    let rec = store.event(8).unwrap().unwrap();
    assert_eq!(rec.match_key, 5);
    let m = store.match_record(5).unwrap().unwrap();
    assert_eq!(
        (m.event_count, m.state.decision.as_deref()),
        (4, Some("2-0 PTF"))
    );
}

/// Match records written before the match state gained `tie` and `round_stats` (layout 1:
/// no `matches_layout` key, each record two bytes shorter: `false` and an empty list) are
/// rebuilt from the events when the store is opened, instead of failing to decode.
#[test]
fn match_records_of_an_older_layout_are_rebuilt_from_the_events() {
    use courtside::store::schema::{MATCHES, META};
    use redb::{ReadableDatabase, ReadableTable};
    let dir = temp_dir();
    let path = dir.path().join("layout1.redb");
    create_store(&path, &v1_records()).unwrap();
    let expected = {
        let store = Store::open(&path).unwrap();
        store.matches().unwrap()
    };
    assert_eq!(expected.len(), 3);
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut matches = txn.open_table(MATCHES).unwrap();
            let old: Vec<(u64, Vec<u8>)> = matches
                .iter()
                .unwrap()
                .map(|i| {
                    let (k, v) = i.unwrap();
                    let bytes = v.value();
                    assert_eq!(
                        bytes[bytes.len() - 2..],
                        [0, 0],
                        "tie false, no round stats"
                    );
                    (k.value(), bytes[..bytes.len() - 2].to_vec())
                })
                .collect();
            for (k, v) in old {
                matches.insert(k, v.as_slice()).unwrap();
            }
            txn.open_table(META)
                .unwrap()
                .remove("matches_layout")
                .unwrap();
        }
        txn.commit().unwrap();
        // This build cannot read such a record as it is.
        let r = db.begin_read().unwrap();
        let table = r.open_table(MATCHES).unwrap();
        let v = table.get(5).unwrap().unwrap();
        assert!(
            courtside::store::codec::decode::<courtside::store::MatchRecord>(v.value(), "match")
                .is_err()
        );
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.matches().unwrap(), expected);
}
