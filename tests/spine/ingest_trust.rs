//! Whom a listener trusts on a shared venue LAN, in-process over loopback: the source lock, the
//! per-source rate bound, canonical allowlist entries, and the socket options. Other machines
//! are other loopback addresses (127.0.0.2 …), which Linux routes to `lo` by default.

use crate::ingest_lib::{DEADLINE, Rig, rig};
use courtside::ingest::{Listener, ListenerConfig, ListenerStats, bind};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

fn spawn(rig: &Rig, config: ListenerConfig) -> (Listener, SocketAddr) {
    let socket = bind(&config).unwrap();
    let port = socket.local_addr().unwrap().port();
    let listener = Listener::spawn(config, Some(socket), rig.writer.sender()).unwrap();
    (listener, SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

fn loopback_config() -> ListenerConfig {
    let mut config = ListenerConfig::new(0, "Court 9");
    config.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    config
}

/// Wait until `counter` reaches `n` (refusals store nothing, so counters are what to wait on).
fn wait_count(counter: &AtomicU64, n: u64, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    while ListenerStats::get(counter) < n {
        assert!(
            Instant::now() < deadline,
            "{what}: {} of {n}",
            ListenerStats::get(counter)
        );
        std::thread::park_timeout(Duration::from_millis(2));
    }
}

/// The raw bytes of the records stored so far (published by the writer), waiting for `n`.
fn stored(rig: &Rig, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|_| {
            rig.stored
                .recv_timeout(DEADLINE)
                .expect("stored")
                .record
                .raw
                .clone()
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_locked_listener_ignores_other_sources_and_they_never_reach_the_store() {
    let rig = rig();
    let mut config = loopback_config();
    config.lock_source = true;
    let (listener, to) = spawn(&rig, config);
    let pss = UdpSocket::bind("127.0.0.1:0").unwrap();
    let intruder = UdpSocket::bind("127.0.0.66:0").unwrap();
    pss.send_to(b"pre;FightLoaded;", to).unwrap();
    assert_eq!(stored(&rig, 1), [b"pre;FightLoaded;".to_vec()]);
    // A second program on the LAN loads its own fight and sends scores: none of it may start a
    // match, change a score or reach automation (which only ever sees stored records).
    for d in [&b"pre;FightLoaded;"[..], b"hel;", b"sc1;9;sc2;9;"] {
        intruder.send_to(d, to).unwrap();
    }
    wait_count(&listener.stats().ignored, 3, "ignored");
    pss.send_to(b"sc1;1;sc2;0;", to).unwrap();
    assert_eq!(stored(&rig, 1), [b"sc1;1;sc2;0;".to_vec()]);
    let stats = listener.stats().clone();
    assert_eq!(stats.locked_source(), Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let (others, _) = stats.not_stored_sources();
    assert_eq!(others.len(), 1);
    assert_eq!(
        (others[0].ip.to_string(), others[0].ignored),
        ("127.0.0.66".into(), 3)
    );
    listener.stop();
    rig.writer.flush().unwrap();
    assert_eq!(rig.store.stats().unwrap().events, 2);
    let matches = rig.store.matches().unwrap();
    assert_eq!(matches.len(), 1, "the intruder's pre started no match");
}

#[cfg(target_os = "linux")]
#[test]
fn unlock_lets_the_next_scoring_program_that_says_hello_take_the_lock() {
    let rig = rig();
    let mut config = loopback_config();
    config.lock_source = true;
    let (listener, to) = spawn(&rig, config);
    let old = UdpSocket::bind("127.0.0.1:0").unwrap();
    let new = UdpSocket::bind("127.0.0.7:0").unwrap();
    old.send_to(b"hel;", to).unwrap();
    stored(&rig, 1);
    new.send_to(b"hel;", to).unwrap();
    wait_count(&listener.stats().ignored, 1, "ignored before unlock");
    listener.unlock();
    new.send_to(b"Udp Port 6000 connected;", to).unwrap();
    assert_eq!(stored(&rig, 1), [b"Udp Port 6000 connected;".to_vec()]);
    old.send_to(b"sc1;5;", to).unwrap();
    wait_count(
        &listener.stats().ignored,
        2,
        "the old source is now the stranger",
    );
    assert_eq!(
        listener.stats().locked_source(),
        Some("127.0.0.7".parse().unwrap())
    );
    let (link, _) = listener.stats().pss_link().expect("link line seen");
    assert_eq!((link.port, link.connected), (Some(6000), true));
    listener.stop();
}

#[cfg(target_os = "linux")]
#[test]
fn a_flooding_source_is_bounded_counted_and_does_not_hold_up_the_scoring_program() {
    let rig = rig();
    let mut config = loopback_config();
    config.max_rate = Some(50);
    let (listener, to) = spawn(&rig, config);
    let flood = UdpSocket::bind("127.0.0.9:0").unwrap();
    let n = 3_000u64;
    let started = Instant::now();
    for i in 0..n {
        // A full receive buffer may drop some: that is the flood's loss, counted by the OS.
        let _ = flood.send_to(format!("sc1;{i};").as_bytes(), to);
    }
    let pss = UdpSocket::bind("127.0.0.1:0").unwrap();
    pss.send_to(b"pre;FightLoaded;", to).unwrap();
    let stats = listener.stats().clone();
    // The scoring program's datagram is stored whatever the flood did.
    let deadline = Instant::now() + DEADLINE;
    let mut from_flood = 0u64;
    loop {
        let rec = rig.stored.recv_timeout(DEADLINE).expect("stored").record;
        if rec.raw == b"pre;FightLoaded;" {
            break;
        }
        from_flood += 1;
        assert!(Instant::now() < deadline);
    }
    let elapsed = started.elapsed().as_secs_f64();
    // One second's worth up front, then 50 a second.
    let allowed = 50 + (50.0 * elapsed).ceil() as u64;
    assert!(
        from_flood <= allowed,
        "{from_flood} stored, bound {allowed}"
    );
    listener.stop();
    let over = ListenerStats::get(&stats.over_rate);
    let received = ListenerStats::get(&stats.datagrams);
    assert!(over > 0, "the flood was counted over the bound");
    rig.writer.flush().unwrap();
    assert_eq!(
        rig.store.stats().unwrap().events,
        received - over,
        "everything within the bound is stored, the excess only counted"
    );
    let (others, _) = stats.not_stored_sources();
    assert_eq!(others[0].ip.to_string(), "127.0.0.9");
    assert_eq!(others[0].over_rate, over);
}

#[test]
fn a_mapped_ipv4_allowlist_entry_admits_the_plain_ipv4_sender() {
    let rig = rig();
    let mut config = loopback_config();
    config.allow = Some(vec!["::ffff:127.0.0.1".parse().unwrap()]);
    let (listener, to) = spawn(&rig, config);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"sc1;2;sc2;0;", to).unwrap();
    assert_eq!(stored(&rig, 1), [b"sc1;2;sc2;0;".to_vec()]);
    assert_eq!(ListenerStats::get(&listener.stats().rejected), 0);
    listener.stop();
}

#[test]
fn the_listening_socket_does_not_share_its_port() {
    let config = loopback_config();
    let socket = bind(&config).unwrap();
    let sock = socket2::SockRef::from(&socket);
    assert!(!sock.reuse_address().unwrap(), "SO_REUSEADDR stays off");
    let mut again = loopback_config();
    again.port = socket.local_addr().unwrap().port();
    let err = bind(&again).expect_err("a second bind of the same port fails");
    assert!(err.to_string().contains("address in use"), "{err}");
}

/// Windows hands a port's unicast datagrams to a later socket that binds it with SO_REUSEADDR,
/// silently; with SO_EXCLUSIVEADDRUSE on the listener that bind fails instead.
#[cfg(windows)]
#[test]
fn on_windows_no_other_socket_can_take_over_a_listening_port() {
    use socket2::{Domain, Protocol, Socket, Type};
    let config = loopback_config();
    let socket = bind(&config).unwrap();
    let addr = socket.local_addr().unwrap();
    let thief = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
    thief.set_reuse_address(true).unwrap();
    assert!(
        thief.bind(&addr.into()).is_err(),
        "a second socket bound {addr} next to the listener"
    );
}
