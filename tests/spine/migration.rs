//! Schema v1 → v2 migration, from a committed fixture made by the v1 code and from a fresh one.

use crate::support::{incoming, temp_dir};
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

/// Check a store migrated from [`v1_records`].
fn assert_migrated(store: &Store) {
    assert_eq!(store.schema_version().unwrap(), 2);
    let events = store.events_page(0, 100).unwrap();
    let old = v1_records();
    assert_eq!(events.len(), old.len());
    for (new, old) in events.iter().zip(&old) {
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
    assert_eq!(last.state.winner.as_deref(), Some("red"));
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
    assert_migrated(&store);
    drop(store);
    // Opening again finds v2 and changes nothing.
    let store = Store::open(&path).unwrap();
    assert_migrated(&store);
}

#[test]
fn a_fresh_v1_store_migrates_and_takes_new_events() {
    let dir = temp_dir();
    let path = dir.path().join("fresh-v1.redb");
    create_store(&path, &v1_records()).unwrap();
    let store = Store::open(&path).unwrap();
    assert_migrated(&store);
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
