//! Bad and hostile requests: clear status codes, bounded connections, the server keeps serving.

use crate::support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[test]
fn malformed_requests_get_400_and_the_server_keeps_serving() {
    let rig = Rig::start();
    for bad in [
        &b"HELLO\r\n\r\n"[..],
        b"GET /courts HTTP/9.9\r\n\r\n",
        b"GET courts HTTP/1.1\r\n\r\n",
        b"GET /overlay/%zz HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"POST /api/v1/obs/save-replay HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"\x00\x01\x02\x03\r\n\r\n",
    ] {
        let a = raw(rig.addr, bad);
        assert_eq!(a.status, 400, "{:?}", String::from_utf8_lossy(bad));
        assert!(a.json()["error"].is_string());
    }
    assert_eq!(get(rig.addr, "/courts").status, 200);
}

#[test]
fn oversized_heads_and_bodies_and_chunked_bodies_are_refused() {
    let rig = Rig::start();
    let big_header = format!(
        "GET /courts HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(raw(rig.addr, big_header.as_bytes()).status, 431);
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    assert_eq!(
        raw(
            rig.addr,
            format!("GET /courts HTTP/1.1\r\n{many}\r\n").as_bytes()
        )
        .status,
        431
    );
    let big_body = post(rig.addr, "/api/v1/obs/save-replay", "", &"x".repeat(5000));
    assert_eq!(big_body.status, 413);
    let chunked = raw(
        rig.addr,
        b"POST /api/v1/obs/save-replay HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.status, 411);
}

#[test]
fn wrong_methods_are_405_with_allow_and_head_has_no_body() {
    let rig = Rig::start();
    for m in ["POST", "PUT", "DELETE", "PATCH"] {
        let a = raw(
            rig.addr,
            format!("{m} /courts HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(a.status, 405, "{m}");
        assert_eq!(a.header("allow").as_deref(), Some("GET, HEAD"));
    }
    let a = raw(
        rig.addr,
        b"DELETE /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(a.status, 404);
    let mut s = TcpStream::connect(rig.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"HEAD /courts HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    assert!(
        text.starts_with("HTTP/1.1 200 OK") && text.ends_with("\r\n\r\n"),
        "{text}"
    );
    assert!(
        !text.contains("Content-Length: 0"),
        "HEAD gives the GET's length"
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let rig = Rig::start();
    let mut s = TcpStream::connect(rig.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // Two requests in one write (pipelined), then a third.
    s.write_all(b"GET /api/v1/courts HTTP/1.1\r\n\r\nGET /assets/overlay.css HTTP/1.1\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut s).status, 200);
    assert_eq!(
        read_answer(&mut s).header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    s.write_all(b"GET /nothing HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_answer(&mut s).status, 404);
}

#[test]
fn a_slow_request_head_times_out_with_408() {
    let mut o = RigOptions::default();
    o.config.limits.request_timeout = Duration::from_millis(300);
    let rig = Rig::with(o);
    let mut s = TcpStream::connect(rig.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /courts HTTP/1.1\r\nX-Slow: ").unwrap();
    assert_eq!(read_answer(&mut s).status, 408);
}

#[test]
fn idle_connections_beyond_the_limit_get_503_and_the_server_recovers() {
    let mut o = RigOptions::default();
    o.config.limits.max_connections = 64;
    let rig = Rig::with(o);
    let stats = rig.service.stats();
    // A thousand idle connections: 64 are held, the rest refused at once.
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(TcpStream::connect(rig.addr).unwrap());
    }
    wait_until(Duration::from_secs(10), "the limit reached", || {
        stats.connections.load(Ordering::Relaxed) == 64
            && stats.refused_connections.load(Ordering::Relaxed) >= 900
    });
    let mut extra = TcpStream::connect(rig.addr).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let a = read_answer(&mut extra);
    assert_eq!(a.status, 503);
    assert_eq!(a.header("retry-after").as_deref(), Some("1"));
    assert!(stats.connections.load(Ordering::Relaxed) <= 64, "bounded");
    drop(idle);
    wait_until(Duration::from_secs(10), "the connections released", || {
        stats.connections.load(Ordering::Relaxed) == 0
    });
    assert_eq!(get(rig.addr, "/courts").status, 200);
}

#[test]
fn the_read_allowlist_refuses_other_addresses_but_not_this_machine() {
    // A non-loopback address of this machine, so the server sees a LAN peer.
    let lan = if_addrs::get_if_addrs()
        .unwrap()
        .into_iter()
        .map(|i| i.ip())
        .find(|ip| ip.is_ipv4() && !ip.is_loopback())
        .expect("this test needs a non-loopback IPv4 interface");
    let mut o = RigOptions::default();
    o.config.addr = "0.0.0.0:0".parse().unwrap();
    o.config.allow = vec!["198.51.100.7".parse().unwrap()];
    let rig = Rig::with(o);
    let port = rig.addr.port();
    let refused = get(std::net::SocketAddr::new(lan, port), "/api/v1/courts");
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["error"]
            .as_str()
            .unwrap()
            .contains(&lan.to_string())
    );
    let local = get(
        std::net::SocketAddr::new("127.0.0.1".parse().unwrap(), port),
        "/api/v1/courts",
    );
    assert_eq!(local.status, 200);
    let mut o = RigOptions::default();
    o.config.addr = "0.0.0.0:0".parse().unwrap();
    o.config.allow = vec![lan];
    let rig = Rig::with(o);
    let allowed = get(
        std::net::SocketAddr::new(lan, rig.addr.port()),
        "/api/v1/courts",
    );
    assert_eq!(allowed.status, 200);
}

#[test]
fn a_taken_port_is_refused_with_the_address_and_cause() {
    let rig = Rig::start();
    let mut o = RigOptions::default();
    o.config.addr = rig.addr;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (_tx, rx) = crossbeam_channel::bounded(1);
    let feed = courtside::web::WebFeed {
        records: rx,
        courts: Vec::new(),
        court_names: Vec::new(),
        flags: courtside::flags::FlagResolver::builtin_only(),
        control: None,
    };
    let err = courtside::web::WebService::spawn(o.config, runtime.handle().clone(), feed)
        .err()
        .expect("a taken port must fail");
    let text = err.to_string();
    assert!(
        text.contains(&rig.addr.to_string()) && text.contains("address in use"),
        "{text}"
    );
}

#[test]
fn reconfigure_moves_to_a_new_port_and_keeps_the_courts() {
    let rig = Rig::start();
    rig.send("Court 1", b"sc1;6;");
    rig.wait_records(1);
    let old = rig.addr;
    let mut config = RigOptions::default().config;
    // A port free a moment ago (port 0 again would be "unchanged").
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.addr = free.local_addr().unwrap();
    drop(free);
    rig.service.reconfigure(&config).unwrap();
    let new = rig.service.local_addr().unwrap();
    assert_eq!(new, config.addr);
    assert_eq!(
        get(new, "/api/v1/courts/Court%201/state").json()["state"]["blue"]["score"],
        6
    );
    wait_until(Duration::from_secs(5), "the old port closed", || {
        TcpStream::connect(old).is_err()
    });
}
