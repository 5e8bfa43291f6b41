//! Deleting a finished match: its datagrams, index entries and record go in one transaction;
//! the current match of a court and unknown matches are refused with a reason; others stay.

use courtside::protocol::parse_datagram;
use courtside::store::delete::delete_match_request;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::time::Instant;

fn datagram(court: &str, raw: &str) -> WriteRequest {
    WriteRequest::Datagram(Incoming {
        received_at_ns: now_ns(),
        received: Instant::now(),
        source: "127.0.0.1:6000".into(),
        court: court.into(),
        events: parse_datagram(raw.as_bytes()),
        raw: raw.as_bytes().to_vec(),
    })
}

fn delete(writer: &Writer, key: u64) -> Result<u64, String> {
    let (ack, acked) = crossbeam_channel::bounded(1);
    let (req, count) = delete_match_request(key, ack);
    writer.sender().send(req).expect("queue");
    acked.recv().expect("ack")?;
    Ok(count.try_recv().expect("count"))
}

#[test]
fn a_finished_match_is_deleted_and_the_current_one_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let store = Store::open(&db).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).expect("writer");
    // Court 1: match A (3 datagrams), then match B (2); court 2: match C (2).
    for (court, raw) in [
        ("Court 1", "pre;FightLoaded;"),
        ("Court 1", "pt1;3;"),
        ("Court 2", "pre;FightLoaded;"),
        ("Court 1", "sc1;3;sc2;0;"),
        ("Court 2", "pt2;2;"),
        ("Court 1", "pre;FightLoaded;"),
        ("Court 1", "pt2;1;"),
    ] {
        writer.sender().send(datagram(court, raw)).expect("queue");
    }
    writer.flush().expect("flush");
    let matches = store.matches().expect("matches");
    assert_eq!(matches.len(), 3);
    let key_of = |court: &str, nth_newest: usize| {
        matches
            .iter()
            .filter(|m| m.court == court)
            .nth(nth_newest)
            .expect("match")
            .key
    };
    let (a, b, c) = (
        key_of("Court 1", 1),
        key_of("Court 1", 0),
        key_of("Court 2", 0),
    );

    // The current matches of both courts are refused, naming the court; nothing changes.
    for (key, court) in [(b, "Court 1"), (c, "Court 2")] {
        let e = delete(&writer, key).expect_err("current match");
        assert!(e.contains("current match of") && e.contains(court), "{e}");
    }
    let e = delete(&writer, 999_999).expect_err("unknown");
    assert!(e.contains("999999 is not in the store"), "{e}");
    assert_eq!(store.stats().expect("stats").events, 7);

    // The finished match goes, with all of its datagrams; the others are untouched.
    let b_events = store.match_events(b).expect("b");
    let c_events = store.match_events(c).expect("c");
    assert_eq!(delete(&writer, a), Ok(3));
    assert!(store.match_record(a).expect("read").is_none());
    assert!(store.match_events(a).expect("a").is_empty());
    assert_eq!(store.stats().expect("stats").events, 4);
    assert_eq!(store.match_events(b).expect("b"), b_events);
    assert_eq!(store.match_events(c).expect("c"), c_events);
    // Gone for good: deleting it again is refused, and a reopened store agrees.
    assert!(delete(&writer, a).is_err());
    writer.shutdown();
    drop(store);
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.matches().expect("matches").len(), 2);
    assert_eq!(store.current_matches().expect("current").len(), 2);
}
