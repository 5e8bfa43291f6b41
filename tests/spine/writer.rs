//! The store writer: shutdown with sender clones still alive.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::sync::atomic::Ordering;
use std::time::Instant;

#[test]
fn shutdown_stores_everything_queued_even_while_other_senders_live() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("w.redb")).expect("store");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).expect("writer");
    // A service (flags, OBS) or a listener may still hold a sender when the app stops.
    let kept = writer.sender();
    for i in 0..1000u32 {
        let raw = format!("clk;{}:{:02};", i / 60 % 10, i % 60).into_bytes();
        kept.send(WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:1".into(),
            court: "Court 1".into(),
            events: parse_datagram(&raw),
            raw,
        }))
        .expect("queued");
    }
    // Must return (it used to wait for every sender to be dropped) with all 1000 stored.
    writer.shutdown();
    assert_eq!(store.stats().expect("stats").events, 1000);
    // The writer is gone: a late sender learns it instead of blocking.
    assert!(
        kept.send(WriteRequest::Flush(crossbeam_channel::bounded(1).0))
            .is_err()
    );
}

/// Early subscribers (the display) get every record once, before its commit, with the sequence
/// and match key the store then holds — across courts, new matches (`pre`) inside a batch and a
/// court's first datagram — and durable subscribers get the same records after.
#[test]
fn early_records_equal_the_stored_ones() {
    use courtside::store::writer::Subscribers;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("early.redb")).expect("store");
    let (early_tx, early_rx) = crossbeam_channel::bounded(10_000);
    let (durable_tx, durable_rx) = crossbeam_channel::bounded(10_000);
    let subscribers = Subscribers {
        early: vec![early_tx],
        durable: vec![durable_tx],
    };
    let writer = Writer::spawn_with(store.clone(), WriterConfig::default(), subscribers, None)
        .expect("writer");
    let tx = writer.sender();
    let mut sent = 0;
    for i in 0..3000u32 {
        let court = ["Court 1", "Court 2", "Court 3"][(i % 3) as usize];
        let raw: &[u8] = match i % 97 {
            0 | 41 => b"pre;FightLoaded;",
            5 => b"pre;FightLoaded;sc1;0;sc2;0;",
            _ => b"sc1;1;sc2;2;",
        };
        tx.send(WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:1".into(),
            court: court.into(),
            events: parse_datagram(raw),
            raw: raw.to_vec(),
        }))
        .expect("queued");
        sent += 1;
    }
    writer.shutdown();
    let early: Vec<_> = early_rx.try_iter().map(|p| p.record).collect();
    let durable: Vec<_> = durable_rx.try_iter().map(|p| p.record).collect();
    assert_eq!(early.len(), sent, "each record shown once");
    assert_eq!(durable.len(), sent);
    let stored = store.events_page(1, 10_000).expect("stored");
    assert_eq!(stored.len(), sent);
    for ((e, d), s) in early.iter().zip(&durable).zip(&stored) {
        assert_eq!(**e, *s, "shown before the commit = stored");
        assert_eq!(**d, *s);
    }
    // Several matches per court, keyed by the sequence of their first datagram.
    let keys: std::collections::BTreeSet<u64> = stored.iter().map(|r| r.match_key).collect();
    assert!(keys.len() > 3 * 2, "{keys:?}");
}

/// The display's claim (README: datagram → scoreboard ≤ 1 ms, not waiting for the fsync): with
/// the durable commit held, the early subscriber already has the record, while the durable
/// subscriber, the store and the commit counter do not; released, the same record follows.
#[test]
fn the_display_gets_each_datagram_before_its_commit() {
    use courtside::store::writer::Subscribers;
    use std::time::Duration;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("gate.redb")).expect("store");
    let (early_tx, early_rx) = crossbeam_channel::bounded(16);
    let (durable_tx, durable_rx) = crossbeam_channel::bounded(16);
    let (release, gate) = crossbeam_channel::bounded(0);
    let subscribers = Subscribers {
        early: vec![early_tx],
        durable: vec![durable_tx],
    };
    let writer = Writer::spawn_gated(
        store.clone(),
        WriterConfig::default(),
        subscribers,
        None,
        Some(gate),
    )
    .expect("writer");
    let raw = b"sc1;3;sc2;1;".to_vec();
    writer
        .sender()
        .send(WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:1".into(),
            court: "Court 1".into(),
            events: parse_datagram(&raw),
            raw: raw.clone(),
        }))
        .expect("queued");
    let shown = early_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the display gets the record while its commit is held");
    assert_eq!(shown.record.raw, raw);
    // The writer is now waiting at the gate: nothing is durable yet.
    assert!(durable_rx.try_recv().is_err(), "durable before the commit");
    assert_eq!(writer.stats().commits.load(Ordering::Relaxed), 0);
    assert_eq!(
        store.stats().expect("stats").events,
        0,
        "stored before the commit"
    );
    release
        .send_timeout((), Duration::from_secs(10))
        .expect("writer waits at the gate");
    let durable = durable_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("durable after the commit");
    assert_eq!(durable.record, shown.record);
    assert_eq!(store.stats().expect("stats").events, 1);
    assert!(early_rx.try_recv().is_err(), "shown once");
    drop(release);
    writer.shutdown();
}
