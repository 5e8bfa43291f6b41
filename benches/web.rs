//! The web server's costs, measured end to end (issue 16):
//! - a PSS datagram (UDP → listener → store writer → web feed → live WebSocket) → the overlay's
//!   DOM changed in headless Chromium (Debian's `chromium`), timed in the page by a
//!   MutationObserver against the send time: p50/p99;
//! - CPU of the process over 10 s with 50 idle live clients connected (nothing changes);
//! - memory (RSS) per connected live client, from 500 raw WebSocket clients.
//!
//! Targets: p99 ≤ 50 ms; idle CPU ≤ 1 % of one core. Linux only (reads /proc/self).
//! `cargo bench --bench web`; in test mode (`cargo test --benches`) tiny sizes, not judged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/web/cdp.rs"]
#[allow(dead_code)]
mod cdp;
#[path = "common/verdict.rs"]
mod verdict;

use courtside::ingest::{self, Listener, ListenerConfig};
use courtside::store::writer::Subscribers;
use courtside::store::{Store, Writer, WriterConfig};
use courtside::web::{WebConfig, WebFeed, WebService, WebSettings};
use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use verdict::Verdicts;

struct Rig {
    service: WebService,
    addr: SocketAddr,
    _listener: Listener,
    writer: Writer,
    pss: UdpSocket,
    to: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn rig() -> Rig {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("b.redb")).expect("store");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (tx, rx) = crossbeam_channel::bounded(courtside::web::FEED_QUEUE);
    let mut config = WebConfig::from_settings(&WebSettings::default(), None);
    config.addr = "127.0.0.1:0".parse().expect("addr");
    config.limits.max_connections = 2048;
    let feed = WebFeed {
        records: rx,
        courts: Vec::new(),
        court_names: vec!["1".into()],
        flags: courtside::flags::FlagResolver::builtin_only(),
        control: None,
    };
    let service = WebService::spawn(config, runtime.handle().clone(), feed).expect("web");
    let subscribers = Subscribers {
        early: vec![tx],
        durable: Vec::new(),
    };
    let writer =
        Writer::spawn_with(store, WriterConfig::default(), subscribers, None).expect("writer");
    let loopback = ListenerConfig {
        bind: [127, 0, 0, 1].into(),
        ..ListenerConfig::new(0, "1")
    };
    let sock = ingest::bind(&loopback).expect("udp");
    let to = sock.local_addr().expect("addr");
    let config = ListenerConfig {
        port: to.port(),
        ..loopback
    };
    let listener = Listener::spawn(config, Some(sock), writer.sender()).expect("listener");
    let addr = service.local_addr().expect("bound");
    let pss = UdpSocket::bind("127.0.0.1:0").expect("udp");
    Rig {
        service,
        addr,
        _listener: listener,
        writer,
        pss,
        to,
        _runtime: runtime,
        _dir: dir,
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

fn latency(r: &Rig, samples: usize, v: &mut Verdicts) {
    for d in [
        "pre;FightLoaded;",
        "at1;A;Anna A;KOR;at2;B;Bea B;JPN;",
        "sc1;0;sc2;0;",
    ] {
        r.pss.send_to(d.as_bytes(), r.to).expect("send");
    }
    let mut b = cdp::Browser::open(&format!("http://{}/overlay/1", r.addr), 1920, 1080);
    b.wait_for(
        "document.getElementById('blue-name').textContent === 'Anna A'",
        Duration::from_secs(30),
    );
    let mut ms = Vec::new();
    for i in 0..samples {
        let score = 1 + i % 90;
        b.eval(&format!(
            "window.__changed = new Promise(done => {{ const el = document.getElementById('red-score'); \
             new MutationObserver(() => {{ if (el.textContent === '{score}') done(Date.now()); }}) \
             .observe(el, {{childList: true, characterData: true, subtree: true}}); }}); 1"
        ));
        let sent = now_ms();
        r.pss
            .send_to(format!("sc2;{score};").as_bytes(), r.to)
            .expect("send");
        let shown = b.eval("window.__changed").as_f64().unwrap_or(f64::MAX);
        ms.push((shown - sent).max(0.0));
        // Paced like a live match (a few changes a second), not back to back.
        std::thread::sleep(Duration::from_millis(20));
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "datagram → overlay DOM ({} samples): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        percentile(&ms, 1.0)
    );
    v.at_most(
        "datagram → overlay DOM p99",
        percentile(&ms, 0.99),
        50.0,
        " ms",
    );
}

/// utime + stime of this process, in seconds (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn rss_bytes() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0)
}

/// A live client that completed the WebSocket handshake (reads nothing more; idle).
fn raw_client(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(
        b"GET /api/v1/courts/1/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .expect("handshake");
    s
}

fn wait_clients(r: &Rig, n: usize) {
    let stats = r.service.stats();
    let end = Instant::now() + Duration::from_secs(30);
    while stats
        .live_clients
        .load(std::sync::atomic::Ordering::Relaxed)
        < n
    {
        assert!(Instant::now() < end, "live clients did not connect");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn idle_cpu(r: &Rig, window: Duration, v: &mut Verdicts) {
    let clients: Vec<TcpStream> = (0..50).map(|_| raw_client(r.addr)).collect();
    wait_clients(r, 50);
    std::thread::sleep(Duration::from_secs(1));
    let (Some(c0), t0) = (cpu_seconds(), Instant::now()) else {
        v.not_measured(
            "idle CPU with 50 live clients",
            "≤ 1 %",
            "no /proc/self/stat",
        );
        return;
    };
    std::thread::sleep(window);
    let used = cpu_seconds().unwrap_or(c0) - c0;
    let pct = used / t0.elapsed().as_secs_f64() * 100.0;
    println!(
        "idle CPU with 50 live clients over {:.0} s: {pct:.2} % of one core",
        window.as_secs_f64()
    );
    v.at_most("idle CPU with 50 live clients", pct, 1.0, " %");
    drop(clients);
}

fn memory_per_client(r: &Rig, n: usize) {
    let before = rss_bytes();
    let clients: Vec<TcpStream> = (0..n).map(|_| raw_client(r.addr)).collect();
    wait_clients(r, n);
    match (before, rss_bytes()) {
        (Some(a), Some(b)) => println!(
            "memory per live client ({n} clients): {:.1} KB RSS (process {:.1} → {:.1} MB)",
            (b - a) / n as f64 / 1000.0,
            a / 1e6,
            b / 1e6
        ),
        _ => println!("memory per live client: not measured (no /proc/self/statm)"),
    }
    drop(clients);
}

fn main() -> ExitCode {
    let test = verdict::test_mode();
    let mut v = Verdicts::new();
    let r = rig();
    latency(&r, if test { 5 } else { 300 }, &mut v);
    idle_cpu(&r, Duration::from_secs(if test { 1 } else { 10 }), &mut v);
    memory_per_client(&r, if test { 20 } else { 500 });
    drop(r.writer);
    v.finish()
}
