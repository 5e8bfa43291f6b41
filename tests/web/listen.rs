//! `courtside listen` serves the pages: `--http ADDR:PORT`, `--http off`, a taken port.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Listen {
    child: Child,
    lines: crossbeam_channel::Receiver<String>,
    seen: std::cell::RefCell<Vec<String>>,
    _dir: tempfile::TempDir,
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(http: &str) -> Listen {
    let dir = tempfile::Builder::new()
        .prefix("courtside-web-listen-")
        .tempdir()
        .unwrap();
    spawn_listen(dir, &["--http", http])
}

/// `courtside listen` on a free UDP port with the store in `dir` and `extra` arguments.
fn spawn_listen(dir: tempfile::TempDir, extra: &[&str]) -> Listen {
    let mut child = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["--db"])
        .arg(dir.path().join("l.redb"))
        .args(["listen", "--bind", "127.0.0.1", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: the test reads every line it waits for; 65 536 lines is far above what listen prints.
    let (tx, lines) = crossbeam_channel::bounded(1 << 16);
    for out in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("listen-output".into())
            .spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    // The test may have finished and dropped the receiver: nothing to tell.
                    let _ = tx.send(line);
                }
            })
            .unwrap();
    }
    Listen {
        child,
        lines,
        seen: Default::default(),
        _dir: dir,
    }
}

impl Listen {
    /// The first line containing `needle` (within 30 s), in whatever order lines came.
    fn line_with(&self, needle: &str) -> String {
        if let Some(l) = self
            .seen
            .borrow()
            .iter()
            .find_map(|l| l.find(needle).map(|at| l[at..].to_string()))
        {
            return l;
        }
        let end = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let left = end.saturating_duration_since(std::time::Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no line with {needle:?}"));
            self.seen.borrow_mut().push(line.clone());
            if let Some(at) = line.find(needle) {
                return line[at..].to_string();
            }
        }
    }
}

#[test]
fn listen_serves_the_state_of_datagrams_it_receives() {
    let l = listen("127.0.0.1:0");
    let udp = l.line_with("courtside: listening on UDP");
    let udp: std::net::SocketAddr = udp.split_whitespace().nth(4).unwrap().parse().unwrap();
    let web = l.line_with("courtside: web pages and API on");
    let url = web.split_whitespace().nth(6).unwrap().to_string();
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let all = example_datagrams();
    for d in &all {
        sock.send_to(d, udp).unwrap();
    }
    let want = replayed(&all);
    wait_until(Duration::from_secs(20), "the API shows the match", || {
        get(addr, "/api/v1/courts/Court%201/state").json()["state"] == want
    });
    let control = post(
        addr,
        "/api/v1/obs/save-replay",
        "Authorization: Bearer x\r\n",
        "",
    );
    assert_eq!(
        control.status, 403,
        "control is off unless enabled in Settings"
    );
}

#[test]
fn listen_with_http_off_serves_nothing_and_a_taken_port_fails_the_command() {
    let l = listen("off");
    l.line_with("listening on UDP");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let mut l2 = listen(&addr.to_string());
    let line = l2.line_with("cannot serve HTTP");
    assert!(
        line.contains(&addr.to_string()) && line.contains("address in use"),
        "{line}"
    );
    let status = l2.child.wait().unwrap();
    assert!(!status.success());
    assert!(
        l.seen
            .borrow()
            .iter()
            .chain(l.lines.try_iter().collect::<Vec<_>>().iter())
            .all(|line| !line.contains("web pages")),
        "--http off must not serve"
    );
}

#[test]
fn a_taken_port_from_settings_is_a_warning_and_listen_still_stores_datagrams() {
    // The port comes from Settings (no --http): scoring must not stop because another program
    // (or a second courtside) holds it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::Builder::new()
        .prefix("courtside-web-listen-")
        .tempdir()
        .unwrap();
    let db = dir.path().join("l.redb");
    {
        let store = courtside::store::Store::open(&db).unwrap();
        let writer = courtside::store::Writer::spawn(
            store,
            courtside::store::WriterConfig::default(),
            Vec::new(),
        )
        .unwrap();
        let settings = courtside::web::WebSettings {
            port,
            ..Default::default()
        };
        let (key, value) = settings.to_entry();
        let (ack, done) = crossbeam_channel::bounded(1);
        writer
            .sender()
            .send(courtside::store::WriteRequest::Apply {
                what: "settings",
                op: courtside::store::write_settings_op(
                    vec![(key.to_string(), value)],
                    "test".into(),
                ),
                ack: Some(ack),
            })
            .unwrap();
        done.recv().unwrap().unwrap();
        writer.shutdown();
    }
    let l = spawn_listen(dir, &["--print-commits"]);
    let warning = l.line_with("warning: cannot serve HTTP");
    assert!(
        warning.contains(&format!("127.0.0.1:{port}")) && warning.contains("--http"),
        "{warning}"
    );
    let udp = l.line_with("courtside: listening on UDP");
    let udp: std::net::SocketAddr = udp.split_whitespace().nth(4).unwrap().parse().unwrap();
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let all = example_datagrams();
    for d in &all {
        sock.send_to(d, udp).unwrap();
    }
    // The listener keeps running and stores every datagram (a fresh store numbers them 1..=n).
    l.line_with(&format!("courtside: committed seq {}", all.len()));
    assert!(
        l.seen
            .borrow()
            .iter()
            .all(|line| !line.contains("web pages and API on")),
        "no pages are served while the port is taken"
    );
    drop(taken);
}
