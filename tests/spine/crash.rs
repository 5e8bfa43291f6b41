//! Crash safety: `courtside listen` ingesting at a high rate is killed (SIGKILL: no flush, no
//! handler) at several points. Every datagram whose commit it reported before the kill must be in
//! the reopened store with its exact bytes, and the store must take new data afterwards.

use crate::proc::{loopback, start_listen};
use crate::support::temp_dir;
use courtside::protocol::parse_datagram;
use courtside::store::Store;
use std::collections::HashSet;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Cap per run, so a slow disk cannot make the test eat memory while it waits.
const MAX_PER_RUN: usize = 200_000;

/// A unique datagram: run and index in it, some with invalid UTF-8, some opening a match.
fn payload(run: usize, i: usize) -> Vec<u8> {
    if i.is_multiple_of(97) {
        format!("pre;FightLoaded;r{run}i{i}").into_bytes()
    } else if i.is_multiple_of(13) {
        let mut b = b"at1;M\xdcLLER;".to_vec();
        b.extend(format!("r{run}i{i};GER\r\n").bytes());
        b
    } else {
        format!("sc1;{i};sc2;{run};").into_bytes()
    }
}

/// Send unique datagrams as fast as the socket takes them until `stop`; returns all sent.
fn spawn_sender(run: usize, to: String, stop: Arc<AtomicBool>) -> JoinHandle<Vec<Vec<u8>>> {
    std::thread::Builder::new()
        .name(format!("crash-sender-{run}"))
        .spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let mut sent = Vec::new();
            while !stop.load(Ordering::Relaxed) && sent.len() < MAX_PER_RUN {
                let p = payload(run, sent.len());
                // A full receive buffer drops datagrams (that is UDP); they were never stored.
                let _ = socket.send_to(&p, &to);
                sent.push(p);
            }
            sent
        })
        .unwrap()
}

/// Everything in the store is intact: contiguous sequences, each a datagram that was sent (once),
/// its events as parsed from its bytes, and the match records agree with the events.
fn check_store(store: &Store, sent: &HashSet<Vec<u8>>, committed: u64) -> u64 {
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
            assert!(
                sent.contains(&rec.raw),
                "seq {} holds bytes never sent: {:?}",
                rec.seq,
                rec.raw
            );
            assert!(seen.insert(rec.raw.clone()), "seq {} stored twice", rec.seq);
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
    let mut sent: HashSet<Vec<u8>> = HashSet::new();
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
        sent.extend(sender.join().unwrap());
        assert!(
            finished.committed > last_seq,
            "run {run} committed nothing new"
        );

        let store = Store::open(&db).expect("a killed store must open");
        last_seq = check_store(&store, &sent, finished.committed);
    }
    assert!(last_seq > 0);
}
