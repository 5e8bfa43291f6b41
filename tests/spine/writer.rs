//! The store writer: shutdown with sender clones still alive.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
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
