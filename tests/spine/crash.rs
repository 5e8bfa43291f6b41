//! Crash safety: `courtside listen` ingesting at a high rate is killed (SIGKILL: no flush, no
//! handler) at several points. Every datagram whose commit it reported before the kill must be in
//! the reopened store with its exact bytes, and the store must take new data afterwards.

use crate::proc::{loopback, start_listen};
use crate::sender::{payload_id, spawn_sender};
use crate::support::temp_dir;
use courtside::protocol::parse_datagram;
use courtside::store::Store;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Everything in the store is intact: contiguous sequences, each a datagram that was sent (run
/// `r` sent `sent[r]`) and stored once, its events as parsed from its bytes, and the match
/// records agree with the events. Returns the last sequence.
pub fn check_store(store: &Store, sent: &[usize], committed: u64) -> u64 {
    let stats = store.stats().unwrap();
    assert!(
        stats.last_seq >= committed,
        "reported seq {committed} durable, store ends at {}",
        stats.last_seq
    );
    let mut seen = HashSet::new();
    let mut next = 1;
    loop {
        let page = store.events_page(next, 4096).unwrap();
        if page.is_empty() {
            break;
        }
        for rec in page {
            assert_eq!(rec.seq, next, "sequence gap");
            let id = payload_id(&rec.raw)
                .filter(|&(run, i)| sent.get(run).is_some_and(|n| i < *n))
                .unwrap_or_else(|| panic!("seq {} holds bytes never sent: {:?}", rec.seq, rec.raw));
            assert!(seen.insert(id), "seq {} stored twice", rec.seq);
            assert_eq!(rec.events, parse_datagram(&rec.raw));
            next += 1;
        }
    }
    assert_eq!((next - 1, stats.events), (stats.last_seq, stats.last_seq));
    let in_matches: u64 = store.matches().unwrap().iter().map(|m| m.event_count).sum();
    assert_eq!(
        in_matches, stats.events,
        "match records count every event once"
    );
    stats.last_seq
}

#[test]
fn killed_listener_keeps_every_reported_commit() {
    let dir = temp_dir();
    let db = dir.path().join("crash.redb");
    let mut sent = Vec::new();
    let mut last_seq = 0;
    // Kill after the first commit, a few more and many more: different points in the stream.
    for (run, commit_lines) in [1u64, 5, 25].into_iter().enumerate() {
        let (listen, addrs) = start_listen(&db, &[], 1);
        let stop = Arc::new(AtomicBool::new(false));
        let sender = spawn_sender(run, loopback(addrs[0]), stop.clone());
        listen.wait_commit_lines(commit_lines);
        // Killed while the sender is still going: the kill lands in the middle of the stream.
        let finished = listen.kill();
        stop.store(true, Ordering::Relaxed);
        sent.push(sender.join().unwrap());
        assert!(
            finished.committed > last_seq,
            "run {run} committed nothing new"
        );

        let store = Store::open(&db).expect("a killed store must open");
        last_seq = check_store(&store, &sent, finished.committed);
    }
}
