//! The commands as processes: `courtside listen --nats` killed and restarted during an outage,
//! and `courtside hub --headless`.

use crate::server::NatsServer;
use crate::support::*;
use courtside::store::Store;
use courtside::tournament::Auth;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// A courtside child whose stdout lines are collected, to wait for one with a deadline.
struct Child2 {
    child: Child,
    lines: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl Child2 {
    fn spawn(args: &[&str], db: &Path) -> Child2 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_courtside"))
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .args(args)
            .arg("--db")
            .arg(db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let lines = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let l2 = lines.clone();
        std::thread::Builder::new()
            .name("child-output".into())
            .spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    l2.0.lock().unwrap().push(line);
                    l2.1.notify_all();
                }
            })
            .unwrap();
        Child2 { child, lines }
    }

    /// Wait for a stdout line matching `pred`; returns it.
    fn wait_line(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut lines = self.lines.0.lock().unwrap();
        loop {
            if let Some(l) = lines.iter().find(|l| pred(l)) {
                return l.clone();
            }
            let now = Instant::now();
            assert!(
                now < deadline,
                "timed out waiting for {what}; stdout: {lines:#?}"
            );
            lines = self.lines.1.wait_timeout(lines, deadline - now).unwrap().0;
        }
    }

    fn committed(&self, seq: u64) {
        self.wait_line(&format!("commit of {seq}"), |l| {
            l.strip_prefix("courtside: committed seq ")
                .and_then(|n| n.parse::<u64>().ok())
                .is_some_and(|n| n >= seq)
        });
    }

    fn interrupt_and_wait(mut self) -> Vec<String> {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        self.wait_line("end of output", |l| {
            l.starts_with("courtside: stopped") || l.starts_with("courtside: hub stopped")
        });
        self.lines.0.lock().unwrap().clone()
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Child2 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(db: &Path, url: &str, tournament: &str) -> (Child2, SocketAddr) {
    let c = Child2::spawn(
        &[
            "listen",
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--court",
            "Court 1",
            "--print-commits",
            "--nats",
            url,
            "--tournament",
            tournament,
        ],
        db,
    );
    let line = c.wait_line("listening", |l| {
        l.starts_with("courtside: listening on UDP ")
    });
    // The publisher has its start point once it reports a link state.
    c.wait_line("the tournament link", |l| {
        l.starts_with("courtside: tournament: ")
    });
    let addr = line["courtside: listening on UDP ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (c, addr)
}

fn send(to: SocketAddr, datagrams: &[Vec<u8>]) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    for d in datagrams {
        s.send_to(d, to).unwrap();
    }
}

#[test]
fn a_court_process_killed_during_an_outage_restarts_and_the_hub_gets_everything_once() {
    let dir = temp_dir();
    let mut server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "proc", Auth::None);
    let hub = Hub::start(dir.path(), nats, rt.handle());
    let db = dir.path().join("court.redb");
    let match_ = example_datagrams();
    let (a, rest) = match_.split_at(15);
    let (b, c) = rest.split_at(15);

    let (p1, addr) = listen(&db, &server.url(), "proc");
    p1.wait_line("publishing line", |l| {
        l.contains("publishing as court Court-1")
    });
    send(addr, a);
    p1.committed(a.len() as u64);
    hub.wait_for("Court-1", a.len());
    server.kill();
    send(addr, b);
    p1.committed((a.len() + b.len()) as u64);
    p1.wait_line("the outage reported", |l| {
        l.starts_with("courtside: tournament: offline")
    });
    p1.kill();

    let (p2, addr) = listen(&db, &server.url(), "proc");
    send(addr, c);
    p2.committed(match_.len() as u64);
    server.restart();
    hub.wait_for("Court-1", match_.len());
    let out = p2.interrupt_and_wait();
    // The restarted court sent what the killed one had queued, and its own.
    let closing = format!(
        "courtside: tournament: {} published this run, 0 queued for the next start",
        b.len() + c.len()
    );
    assert!(out.contains(&closing), "{out:#?}");

    let store = Store::open(&db).unwrap();
    let theirs = store.events_page(0, usize::MAX).unwrap();
    let ours = hub.records_of("Court-1");
    assert_eq!(
        ours.iter()
            .map(|r| (r.received_at_ns, r.raw.clone()))
            .collect::<Vec<_>>(),
        theirs
            .iter()
            .map(|r| (r.received_at_ns, r.raw.clone()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_headless_hub_command_stores_the_tournament_and_reports_each_court() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "hubcmd", Auth::None);
    let court = Court::start(dir.path(), "7", nats, rt.handle());
    let match_ = example_datagrams();
    court.receive(&match_);
    let db = dir.path().join("hub.redb");
    let hub = Child2::spawn(
        &[
            "hub",
            "--headless",
            "--nats",
            &server.url(),
            "--tournament",
            "hubcmd",
            "--http",
            "127.0.0.1:0",
        ],
        &db,
    );
    hub.wait_line("the court's finished match", |l| {
        l.starts_with("courtside: hub: court 7: match 204 Kenji TANAKA (JPN) 6 – 5 Lucas MOREAU (FRA), winner blue")
    });
    // The hub serves every court's pages and API: one address for the whole venue.
    let web = hub.wait_line("the web server", |l| {
        l.starts_with("courtside: web pages and API on http://")
    });
    let addr = web
        .split_whitespace()
        .nth(6)
        .unwrap()
        .trim_start_matches("http://");
    // The web feed applies the records on its own thread: it may be a batch behind the line.
    let read = || -> serde_json::Value {
        serde_json::from_str(&http_get(addr, "/api/v1/courts/7/state")).unwrap()
    };
    let last = std::cell::RefCell::new(read());
    wait_until(
        "the web state shows the finished match",
        || {
            *last.borrow_mut() = read();
            last.borrow()["state"]["winner"] == "blue"
        },
        || last.borrow().to_string(),
    );
    let state = last.into_inner();
    assert_eq!(state["court"], "7");
    assert_eq!(state["state"]["blue"]["score"], 6);
    assert_eq!(state["state"]["red"]["score"], 5);
    assert_eq!(state["state"]["winner"], "blue");
    let list: serde_json::Value = serde_json::from_str(&http_get(addr, "/api/v1/courts")).unwrap();
    assert_eq!(list["courts"][0]["court"], "7");
    let out = hub.interrupt_and_wait();
    assert!(
        out.iter().any(|l| l == "courtside: hub: connected"),
        "{out:#?}"
    );
    let summary = format!(
        "courtside: hub stopped; {} datagrams stored this run, 0 duplicates dropped, 0 foreign messages",
        match_.len()
    );
    assert!(out.contains(&summary), "{out:#?}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.stats().unwrap().events, match_.len() as u64);
}

#[test]
fn a_password_on_the_command_line_is_not_an_option_and_a_missing_one_is_explained() {
    let dir = temp_dir();
    let db = dir.path().join("x.redb");
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .env_remove("COURTSIDE_NATS_PASSWORD")
        .args([
            "hub",
            "--headless",
            "--nats",
            "nats://127.0.0.1:1",
            "--tournament",
            "t",
            "--nats-user",
            "court",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--nats-password-file") && err.contains("COURTSIDE_NATS_PASSWORD"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["hub", "--nats-password", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// `GET path` on `addr` (the answer closes the connection): the body.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer.split_once("\r\n\r\n").unwrap().1.to_string()
}
