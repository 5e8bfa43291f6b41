//! A scoring program at full speed: unique datagrams sent as fast as the socket takes them, each
//! recognisable afterwards (which run, which index) without keeping a copy of what was sent.

use crate::proc::DEADLINE;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

/// Datagram `i` of run `run`: mostly score updates, some with invalid UTF-8 and a CRLF, some
/// opening a new match.
pub fn payload(run: usize, i: usize) -> Vec<u8> {
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

/// (run, index) of a datagram made by [`payload`], if `raw` is exactly one.
pub fn payload_id(raw: &[u8]) -> Option<(usize, usize)> {
    let text = String::from_utf8_lossy(raw);
    let numbers: Vec<usize> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|d| d.parse().ok())
        .collect();
    let n = |k: usize| numbers.get(k).copied();
    // The digit groups of the three shapes: [1, i, 2, run], [run, i], [1, run, i].
    let candidates = [(n(3), n(1)), (n(0), n(1)), (n(1), n(2))];
    candidates
        .into_iter()
        .filter_map(|(run, i)| Some((run?, i?)))
        .find(|&(run, i)| payload(run, i) == raw)
}

/// Send `payload(run, 0..)` to `to` without pause until `stop` (or the deadline, should the test
/// fail before it stops the sender). Returns how many were sent.
pub fn spawn_sender(run: usize, to: String, stop: Arc<AtomicBool>) -> JoinHandle<usize> {
    std::thread::Builder::new()
        .name(format!("udp-sender-{run}"))
        .spawn(move || {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let deadline = Instant::now() + DEADLINE;
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                // A full receive buffer drops datagrams (that is UDP); they were never stored.
                let _ = socket.send_to(&payload(run, i), &to);
                i += 1;
            }
            i
        })
        .expect("sender thread")
}

#[test]
fn payload_ids_round_trip() {
    for (run, i) in [(0, 0), (0, 13), (2, 26), (1, 97), (3, 5), (12, 1300)] {
        assert_eq!(payload_id(&payload(run, i)), Some((run, i)));
    }
    assert_eq!(payload_id(b"sc1;5;sc2;1;x"), None);
}
