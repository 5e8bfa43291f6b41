//! The live push stream: full state on connect, every change after it, in order, over a
//! WebSocket or SSE; many clients; a stalled client dropped without delaying the others.

use crate::support::*;
use futures_util::StreamExt;
use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: std::net::SocketAddr, court_path: &str) -> Ws {
    let uri = format!("ws://{addr}/api/v1/courts/{court_path}/live");
    let (ws, _) = ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    ws
}

/// The next state document (skipping pings), within 10 s.
async fn next_doc(ws: &mut Ws) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a live update within 10 s")
            .expect("stream open")
            .expect("a frame");
        if let Some(text) = msg.as_text() {
            return serde_json::from_str(text).unwrap();
        }
    }
}

#[test]
fn websocket_sends_the_full_state_on_connect_then_every_change() {
    let rig = Rig::start();
    rig.send("Court 1", b"at1;A;Anna A;KOR;at2;B;Bea B;JPN;");
    rig.wait_records(1);
    rig.runtime.block_on(async {
        let mut ws = connect(rig.addr, "Court%201").await;
        let first = next_doc(&mut ws).await;
        assert_eq!(
            first["state"]["blue"]["long_name"], "Anna A",
            "full state on connect"
        );
        rig.send("Court 1", b"sc1;3;sc2;0;");
        let second = next_doc(&mut ws).await;
        assert_eq!(second["state"]["blue"]["score"], 3);
        assert!(second["version"].as_u64() > first["version"].as_u64());
    });
}

#[test]
fn sse_sends_the_full_state_then_changes() {
    let rig = Rig::start();
    rig.send("Court 1", b"at1;A;Anna A;KOR;at2;B;Bea B;JPN;");
    rig.wait_records(1);
    let mut s = std::net::TcpStream::connect(rig.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /api/v1/courts/Court%201/live HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .unwrap();
    let mut seen = String::new();
    let mut read_until = |needle: &str, seen: &mut String| {
        let mut chunk = [0u8; 4096];
        while !seen.contains(needle) {
            let n = s.read(&mut chunk).unwrap();
            assert!(n > 0, "stream closed; got {seen}");
            seen.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    };
    read_until("Anna A", &mut seen);
    assert!(seen.starts_with("HTTP/1.1 200 OK\r\n"), "{seen}");
    assert!(seen.contains("Content-Type: text/event-stream"));
    assert!(seen.contains("event: state\ndata: {"));
    rig.send("Court 1", b"sc1;0;sc2;4;");
    read_until("\"score\":4", &mut seen);
}

#[test]
fn fifty_websocket_clients_receive_every_change_in_order() {
    let rig = Rig::start();
    rig.send("Court 1", b"pre;FightLoaded;");
    rig.wait_records(1);
    let changes = 40u32;
    rig.runtime.block_on(async {
        let mut clients = Vec::new();
        for _ in 0..50 {
            let mut ws = connect(rig.addr, "Court%201").await;
            let first = next_doc(&mut ws).await;
            clients.push((ws, first["version"].as_u64().unwrap()));
        }
        for i in 1..=changes {
            rig.send("Court 1", format!("sc1;{i};").as_bytes());
        }
        let mut tasks = Vec::new();
        for (mut ws, start) in clients {
            tasks.push(tokio::spawn(async move {
                let mut scores = Vec::new();
                let mut last = start;
                while scores.len() < changes as usize {
                    let doc = next_doc(&mut ws).await;
                    let v = doc["version"].as_u64().unwrap();
                    assert!(v > last, "versions in order: {v} after {last}");
                    last = v;
                    scores.push(doc["state"]["blue"]["score"].as_u64().unwrap() as u32);
                }
                scores
            }));
        }
        let want: Vec<u32> = (1..=changes).collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), want, "every change, in order");
        }
    });
    assert_eq!(
        rig.service.stats().skipped_updates.load(Ordering::Relaxed),
        0
    );
}

#[test]
fn a_stalled_client_is_dropped_and_does_not_delay_the_others() {
    let mut o = RigOptions::default();
    o.config.limits.stall_timeout = Duration::from_millis(300);
    let rig = Rig::with(o);
    rig.send("Court 1", b"pre;FightLoaded;");
    rig.wait_records(1);
    // A WebSocket client that completes the handshake, then never reads again.
    let stalled = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    stalled.set_recv_buffer_size(4096).unwrap();
    stalled.connect(&rig.addr.into()).unwrap();
    let mut stalled: std::net::TcpStream = stalled.into();
    stalled
        .write_all(
            b"GET /api/v1/courts/Court%201/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
              Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
              Sec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    let stats = rig.service.stats();
    wait_until(
        Duration::from_secs(5),
        "the stalled client connected",
        || stats.live_clients.load(Ordering::Relaxed) == 1,
    );
    // Long names make every state ~1 KB, so the stalled socket's buffers fill quickly.
    let long = "N".repeat(400);
    let _reader = rig.runtime.block_on(async {
        let mut ws = connect(rig.addr, "Court%201").await;
        next_doc(&mut ws).await;
        let n = 3000u32;
        let started = Instant::now();
        for i in 1..=n {
            rig.send(
                "Court 1",
                format!("at1;A;{long}{i};KOR;at2;B;Bea;JPN;sc1;{i};").as_bytes(),
            );
        }
        // The reading client gets the last state promptly, whatever the stalled one does.
        loop {
            let doc = next_doc(&mut ws).await;
            if doc["state"]["blue"]["score"] == n {
                break;
            }
        }
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(3),
            "the reading client was delayed: {took:?}"
        );
        ws
    });
    wait_until(
        Duration::from_secs(10),
        "the stalled client dropped",
        || stats.stalled_dropped.load(Ordering::Relaxed) == 1,
    );
    assert_eq!(
        stats.live_clients.load(Ordering::Relaxed),
        1,
        "only the reading client is left"
    );
    drop(stalled);
}

#[test]
fn the_all_courts_stream_sends_every_court_then_changes() {
    let rig = Rig::start();
    rig.send("Court 2", b"sc1;2;");
    rig.wait_records(1);
    rig.runtime.block_on(async {
        let uri = format!("ws://{}/api/v1/live", rig.addr);
        let (mut ws, _) = ClientBuilder::new()
            .uri(&uri)
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut courts = vec![
            next_doc(&mut ws).await["court"]
                .as_str()
                .unwrap()
                .to_string(),
            next_doc(&mut ws).await["court"]
                .as_str()
                .unwrap()
                .to_string(),
        ];
        courts.sort();
        assert_eq!(courts, ["Court 1", "Court 2"]);
        rig.send("Court 1", b"sc2;5;");
        let doc = next_doc(&mut ws).await;
        assert_eq!(
            (doc["court"].as_str(), doc["state"]["red"]["score"].as_u64()),
            (Some("Court 1"), Some(5))
        );
    });
}
